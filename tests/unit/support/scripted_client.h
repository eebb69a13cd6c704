// SPDX-License-Identifier: GPL-2.0-or-later
// Drives a sans-I/O Client through a scripted conversation (tdlib-purple's verifyRequests /
// Chromium's SequencedSocketData idea): the test says what the engine must do next and feeds
// the peer's answers; a fake clock moves only when the test moves it.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Engine headers before cmocka_cpp.h: CMocka's fail() macro would clash with their fail().
#include "runtime/client.h"
#include "support/event_queue.h"
#include "support/fake_clock.h"
#include "cmocka_cpp.h"

namespace msn::test {

class ScriptedClient : public EventQueue<Event>, public OutputQueue {
 public:
  explicit ScriptedClient(Settings settings) : client_(std::move(settings)) {
    client_.set_random_source([](std::size_t n) -> Result<std::string> {
      std::string iv;
      for (std::size_t i = 0; i < n; ++i) iv.push_back(static_cast<char>(i));  // 00 01 02 ...
      return iv;
    });
  }

  Client& client() { return client_; }
  TimePoint now() const { return now_; }

  void start() {
    client_.start(now_);
    collect();
  }
  void advance(Duration by) {
    advance_clock(client_, now_, by);
    collect();
  }
  // Moves the clock to the engine's next deadline and fires it; false if there is none.
  bool fire_deadline() {
    const bool fired = fire_next_deadline(client_, now_);
    collect();
    return fired;
  }
  // Runs the engine's timer for as long as it is due without the clock moving (work the
  // engine spreads over main-loop iterations); returns how many times it ran.
  std::size_t run_due_work() {
    std::size_t runs = 0;
    for (auto due = client_.next_deadline(); due && *due <= now_; due = client_.next_deadline()) {
      if (++runs > 1'000'000) fail_msg("the engine's work never ends");
      client_.on_timer(now_);
      collect();
    }
    return runs;
  }
  // Runs the engine's timer once if it is due without the clock moving (one step of such
  // work); false if it was not due.
  bool run_one_step() {
    const auto due = client_.next_deadline();
    if (!due || *due > now_) return false;
    client_.on_timer(now_);
    collect();
    return true;
  }
  void connected(ConnectionId conn) {
    client_.on_connected(conn, now_);
    collect();
  }
  // Feeds bytes whole, or one byte at a time when byte_by_byte is set.
  void feed(ConnectionId conn, std::string_view bytes) {
    if (byte_by_byte_) {
      for (char c : bytes) {
        client_.on_data(conn, std::string_view(&c, 1), now_);
        collect();
      }
    } else {
      client_.on_data(conn, bytes, now_);
      collect();
    }
  }
  void closed(ConnectionId conn, Errc code = Errc::kTransport) {
    client_.on_closed(conn, make_error(code, "test"), now_);
    collect();
  }
  void set_byte_by_byte(bool on) { byte_by_byte_ = on; }

  // The next output must be a Connect to host:port (tls as given); returns its connection.
  ConnectionId expect_connect(std::string_view host, std::uint16_t port, bool tls) {
    const out::Connect connect = expect_connect_to(host);
    assert_int_equal(connect.port, port);
    assert_int_equal(connect.tls, tls);
    return connect.conn;
  }

  // The Disconnected error, failing the test if the session did not end.
  Error expect_disconnected() {
    auto ends = take<ev::Disconnected>();
    if (ends.size() != 1) fail_msg("expected one Disconnected event, got %zu", ends.size());
    return ends[0].error;
  }

 private:
  void collect() {
    keep_outputs(client_.take_outputs());
    keep_events(client_.take_events());
  }

  Client client_;
  TimePoint now_{};
  bool byte_by_byte_ = false;
};

}  // namespace msn::test
