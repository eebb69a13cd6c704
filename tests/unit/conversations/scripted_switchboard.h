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
#include "support/event_queue.h"
#include "support/fake_clock.h"
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

class ScriptedSwitchboard : public EventQueue<SwitchboardEvent>, public OutputQueue {
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
    advance_clock(sb_, now_, by);
    collect();
  }
  // Moves the clock to the next deadline and fires it; false if there is none.
  bool fire_deadline() {
    const bool fired = fire_next_deadline(sb_, now_);
    collect();
    return fired;
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
    const out::Connect connect = expect_connect_to(host);
    assert_int_equal(connect.conn, kSbConn);
    assert_int_equal(connect.port, port);
    assert_false(connect.tls);
  }
  // The session has one connection: the output checks need no connection argument.
  std::string expect_send() { return OutputQueue::expect_send(kSbConn); }
  void expect_send(std::string_view bytes) { OutputQueue::expect_send(kSbConn, bytes); }
  void expect_close() { OutputQueue::expect_close(kSbConn); }
  void expect_out_and_close() {
    expect_send("OUT\r\n");
    expect_close();
  }

 private:
  void collect() {
    keep_outputs(sb_.take_outputs());
    keep_events(sb_.take_events());
  }

  SwitchboardSession sb_;
  TimePoint now_{};
  bool byte_by_byte_ = false;
};

}  // namespace msn::test
