// SPDX-License-Identifier: GPL-2.0-or-later
#include "soap/offline_messages.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <limits>
#include <tuple>
#include <utility>

#include "auth/challenge.h"
#include "crypto/crypto.h"
#include "soap/xml.h"
#include "wire/command.h"
#include "wire/mime_message.h"

namespace msn::soap {

namespace {

constexpr std::size_t kBase64Line = 76;
constexpr std::size_t kMaxLockKeyChallenge = 256;
constexpr std::size_t kMaxEncodedWord = 4096;
constexpr std::size_t kMaxCharset = 62;
constexpr std::size_t kMaxMimeParts = 64;
constexpr wire::MimeLimits kMailLimits{256, 64 * 1024};

constexpr std::string_view kEnvelopeOpen =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
    "<soap:Envelope xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" "
    "xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\" "
    "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\">\n";
constexpr std::string_view kEnvelopeClose = "</soap:Envelope>";
constexpr std::string_view kOimNs = "http://messenger.msn.com/ws/2004/09/oim/";
constexpr std::string_view kRsiNs = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi";

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (is_digit(c)) return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Base64 as mail software writes it: whitespace and stray characters skipped, decoding stops
// at the first '='. A peer's sloppy encoding costs a character, never the message.
std::string lenient_base64_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() * 3 / 4);
  std::uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    else if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    else if (is_digit(c)) v = c - '0' + 52;
    else if (c == '+' || c == '-') v = 62;
    else if (c == '/' || c == '_') v = 63;
    else if (c == '=') break;
    if (v < 0) continue;
    bits = (bits << 6) | static_cast<std::uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xFF));
    }
  }
  return out;
}

std::string quoted_printable_decode(std::string_view text, bool underscore_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '_' && underscore_is_space) {
      out.push_back(' ');
    } else if (c == '=' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 && hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else if (c == '=' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == '\r')) {
      // A soft line break: "=\n" or "=\r\n" joins two lines.
      ++i;
      if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Bytes in `charset` to UTF-8, with the same rules as switchboard text bodies.
std::string charset_to_utf8(std::string bytes, std::string_view charset) {
  wire::MimeMessage message;
  message.set_header("Content-Type", charset.empty() ? "text/plain" : "text/plain; charset=" + std::string(charset));
  message.body = std::move(bytes);
  return wire::text_body(message);
}

// Where the next "?=" and the next blank of a text are, searched for lazily: queries come with
// rising positions, so the text is scanned once however many "=?" it holds.
class WordBounds {
 public:
  explicit WordBounds(std::string_view text) : text_(text) {}
  // The first "?=" at or after `from`, or npos.
  std::size_t close_at_or_after(std::size_t from) {
    if (close_ != std::string_view::npos && close_ < from) close_ = text_.find("?=", from);
    return close_;
  }
  // The first blank at or after `from`, or npos.
  std::size_t blank_at_or_after(std::size_t from) {
    if (blank_ != std::string_view::npos && blank_ < from) {
      const auto it =
          std::find_if(text_.begin() + static_cast<std::ptrdiff_t>(from), text_.end(), is_space);
      blank_ =
          it == text_.end() ? std::string_view::npos : static_cast<std::size_t>(it - text_.begin());
    }
    return blank_;
  }

 private:
  std::string_view text_;
  std::size_t close_ = 0;  // a "?=" found before, or npos when none is left
  std::size_t blank_ = 0;  // likewise for blanks
};

// One "=?charset?B|Q?payload?=" at text[at]: {decoded UTF-8, bytes used}, or nullopt.
std::optional<std::pair<std::string, std::size_t>> decode_encoded_word(std::string_view text,
                                                                       std::size_t at,
                                                                       WordBounds& bounds) {
  text = text.substr(at);
  if (text.substr(0, 2) != "=?") return std::nullopt;
  const auto q1 = text.substr(0, 2 + kMaxCharset + 1).find('?', 2);
  if (q1 == std::string_view::npos || q1 + 2 >= text.size() || text[q1 + 2] != '?')
    return std::nullopt;
  const char encoding = lower(text[q1 + 1]);
  if (encoding != 'b' && encoding != 'q') return std::nullopt;
  const std::size_t close = bounds.close_at_or_after(at + q1 + 3);
  if (close == std::string_view::npos || close - at - q1 > kMaxEncodedWord) return std::nullopt;
  if (bounds.blank_at_or_after(at + q1 + 3) < close) return std::nullopt;  // no blanks in a word
  const std::size_t end = close - at;
  const std::string_view payload = text.substr(q1 + 3, end - q1 - 3);
  std::string charset = to_lower(text.substr(2, q1 - 2));
  charset = charset.substr(0, charset.find('*'));  // RFC 2231 language suffix
  std::string bytes = encoding == 'b' ? lenient_base64_decode(payload) : quoted_printable_decode(payload, true);
  return std::pair{charset_to_utf8(std::move(bytes), charset), end + 2};
}

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  // Howard Hinnant's algorithm: days since 1970-01-01 in the proleptic Gregorian calendar.
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool valid_date(std::int64_t y, unsigned mon, unsigned d, unsigned h, unsigned min, unsigned s) {
  return y >= 1900 && y <= 9999 && mon >= 1 && mon <= 12 && d >= 1 && d <= 31 && h <= 23 && min <= 59 && s <= 60;
}

// Digits at text[pos..pos+n): the number, or nullopt.
std::optional<unsigned> digits(std::string_view text, std::size_t pos, std::size_t n) {
  if (pos + n > text.size()) return std::nullopt;
  unsigned value = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (!is_digit(text[i])) return std::nullopt;
    value = value * 10 + static_cast<unsigned>(text[i] - '0');
  }
  return value;
}

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size() && words.size() < 16) {
    while (i < text.size() && (is_space(text[i]) || text[i] == ',')) ++i;
    const std::size_t start = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != ',') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

std::optional<int> zone_offset_seconds(std::string_view zone) {
  if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
    const auto hh = digits(zone, 1, 2), mm = digits(zone, 3, 2);
    if (!hh || !mm || *mm > 59) return std::nullopt;
    const int offset = static_cast<int>(*hh * 3600 + *mm * 60);
    return zone[0] == '-' ? -offset : offset;
  }
  const std::string z = to_lower(zone);
  if (z == "gmt" || z == "ut" || z == "utc" || z == "z") return 0;
  return std::nullopt;
}

std::string xml_text(const xmlNode* node) { return std::string(trim(text(node))); }

// The SOAP fault of a document, if any: its code's local name.
std::optional<std::string> fault_code(const xmlNode* root) {
  const xmlNode* fault = path(root, {"Body", "Fault"});
  if (fault == nullptr) fault = child(root, "Fault");
  if (fault == nullptr) return std::nullopt;
  std::string code = xml_text(child(fault, "faultcode"));
  if (code.empty()) code = xml_text(path(fault, {"Code", "Value"}));
  const auto colon = code.rfind(':');
  if (colon != std::string::npos) code.erase(0, colon + 1);
  return code.empty() ? std::string("unknown") : code;
}

Result<XmlDocument> parse_envelope(std::string_view xml) {
  auto doc = XmlDocument::parse(xml);
  if (!doc) return doc.error();
  if (!is_named(doc->root(), "Envelope")) return make_error(Errc::kSoap, "OIM: the answer is not a SOAP envelope");
  return doc;
}

MailData mail_data_from(const xmlNode* md) {
  MailData data;
  for (const xmlNode* m : children(md, "M")) {
    if (data.messages.size() >= kMaxMailDataEntries) break;
    MailDataEntry entry;
    entry.sender = xml_text(child(m, "E"));
    entry.message_id = xml_text(child(m, "I"));
    if (entry.sender.empty() || entry.message_id.empty()) continue;
    entry.friendly_name =
        wire::bounded_utf8(rfc2047_decode(xml_text(child(m, "N"))), wire::kMaxFriendlyNameChars);
    entry.received = xml_text(child(m, "RT"));
    entry.received_time = parse_iso8601(entry.received);
    entry.size = wire::parse_u32(xml_text(child(m, "SZ"))).value_or(0);
    entry.type = wire::parse_u32(xml_text(child(m, "T"))).value_or(0);
    data.messages.push_back(std::move(entry));
  }
  return data;
}

std::string rsi_request(const PassportCookie& cookie, std::string_view body) {
  std::string out(kEnvelopeOpen);
  out += "<soap:Header>\n<PassportCookie xmlns=\"" + std::string(kRsiNs) + "\">\n<t>" + escape(cookie.t) +
         "</t>\n<p>" + escape(cookie.p) + "</p>\n</PassportCookie>\n</soap:Header>\n<soap:Body>\n";
  out += body;
  out += "\n</soap:Body>\n";
  out += kEnvelopeClose;
  return out;
}

// "=?utf-8?B?Qm9i?= <bob@example.com>" -> {address, display name}.
std::pair<std::string, std::string> split_from(std::string_view from) {
  const auto open = from.rfind('<');
  const auto close = from.rfind('>');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open)
    return {std::string(trim(from)), {}};
  std::string_view name = trim(from.substr(0, open));
  if (name.size() >= 2 && name.front() == '"' && name.back() == '"') name = name.substr(1, name.size() - 2);
  return {std::string(trim(from.substr(open + 1, close - open - 1))), rfc2047_decode(name)};
}

// The first text/plain part of a multipart body, as its own MIME message.
std::optional<wire::MimeMessage> first_text_part(std::string_view body, std::string_view boundary) {
  if (boundary.empty()) return std::nullopt;
  const std::string delimiter = "--" + std::string(boundary);
  std::size_t pos = 0;
  std::optional<std::size_t> part_start;
  std::size_t parts = 0;
  while (pos < body.size() && parts < kMaxMimeParts) {
    auto lf = body.find('\n', pos);
    const std::size_t line_end = lf == std::string_view::npos ? body.size() : lf;
    std::string_view line = body.substr(pos, line_end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::size_t next = lf == std::string_view::npos ? body.size() : lf + 1;
    if (line.substr(0, delimiter.size()) == delimiter) {
      if (part_start) {
        ++parts;
        std::size_t end = pos;  // drop the line break that belongs to the delimiter
        if (end > *part_start && body[end - 1] == '\n') --end;
        if (end > *part_start && body[end - 1] == '\r') --end;
        auto part = wire::parse_mime_message(body.substr(*part_start, end - *part_start), kMailLimits);
        if (part) {
          const std::string type = part->media_type();
          if (type.empty() || type == "text/plain") return std::move(part.value());
        }
      }
      if (line.substr(delimiter.size(), 2) == "--") break;
      part_start = next;
    }
    pos = next;
  }
  return std::nullopt;
}

std::string decode_text_part(const wire::MimeMessage& part) {
  const std::string encoding = to_lower(trim(part.header("Content-Transfer-Encoding").value_or("")));
  std::string bytes;
  if (encoding == "base64") {
    bytes = lenient_base64_decode(part.body);
  } else if (encoding == "quoted-printable") {
    bytes = quoted_printable_decode(part.body, false);
  } else {
    bytes = part.body;
  }
  return charset_to_utf8(std::move(bytes), part.content_type_parameter("charset").value_or(""));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Encodings

std::string rfc2047_encode(std::string_view text) { return "=?utf-8?B?" + crypto::base64_encode(text) + "?="; }

std::string rfc2047_decode(std::string_view text) {
  std::string out;
  std::string raw;     // bytes outside encoded words: UTF-8, or windows-1252 if they are not
  std::string blanks;  // held back: dropped between two encoded words, kept otherwise
  bool after_word = false;
  WordBounds bounds(text);
  std::size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '=' && i + 1 < text.size() && text[i + 1] == '?') {
      if (auto word = decode_encoded_word(text, i, bounds)) {
        if (!after_word) raw += blanks;
        blanks.clear();
        out += charset_to_utf8(std::exchange(raw, {}), "");
        out += word->first;
        i += word->second;
        after_word = true;
        continue;
      }
    }
    if (is_space(text[i])) {
      blanks.push_back(text[i++]);
      continue;
    }
    raw += blanks;
    blanks.clear();
    raw.push_back(text[i++]);
    after_word = false;
  }
  raw += blanks;
  out += charset_to_utf8(std::move(raw), "");
  return out;
}

std::string make_run_id(std::string_view random16) {
  std::string bytes(random16.substr(0, 16));
  bytes.resize(16, '\0');
  std::string hex = crypto::hex_encode(bytes);
  for (char& c : hex) c = (c >= 'a' && c <= 'f') ? static_cast<char>(c - 'a' + 'A') : c;
  return "{" + hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
         hex.substr(20, 12) + "}";
}

std::optional<std::int64_t> parse_rfc2822_date(std::string_view text) {
  static constexpr std::array<std::string_view, 12> kMonths = {"jan", "feb", "mar", "apr", "may", "jun",
                                                               "jul", "aug", "sep", "oct", "nov", "dec"};
  std::vector<std::string_view> words = split_words(text.substr(0, 256));
  if (!words.empty() && !words[0].empty() && !is_digit(words[0][0])) words.erase(words.begin());  // weekday
  if (words.size() < 4) return std::nullopt;
  const auto day = wire::parse_u32(words[0]);
  const std::string month_name = to_lower(words[1]);
  const auto month = std::find(kMonths.begin(), kMonths.end(), month_name);
  auto year = wire::parse_u32(words[2]);
  if (!day || month == kMonths.end() || !year || words[2].size() > 4) return std::nullopt;
  if (words[2].size() <= 2) *year += *year < 50 ? 2000 : 1900;
  const std::string_view clock = words[3];
  const auto hh = digits(clock, 0, 2), mm = digits(clock, 3, 2);
  if (!hh || !mm || clock.size() < 5 || clock[2] != ':') return std::nullopt;
  unsigned ss = 0;
  if (clock.size() >= 8 && clock[5] == ':') {
    const auto s = digits(clock, 6, 2);
    if (!s) return std::nullopt;
    ss = *s;
  }
  int offset = 0;
  if (words.size() >= 5) offset = zone_offset_seconds(words[4]).value_or(0);
  const auto mon = static_cast<unsigned>(month - kMonths.begin() + 1);
  if (!valid_date(*year, mon, *day, *hh, *mm, ss)) return std::nullopt;
  return days_from_civil(*year, mon, *day) * 86400 + *hh * 3600 + *mm * 60 + ss - offset;
}

std::optional<std::int64_t> parse_iso8601(std::string_view text) {
  text = trim(text);
  const auto y = digits(text, 0, 4), mon = digits(text, 5, 2), d = digits(text, 8, 2);
  const auto h = digits(text, 11, 2), min = digits(text, 14, 2), s = digits(text, 17, 2);
  if (!y || !mon || !d || !h || !min || !s || text[4] != '-' || text[7] != '-' ||
      (text[10] != 'T' && text[10] != 't' && text[10] != ' ') || text[13] != ':' || text[16] != ':')
    return std::nullopt;
  if (!valid_date(*y, *mon, *d, *h, *min, *s)) return std::nullopt;
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    rest.remove_prefix(1);
    while (!rest.empty() && is_digit(rest.front())) rest.remove_prefix(1);
  }
  int offset = 0;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    const auto oh = digits(rest, 1, 2), om = digits(rest, 4, 2);
    if (!oh || !om) return std::nullopt;
    offset = static_cast<int>(*oh * 3600 + *om * 60) * (rest[0] == '-' ? -1 : 1);
  } else if (!rest.empty() && rest != "Z" && rest != "z") {
    return std::nullopt;
  }
  return days_from_civil(*y, *mon, *d) * 86400 + *h * 3600 + *min * 60 + *s - offset;
}

// ---------------------------------------------------------------------------------------------
// Sending

std::string build_oim_content(std::string_view text, std::string_view run_id, std::uint32_t sequence) {
  std::string id(run_id);
  if (id.empty() || id.front() != '{') id = "{" + id + "}";
  std::string out =
      "MIME-Version: 1.0\n"
      "Content-Type: text/plain; charset=UTF-8\n"
      "Content-Transfer-Encoding: base64\n"
      "X-OIM-Message-Type: OfflineMessage\n"
      "X-OIM-Run-Id: " + id + "\n"
      "X-OIM-Sequence-Num: " + std::to_string(sequence) + "\n\n";
  const std::string encoded = crypto::base64_encode(wire::sanitize_utf8(text));
  std::string_view rest = encoded;
  // As the original plugin: a LF after every full line that has more after it, none at the end.
  while (rest.size() > kBase64Line) {
    out.append(rest.substr(0, kBase64Line));
    out.push_back('\n');
    rest.remove_prefix(kBase64Line);
  }
  out.append(rest);
  return out;
}

std::string build_store_request(const OimStoreRequest& r) {
  const std::string ns(kOimNs);
  std::string out(kEnvelopeOpen);
  out += "<soap:Header>\n";
  out += "<From memberName=\"" + escape(r.from_account) + "\" friendlyName=\"" +
         escape(rfc2047_encode(wire::sanitize_utf8(r.friendly_name))) +
         "\" xml:lang=\"en-US\" proxy=\"MSNMSGR\" xmlns=\"" + ns + "\" msnpVer=\"MSNP15\" buildVer=\"8.5.1288\"/>\n";
  out += "<To memberName=\"" + escape(r.to_account) + "\" xmlns=\"" + ns + "\"/>\n";
  out += "<Ticket passport=\"" + escape(r.ticket) + "\" appid=\"" + escape(auth::kProductId) + "\" lockkey=\"" +
         escape(r.lock_key) + "\" xmlns=\"" + ns + "\"/>\n";
  out += "<Sequence xmlns=\"http://schemas.xmlsoap.org/ws/2003/03/rm\">\n"
         "<Identifier xmlns=\"http://schemas.xmlsoap.org/ws/2002/07/utility\">http://messenger.msn.com</Identifier>\n"
         "<MessageNumber>" + std::to_string(r.sequence) + "</MessageNumber>\n</Sequence>\n";
  out += "</soap:Header>\n<soap:Body>\n";
  out += "<MessageType xmlns=\"" + ns + "\">text</MessageType>\n";
  out += "<Content xmlns=\"" + ns + "\">" + escape(build_oim_content(r.text, r.run_id, r.sequence)) + "</Content>\n";
  out += "</soap:Body>\n";
  out += kEnvelopeClose;
  return out;
}

Result<StoreOutcome> parse_store_response(std::string_view xml) {
  auto doc = parse_envelope(xml);
  if (!doc) return doc.error();
  const xmlNode* root = doc->root();
  const auto code = fault_code(root);
  if (!code) {
    if (child(root, "Body") == nullptr) return make_error(Errc::kSoap, "OIM: Store2 answer without a body");
    return StoreOutcome{};
  }
  const xmlNode* fault = path(root, {"Body", "Fault"});
  if (fault == nullptr) fault = child(root, "Fault");
  const xmlNode* detail = child(fault, "detail");
  if (detail == nullptr) detail = child(fault, "Detail");
  StoreOutcome outcome;
  outcome.fault_code = *code;
  const std::string challenge = xml_text(find_descendant(detail, "LockKeyChallenge"));
  if (!challenge.empty()) {
    if (challenge.size() > kMaxLockKeyChallenge) return make_error(Errc::kSoap, "OIM: unusable LockKeyChallenge");
    outcome.result = StoreResult::kLockKeyChallenge;
    outcome.lock_key_challenge = challenge;
  } else if (find_descendant(detail, "RequiredAuthPolicy") != nullptr || *code == "BadContextToken") {
    outcome.result = StoreResult::kTicketExpired;
  } else if (*code == "AuthenticationFailed") {
    outcome.result = StoreResult::kAuthenticationFailed;
  } else if (*code == "SystemUnavailable") {
    outcome.result = StoreResult::kRecipientUnavailable;
  } else if (*code == "SenderThrottleLimitExceeded") {
    outcome.result = StoreResult::kThrottled;
  } else if (*code == "InvalidContent") {
    outcome.result = StoreResult::kInvalidContent;
  } else {
    outcome.result = StoreResult::kOtherFault;
  }
  return outcome;
}

std::string lock_key_for(std::string_view challenge) { return auth::challenge_response(challenge); }

OimSender::OimSender(std::string from_account, std::string friendly_name, std::string run_id)
    : from_account_(std::move(from_account)), friendly_name_(std::move(friendly_name)), run_id_(std::move(run_id)) {}

std::string OimSender::request(std::string_view to, std::string_view text, std::string_view ticket) const {
  OimStoreRequest r;
  r.from_account = from_account_;
  r.friendly_name = friendly_name_;
  r.to_account = std::string(to);
  r.ticket = std::string(ticket);
  r.lock_key = lock_key_;
  r.run_id = run_id_;
  r.sequence = sequence_;
  r.text = std::string(text);
  return build_store_request(r);
}

OimSender::Next OimSender::on_answer(const Result<StoreOutcome>& outcome, int attempt) {
  if (!outcome) return Next::kFailed;
  const bool may_retry = attempt < kMaxAttempts;
  switch (outcome->result) {
    case StoreResult::kStored:
      ++sequence_;
      return Next::kStored;
    case StoreResult::kLockKeyChallenge:
      lock_key_ = lock_key_for(outcome->lock_key_challenge);
      return may_retry ? Next::kResend : Next::kFailed;
    case StoreResult::kAuthenticationFailed:
      // A stale lock key: drop it and try once more; without one the ticket is at fault.
      if (!lock_key_.empty()) {
        lock_key_.clear();
        return may_retry ? Next::kResend : Next::kFailed;
      }
      return may_retry ? Next::kRenewTicket : Next::kFailed;
    case StoreResult::kTicketExpired:
      return may_retry ? Next::kRenewTicket : Next::kFailed;
    default:
      return Next::kFailed;
  }
}

// ---------------------------------------------------------------------------------------------
// Receiving

Result<MailData> parse_mail_data(std::string_view text) {
  text = trim(text);
  if (text == "too-large") return MailData{true, {}};
  auto doc = XmlDocument::parse(text);
  if (!doc) return doc.error();
  if (!is_named(doc->root(), "MD")) return make_error(Errc::kSoap, "Mail-Data without <MD>");
  return mail_data_from(doc->root());
}

Result<MailData> parse_mail_data_notification(std::string_view payload) {
  auto message = wire::parse_mime_message(payload);
  if (!message) return message.error();
  auto fields = wire::parse_body_fields(message->body);
  if (!fields) return fields.error();
  const auto mail_data = wire::find_field(fields.value(), "Mail-Data");
  if (!mail_data) return make_error(Errc::kProtocol, "notification without Mail-Data");
  return parse_mail_data(*mail_data);
}

PassportCookie passport_cookie(std::string_view ticket) {
  PassportCookie cookie;
  if (ticket.substr(0, 2) == "t=") ticket.remove_prefix(2);
  const auto p = ticket.find("&p=");
  cookie.t = std::string(ticket.substr(0, p));
  if (p != std::string_view::npos) cookie.p = std::string(ticket.substr(p + 3));
  return cookie;
}

std::string build_get_metadata_request(const PassportCookie& cookie, bool with_child) {
  const std::string open = "<GetMetadata xmlns=\"" + std::string(kRsiNs) + "\"";
  return rsi_request(cookie, with_child ? open + "><MD /></GetMetadata>" : open + " />");
}

namespace {

// Mail-Data as elements: <MD><E>...</E><Q>...</Q><M>...</M>...</MD>.
bool has_mail_data_elements(const xmlNode* md) {
  return child(md, "M") != nullptr || child(md, "E") != nullptr || child(md, "Q") != nullptr;
}

// Mail-Data sent as text: the whole "<MD>...</MD>", or only what goes inside it.
Result<MailData> mail_data_from_text(std::string_view text) {
  text = trim(text);
  auto parsed = text.starts_with("<MD") ? parse_mail_data(text)
                                        : parse_mail_data("<MD>" + std::string(text) + "</MD>");
  if (!parsed)
    return make_error(Errc::kSoap,
                      "OIM: GetMetadata mail data unreadable: " + parsed.error().detail);
  if (parsed->too_large) return make_error(Errc::kSoap, "OIM: GetMetadata answered too-large");
  return parsed;
}

}  // namespace

Result<MailData> parse_get_metadata_response(std::string_view xml) {
  auto doc = parse_envelope(xml);
  if (!doc) return doc.error();
  if (const auto code = fault_code(doc->root())) return make_error(Errc::kSoap, "OIM: GetMetadata fault " + *code);
  const xmlNode* response = path(doc->root(), {"Body", "GetMetadataResponse"});
  if (response == nullptr)
    return make_error(Errc::kSoap, "OIM: GetMetadata answer without a response");
  const xmlNode* md = child(response, "MD");
  if (md != nullptr && has_mail_data_elements(md)) return mail_data_from(md);
  const std::string escaped = text(md != nullptr ? md : response);
  if (trim(escaped).empty()) {
    if (md != nullptr) return MailData{};  // <MD /> : nothing waiting
    return make_error(Errc::kSoap, "OIM: GetMetadata answer without <MD>");
  }
  return mail_data_from_text(escaped);
}

std::string build_get_message_request(const PassportCookie& cookie, std::string_view message_id, bool mark_as_read) {
  return rsi_request(cookie, "<GetMessage xmlns=\"" + std::string(kRsiNs) + "\"><messageId>" + escape(message_id) +
                                 "</messageId><alsoMarkAsRead>" + (mark_as_read ? "true" : "false") +
                                 "</alsoMarkAsRead></GetMessage>");
}

Result<OfflineMessage> parse_get_message_response(std::string_view xml) {
  auto doc = parse_envelope(xml);
  if (!doc) return doc.error();
  if (const auto code = fault_code(doc->root())) return make_error(Errc::kSoap, "OIM: GetMessage fault " + *code);
  const xmlNode* result = path(doc->root(), {"Body", "GetMessageResponse", "GetMessageResult"});
  if (result == nullptr) return make_error(Errc::kSoap, "OIM: GetMessage answer without a result");
  return parse_oim_mail(text(result));
}

Result<OfflineMessage> parse_oim_mail(std::string_view mail) {
  if (mail.size() > kMaxOimMailBytes) return make_error(Errc::kLimit, "OIM: mail larger than the limit");
  auto parsed = wire::parse_mime_message(mail, kMailLimits);
  if (!parsed) return parsed.error();
  const wire::MimeMessage& head = parsed.value();
  OfflineMessage message;
  std::tie(message.sender, message.friendly_name) = split_from(head.header("From").value_or(""));
  message.sender = wire::sanitize_utf8(message.sender);
  message.friendly_name = wire::bounded_utf8(message.friendly_name, wire::kMaxFriendlyNameChars);
  if (message.sender.empty()) return make_error(Errc::kProtocol, "OIM: mail without a sender");
  message.date = wire::sanitize_utf8(head.header("Date").value_or(""));
  message.time = parse_rfc2822_date(message.date);
  message.sequence = wire::parse_u32(trim(head.header("X-OIM-Sequence-Num").value_or("")));
  message.run_id = wire::sanitize_utf8(head.header("X-OIM-Run-Id").value_or(""));
  message.from_phone = to_lower(head.header("X-OIM-originatingSource").value_or("")).rfind("tel:+", 0) == 0;
  if (head.media_type().rfind("multipart/", 0) == 0) {
    const auto part = first_text_part(head.body, head.content_type_parameter("boundary").value_or(""));
    if (part) message.text = decode_text_part(*part);
  } else {
    message.text = decode_text_part(head);
  }
  return message;
}

std::string build_delete_messages_request(const PassportCookie& cookie, const std::vector<std::string>& message_ids) {
  std::string body = "<DeleteMessages xmlns=\"" + std::string(kRsiNs) + "\"><messageIds>";
  for (const auto& id : message_ids) body += "<messageId>" + escape(id) + "</messageId>";
  body += "</messageIds></DeleteMessages>";
  return rsi_request(cookie, body);
}

void sort_offline_messages(std::vector<OfflineMessage>& messages) {
  static constexpr auto kNoTime = std::numeric_limits<std::int64_t>::max();
  std::stable_sort(messages.begin(), messages.end(), [](const OfflineMessage& a, const OfflineMessage& b) {
    const auto ka = std::pair{a.time.value_or(kNoTime), a.sequence.value_or(0)};
    const auto kb = std::pair{b.time.value_or(kNoTime), b.sequence.value_or(0)};
    return ka < kb;
  });
}

}  // namespace msn::soap
