// SPDX-License-Identifier: GPL-2.0-or-later
// Display-picture retrieval (docs/protocol/p2p.md, "Display-picture retrieval"): a requester
// and a sender on two links exchange exactly the packets of transcript 04 when given its
// random values; declines, timeouts on the fake clock, bad data and cancellation.
#include <string>
#include <vector>

#include "p2p/display_picture.h"
#include "p2p/link.h"
#include "p2p/msn_object.h"
#include "p2p/slp.h"
#include "p2p/transport.h"
#include "p2p_test_util.h"

namespace {

using msn::TimePoint;
using msn::p2p::Link;
using msn::p2p::Packet;
using msn::p2p::PictureRequester;
using msn::p2p::PictureSender;
using msn::p2p::TransferFailure;
using msn::p2p::TransferState;
namespace slp = msn::p2p::slp;

std::string ramp() {
  std::string data;
  for (int i = 0; i < 256; ++i) data.push_back(static_cast<char>(i));
  return data;
}

const std::string kBobObject =
    "<msnobj Creator=\"bob@example.com\" Size=\"256\" Type=\"3\" Location=\"0\" Friendly=\"AAA=\" "
    "SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" SHA1C=\"5soaKaS5PrYAzVEOp/433VU30HE=\"/>";

// Alice asks Bob for his picture; both links, both machines, and every packet sent each way.
struct World {
  std::uint32_t draws = 0;
  // The transcript's AckIDs are 0x12345678, 0x23456789, ... in the order they are drawn.
  std::function<std::uint32_t()> random = [this] { return 0x12345678u + 0x11111111u * draws++; };
  Link alice{"alice@example.com", "bob@example.com", 168820736, random};
  Link bob{"bob@example.com", "alice@example.com", 186646528, random};
  PictureRequester requester{
      *msn::p2p::parse_msn_object(kBobObject),
      kBobObject,
      {1980589, "{9D79AE57-1BD5-444B-B14E-3FC9BB2B5D58}", "{5E7A1C2B-3D4E-4F5A-8B9C-0D1E2F3A4B5C}",
       "{6F8B2D3C-4E5F-4A6B-9C0D-1E2F3A4B5C6D}"}};
  PictureSender sender{msn::p2p::make_msn_object("bob@example.com", 3, "0", "AAA=", ramp()), ramp(),
                       "{11111111-2222-4333-8444-555555555555}"};
  std::vector<Packet> from_alice, from_bob;
  TimePoint now{};
  bool bob_gets_packets = true;

  void to_bob(const Packet& p) {
    auto r = bob.receive(p);
    assert_true(r.is_ok());
    if (r->control) sender.on_control(*r->control, now);
    if (!r->message || r->message->header.session_id != 0) return;
    auto message = slp::parse(r->message->data);
    assert_true(message.is_ok());
    if (message->is_request() && message->method == "INVITE")
      sender.on_invite(bob, *message, now);
    else
      sender.on_slp(bob, *message, now);
  }
  void to_alice(const Packet& p) {
    auto r = alice.receive(p);
    assert_true(r.is_ok());
    if (!r->message) return;
    if (r->message->header.session_id != 0) return requester.on_data(alice, *r->message, now);
    auto message = slp::parse(r->message->data);
    assert_true(message.is_ok());
    requester.on_slp(alice, *message, now);
  }
  void pump() {
    for (int round = 0; round < 20; ++round) {
      auto a = alice.take_outputs();
      auto b = bob.take_outputs();
      if (a.empty() && b.empty()) return;
      for (const Packet& p : a) {
        from_alice.push_back(p);
        if (bob_gets_packets) to_bob(p);
      }
      for (const Packet& p : b) {
        from_bob.push_back(p);
        to_alice(p);
      }
    }
    fail();  // the two sides kept talking
  }
};

Packet transcript_packet(const msn::test::TranscriptMsg& m) {
  Packet p;
  p.header = *msn::p2p::parse_header(msn::test::unhex(m.header_hex));
  p.data = m.text.empty() ? m.data : m.text;
  p.footer = static_cast<std::uint32_t>(std::stoul(m.footer_hex, nullptr, 16));
  return p;
}

void expect_packets(const std::vector<Packet>& sent, bool outgoing) {
  std::vector<Packet> expected;
  for (const auto& m : msn::test::read_transcript("transcripts/04-display-picture-p2p.md"))
    if (m.outgoing == outgoing) expected.push_back(transcript_packet(m));
  assert_int_equal(sent.size(), expected.size());
  for (std::size_t i = 0; i < sent.size(); ++i) {
    if (!(sent[i] == expected[i])) {
      print_error("%s packet %zu differs from the transcript\n", outgoing ? "Alice's" : "Bob's", i);
      fail();
    }
  }
}

void test_transcript_04_reproduced(void** state) {
  World& w = msn::test::fixture<World>(state);
  w.requester.start(w.alice, w.now);
  w.pump();
  assert_int_equal(w.requester.state(), TransferState::kDone);
  assert_bytes_equal(w.requester.data(), ramp());
  assert_int_equal(w.sender.state(), TransferState::kDone);
  expect_packets(w.from_alice, true);
  expect_packets(w.from_bob, false);
  // Bob got the BYE: nothing left to wait for on either side.
  assert_false(w.requester.next_deadline().has_value());
  assert_false(w.sender.next_deadline().has_value());
}

void test_unknown_object_declined(void** state) {
  World& w = msn::test::fixture<World>(state);
  w.sender = PictureSender(msn::p2p::make_msn_object("bob@example.com", 3, "0", "AAA=", "other"),
                           "other", "{B}");
  w.requester.start(w.alice, w.now);
  w.pump();
  assert_int_equal(w.sender.state(), TransferState::kFailed);
  assert_int_equal(w.sender.failure(), TransferFailure::kRefused);
  assert_int_equal(w.requester.state(), TransferState::kFailed);
  assert_int_equal(w.requester.failure(), TransferFailure::kDeclined);
  // Bob sent only the ACK of the INVITE and the 603.
  assert_int_equal(w.from_bob.size(), 2);
  auto decline = slp::parse(w.from_bob[1].data);
  assert_int_equal(decline->status_code, 603);
  assert_int_equal(*slp::session_id_field(*decline), 1980589);
}

void test_requester_times_out(void** state) {
  World& w = msn::test::fixture<World>(state);
  w.bob_gets_packets = false;
  w.requester.start(w.alice, w.now);
  w.pump();
  w.now += msn::seconds(59);
  w.requester.on_timer(w.alice, w.now);
  assert_int_equal(w.requester.state(), TransferState::kWaiting);
  w.now = *w.requester.next_deadline();
  w.requester.on_timer(w.alice, w.now);
  assert_int_equal(w.requester.state(), TransferState::kFailed);
  assert_int_equal(w.requester.failure(), TransferFailure::kTimeout);
  const auto out = w.alice.take_outputs();
  assert_int_equal(out.size(), 1);
  assert_string_equal(slp::parse(out[0].data)->method.c_str(), "BYE");
}

void test_bad_data_and_cancel(void** state) {
  World& w = msn::test::fixture<World>(state);
  w.bob_gets_packets = false;
  w.requester.start(w.alice, w.now);
  const slp::Message invite = *slp::parse(w.alice.take_outputs()[0].data);
  const slp::Message ok = slp::make_response(invite, 200, "OK", slp::content_type::kSessionRequest,
                                             {{"SessionID", "1980589"}});
  w.requester.on_slp(w.alice, ok, w.now);
  assert_int_equal(w.requester.state(), TransferState::kTransferring);
  msn::p2p::Message data{{}, std::string(256, 'x'), 1};
  data.header.session_id = 1980589;
  data.header.total_size = 256;
  data.header.flags = msn::p2p::flags::kObjectData;
  w.requester.on_data(w.alice, data, w.now);
  assert_int_equal(w.requester.failure(), TransferFailure::kBadData);
  assert_string_equal(slp::parse(w.alice.take_outputs().back().data)->method.c_str(), "BYE");

  PictureRequester second{
      *msn::p2p::parse_msn_object(kBobObject), kBobObject, {77, "{C}", "{B1}", "{B2}"}};
  second.start(w.alice, w.now);
  const slp::Message invite2 = *slp::parse(w.alice.take_outputs()[0].data);
  second.on_slp(w.alice, slp::make_response(invite2, 200, "OK", "", {}), w.now);
  second.on_slp(w.alice, slp::make_bye("alice@example.com", "bob@example.com", "{B3}", "{C}", 77),
                w.now);
  assert_int_equal(second.failure(), TransferFailure::kCancelled);
}

void test_sender_without_bye_and_without_ack(void** state) {
  World& w = msn::test::fixture<World>(state);
  w.requester.start(w.alice, w.now);
  const Packet invite = w.alice.take_outputs()[0];
  w.to_bob(invite);
  assert_int_equal(w.sender.state(), TransferState::kTransferring);
  // No ACK of the data within a minute: Bob closes the session himself.
  w.now += msn::seconds(60);
  w.sender.on_timer(w.bob, w.now);
  assert_int_equal(w.sender.failure(), TransferFailure::kTimeout);
  assert_string_equal(slp::parse(w.bob.take_outputs().back().data)->method.c_str(), "BYE");

  // A plugin-style requester ACKs the data and never sends BYE: done after five seconds.
  PictureSender quiet{msn::p2p::make_msn_object("bob@example.com", 3, "0", "AAA=", ramp()), ramp(),
                      "{Q}"};
  quiet.on_invite(w.bob, *slp::parse(invite.data), w.now);
  const auto out = w.bob.take_outputs();
  const msn::p2p::Header ack = msn::p2p::make_ack(out.back().header, 1);
  quiet.on_control(ack, w.now);
  assert_int_equal(quiet.state(), TransferState::kDone);
  assert_true(*quiet.next_deadline() == w.now + msn::p2p::kByeWait);
  w.now += msn::p2p::kByeWait;
  quiet.on_timer(w.bob, w.now);
  assert_false(quiet.next_deadline().has_value());
  assert_true(w.bob.take_outputs().empty());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      MSN_OWNED_TEST(test_transcript_04_reproduced, World),
      MSN_OWNED_TEST(test_unknown_object_declined, World),
      MSN_OWNED_TEST(test_requester_times_out, World),
      MSN_OWNED_TEST(test_bad_data_and_cancel, World),
      MSN_OWNED_TEST(test_sender_without_bye_and_without_ack, World),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
