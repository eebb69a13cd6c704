// SPDX-License-Identifier: GPL-2.0-or-later
// P2P on a switchboard session (session/sb_p2p.cpp): application/x-msnmsgrp2p MSGs for us handed
// on as their binary body, ones for someone else ignored; P2P sent as "MSG trid D len" with
// transcript 04's MIME block through a window of a few, signalling first, texts never waiting.
#include <string>

#include "scripted_switchboard.h"

namespace {

using msn::test::peer_msg;
using msn::test::ScriptedSwitchboard;
namespace ev = msn::ev;

const std::string kMime =
    "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ";

// A binary body with NULs and high bytes, as P2P headers have.
std::string body(char tag, std::size_t size = 60) {
  std::string b(size, '\0');
  for (std::size_t i = 0; i < size; i += 3) b[i] = static_cast<char>(tag + i);
  b[1] = '\xFF';
  return b;
}

std::string msg_d(int trid, const std::string& dest, const std::string& b) {
  const std::string payload = kMime + dest + "\r\n\r\n" + b;
  return "MSG " + std::to_string(trid) + " D " + std::to_string(payload.size()) + "\r\n" + payload;
}

ScriptedSwitchboard& sb(void** state) { return *static_cast<ScriptedSwitchboard*>(*state); }

// A window of four, so that the order of signalling, data and texts shows in a short script.
struct SmallWindow : ScriptedSwitchboard {
  SmallWindow() : ScriptedSwitchboard(small_window_config()) {}
  static msn::SwitchboardConfig small_window_config() {
    auto config = msn::test::alice_config();
    config.p2p_window = 4;
    return config;
  }
};

// send_p2p straight on the session, then the outputs and events collected.
void send_p2p(ScriptedSwitchboard& s, const std::string& b, bool signalling) {
  assert_true(s.sb().send_p2p("bob@example.com", b, signalling, s.now()).is_ok());
  s.advance(std::chrono::milliseconds(0));
}

void open_incoming(ScriptedSwitchboard& s) {
  s.start_incoming();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send("ANS 1 alice@example.com 849102291.520491113 11752013\r\n");
  s.feed("IRO 1 1 1 bob@example.com Bob 2789003324\r\n");
  s.feed("ANS 1 OK\r\n");
  s.take_one<ev::SwitchboardReady>();
  s.take<ev::ParticipantJoined>();
}

void test_p2p_for_us_handed_on(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  const std::string b = body('a');
  s.feed(peer_msg("bob@example.com", "Bob", kMime + "Alice@Example.com\r\n\r\n" + b));
  const auto got = s.take_one<ev::P2pReceived>();
  assert_bytes_equal(got.from, "bob@example.com");
  assert_true(got.body == b);
  assert_true(s.take<ev::OtherMessageReceived>().empty());
  // In a multi-party switchboard P2P for someone else reaches us too: ignored.
  s.feed(peer_msg("bob@example.com", "Bob", kMime + "carol@example.com\r\n\r\n" + b));
  assert_true(s.take<ev::P2pReceived>().empty());
  s.feed(peer_msg("bob@example.com", "Bob",
                  "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\n\r\n" + b));
  assert_true(s.take<ev::P2pReceived>().empty());
  assert_int_equal(s.pending_events(), 0);
}

void test_window_signalling_first_text_never_waits(void** state) {
  auto& s = sb(state);
  // Queued before the session is ready: nothing goes out yet.
  s.start_outgoing();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send();  // USR
  s.feed("USR 1 OK alice@example.com Alice\r\n");
  s.expect_send("CAL 2 bob@example.com\r\n");
  for (char c = 'a'; c < 'a' + 8; ++c) send_p2p(s, body(c), false);
  assert_int_equal(s.sb().p2p_backlog(), 8);
  s.feed("CAL 2 RINGING 11752013\r\nJOI bob@example.com Bob 2789003324\r\n");
  // Four data MSGs on the wire, no more.
  for (int i = 0; i < 4; ++i)
    s.expect_send(msg_d(3 + i, "bob@example.com", body(static_cast<char>('a' + i))));
  s.expect_no_output();
  // A signalling packet queued now overtakes the data still waiting.
  send_p2p(s, body('S'), true);
  s.expect_no_output();
  // A text does not wait for the P2P window.
  s.send_text("hi");
  const std::string text = s.expect_send();
  assert_true(text.rfind("MSG 7 A ", 0) == 0);
  s.feed("ACK 3\r\n");
  s.expect_send(msg_d(8, "bob@example.com", body('S')));
  s.feed("ACK 4\r\nNAK 5\r\n");  // a NAK frees its place too
  s.expect_send(msg_d(9, "bob@example.com", body('e')));
  s.expect_send(msg_d(10, "bob@example.com", body('f')));
  s.expect_no_output();
  // No ACK in time: the place is freed as well.
  s.advance(std::chrono::seconds(31));
  s.expect_send(msg_d(11, "bob@example.com", body('g')));
  s.expect_send(msg_d(12, "bob@example.com", body('h')));
  s.take<ev::MessageNotDelivered>();
}

// The default window: that many data MSGs on the wire and no more; the ACKs of one read let out
// as many queued MSGs as they free places, in the order queued.
void test_default_window_holds(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  constexpr std::size_t kWindow = msn::kDefaultP2pWindow;
  assert_int_equal(msn::SwitchboardConfig{}.p2p_window, kWindow);
  for (std::size_t i = 0; i < kWindow + 8; ++i)
    send_p2p(s, body(static_cast<char>('a' + i % 26)), false);
  for (std::size_t i = 0; i < kWindow; ++i)
    s.expect_send(
        msg_d(static_cast<int>(2 + i), "bob@example.com", body(static_cast<char>('a' + i % 26))));
  s.expect_no_output();
  assert_int_equal(s.sb().p2p_backlog(), kWindow + 8);
  s.feed("ACK 2\r\nACK 3\r\nACK 4\r\n");
  for (std::size_t i = kWindow; i < kWindow + 3; ++i)
    s.expect_send(
        msg_d(static_cast<int>(2 + i), "bob@example.com", body(static_cast<char>('a' + i % 26))));
  s.expect_no_output();
  assert_int_equal(s.sb().p2p_backlog(), kWindow + 5);
}

void test_limits_and_close(void** state) {
  auto& s = sb(state);
  open_incoming(s);
  assert_false(s.sb().send_p2p("bob@example.com\r\nX: y", body('a'), false, s.now()).is_ok());
  for (std::size_t i = 0; i < msn::SwitchboardConfig{}.max_p2p_backlog; ++i)
    send_p2p(s, body('a'), false);
  const auto over = s.sb().send_p2p("bob@example.com", body('a'), false, s.now());
  assert_false(over.is_ok());
  assert_int_equal(static_cast<int>(over.error().code), static_cast<int>(msn::Errc::kLimit));
  for (std::size_t i = 0; i < msn::kDefaultP2pWindow; ++i) s.expect_send();
  s.expect_no_output();
  s.closed();
  assert_int_equal(s.sb().p2p_backlog(), 0);
  s.take_one<ev::SwitchboardClosed>();
  assert_false(s.sb().send_p2p("bob@example.com", body('a'), false, s.now()).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      MSN_OWNED_TEST(test_p2p_for_us_handed_on, ScriptedSwitchboard),
      MSN_OWNED_TEST(test_window_signalling_first_text_never_waits, SmallWindow),
      MSN_OWNED_TEST(test_default_window_holds, ScriptedSwitchboard),
      MSN_OWNED_TEST(test_limits_and_close, ScriptedSwitchboard),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
