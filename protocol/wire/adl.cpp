// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/contact-list.md, "Initial ADL and FQY" and "Server ADL and RML".
#include "wire/adl.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "soap/envelope.h"
#include "soap/xml.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn::wire {
namespace {

constexpr std::string_view kCloseDomain = "</d>";
constexpr std::string_view kCloseMl = "</ml>";
// Well past what any server sends in one ADL/RML; keeps a hostile payload cheap.
constexpr std::size_t kMaxServerPayload = 1024 * 1024;
constexpr std::size_t kMaxServerContacts = 20'000;

// The l= a client may send: FL|AL|BL, never AL together with BL.
ListBits announced_bits(ListBits lists) {
  ListBits bits = lists & kAnnouncedLists;
  if (has_any(bits, ListBits::kBlock)) bits &= ~ListBits::kAllow;
  return bits;
}

struct Entry {
  std::string domain_key;  // lower-cased, for grouping and order
  std::string local_key;
  std::string domain;   // as spelled
  std::string element;  // the complete <c .../>
};

// Appends entries to payloads under the count and byte limits, reopening the domain in each
// new payload.
class MlBatcher {
 public:
  MlBatcher(std::string_view root, const MlLimits& limits) : root_(root), limits_(limits) {
    current_ = root_;
  }

  void add(const Entry& entry) {
    if (!fits(entry)) {
      if (count_ == 0) return;  // cannot fit even alone; only with absurd limits
      flush();
      if (!fits(entry)) return;
    }
    if (!open_domain_ || *open_domain_ != entry.domain_key) {
      if (open_domain_) current_ += kCloseDomain;
      current_ += "<d n=\"";
      current_ += soap::escape(entry.domain);
      current_ += "\">";
      open_domain_ = &entry.domain_key;
    }
    current_ += entry.element;
    ++count_;
  }

  // The payloads, including a trailing partial one; an empty root-only payload is kept only
  // when `keep_empty`.
  std::vector<std::string> finish(bool keep_empty) {
    if (count_ > 0 || (keep_empty && payloads_.empty())) flush();
    return std::move(payloads_);
  }

 private:
  bool fits(const Entry& entry) const {
    if (count_ >= limits_.max_contacts) return false;
    std::size_t size =
        current_.size() + entry.element.size() + kCloseDomain.size() + kCloseMl.size();
    if (!open_domain_ || *open_domain_ != entry.domain_key) {
      if (open_domain_) size += kCloseDomain.size();
      size += 8 + soap::escape(entry.domain).size();  // <d n="">
    }
    return size <= limits_.max_bytes;
  }

  void flush() {
    if (open_domain_) current_ += kCloseDomain;
    current_ += kCloseMl;
    payloads_.push_back(std::move(current_));
    current_ = root_;
    open_domain_ = nullptr;
    count_ = 0;
  }

  std::string root_;
  const MlLimits& limits_;
  std::string current_;
  const std::string* open_domain_ = nullptr;
  std::size_t count_ = 0;
  std::vector<std::string> payloads_;
};

Entry make_entry(std::string_view address, std::string element) {
  const std::size_t at = address.find('@');
  Entry entry;
  entry.domain = std::string(address.substr(at + 1));
  entry.domain_key = ascii::to_lower(entry.domain);
  entry.local_key = ascii::to_lower(address.substr(0, at));
  entry.element = std::move(element);
  return entry;
}

// The entries by domain, then local part; pointers are sorted, since a swap of whole entries
// moves four strings.
std::vector<const Entry*> sorted_entries(const std::vector<Entry>& entries) {
  std::vector<const Entry*> order;
  order.reserve(entries.size());
  for (const Entry& entry : entries) order.push_back(&entry);
  std::sort(order.begin(), order.end(), [](const Entry* a, const Entry* b) {
    if (a->domain_key != b->domain_key) return a->domain_key < b->domain_key;
    return a->local_key < b->local_key;
  });
  return order;
}

std::vector<std::string> build_lists(std::span<const MlContact> contacts, const MlLimits& limits,
                                     bool initial) {
  // Merge duplicates first: one <c> per address, with the union of its bits.
  struct Merged {
    const MlContact* contact;
    ListBits lists;
  };
  std::vector<Merged> merged;
  std::unordered_map<std::string, std::size_t> index;
  merged.reserve(contacts.size());
  index.reserve(contacts.size());
  for (const MlContact& contact : contacts) {
    if (!is_valid_address(contact.address) || contact.network == Network::kUnknown) continue;
    std::string key = ascii::to_lower(contact.address);
    if (key == kMessengerServiceAddress) continue;
    auto [it, inserted] = index.try_emplace(std::move(key), merged.size());
    if (inserted)
      merged.push_back({&contact, contact.lists});
    else
      merged[it->second].lists |= contact.lists;
  }

  std::vector<Entry> entries;
  entries.reserve(merged.size());
  for (const Merged& m : merged) {
    const ListBits bits = announced_bits(m.lists);
    if (bits == ListBits::kNone) continue;
    const std::string_view address = m.contact->address;
    const std::size_t at = address.find('@');
    std::string element = "<c n=\"";
    element += soap::escape(address.substr(0, at));
    element += "\" l=\"";
    element += std::to_string(to_int(bits));
    element += "\" t=\"";
    element += std::to_string(to_int(m.contact->network));
    element += "\" />";
    entries.push_back(make_entry(address, std::move(element)));
  }
  MlBatcher batcher(initial ? "<ml l=\"1\">" : "<ml>", limits);
  for (const Entry* entry : sorted_entries(entries)) batcher.add(*entry);
  return batcher.finish(initial);
}

// ---- the server's documents --------------------------------------------------------------

std::uint32_t parse_number(std::string_view text, std::uint32_t fallback) {
  text = soap::trim(text);
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return fallback;
  return value;
}

class MlHandler final : public soap::XmlStreamHandler {
 public:
  Status on_start(const soap::ElementPath& path, const soap::XmlAttributes& attributes) override {
    const std::string_view name = path.name();
    if (path.depth() == 1) {
      if (name != "ml") return make_error(Errc::kProtocol, "ml: the root element is not <ml>");
    } else if (path.depth() == 2 && name == "d") {
      domain_ = attributes.value("n");
    } else if (path.depth() == 3 && name == "c" && path.up(1) == "d") {
      return read_contact(attributes);
    }
    return Status::ok();
  }

  Status on_end(const soap::ElementPath& path, std::string_view /*text*/) override {
    if (path.depth() == 2 && path.name() == "d") domain_.clear();
    return Status::ok();
  }

  std::vector<MlContact> take() { return std::move(contacts_); }

 private:
  Status read_contact(const soap::XmlAttributes& attributes) {
    MlContact contact;
    contact.address = attributes.value("n") + "@" + domain_;
    if (!is_valid_address(contact.address)) return Status::ok();
    if (contacts_.size() >= kMaxServerContacts)
      return make_error(Errc::kLimit, "ml: too many contacts");
    contact.lists = list_bits_from_int(parse_number(attributes.value("l"), 0));
    contact.network = network_from_int(parse_number(attributes.value("t"), 1));
    contact.friendly_name = bounded_utf8(url_decode(attributes.value("f")), kMaxFriendlyNameChars);
    contacts_.push_back(std::move(contact));
    return Status::ok();
  }

  std::string domain_;
  std::vector<MlContact> contacts_;
};

}  // namespace

std::vector<std::string> build_initial_adl(std::span<const MlContact> contacts,
                                           const MlLimits& limits) {
  return build_lists(contacts, limits, true);
}

std::vector<std::string> build_list_change(std::span<const MlContact> contacts,
                                           const MlLimits& limits) {
  return build_lists(contacts, limits, false);
}

std::vector<std::string> build_fqy(std::span<const std::string> addresses, const MlLimits& limits) {
  std::vector<Entry> entries;
  std::unordered_set<std::string> seen;
  for (const std::string& address : addresses) {
    if (!is_valid_address(address) || !seen.insert(ascii::to_lower(address)).second) continue;
    const std::size_t at = address.find('@');
    entries.push_back(make_entry(
        address, "<c n=\"" + soap::escape(std::string_view(address).substr(0, at)) + "\" />"));
  }
  MlBatcher batcher("<ml>", limits);
  for (const Entry* entry : sorted_entries(entries)) batcher.add(*entry);
  return batcher.finish(false);
}

Result<std::vector<MlContact>> parse_ml(std::string_view payload) {
  MlHandler handler;
  const Status status = soap::parse_xml_stream(
      payload, handler, soap::ParseLimits{.max_bytes = kMaxServerPayload, .max_depth = 16});
  if (!status.is_ok()) {
    const Error& error = status.error();
    // A bad NS payload is a protocol matter, whatever the XML layer called it.
    return make_error(error.code == Errc::kSoap ? Errc::kProtocol : error.code, error.detail);
  }
  return handler.take();
}

}  // namespace msn::wire
