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
#include "session/web_connections.h"

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
  // With `connections`, the request asks for keep-alive, takes an idle connection to its origin
  // when there is one and leaves its own there afterwards when the server allows it.
  HttpExchange(WebCall call, ConnectionIds& ids, int max_redirects, Duration timeout,
               WebConnections* connections = nullptr);

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
  // The origin (WebConnections::origin_of) of the connection in use; empty before start.
  const std::string& origin() const { return origin_; }

 private:
  // Takes an idle connection to the URL's origin if `may_reuse` and there is one, else opens one.
  void connect(TimePoint now, bool may_reuse = true);
  void send_request();
  void release_connection(TimePoint now);
  void finish(Result<http::Response> result);
  void handle_response(http::Response response, TimePoint now);

  WebCall call_;
  ConnectionIds& ids_;
  int redirects_left_;
  Duration timeout_;
  http::Url url_;
  http::Url service_;
  WebConnections* connections_;
  std::string origin_;
  ConnectionId conn_ = 0;
  bool reused_ = false;    // conn_ came from WebConnections and has not answered yet
  http::ResponseParser parser_;
  std::optional<TimePoint> deadline_;
  std::vector<Output> outputs_;
  std::optional<Result<http::Response>> result_;
};

}  // namespace msn
