// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/contact_cache.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "wire/command.h"
#include "wire/command_writer.h"

namespace msn {
namespace {

constexpr std::string_view kMagic = "MSNPCACHE";
constexpr std::string_view kVersion = "1";
constexpr ListBits kRoles = ListBits::kAllow | ListBits::kBlock | ListBits::kReverse | ListBits::kPending;
constexpr std::size_t kContactFields = 13;

void add_line(std::string& out, std::initializer_list<std::string_view> fields) {
  bool first = true;
  for (const std::string_view field : fields) {
    if (!first) out += '\t';
    out += field;
    first = false;
  }
  out += '\n';
}

std::string enc(std::string_view text) { return wire::url_encode(text); }

// One "contact" line (see the format above), encoded straight into `out`: a big list's blob is
// written with no string per field.
void add_contact_line(std::string& out, const Contact& c) {
  const auto text = [&out](std::string_view value) {
    out += '\t';
    wire::append_url_encoded(out, value);
  };
  const auto number = [&out](std::uint32_t value) {
    std::array<char, 16> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), value).ptr;
    out += '\t';
    out.append(digits.data(), end);
  };
  out += "contact";
  text(c.passport);
  number(to_int(c.network));
  number(to_int(c.lists));
  text(c.contact_id);
  text(c.display_name);
  text(c.nickname);
  out += '\t';
  for (std::size_t i = 0; i < c.group_ids.size(); ++i) {
    if (i > 0) out += ',';
    wire::append_url_encoded(out, c.group_ids[i]);
  }
  const MembershipIds& ids = c.membership_ids;
  text(ids.allow);
  text(ids.block);
  text(ids.reverse);
  text(ids.pending);
  text(c.invite_message);
  out += '\n';
}

Error malformed(std::size_t line) {
  return make_error(Errc::kProtocol, "contact cache: line " + std::to_string(line) + " is malformed");
}

// Splits on tabs; nullopt when there are more than `max_fields`.
std::optional<std::vector<std::string_view>> split_fields(std::string_view line, std::size_t max_fields) {
  std::vector<std::string_view> fields;
  for (;;) {
    if (fields.size() == max_fields) return std::nullopt;
    const std::size_t tab = line.find('\t');
    fields.push_back(line.substr(0, tab));
    if (tab == std::string_view::npos) return fields;
    line.remove_prefix(tab + 1);
  }
}

// Decodes one field; encoded fields never contain spaces or control bytes.
std::optional<std::string> dec(std::string_view field) {
  for (const char c : field)
    if (ascii::is_control(c) || c == ' ') return std::nullopt;
  return wire::url_decode(field);
}

// Everything read so far, turned into the two results ContactList::load understands.
struct Reader {
  const ContactCacheLimits& limits;
  std::string_view account;
  soap::MembershipResult membership;
  soap::AddressBookResult address_book;
  std::size_t groups = 0;
  std::size_t contacts = 0;
  bool ended = false;
  std::array<bool, 5> header_seen{};  // account, ab, membership, cachekey, owner

  Status header(std::size_t index, std::size_t line_no, const std::vector<std::string_view>& f) {
    if (f.size() != 2 || header_seen[index]) return malformed(line_no);
    header_seen[index] = true;
    auto value = dec(f[1]);
    if (!value) return malformed(line_no);
    switch (index) {
      case 0:
        if (!ascii::iequals(*value, account))
          return make_error(Errc::kInvalidArgument, "contact cache: it belongs to another account");
        break;
      case 1:
        address_book.last_change = std::move(*value);
        break;
      case 2:
        membership.last_change = std::move(*value);
        break;
      case 3:
        membership.header.cache_key = std::move(*value);
        membership.header.cache_key_changed = !membership.header.cache_key.empty();
        break;
      default:
        address_book.has_owner = !value->empty();
        address_book.owner_display_name = std::move(*value);
        break;
    }
    return Status::ok();
  }

  Status group(std::size_t line_no, const std::vector<std::string_view>& f) {
    if (f.size() != 3) return malformed(line_no);
    if (++groups > limits.max_groups) return make_error(Errc::kLimit, "contact cache: too many groups");
    auto id = dec(f[1]);
    auto name = dec(f[2]);
    if (!id || !name || id->empty()) return malformed(line_no);
    address_book.groups.push_back(Group{std::move(*id), std::move(*name)});
    return Status::ok();
  }

  Status contact(std::size_t line_no, const std::vector<std::string_view>& f) {
    if (f.size() != kContactFields) return malformed(line_no);
    if (++contacts > limits.max_contacts) return make_error(Errc::kLimit, "contact cache: too many contacts");
    std::array<std::optional<std::string>, kContactFields> v;
    for (std::size_t i = 1; i < kContactFields; ++i) {
      if (i == 2 || i == 3 || i == 7) continue;  // numbers and the id list are read below
      v[i] = dec(f[i]);
      if (!v[i]) return malformed(line_no);
    }
    const auto network = wire::parse_u32(f[2]);
    const auto lists = wire::parse_u32(f[3]);
    if (!network || !lists || *lists > 0x1F || !is_valid_address(*v[1])) return malformed(line_no);
    const ListBits bits = list_bits_from_int(*lists);
    if (bits == ListBits::kNone) return malformed(line_no);

    if (has_any(bits, kRoles)) {
      soap::Member member;
      member.address = *v[1];
      member.network = network_from_int(*network);
      member.lists = bits & kRoles;
      member.membership_ids = MembershipIds{*v[8], *v[9], *v[10], *v[11]};
      if (!has_any(bits, ListBits::kForward)) member.display_name = *v[5];
      member.invite_message = *v[12];
      membership.members.push_back(std::move(member));
    }
    if (has_any(bits, ListBits::kForward)) {
      soap::AbContact ab;
      ab.contact_id = *v[4];
      ab.address = *v[1];
      ab.network = network_from_int(*network);
      ab.display_name = *v[5];
      ab.nickname = *v[6];
      std::string_view ids = f[7];
      while (!ids.empty()) {
        if (ab.group_ids.size() == limits.max_groups_per_contact)
          return make_error(Errc::kLimit, "contact cache: too many groups for one contact");
        const std::size_t comma = ids.find(',');
        auto id = dec(ids.substr(0, comma));
        if (!id || id->empty()) return malformed(line_no);
        ab.group_ids.push_back(std::move(*id));
        ids = comma == std::string_view::npos ? std::string_view{} : ids.substr(comma + 1);
      }
      address_book.contacts.push_back(std::move(ab));
    }
    return Status::ok();
  }

  Status end(std::size_t line_no, const std::vector<std::string_view>& f) {
    if (f.size() != 3) return malformed(line_no);
    const auto group_count = wire::parse_u32(f[1]);
    const auto contact_count = wire::parse_u32(f[2]);
    if (!group_count || !contact_count || *group_count != groups || *contact_count != contacts)
      return make_error(Errc::kProtocol, "contact cache: the counts do not match (cut off?)");
    for (const bool seen : header_seen)
      if (!seen) return make_error(Errc::kProtocol, "contact cache: a header line is missing");
    ended = true;
    return Status::ok();
  }

  Status line(std::size_t line_no, std::string_view text) {
    if (ended) return make_error(Errc::kProtocol, "contact cache: data after the end line");
    if (text.size() > limits.max_line_bytes) return make_error(Errc::kLimit, "contact cache: line too long");
    auto fields = split_fields(text, kContactFields);
    if (!fields) return malformed(line_no);
    const std::string_view kind = (*fields)[0];
    if (line_no == 1) {
      if (kind != kMagic || fields->size() != 2 || (*fields)[1] != kVersion)
        return make_error(Errc::kProtocol, "contact cache: not a version 1 cache");
      return Status::ok();
    }
    static constexpr std::array<std::string_view, 5> kHeaders = {"account", "ab", "membership", "cachekey",
                                                                 "owner"};
    for (std::size_t i = 0; i < kHeaders.size(); ++i)
      if (kind == kHeaders[i]) return header(i, line_no, *fields);
    if (kind == "group") return group(line_no, *fields);
    if (kind == "contact") return contact(line_no, *fields);
    if (kind == "end") return end(line_no, *fields);
    return malformed(line_no);
  }
};

}  // namespace

ContactCacheWriter::ContactCacheWriter(std::string_view account, const ContactList& list) {
  add_line(out_, {kMagic, kVersion});
  add_line(out_, {"account", enc(account)});
  add_line(out_, {"ab", enc(list.address_book_last_change())});
  add_line(out_, {"membership", enc(list.membership_last_change())});
  add_line(out_, {"cachekey", enc(list.cache_key())});
  add_line(out_, {"owner", enc(list.own_display_name())});
  const auto groups = list.groups();
  for (const Group* group : groups) add_line(out_, {"group", enc(group->id), enc(group->name)});
  groups_ = groups.size();
}

bool ContactCacheWriter::step(const ContactList& list, std::size_t max_contacts) {
  if (!walk_.started) out_.reserve(out_.size() + list.size() * 160);
  // In address order, the list's own: no sort of the whole book in one step.
  for (const Contact* c : list.next_contacts(walk_, max_contacts)) {
    add_contact_line(out_, *c);
    ++written_;
  }
  if (!walk_.finished) return false;
  add_line(out_, {"end", std::to_string(groups_), std::to_string(written_)});
  return true;
}

std::string serialize_contact_cache(std::string_view account, const ContactList& list) {
  ContactCacheWriter writer(account, list);
  while (!writer.step(list, list.size())) {
  }
  return writer.take();
}

// ---- reading, a part at a time --------------------------------------------------------------

namespace {

// The lines a header ends before.
bool is_body_line(std::string_view line) {
  const std::string_view kind = line.substr(0, line.find('\t'));
  return kind == "group" || kind == "contact" || kind == "end";
}

}  // namespace

struct ContactCacheReader::State {
  State(std::string blob_in, std::string account_in, const ContactCacheLimits& limits_in)
      : blob(std::move(blob_in)), account(std::move(account_in)), limits(limits_in) {}
  std::string blob;
  std::string account;
  ContactCacheLimits limits;
  Reader reader{limits, account, {}, {}};  // refers to the two members above: State never moves
  std::size_t pos = 0;                     // the start of the next line in `blob`
  std::size_t line_no = 0;
  std::optional<Error> failed;
};

ContactCacheReader::ContactCacheReader(std::string blob, std::string account,
                                       const ContactCacheLimits& limits)
    : state_(std::make_unique<State>(std::move(blob), std::move(account), limits)) {}
ContactCacheReader::ContactCacheReader(ContactCacheReader&&) noexcept = default;
ContactCacheReader& ContactCacheReader::operator=(ContactCacheReader&&) noexcept = default;
ContactCacheReader::~ContactCacheReader() = default;

Status ContactCacheReader::read_header() {
  State& s = *state_;
  if (s.blob.size() > s.limits.max_bytes)
    s.failed = make_error(Errc::kLimit, "contact cache: too large");
  auto read = read_lines(s.limits.max_bytes, true);
  if (!read) return read.error();
  if (std::find(s.reader.header_seen.begin(), s.reader.header_seen.end(), false) !=
      s.reader.header_seen.end()) {
    s.failed = make_error(Errc::kProtocol, "contact cache: a header line is missing");
    return *s.failed;
  }
  return Status::ok();
}

Result<bool> ContactCacheReader::step(std::size_t max_lines) {
  return read_lines(max_lines, false);
}

Result<bool> ContactCacheReader::read_lines(std::size_t max_lines, bool header_only) {
  State& s = *state_;
  const auto fail = [&s](Error error) {
    s.failed = error;
    return error;
  };
  if (s.failed) return *s.failed;
  const std::string_view blob = s.blob;
  for (std::size_t n = 0; n < max_lines && s.pos < blob.size(); ++n) {
    const std::size_t eol = blob.find('\n', s.pos);
    if (eol == std::string_view::npos)
      return fail(make_error(Errc::kProtocol, "contact cache: the last line is cut off"));
    const std::string_view line = blob.substr(s.pos, eol - s.pos);
    if (header_only && is_body_line(line)) return false;
    if (Status read = s.reader.line(++s.line_no, line); !read) return fail(read.error());
    s.pos = eol + 1;
  }
  if (s.pos < blob.size()) return false;
  if (!s.reader.ended) return fail(make_error(Errc::kProtocol, "contact cache: no end line"));
  return true;
}

const std::string& ContactCacheReader::address_book_last_change() const {
  return state_->reader.address_book.last_change;
}
const std::string& ContactCacheReader::membership_last_change() const {
  return state_->reader.membership.last_change;
}
const std::string& ContactCacheReader::cache_key() const {
  return state_->reader.membership.header.cache_key;
}
std::size_t ContactCacheReader::contacts_read() const { return state_->reader.contacts; }
std::size_t ContactCacheReader::lines_read() const { return state_->line_no; }

soap::MembershipResult ContactCacheReader::take_membership() {
  return std::move(state_->reader.membership);
}
soap::AddressBookResult ContactCacheReader::take_address_book() {
  return std::move(state_->reader.address_book);
}

Result<ContactList> parse_contact_cache(std::string_view blob, std::string_view account,
                                        const ContactCacheLimits& limits) {
  ContactCacheReader reader{std::string(blob), std::string(account), limits};
  MSN_TRY(reader.read_header());
  for (;;) {
    auto ended = reader.step(limits.max_bytes);
    if (!ended) return ended.error();
    if (*ended) break;
  }
  ContactList list;
  list.load(reader.take_membership(), reader.take_address_book());
  return list;
}

}  // namespace msn
