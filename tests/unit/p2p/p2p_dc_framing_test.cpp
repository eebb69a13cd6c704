// SPDX-License-Identifier: GPL-2.0-or-later
// The framing of a direct connection (docs/protocol/p2p.md, "Direct connections"): the socket
// stream of transcript 05 cut into packets whatever the slices (one byte at a time, every
// split point of the handshake), the data packets encoded byte for byte without a footer,
// lengths of 0 or over 8 KiB of data refused for good, and the buffer bounded.
#include <string>
#include <vector>

#include "dc_test_util.h"
#include "p2p/dc_framing.h"

namespace {

using msn::Errc;
using msn::p2p::Packet;
namespace dc = msn::p2p::dc;

std::string filler(std::size_t n, char seed) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s.push_back(static_cast<char>(seed + i * 13));
  return s;
}

// The transcript's socket bytes, the unspelled data bytes filled in.
std::string transcript_stream(const std::vector<msn::test::SocketPacket>& packets) {
  std::string stream;
  char seed = 1;
  for (const auto& p : packets) stream += p.prefix_and_header + filler(p.data_bytes, seed++);
  return stream;
}

std::vector<std::string> expected_contents(const std::vector<msn::test::SocketPacket>& packets) {
  std::vector<std::string> out;
  const std::string stream = transcript_stream(packets);
  std::size_t at = 0;
  for (const auto& p : packets) {
    const std::size_t size = p.prefix_and_header.size() + p.data_bytes;
    out.push_back(stream.substr(at + dc::kLengthPrefixSize, size - dc::kLengthPrefixSize));
    at += size;
  }
  return out;
}

void test_transcript_one_byte_at_a_time(void** /*state*/) {
  const auto packets = msn::test::transcript_05_socket();
  assert_int_equal(packets.size(), 9);
  const std::string stream = transcript_stream(packets);
  dc::FrameDecoder decoder;
  std::vector<std::string> out;
  for (char c : stream) assert_true(decoder.feed(std::string_view(&c, 1), out).is_ok());
  assert_true(out == expected_contents(packets));
  assert_int_equal(decoder.buffered(), 0);
  // The first two are "foo\0" and a 48-byte nonce packet.
  assert_bytes_equal(out[0], std::string("foo\0", 4));
  assert_int_equal(out[1].size(), 48);
}

void test_every_split_of_the_handshake(void** /*state*/) {
  const auto packets = msn::test::transcript_05_socket();
  const std::string stream =
      packets[0].prefix_and_header + packets[1].prefix_and_header + packets[2].prefix_and_header;
  for (std::size_t a = 0; a <= stream.size(); ++a) {
    for (std::size_t b = a; b <= stream.size(); b += 7) {
      dc::FrameDecoder decoder;
      std::vector<std::string> out;
      assert_true(decoder.feed(stream.substr(0, a), out).is_ok());
      assert_true(decoder.feed(stream.substr(a, b - a), out).is_ok());
      assert_true(decoder.feed(stream.substr(b), out).is_ok());
      assert_int_equal(out.size(), 3);
      assert_int_equal(out[2].size(), 48);
    }
  }
}

// The three file chunks of transcript 05: 3000 bytes cut by 1352, no footer.
void test_data_packets_match_transcript(void** /*state*/) {
  const auto packets = msn::test::transcript_05_socket();
  msn::p2p::OutgoingMessage file;
  file.session_id = 180646677;
  file.identifier = 1003;
  file.flags = msn::p2p::flags::kFileDataPlugin;
  file.ack_id = 1164413355;
  file.footer = msn::p2p::app_id::kFileTransfer;  // never written on a direct connection
  file.data = filler(3000, 'a');
  const std::string written = dc::message_packets(file);
  std::size_t at = 0;
  std::uint64_t offset = 0;
  for (std::size_t i = 3; i < 6; ++i) {
    const auto& expected = packets[i];
    assert_true(expected.from_alice);
    assert_bytes_equal(written.substr(at, expected.prefix_and_header.size()),
                       expected.prefix_and_header);
    at += expected.prefix_and_header.size();
    assert_bytes_equal(written.substr(at, expected.data_bytes),
                       file.data.substr(offset, expected.data_bytes));
    at += expected.data_bytes;
    offset += expected.data_bytes;
  }
  assert_int_equal(at, written.size());
  // One packet at a time, and parsed back.
  const Packet first = msn::p2p::chunk_at(file, 0, dc::kMaxDataPerPacket);
  auto one = dc::data_packet(first);
  assert_true(one.is_ok());
  assert_bytes_equal(*one, written.substr(0, one->size()));
  auto back = dc::parse_data_packet(one->substr(dc::kLengthPrefixSize));
  assert_true(back.is_ok());
  Packet without_footer = first;
  without_footer.footer = 0;
  assert_true(*back == without_footer);
}

// The ACK and the BYE Bob sends over the socket parse as P2P packets.
void test_received_packets_parse(void** /*state*/) {
  const auto packets = msn::test::transcript_05_socket();
  const auto contents = expected_contents(packets);
  for (std::size_t i = 6; i < 9; ++i) {
    auto packet = dc::parse_data_packet(contents[i]);
    assert_true(packet.is_ok());
    const std::string decoded = packets[i].decoded.substr(packets[i].decoded.find(' ') + 1);
    assert_true(packet->header == msn::test::decoded_header(decoded));
    assert_int_equal(packet->data.size(), packets[i].data_bytes);
  }
}

void test_data_packet_refusals(void** /*state*/) {
  Packet packet;
  packet.data = std::string(dc::kMaxDataPerPacket + 1, 'x');
  packet.header.total_size = packet.data.size();
  packet.header.length = static_cast<std::uint32_t>(packet.data.size());
  auto too_big = dc::data_packet(packet);
  assert_false(too_big.is_ok());
  assert_int_equal(too_big.error().code, Errc::kInvalidArgument);
  packet.data.pop_back();
  assert_true(dc::data_packet(packet).is_ok() == false);  // Length no longer the data size
  packet.header.length = static_cast<std::uint32_t>(packet.data.size());
  assert_true(dc::data_packet(packet).is_ok());

  const std::string header = msn::p2p::serialize_header(packet.header);
  assert_false(dc::parse_data_packet(header.substr(0, 47)).is_ok());
  assert_false(dc::parse_data_packet(header + packet.data + "x").is_ok());
  assert_false(dc::parse_data_packet(header + packet.data.substr(1)).is_ok());
  assert_true(dc::parse_data_packet(header + packet.data).is_ok());
}

Errc feed_error(std::string_view stream, std::vector<std::string>& out) {
  dc::FrameDecoder decoder;
  for (char c : stream) {
    const msn::Status status = decoder.feed(std::string_view(&c, 1), out);
    if (!status) {
      // Refused for good: nothing more is read.
      const msn::Status again = decoder.feed(dc::foo_packet(), out);
      assert_false(again.is_ok());
      return status.error().code;
    }
    assert_true(decoder.buffered() <= dc::kLengthPrefixSize + dc::kMaxPacket);
  }
  print_error("stream accepted\n");
  fail();
  return Errc::kLimit;
}

void test_bad_lengths_refused(void** /*state*/) {
  std::vector<std::string> out;
  assert_int_equal(feed_error(dc::foo_packet() + std::string(4, '\0'), out), Errc::kProtocol);
  assert_int_equal(out.size(), 1);  // foo came before the zero length
  out.clear();
  // 48 + 8192 is the most a packet holds; one byte more is refused before it arrives.
  std::string too_long = dc::frame(std::string(dc::kMaxPacket, 'x'));
  too_long[0] = static_cast<char>(too_long[0] + 1);
  assert_int_equal(feed_error(too_long, out), Errc::kProtocol);
  assert_int_equal(out.size(), 0);
  assert_int_equal(feed_error(msn::test::unhex("ffffffff"), out), Errc::kProtocol);

  dc::FrameDecoder decoder;
  const std::string largest = dc::frame(std::string(dc::kMaxPacket, 'y'));
  assert_true(decoder.feed(largest + largest, out).is_ok());
  assert_int_equal(out.size(), 2);
  assert_int_equal(out[1].size(), dc::kMaxPacket);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_transcript_one_byte_at_a_time),
      cmocka_unit_test(test_every_split_of_the_handshake),
      cmocka_unit_test(test_data_packets_match_transcript),
      cmocka_unit_test(test_received_packets_parse),
      cmocka_unit_test(test_data_packet_refusals),
      cmocka_unit_test(test_bad_lengths_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
