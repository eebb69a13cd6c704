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
#include "cmocka_cpp.h"

namespace msn::test {

class ScriptedClient {
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
    now_ += by;
    client_.on_timer(now_);
    collect();
  }
  // Moves the clock to the engine's next deadline and fires it; false if there is none.
  bool fire_deadline() {
    auto deadline = client_.next_deadline();
    if (!deadline) return false;
    now_ = std::max(now_, *deadline);
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
    auto output = pop();
    auto* connect = std::get_if<out::Connect>(&output);
    if (connect == nullptr) fail_msg("expected Connect to %s", std::string(host).c_str());
    assert_bytes_equal(connect->host, host);
    assert_int_equal(connect->port, port);
    assert_int_equal(connect->tls, tls);
    return connect->conn;
  }
  // The next output must be a Send on conn; returns its bytes.
  std::string expect_send(ConnectionId conn) {
    auto output = pop();
    auto* send = std::get_if<out::Send>(&output);
    if (send == nullptr) fail_msg("expected Send");
    assert_int_equal(send->conn, conn);
    return send->bytes;
  }
  void expect_send(ConnectionId conn, std::string_view bytes) { assert_bytes_equal(expect_send(conn), bytes); }
  void expect_close(ConnectionId conn) {
    auto output = pop();
    auto* close = std::get_if<out::Close>(&output);
    if (close == nullptr) fail_msg("expected Close");
    assert_int_equal(close->conn, conn);
  }
  void expect_no_output() {
    if (!outputs_.empty()) fail_msg("unexpected output (%zu pending)", outputs_.size());
  }

  // Events of a kind seen so far (Log events included), consumed.
  template <typename T>
  std::vector<T> take() {
    std::vector<T> found;
    std::vector<Event> rest;
    for (auto& event : events_) {
      if (auto* e = std::get_if<T>(&event)) {
        found.push_back(*e);
      } else {
        rest.push_back(std::move(event));
      }
    }
    events_ = std::move(rest);
    return found;
  }
  // Every debug line produced so far (not consumed).
  std::string all_logs() const {
    std::string text;
    for (const auto& event : events_)
      if (auto* log = std::get_if<ev::Log>(&event)) text += log->text + "\n";
    return text + logs_seen_;
  }
  // The Disconnected error, failing the test if the session did not end.
  Error expect_disconnected() {
    auto ends = take<ev::Disconnected>();
    if (ends.size() != 1) fail_msg("expected one Disconnected event, got %zu", ends.size());
    return ends[0].error;
  }

 private:
  void collect() {
    for (auto& output : client_.take_outputs()) outputs_.push_back(std::move(output));
    for (auto& event : client_.take_events()) events_.push_back(std::move(event));
  }
  Output pop() {
    if (outputs_.empty()) fail_msg("expected an output, there is none");
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }

  Client client_;
  TimePoint now_{};
  bool byte_by_byte_ = false;
  std::deque<Output> outputs_;
  std::vector<Event> events_;
  std::string logs_seen_;
};

}  // namespace msn::test
