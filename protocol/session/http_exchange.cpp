// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/http_exchange.h"

#include <algorithm>
#include <utility>

namespace msn {

namespace {

// Two deadlines, one after the other: one until the connection is up, then `timeout_` for the
// request and its answer. A TLS connection may wait on the user (libpurple asks about a
// certificate it cannot verify, and the engine cannot tell that wait from a slow handshake), so
// its connect phase has this long limit: nobody loses a sign-in for reading a certificate
// prompt carefully, and a peer that never completes a handshake still ends the attempt.
constexpr Duration kTlsConnectTimeout = std::chrono::minutes(30);

bool is_redirect(int status) {
  return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

}  // namespace

HttpExchange::HttpExchange(WebCall call, ConnectionIds& ids, int max_redirects, Duration timeout,
                           WebConnections* connections)
    : call_(std::move(call)),
      ids_(ids),
      redirects_left_(max_redirects),
      timeout_(timeout),
      connections_(connections) {}

void HttpExchange::start(TimePoint now) {
  auto url = http::parse_url(call_.url);
  if (!url) {
    finish(url.error());
    return;
  }
  url_ = std::move(url.value());
  if (call_.service.empty()) {
    service_ = url_;
  } else if (auto service = http::parse_url(call_.service)) {
    service_ = std::move(service.value());
  } else {
    finish(service.error());
    return;
  }
  connect(now);
}

void HttpExchange::connect(TimePoint now, bool may_reuse) {
  origin_ = WebConnections::origin_of(url_);
  parser_ = http::ResponseParser{};
  std::optional<ConnectionId> idle;
  if (connections_ != nullptr && may_reuse) idle = connections_->take(origin_);
  reused_ = idle.has_value();
  if (reused_) {
    conn_ = *idle;
    deadline_ = now + timeout_;
    send_request();
    return;
  }
  conn_ = ids_.next();
  deadline_ = now + (url_.tls ? std::max(timeout_, kTlsConnectTimeout) : timeout_);
  outputs_.push_back(out::Connect{conn_, url_.host, url_.port, url_.tls});
}

void HttpExchange::on_connected(ConnectionId conn, TimePoint now) {
  if (!owns(conn)) return;
  // The request's own time starts now, whatever the connect (or a certificate prompt) took.
  deadline_ = now + timeout_;
  send_request();
}

void HttpExchange::send_request() {
  http::Request request;
  request.url = url_;
  request.headers = {
      {"SOAPAction", call_.soap_action},
      {"Content-Type", "text/xml; charset=utf-8"},
      {"User-Agent", "Mozilla/4.0 (compatible; MSIE 6.0; Windows NT 5.1)"},
      {"Accept", "*/*"},
      {"Cache-Control", "no-cache"},
  };
  request.body = call_.body;
  request.keep_alive = connections_ != nullptr;
  outputs_.push_back(out::Send{conn_, http::serialize(request)});
}

// Leaves the connection for the next request when the response allows it, else closes it.
void HttpExchange::release_connection(TimePoint now) {
  const bool reusable = parser_.reusable();
  if (connections_ != nullptr) connections_->learn(origin_, reusable);
  if (connections_ != nullptr && reusable)
    connections_->put(origin_, conn_, now);
  else
    outputs_.push_back(out::Close{conn_});
}

void HttpExchange::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (!owns(conn)) return;
  reused_ = false;  // the connection answered: from here on it is like a new one
  if (auto status = parser_.feed(bytes); !status) {
    outputs_.push_back(out::Close{conn_});
    finish(status.error());
    return;
  }
  if (parser_.done()) {
    release_connection(now);
    handle_response(parser_.take(), now);
  }
}

void HttpExchange::on_closed(ConnectionId conn, const Error& why, TimePoint now) {
  if (!owns(conn)) return;
  if (reused_) {
    // The server closed the idle connection as the request went out (it may have decided so
    // before it saw a byte of it): ask again, once, on a new connection.
    connect(now, /*may_reuse=*/false);
    return;
  }
  // A TLS refusal or a failed connect is final; an orderly end may complete the response.
  if (why.code != Errc::kTransport) {
    finish(why);
    return;
  }
  if (auto status = parser_.finish(); !status) {
    finish(make_error(Errc::kTransport, "web service connection to " + url_.host +
                                            " ended before a complete answer: " + status.error().detail));
    return;
  }
  handle_response(parser_.take(), now);
}

void HttpExchange::on_timer(TimePoint now) {
  if (done() || !deadline_ || now < *deadline_) return;
  outputs_.push_back(out::Close{conn_});
  finish(make_error(Errc::kTimeout, "no answer from " + url_.host));
}

void HttpExchange::handle_response(http::Response response, TimePoint now) {
  if (!is_redirect(response.status)) {
    finish(std::move(response));
    return;
  }
  auto location = response.header("Location");
  if (!location) {
    finish(make_error(Errc::kHttp, "redirect without a Location", response.status));
    return;
  }
  if (redirects_left_-- <= 0) {
    finish(make_error(Errc::kTooManyRedirects, "too many HTTP redirects"));
    return;
  }
  auto next = http::resolve_location(url_, *location);
  if (!next) {
    finish(next.error());
    return;
  }
  // The request body may carry the password or tickets: never to plain text or another site.
  if (!http::is_same_service(service_, next.value())) {
    finish(make_error(Errc::kRedirectRefused,
                      "refused an HTTP redirect from " + service_.host + " to " + next->host +
                          (next->tls ? "" : " without TLS") + ": not the same service",
                      response.status));
    return;
  }
  url_ = std::move(next.value());
  connect(now);
}

void HttpExchange::finish(Result<http::Response> result) {
  deadline_.reset();
  result_ = std::move(result);
}

void HttpExchange::cancel() {
  if (done()) return;
  if (conn_ != 0) outputs_.push_back(out::Close{conn_});
  finish(make_error(Errc::kTransport, "cancelled"));
}

std::optional<TimePoint> HttpExchange::deadline() const { return done() ? std::nullopt : deadline_; }

std::vector<Output> HttpExchange::take_outputs() { return std::exchange(outputs_, {}); }

Result<http::Response> HttpExchange::take_result() {
  Result<http::Response> result = std::move(*result_);
  return result;
}

}  // namespace msn
