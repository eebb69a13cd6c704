// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "MSNSLP".
#include "p2p/slp.h"

#include <utility>

#include "core/ascii.h"
#include "wire/command.h"
#include "wire/mime_message.h"

namespace msn::p2p::slp {
namespace {

constexpr std::string_view kCrlf = "\r\n";
constexpr std::string_view kVersion = "MSNSLP/1.0";
constexpr std::string_view kUriScheme = "MSNMSGR:";
constexpr std::string_view kAddressScheme = "msnmsgr:";
constexpr std::string_view kViaPrefix = "MSNSLP/1.0/TLP ;branch=";

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "slp: " + detail); }

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool has_control(std::string_view text) {
  for (const char c : text) {
    if (ascii::is_control(c) && c != '\t') return true;
  }
  return false;
}

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && ascii::iequals(text.substr(0, prefix.size()), prefix);
}

// Splits off the text up to the next CRLF (or all of it).
std::string_view next_line(std::string_view& text) {
  const std::size_t end = text.find(kCrlf);
  const std::string_view line = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + kCrlf.size());
  return line;
}

// "Name: value" with blanks around the value removed.
Result<Field> split_field(std::string_view line) {
  const std::size_t colon = line.find(':');
  const std::string_view name = trim(line.substr(0, colon));
  if (colon == std::string_view::npos || name.empty())
    return malformed("line without a name and a colon");
  return Field{std::string(name), std::string(trim(line.substr(colon + 1)))};
}

Status parse_start_line(std::string_view line, Message& m) {
  if (line.starts_with(kVersion) && line.size() > kVersion.size() && line[kVersion.size()] == ' ') {
    std::string_view rest = line.substr(kVersion.size() + 1);
    const std::string_view code = rest.substr(0, rest.find(' '));
    const auto number = wire::parse_u32(code);
    if (code.size() != 3 || !number || *number < 100) return malformed("bad status code");
    m.status_code = static_cast<int>(*number);
    m.reason = std::string(trim(rest.substr(code.size())));
    return Status::ok();
  }
  const std::size_t first = line.find(' ');
  const std::size_t second = first == std::string_view::npos ? first : line.find(' ', first + 1);
  if (second == std::string_view::npos || line.substr(second + 1) != kVersion)
    return malformed("bad start line");
  const std::string_view method = line.substr(0, first);
  const std::string_view uri = line.substr(first + 1, second - first - 1);
  for (const char c : method) {
    if (!ascii::is_upper(c)) return malformed("bad method");
  }
  if (method.empty() || !starts_with_nocase(uri, kUriScheme) || uri.size() == kUriScheme.size())
    return malformed("bad request URI");
  m.method = std::string(method);
  m.uri_address = std::string(uri.substr(kUriScheme.size()));
  return Status::ok();
}

// "<msnmsgr:alice@example.com>" -> "alice@example.com".
Result<std::string> parse_address(std::string_view value) {
  if (value.size() < 2 || value.front() != '<' || value.back() != '>')
    return malformed("address not in angle brackets");
  value = value.substr(1, value.size() - 2);
  if (!starts_with_nocase(value, kAddressScheme) || value.size() == kAddressScheme.size())
    return malformed("address without msnmsgr:");
  return std::string(value.substr(kAddressScheme.size()));
}

Result<std::string> parse_branch(std::string_view via) {
  std::size_t at = std::string_view::npos;
  for (std::size_t i = 0; i + 7 <= via.size(); ++i) {
    if (ascii::iequals(via.substr(i, 7), "branch=")) {
      at = i + 7;
      break;
    }
  }
  if (at == std::string_view::npos) return malformed("Via without a branch");
  const std::string_view branch = trim(via.substr(at, via.find(';', at) - at));
  if (branch.empty()) return malformed("empty branch");
  return std::string(branch);
}

struct Headers {
  std::optional<std::string_view> to, from, via, cseq, call_id, max_forwards, type, length;
};

void remember(Headers& h, const Field& field, std::string_view value) {
  const std::pair<std::string_view, std::optional<std::string_view>*> known[] = {
      {"To", &h.to},
      {"From", &h.from},
      {"Via", &h.via},
      {"CSeq", &h.cseq},
      {"Call-ID", &h.call_id},
      {"Max-Forwards", &h.max_forwards},
      {"Content-Type", &h.type},
      {"Content-Length", &h.length}};
  for (const auto& [name, slot] : known) {
    if (ascii::iequals(field.name, name) && !*slot) *slot = value;
  }
}

Status apply_headers(const Headers& h, Message& m) {
  if (!h.to || !h.from || !h.via || !h.cseq || !h.call_id)
    return malformed("To, From, Via, CSeq or Call-ID missing");
  auto to = parse_address(*h.to);
  auto from = parse_address(*h.from);
  auto branch = parse_branch(*h.via);
  if (!to || !from || !branch) return malformed("bad To, From or Via");
  const auto cseq = wire::parse_u32(*h.cseq);
  const auto forwards =
      h.max_forwards ? wire::parse_u32(*h.max_forwards) : std::optional<std::uint32_t>(0);
  if (!cseq || !forwards || h.call_id->empty())
    return malformed("bad CSeq, Max-Forwards or Call-ID");
  m.to = std::move(*to);
  m.from = std::move(*from);
  m.branch = std::move(*branch);
  m.cseq = *cseq;
  m.call_id = std::string(*h.call_id);
  m.max_forwards = *forwards;
  m.content_type = std::string(h.type.value_or(""));
  return Status::ok();
}

// The header block (without its final empty line): start line and headers.
Result<Headers> parse_header_block(std::string_view block, const Limits& limits, Message& m,
                                   std::vector<Field>& storage) {
  if (!wire::is_valid_utf8(block)) return malformed("header block is not UTF-8");
  std::string_view rest = block;
  const std::string_view start = next_line(rest);
  if (start.size() > limits.max_header_line) return make_error(Errc::kLimit, "slp: line too long");
  if (has_control(start)) return malformed("control character in the start line");
  MSN_TRY(parse_start_line(start, m));
  while (!rest.empty()) {
    const std::string_view line = next_line(rest);
    if (line.size() > limits.max_header_line) return make_error(Errc::kLimit, "slp: line too long");
    if (storage.size() >= limits.max_headers)
      return make_error(Errc::kLimit, "slp: too many headers");
    if (has_control(line)) return malformed("control character in a header");
    auto field = split_field(line);
    if (!field) return field.error();
    storage.push_back(std::move(*field));
  }
  Headers headers;
  for (const Field& field : storage) remember(headers, field, field.value);
  return headers;
}

Result<std::vector<Field>> parse_body_fields(std::string_view body, const Limits& limits) {
  std::vector<Field> fields;
  while (!body.empty()) {
    const std::string_view line = next_line(body);
    if (line.empty()) break;  // the body's own empty line; anything after it is not fields
    if (fields.size() >= limits.max_body_fields)
      return make_error(Errc::kLimit, "slp: too many body fields");
    if (has_control(line)) return malformed("control character in the body");
    auto field = split_field(line);
    if (!field) return field.error();
    fields.push_back(std::move(*field));
  }
  return fields;
}

Result<std::string_view> body_region(std::string_view rest, const Headers& headers) {
  std::string_view body = rest;
  if (headers.length) {
    const auto length = wire::parse_u32(*headers.length);
    if (!length || *length > rest.size()) return malformed("Content-Length past the data");
    body = rest.substr(0, *length);
  }
  if (!body.empty() && body.back() == '\0') body.remove_suffix(1);
  if (body.find('\0') != std::string_view::npos || !wire::is_valid_utf8(body))
    return malformed("NUL or invalid UTF-8 in the body");
  return body;
}

}  // namespace

std::optional<std::string_view> Message::field(std::string_view name) const {
  for (const Field& f : body) {
    if (ascii::iequals(f.name, name)) return std::string_view(f.value);
  }
  return std::nullopt;
}

Result<Message> parse(std::string_view data, Limits limits) {
  if (data.size() > limits.max_bytes)
    return make_error(Errc::kLimit, "slp: message larger than the limit");
  const std::size_t end = data.find("\r\n\r\n");
  if (end == std::string_view::npos) return malformed("no empty line after the headers");
  Message m;
  std::vector<Field> storage;
  auto headers = parse_header_block(data.substr(0, end), limits, m, storage);
  if (!headers) return headers.error();
  MSN_TRY(apply_headers(*headers, m));
  auto body = body_region(data.substr(end + 4), *headers);
  if (!body) return body.error();
  auto fields = parse_body_fields(*body, limits);
  if (!fields) return fields.error();
  m.body = std::move(*fields);
  return m;
}

std::string serialize(const Message& m) {
  std::string body;
  for (const Field& f : m.body) {
    body += f.name;
    body += ": ";
    body += f.value;
    body += kCrlf;
  }
  body += kCrlf;
  body.push_back('\0');
  std::string out;
  if (m.is_request())
    out = m.method + " " + std::string(kUriScheme) + m.uri_address + " " + std::string(kVersion);
  else
    out = std::string(kVersion) + " " + std::to_string(m.status_code) + " " + m.reason;
  out += kCrlf;
  out += "To: <msnmsgr:" + m.to + ">\r\n";
  out += "From: <msnmsgr:" + m.from + ">\r\n";
  out += "Via: " + std::string(kViaPrefix) + m.branch + "\r\n";
  out += "CSeq: " + std::to_string(m.cseq) + "\r\n";
  out += "Call-ID: " + m.call_id + "\r\n";
  out += "Max-Forwards: " + std::to_string(m.max_forwards) + "\r\n";
  out += "Content-Type: " + m.content_type + "\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  out += body;
  return out;
}

Message make_invite(std::string_view to, std::string_view from, std::string_view branch,
                    std::string_view call_id, std::string_view type, std::vector<Field> body) {
  Message m;
  m.method = "INVITE";
  m.uri_address = std::string(to);
  m.to = std::string(to);
  m.from = std::string(from);
  m.branch = std::string(branch);
  m.cseq = 0;
  m.call_id = std::string(call_id);
  m.content_type = std::string(type);
  m.body = std::move(body);
  return m;
}

Message make_response(const Message& request, int status_code, std::string_view reason,
                      std::string_view type, std::vector<Field> body) {
  Message m;
  m.status_code = status_code;
  m.reason = std::string(reason);
  m.to = request.from;
  m.from = request.to;
  m.branch = request.branch;
  m.cseq = request.cseq + 1;
  m.call_id = request.call_id;
  m.content_type = std::string(type);
  m.body = std::move(body);
  return m;
}

Message make_bye(std::string_view to, std::string_view from, std::string_view branch,
                 std::string_view call_id, std::optional<std::uint32_t> session_id) {
  std::vector<Field> body;
  if (session_id) body.push_back({"SessionID", std::to_string(*session_id)});
  Message m = make_invite(to, from, branch, call_id, content_type::kSessionClose, std::move(body));
  m.method = "BYE";
  return m;
}

std::string guid_from_bytes(std::string_view sixteen) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string out = "{";
  for (std::size_t i = 0; i < 16; ++i) {
    const auto byte = i < sixteen.size() ? static_cast<unsigned char>(sixteen[i]) : 0;
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[byte >> 4]);
    out.push_back(kHex[byte & 0x0F]);
  }
  out.push_back('}');
  return out;
}

Result<SessionRequest> parse_session_request(const Message& message) {
  const auto guid = message.field("EUF-GUID");
  const auto session = message.field("SessionID");
  const auto app = message.field("AppID");
  if (!guid || guid->empty() || !session || !app)
    return malformed("session request without EUF-GUID, SessionID or AppID");
  const auto session_id = wire::parse_u32(*session);
  const auto app_id = wire::parse_u32(*app);
  if (!session_id || !app_id) return malformed("SessionID or AppID is not a number");
  SessionRequest request;
  request.euf_guid = std::string(*guid);
  request.session_id = *session_id;
  request.app_id = *app_id;
  request.context = std::string(message.field("Context").value_or(""));
  return request;
}

std::vector<Field> session_request_body(const SessionRequest& request) {
  return {{"EUF-GUID", request.euf_guid},
          {"SessionID", std::to_string(request.session_id)},
          {"AppID", std::to_string(request.app_id)},
          {"Context", request.context}};
}

std::optional<std::uint32_t> session_id_field(const Message& message) {
  const auto value = message.field("SessionID");
  return value ? wire::parse_u32(*value) : std::nullopt;
}

}  // namespace msn::p2p::slp
