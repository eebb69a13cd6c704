// SPDX-License-Identifier: GPL-2.0-or-later
// One HTTPS request/response, sans-I/O: connect, send, parse, follow a bounded number of HTTP
// redirects, give up at a deadline. The SOAP layers above never see sockets or redirects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/http_message.h"
#include "session/io.h"

namespace msn {

// A web-service call asked for by a session: POST `body` to `url` with `soap_action`.
struct WebCall {
  std::uint32_t id = 0;
  std::string url;
  std::string soap_action;
  std::string body;  // may hold secrets (the RST request carries the password): never logged
  // The configured service whose host bounds where redirects may take the body
  // (http::is_same_service); empty: `url` itself.
  std::string service = {};
};

class HttpExchange {
 public:
  HttpExchange(WebCall call, ConnectionIds& ids, int max_redirects, Duration timeout);

  // Emits the first Connect (or finishes at once with kInvalidArgument for a bad URL).
  void start(TimePoint now);

  bool owns(ConnectionId conn) const { return conn_ == conn && !done(); }
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);

  // Abandons the request, closing its connection if one is open.
  void cancel();

  std::optional<TimePoint> deadline() const;
  std::vector<Output> take_outputs();

  std::uint32_t id() const { return call_.id; }
  bool done() const { return result_.has_value(); }
  // The final response (any status: SOAP faults arrive with 500) or the transport error.
  Result<http::Response> take_result();
  // Where the request finally went (after redirects), for logs.
  std::string target() const { return url_.to_string(); }

 private:
  void connect(TimePoint now);
  void finish(Result<http::Response> result);
  void handle_response(http::Response response, TimePoint now);

  WebCall call_;
  ConnectionIds& ids_;
  int redirects_left_;
  Duration timeout_;
  http::Url url_;
  http::Url service_;
  ConnectionId conn_ = 0;
  http::ResponseParser parser_;
  std::optional<TimePoint> deadline_;
  std::vector<Output> outputs_;
  std::optional<Result<http::Response>> result_;
};

}  // namespace msn
