// SPDX-License-Identifier: GPL-2.0-or-later
// MSG payload parsing and building. Parsing is one linear pass over the header block with a
// bound on its size and line count; the body is never scanned except by the helpers that
// decode it.
#include "wire/mime_message.h"

#include <algorithm>
#include <array>
#include <utility>

#include "wire/command.h"

namespace msn::wire {

namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t'; }
// Stray CRs at the edges of a value are line-end debris, not content.
bool is_trimmed(char c) { return is_blank(c) || c == '\r'; }

// RFC 822 field names: visible ASCII except the colon.
bool is_field_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7F || c == ':') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_trimmed(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_trimmed(text.back())) text.remove_suffix(1);
  return text;
}

// One line of `text` from `pos`: the line without its CR/LF, and where the next one starts
// (text.size() when this was the last line, `ended` false when it had no LF).
struct Line {
  std::string_view content;
  std::size_t next = 0;
  bool ended = false;
};

Line line_at(std::string_view text, std::size_t pos) {
  const auto lf = text.find('\n', pos);
  Line line;
  if (lf == std::string_view::npos) {
    line.content = text.substr(pos);
    line.next = text.size();
  } else {
    line.content = text.substr(pos, lf - pos);
    line.next = lf + 1;
    line.ended = true;
  }
  if (!line.content.empty() && line.content.back() == '\r') line.content.remove_suffix(1);
  return line;
}

// Adds one "Name: Value" or continuation line to `fields`. Lines without a colon or with a
// name that is not a field name are dropped: a peer's stray line is not worth failing the
// message for.
Status add_field_line(std::vector<MimeHeader>& fields, std::string_view line, const MimeLimits& limits) {
  if (!line.empty() && is_blank(line.front())) {
    if (!fields.empty()) {
      const std::string_view more = trim(line);
      if (!more.empty()) {
        if (!fields.back().value.empty()) fields.back().value.push_back(' ');
        fields.back().value.append(more);
      }
    }
    return Status::ok();
  }
  const auto colon = line.find(':');
  if (colon == std::string_view::npos) return Status::ok();
  const std::string_view name = trim(line.substr(0, colon));
  if (!is_field_name(name)) return Status::ok();
  if (fields.size() >= limits.max_headers)
    return make_error(Errc::kLimit, "MIME: more than " + std::to_string(limits.max_headers) + " header lines");
  fields.push_back(MimeHeader{std::string(name), std::string(trim(line.substr(colon + 1)))});
  return Status::ok();
}

// A header line must never end early: CR and LF inside a name or value become spaces.
void append_header_text(std::string& out, std::string_view text) {
  for (char c : text) out.push_back(c == '\r' || c == '\n' ? ' ' : c);
}

}  // namespace

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Scans one UTF-8 sequence: {length, valid}. When invalid, length is that of the maximal
// subpart (the longest prefix that could have started a valid sequence), at least 1.
std::pair<std::size_t, bool> scan_utf8(std::string_view text) {
  const auto b0 = static_cast<unsigned char>(text[0]);
  if (b0 < 0x80) return {1, true};
  std::size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // the allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2;
    if (b0 == 0xE0) lo = 0xA0;  // no overlong forms
    if (b0 == 0xED) hi = 0x9F;  // no surrogates
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return {1, false};
  }
  for (std::size_t i = 1; i <= need; ++i) {
    if (i >= text.size()) return {i, false};
    const auto b = static_cast<unsigned char>(text[i]);
    const unsigned char min = i == 1 ? lo : 0x80;
    const unsigned char max = i == 1 ? hi : 0xBF;
    if (b < min || b > max) return {i, false};
  }
  return {need + 1, true};
}

// windows-1252 0x80-0x9F; 0 marks the five undefined bytes, which keep their ISO-8859-1 value.
constexpr std::array<std::uint16_t, 32> kWindows1252High = {
    0x20AC, 0,      0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017D, 0,      0,      0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0,      0x017E, 0x0178,
};

std::string without_nul(std::string text) {
  if (text.find('\0') != std::string::npos) std::erase(text, '\0');
  return text;
}

}  // namespace

std::optional<std::string_view> MimeMessage::header(std::string_view name) const {
  return find_field(headers, name);
}

void MimeMessage::set_header(std::string_view name, std::string_view value) {
  for (auto& h : headers) {
    if (iequals(h.name, name)) {
      h.value = std::string(value);
      return;
    }
  }
  headers.push_back(MimeHeader{std::string(name), std::string(value)});
}

std::string MimeMessage::media_type() const {
  const auto type = header("Content-Type");
  if (!type) return {};
  return to_lower(trim(type->substr(0, type->find(';'))));
}

std::optional<std::string> MimeMessage::content_type_parameter(std::string_view name) const {
  const auto type = header("Content-Type");
  if (!type) return std::nullopt;
  std::string_view rest = *type;
  auto semicolon = rest.find(';');
  while (semicolon != std::string_view::npos) {
    rest.remove_prefix(semicolon + 1);
    semicolon = rest.find(';');
    const std::string_view param = trim(rest.substr(0, semicolon));
    const auto eq = param.find('=');
    if (eq == std::string_view::npos || !iequals(trim(param.substr(0, eq)), name)) continue;
    std::string_view value = trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    return std::string(value);
  }
  return std::nullopt;
}

std::string MimeMessage::serialize() const {
  std::string out;
  out.reserve(header_bytes() + body.size());
  for (const auto& h : headers) {
    append_header_text(out, h.name);
    out.append(": ");
    append_header_text(out, h.value);
    out.append("\r\n");
  }
  out.append("\r\n");
  out.append(body);
  return out;
}

std::size_t MimeMessage::header_bytes() const {
  std::size_t n = 2;  // the empty line
  for (const auto& h : headers) n += h.name.size() + 2 + h.value.size() + 2;
  return n;
}

Result<MimeMessage> parse_mime_message(std::string_view payload, MimeLimits limits) {
  MimeMessage message;
  std::size_t pos = 0;
  while (pos < payload.size()) {
    const Line line = line_at(payload, pos);
    if (line.next > limits.max_header_bytes)
      return make_error(Errc::kLimit, "MIME: header block larger than " + std::to_string(limits.max_header_bytes));
    pos = line.next;
    if (line.content.empty() && line.ended) {
      message.body = std::string(payload.substr(pos));
      return message;
    }
    MSN_TRY(add_field_line(message.headers, line.content, limits));
  }
  return message;
}

Result<std::vector<MimeHeader>> parse_body_fields(std::string_view body, MimeLimits limits) {
  std::vector<MimeHeader> fields;
  std::size_t pos = 0;
  while (pos < body.size()) {
    const Line line = line_at(body, pos);
    pos = line.next;
    MSN_TRY(add_field_line(fields, line.content, limits));
  }
  return fields;
}

std::optional<std::string_view> find_field(const std::vector<MimeHeader>& fields, std::string_view name) {
  for (const auto& f : fields) {
    if (iequals(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

MessageKind classify(const MimeMessage& message) {
  const std::string type = message.media_type();
  if (type == "text/plain") return MessageKind::kText;
  if (type == "text/x-msmsgscontrol")
    return message.header("TypingUser") ? MessageKind::kTyping : MessageKind::kControl;
  if (type == "text/x-msnmsgr-datacast")
    return datacast_id(message) == 1u ? MessageKind::kNudge : MessageKind::kDatacast;
  if (type == "text/x-clientcaps") return MessageKind::kClientCaps;
  if (type == "text/x-mms-emoticon" || type == "text/x-mms-animemoticon") return MessageKind::kEmoticon;
  if (type == "text/x-msmsgsinvite") return MessageKind::kInvitation;
  if (type == "application/x-msnmsgrp2p") return MessageKind::kP2p;
  if (type == "image/gif" || type == "application/x-ms-ink") return MessageKind::kInk;
  return MessageKind::kUnknown;
}

std::optional<std::uint32_t> datacast_id(const MimeMessage& message) {
  auto fields = parse_body_fields(message.body);
  if (!fields) return std::nullopt;
  const auto id = find_field(fields.value(), "ID");
  if (!id) return std::nullopt;
  return parse_u32(*id);
}

std::string text_body(const MimeMessage& message) {
  const std::string charset = to_lower(message.content_type_parameter("charset").value_or(""));
  if (charset == "utf-8" || charset == "utf8") return without_nul(sanitize_utf8(message.body));
  const bool latin = charset == "iso-8859-1" || charset == "iso8859-1" || charset == "latin1" ||
                     charset == "windows-1252" || charset == "cp1252";
  // The reference says a body without charset is ISO-8859-1, but clients that leave it out send
  // UTF-8 just as often; real Latin-1 text almost never happens to be valid UTF-8.
  if (latin || !is_valid_utf8(message.body)) return without_nul(latin1_to_utf8(message.body));
  return without_nul(message.body);
}

MimeMessage make_text_message(std::string_view format_header, std::string_view text) {
  MimeMessage m;
  m.set_header("MIME-Version", "1.0");
  m.set_header("Content-Type", "text/plain; charset=UTF-8");
  if (!format_header.empty()) m.set_header("X-MMS-IM-Format", format_header);
  m.body = std::string(text);
  return m;
}

MimeMessage make_typing_message(std::string_view account) {
  MimeMessage m;
  m.set_header("MIME-Version", "1.0");
  m.set_header("Content-Type", "text/x-msmsgscontrol");
  m.set_header("TypingUser", account);
  m.body = "\r\n";
  return m;
}

MimeMessage make_nudge_message() {
  MimeMessage m;
  m.set_header("MIME-Version", "1.0");
  m.set_header("Content-Type", "text/x-msnmsgr-datacast");
  m.body = "ID: 1\r\n";
  return m;
}

MimeMessage make_invitation_cancel(std::string_view cookie) {
  MimeMessage m;
  m.set_header("MIME-Version", "1.0");
  m.set_header("Content-Type", "text/x-msmsgsinvite; charset=UTF-8");
  std::string safe_cookie;
  for (char c : cookie.substr(0, 64)) {
    if (static_cast<unsigned char>(c) > 0x20 && c != 0x7F) safe_cookie.push_back(c);
  }
  m.body = "Invitation-Command: CANCEL\r\nInvitation-Cookie: " + safe_cookie +
           "\r\nCancel-Code: REJECT_NOT_INSTALLED\r\n";
  return m;
}

std::size_t utf8_sequence_length(std::string_view text) {
  if (text.empty()) return 0;
  const auto [length, valid] = scan_utf8(text);
  return valid ? length : 0;
}

bool is_valid_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {  // ASCII: the common case, one byte at a time
      ++i;
      continue;
    }
    const auto [length, valid] = scan_utf8(text.substr(i));
    if (!valid) return false;
    i += length;
  }
  return true;
}

std::string sanitize_utf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t copied = 0;  // text before this index is in `out`; valid runs are copied whole
  std::size_t i = 0;
  while (i < text.size()) {
    if (static_cast<unsigned char>(text[i]) < 0x80) {
      ++i;
      continue;
    }
    const auto [length, valid] = scan_utf8(text.substr(i));
    if (!valid) {
      out.append(text.substr(copied, i - copied));
      out.append(kReplacement);
      copied = i + length;
    }
    i += length;
  }
  out.append(text.substr(copied));
  return out;
}

std::string bounded_utf8(std::string_view text, std::size_t max_chars) {
  // Every code point takes at most four bytes, so this prefix holds more than `max_chars` of them
  // whenever the text is longer; a sequence cut at its end is then past the limit.
  const std::size_t max_bytes = std::min(text.size(), (max_chars + 1) * 4);
  std::string out = sanitize_utf8(text.substr(0, max_bytes));
  std::size_t chars = 0;
  for (std::size_t i = 0; i < out.size();) {
    if (chars == max_chars) {
      out.resize(i);
      break;
    }
    const std::size_t length = utf8_sequence_length(std::string_view(out).substr(i));
    i += length == 0 ? 1 : length;
    ++chars;
  }
  return out;
}

std::string latin1_to_utf8(std::string_view text, bool windows_1252) {
  std::string out;
  out.reserve(text.size() + text.size() / 4);
  for (char ch : text) {
    const auto b = static_cast<unsigned char>(ch);
    std::uint32_t cp = b;
    if (windows_1252 && b >= 0x80 && b <= 0x9F && kWindows1252High[b - 0x80] != 0) cp = kWindows1252High[b - 0x80];
    append_utf8(out, cp);
  }
  return out;
}

}  // namespace msn::wire
