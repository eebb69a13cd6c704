// SPDX-License-Identifier: GPL-2.0-or-later
// SwitchboardSession driven through transcript 02 (both directions) and through everything that
// can go wrong around it: CAL refusals, NAK, ACK timeouts, dropped connections, multi-party
// JOI/BYE, chunked and malformed input. Server bytes are fed whole, byte by byte and split at
// every point; time moves only through the fake clock.
#include <cstdint>
#include <cstdio>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "session/message_split.h"
#include "wire/command_parser.h"
#include "scripted_switchboard.h"

namespace {

using msn::Errc;
using msn::InviteFailure;
using msn::MessageId;
using msn::NotDeliveredReason;
using msn::test::peer_msg;
using msn::test::ScriptedSwitchboard;
namespace ev = msn::ev;

// Payloads of transcript 02, byte for byte.
const std::string kAliceTyping =
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: alice@example.com\r\n\r\n\r\n";
const std::string kAliceText =
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
    "X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0\r\n"
    "Message-ID: {00000000-0000-4000-8000-000000000001}\r\n\r\nHi Bob!\r\nHow are you?";
const std::string kBobTyping =
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: bob@example.com\r\n\r\n\r\n";
const std::string kBobText =
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
    "X-MMS-IM-Format: FN=Arial; EF=B; CO=0000ff; CS=0; PF=22\r\n\r\nFine, thanks :)";
const std::string kNudge = "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n";

// Message-IDs counted from 1 instead of random ones: exact bytes to compare.
msn::SwitchboardConfig counted_ids_config() {
  auto config = msn::test::alice_config();
  config.new_message_id = [n = 0u]() mutable {
    char id[48];
    std::snprintf(id, sizeof id, "{00000000-0000-4000-8000-%012X}", ++n);
    return std::string(id);
  };
  return config;
}

struct Fixture {
  std::unique_ptr<ScriptedSwitchboard> s = std::make_unique<ScriptedSwitchboard>(counted_ids_config());
};

int setup(void** state) {
  *state = new Fixture();
  return 0;
}
int teardown(void** state) {
  delete static_cast<Fixture*>(*state);
  return 0;
}
ScriptedSwitchboard& sb(void** state) { return *static_cast<Fixture*>(*state)->s; }

// Outgoing up to the JOI of bob (transcript 02).
void open_outgoing(ScriptedSwitchboard& s) {
  s.start_outgoing();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send("USR 1 alice@example.com 1719378131.1225456\r\n");
  s.feed("USR 1 OK alice@example.com Alice%20Example\r\n");
  s.expect_send("CAL 2 bob@example.com\r\n");
  s.feed("CAL 2 RINGING 11752013\r\n");
  assert_true(s.take<ev::SwitchboardReady>().empty());
  s.feed("JOI bob@example.com Bob 2789003324\r\n");
  s.take_one<ev::SwitchboardReady>();
  const auto joined = s.take_one<ev::ParticipantJoined>();
  assert_bytes_equal(joined.email, "bob@example.com");
  assert_bytes_equal(joined.friendly_name, "Bob");
  assert_false(joined.was_present);
}

// Incoming up to ANS OK (transcript 02, "Being invited").
void open_incoming(ScriptedSwitchboard& s) {
  s.start_incoming();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send("ANS 1 alice@example.com 849102291.520491113 11752013\r\n");
  s.feed("IRO 1 1 1 bob@example.com Bob 2789003324\r\n");
  const auto joined = s.take_one<ev::ParticipantJoined>();
  assert_bytes_equal(joined.email, "bob@example.com");
  assert_true(joined.was_present);
  assert_true(s.take<ev::SwitchboardReady>().empty());
  s.feed("ANS 1 OK\r\n");
  s.take_one<ev::SwitchboardReady>();
}

std::string msg_line(int trid, char mode, const std::string& payload) {
  return "MSG " + std::to_string(trid) + " " + mode + " " + std::to_string(payload.size()) + "\r\n" + payload;
}

void check_bob_text(const ev::TextReceived& text) {
  assert_bytes_equal(text.from, "bob@example.com");
  assert_bytes_equal(text.friendly_name, "Bob");
  assert_bytes_equal(text.text, "Fine, thanks :)");
  assert_bytes_equal(text.format.font, "Arial");
  assert_true(text.format.bold);
  assert_true(text.format.color.has_value());
  assert_int_equal(*text.format.color, 0xFF0000);  // CO=0000ff is BGR: red
  assert_int_equal(text.format.charset, 0);
  assert_int_equal(text.format.pitch_family, 0x22);
  assert_bytes_equal(msn::msn_to_html(text.text, text.format),
                     "<font face=\"Arial\" color=\"#ff0000\"><b>Fine, thanks :)</b></font>");
}

// Transcript 02 from the JOI on; `byte_by_byte` feeds every server byte on its own.
void run_transcript(ScriptedSwitchboard& s, bool byte_by_byte) {
  s.set_byte_by_byte(byte_by_byte);
  open_outgoing(s);
  s.send_typing();
  s.expect_send(msg_line(3, 'U', kAliceTyping));
  const MessageId id = s.send_text("Hi Bob!\r\nHow are you?");
  s.expect_send(msg_line(4, 'A', kAliceText));
  assert_true(s.take<ev::MessageDelivered>().empty());
  s.feed("ACK 4\r\n");
  assert_int_equal(s.take_one<ev::MessageDelivered>().id, id);
  s.feed(peer_msg("bob@example.com", "Bob", kBobTyping));
  assert_bytes_equal(s.take_one<ev::TypingReceived>().from, "bob@example.com");
  s.feed(peer_msg("bob@example.com", "Bob", kBobText));
  check_bob_text(s.take_one<ev::TextReceived>());
  s.send_nudge();
  s.expect_send(msg_line(5, 'N', kNudge));
  s.feed("BYE bob@example.com\r\n");
  const auto left = s.take_one<ev::ParticipantLeft>();
  assert_bytes_equal(left.email, "bob@example.com");
  assert_false(left.idle);
  s.expect_out_and_close();
  assert_false(s.take_one<ev::SwitchboardClosed>().error.has_value());
  assert_true(s.sb().finished());
  assert_false(s.sb().next_deadline().has_value());
  assert_int_equal(s.pending_events(), 0);
  // The cookie is a credential: it never appears in a log line.
  assert_true(s.all_logs().find("1719378131") == std::string::npos);
}

void test_transcript_whole(void** state) { run_transcript(sb(state), false); }
void test_transcript_byte_by_byte(void** state) { run_transcript(sb(state), true); }

// The server's side after the JOI as one stream, cut into two pieces at every byte.
void test_transcript_split_everywhere(void** /*state*/) {
  const std::string stream = "ACK 3\r\n" + peer_msg("bob@example.com", "Bob", kBobTyping) +
                             peer_msg("bob@example.com", "Bob", kBobText) + "BYE bob@example.com 1\r\n";
  for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
    auto s = std::make_unique<ScriptedSwitchboard>(counted_ids_config());
    open_outgoing(*s);
    const MessageId id = s->send_text("Hi Bob!\r\nHow are you?");
    s->expect_send(msg_line(3, 'A', kAliceText));
    s->feed(std::string_view(stream).substr(0, cut));
    s->feed(std::string_view(stream).substr(cut));
    assert_int_equal(s->take_one<ev::MessageDelivered>().id, id);
    assert_int_equal(s->take<ev::TypingReceived>().size(), 1);
    check_bob_text(s->take_one<ev::TextReceived>());
    assert_true(s->take_one<ev::ParticipantLeft>().idle);  // BYE with the extra parameter
    s->expect_out_and_close();
    s->take_one<ev::SwitchboardClosed>();
  }
}

void test_messages_wait_for_the_first_join(void** state) {
  auto& s = sb(state);
  const MessageId first = s.send_text("one");
  s.send_nudge();
  s.start_outgoing();
  s.expect_connect("198.51.100.20", 1863);
  const MessageId second = s.send_text("two");
  s.connected();
  s.expect_send();  // USR
  s.feed("USR 1 OK alice@example.com Alice\r\n");
  s.expect_send("CAL 2 bob@example.com\r\n");
  s.feed("CAL 2 RINGING 1\r\n");
  s.expect_no_output();
  s.feed("JOI bob@example.com Bob 0\r\n");
  const std::string one = s.expect_send();
  assert_true(one.rfind("MSG 3 A ", 0) == 0);
  assert_true(one.size() > 3 && one.substr(one.size() - 3) == "one");
  s.expect_send(msg_line(4, 'N', kNudge));
  const std::string two = s.expect_send();
  assert_true(two.rfind("MSG 5 A ", 0) == 0);
  s.feed("ACK 5\r\nACK 3\r\n");
  const auto delivered = s.take<ev::MessageDelivered>();
  assert_int_equal(delivered.size(), 2);
  assert_int_equal(delivered[0].id, second);
  assert_int_equal(delivered[1].id, first);
}

void test_invited_flow(void** state) {
  auto& s = sb(state);
  auto rng = msn::wire::CommandParser();
  assert_true(rng.feed("RNG 11752013 198.51.100.20:1863 CKI 849102291.520491113 bob@example.com B%C3%B6b U "
                       "messenger.msn.com 1\r\n")
                  .is_ok());
  auto invitation = msn::parse_rng(*rng.next());
  assert_true(invitation.is_ok());
  assert_bytes_equal(invitation->session_id, "11752013");
  assert_bytes_equal(invitation->host, "198.51.100.20");
  assert_int_equal(invitation->port, 1863);
  assert_bytes_equal(invitation->cookie, "849102291.520491113");
  assert_bytes_equal(invitation->inviter, "bob@example.com");
  assert_bytes_equal(invitation->inviter_name, "B\xC3\xB6" "b");

  open_incoming(s);
  assert_bytes_equal(s.sb().peer(), "bob@example.com");
  s.feed(peer_msg("bob@example.com", "Bob", kBobText));
  check_bob_text(s.take_one<ev::TextReceived>());
  s.feed(peer_msg("bob@example.com", "Bob", kNudge));
  assert_bytes_equal(s.take_one<ev::NudgeReceived>().from, "bob@example.com");
  const MessageId id = s.send_text("Hi Bob!\r\nHow are you?");
  s.expect_send(msg_line(2, 'A', kAliceText));
  s.feed("ACK 2\r\n");
  assert_int_equal(s.take_one<ev::MessageDelivered>().id, id);
  s.leave();
  s.expect_out_and_close();
  assert_false(s.take_one<ev::SwitchboardClosed>().error.has_value());
}

void test_invited_but_everyone_left(void** state) {
  auto& s = sb(state);
  s.start_incoming();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send();
  s.feed("IRO 1 1 2 b\xE9@example.com Bob 0\r\n");  // not UTF-8: never shown
  assert_true(s.take<ev::ParticipantJoined>().empty());
  s.feed("IRO 1 2 2 bob@example.com Bob 0\r\nBYE bob@example.com\r\nANS 1 OK\r\n");
  s.take_one<ev::ParticipantLeft>();
  assert_true(s.take<ev::SwitchboardReady>().empty());
  s.expect_out_and_close();
  s.take_one<ev::SwitchboardClosed>();
}

void test_cal_217_falls_back_to_offline(void** state) {
  auto& s = sb(state);
  const MessageId id = s.send_text("are you there?");
  s.start_outgoing("carol@example.net");
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send();
  s.feed("USR 1 OK alice@example.com Alice\r\n");
  s.expect_send("CAL 2 carol@example.net\r\n");
  s.feed("217 2\r\n");
  const auto failed = s.take_one<ev::InviteFailed>();
  assert_bytes_equal(failed.email, "carol@example.net");
  assert_int_equal(failed.reason, InviteFailure::kUnavailable);
  assert_int_equal(failed.server_code, 217);
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kRecipientUnavailable);
  assert_bytes_equal(lost.text, "are you there?");
  assert_int_equal(lost.recipients.size(), 1);
  assert_bytes_equal(lost.recipients[0], "carol@example.net");
  s.expect_out_and_close();
  s.take_one<ev::SwitchboardClosed>();
  assert_int_equal(s.pending_events(), 0);
}

void test_cal_error_codes(void** /*state*/) {
  const struct {
    int code;
    InviteFailure reason;
    NotDeliveredReason message_reason;
  } cases[] = {
      {215, InviteFailure::kAlreadyThere, NotDeliveredReason::kNoParticipants},
      {216, InviteFailure::kUnavailable, NotDeliveredReason::kRecipientUnavailable},
      {208, InviteFailure::kInvalidAddress, NotDeliveredReason::kNoParticipants},
      {713, InviteFailure::kTooManyInvites, NotDeliveredReason::kNoParticipants},
      {500, InviteFailure::kOther, NotDeliveredReason::kNoParticipants},
  };
  for (const auto& c : cases) {
    auto s = std::make_unique<ScriptedSwitchboard>();
    s->start_outgoing();
    s->expect_connect("198.51.100.20", 1863);
    s->send_text("hello");
    s->connected();
    s->feed("USR 1 OK alice@example.com Alice\r\n" + std::to_string(c.code) + " 2\r\n");
    const auto failed = s->take_one<ev::InviteFailed>();
    assert_int_equal(failed.reason, c.reason);
    assert_int_equal(failed.server_code, c.code);
    assert_int_equal(s->take_one<ev::MessageNotDelivered>().reason, c.message_reason);
    s->take_one<ev::SwitchboardClosed>();
  }
}

void test_nak_is_not_delivered(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  msn::TextFormat format;
  format.font = "Arial";
  format.bold = true;
  const MessageId id = s.send_text("h\xC3\xA9llo", format);
  s.expect_send();
  s.feed("NAK 3\r\n");
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kRejected);
  assert_bytes_equal(lost.text, "h\xC3\xA9llo");
  assert_true(lost.format == format);
  assert_bytes_equal(lost.recipients.at(0), "bob@example.com");
  // A late ACK for the same TrId changes nothing.
  s.feed("ACK 3\r\n");
  assert_int_equal(s.pending_events(), 0);
  assert_true(s.sb().is_ready());
}

void test_ack_timeout(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const MessageId id = s.send_text("anyone?");
  s.expect_send();
  s.advance(msn::seconds(29));
  assert_int_equal(s.pending_events(), 0);
  s.advance(msn::seconds(1));
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kTimedOut);
  s.feed("ACK 3\r\n");
  assert_int_equal(s.pending_events(), 0);
  assert_true(s.sb().is_ready());
  assert_false(s.sb().next_deadline().has_value());
}

void test_custom_ack_timeout(void** /*state*/) {
  auto config = msn::test::alice_config();
  config.timeouts.ack = msn::seconds(5);
  auto s = std::make_unique<ScriptedSwitchboard>(config);
  open_outgoing(*s);
  s->send_text("quick");
  s->expect_send();
  assert_true(s->fire_deadline());
  assert_true(s->now() == msn::TimePoint{} + msn::seconds(5));
  assert_int_equal(s->take_one<ev::MessageNotDelivered>().reason, NotDeliveredReason::kTimedOut);
}

void test_connection_drop_before_ack(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const MessageId sent = s.send_text("one");
  s.expect_send();
  const MessageId acked = s.send_text("two");
  s.expect_send();
  s.feed("ACK 4\r\n");
  assert_int_equal(s.take_one<ev::MessageDelivered>().id, acked);
  s.closed();
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, sent);
  assert_int_equal(lost.reason, NotDeliveredReason::kConnectionLost);
  s.expect_close();
  const auto closed = s.take_one<ev::SwitchboardClosed>();
  assert_true(closed.error.has_value());
  assert_int_equal(closed.error->code, Errc::kTransport);
  // The session is over and says so.
  assert_false(s.sb().send_text("three", {}, s.now()).is_ok());
  assert_false(s.sb().accepts_messages());
}

void test_close_resolves_everything(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const MessageId a = s.send_text("a");
  s.expect_send();
  s.close();
  s.expect_out_and_close();
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, a);
  assert_int_equal(lost.reason, NotDeliveredReason::kClosed);
  assert_false(s.take_one<ev::SwitchboardClosed>().error.has_value());
  s.close();  // twice is harmless
  s.expect_no_output();
  assert_int_equal(s.pending_events(), 0);
}

void test_close_before_connecting(void** state) {
  auto& s = sb(state);
  const MessageId a = s.send_text("queued");
  s.close();
  s.expect_no_output();  // nothing was ever opened
  assert_int_equal(s.take_one<ev::MessageNotDelivered>().id, a);
  s.take_one<ev::SwitchboardClosed>();
}

void test_leave_waits_for_acks(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const MessageId id = s.send_text("bye now");
  s.expect_send();
  s.leave();
  s.expect_no_output();
  assert_false(s.sb().accepts_messages());
  assert_false(s.sb().send_text("more", {}, s.now()).is_ok());
  s.feed("ACK 3\r\n");
  assert_int_equal(s.take_one<ev::MessageDelivered>().id, id);
  s.expect_out_and_close();
  s.take_one<ev::SwitchboardClosed>();
}

void test_last_bye_waits_for_acks(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const MessageId id = s.send_text("still there?");
  s.expect_send();
  s.feed("BYE bob@example.com\r\n");
  s.take_one<ev::ParticipantLeft>();
  s.expect_no_output();
  assert_false(s.sb().accepts_messages());
  // The server never answers: the ack timeout still ends it all.
  assert_true(s.fire_deadline());
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kTimedOut);
  s.expect_out_and_close();
  s.take_one<ev::SwitchboardClosed>();
}

void test_multi_party(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  s.invite("carol@example.net");
  s.expect_send("CAL 3 carol@example.net\r\n");
  s.feed("CAL 3 RINGING 11752013\r\nJOI carol@example.net Carol%20C 0\r\n");
  const auto carol = s.take_one<ev::ParticipantJoined>();
  assert_bytes_equal(carol.friendly_name, "Carol C");
  assert_int_equal(s.sb().participants().size(), 2);
  assert_true(s.take<ev::SwitchboardReady>().empty());  // already ready
  // Someone invited by another participant joins too.
  s.feed("JOI dave@example.com Dave 0\r\nJOI dave@example.com Dave 0\r\n");
  assert_int_equal(s.take<ev::ParticipantJoined>().size(), 1);
  // An address that is not UTF-8 never reaches the UI.
  s.feed("JOI eve\xFF@example.com Eve 0\r\nJOI \xC3(@example.com X 0\r\n");
  assert_true(s.take<ev::ParticipantJoined>().empty());
  assert_int_equal(s.sb().participants().size(), 3);
  s.feed("BYE bob@example.com\r\nBYE dave@example.com\r\n");
  assert_int_equal(s.take<ev::ParticipantLeft>().size(), 2);
  s.expect_no_output();
  assert_true(s.sb().has_participant("CAROL@example.net"));
  s.send_text("just us");
  s.expect_send();
  s.feed("ACK 4\r\n");
  s.take_one<ev::MessageDelivered>();
  s.feed("BYE carol@example.net 1\r\n");
  assert_true(s.take_one<ev::ParticipantLeft>().idle);
  s.expect_out_and_close();
  s.take_one<ev::SwitchboardClosed>();
}

void test_invite_failure_with_others_present(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  s.invite("carol@example.net");
  s.expect_send("CAL 3 carol@example.net\r\n");
  s.feed("217 3\r\n");
  assert_int_equal(s.take_one<ev::InviteFailed>().reason, InviteFailure::kUnavailable);
  s.expect_no_output();  // bob is still here
  assert_true(s.sb().is_ready());
  // Inviting someone already here is refused locally.
  assert_false(s.sb().invite("bob@example.com", s.now()).is_ok());
  assert_false(s.sb().invite("bad address", s.now()).is_ok());
}

void test_long_message_is_split(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  std::string text;
  for (int i = 0; i < 700; ++i) text += "\xE2\x82\xAC ";  // "€ " x 700 = 2800 bytes
  const MessageId id = s.send_text(text);
  std::vector<std::string> bodies;
  std::vector<std::string> payloads;
  int trid = 3;
  for (;;) {
    const std::string bytes = s.expect_send();
    const std::string prefix = "MSG " + std::to_string(trid) + " A ";
    assert_true(bytes.rfind(prefix, 0) == 0);
    const auto eol = bytes.find("\r\n");
    const std::string payload = bytes.substr(eol + 2);
    assert_int_equal(std::stoul(bytes.substr(prefix.size(), eol - prefix.size())), payload.size());
    assert_true(payload.size() <= msn::kMaxMsgPayload);
    bodies.push_back(payload.substr(payload.find("\r\n\r\n") + 4));
    payloads.push_back(payload);
    ++trid;
    if (bodies.size() == 2) break;
  }
  s.expect_no_output();
  assert_bytes_equal(bodies[0] + bodies[1], text);
  // One multi-part message: the receiver shows it once it has both parts.
  assert_true(payloads[0].find("Content-Type: text/plain; charset=UTF-8\r\n") != std::string::npos);
  assert_true(payloads[0].find("Message-ID: {00000000-0000-4000-8000-000000000001}\r\nChunks: 2\r\n\r\n") !=
              std::string::npos);
  assert_true(payloads[1].rfind("Message-ID: {00000000-0000-4000-8000-000000000001}\r\nChunk: 1\r\n\r\n", 0) == 0);
  s.feed("ACK 3\r\n");
  assert_true(s.take<ev::MessageDelivered>().empty());  // one piece is not the whole message
  s.feed("ACK 4\r\n");
  assert_int_equal(s.take_one<ev::MessageDelivered>().id, id);
}

void test_partly_delivered_message(void** state) {
  auto& s = sb(state);
  open_outgoing(s);
  const std::string text(4000, 'x');
  const MessageId id = s.send_text(text);
  std::vector<std::string> bodies;
  for (int i = 0; i < 3; ++i) {
    const std::string bytes = s.expect_send();
    bodies.push_back(bytes.substr(bytes.find("\r\n\r\n") + 4));
  }
  s.feed("ACK 3\r\nNAK 4\r\nACK 5\r\n");
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kRejected);
  // A multi-part message missing a part is never shown: all of it is reported.
  assert_bytes_equal(lost.text, bodies[0] + bodies[1] + bodies[2]);
  assert_bytes_equal(lost.text, text);
  assert_true(s.take<ev::MessageDelivered>().empty());
}

void test_typing_and_nudges_need_an_open_conversation(void** state) {
  auto& s = sb(state);
  assert_false(s.sb().send_typing(s.now()).is_ok());
  assert_false(s.sb().send_text("", {}, s.now()).is_ok());
  open_outgoing(s);
  s.send_typing();
  s.expect_send(msg_line(3, 'U', kAliceTyping));
  s.send_nudge();
  s.expect_send(msg_line(4, 'N', kNudge));
  // A NAK for the nudge is logged, not reported as a lost message.
  s.feed("NAK 4\r\n");
  assert_int_equal(s.pending_events(), 0);
}

void test_connect_timeout(void** state) {
  auto& s = sb(state);
  const MessageId id = s.send_text("hello");
  s.start_outgoing();
  s.expect_connect("198.51.100.20", 1863);
  assert_true(s.fire_deadline());
  assert_true(s.now() == msn::TimePoint{} + msn::seconds(30));
  s.expect_close();
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_int_equal(lost.id, id);
  assert_int_equal(lost.reason, NotDeliveredReason::kConnectionLost);
  assert_int_equal(s.take_one<ev::SwitchboardClosed>().error->code, Errc::kTimeout);
}

void test_sign_in_timeouts(void** /*state*/) {
  // No USR answer; no ANS answer; no CAL answer; RINGING without a JOI.
  for (int step = 0; step < 4; ++step) {
    auto s = std::make_unique<ScriptedSwitchboard>();
    if (step == 1) {
      s->start_incoming();
    } else {
      s->start_outgoing();
    }
    s->expect_connect("198.51.100.20", 1863);
    s->send_text("hello");
    s->connected();
    s->expect_send();
    if (step >= 2) {
      s->feed("USR 1 OK alice@example.com Alice\r\n");
      s->expect_send("CAL 2 bob@example.com\r\n");
    }
    if (step == 3) s->feed("CAL 2 RINGING 1\r\n");
    s->advance(msn::seconds(29));
    assert_int_equal(s->pending_events(), 0);
    assert_true(s->fire_deadline());
    if (step >= 2) {
      assert_int_equal(s->take_one<ev::InviteFailed>().reason, InviteFailure::kTimedOut);
      assert_int_equal(s->take_one<ev::MessageNotDelivered>().reason, NotDeliveredReason::kNoParticipants);
      s->expect_out_and_close();
      assert_false(s->take_one<ev::SwitchboardClosed>().error.has_value());
      // RINGING moves the deadline to the join timeout.
      assert_true(s->now() == msn::TimePoint{} + msn::seconds(step == 3 ? 60 : 30));
    } else {
      s->expect_close();
      assert_int_equal(s->take_one<ev::MessageNotDelivered>().reason, NotDeliveredReason::kConnectionLost);
      assert_int_equal(s->take_one<ev::SwitchboardClosed>().error->code, Errc::kTimeout);
    }
    assert_false(s->sb().next_deadline().has_value());
  }
}

void test_sign_in_refused(void** state) {
  auto& s = sb(state);
  s.start_outgoing();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send();
  s.feed("911 1\r\n");
  s.expect_close();
  const auto closed = s.take_one<ev::SwitchboardClosed>();
  assert_int_equal(closed.error->server_code, 911);
}

// A line the switchboard cannot read is skipped and the conversation goes on; a payload length
// that cannot be trusted leaves the stream unreadable and ends it.
void test_unreadable_lines_are_skipped(void** /*state*/) {
  for (const std::string& junk :
       {std::string("\x01\x02 garbage\r\n", 12), std::string(20000, 'A') + "\r\n",
        std::string("MSG bob Bob\r\n"), std::string("msg x\r\n")}) {
    auto s = std::make_unique<ScriptedSwitchboard>();
    open_outgoing(*s);
    const MessageId id = s->send_text("x");
    s->expect_send();
    s->feed(junk + "ACK 3\r\n");
    assert_int_equal(s->take_one<ev::MessageDelivered>().id, id);
    assert_true(s->take<ev::SwitchboardClosed>().empty());
    s->expect_no_output();
  }
}

void test_untrustworthy_length_ends_the_session(void** /*state*/) {
  for (const std::string& junk :
       {std::string("MSG bob Bob 99999999\r\n"), std::string("MSG bob Bob -4\r\n")}) {
    auto s = std::make_unique<ScriptedSwitchboard>();
    open_outgoing(*s);
    const MessageId id = s->send_text("x");
    s->expect_send();
    // An ACK framed before the bad line still counts.
    s->feed("ACK 3\r\n" + junk);
    assert_int_equal(s->take_one<ev::MessageDelivered>().id, id);
    s->expect_close();
    const auto code = s->take_one<ev::SwitchboardClosed>().error->code;
    assert_true(code == Errc::kProtocol || code == Errc::kLimit);
  }
}

void test_incoming_text_decoding(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  // Invalid UTF-8 is replaced, not passed on and not fatal.
  s.feed(peer_msg("bob@example.com", "Bob", "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\ncaf\xC3"));
  assert_bytes_equal(s.take_one<ev::TextReceived>().text, "caf\xEF\xBF\xBD");
  // No charset and not UTF-8: windows-1252.
  s.feed(peer_msg("bob@example.com", "Bob", "MIME-Version: 1.0\r\nContent-Type: text/plain\r\n\r\ncaf\xE9 \x80"));
  assert_bytes_equal(s.take_one<ev::TextReceived>().text, "caf\xC3\xA9 \xE2\x82\xAC");
  // A friendly name with invalid escapes or bytes never breaks anything.
  s.feed(peer_msg("bob@example.com", "%FF%zz", "Content-Type: text/plain\r\n\r\nhi"));
  const auto odd = s.take_one<ev::TextReceived>();
  assert_bytes_equal(odd.friendly_name, "\xEF\xBF\xBD%zz");
  // An empty text is not a message.
  s.feed(peer_msg("bob@example.com", "Bob", "Content-Type: text/plain\r\n\r\n"));
  assert_true(s.take<ev::TextReceived>().empty());
  // A header block over the limit drops that message only.
  std::string big = "Content-Type: text/plain\r\n";
  for (int i = 0; i < 100; ++i) big += "X-H" + std::to_string(i) + ": v\r\n";
  s.feed(peer_msg("bob@example.com", "Bob", big + "\r\nhi"));
  assert_true(s.take<ev::TextReceived>().empty());
  assert_true(s.sb().is_ready());
}

void test_chunked_message_is_joined(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  // The chunk boundary falls inside "ö": joining happens before decoding.
  const std::string first =
      "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\nMessage-ID: {AB}\r\nChunks: 3\r\n\r\nHello w\xC3";
  const std::string second = "Message-ID: {AB}\r\nChunk: 1\r\n\r\n\xB6rl";
  const std::string third = "Message-ID: {AB}\r\nChunk: 2\r\n\r\nd";
  s.feed(peer_msg("bob@example.com", "Bob", first) + peer_msg("bob@example.com", "Bob", second));
  assert_true(s.take<ev::TextReceived>().empty());
  s.feed(peer_msg("bob@example.com", "Bob", third));
  assert_bytes_equal(s.take_one<ev::TextReceived>().text, "Hello w\xC3\xB6rld");
  // Out of order: dropped, never shown half.
  s.feed(peer_msg("bob@example.com", "Bob", first) + peer_msg("bob@example.com", "Bob", third) +
         peer_msg("bob@example.com", "Bob", second));
  assert_true(s.take<ev::TextReceived>().empty());
  // A bad chunk count is dropped too; "Chunks: 1" is just a message.
  s.feed(peer_msg("bob@example.com", "Bob", "Content-Type: text/plain\r\nMessage-ID: {C}\r\nChunks: 99999\r\n\r\nx"));
  s.feed(peer_msg("bob@example.com", "Bob", "Content-Type: text/plain\r\nMessage-ID: {D}\r\nChunks: 1\r\n\r\ny"));
  assert_bytes_equal(s.take_one<ev::TextReceived>().text, "y");
}

// Ink is an image in base64: its chunks may join past the 128 KiB that bounds other messages
// (aMSN cuts it in 1202-character pieces), and the joined message goes on as ink.
void test_chunked_ink_is_joined(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  const std::string piece(1202, 'A');
  constexpr int kChunks = 150;  // about 176 KiB
  s.feed(peer_msg("bob@example.com", "Bob",
                  "MIME-Version: 1.0\r\nContent-Type: image/gif\r\nMessage-ID: {I}\r\nChunks: " +
                      std::to_string(kChunks) + "\r\n\r\nbase64:" + piece));
  for (int i = 1; i < kChunks; ++i)
    s.feed(peer_msg("bob@example.com", "Bob",
                    "Message-ID: {I}\r\nChunk: " + std::to_string(i) + "\r\n\r\n" + piece));
  const auto ink = s.take_one<ev::OtherMessageReceived>();
  assert_int_equal(ink.kind, msn::wire::MessageKind::kInk);
  assert_int_equal(ink.message.body.size(), 7 + piece.size() * kChunks);
  // Text keeps its smaller bound.
  s.feed(peer_msg("bob@example.com", "Bob",
                  "Content-Type: text/plain\r\nMessage-ID: {T}\r\nChunks: " +
                      std::to_string(kChunks) + "\r\n\r\n" + piece));
  assert_true(s.take<ev::TextReceived>().empty());
}

void test_other_messages(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  s.feed(peer_msg("bob@example.com", "Bob",
                  "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: alice@example.com\r\n\r\n"
                  "0123456789"));
  // P2P for us goes to the P2P layer as its binary body (switchboard_p2p_test has the rest).
  assert_bytes_equal(s.take_one<ev::P2pReceived>().body, "0123456789");
  assert_true(s.take<ev::OtherMessageReceived>().empty());
  s.feed(peer_msg("bob@example.com", "Bob", "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 2\r\n"));
  assert_int_equal(s.take_one<ev::OtherMessageReceived>().kind, msn::wire::MessageKind::kDatacast);
  s.expect_no_output();
  // A legacy invitation is declined so the sender stops waiting.
  s.feed(peer_msg("bob@example.com", "Bob",
                  "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n"
                  "Application-Name: NetMeeting\r\nInvitation-Command: INVITE\r\nInvitation-Cookie: 77\r\n"));
  assert_int_equal(s.take_one<ev::OtherMessageReceived>().kind, msn::wire::MessageKind::kInvitation);
  const std::string reply = s.expect_send();
  assert_true(reply.rfind("MSG 2 U ", 0) == 0);
  assert_true(reply.find("Invitation-Command: CANCEL\r\nInvitation-Cookie: 77\r\n") != std::string::npos);
}

void test_parse_xfr(void** /*state*/) {
  const struct {
    const char* line;
    bool ok;
  } cases[] = {
      {"XFR 11 SB 198.51.100.20:1863 CKI 1719378131.1225456 U messenger.msn.com 1\r\n", true},
      {"XFR 11 SB 198.51.100.20:1863 CKI 1719378131.1225456\r\n", true},
      {"XFR 11 SB 198.51.100.20 CKI 1\r\n", false},
      {"XFR 11 SB 198.51.100.20:99999 CKI 1\r\n", false},
      {"XFR 11 SB 198.51.100.20:1863 MD5 1\r\n", false},
      {"XFR 11 NS 198.51.100.20:1863 CKI 1\r\n", false},
      {"XFR 11 SB 198.51.100.20:1863 CKI\r\n", false},
  };
  for (const auto& c : cases) {
    msn::wire::CommandParser parser;
    assert_true(parser.feed(c.line).is_ok());
    const auto ticket = msn::parse_xfr_switchboard(*parser.next());
    assert_int_equal(ticket.is_ok(), c.ok);
    if (c.ok) {
      assert_bytes_equal(ticket->host, "198.51.100.20");
      assert_int_equal(ticket->port, 1863);
      assert_bytes_equal(ticket->cookie, "1719378131.1225456");
    }
  }
  for (const char* line : {"RNG 1 h:1 CKI c\r\n", "RNG 1 h CKI c bob@example.com Bob\r\n",
                           "RNG 1 h:1 MD5 c bob@example.com Bob\r\n", "RNG  h:1 CKI c bob@example.com Bob\r\n"}) {
    msn::wire::CommandParser parser;
    assert_true(parser.feed(line).is_ok());
    assert_false(msn::parse_rng(*parser.next()).is_ok());
  }
}

void test_pending_limit(void** /*state*/) {
  auto config = msn::test::alice_config();
  config.max_pending_messages = 2;
  auto s = std::make_unique<ScriptedSwitchboard>(config);
  s->send_text("1");
  s->send_text("2");
  const auto third = s->sb().send_text("3", {}, s->now());
  assert_false(third.is_ok());
  assert_int_equal(third.error().code, Errc::kLimit);
}

// Property: whatever happens, every accepted message ends in exactly one Delivered or
// NotDelivered, and nothing else is ever reported about it.
void test_every_message_resolved_exactly_once(void** /*state*/) {
  std::uint32_t rng = 12345;
  auto next = [&rng](std::uint32_t n) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return rng % n;
  };
  for (int round = 0; round < 300; ++round) {
    auto s = std::make_unique<ScriptedSwitchboard>();
    std::set<MessageId> accepted;
    std::map<MessageId, int> resolved;
    std::vector<std::uint32_t> trids;  // MSG A TrIds seen on the wire
    auto drain = [&] {
      for (const auto& d : s->take<ev::MessageDelivered>()) ++resolved[d.id];
      for (const auto& d : s->take<ev::MessageNotDelivered>()) ++resolved[d.id];
    };
    auto scan_outputs = [&] {
      while (true) {
        auto bytes_or = s->sb().take_outputs();
        if (bytes_or.empty()) break;
        for (const auto& output : bytes_or) {
          if (const auto* send = std::get_if<msn::out::Send>(&output)) {
            const std::string& b = send->bytes;
            if (b.rfind("MSG ", 0) == 0 && b.find(" A ") != std::string::npos)
              trids.push_back(static_cast<std::uint32_t>(std::stoul(b.substr(4))));
          }
        }
      }
    };
    const bool incoming = next(2) == 0;
    if (incoming) {
      s->sb().start_incoming(msn::SwitchboardInvitation{"1", "h", 1, "c", "bob@example.com", "Bob"}, s->now());
    } else {
      s->sb().start_outgoing(msn::SwitchboardTicket{"h", 1, "c"}, "bob@example.com", s->now());
    }
    bool connected = false;
    for (int step = 0; step < 40 && !s->sb().finished(); ++step) {
      switch (next(12)) {
        case 0:
        case 1: {
          std::string text(1 + next(3000), 'a');
          auto id = s->sb().send_text(text, {}, s->now());
          if (id) accepted.insert(id.value());
          break;
        }
        case 2:
          if (!connected) {
            s->sb().on_connected(msn::test::kSbConn, s->now());
            connected = true;
          }
          break;
        case 3:
          if (connected) {
            s->sb().on_data(msn::test::kSbConn,
                            incoming ? "IRO 1 1 1 bob@example.com Bob 0\r\nANS 1 OK\r\n"
                                     : "USR 1 OK a b\r\nJOI bob@example.com Bob 0\r\n",
                            s->now());
          }
          break;
        case 4:
        case 5:
          if (!trids.empty()) {
            const std::string verb = next(3) == 0 ? "NAK " : "ACK ";
            s->sb().on_data(msn::test::kSbConn, verb + std::to_string(trids[next(static_cast<std::uint32_t>(trids.size()))]) + "\r\n",
                            s->now());
          }
          break;
        case 6:
          s->sb().on_timer(s->now() + msn::seconds(next(40)));
          break;
        case 7:
          s->sb().on_data(msn::test::kSbConn, "BYE bob@example.com\r\n", s->now());
          break;
        case 8:
          if (next(4) == 0) s->sb().on_closed(msn::test::kSbConn, msn::make_error(Errc::kTransport, "x"), s->now());
          break;
        case 9:
          if (next(4) == 0) s->sb().leave(s->now());
          break;
        case 10:
          (void)s->sb().send_nudge(s->now());
          break;
        default:
          if (next(8) == 0) s->sb().on_data(msn::test::kSbConn, "217 2\r\n", s->now());
          break;
      }
      scan_outputs();
      for (auto& e : s->sb().take_events()) {
        if (const auto* d = std::get_if<ev::MessageDelivered>(&e)) ++resolved[d->id];
        if (const auto* d = std::get_if<ev::MessageNotDelivered>(&e)) ++resolved[d->id];
      }
    }
    s->sb().close(s->now());
    scan_outputs();
    for (auto& e : s->sb().take_events()) {
      if (const auto* d = std::get_if<ev::MessageDelivered>(&e)) ++resolved[d->id];
      if (const auto* d = std::get_if<ev::MessageNotDelivered>(&e)) ++resolved[d->id];
    }
    drain();
    assert_int_equal(resolved.size(), accepted.size());
    for (const auto& [id, count] : resolved) {
      assert_int_equal(count, 1);
      assert_true(accepted.count(id) == 1);
    }
    assert_int_equal(s->sb().unresolved_messages(), 0);
  }
}

}  // namespace

int main() {
#define SB_TEST(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
  const struct CMUnitTest tests[] = {
      SB_TEST(test_transcript_whole),
      SB_TEST(test_transcript_byte_by_byte),
      SB_TEST(test_transcript_split_everywhere),
      SB_TEST(test_messages_wait_for_the_first_join),
      SB_TEST(test_invited_flow),
      SB_TEST(test_invited_but_everyone_left),
      SB_TEST(test_cal_217_falls_back_to_offline),
      SB_TEST(test_cal_error_codes),
      SB_TEST(test_nak_is_not_delivered),
      SB_TEST(test_ack_timeout),
      SB_TEST(test_custom_ack_timeout),
      SB_TEST(test_connection_drop_before_ack),
      SB_TEST(test_close_resolves_everything),
      SB_TEST(test_close_before_connecting),
      SB_TEST(test_leave_waits_for_acks),
      SB_TEST(test_last_bye_waits_for_acks),
      SB_TEST(test_multi_party),
      SB_TEST(test_invite_failure_with_others_present),
      SB_TEST(test_long_message_is_split),
      SB_TEST(test_partly_delivered_message),
      SB_TEST(test_typing_and_nudges_need_an_open_conversation),
      SB_TEST(test_connect_timeout),
      SB_TEST(test_sign_in_timeouts),
      SB_TEST(test_sign_in_refused),
      SB_TEST(test_unreadable_lines_are_skipped),
      SB_TEST(test_untrustworthy_length_ends_the_session),
      SB_TEST(test_incoming_text_decoding),
      SB_TEST(test_chunked_message_is_joined),
      SB_TEST(test_chunked_ink_is_joined),
      SB_TEST(test_other_messages),
      SB_TEST(test_parse_xfr),
      SB_TEST(test_pending_limit),
      SB_TEST(test_every_message_resolved_exactly_once),
  };
#undef SB_TEST
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
