// SPDX-License-Identifier: GPL-2.0-or-later
// The P2Pv1 binary layer (docs/protocol/p2p.md): every header of vectors/p2p-header.hex decoded
// and re-encoded byte for byte, the MIME block of the captured packets rebuilt, chunking and
// ACKs reproducing the constructed vectors, and malformed packets refused.
#include <string>
#include <vector>

#include "p2p/header.h"
#include "p2p/transport.h"
#include "p2p_test_util.h"

namespace {

using msn::Errc;
using msn::p2p::Header;
using msn::p2p::Packet;
using msn::test::unhex;

std::vector<msn::test::KeyValueBlock> header_vectors() {
  auto blocks = msn::test::read_blocks("vectors/p2p-header.hex", "header");
  if (blocks.size() != 12) {
    print_error("expected 12 header vectors, read %zu\n", blocks.size());
    fail();
  }
  return blocks;
}

Header vector_header(const msn::test::KeyValueBlock& block, std::uint32_t* footer) {
  return msn::test::decoded_header(block.values.at("decoded"), footer);
}

void test_every_vector_decodes_and_encodes(void** /*state*/) {
  for (const auto& block : header_vectors()) {
    const std::string bytes = unhex(block.values.at("header"));
    assert_int_equal(bytes.size(), msn::p2p::kHeaderSize);
    std::uint32_t footer = 0;
    const Header expected = vector_header(block, &footer);
    auto parsed = msn::p2p::parse_header(bytes);
    assert_true(parsed.is_ok());
    if (!(*parsed == expected)) {
      print_error("%s: decoded fields differ\n", block.values.at("comment").c_str());
      fail();
    }
    assert_bytes_equal(msn::p2p::serialize_header(expected), bytes);
    // The whole switchboard body: header, Length data bytes, big-endian footer.
    Packet packet{expected, std::string(expected.length, 'x'), footer};
    const std::string body = msn::p2p::serialize_switchboard_body(packet);
    assert_bytes_equal(body.substr(body.size() - 4), unhex(block.values.at("footer")));
    auto again = msn::p2p::parse_switchboard_body(body);
    assert_true(again.is_ok());
    assert_true(*again == packet);
  }
}

void test_captured_mime_block(void** /*state*/) {
  int checked = 0;
  for (const auto& block : header_vectors()) {
    if (block.values.count("mime") == 0) continue;
    const std::string mime = msn::test::unescape_crlf(block.values.at("mime"));
    const std::string dest = mime.substr(mime.find("P2P-Dest: ") + 10,
                                         mime.find("\r\n\r\n") - mime.find("P2P-Dest: ") - 10);
    std::uint32_t footer = 0;
    const Header h = vector_header(block, &footer);
    Packet packet{h, std::string(h.length, '\0'), footer};
    const std::string payload = msn::p2p::switchboard_payload(dest, packet);
    assert_bytes_equal(payload.substr(0, mime.size()), mime);
    assert_bytes_equal(payload.substr(mime.size(), 48), unhex(block.values.at("header")));
    ++checked;
  }
  assert_int_equal(checked, 5);
}

// The constructed display-picture chunks: a 5000-byte message cut by 1202.
void test_chunking_reproduces_vectors(void** /*state*/) {
  const auto blocks = header_vectors();
  msn::p2p::OutgoingMessage message;
  message.session_id = 303538;
  message.identifier = 83886098;
  message.flags = msn::p2p::flags::kObjectData;
  message.ack_id = 1028546400;
  message.footer = msn::p2p::app_id::kDisplayPicture;
  message.data.assign(5000, 'p');
  const auto packets = msn::p2p::split_message(message);
  assert_int_equal(packets.size(), 5);
  assert_int_equal(msn::p2p::chunk_count(5000), 5);
  assert_bytes_equal(msn::p2p::serialize_header(packets[0].header),
                     unhex(blocks[9].values.at("header")));
  assert_bytes_equal(msn::p2p::serialize_header(packets[4].header),
                     unhex(blocks[10].values.at("header")));
  std::uint64_t next = 0;
  for (const Packet& p : packets) {
    assert_int_equal(p.header.offset, next);
    assert_int_equal(p.data.size(), p.header.length);
    assert_true(p.data.size() <= msn::p2p::kMaxSwitchboardChunk);
    next += p.header.length;
  }
  assert_int_equal(next, 5000);
  // An SLP message of 1274 bytes: the two constructed INVITE chunks.
  msn::p2p::OutgoingMessage invite{0, 167772161, 0, 455884110, 0, std::string(1274, 's')};
  const auto slp = msn::p2p::split_message(invite);
  assert_int_equal(slp.size(), 2);
  assert_bytes_equal(msn::p2p::serialize_header(slp[0].header),
                     unhex(blocks[5].values.at("header")));
  assert_bytes_equal(msn::p2p::serialize_header(slp[1].header),
                     unhex(blocks[6].values.at("header")));
  // An empty message is one chunk of Length 0.
  msn::p2p::OutgoingMessage empty{};
  assert_int_equal(msn::p2p::split_message(empty).size(), 1);
}

// ACKs: the constructed ack-of-invite, and the captured ACKs of captured 1/2 and 4.
void test_acks_reproduce_vectors(void** /*state*/) {
  const auto blocks = header_vectors();
  const Header invite = vector_header(blocks[5], nullptr);
  const Header ack = msn::p2p::make_ack(invite, 83886096);
  assert_bytes_equal(msn::p2p::serialize_header(ack), unhex(blocks[7].values.at("header")));
  const Header captured_invite = vector_header(blocks[0], nullptr);
  assert_bytes_equal(msn::p2p::serialize_header(msn::p2p::make_ack(captured_invite, 180646999)),
                     unhex(blocks[2].values.at("header")));
  const Header decline = vector_header(blocks[3], nullptr);
  const Packet decline_ack = msn::p2p::make_ack_packet(decline, 180646984);
  assert_bytes_equal(msn::p2p::serialize_header(decline_ack.header),
                     unhex(blocks[4].values.at("header")));
  assert_int_equal(decline_ack.footer, 0);
  assert_true(decline_ack.data.empty());
  assert_true(msn::p2p::acknowledges(decline_ack.header, decline.identifier));
  assert_false(msn::p2p::acknowledges(decline, decline.identifier));
}

void test_which_packets_carry_messages(void** /*state*/) {
  Header h;
  for (const std::uint32_t f : {0x0u, 0x20u, 0x1000000u, 0x1000020u, 0x1000030u, 0x4u, 0x24u}) {
    h.flags = f;
    assert_true(msn::p2p::carries_message(h));
  }
  for (const std::uint32_t f : {0x1u, 0x2u, 0x6u, 0x8u, 0x40u, 0x80u, 0x100u, 0x10u}) {
    h.flags = f;
    assert_false(msn::p2p::carries_message(h));
  }
}

void test_malformed_packets_refused(void** /*state*/) {
  Header h;
  h.total_size = 10;
  h.length = 4;
  h.offset = 6;
  Packet ok{h, "abcd", 1};
  std::string body = msn::p2p::serialize_switchboard_body(ok);
  assert_true(msn::p2p::parse_switchboard_body(body).is_ok());
  // Short: less than header + footer, and a header alone.
  assert_int_equal(msn::p2p::parse_switchboard_body(body.substr(0, 51)).error().code,
                   Errc::kProtocol);
  assert_int_equal(msn::p2p::parse_header(body.substr(0, 47)).error().code, Errc::kProtocol);
  // Length beyond the data present, and data past Length.
  assert_false(
      msn::p2p::parse_switchboard_body(body.substr(0, 48) + "abc" + body.substr(52)).is_ok());
  assert_false(
      msn::p2p::parse_switchboard_body(body.substr(0, 52) + "e" + body.substr(52)).is_ok());
  // Offset + Length beyond TotalSize.
  h.offset = 7;
  assert_int_equal(
      msn::p2p::parse_switchboard_body(msn::p2p::serialize_switchboard_body({h, "abcd", 1}))
          .error()
          .code,
      Errc::kProtocol);
  // Offset beyond TotalSize, and an Offset so large that Offset + Length wraps around.
  h.offset = 11;
  h.length = 0;
  assert_false(msn::p2p::parse_header(msn::p2p::serialize_header(h)).is_ok());
  h.total_size = UINT64_MAX;
  h.offset = UINT64_MAX - 1;
  h.length = 4;
  assert_false(msn::p2p::parse_header(msn::p2p::serialize_header(h)).is_ok());
  h.offset = UINT64_MAX - 4;
  assert_true(msn::p2p::parse_header(msn::p2p::serialize_header(h)).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_vector_decodes_and_encodes),
      cmocka_unit_test(test_captured_mime_block),
      cmocka_unit_test(test_chunking_reproduces_vectors),
      cmocka_unit_test(test_acks_reproduce_vectors),
      cmocka_unit_test(test_which_packets_carry_messages),
      cmocka_unit_test(test_malformed_packets_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
