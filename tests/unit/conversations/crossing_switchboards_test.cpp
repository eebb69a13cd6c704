// SPDX-License-Identifier: GPL-2.0-or-later
// Two switchboards between the same two people at once (we asked for one and called the contact
// while their RNG came in): the one opened by the lower address is kept on both sides, and
// nothing the user started on the other one is lost. Its queued P2P and nudges move to the kept
// one in order, what it had written finishes on it (P2P for the peer waits until then, so that
// nothing overtakes it), texts are delivered once, and no transfer hears of a lost switchboard.
#include <string>
#include <vector>

#include "conversations/scripted_conversations.h"

using msn::ConnectionId;
using msn::test::ScriptedConversations;
using msn::test::SentMsg;
namespace ev = msn::ev;

namespace {

using Fixture = ScriptedConversations;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

// Lower than our alice@example.com: their switchboard is the one both sides keep.
constexpr std::string_view kAaron = "aaron@example.com";
// Higher: ours is kept.
constexpr std::string_view kBob = "bob@example.com";

void send_p2p(Fixture& s, std::string_view peer, const std::string& body, bool signalling) {
  assert_true(s.manager().send_p2p(peer, body, signalling, s.now()).is_ok());
  s.collect();
}

// The next MSG on `conn` must be the P2P packet `body` (mode D).
SentMsg expect_p2p(Fixture& s, ConnectionId conn, const std::string& body) {
  SentMsg msg = s.expect_msg(conn);
  assert_bytes_equal(msg.ack, "D");
  assert_bytes_equal(msg.body(), body);
  return msg;
}

using msn::test::ack;

std::string p2p_from(std::string_view from, const std::string& body) {
  return msn::test::peer_msg_line(from, "Peer",
                                  "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\n"
                                  "P2P-Dest: alice@example.com\r\n\r\n" +
                                      body);
}

std::size_t lost_notices(Fixture& s) {
  std::size_t lost = 0;
  for (const auto& notice : s.manager().take_p2p()) lost += notice.lost ? 1 : 0;
  return lost;
}

void test_ours_retired_hands_everything_to_theirs_in_order(void** state) {
  auto& s = fx(state);
  s.ns().presence[std::string(kAaron)] = msn::PresenceStatus::kOnline;
  // Ours: a file's INVITE and its first data on the wire (the window is 4), more waiting.
  send_p2p(s, kAaron, "invite", true);
  const ConnectionId ours = s.open_outgoing(s.expect_xfr(), kAaron);
  std::vector<SentMsg> on_wire{expect_p2p(s, ours, "invite")};
  for (const char* data : {"data1", "data2", "data3", "data4", "data5"})
    send_p2p(s, kAaron, data, false);
  for (const char* data : {"data1", "data2", "data3"}) on_wire.push_back(expect_p2p(s, ours, data));
  send_p2p(s, kAaron, "ack-of-theirs", true);  // signalling, queued behind the full window
  // Texts: three on the wire (the send window), the fourth waiting in the conversation.
  std::vector<SentMsg> texts;
  for (const char* text : {"t1", "t2", "t3", "t4"}) s.send(kAaron, text);
  for (int i = 0; i < 3; ++i) texts.push_back(s.expect_msg(ours));
  s.expect_no_output();

  // Aaron's RNG: his switchboard is ready, and it is the one both sides keep.
  const ConnectionId theirs = s.invited(kAaron);
  s.answer(theirs, {std::string(kAaron)});
  // The waiting text goes over his at once; no P2P yet (ours still has some on the wire).
  assert_bytes_equal(s.expect_msg(theirs).body(), "t4");
  s.expect_no_output();
  // Ours still hands on what arrives on it while it finishes.
  s.feed(ours, p2p_from(kAaron, "his-data"));
  const auto received = s.manager().take_p2p();
  assert_int_equal(received.size(), 1);
  assert_false(received[0].lost);
  assert_bytes_equal(received[0].body, "his-data");
  // The ACKs come in; once the last one is there, ours is left.
  for (const SentMsg& msg : on_wire) ack(s, ours, msg);
  for (const SentMsg& msg : texts) ack(s, ours, msg);
  s.expect_out_and_close(ours);
  // Then the rest, in order, signalling first, over his switchboard.
  expect_p2p(s, theirs, "ack-of-theirs");
  const SentMsg d4 = expect_p2p(s, theirs, "data4");
  const SentMsg d5 = expect_p2p(s, theirs, "data5");
  s.expect_no_output();
  // Nothing was lost, and no message failed or was sent twice.
  assert_int_equal(lost_notices(s), 0);
  assert_int_equal(s.take<ev::MessageFailed>().size(), 0);
  ack(s, theirs, d4);
  ack(s, theirs, d5);
  // What comes next goes the same way, with no new switchboard.
  send_p2p(s, kAaron, "data6", false);
  expect_p2p(s, theirs, "data6");
  s.expect_no_xfr();
  assert_int_equal(s.manager().switchboard_count(), 1);
}

// Ours was still ringing when his came: the text and the nudge queued in it go over his.
void test_ours_retired_before_ready_moves_text_and_nudge(void** state) {
  auto& s = fx(state);
  s.ns().presence[std::string(kAaron)] = msn::PresenceStatus::kOnline;
  s.send(kAaron, "hello");
  assert_true(s.manager().send_nudge(kAaron, s.now()).is_ok());
  s.collect();
  const ConnectionId ours = s.grant(s.expect_xfr());
  s.connected(ours);
  s.expect_send(ours, "USR 1 alice@example.com " + std::string(msn::test::kCookie) + "\r\n");
  s.feed(ours, "USR 1 OK alice@example.com Alice\r\n");
  s.expect_send(ours, "CAL 2 aaron@example.com\r\n");
  s.feed(ours, "CAL 2 RINGING 11752013\r\n");
  const ConnectionId theirs = s.invited(kAaron);
  s.answer(theirs, {std::string(kAaron)});
  s.expect_out_and_close(ours);
  const SentMsg first = s.expect_msg(theirs);
  const SentMsg second = s.expect_msg(theirs);
  // Either order is fine for the user; both must arrive exactly once.
  const bool text_first = first.body() == "hello";
  assert_bytes_equal((text_first ? first : second).body(), "hello");
  assert_bytes_equal((text_first ? second : first).body(), "ID: 1\r\n");
  s.expect_no_output();
  assert_int_equal(s.take<ev::MessageFailed>().size(), 0);
}

// The other way round: ours is kept, his is only listened to, and P2P stays on ours.
void test_ours_kept_when_we_are_lower(void** state) {
  auto& s = fx(state);
  send_p2p(s, kBob, "invite", true);
  const ConnectionId ours = s.open_outgoing(s.expect_xfr(), kBob);
  const SentMsg invite = expect_p2p(s, ours, "invite");
  const ConnectionId theirs = s.invited(kBob);
  s.answer(theirs, {std::string(kBob)});
  s.expect_no_output();
  s.feed(theirs, p2p_from(kBob, "his-invite"));
  assert_int_equal(s.manager().take_p2p().size(), 1);
  send_p2p(s, kBob, "data1", false);
  expect_p2p(s, ours, "data1");
  ack(s, ours, invite);
  // He leaves his: nothing of ours was on it.
  s.feed(theirs, "BYE bob@example.com\r\n");
  s.expect_out_and_close(theirs);
  assert_int_equal(lost_notices(s), 0);
  send_p2p(s, kBob, "data2", false);
  expect_p2p(s, ours, "data2");
  s.expect_no_xfr();
}

}  // namespace

int main() {
#define CASE(name) MSN_OWNED_TEST(name, Fixture)
  const struct CMUnitTest tests[] = {
      CASE(test_ours_retired_hands_everything_to_theirs_in_order),
      CASE(test_ours_retired_before_ready_moves_text_and_nudge),
      CASE(test_ours_kept_when_we_are_lower),
  };
#undef CASE
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
