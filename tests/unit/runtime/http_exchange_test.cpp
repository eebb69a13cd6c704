// SPDX-License-Identifier: GPL-2.0-or-later
// HttpExchange's deadlines against a fake clock: the request's time starts once its connection
// is up, so a TLS connect that waits on the user's certificate decision costs it nothing; the
// connect phase has its own limit.
#include <string>
#include <variant>
#include <vector>

#include "cmocka_cpp.h"
#include "session/http_exchange.h"

namespace {

using msn::Duration;
using msn::HttpExchange;
using msn::TimePoint;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr Duration kRequest = seconds(60);
// The TLS connect phase's limit (http_exchange.cpp): long enough for a certificate prompt.
constexpr Duration kTlsConnect = minutes(30);

struct Exchange {
  explicit Exchange(const std::string& url)
      : exchange(msn::WebCall{7, url, "urn:test", "<x/>"}, ids, 3, kRequest) {}
  msn::ConnectionIds ids;
  HttpExchange exchange;
  TimePoint now{};

  // Moves the clock on and lets the exchange look at it.
  void advance(Duration by) {
    now += by;
    exchange.on_timer(now);
  }
  msn::ConnectionId connecting_to() {
    for (const auto& output : exchange.take_outputs()) {
      if (const auto* connect = std::get_if<msn::out::Connect>(&output)) return connect->conn;
    }
    return 0;
  }
};

void assert_timed_out(HttpExchange& exchange) {
  assert_true(exchange.done());
  auto result = exchange.take_result();
  assert_false(result.is_ok());
  assert_true(result.error().code == msn::Errc::kTimeout);
}

// A user who takes five minutes over the certificate prompt still gets the whole minute for
// the request once the handshake is done.
void test_tls_connect_waiting_on_user_keeps_request_time(void**) {
  Exchange x("https://login.example.net/RST.srf");
  x.exchange.start(x.now);
  const msn::ConnectionId conn = x.connecting_to();
  assert_int_not_equal(conn, 0);
  x.advance(minutes(5));
  assert_false(x.exchange.done());
  x.exchange.on_connected(conn, x.now);
  x.advance(kRequest - seconds(1));
  assert_false(x.exchange.done());
  x.advance(seconds(1));
  assert_timed_out(x.exchange);
}

// A TLS peer that never completes its handshake still ends the attempt, at the long limit.
void test_tls_connect_has_a_limit(void**) {
  Exchange x("https://login.example.net/RST.srf");
  x.exchange.start(x.now);
  assert_true(x.exchange.deadline().has_value());
  assert_true(*x.exchange.deadline() == x.now + kTlsConnect);
  x.advance(kTlsConnect - seconds(1));
  assert_false(x.exchange.done());
  x.advance(seconds(1));
  assert_timed_out(x.exchange);
}

// Plain HTTP has no prompt to wait for: its connect has the request's limit, as before.
void test_plain_connect_times_out_at_connect_limit(void**) {
  Exchange x("http://login.example.net/RST.srf");
  x.exchange.start(x.now);
  x.advance(kRequest - seconds(1));
  assert_false(x.exchange.done());
  x.advance(seconds(1));
  assert_timed_out(x.exchange);
}

// A server that accepts the connection but never answers still ends at the request limit.
void test_request_times_out_after_connected(void**) {
  Exchange x("https://login.example.net/RST.srf");
  x.exchange.start(x.now);
  const msn::ConnectionId conn = x.connecting_to();
  x.advance(seconds(1));
  x.exchange.on_connected(conn, x.now);
  assert_true(*x.exchange.deadline() == x.now + kRequest);
  x.advance(kRequest);
  assert_timed_out(x.exchange);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_tls_connect_waiting_on_user_keeps_request_time),
      cmocka_unit_test(test_tls_connect_has_a_limit),
      cmocka_unit_test(test_plain_connect_times_out_at_connect_limit),
      cmocka_unit_test(test_request_times_out_after_connected),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
