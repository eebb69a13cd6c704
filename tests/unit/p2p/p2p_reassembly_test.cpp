// SPDX-License-Identifier: GPL-2.0-or-later
// Reassembly of P2P messages (docs/protocol/p2p.md, "Reassembly"): in-order chunks, interleaved
// messages, duplicates (also after completion), gaps and overlaps, the size caps, the bound on
// incomplete messages, and memory that grows with the data received, not with TotalSize.
#include <optional>
#include <string>

#include "cmocka_cpp.h"
#include "p2p/reassembly.h"
#include "p2p/transport.h"

namespace {

using msn::Errc;
using msn::p2p::Packet;
using msn::p2p::Reassembler;
using Outcome = msn::p2p::Reassembler::Outcome;

std::string ramp(std::size_t n) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(i * 7));
  return s;
}

msn::p2p::OutgoingMessage data_message(std::uint32_t session, std::uint32_t id, std::size_t size) {
  return {session,   id, msn::p2p::flags::kObjectData, 0xABCD, msn::p2p::app_id::kDisplayPicture,
          ramp(size)};
}

struct Fixture {
  Reassembler reassembler;
};
Reassembler& re(void** state) { return msn::test::fixture<Fixture>(state).reassembler; }

Outcome add(Reassembler& r, const Packet& p) {
  auto added = r.add(p);
  assert_true(added.is_ok());
  return added->outcome;
}

void test_in_order_chunks_complete_once(void** state) {
  Reassembler& r = re(state);
  const auto message = data_message(303538, 83886098, 5000);
  const auto packets = msn::p2p::split_message(message);
  for (std::size_t i = 0; i + 1 < packets.size(); ++i)
    assert_int_equal(add(r, packets[i]), Outcome::kIncomplete);
  assert_int_equal(r.incomplete(), 1);
  auto last = r.add(packets.back());
  assert_true(last.is_ok());
  assert_int_equal(last->outcome, Outcome::kComplete);
  assert_bytes_equal(last->message->data, message.data);
  assert_int_equal(last->message->header.offset, 0);
  assert_int_equal(last->message->header.total_size, 5000);
  assert_int_equal(last->message->header.ack_id, 0xABCD);
  assert_int_equal(last->message->footer, 1);
  assert_int_equal(r.incomplete(), 0);
  // The switchboard re-sent the last chunk: a duplicate, not a second message.
  assert_int_equal(add(r, packets.back()), Outcome::kDuplicate);
  assert_int_equal(add(r, packets.front()), Outcome::kDuplicate);
}

void test_interleaved_messages(void** state) {
  Reassembler& r = re(state);
  const auto a = msn::p2p::split_message(data_message(7, 1, 3000));
  const auto b = msn::p2p::split_message(data_message(0, 2, 2500));
  assert_int_equal(add(r, a[0]), Outcome::kIncomplete);
  assert_int_equal(add(r, b[0]), Outcome::kIncomplete);
  assert_int_equal(add(r, a[1]), Outcome::kIncomplete);
  assert_int_equal(add(r, b[1]), Outcome::kIncomplete);
  assert_int_equal(r.incomplete(), 2);
  assert_int_equal(add(r, b[2]), Outcome::kComplete);
  assert_int_equal(add(r, a[2]), Outcome::kComplete);
  // Same Identifier under another SessionID is another message.
  const auto c = msn::p2p::split_message(data_message(8, 1, 10));
  assert_int_equal(add(r, c[0]), Outcome::kComplete);
}

void test_duplicate_chunk_inside_a_message(void** state) {
  Reassembler& r = re(state);
  const auto p = msn::p2p::split_message(data_message(9, 3, 4000));
  assert_int_equal(add(r, p[0]), Outcome::kIncomplete);
  assert_int_equal(add(r, p[1]), Outcome::kIncomplete);
  assert_int_equal(add(r, p[0]), Outcome::kDuplicate);
  assert_int_equal(add(r, p[1]), Outcome::kDuplicate);
  assert_int_equal(add(r, p[2]), Outcome::kIncomplete);
  auto done = r.add(p[3]);
  assert_int_equal(done->outcome, Outcome::kComplete);
  assert_bytes_equal(done->message->data, ramp(4000));
}

void test_gaps_and_overlaps_refused(void** state) {
  Reassembler& r = re(state);
  const auto p = msn::p2p::split_message(data_message(9, 4, 4000));
  assert_int_equal(add(r, p[0]), Outcome::kIncomplete);
  // A gap: chunk 2 before chunk 1. The message is dropped.
  assert_int_equal(r.add(p[2]).error().code, Errc::kProtocol);
  assert_int_equal(r.incomplete(), 0);
  // A first chunk that does not start at 0.
  assert_int_equal(r.add(p[1]).error().code, Errc::kProtocol);
  // A partial overlap: 600 bytes from offset 601 when 1202 are there.
  assert_int_equal(add(r, p[0]), Outcome::kIncomplete);
  Packet overlap = msn::p2p::chunk_at(data_message(9, 4, 4000), 0, 1202);
  overlap.header.offset = 601;
  assert_int_equal(r.add(overlap).error().code, Errc::kProtocol);
  // TotalSize changing between chunks.
  assert_int_equal(add(r, p[0]), Outcome::kIncomplete);
  Packet other = p[1];
  other.header.total_size = 5000;
  assert_int_equal(r.add(other).error().code, Errc::kProtocol);
  assert_int_equal(r.incomplete(), 0);
  // Length not matching the data carried.
  Packet lying = p[0];
  lying.data.pop_back();
  assert_int_equal(r.add(lying).error().code, Errc::kProtocol);
}

void test_caps(void** /*state*/) {
  msn::p2p::ReassemblyLimits limits;
  limits.max_message_bytes = 3000;
  limits.max_signalling_bytes = 1500;
  Reassembler r(limits);
  assert_int_equal(r.add(msn::p2p::chunk_at(data_message(5, 1, 3001), 0)).error().code,
                   Errc::kLimit);
  assert_int_equal(add(r, msn::p2p::chunk_at(data_message(5, 2, 3000), 0)), Outcome::kIncomplete);
  assert_int_equal(r.add(msn::p2p::chunk_at(data_message(0, 3, 1501), 0)).error().code,
                   Errc::kLimit);
  // A header announcing 4 GiB allocates nothing: refused before any buffer exists.
  Packet huge = msn::p2p::chunk_at(data_message(5, 4, 10), 0);
  huge.header.total_size = 1ULL << 32;
  assert_int_equal(r.add(huge).error().code, Errc::kLimit);
  assert_int_equal(r.incomplete(), 1);
}

// Memory follows what arrived: one 1202-byte chunk of a 200 000-byte message buffers about
// one chunk, never TotalSize.
void test_buffer_grows_with_data(void** state) {
  Reassembler& r = re(state);
  const auto message = data_message(5, 9, 200000);
  assert_int_equal(add(r, msn::p2p::chunk_at(message, 0)), Outcome::kIncomplete);
  assert_int_equal(r.buffered_bytes(), 1202);
  assert_true(r.reserved_bytes() <= 2 * 1202);
  assert_int_equal(add(r, msn::p2p::chunk_at(message, 1202)), Outcome::kIncomplete);
  assert_int_equal(r.buffered_bytes(), 2404);
  assert_true(r.reserved_bytes() <= 2 * 2404);
}

void test_incomplete_messages_bounded(void** /*state*/) {
  msn::p2p::ReassemblyLimits limits;
  limits.max_incomplete = 3;
  Reassembler r(limits);
  for (std::uint32_t id = 1; id <= 3; ++id)
    assert_int_equal(add(r, msn::p2p::chunk_at(data_message(5, id, 3000), 0)),
                     Outcome::kIncomplete);
  auto fourth = r.add(msn::p2p::chunk_at(data_message(5, 4, 3000), 0));
  assert_true(fourth.is_ok());
  assert_true(fourth->evicted.has_value());
  assert_int_equal(fourth->evicted->identifier, 1);
  assert_int_equal(r.incomplete(), 3);
  // The evicted message cannot continue; the others can.
  assert_false(r.add(msn::p2p::chunk_at(data_message(5, 1, 3000), 1202)).is_ok());
  assert_int_equal(add(r, msn::p2p::chunk_at(data_message(5, 2, 3000), 1202)),
                   Outcome::kIncomplete);
  r.drop_session(5);
  assert_int_equal(r.incomplete(), 0);
}

void test_control_packets_pass_through(void** state) {
  Reassembler& r = re(state);
  const Packet ack =
      msn::p2p::make_ack_packet(msn::p2p::chunk_at(data_message(5, 1, 30), 0).header, 77);
  assert_int_equal(add(r, ack), Outcome::kControl);
  assert_int_equal(r.incomplete(), 0);
  // A data preparation message (flags 0, 4 zero bytes) is a message.
  msn::p2p::OutgoingMessage prep{5, 2, 0, 1, 1, std::string(4, '\0')};
  assert_int_equal(add(r, msn::p2p::chunk_at(prep, 0)), Outcome::kComplete);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      MSN_OWNED_TEST(test_in_order_chunks_complete_once, Fixture),
      MSN_OWNED_TEST(test_interleaved_messages, Fixture),
      MSN_OWNED_TEST(test_duplicate_chunk_inside_a_message, Fixture),
      MSN_OWNED_TEST(test_gaps_and_overlaps_refused, Fixture),
      cmocka_unit_test(test_caps),
      MSN_OWNED_TEST(test_buffer_grows_with_data, Fixture),
      cmocka_unit_test(test_incomplete_messages_bounded),
      MSN_OWNED_TEST(test_control_packets_pass_through, Fixture),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
