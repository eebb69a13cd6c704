// SPDX-License-Identifier: GPL-2.0-or-later
// Conversations end to end inside the engine: the ConversationManager against a
// scripted NS and scripted switchboards (transcript 02 shapes), with a fake clock. What is
// checked is what the user would see: the events, and what the peer would receive.
#include <memory>
#include <string>
#include <vector>

#include "conversations/scripted_conversations.h"

using msn::ConnectionId;
using msn::Errc;
using msn::test::ScriptedConversations;
using msn::test::SentMsg;
namespace ev = msn::ev;

namespace {

using Fixture = ScriptedConversations;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

constexpr std::string_view kBob = "bob@example.com";

using msn::test::ack;
using msn::test::nak;

// ---- sending over a switchboard -------------------------------------------------------------

void test_messages_typed_while_opening_are_queued_in_order(void** state) {
  auto& s = fx(state);
  const auto id = s.send(kBob, "one");
  assert_int_equal(s.send("BOB@example.com", "<b>two</b>"), id);  // the same conversation
  assert_int_equal(s.send(kBob, "three"), id);
  const auto trid = s.expect_xfr();
  s.expect_no_xfr();  // one switchboard for all three
  s.expect_no_output();
  const ConnectionId sb = s.open_outgoing(trid);
  const SentMsg one = s.expect_msg(sb);
  const SentMsg two = s.expect_msg(sb);
  const SentMsg three = s.expect_msg(sb);
  assert_bytes_equal(one.ack, "A");
  assert_bytes_equal(one.body(), "one");
  assert_bytes_equal(two.body(), "two");
  assert_true(two.payload.find("X-MMS-IM-Format: FN=Segoe%20UI; EF=B;") != std::string::npos);
  assert_bytes_equal(three.body(), "three");
  ack(s, sb, one);
  ack(s, sb, two);
  ack(s, sb, three);
  // Delivered: the UI hears nothing.
  assert_int_equal(s.pending_events(), 0);
  // The next message reuses the open switchboard.
  s.send(kBob, "four");
  s.expect_no_xfr();
  assert_bytes_equal(s.expect_msg(sb).body(), "four");
  // The cookie is never logged.
  assert_true(s.all_logs().find(std::string(msn::test::kCookie)) == std::string::npos);
}

void test_nak_resends_once_on_a_fresh_switchboard_then_fails(void** state) {
  auto& s = fx(state);
  const auto id = s.send(kBob, "hello <i>there</i>");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  const SentMsg sent = s.expect_msg(first);
  nak(s, first, sent);
  assert_true(s.take<ev::MessageFailed>().empty());  // not yet: it is resent first
  s.expect_out_and_close(first);                     // the switchboard that refused it is left
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  assert_true(second != first);
  const SentMsg resent = s.expect_msg(second);
  assert_bytes_equal(resent.body(), "hello there");
  nak(s, second, resent);
  const auto failed = s.take_one<ev::MessageFailed>();
  assert_int_equal(failed.conversation, id);
  assert_false(failed.chat);
  assert_bytes_equal(failed.to, kBob);
  assert_bytes_equal(failed.html, "hello <i>there</i>");  // what the user typed
  assert_int_equal(failed.reason, ev::DeliveryFailure::kRejected);
  s.expect_no_output();  // the switchboard stays for what comes next
  s.expect_no_xfr();     // no third try
}

void test_nak_then_ack_on_the_fresh_switchboard_is_delivered(void** state) {
  auto& s = fx(state);
  s.send(kBob, "hello");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  nak(s, first, s.expect_msg(first));
  s.expect_out_and_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  ack(s, second, s.expect_msg(second));
  assert_int_equal(s.pending_events(), 0);
}

void test_ack_timeout_resends_then_reports_timed_out(void** state) {
  auto& s = fx(state);
  s.send(kBob, "anyone?");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  s.expect_msg(first);
  s.advance(msn::seconds(31));
  s.expect_out_and_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  s.expect_msg(second);
  s.advance(msn::seconds(31));
  const auto failed = s.take_one<ev::MessageFailed>();
  assert_int_equal(failed.reason, ev::DeliveryFailure::kTimedOut);
  assert_bytes_equal(failed.html, "anyone?");
}

void test_drop_mid_burst_delivers_each_message_once(void** state) {
  auto& s = fx(state);
  s.send(kBob, "m1");
  s.send(kBob, "m2");
  s.send(kBob, "m3");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  const SentMsg m1 = s.expect_msg(first);
  s.expect_msg(first);
  s.expect_msg(first);
  ack(s, first, m1);
  s.closed(first);  // the switchboard drops before m2 and m3 are acknowledged
  s.expect_close(first);
  assert_true(s.take<ev::MessageFailed>().empty());
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  const SentMsg m2 = s.expect_msg(second);
  const SentMsg m3 = s.expect_msg(second);
  assert_bytes_equal(m2.body(), "m2");  // m1 was acknowledged: never sent again
  assert_bytes_equal(m3.body(), "m3");
  s.expect_no_output();
  ack(s, second, m2);
  ack(s, second, m3);
  assert_int_equal(s.pending_events(), 0);
}

// Reads MSGs from `conn` (acknowledging each) until their bodies make up `expected_bytes`.
std::string read_parts(Fixture& s, ConnectionId conn, std::size_t expected_bytes, bool acknowledge) {
  std::string joined;
  while (joined.size() < expected_bytes) {
    const SentMsg part = s.expect_msg(conn);
    assert_true(part.payload.size() <= 1664);
    joined += part.body();
    if (acknowledge) ack(s, conn, part);
  }
  return joined;
}

void test_long_message_goes_as_one_multipart_message_and_is_resent_whole(void** state) {
  auto& s = fx(state);
  std::string text;
  for (int i = 0; text.size() < 5000; ++i) text += "word" + std::to_string(i) + " ";
  text.resize(5000);
  s.send(kBob, text);
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  const SentMsg head = s.expect_msg(first);
  assert_true(head.payload.find("\r\nChunks: 4\r\n") != std::string::npos);
  ack(s, first, head);
  // Part of it arrives, then the connection drops: the peer never saw any of it (a multi-part
  // message is shown whole or not at all), so all of it goes again.
  assert_bytes_equal(head.body() + read_parts(s, first, text.size() - head.body().size(), false), text);
  s.expect_no_output();
  s.closed(first);
  s.expect_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  assert_bytes_equal(read_parts(s, second, text.size(), true), text);
  assert_int_equal(s.pending_events(), 0);
}

// Only send_window messages are on the wire unacknowledged; when the switchboard drops, those
// are resent once, and the ones that never left count as first tries on the next switchboard.
void test_send_window_and_drops(void** state) {
  auto& s = fx(state);
  for (int i = 1; i <= 5; ++i) s.send(kBob, "m" + std::to_string(i));  // window 3
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  const SentMsg m1 = s.expect_msg(first);
  s.expect_msg(first);
  s.expect_msg(first);
  s.expect_no_output();  // m4 and m5 wait
  ack(s, first, m1);
  assert_bytes_equal(s.expect_msg(first).body(), "m4");
  s.expect_no_output();
  s.closed(first);  // m2, m3, m4 lost before their ACK (first failure); m5 never left
  s.expect_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  const SentMsg m2 = s.expect_msg(second);
  const SentMsg m3 = s.expect_msg(second);
  const SentMsg m4 = s.expect_msg(second);
  assert_bytes_equal(m2.body(), "m2");
  assert_bytes_equal(m4.body(), "m4");
  s.expect_no_output();
  ack(s, second, m2);
  ack(s, second, m3);
  ack(s, second, m4);
  const SentMsg m5 = s.expect_msg(second);
  assert_bytes_equal(m5.body(), "m5");
  s.closed(second);  // m5's first failure: it gets its one resend; m4 (resent once) was acked
  s.expect_close(second);
  assert_true(s.take<ev::MessageFailed>().empty());
  const ConnectionId third = s.open_outgoing(s.expect_xfr());
  assert_bytes_equal(s.expect_msg(third).body(), "m5");
}

void test_switchboard_never_granted_times_out_then_fails(void** state) {
  auto& s = fx(state);
  s.send(kBob, "first");
  s.refuse(s.expect_xfr(), Errc::kTimeout);  // the NS's deadline for the XFR passed
  assert_true(s.take<ev::MessageFailed>().empty());
  s.refuse(s.expect_xfr(), Errc::kTimeout);  // asked once more, no answer again
  const auto failed = s.take_one<ev::MessageFailed>();
  assert_int_equal(failed.reason, ev::DeliveryFailure::kTimedOut);
  assert_bytes_equal(failed.html, "first");
  s.expect_no_xfr();
  s.expect_no_output();
  // A late grant for a request that gave up is never used.
  s.notice(msn::notice::SwitchboardGranted{11, msn::SwitchboardTicket{"198.51.100.20", 1863, "x"}});
  s.expect_no_output();
}

void test_peer_closing_reopens_on_the_next_message(void** state) {
  auto& s = fx(state);
  s.send(kBob, "hi");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  ack(s, first, s.expect_msg(first));
  s.feed(first, "BYE bob@example.com\r\n");
  s.expect_out_and_close(first);
  s.expect_no_xfr();  // nothing waits: no new switchboard yet
  s.send(kBob, "still there?");
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  assert_bytes_equal(s.expect_msg(second).body(), "still there?");
}

void test_too_many_pending_messages_is_an_error(void** state) {
  auto& s = fx(state);
  for (int i = 0; i < 5; ++i) s.send(kBob, "m" + std::to_string(i));
  auto refused = s.manager().send_message(kBob, "one too many", s.now());
  assert_false(refused.is_ok());
  assert_int_equal(refused.error().code, Errc::kLimit);
  // Bad addresses and our own are refused at once.
  assert_false(s.manager().send_message("not an address", "x", s.now()).is_ok());
  assert_false(s.manager().send_message("alice@example.com", "x", s.now()).is_ok());
  assert_false(s.manager().send_message(kBob, "", s.now()).is_ok());
}

void test_sign_out_reports_every_pending_message(void** state) {
  auto& s = fx(state);
  s.send(kBob, "on the wire");
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  s.expect_msg(sb);
  s.send("carol@example.net", "queued");  // waits for its switchboard
  s.expect_xfr();
  s.manager().shut_down(ev::DeliveryFailure::kSignedOut, msn::make_error(Errc::kTransport, "signed out"), s.now());
  s.collect();
  s.expect_out_and_close(sb);
  auto failed = s.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 2);
  std::sort(failed.begin(), failed.end(),
            [](const auto& a, const auto& b) { return a.html < b.html; });
  // Written without an ACK yet: sent but unconfirmed. Still waiting for its switchboard: not sent.
  assert_bytes_equal(failed[0].html, "on the wire");
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kUnconfirmed);
  assert_bytes_equal(failed[1].html, "queued");
  assert_int_equal(failed[1].reason, ev::DeliveryFailure::kSignedOut);
  assert_false(s.manager().send_message(kBob, "after", s.now()).is_ok());
  assert_int_equal(s.manager().switchboard_count(), 0);
}

// ---- invitations, typing, nudges -------------------------------------------------------------

void test_invitation_is_answered_and_messages_arrive(void** state) {
  auto& s = fx(state);
  s.ns().presence.clear();  // bob is not even on our list: his switchboard still carries replies
  const ConnectionId sb = s.invited();
  s.answer(sb, {"bob@example.com"});
  s.feed(sb, msn::test::peer_text(kBob, "Fine, thanks :)\r\n<b>ok</b>"));
  const auto received = s.take_one<ev::MessageReceived>();
  assert_false(received.chat);
  assert_false(received.offline);
  assert_bytes_equal(received.from, kBob);
  assert_bytes_equal(received.from_name, "Bob");
  assert_bytes_equal(received.html,
                     "<font face=\"Arial\" color=\"#ff0000\"><b>Fine, thanks :)<br>&lt;b&gt;ok&lt;/b&gt;</b></font>");
  // Our answer goes over the switchboard bob opened, and belongs to the same conversation.
  assert_int_equal(s.send(kBob, "great"), received.conversation);
  s.expect_no_xfr();
  assert_bytes_equal(s.expect_msg(sb).body(), "great");
}

void test_typing_and_nudges_both_ways(void** state) {
  auto& s = fx(state);
  // Typing with nothing open is not worth a switchboard.
  assert_true(s.manager().send_typing(kBob, s.now()).is_ok());
  s.collect();
  s.expect_no_xfr();
  s.expect_no_output();
  // A nudge is queued like text until the switchboard opens.
  assert_true(s.manager().send_nudge(kBob, s.now()).is_ok());
  s.collect();
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  const SentMsg nudge = s.expect_msg(sb);
  assert_bytes_equal(nudge.ack, "N");
  assert_bytes_equal(nudge.body(), "ID: 1\r\n");
  assert_true(s.manager().send_typing(kBob, s.now()).is_ok());
  s.collect();
  const SentMsg typing = s.expect_msg(sb);
  assert_bytes_equal(typing.ack, "U");
  assert_true(typing.payload.find("TypingUser: alice@example.com") != std::string::npos);
  s.feed(sb, msn::test::peer_msg_line(kBob, "Bob",
                                      "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\n"
                                      "TypingUser: bob@example.com\r\n\r\n\r\n"));
  const auto typing_in = s.take_one<ev::ConversationTyping>();
  assert_bytes_equal(typing_in.from, kBob);
  s.feed(sb, msn::test::peer_msg_line(kBob, "Bob", "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n"));
  assert_int_equal(s.take_one<ev::ConversationNudge>().conversation, typing_in.conversation);
  // Datacasts, client caps and P2P are ignored gracefully.
  s.feed(sb, msn::test::peer_msg_line(kBob, "Bob", "MIME-Version: 1.0\r\nContent-Type: text/x-clientcaps\r\n\r\nClient-Name: X\r\n"));
  s.feed(sb, msn::test::peer_msg_line(kBob, "Bob", "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: alice@example.com\r\n\r\n\x01\x02"));
  assert_int_equal(s.pending_events(), 0);
  assert_true(s.all_logs().find("ignored") != std::string::npos);
}

// ---- group chats -------------------------------------------------------------------------------

void test_third_person_joining_makes_a_chat(void** state) {
  auto& s = fx(state);
  const auto id = s.send(kBob, "hi");
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  ack(s, sb, s.expect_msg(sb));
  s.feed(sb, "JOI carol@example.net Carol 0\r\n");
  const auto started = s.take_one<ev::ChatStarted>();
  assert_int_equal(started.conversation, id);
  assert_int_equal(started.participants.size(), 2);
  assert_bytes_equal(started.participants[0], kBob);
  assert_bytes_equal(started.participants[1], "carol@example.net");
  s.feed(sb, msn::test::peer_text("carol@example.net", "hello all"));
  const auto received = s.take_one<ev::MessageReceived>();
  assert_true(received.chat);
  assert_int_equal(received.conversation, id);
  // A message to bob alone now starts a new 1:1 conversation.
  assert_true(s.send(kBob, "just you") != id);
  s.expect_xfr();
  s.feed(sb, "BYE carol@example.net\r\n");
  assert_bytes_equal(s.take_one<ev::ChatParticipantLeft>().address, "carol@example.net");
}

void test_start_chat_invite_and_fan_out(void** state) {
  auto& s = fx(state);
  auto chat = s.manager().start_chat(kBob, s.now());
  s.collect();
  assert_true(chat.is_ok());
  assert_int_equal(s.take_one<ev::ChatStarted>().conversation, chat.value());
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  const auto bob = s.take_one<ev::ChatParticipantJoined>();
  assert_bytes_equal(bob.address, kBob);
  assert_true(s.manager().chat_invite(chat.value(), "carol@example.net", s.now()).is_ok());
  s.collect();
  s.expect_send(sb, "CAL 3 carol@example.net\r\n");
  s.feed(sb, "CAL 3 RINGING 11752013\r\nJOI carol@example.net Carol 0\r\n");
  assert_bytes_equal(s.take_one<ev::ChatParticipantJoined>().address, "carol@example.net");
  // One MSG: the switchboard relays it to everyone.
  assert_true(s.manager().chat_send(chat.value(), "hello both", s.now()).is_ok());
  s.collect();
  const SentMsg msg = s.expect_msg(sb);
  assert_bytes_equal(msg.body(), "hello both");
  s.expect_no_output();
  ack(s, sb, msg);
  // An invitation that fails is reported.
  assert_true(s.manager().chat_invite(chat.value(), "dave@example.org", s.now()).is_ok());
  s.collect();
  s.expect_send(sb, "CAL 5 dave@example.org\r\n");
  s.feed(sb, "217 5\r\n");
  const auto invite_failed = s.take_one<ev::ChatInviteFailed>();
  assert_bytes_equal(invite_failed.address, "dave@example.org");
  assert_int_equal(invite_failed.error.server_code, 217);
  // Leaving politely.
  s.manager().chat_leave(chat.value(), s.now());
  s.collect();
  s.expect_out_and_close(sb);
  assert_int_equal(s.pending_events(), 0);
}

// Emoticons announced in a chat go out on its switchboard ahead of the text that uses them.
void test_chat_emoticons_go_before_the_text(void** state) {
  auto& s = fx(state);
  auto chat = s.manager().start_chat(kBob, s.now());
  s.collect();
  assert_true(chat.is_ok());
  s.take_one<ev::ChatStarted>();
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  s.take_one<ev::ChatParticipantJoined>();
  std::vector<msn::wire::MimeMessage> announcements(1);
  announcements[0].set_header("MIME-Version", "1.0");
  announcements[0].set_header("Content-Type", "text/x-mms-emoticon");
  announcements[0].body = ":cat:\t<msnobj/>\t";
  assert_true(
      s.manager().send_chat_emoticons(chat.value(), std::move(announcements), s.now()).is_ok());
  assert_true(s.manager().chat_send(chat.value(), "a :cat:", s.now()).is_ok());
  s.collect();
  const SentMsg announced = s.expect_msg(sb);
  assert_true(announced.payload.find("Content-Type: text/x-mms-emoticon") != std::string::npos);
  assert_bytes_equal(announced.body(), ":cat:\t<msnobj/>\t");
  assert_bytes_equal(announced.ack, "N");
  const SentMsg text = s.expect_msg(sb);
  assert_bytes_equal(text.body(), "a :cat:");
  // Only a chat takes them this way.
  assert_false(s.manager().send_chat_emoticons(chat.value() + 100, {}, s.now()).is_ok());
}

void test_invitation_with_several_people_is_a_chat(void** state) {
  auto& s = fx(state);
  const ConnectionId sb = s.invited();
  s.answer(sb, {"bob@example.com", "carol@example.net"});
  const auto started = s.take_one<ev::ChatStarted>();
  assert_int_equal(started.participants.size(), 2);
  s.feed(sb, msn::test::peer_text(kBob, "welcome"));
  const auto received = s.take_one<ev::MessageReceived>();
  assert_true(received.chat);
  assert_int_equal(received.conversation, started.conversation);
}

// ---- offline messages ----------------------------------------------------------------------------

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>" +
         body + "</soap:Body></soap:Envelope>";
}

const std::string kLockKeyFault = envelope(
    "<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode><faultstring>x</faultstring><detail>"
    "<TweenerChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">tw</TweenerChallenge>"
    "<LockKeyChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">29409134351025259292</LockKeyChallenge>"
    "</detail></soap:Fault>");
const std::string kStored = envelope("<StoreResponse xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\" />");
const std::string kUnavailableFault =
    envelope("<soap:Fault><faultcode>q0:SystemUnavailable</faultcode><faultstring>x</faultstring></soap:Fault>");

void give_tokens(Fixture& s) {
  msn::auth::SecurityToken secure;
  secure.address = "messengersecure.live.com";
  secure.fields = {{"t", "secureT"}, {"p", "secureP"}};
  msn::auth::SecurityToken messenger;
  messenger.address = "messenger.msn.com";
  messenger.fields = {{"t", "rsiT"}, {"p", "rsiP"}};
  s.ns().tokens_.tokens = {secure, messenger};
}

void test_offline_contact_gets_an_offline_message_with_lock_key(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  // On our list and reported offline (never seen online): straight to the offline store.
  s.ns().presence["carol@example.org"] = msn::PresenceStatus::kOffline;
  const auto id = s.send("carol@example.org", "see you <b>later</b>");
  s.expect_no_xfr();
  s.expect_no_output();
  const auto first = s.expect_call();
  assert_bytes_equal(first.url, "https://msn.example.net/OimWS/oim.asmx");
  assert_bytes_equal(first.soap_action, "http://messenger.live.com/ws/2006/09/oim/Store2");
  assert_true(first.body.find("lockkey=\"\"") != std::string::npos);
  assert_true(first.body.find("passport=\"t=secureT&amp;p=secureP\"") != std::string::npos);
  assert_true(first.body.find("<To memberName=\"carol@example.org\"") != std::string::npos);
  assert_true(first.body.find("<MessageNumber>1</MessageNumber>") != std::string::npos);
  s.answer_call(first, 500, kLockKeyFault);
  assert_int_equal(s.pending_events(), 0);
  const auto second = s.expect_call();
  assert_true(second.body.find("lockkey=\"15afbac39c56a0b56001e32af423f912\"") != std::string::npos);
  assert_true(second.body.find("<MessageNumber>1</MessageNumber>") != std::string::npos);
  s.answer_call(second, 200, kStored);
  const auto stored = s.take_one<ev::MessageStoredOffline>();
  assert_int_equal(stored.conversation, id);
  assert_bytes_equal(stored.to, "carol@example.org");
  // The next one: same lock key, next sequence number, same run id.
  s.send("carol@example.org", "again");
  const auto third = s.expect_call();
  assert_true(third.body.find("lockkey=\"15afbac39c56a0b56001e32af423f912\"") != std::string::npos);
  assert_true(third.body.find("<MessageNumber>2</MessageNumber>") != std::string::npos);
  s.answer_call(third, 500, kUnavailableFault);
  const auto failed = s.take_one<ev::MessageFailed>();
  assert_int_equal(failed.reason, ev::DeliveryFailure::kOfflineFailed);
  assert_bytes_equal(failed.html, "again");
  assert_true(s.all_logs().find("secureT") == std::string::npos);
}

void test_recipient_unavailable_on_cal_goes_offline(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.send(kBob, "are you there?");  // presence said online
  const ConnectionId sb = s.grant(s.expect_xfr());
  s.connected(sb);
  s.expect_send(sb);
  s.feed(sb, "USR 1 OK alice@example.com Alice\r\n");
  s.expect_send(sb, "CAL 2 bob@example.com\r\n");
  s.feed(sb, "217 2\r\n");
  s.expect_out_and_close(sb);
  const auto store = s.expect_call();
  assert_true(store.body.find("<To memberName=\"bob@example.com\"") != std::string::npos);
  s.answer_call(store, 200, kStored);
  assert_bytes_equal(s.take_one<ev::MessageStoredOffline>().to, kBob);
  assert_true(s.take<ev::MessageFailed>().empty());
}

// Someone whose presence the server does not report (not on our list) is not known to be
// offline: a switchboard is tried first, and only its CAL answer makes it an offline message.
void test_unknown_presence_tries_a_switchboard_first(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.send("dave@example.org", "hello stranger");
  s.expect_no_call();
  const ConnectionId sb = s.grant(s.expect_xfr());
  s.connected(sb);
  s.expect_send(sb);
  s.feed(sb, "USR 1 OK alice@example.com Alice\r\n");
  s.expect_send(sb, "CAL 2 dave@example.org\r\n");
  s.feed(sb, "217 2\r\n");
  s.expect_out_and_close(sb);
  const auto store = s.expect_call();
  assert_true(store.body.find("<To memberName=\"dave@example.org\"") != std::string::npos);
  s.answer_call(store, 200, kStored);
  assert_bytes_equal(s.take_one<ev::MessageStoredOffline>().to, "dave@example.org");
}

std::string mail(std::string_view from, std::string_view date, int sequence, std::string_view base64) {
  return "From: =?utf-8?B?Qm9i?= <" + std::string(from) + ">\nTo: alice@example.com\nMIME-Version: 1.0\n"
         "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n"
         "X-OIM-Run-Id: {6E1A0C3B-2D4F-4A5B-8C9D-0E1F2A3B4C5D}\nX-OIM-Sequence-Num: " +
         std::to_string(sequence) + "\nDate: " + std::string(date) + "\n\n" + std::string(base64) + "\n";
}

std::string get_message_answer(const std::string& mail_text) {
  std::string escaped;
  for (char c : mail_text) {
    if (c == '<') {
      escaped += "&lt;";
    } else if (c == '>') {
      escaped += "&gt;";
    } else if (c == '&') {
      escaped += "&amp;";
    } else {
      escaped += c;
    }
  }
  return envelope("<GetMessageResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><GetMessageResult>" +
                  escaped + "</GetMessageResult></GetMessageResponse>");
}

std::string mail_data_notice(const std::string& mail_data) {
  return "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8\r\n\r\n"
         "Inbox-Unread: 0\r\nMail-Data: " + mail_data + "\r\n";
}

std::string entry(std::string_view id, std::string_view from) {
  return "<M><T>11</T><S>6</S><RT>2008-06-01T11:00:00Z</RT><RS>0</RS><SZ>880</SZ><E>" + std::string(from) +
         "</E><I>" + std::string(id) + "</I><F>00000000-0000-0000-0000-000000000009</F><N>=?utf-8?B?Qm9i?=</N></M>";
}

void test_offline_messages_are_shown_in_order_then_deleted(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  // Listed newest first; shown in the order they were sent.
  s.notice(msn::notice::OfflineMessagesWaiting{
      mail_data_notice("<MD>" + entry("ID-LATE", "bob@example.com") + entry("ID-EARLY", "bob@example.com") + "</MD>")});
  const auto late = s.expect_call();
  assert_bytes_equal(late.url, "https://msn.example.net/rsi/rsi.asmx");
  assert_bytes_equal(late.soap_action, "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/GetMessage");
  assert_true(late.body.find("<messageId>ID-LATE</messageId>") != std::string::npos);
  assert_true(late.body.find("<t>rsiT</t>") != std::string::npos);
  s.expect_no_call();  // one at a time
  // "Second message" (sent at 04:05) and "First message" (04:00), base64.
  s.answer_call(late, 200, get_message_answer(mail(kBob, "01 Jun 2008 04:05:00 -0800", 2, "U2Vjb25kIG1lc3NhZ2U=")));
  assert_true(s.take<ev::MessageReceived>().empty());  // the batch is shown whole
  const auto early = s.expect_call();
  assert_true(early.body.find("<messageId>ID-EARLY</messageId>") != std::string::npos);
  s.expect_no_call();
  s.answer_call(early, 200, get_message_answer(mail(kBob, "01 Jun 2008 04:00:00 -0800", 1, "Rmlyc3QgbWVzc2FnZQ==")));
  const auto received = s.take<ev::MessageReceived>();
  assert_int_equal(received.size(), 2);
  assert_bytes_equal(received[0].html, "First message");
  assert_bytes_equal(received[1].html, "Second message");
  for (const auto& r : received) {
    assert_true(r.offline);
    assert_false(r.chat);
    assert_bytes_equal(r.from, kBob);
    assert_bytes_equal(r.from_name, "Bob");
  }
  assert_int_equal(*received[0].sent_at, 1212321600);  // 2008-06-01 12:00:00 UTC
  assert_int_equal(*received[1].sent_at, 1212321900);
  const auto deletion = s.expect_call();
  assert_bytes_equal(deletion.soap_action, "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/DeleteMessages");
  assert_true(deletion.body.find("<messageId>ID-LATE</messageId>") != std::string::npos);
  assert_true(deletion.body.find("<messageId>ID-EARLY</messageId>") != std::string::npos);
  s.answer_call(deletion, 200, envelope("<DeleteMessagesResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"/>"));
  // The same list again (an OIM notification while online) fetches nothing twice.
  s.notice(msn::notice::OfflineMessagesWaiting{
      mail_data_notice("<MD>" + entry("ID-LATE", "bob@example.com") + "</MD>")});
  s.expect_no_call();
}

void test_failed_fetch_is_not_deleted(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.notice(msn::notice::OfflineMessagesWaiting{
      mail_data_notice("<MD>" + entry("ID-1", "bob@example.com") + entry("ID-2", "bob@example.com") + "</MD>")});
  s.fail_call(s.expect_call());  // ID-1 could not be fetched
  const auto second = s.expect_call();
  s.answer_call(second, 200, get_message_answer(mail(kBob, "01 Jun 2008 04:00:00 -0800", 1, "SGk=")));
  assert_int_equal(s.take<ev::MessageReceived>().size(), 1);
  const auto deletion = s.expect_call();
  assert_true(deletion.body.find("<messageId>ID-2</messageId>") != std::string::npos);
  assert_true(deletion.body.find("ID-1") == std::string::npos);
  s.expect_no_call();
}

void test_fault_in_get_message_is_not_deleted(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice("<MD>" + entry("ID-1", "bob@example.com") + "</MD>")});
  s.answer_call(s.expect_call(), 500,
                envelope("<soap:Fault><faultcode>q0:AuthenticationFailed</faultcode><faultstring>x</faultstring></soap:Fault>"));
  assert_true(s.take<ev::MessageReceived>().empty());
  s.expect_no_call();  // nothing shown, nothing deleted
}

void test_notice_during_sign_in_waits_until_online(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.ns().online_ = false;
  s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice("<MD>" + entry("ID-1", "bob@example.com") + "</MD>")});
  assert_false(s.manager().resume(s.now()));
  s.collect();
  s.expect_no_call();
  s.ns().online_ = true;
  assert_true(s.manager().resume(s.now()));
  s.collect();
  assert_true(s.expect_call().body.find("<messageId>ID-1</messageId>") != std::string::npos);
  assert_false(s.manager().resume(s.now()));
}

void test_too_large_mail_data_asks_for_the_list(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice("too-large")});
  const auto metadata = s.expect_call();
  assert_bytes_equal(metadata.soap_action, "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/GetMetadata");
  s.answer_call(metadata, 200,
                envelope("<GetMetadataResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><MD>" +
                         entry("ID-9", "bob@example.com") + "</MD></GetMetadataResponse>"));
  const auto fetch = s.expect_call();
  assert_true(fetch.body.find("<messageId>ID-9</messageId>") != std::string::npos);
}

// A revival server that fails the official request shape and sends the list as escaped text.
void test_metadata_retries_with_a_child_and_reads_escaped_mail_data(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice("too-large")});
  const auto first = s.expect_call();
  assert_true(
      first.body.find("<GetMetadata xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\" />") !=
      std::string::npos);
  s.answer_call(first, 500, "Internal Server Error");
  const auto second = s.expect_call();
  assert_bytes_equal(second.soap_action,
                     "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/GetMetadata");
  assert_true(second.body.find("<MD />") != std::string::npos);
  std::string escaped;
  for (char c : "<MD>" + entry("ID-7", "bob@example.com") + "</MD>")
    escaped += c == '<' ? std::string("&lt;") : c == '>' ? std::string("&gt;") : std::string(1, c);
  s.answer_call(
      second, 200,
      envelope("<GetMetadataResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\">" +
               escaped + "</GetMetadataResponse>"));
  const auto fetch = s.expect_call();
  assert_true(fetch.body.find("<messageId>ID-7</messageId>") != std::string::npos);
}

// Neither request shape works: the user is told that messages wait (once), nothing is fetched.
void test_metadata_failing_in_every_shape_is_reported(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice("too-large")});
  s.answer_call(s.expect_call(), 500, "Internal Server Error");
  s.answer_call(s.expect_call(), 500, "Internal Server Error");
  s.expect_no_call();
  s.take_one<ev::OfflineMessagesUnavailable>();
  assert_int_equal(s.pending_events(), 0);
}

void test_malformed_mail_data_is_ignored(void** state) {
  auto& s = fx(state);
  give_tokens(s);
  for (const std::string bad : {"<MD><M><E>bob@example.com</E><I>x", "", "\xff\xfe<<<", "<MD></MD>"}) {
    s.notice(msn::notice::OfflineMessagesWaiting{mail_data_notice(bad)});
  }
  s.notice(msn::notice::OfflineMessagesWaiting{"no headers at all"});
  s.expect_no_call();
  assert_int_equal(s.pending_events(), 0);
  // The engine still works afterwards.
  s.send(kBob, "hi");
  s.expect_xfr();
}

}  // namespace

int main() {
#define CASE(name) MSN_OWNED_TEST(name, Fixture)
  const struct CMUnitTest tests[] = {
      CASE(test_messages_typed_while_opening_are_queued_in_order),
      CASE(test_nak_resends_once_on_a_fresh_switchboard_then_fails),
      CASE(test_nak_then_ack_on_the_fresh_switchboard_is_delivered),
      CASE(test_ack_timeout_resends_then_reports_timed_out),
      CASE(test_drop_mid_burst_delivers_each_message_once),
      CASE(test_long_message_goes_as_one_multipart_message_and_is_resent_whole),
      CASE(test_send_window_and_drops),
      CASE(test_switchboard_never_granted_times_out_then_fails),
      CASE(test_peer_closing_reopens_on_the_next_message),
      CASE(test_too_many_pending_messages_is_an_error),
      CASE(test_sign_out_reports_every_pending_message),
      CASE(test_invitation_is_answered_and_messages_arrive),
      CASE(test_typing_and_nudges_both_ways),
      CASE(test_third_person_joining_makes_a_chat),
      CASE(test_start_chat_invite_and_fan_out),
      CASE(test_chat_emoticons_go_before_the_text),
      CASE(test_invitation_with_several_people_is_a_chat),
      CASE(test_offline_contact_gets_an_offline_message_with_lock_key),
      CASE(test_recipient_unavailable_on_cal_goes_offline),
      CASE(test_unknown_presence_tries_a_switchboard_first),
      CASE(test_offline_messages_are_shown_in_order_then_deleted),
      CASE(test_failed_fetch_is_not_deleted),
      CASE(test_fault_in_get_message_is_not_deleted),
      CASE(test_notice_during_sign_in_waits_until_online),
      CASE(test_too_large_mail_data_asks_for_the_list),
      CASE(test_metadata_retries_with_a_child_and_reads_escaped_mail_data),
      CASE(test_metadata_failing_in_every_shape_is_reported),
      CASE(test_malformed_mail_data_is_ignored),
  };
#undef CASE
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
