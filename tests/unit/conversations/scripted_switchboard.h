// SPDX-License-Identifier: GPL-2.0-or-later
// Drives one SwitchboardSession through a scripted conversation (the ScriptedClient idea for
// the switchboard): the test says what the session must write next and feeds the server's
// lines; a fake clock moves only when the test moves it. Owned by a CMocka fixture.
#pragma once

#include <algorithm>
#include <deque>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Engine headers before cmocka_cpp.h: CMocka's fail() macro would clash with their fail().
#include "session/switchboard_session.h"
#include "cmocka_cpp.h"

namespace msn::test {

inline constexpr ConnectionId kSbConn = 42;

inline SwitchboardConfig alice_config() {
  SwitchboardConfig config;
  config.account = "alice@example.com";
  return config;
}

// "MSG {from} {name} {len}\r\n{payload}" as a switchboard relays a peer's message.
inline std::string peer_msg(std::string_view from, std::string_view name, std::string_view payload) {
  return "MSG " + std::string(from) + " " + std::string(name) + " " + std::to_string(payload.size()) + "\r\n" +
         std::string(payload);
}

class ScriptedSwitchboard {
 public:
  explicit ScriptedSwitchboard(SwitchboardConfig config = alice_config()) : sb_(std::move(config), kSbConn) {}

  SwitchboardSession& sb() { return sb_; }
  TimePoint now() const { return now_; }
  void set_byte_by_byte(bool on) { byte_by_byte_ = on; }

  void start_outgoing(std::string invitee = "bob@example.com") {
    sb_.start_outgoing(SwitchboardTicket{"198.51.100.20", 1863, "1719378131.1225456"}, std::move(invitee), now_);
    collect();
  }
  void start_incoming() {
    SwitchboardInvitation invitation;
    invitation.session_id = "11752013";
    invitation.host = "198.51.100.20";
    invitation.port = 1863;
    invitation.cookie = "849102291.520491113";
    invitation.inviter = "bob@example.com";
    invitation.inviter_name = "Bob";
    sb_.start_incoming(invitation, now_);
    collect();
  }
  void connected() {
    sb_.on_connected(kSbConn, now_);
    collect();
  }
  void feed(std::string_view bytes) {
    if (byte_by_byte_) {
      for (char c : bytes) {
        sb_.on_data(kSbConn, std::string_view(&c, 1), now_);
        collect();
      }
    } else {
      sb_.on_data(kSbConn, bytes, now_);
      collect();
    }
  }
  void closed(Errc code = Errc::kTransport) {
    sb_.on_closed(kSbConn, make_error(code, "test"), now_);
    collect();
  }
  void advance(Duration by) {
    now_ += by;
    sb_.on_timer(now_);
    collect();
  }
  // Moves the clock to the next deadline and fires it; false if there is none.
  bool fire_deadline() {
    const auto deadline = sb_.next_deadline();
    if (!deadline) return false;
    now_ = std::max(now_, *deadline);
    sb_.on_timer(now_);
    collect();
    return true;
  }
  MessageId send_text(std::string_view text, const TextFormat& format = {}) {
    auto id = sb_.send_text(text, format, now_);
    collect();
    if (!id) fail_msg("send_text failed: %s", id.error().detail.c_str());
    return id.value();
  }
  void send_typing() {
    assert_true(sb_.send_typing(now_).is_ok());
    collect();
  }
  void send_nudge() {
    assert_true(sb_.send_nudge(now_).is_ok());
    collect();
  }
  void leave() {
    sb_.leave(now_);
    collect();
  }
  void close() {
    sb_.close(now_);
    collect();
  }
  void invite(std::string email) {
    assert_true(sb_.invite(std::move(email), now_).is_ok());
    collect();
  }

  void expect_connect(std::string_view host, std::uint16_t port) {
    auto output = pop();
    auto* connect = std::get_if<out::Connect>(&output);
    if (connect == nullptr) fail_msg("expected Connect");
    assert_int_equal(connect->conn, kSbConn);
    assert_bytes_equal(connect->host, host);
    assert_int_equal(connect->port, port);
    assert_false(connect->tls);
  }
  std::string expect_send() {
    auto output = pop();
    auto* send = std::get_if<out::Send>(&output);
    if (send == nullptr) fail_msg("expected Send");
    assert_int_equal(send->conn, kSbConn);
    return send->bytes;
  }
  void expect_send(std::string_view bytes) { assert_bytes_equal(expect_send(), bytes); }
  void expect_close() {
    auto output = pop();
    auto* close = std::get_if<out::Close>(&output);
    if (close == nullptr) fail_msg("expected Close");
    assert_int_equal(close->conn, kSbConn);
  }
  void expect_out_and_close() {
    expect_send("OUT\r\n");
    expect_close();
  }
  void expect_no_output() {
    if (!outputs_.empty()) fail_msg("unexpected output (%zu pending)", outputs_.size());
  }

  // Events of one kind seen so far, consumed.
  template <typename T>
  std::vector<T> take() {
    std::vector<T> found;
    std::vector<SwitchboardEvent> rest;
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
  template <typename T>
  T take_one() {
    auto found = take<T>();
    if (found.size() != 1) fail_msg("expected one event of the kind, got %zu", found.size());
    return found[0];
  }
  // Every event except log lines, in order (for "nothing else happened" checks).
  std::size_t pending_events() const {
    return static_cast<std::size_t>(std::count_if(events_.begin(), events_.end(), [](const SwitchboardEvent& e) {
      return !std::holds_alternative<ev::Log>(e);
    }));
  }
  std::string all_logs() const {
    std::string text;
    for (const auto& event : events_) {
      if (auto* log = std::get_if<ev::Log>(&event)) text += log->text + "\n";
    }
    return text;
  }

 private:
  void collect() {
    for (auto& output : sb_.take_outputs()) outputs_.push_back(std::move(output));
    for (auto& event : sb_.take_events()) events_.push_back(std::move(event));
  }
  Output pop() {
    if (outputs_.empty()) fail_msg("expected an output, there is none");
    Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }

  SwitchboardSession sb_;
  TimePoint now_{};
  bool byte_by_byte_ = false;
  std::deque<Output> outputs_;
  std::vector<SwitchboardEvent> events_;
};

}  // namespace msn::test
