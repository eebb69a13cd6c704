// SPDX-License-Identifier: GPL-2.0-or-later
// Drives a ConversationManager against a scripted notification session (FakeNs) and scripted
// switchboard lines, with a fake clock: the test says what the engine must write next and
// feeds the servers' answers. Owned by a CMocka fixture (owned_setup/owned_teardown).
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

// Engine headers before cmocka_cpp.h: CMocka's fail() macro would clash with their fail().
#include "session/conversation_manager.h"
#include "support/event_queue.h"
#include "support/fake_clock.h"
#include "cmocka_cpp.h"

namespace msn::test {

// The notification session as the manager sees it: every XFR SB is recorded; the test answers
// with grant()/refuse().
class FakeNs final : public NsAccess {
 public:
  bool online() const override { return online_; }
  Result<wire::TrId> request_switchboard(TimePoint /*now*/) override {
    if (!online_) return make_error(Errc::kInvalidArgument, "not signed in");
    requests.push_back(next_trid);
    return next_trid++;
  }
  std::optional<PresenceStatus> presence_of(std::string_view address) const override {
    const auto it = presence.find(std::string(address));
    if (it == presence.end()) return std::nullopt;
    return it->second;
  }
  const auth::RstTokens& tokens() const override { return tokens_; }
  const std::string& own_display_name() const override { return name_; }

  bool online_ = true;
  wire::TrId next_trid = 11;
  std::deque<wire::TrId> requests;
  std::map<std::string, PresenceStatus> presence;
  auth::RstTokens tokens_;
  std::string name_ = "Alice";
};

inline constexpr std::string_view kSbHost = "198.51.100.20";
inline constexpr std::string_view kCookie = "1719378131.1225456";

// One MSG the engine wrote: "MSG trid ack len\r\n" + payload.
struct SentMsg {
  wire::TrId trid = 0;
  std::string ack;
  std::string payload;
  std::string body() const { return payload.substr(payload.find("\r\n\r\n") + 4); }
};

inline SentMsg parse_sent_msg(const std::string& bytes) {
  SentMsg msg;
  const auto eol = bytes.find("\r\n");
  if (bytes.rfind("MSG ", 0) != 0 || eol == std::string::npos) fail_msg("not a MSG: %s", bytes.c_str());
  const std::string line = bytes.substr(0, eol);
  const auto a = line.find(' ', 4);
  const auto b = line.find(' ', a + 1);
  msg.trid = static_cast<wire::TrId>(std::stoul(line.substr(4, a - 4)));
  msg.ack = line.substr(a + 1, b - a - 1);
  const auto length = std::stoul(line.substr(b + 1));
  msg.payload = bytes.substr(eol + 2);
  assert_int_equal(msg.payload.size(), length);
  return msg;
}

inline std::string peer_msg_line(std::string_view from, std::string_view name, std::string_view payload) {
  return "MSG " + std::string(from) + " " + std::string(name) + " " + std::to_string(payload.size()) + "\r\n" +
         std::string(payload);
}

inline std::string peer_text(std::string_view from, std::string_view text) {
  return peer_msg_line(from, "Bob",
                       "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                       "X-MMS-IM-Format: FN=Arial; EF=B; CO=0000ff; CS=0; PF=22\r\n\r\n" +
                           std::string(text));
}

inline ConversationConfig alice_conversations() {
  ConversationConfig config;
  config.account = "alice@example.com";
  config.web_services_url = "https://msn.example.net";
  config.max_pending_messages = 5;
  config.send_window = 3;
  config.p2p_window = 4;  // the scripts count MSGs on the wire against a small window
  return config;
}

class ScriptedConversations : public EventQueue<Event>, public OutputQueue {
 public:
  ScriptedConversations() : manager_(alice_conversations(), ids_, ns_) {
    manager_.set_random_source([](std::size_t n) -> Result<std::string> { return std::string(n, '\x11'); });
    ns_.presence["bob@example.com"] = PresenceStatus::kOnline;
    ns_.presence["carol@example.net"] = PresenceStatus::kOnline;
  }

  ConversationManager& manager() { return manager_; }
  FakeNs& ns() { return ns_; }
  TimePoint now() const { return now_; }

  // ---- intents ----
  ConversationId send(std::string_view to, std::string_view html) {
    auto id = manager_.send_message(to, html, now_);
    collect();
    if (!id) fail_msg("send_message failed: %s", id.error().detail.c_str());
    return id.value();
  }

  // ---- the NS ----
  wire::TrId expect_xfr() {
    if (ns_.requests.empty()) fail_msg("expected an XFR SB request");
    const wire::TrId trid = ns_.requests.front();
    ns_.requests.pop_front();
    return trid;
  }
  void expect_no_xfr() {
    if (!ns_.requests.empty()) fail_msg("unexpected XFR SB request");
  }
  // Answers an XFR SB; returns the switchboard connection the engine opens.
  ConnectionId grant(wire::TrId trid) {
    notice(notice::SwitchboardGranted{trid, SwitchboardTicket{std::string(kSbHost), 1863, std::string(kCookie)}});
    return expect_connect();
  }
  void refuse(wire::TrId trid, Errc code) { notice(notice::SwitchboardRefused{trid, make_error(code, "test")}); }
  void notice(NsNotice n) {
    manager_.on_notice(std::move(n), now_);
    collect();
  }
  // An RNG from `inviter`; returns the connection the engine opens to answer it.
  ConnectionId invited(std::string_view inviter = "bob@example.com") {
    SwitchboardInvitation invitation;
    invitation.session_id = "11752013";
    invitation.host = std::string(kSbHost);
    invitation.port = 1863;
    invitation.cookie = "849102291.520491113";
    invitation.inviter = std::string(inviter);
    invitation.inviter_name = "Bob";
    notice(notice::SwitchboardInvited{invitation});
    return expect_connect();
  }

  // ---- switchboard connections ----
  void connected(ConnectionId conn) {
    manager_.on_connected(conn, now_);
    collect();
  }
  void feed(ConnectionId conn, std::string_view bytes) {
    manager_.on_data(conn, bytes, now_);
    collect();
  }
  void closed(ConnectionId conn) {
    manager_.on_closed(conn, make_error(Errc::kTransport, "test"), now_);
    collect();
  }
  void advance(Duration by) {
    advance_clock(manager_, now_, by);
    collect();
  }
  // Moves the clock to the next deadline and fires it; false if there is none.
  bool fire_deadline() {
    const bool fired = fire_next_deadline(manager_, now_);
    collect();
    return fired;
  }

  // Grant, connect, USR, CAL `invitee`, RINGING and JOI: the switchboard is ready. The CAL is
  // TrId 2; the next command the engine writes is TrId 3.
  ConnectionId open_outgoing(wire::TrId trid, std::string_view invitee = "bob@example.com") {
    const ConnectionId conn = grant(trid);
    connected(conn);
    expect_send(conn, "USR 1 alice@example.com " + std::string(kCookie) + "\r\n");
    feed(conn, "USR 1 OK alice@example.com Alice\r\n");
    expect_send(conn, "CAL 2 " + std::string(invitee) + "\r\n");
    feed(conn, "CAL 2 RINGING 11752013\r\nJOI " + std::string(invitee) + " Bob 0\r\n");
    return conn;
  }
  // Connect, ANS, IRO for each of `present`, ANS OK.
  void answer(ConnectionId conn, const std::vector<std::string>& present) {
    connected(conn);
    expect_send(conn, "ANS 1 alice@example.com 849102291.520491113 11752013\r\n");
    std::string lines;
    for (std::size_t i = 0; i < present.size(); ++i) {
      lines += "IRO 1 " + std::to_string(i + 1) + " " + std::to_string(present.size()) + " " + present[i] +
               " Someone 0\r\n";
    }
    feed(conn, lines + "ANS 1 OK\r\n");
  }

  ConnectionId expect_connect() {
    const out::Connect connect = expect_connect_to(kSbHost);
    assert_int_equal(connect.port, 1863);
    return connect.conn;
  }
  SentMsg expect_msg(ConnectionId conn) { return parse_sent_msg(expect_send(conn)); }
  void expect_out_and_close(ConnectionId conn) {
    expect_send(conn, "OUT\r\n");
    expect_close(conn);
  }

  // ---- web calls ----
  WebCall expect_call() {
    if (calls_.empty()) fail_msg("expected a web call");
    WebCall call = std::move(calls_.front());
    calls_.pop_front();
    return call;
  }
  void expect_no_call() {
    if (!calls_.empty()) fail_msg("unexpected web call to %s", calls_.front().soap_action.c_str());
  }
  void answer_call(const WebCall& call, int status, std::string body) {
    http::Response response;
    response.status = status;
    response.body = std::move(body);
    manager_.on_web_result(call.id, std::move(response), now_);
    collect();
  }
  void fail_call(const WebCall& call) {
    manager_.on_web_result(call.id, make_error(Errc::kTransport, "test"), now_);
    collect();
  }

  void collect() {
    keep_outputs(manager_.take_outputs());
    keep_events(manager_.take_events());
    for (auto& call : manager_.take_web_calls()) calls_.push_back(std::move(call));
  }

 private:
  FakeNs ns_;
  ConnectionIds ids_;
  ConversationManager manager_;
  TimePoint now_{};
  std::deque<WebCall> calls_;
};

// The switchboard's answer to a MSG we sent: delivered (ACK) or not (NAK).
inline void ack(ScriptedConversations& s, ConnectionId conn, const SentMsg& msg) {
  s.feed(conn, "ACK " + std::to_string(msg.trid) + "\r\n");
}
inline void nak(ScriptedConversations& s, ConnectionId conn, const SentMsg& msg) {
  s.feed(conn, "NAK " + std::to_string(msg.trid) + "\r\n");
}

}  // namespace msn::test
