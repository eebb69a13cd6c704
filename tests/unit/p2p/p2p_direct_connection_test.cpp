// SPDX-License-Identifier: GPL-2.0-or-later
// The direct-connection state machine (docs/protocol/p2p.md, "Direct connections"), sans-I/O
// with a fake clock: both roles reproduce transcript 05 byte for byte (plain nonce), two
// engines complete the hashed handshake with each other, and every failure (wrong nonce, no
// foo, a bad nonce packet, a packet too long, EOF, each time-out) ends in exactly one Failed
// event and a Close. Input is also fed one byte at a time.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "dc_test_util.h"
#include "p2p/direct_connection.h"

namespace {

using msn::TimePoint;
using msn::p2p::Packet;
using msn::p2p::dc::DirectConnection;
using msn::p2p::dc::Endpoint;
using msn::p2p::dc::FailReason;
using msn::p2p::dc::HandshakeConfig;
using msn::p2p::dc::Nonce;
using msn::p2p::dc::NonceCheck;
using State = DirectConnection::State;
namespace dc = msn::p2p::dc;
namespace action = msn::p2p::dc::dc_action;
namespace event = msn::p2p::dc::dc_event;

const Nonce kNonce = *dc::parse_guid("{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
const Endpoint kInternal{"192.168.1.20", 6891};
const Endpoint kExternal{"198.51.100.7", 6891};

HandshakeConfig plain(std::uint32_t identifier) {
  return {kNonce, NonceCheck::kPlain, {kNonce}, identifier};
}

// What one call left behind, taken apart.
struct Taken {
  std::string sent;
  std::vector<Endpoint> connects;
  int closes = 0;
  std::vector<dc::Event> events;
};

Taken take(DirectConnection& c) {
  Taken t;
  for (auto& a : c.take_actions()) {
    if (auto* s = std::get_if<action::Send>(&a)) t.sent += s->bytes;
    if (auto* k = std::get_if<action::Connect>(&a)) t.connects.push_back(k->endpoint);
    if (std::holds_alternative<action::Close>(a)) ++t.closes;
  }
  t.events = c.take_events();
  return t;
}

void expect_failed(const Taken& t, FailReason reason, int closes = 1) {
  assert_int_equal(t.events.size(), 1);
  const auto* failed = std::get_if<event::Failed>(&t.events[0]);
  assert_non_null(failed);
  if (failed->reason != reason) {
    print_error("failed with '%s', expected '%s'\n", dc::fail_reason_name(failed->reason),
                dc::fail_reason_name(reason));
    fail();
  }
  assert_int_equal(t.closes, closes);
}

bool has_established(const Taken& t) {
  return t.events.size() == 1 && std::holds_alternative<event::Established>(t.events[0]);
}

std::string filler(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 31 + 7));
  return s;
}

std::string bytes_of(const msn::test::SocketPacket& p) {
  return p.prefix_and_header + filler(p.data_bytes);
}

void feed_bytewise(DirectConnection& c, std::string_view bytes, TimePoint now) {
  for (char ch : bytes) c.on_data(std::string_view(&ch, 1), now);
}

// Alice's side of transcript 05: internal address first, foo and her nonce packet
// (Identifier 1002), Bob's reply, then the file's chunks out and Bob's ACK and BYE in.
void test_connecting_side_reproduces_transcript(void** /*state*/) {
  const auto socket = msn::test::transcript_05_socket();
  TimePoint now{};
  auto alice = DirectConnection::connect({kInternal, kExternal}, plain(1002), now);
  Taken t = take(alice);
  assert_int_equal(t.connects.size(), 1);
  assert_true(t.connects[0] == kInternal);
  alice.on_connected(now);
  t = take(alice);
  assert_bytes_equal(t.sent, socket[0].prefix_and_header + socket[1].prefix_and_header);
  assert_int_equal(alice.state(), State::kAwaitNonce);
  feed_bytewise(alice, socket[2].prefix_and_header, now);
  t = take(alice);
  assert_true(has_established(t));
  assert_true(t.sent.empty());  // the connecting side answers nothing

  msn::p2p::OutgoingMessage file{180646677,
                                 1003,
                                 msn::p2p::flags::kFileDataPlugin,
                                 1164413355,
                                 msn::p2p::app_id::kFileTransfer,
                                 filler(3000)};
  for (const Packet& p : msn::p2p::split_message(file, dc::kMaxDataPerPacket))
    assert_true(alice.send(p, now).is_ok());
  t = take(alice);
  assert_bytes_equal(t.sent, bytes_of(socket[3]).substr(0, 52) + filler(3000).substr(0, 1352) +
                                 socket[4].prefix_and_header + filler(3000).substr(1352, 1352) +
                                 socket[5].prefix_and_header + filler(3000).substr(2704));
  // Bob's ACK of the file and his BYE, in one read.
  alice.on_data(bytes_of(socket[6]) + bytes_of(socket[7]), now);
  t = take(alice);
  assert_int_equal(t.events.size(), 2);
  const auto& ack = std::get<event::Received>(t.events[0]).packet;
  assert_int_equal(ack.header.flags, msn::p2p::flags::kAck);
  assert_int_equal(ack.header.ack_id, 1003);
  const auto& bye = std::get<event::Received>(t.events[1]).packet;
  assert_int_equal(bye.header.identifier, 2004);
  assert_int_equal(bye.data.size(), 330);
  alice.close();
  t = take(alice);
  assert_int_equal(t.closes, 1);
  assert_int_equal(alice.state(), State::kClosed);
  assert_false(alice.next_deadline().has_value());
}

// Bob's side: foo and Alice's nonce packet (one byte at a time), his reply (Identifier 2002).
void test_listening_side_reproduces_transcript(void** /*state*/) {
  const auto socket = msn::test::transcript_05_socket();
  TimePoint now{};
  auto bob = DirectConnection::listen(plain(2002), now);
  assert_int_equal(bob.state(), State::kListening);
  bob.on_connected(now);
  feed_bytewise(bob, socket[0].prefix_and_header, now);
  assert_int_equal(bob.state(), State::kAwaitNonce);
  Taken t = take(bob);
  assert_true(t.sent.empty() && t.events.empty());
  feed_bytewise(bob, socket[1].prefix_and_header, now);
  t = take(bob);
  assert_true(has_established(t));
  assert_bytes_equal(t.sent, socket[2].prefix_and_header);
  // Alice's file chunks arrive as packets for the session layer.
  std::string chunks;
  for (std::size_t i = 3; i < 6; ++i) chunks += bytes_of(socket[i]);
  bob.on_data(chunks, now);
  t = take(bob);
  assert_int_equal(t.events.size(), 3);
  std::uint64_t offset = 0;
  for (const auto& e : t.events) {
    const auto& p = std::get<event::Received>(e).packet;
    assert_int_equal(p.header.session_id, 180646677);
    assert_true(p.header.offset == offset);
    offset += p.data.size();
  }
  assert_true(offset == 3000);
}

// Two engines wired to each other, each role with its own secret (Hashed-Nonce).
void pump(DirectConnection& from, DirectConnection& to, TimePoint now,
          std::vector<dc::Event>& events) {
  for (auto& a : from.take_actions()) {
    if (auto* s = std::get_if<action::Send>(&a)) to.on_data(s->bytes, now);
  }
  for (auto& e : from.take_events()) events.push_back(std::move(e));
}

void test_hashed_handshake_both_roles(void** /*state*/) {
  const Nonce connector_secret = *dc::parse_guid("{122D2937-5C86-4C7B-81F5-0E05017880C2}");
  const Nonce listener_secret = *dc::parse_guid("{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}");
  for (int wrong = 0; wrong < 2; ++wrong) {
    TimePoint now{};
    // Each side knows the other's Hashed-Nonce from the SLP bodies.
    HandshakeConfig listening{
        listener_secret, NonceCheck::kHashed, {dc::hash_nonce(connector_secret)}, 7};
    HandshakeConfig connecting{
        connector_secret, NonceCheck::kHashed, {dc::hash_nonce(listener_secret)}, 9};
    if (wrong == 1) listening.accepted = {dc::hash_nonce(listener_secret)};
    auto listener = DirectConnection::listen(listening, now);
    auto connector = DirectConnection::connect({kExternal}, connecting, now);
    (void)connector.take_actions();
    listener.on_connected(now);
    connector.on_connected(now);
    std::vector<dc::Event> listener_events, connector_events;
    pump(connector, listener, now, connector_events);
    pump(listener, connector, now, listener_events);
    pump(connector, listener, now, connector_events);
    if (wrong == 0) {
      assert_true(listener.established() && connector.established());
      assert_int_equal(listener_events.size(), 1);
      assert_int_equal(connector_events.size(), 1);
    } else {
      // The listener refuses and sends nothing; the connector waits until its time-out.
      assert_int_equal(listener.state(), State::kFailed);
      assert_int_equal(std::get<event::Failed>(listener_events[0]).reason,
                       FailReason::kNonceMismatch);
      assert_int_equal(connector.state(), State::kAwaitNonce);
    }
  }
}

// What a listener sees first decides; each case fails once with its reason and closes.
void test_listener_refusals(void** /*state*/) {
  const auto socket = msn::test::transcript_05_socket();
  const std::string foo = socket[0].prefix_and_header;
  const std::string nonce_packet = socket[1].prefix_and_header;
  const Nonce other = *dc::parse_guid("{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6E}");
  struct Case {
    std::string bytes;
    FailReason reason;
  };
  std::string not_0x100 = nonce_packet;
  not_0x100[4 + 28] = 0x02;
  const std::vector<Case> cases = {
      {dc::frame("foo"), FailReason::kBadFoo},
      {dc::frame(std::string("bar\0", 4)), FailReason::kBadFoo},
      {nonce_packet, FailReason::kBadFoo},  // the nonce without foo first
      {foo + dc::nonce_packet(1002, other), FailReason::kNonceMismatch},
      {foo + not_0x100, FailReason::kBadHandshake},
      {foo + dc::frame(nonce_packet.substr(4) + "xxxx"), FailReason::kBadHandshake},
      {foo + dc::frame(nonce_packet.substr(4, 40)), FailReason::kBadHandshake},
      {foo + msn::test::unhex("41200000"), FailReason::kFraming},  // 8257 = 48 + 8 KiB + 1
      {msn::test::unhex("00000000"), FailReason::kFraming},
  };
  for (const auto& c : cases) {
    TimePoint now{};
    auto bob = DirectConnection::listen(plain(2002), now);
    bob.on_connected(now);
    feed_bytewise(bob, c.bytes, now);
    const Taken t = take(bob);
    assert_true(t.sent.empty());
    expect_failed(t, c.reason);
    assert_int_equal(bob.state(), State::kFailed);
    // Nothing more happens after the failure.
    bob.on_data(foo + nonce_packet, now);
    bob.on_timer(now + std::chrono::hours(1));
    const Taken after = take(bob);
    assert_true(after.events.empty() && after.sent.empty() && after.closes == 0);
  }
}

void test_connector_refuses_wrong_reply(void** /*state*/) {
  const auto socket = msn::test::transcript_05_socket();
  TimePoint now{};
  auto alice = DirectConnection::connect({kInternal}, plain(1002), now);
  alice.on_connected(now);
  (void)take(alice);
  const Nonce other = *dc::parse_guid("{00000000-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
  alice.on_data(dc::nonce_packet(2002, other), now);
  expect_failed(take(alice), FailReason::kNonceMismatch);
  // EOF before the reply.
  auto again = DirectConnection::connect({kInternal}, plain(1002), now);
  again.on_connected(now);
  (void)take(again);
  again.on_data(socket[2].prefix_and_header.substr(0, 20), now);
  again.on_closed(now);
  expect_failed(take(again), FailReason::kClosed, 0);
}

// The connecting side: 5 s per address, internal then external, then it gives up.
void test_connect_timeouts(void** /*state*/) {
  TimePoint now{};
  auto alice = DirectConnection::connect({kInternal, kExternal}, plain(1), now);
  (void)take(alice);
  assert_true(*alice.next_deadline() == now + std::chrono::seconds(5));
  alice.on_timer(now + std::chrono::milliseconds(4999));
  assert_true(take(alice).connects.empty());
  now += std::chrono::seconds(5);
  alice.on_timer(now);
  Taken t = take(alice);
  assert_int_equal(t.closes, 1);  // the first attempt is abandoned
  assert_int_equal(t.connects.size(), 1);
  assert_true(t.connects[0] == kExternal);
  now += std::chrono::seconds(5);
  alice.on_timer(now);
  expect_failed(take(alice), FailReason::kConnectFailed);

  // A refused connect moves on at once; the last one fails.
  auto bob = DirectConnection::connect({kInternal, kExternal}, plain(1), now);
  (void)take(bob);
  bob.on_connect_failed(now);
  t = take(bob);
  assert_true(t.connects.size() == 1 && t.connects[0] == kExternal);
  bob.on_connect_failed(now);
  expect_failed(take(bob), FailReason::kConnectFailed, 0);
  auto nobody = DirectConnection::connect({}, plain(1), now);
  expect_failed(take(nobody), FailReason::kConnectFailed, 0);
}

void test_listen_and_handshake_timeouts(void** /*state*/) {
  TimePoint now{};
  auto bob = DirectConnection::listen(plain(2), now);
  assert_true(*bob.next_deadline() == now + std::chrono::seconds(15));
  bob.on_timer(now + std::chrono::seconds(14));
  assert_true(take(bob).events.empty());
  bob.on_timer(now + std::chrono::seconds(15));
  expect_failed(take(bob), FailReason::kNoConnection);

  // Connected, but the handshake never completes.
  auto carol = DirectConnection::listen(plain(2), now);
  carol.on_connected(now);
  carol.on_data(dc::foo_packet(), now);
  carol.on_timer(now + dc::kHandshakeTimeout);
  expect_failed(take(carol), FailReason::kTimeout);
  auto alice = DirectConnection::connect({kInternal}, plain(1), now);
  alice.on_connected(now + std::chrono::seconds(3));
  (void)take(alice);
  alice.on_timer(now + std::chrono::seconds(5));  // the connect deadline no longer applies
  assert_true(take(alice).events.empty());
  alice.on_timer(now + std::chrono::seconds(3) + dc::kHandshakeTimeout);
  expect_failed(take(alice), FailReason::kTimeout);
}

DirectConnection established_listener(TimePoint now) {
  const auto socket = msn::test::transcript_05_socket();
  auto bob = DirectConnection::listen(plain(2002), now);
  bob.on_connected(now);
  bob.on_data(socket[0].prefix_and_header + socket[1].prefix_and_header, now);
  (void)bob.take_actions();
  (void)bob.take_events();
  return bob;
}

// Established: 60 s without traffic either way closes it; traffic either way postpones that.
void test_idle_timeout(void** /*state*/) {
  TimePoint now{};
  auto bob = established_listener(now);
  now += std::chrono::seconds(50);
  Packet ack;
  ack.header.flags = msn::p2p::flags::kAck;
  assert_true(bob.send(ack, now).is_ok());
  now += std::chrono::seconds(50);
  bob.on_timer(now);
  assert_true(take(bob).events.empty());
  bob.on_data(dc::frame(msn::p2p::serialize_header(ack.header)), now);
  assert_int_equal(take(bob).events.size(), 1);
  bob.on_timer(now + std::chrono::seconds(59));
  assert_true(take(bob).events.empty());
  bob.on_timer(now + std::chrono::seconds(60));
  expect_failed(take(bob), FailReason::kIdle);
}

void test_established_packets(void** /*state*/) {
  TimePoint now{};
  auto bob = established_listener(now);
  // aMSN's bare 0x4 header before it closes, and a repeated handshake packet: nothing.
  msn::p2p::Header rak;
  rak.flags = msn::p2p::flags::kRequireAck;
  bob.on_data(dc::frame(msn::p2p::serialize_header(rak)), now);
  bob.on_data(dc::nonce_packet(1002, kNonce), now);
  Taken t = take(bob);
  assert_true(t.events.empty() && t.sent.empty());
  // Sending needs an established connection and a packet that fits.
  auto listening = DirectConnection::listen(plain(1), now);
  assert_false(listening.send(Packet{}, now).is_ok());
  Packet big;
  big.data = std::string(dc::kMaxDataPerPacket + 1, 'x');
  big.header.length = static_cast<std::uint32_t>(big.data.size());
  big.header.total_size = big.data.size();
  assert_false(bob.send(big, now).is_ok());
  // A data packet whose Length disagrees with its bytes ends the connection.
  msn::p2p::Header h;
  h.session_id = 5;
  h.total_size = 10;
  h.length = 10;
  bob.on_data(dc::frame(msn::p2p::serialize_header(h) + "short"), now);
  expect_failed(take(bob), FailReason::kBadPacket);
  assert_false(bob.send(Packet{}, now).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_connecting_side_reproduces_transcript),
      cmocka_unit_test(test_listening_side_reproduces_transcript),
      cmocka_unit_test(test_hashed_handshake_both_roles),
      cmocka_unit_test(test_listener_refusals),
      cmocka_unit_test(test_connector_refuses_wrong_reply),
      cmocka_unit_test(test_connect_timeouts),
      cmocka_unit_test(test_listen_and_handshake_timeouts),
      cmocka_unit_test(test_idle_timeout),
      cmocka_unit_test(test_established_packets),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
