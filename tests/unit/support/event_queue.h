// SPDX-License-Identifier: GPL-2.0-or-later
// What an engine part produced, kept until the test looks at it: the event and output queues
// every scripted driver (ScriptedClient, ScriptedSwitchboard, ScriptedConversations, the
// runtime tests' Harness) inherits, so that take<T>() or expect_send() mean the same everywhere.
#pragma once

#include <algorithm>
#include <cstddef>
#include <deque>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

// Engine headers before cmocka_cpp.h: CMocka's fail() macro would clash with their fail().
#include "session/event.h"
#include "session/io.h"
#include "cmocka_cpp.h"

namespace msn::test {

// The events (a std::variant with an ev::Log alternative: Event, SwitchboardEvent) seen so far;
// tests consume them by kind so that unrelated events never make a check fail.
template <typename EventVariant>
class EventQueue {
 public:
  // Events of one kind seen so far (log lines included when T is ev::Log), consumed.
  template <typename T>
  std::vector<T> take() {
    std::vector<T> found;
    std::vector<EventVariant> rest;
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
  // The single event of a kind, failing the test when there is none or more than one.
  template <typename T>
  T take_one() {
    auto found = take<T>();
    if (found.size() != 1) fail_msg("expected one event of the kind, got %zu", found.size());
    return found[0];
  }
  // Every event in order (for ordering checks), consumed.
  std::vector<EventVariant> take_all() { return std::exchange(events_, {}); }
  // Events other than log lines still unconsumed (for "nothing else happened" checks).
  std::size_t pending_events() const {
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), [](const EventVariant& e) {
      return !std::holds_alternative<ev::Log>(e);
    }));
  }
  // Every unconsumed debug line, one per line (for "no secret was logged" checks).
  std::string all_logs() const {
    std::string text;
    for (const auto& event : events_)
      if (auto* log = std::get_if<ev::Log>(&event)) text += log->text + "\n";
    return text;
  }

 protected:
  // Called by the driver after every call into the engine part.
  void keep_events(std::vector<EventVariant> events) {
    for (auto& event : events) events_.push_back(std::move(event));
  }

 private:
  std::vector<EventVariant> events_;
};

// The outputs (Connect/Send/Close) not yet checked; tests check them strictly in order.
class OutputQueue {
 public:
  // The next output must be a Send on conn; returns its bytes.
  std::string expect_send(ConnectionId conn) {
    auto output = pop();
    auto* send = std::get_if<out::Send>(&output);
    if (send == nullptr) fail_msg("expected Send");
    assert_int_equal(send->conn, conn);
    return send->bytes;
  }
  // The next output must be a Send on conn of exactly these bytes.
  void expect_send(ConnectionId conn, std::string_view bytes) { assert_bytes_equal(expect_send(conn), bytes); }
  // The next output must be a Close of conn.
  void expect_close(ConnectionId conn) {
    auto output = pop();
    auto* close = std::get_if<out::Close>(&output);
    if (close == nullptr) fail_msg("expected Close");
    assert_int_equal(close->conn, conn);
  }
  // The next output must be a Connect (to host); its details are the caller's to check.
  out::Connect expect_connect_to(std::string_view host) {
    auto output = pop();
    auto* connect = std::get_if<out::Connect>(&output);
    if (connect == nullptr) fail_msg("expected Connect to %s", std::string(host).c_str());
    assert_bytes_equal(connect->host, host);
    return *connect;
  }
  void expect_no_output() {
    if (!outputs_.empty()) fail_msg("unexpected output (%zu pending)", outputs_.size());
  }
  bool has_output() const { return !outputs_.empty(); }
  // Drops whatever is pending (keep-alive pings and the like a test does not look at).
  void drop_outputs() { outputs_.clear(); }

  // The next output, whatever it is; fails the test when there is none.
  Output pop() {
    if (outputs_.empty()) fail_msg("expected an output, there is none\n%s", failure_note_.c_str());
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }

 protected:
  // Called by the driver after every call into the engine part.
  void keep_outputs(std::vector<Output> outputs) {
    for (auto& output : outputs) outputs_.push_back(std::move(output));
  }
  // Printed when pop() finds nothing: a driver may keep the engine's log here, since a missing
  // output is easier to understand next to what the engine logged.
  std::string failure_note_;

 private:
  std::deque<Output> outputs_;
};

}  // namespace msn::test
