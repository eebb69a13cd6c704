// SPDX-License-Identifier: GPL-2.0-or-later
// HTTP/1.1 client messages, sans-I/O: serialize a request, parse a response incrementally.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/byte_buffer.h"
#include "core/status.h"
#include "http/url.h"

namespace msn::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method = "POST";
  Url url;
  Headers headers;  // besides Host, Content-Length and Connection, which serialize() adds
  std::string body;
  // Asks the server to keep the connection open for the next request ("Connection:
  // keep-alive"); otherwise "Connection: close".
  bool keep_alive = false;
};

// "POST /path HTTP/1.1\r\nHost: h[:port]\r\n<headers>Content-Length: n\r\nConnection: close\r\n\r\n<body>"
std::string serialize(const Request& request);

struct Response {
  int status = 0;
  std::string reason;
  Headers headers;
  ByteBuffer body;  // may be tens of megabytes: grows without copying what it holds

  // Case-insensitive header lookup (first match).
  std::optional<std::string_view> header(std::string_view name) const;
};

struct ResponseLimits {
  std::size_t max_header_bytes = 64 * 1024;
  std::size_t max_body_bytes = 64 * 1024 * 1024;
};

// Incremental response parser: status line, headers, then a body delimited by Content-Length,
// chunked transfer coding, or the end of the connection. Rejects malformed framing, conflicting
// lengths and anything over the limits (Errc::kProtocol / Errc::kLimit).
class ResponseParser {
 public:
  explicit ResponseParser(ResponseLimits limits = {});

  // Appends bytes. Bytes after a complete response are ignored.
  Status feed(std::string_view bytes);
  // The connection ended: completes a read-until-close body, errors (Errc::kTransport) if the
  // response is cut.
  Status finish();
  bool done() const { return state_ == State::kDone; }
  // Once done(): the connection may carry another request. The response was framed by its
  // length (not by the end of the connection), the server did not ask to close (HTTP/1.1
  // without "Connection: close", or HTTP/1.0 with "Connection: keep-alive"), and nothing
  // followed it (a byte after the response means the stream is out of step).
  bool reusable() const;
  // The parsed response; only valid once done().
  Response take() { return std::move(response_); }

 private:
  enum class State { kHead, kBody, kChunkSize, kChunkData, kChunkDataEnd, kTrailers, kUntilClose, kDone, kFailed };
  Status advance();
  Status enter_failed(Error error);
  void compact();
  // The next complete line (terminator stripped), nullopt if more bytes are needed, kLimit
  // when it would be longer than `budget` bytes including its terminator.
  Result<std::optional<std::string_view>> next_line(std::size_t budget);
  std::string_view take_available(std::size_t max);
  std::size_t line_budget() const;
  Status on_line(std::string_view line);
  Status on_status_line(std::string_view line);
  Status on_header_line(std::string_view line);
  Status on_head_end();
  Status on_chunk_size_line(std::string_view line);
  Status on_chunk_data_end();
  Result<std::optional<std::size_t>> content_length() const;

  ResponseLimits limits_;
  State state_ = State::kHead;
  std::string buffer_;
  std::size_t pos_ = 0;         // bytes of buffer_ already consumed
  std::size_t scanned_ = 0;     // bytes of buffer_ already searched for a line end
  std::size_t line_bytes_ = 0;  // bytes of the head (or trailer section) consumed so far
  bool have_status_ = false;
  bool http_1_0_ = false;
  bool framed_ = false;       // the body's end is known from the response itself
  bool extra_bytes_ = false;  // bytes arrived after the complete response
  std::size_t body_remaining_ = 0;
  Response response_;
  std::optional<Error> failed_;
};

}  // namespace msn::http
