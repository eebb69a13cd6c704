// SPDX-License-Identifier: GPL-2.0-or-later
// Response framing decisions (RFC 9112, client side, one response per connection):
//  * Lines end with LF; one CR before it is dropped (RFC 9112 §2.2 allows accepting a bare LF).
//    Any other CR or control byte (HTAB excepted in values) is kProtocol.
//  * The head (status line, headers, every CRLF) is bounded by max_header_bytes as bytes
//    arrive; so is each chunk-size line and the trailer section.
//  * Obsolete line folding (a header line starting with SP or HTAB) is kProtocol.
//  * Content-Length may repeat (or be a list) only with identical values; it is checked against
//    max_body_bytes when the head ends, and never used to reserve memory.
//  * Transfer-Encoding must be exactly "chunked": we never ask for other codings, so anything
//    else (or Transfer-Encoding together with Content-Length, a smuggling sign) is kProtocol.
//  * 1xx responses are skipped (101 is kProtocol: we never ask to switch protocols);
//    204 and 304 end at their head; otherwise, without a length, the body runs until close.
//  * finish() before the response is complete is kTransport: the connection was lost.
#include "http/http_message.h"

#include <algorithm>
#include <limits>

#include "core/ascii.h"

namespace msn::http {

namespace {

bool is_ows(char c) { return c == ' ' || c == '\t'; }

std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && is_ows(text.front()))
    text.remove_prefix(1);
  while (!text.empty() && is_ows(text.back()))
    text.remove_suffix(1);
  return text;
}

// RFC 9110 tchar.
bool is_token_char(char c) {
  if (ascii::is_alnum(c))
    return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) {
  if (text.empty())
    return false;
  for (char c : text) {
    if (!is_token_char(c))
      return false;
  }
  return true;
}

// Field values and reason phrases: visible bytes, SP, HTAB and obs-text (0x80 and up).
bool is_field_text(std::string_view text) {
  for (char c : text) {
    if (ascii::is_control(c) && c != '\t')
      return false;
  }
  return true;
}

Error protocol(std::string detail) { return make_error(Errc::kProtocol, std::move(detail)); }
Error limit(std::string detail) { return make_error(Errc::kLimit, std::move(detail)); }

// Replaces bytes that would end a header line early (header injection) with spaces.
std::string header_safe(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (ascii::is_control(c) && c != '\t')
      c = ' ';
  }
  return out;
}

// Percent-encodes space and control bytes, which would break the request line.
std::string request_target(std::string_view path) {
  std::string out;
  if (path.empty() || path[0] != '/')
    out.push_back('/');
  for (char c : path) {
    if (c == ' ' || ascii::is_control(c))
      ascii::append_percent_encoded(out, c);
    else
      out.push_back(c);
  }
  return out;
}

std::string host_header(const Url& url) {
  std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  const std::uint16_t default_port = url.tls ? 443 : 80;
  if (url.port != default_port)
    host.append(":").append(std::to_string(url.port));
  return header_safe(host);
}

bool is_managed_header(std::string_view name) {
  return ascii::iequals(name, "Host") || ascii::iequals(name, "Content-Length") ||
         ascii::iequals(name, "Connection") || ascii::iequals(name, "Transfer-Encoding");
}

// A decimal length, bounded by `max` while digits are read so nothing can overflow.
Result<std::size_t> parse_length(std::string_view text, std::size_t max) {
  if (text.empty())
    return protocol("empty Content-Length");
  std::size_t value = 0;
  for (char c : text) {
    if (!ascii::is_digit(c))
      return protocol("malformed Content-Length");
    const auto digit = static_cast<std::size_t>(c - '0');
    // value <= max / 10 keeps value * 10 <= max, so neither side can wrap.
    if (value > max / 10 || digit > max - value * 10)
      return limit("Content-Length over the limit");
    value = value * 10 + digit;
  }
  return value;
}

// "1a2b[ ;ext[=val]]..." -> the size, bounded by `max` while digits are read.
Result<std::size_t> parse_chunk_size(std::string_view line, std::size_t max) {
  std::size_t i = 0;
  std::size_t value = 0;
  for (; i < line.size() && ascii::is_hex(line[i]); ++i) {
    const auto digit = static_cast<std::size_t>(ascii::hex_value(line[i]));
    if (value > max / 16 || digit > max - value * 16)
      return limit("chunk size over the limit");
    value = value * 16 + digit;
  }
  if (i == 0)
    return protocol("malformed chunk size");
  const std::string_view rest = trim_ows(line.substr(i));
  // Extensions carry nothing we use; they only have to be well-formed text after a ';'.
  if (!rest.empty() && (rest[0] != ';' || !is_field_text(rest)))
    return protocol("malformed chunk size");
  return value;
}

struct Field {
  std::string_view name;
  std::string_view value;
};

Result<Field> parse_field_line(std::string_view line) {
  if (is_ows(line[0]))
    return protocol("obsolete header line folding");
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos)
    return protocol("header line without a colon");
  const std::string_view name = line.substr(0, colon);
  if (!is_token(name))
    return protocol("malformed header name");
  const std::string_view value = trim_ows(line.substr(colon + 1));
  if (!is_field_text(value))
    return protocol("control byte in a header value");
  return Field{name, value};
}

}  // namespace

std::string serialize(const Request& request) {
  std::string out = header_safe(request.method);
  out.push_back(' ');
  out.append(request_target(request.url.path));
  out.append(" HTTP/1.1\r\nHost: ").append(host_header(request.url)).append("\r\n");
  for (const auto& [name, value] : request.headers) {
    if (is_managed_header(name))
      continue;  // serialize() writes these itself; a second copy would be ambiguous
    out.append(header_safe(name)).append(": ").append(header_safe(value)).append("\r\n");
  }
  out.append("Content-Length: ").append(std::to_string(request.body.size())).append("\r\n");
  out.append(request.keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
  out.append(request.body);
  return out;
}

std::optional<std::string_view> Response::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (ascii::iequals(key, name))
      return std::string_view(value);
  }
  return std::nullopt;
}

ResponseParser::ResponseParser(ResponseLimits limits) : limits_(limits) {}

Status ResponseParser::feed(std::string_view bytes) {
  if (failed_)
    return *failed_;
  if (state_ == State::kDone) {
    extra_bytes_ = extra_bytes_ || !bytes.empty();
    return Status::ok();
  }
  // Body bytes that arrive while no partial line is held go straight into the body: a big
  // answer (megabytes of address book) is then copied once, not first into buffer_ as well.
  // What is left (the next chunk-size line, say) takes the usual way through advance().
  if (pos_ == buffer_.size()) {
    if (state_ == State::kBody || state_ == State::kChunkData) {
      const std::size_t n = std::min(bytes.size(), body_remaining_);
      response_.body.append(bytes.substr(0, n));
      bytes.remove_prefix(n);
      body_remaining_ -= n;
      if (body_remaining_ == 0)
        state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
    } else if (state_ == State::kUntilClose) {
      if (bytes.size() > limits_.max_body_bytes - response_.body.size())
        return enter_failed(limit("response body over the limit"));
      response_.body.append(bytes);
      return Status::ok();
    }
  }
  buffer_.append(bytes);
  Status status = advance();
  if (!status.is_ok())
    return enter_failed(status.error());
  compact();
  return Status::ok();
}

Status ResponseParser::finish() {
  if (failed_)
    return *failed_;
  if (state_ == State::kUntilClose)
    state_ = State::kDone;
  if (state_ == State::kDone)
    return Status::ok();
  return enter_failed(
      make_error(Errc::kTransport, "connection closed before the response was complete"));
}

Status ResponseParser::enter_failed(Error error) {
  failed_ = error;
  state_ = State::kFailed;
  std::string().swap(buffer_);
  pos_ = 0;
  scanned_ = 0;
  return error;
}

void ResponseParser::compact() {
  // Only a partial line is ever left behind (body bytes move straight to the body), so each
  // byte is moved at most once.
  if (pos_ > 0) {
    buffer_.erase(0, pos_);
    scanned_ -= pos_;
    pos_ = 0;
  }
  if (state_ == State::kDone || (buffer_.empty() && buffer_.capacity() > 64 * 1024))
    std::string().swap(buffer_);
}

Result<std::optional<std::string_view>> ResponseParser::next_line(std::size_t budget) {
  // `budget` bounds the line including its terminator; scanned_ avoids re-reading bytes.
  for (std::size_t i = scanned_; i < buffer_.size(); ++i) {
    if (i - pos_ + 1 > budget)
      return limit(state_ == State::kHead ? "response head over the limit" : "line over the limit");
    if (buffer_[i] != '\n')
      continue;
    std::size_t end = i;
    if (end > pos_ && buffer_[end - 1] == '\r')
      --end;
    const std::string_view line(buffer_.data() + pos_, end - pos_);
    line_bytes_ += i + 1 - pos_;
    pos_ = i + 1;
    scanned_ = pos_;
    return std::optional<std::string_view>(line);
  }
  scanned_ = buffer_.size();
  return std::optional<std::string_view>();
}

std::string_view ResponseParser::take_available(std::size_t max) {
  const std::size_t n = std::min(max, buffer_.size() - pos_);
  const std::string_view bytes(buffer_.data() + pos_, n);
  pos_ += n;
  scanned_ = pos_;
  return bytes;
}

Status ResponseParser::on_status_line(std::string_view line) {
  // "HTTP/1.x NNN reason" with the reason optional (and its space, as RFC 9112 tolerates).
  if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || !ascii::is_digit(line[7]) ||
      line[8] != ' ' || !ascii::is_digit(line[9]) || !ascii::is_digit(line[10]) ||
      !ascii::is_digit(line[11]))
    return protocol("malformed status line");
  if (line.size() > 12 && line[12] != ' ')
    return protocol("malformed status line");
  const int status = (line[9] - '0') * 100 + (line[10] - '0') * 10 + (line[11] - '0');
  if (status < 100 || status > 599)
    return protocol("status code out of range");
  const std::string_view reason = line.size() > 12 ? line.substr(13) : std::string_view();
  if (!is_field_text(reason))
    return protocol("control byte in the reason phrase");
  response_.status = status;
  response_.reason.assign(reason);
  have_status_ = true;
  http_1_0_ = line[7] == '0';
  return Status::ok();
}

Status ResponseParser::on_header_line(std::string_view line) {
  auto field = parse_field_line(line);
  if (!field.is_ok())
    return field.error();
  response_.headers.emplace_back(std::string(field->name), std::string(field->value));
  return Status::ok();
}

Result<std::optional<std::size_t>> ResponseParser::content_length() const {
  std::optional<std::size_t> length;
  for (const auto& [name, value] : response_.headers) {
    if (!ascii::iequals(name, "Content-Length"))
      continue;
    // "Content-Length: 5, 5" and repeated headers are allowed only when all values agree.
    std::string_view rest = value;
    while (true) {
      const std::size_t comma = rest.find(',');
      auto parsed = parse_length(trim_ows(rest.substr(0, comma)), limits_.max_body_bytes);
      if (!parsed.is_ok())
        return parsed.error();
      if (length && *length != *parsed)
        return protocol("conflicting Content-Length values");
      length = *parsed;
      if (comma == std::string_view::npos)
        break;
      rest.remove_prefix(comma + 1);
    }
  }
  return length;
}

Status ResponseParser::on_head_end() {
  if (response_.status < 200) {
    if (response_.status == 101)
      return protocol("unexpected 101 Switching Protocols");
    // An interim response (100 Continue and friends): the real one follows.
    response_ = Response{};
    have_status_ = false;
    line_bytes_ = 0;
    return Status::ok();
  }
  if (response_.status == 204 || response_.status == 304) {
    framed_ = true;
    state_ = State::kDone;
    return Status::ok();
  }
  bool chunked = false;
  for (const auto& [name, value] : response_.headers) {
    if (!ascii::iequals(name, "Transfer-Encoding"))
      continue;
    if (chunked || !ascii::iequals(value, "chunked"))
      return protocol("unsupported Transfer-Encoding");
    chunked = true;
  }
  auto length = content_length();
  if (!length.is_ok())
    return length.error();
  if (chunked) {
    if (length->has_value())
      return protocol("both Transfer-Encoding and Content-Length");
    framed_ = true;
    state_ = State::kChunkSize;
    line_bytes_ = 0;
  } else if (length->has_value()) {
    body_remaining_ = **length;
    framed_ = true;
    // No reserve from the declared length: a peer's number never allocates memory; the body
    // grows with the bytes that really arrive (doubling keeps that linear).
    state_ = body_remaining_ == 0 ? State::kDone : State::kBody;
  } else {
    state_ = State::kUntilClose;
  }
  return Status::ok();
}

Status ResponseParser::on_chunk_size_line(std::string_view line) {
  auto size = parse_chunk_size(line, limits_.max_body_bytes - response_.body.size());
  if (!size.is_ok())
    return size.error();
  line_bytes_ = 0;
  if (*size == 0) {
    state_ = State::kTrailers;  // trailers share one header-sized budget
    return Status::ok();
  }
  body_remaining_ = *size;
  state_ = State::kChunkData;
  return Status::ok();
}

Status ResponseParser::advance() {
  while (true) {
    switch (state_) {
      case State::kChunkDataEnd: {
        if (buffer_.size() == pos_)
          return Status::ok();
        const bool crlf = buffer_[pos_] == '\r';
        if (crlf && buffer_.size() - pos_ < 2)
          return Status::ok();
        MSN_TRY(on_chunk_data_end());
        break;
      }
      case State::kHead:
      case State::kChunkSize:
      case State::kTrailers: {
        auto line = next_line(line_budget());
        if (!line.is_ok())
          return line.error();
        if (!line->has_value())
          return Status::ok();
        MSN_TRY(on_line(**line));
        break;
      }
      case State::kBody:
      case State::kChunkData: {
        const std::string_view bytes = take_available(body_remaining_);
        if (bytes.empty())
          return Status::ok();
        response_.body.append(bytes);
        body_remaining_ -= bytes.size();
        if (body_remaining_ == 0)
          state_ = state_ == State::kBody ? State::kDone : State::kChunkDataEnd;
        break;
      }
      case State::kUntilClose: {
        const std::string_view bytes = take_available(std::numeric_limits<std::size_t>::max());
        if (bytes.size() > limits_.max_body_bytes - response_.body.size())
          return limit("response body over the limit");
        response_.body.append(bytes);
        return Status::ok();
      }
      case State::kDone:
        extra_bytes_ = extra_bytes_ || pos_ < buffer_.size();
        pos_ = buffer_.size();  // bytes after the response are ignored
        scanned_ = pos_;
        return Status::ok();
      case State::kFailed:
        return *failed_;
    }
  }
}

Status ResponseParser::on_chunk_data_end() {
  // Exactly CRLF (or LF) follows the chunk data; anything else means the size lied.
  std::size_t n = 0;
  if (buffer_[pos_] == '\n')
    n = 1;
  else if (buffer_[pos_] == '\r' && buffer_[pos_ + 1] == '\n')
    n = 2;
  else
    return protocol("chunk data longer than its size");
  pos_ += n;
  scanned_ = pos_;
  line_bytes_ = 0;
  state_ = State::kChunkSize;
  return Status::ok();
}

bool ResponseParser::reusable() const {
  if (state_ != State::kDone || !framed_ || extra_bytes_)
    return false;
  // "Connection" is a comma-separated list of options; "close" in any of them ends it.
  bool keep_alive = false;
  for (const auto& [name, value] : response_.headers) {
    if (!ascii::iequals(name, "Connection"))
      continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      const std::string_view option = trim_ows(rest.substr(0, comma));
      if (ascii::iequals(option, "close"))
        return false;
      keep_alive = keep_alive || ascii::iequals(option, "keep-alive");
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    }
  }
  return !http_1_0_ || keep_alive;
}

std::size_t ResponseParser::line_budget() const {
  return limits_.max_header_bytes - std::min(line_bytes_, limits_.max_header_bytes);
}

Status ResponseParser::on_line(std::string_view line) {
  switch (state_) {
    case State::kHead:
      if (!have_status_)
        return on_status_line(line);
      if (line.empty())
        return on_head_end();
      return on_header_line(line);
    case State::kChunkSize:
      return on_chunk_size_line(line);
    case State::kTrailers:
      if (line.empty()) {
        state_ = State::kDone;
        return Status::ok();
      }
      // Trailer fields are checked like headers and then dropped: nothing here needs them.
      return parse_field_line(line).status();
    default:
      return protocol("unexpected line");
  }
}

}  // namespace msn::http
