// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "MSNObject".
#include "p2p/msn_object.h"

#include <array>
#include <optional>

#include "core/ascii.h"
#include "crypto/crypto.h"
#include "soap/xml.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn::p2p {
namespace {

constexpr std::string_view kOpen = "<msnobj";
constexpr std::string_view kClose = "/>";
constexpr std::size_t kSha1Bytes = 20;

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "msnobj: " + detail); }

constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

constexpr bool is_name_char(char c) {
  return ascii::is_alnum(c) || c == '_' || c == '-' || c == ':' || c == '.';
}

std::optional<std::uint64_t> parse_decimal(std::string_view text) {
  if (text.empty() || text.size() > 20) return std::nullopt;
  std::uint64_t value = 0;
  for (const char c : text) {
    if (!ascii::is_digit(c)) return std::nullopt;
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

bool is_sha1_base64(std::string_view text) {
  auto bytes = crypto::base64_decode(text);
  return bytes && bytes->size() == kSha1Bytes;
}

// The attributes we read, each at most once.
enum Slot { kCreator, kSize, kType, kLocation, kFriendly, kSha1d, kSha1c, kUrl1, kSlots };
constexpr std::array<std::string_view, kSlots> kNames = {"Creator",  "Size",  "Type",  "Location",
                                                         "Friendly", "SHA1D", "SHA1C", "Url1"};

struct Attributes {
  std::array<std::optional<std::string>, kSlots> values;
};

Status store(Attributes& attributes, std::string_view name, std::string_view value) {
  for (std::size_t slot = 0; slot < kSlots; ++slot) {
    if (name != kNames[slot]) continue;
    if (attributes.values[slot]) return malformed("attribute repeated");
    attributes.values[slot] = std::string(value);
  }
  return Status::ok();
}

Status check_value(std::string_view value) {
  for (const char c : value) {
    // A '"' could only come inside single quotes, and would end the value when we write it.
    if (ascii::is_control(c) || c == '<' || c == '"')
      return malformed("control character, '<' or '\"' in a value");
  }
  if (!wire::is_valid_utf8(value)) return malformed("value is not UTF-8");
  return Status::ok();
}

// Reads `name="value"` pairs from the text between "<msnobj" and "/>".
Result<Attributes> read_attributes(std::string_view rest, const MsnObjectLimits& limits) {
  Attributes attributes;
  std::size_t count = 0;
  while (true) {
    const std::size_t before = rest.size();
    rest = trim(rest);
    if (rest.empty()) return attributes;
    if (rest.size() == before) return malformed("attributes not separated by blanks");
    if (++count > limits.max_attributes)
      return make_error(Errc::kLimit, "msnobj: too many attributes");
    std::size_t name_end = 0;
    while (name_end < rest.size() && is_name_char(rest[name_end])) ++name_end;
    const std::string_view name = rest.substr(0, name_end);
    if (name.empty() || name_end + 1 >= rest.size() || rest[name_end] != '=')
      return malformed("attribute without a name or '='");
    const char quote = rest[name_end + 1];
    if (quote != '"' && quote != '\'') return malformed("unquoted attribute value");
    const std::size_t value_start = name_end + 2;
    const std::size_t value_end = rest.find(quote, value_start);
    if (value_end == std::string_view::npos) return malformed("unterminated attribute value");
    const std::string_view value = rest.substr(value_start, value_end - value_start);
    MSN_TRY(check_value(value));
    MSN_TRY(store(attributes, name, value));
    rest.remove_prefix(value_end + 1);
  }
}

Result<MsnObject> to_object(Attributes& a) {
  for (const Slot required : {kCreator, kSize, kType, kLocation, kFriendly, kSha1d}) {
    if (!a.values[required]) return malformed(std::string(kNames[required]) + " missing");
  }
  const auto size = parse_decimal(*a.values[kSize]);
  const auto type = parse_decimal(*a.values[kType]);
  if (!size || !type || *type > UINT32_MAX) return malformed("Size or Type is not a number");
  if (!is_sha1_base64(*a.values[kSha1d])) return malformed("SHA1D is not a SHA-1 in base64");
  if (a.values[kSha1c] && !a.values[kSha1c]->empty() && !is_sha1_base64(*a.values[kSha1c]))
    return malformed("SHA1C is not a SHA-1 in base64");
  MsnObject object;
  object.creator = std::move(*a.values[kCreator]);
  object.size = *size;
  object.type = static_cast<std::uint32_t>(*type);
  object.location = std::move(*a.values[kLocation]);
  object.friendly = std::move(*a.values[kFriendly]);
  object.sha1d = std::move(*a.values[kSha1d]);
  object.sha1c = a.values[kSha1c].value_or("");
  object.url1 = a.values[kUrl1].value_or("");
  return object;
}

void append_attribute(std::string& out, std::string_view name, std::string_view value) {
  out += ' ';
  out += name;
  out += "=\"";
  out += value;
  out += '"';
}

}  // namespace

Result<MsnObject> parse_msn_object(std::string_view text, MsnObjectLimits limits) {
  if (text.size() > limits.max_bytes)
    return make_error(Errc::kLimit, "msnobj: longer than the limit");
  text = trim(text);
  if (!text.starts_with(kOpen) || !text.ends_with(kClose) ||
      text.size() < kOpen.size() + kClose.size())
    return malformed("not an <msnobj .../> element");
  const std::string_view inside =
      text.substr(kOpen.size(), text.size() - kOpen.size() - kClose.size());
  if (inside.empty() || !is_blank(inside.front())) return malformed("not an <msnobj .../> element");
  auto attributes = read_attributes(inside, limits);
  if (!attributes) return attributes.error();
  return to_object(*attributes);
}

Result<MsnObject> parse_url_encoded_msn_object(std::string_view text, MsnObjectLimits limits) {
  // Percent-encoding at most triples the length: refuse what cannot fit before decoding.
  if (text.size() > limits.max_bytes * 3)
    return make_error(Errc::kLimit, "msnobj: longer than the limit");
  return parse_msn_object(wire::url_decode(text), limits);
}

std::string serialize(const MsnObject& object) {
  std::string out(kOpen);
  append_attribute(out, "Creator", object.creator);
  append_attribute(out, "Size", std::to_string(object.size));
  append_attribute(out, "Type", std::to_string(object.type));
  append_attribute(out, "Location", object.location);
  append_attribute(out, "Friendly", object.friendly);
  append_attribute(out, "SHA1D", object.sha1d);
  if (!object.sha1c.empty()) append_attribute(out, "SHA1C", object.sha1c);
  out += kClose;
  return out;
}

std::string compute_sha1d(std::string_view data) {
  return crypto::base64_encode(crypto::sha1(data));
}

std::string compute_sha1c(const MsnObject& object) {
  const std::string input = "Creator" + object.creator + "Size" + std::to_string(object.size) +
                            "Type" + std::to_string(object.type) + "Location" + object.location +
                            "Friendly" + object.friendly + "SHA1D" + object.sha1d;
  return crypto::base64_encode(crypto::sha1(input));
}

MsnObject make_msn_object(std::string_view creator, std::uint32_t type, std::string_view location,
                          std::string_view friendly, std::string_view data) {
  MsnObject object;
  object.creator = soap::escape(creator);
  object.size = data.size();
  object.type = type;
  object.location = soap::escape(location);
  object.friendly = soap::escape(friendly);
  object.sha1d = compute_sha1d(data);
  object.sha1c = compute_sha1c(object);
  return object;
}

std::size_t max_object_bytes(std::uint32_t type) {
  switch (type) {
    case object_type::kEmoticon:
      return 128 * 1024;
    case object_type::kDisplayPicture:
      return 256 * 1024;
    case object_type::kWink:
      return 2 * 1024 * 1024;  // as media::CabLimits
    case object_type::kVoiceClip:
      return 1024 * 1024;
    default:
      return 0;
  }
}

std::uint32_t request_app_id(std::uint32_t type) { return type == object_type::kEmoticon ? 11 : 1; }

bool matches_data(const MsnObject& object, std::string_view data) {
  return object.size == data.size() && object.sha1d == compute_sha1d(data);
}

const std::string& cache_key(const MsnObject& object) {
  return object.sha1c.empty() ? object.sha1d : object.sha1c;
}

std::string encode_context(std::string_view msnobj_string, bool with_nul) {
  std::string text(msnobj_string);
  if (with_nul) text.push_back('\0');
  return crypto::base64_encode(text);
}

Result<std::string> decode_context(std::string_view context, MsnObjectLimits limits) {
  // base64 grows by 4/3: refuse what cannot decode within the bound before decoding it.
  if (context.size() > (limits.max_bytes + 1) / 3 * 4 + 4)
    return make_error(Errc::kLimit, "msnobj: context longer than the limit");
  auto decoded = crypto::base64_decode(context);
  if (!decoded) return decoded.error();
  if (!decoded->empty() && decoded->back() == '\0') decoded->pop_back();
  if (decoded->size() > limits.max_bytes)
    return make_error(Errc::kLimit, "msnobj: context longer than the limit");
  return std::move(*decoded);
}

}  // namespace msn::p2p
