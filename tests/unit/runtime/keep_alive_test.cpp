// SPDX-License-Identifier: GPL-2.0-or-later
// Keep-alive web connections: when a response lets its connection carry another request
// (ResponseParser::reusable), and how HttpExchange and WebConnections hand a connection from
// one request to the next to the same origin only, retry once when a kept connection turns out
// closed, and close connections that stay idle.
#include <string>
#include <variant>
#include <vector>

#include "cmocka_cpp.h"
#include "http/http_message.h"
#include "session/http_exchange.h"
#include "session/web_connections.h"

namespace {

using msn::ConnectionId;
using msn::HttpExchange;
using msn::TimePoint;
using msn::WebConnections;
using std::chrono::seconds;

bool reusable_after(const std::string& response) {
  msn::http::ResponseParser parser;
  if (!parser.feed(response).is_ok() || !parser.done()) return false;
  return parser.reusable();
}

void test_reusable_responses(void**) {
  assert_true(reusable_after("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  assert_true(reusable_after("HTTP/1.1 500 Error\r\nContent-Length: 0\r\n\r\n"));
  assert_true(reusable_after("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n"));
  assert_true(reusable_after("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\nok"));
  assert_true(reusable_after("HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok"));
}

void test_responses_that_end_the_connection(void**) {
  assert_false(reusable_after("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok"));
  assert_false(reusable_after("HTTP/1.1 200 OK\r\nConnection: Keep-Alive, Close\r\nContent-Length: 2\r\n\r\nok"));
  assert_false(reusable_after("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok"));
  // A byte after the response: the stream is out of step.
  assert_false(reusable_after("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokX"));
  msn::http::ResponseParser parser;
  assert_true(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok").is_ok());
  assert_true(parser.reusable());
  assert_true(parser.feed("HTTP/1.1").is_ok());
  assert_false(parser.reusable());
  // Only the end of the connection ends this body.
  msn::http::ResponseParser until_close;
  assert_true(until_close.feed("HTTP/1.1 200 OK\r\n\r\nok").is_ok());
  assert_true(until_close.finish().is_ok());
  assert_false(until_close.reusable());
}

struct Outputs {
  std::vector<ConnectionId> connects, closes;
  std::vector<std::pair<ConnectionId, std::string>> sends;
};

Outputs split(std::vector<msn::Output> outputs) {
  Outputs split;
  for (auto& output : outputs) {
    if (auto* connect = std::get_if<msn::out::Connect>(&output)) split.connects.push_back(connect->conn);
    if (auto* close = std::get_if<msn::out::Close>(&output)) split.closes.push_back(close->conn);
    if (auto* send = std::get_if<msn::out::Send>(&output)) split.sends.emplace_back(send->conn, send->bytes);
  }
  return split;
}

constexpr const char* kOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

struct Fixture {
  msn::ConnectionIds ids;
  WebConnections pool;
  TimePoint now{};

  HttpExchange exchange(const std::string& url) {
    return HttpExchange(msn::WebCall{1, url, "urn:test", "<x/>"}, ids, 3, seconds(60), &pool);
  }
  // Runs one request to completion on a new connection; returns that connection.
  ConnectionId complete_new(HttpExchange& exchange, const char* response = kOk) {
    exchange.start(now);
    Outputs out = split(exchange.take_outputs());
    assert_int_equal(out.connects.size(), 1);
    exchange.on_connected(out.connects[0], now);
    out = split(exchange.take_outputs());
    assert_int_equal(out.sends.size(), 1);
    assert_true(out.sends[0].second.find("Connection: keep-alive\r\n") != std::string::npos);
    exchange.on_data(out.sends[0].first, response, now);
    assert_true(exchange.done());
    assert_true(exchange.take_result().is_ok());
    return out.sends[0].first;
  }
};

void test_next_request_to_same_origin_reuses_connection(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://contacts.example.net/abservice/SharingService.asmx");
  const ConnectionId conn = f.complete_new(first);
  assert_true(split(first.take_outputs()).closes.empty());
  assert_true(f.pool.holds(conn));

  HttpExchange second = f.exchange("https://Contacts.example.net:443/abservice/abservice.asmx");
  second.start(f.now);
  Outputs out = split(second.take_outputs());
  assert_true(out.connects.empty());
  assert_int_equal(out.sends.size(), 1);
  assert_int_equal(out.sends[0].first, conn);
  assert_false(f.pool.holds(conn));
  second.on_data(conn, kOk, f.now);
  assert_true(second.done());
  assert_true(second.take_result().is_ok());
}

void test_other_origin_gets_its_own_connection(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://login.example.net/RST.srf");
  const ConnectionId conn = f.complete_new(first);
  for (const char* url : {"https://contacts.example.net/RST.srf", "https://login.example.net:8443/RST.srf",
                          "http://login.example.net:443/RST.srf"}) {
    HttpExchange other = f.exchange(url);
    other.start(f.now);
    Outputs out = split(other.take_outputs());
    assert_int_equal(out.connects.size(), 1);
    assert_int_not_equal(out.connects[0], conn);
  }
  assert_true(f.pool.holds(conn));
}

void test_connection_close_is_honoured(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://login.example.net/RST.srf");
  const ConnectionId conn =
      f.complete_new(first, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok");
  Outputs out = split(first.take_outputs());
  assert_int_equal(out.closes.size(), 1);
  assert_int_equal(out.closes[0], conn);
  assert_false(f.pool.holds(conn));
}

// The server closed the kept connection as the request went out: the request goes again, once,
// on a new connection.
void test_closed_kept_connection_is_retried_once(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://login.example.net/RST.srf");
  const ConnectionId conn = f.complete_new(first);
  HttpExchange second = f.exchange("https://login.example.net/RST.srf");
  second.start(f.now);
  (void)second.take_outputs();
  second.on_closed(conn, msn::make_error(msn::Errc::kTransport, "closed"), f.now);
  assert_false(second.done());
  Outputs out = split(second.take_outputs());
  assert_int_equal(out.connects.size(), 1);
  const ConnectionId fresh = out.connects[0];
  assert_int_not_equal(fresh, conn);
  second.on_connected(fresh, f.now);
  (void)second.take_outputs();
  // A new connection that fails is not retried again.
  second.on_closed(fresh, msn::make_error(msn::Errc::kTransport, "closed"), f.now);
  assert_true(second.done());
  assert_false(second.take_result().is_ok());
}

// Once the kept connection has started answering, its end is the request's failure, as on a
// new connection (the request may have had effects).
void test_kept_connection_that_answered_is_not_retried(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://login.example.net/RST.srf");
  const ConnectionId conn = f.complete_new(first);
  HttpExchange second = f.exchange("https://login.example.net/RST.srf");
  second.start(f.now);
  (void)second.take_outputs();
  second.on_data(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nok", f.now);
  second.on_closed(conn, msn::make_error(msn::Errc::kTransport, "closed"), f.now);
  assert_true(second.done());
  assert_false(second.take_result().is_ok());
  assert_true(split(second.take_outputs()).connects.empty());
}

void test_idle_connections_close(void**) {
  Fixture f;
  HttpExchange first = f.exchange("https://login.example.net/RST.srf");
  const ConnectionId conn = f.complete_new(first);
  assert_true(f.pool.deadline().has_value());
  assert_true(*f.pool.deadline() == f.now + WebConnections::kIdleLimit);
  f.pool.on_timer(f.now + WebConnections::kIdleLimit - seconds(1));
  assert_true(f.pool.holds(conn));
  f.pool.on_timer(f.now + WebConnections::kIdleLimit);
  assert_false(f.pool.holds(conn));
  Outputs out = split(f.pool.take_outputs());
  assert_int_equal(out.closes.size(), 1);
  assert_int_equal(out.closes[0], conn);
  assert_false(f.pool.deadline().has_value());
}

void test_pool_bounds_and_unexpected_data(void**) {
  WebConnections pool;
  const TimePoint now{};
  for (ConnectionId conn = 1; conn <= WebConnections::kMaxIdle + 1; ++conn)
    pool.put("https://h:443", conn, now);
  assert_false(pool.holds(1));  // the oldest made room
  assert_true(pool.holds(WebConnections::kMaxIdle + 1));
  pool.on_unexpected_data(2);
  assert_false(pool.holds(2));
  Outputs out = split(pool.take_outputs());
  assert_int_equal(out.closes.size(), 2);
  pool.on_closed(3);  // the server closed it: nothing to send
  assert_false(pool.holds(3));
  assert_true(pool.take_outputs().empty());
  pool.close_all();
  assert_int_equal(split(pool.take_outputs()).closes.size(), WebConnections::kMaxIdle - 2);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_reusable_responses),
      cmocka_unit_test(test_responses_that_end_the_connection),
      cmocka_unit_test(test_next_request_to_same_origin_reuses_connection),
      cmocka_unit_test(test_other_origin_gets_its_own_connection),
      cmocka_unit_test(test_connection_close_is_honoured),
      cmocka_unit_test(test_closed_kept_connection_is_retried_once),
      cmocka_unit_test(test_kept_connection_that_answered_is_not_retried),
      cmocka_unit_test(test_idle_connections_close),
      cmocka_unit_test(test_pool_bounds_and_unexpected_data),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
