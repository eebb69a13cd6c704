// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the P2P binary layer and reassembly. The whole input as one switchboard
// body (a parsed body serializes back to the same bytes), then as a sequence of packets
// (u16 little-endian length + body) fed to a Reassembler with small limits.
// Checked: buffered and reserved memory stay within the limits; a completed message has
// TotalSize bytes; an ACK of it parses and acknowledges it.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "p2p/header.h"
#include "p2p/reassembly.h"
#include "p2p/transport.h"

using msn::fuzz::check;

namespace {

using namespace msn;

constexpr std::size_t kMaxMessage = 4096;
constexpr std::size_t kMaxSignalling = 2048;
constexpr std::size_t kMaxIncomplete = 4;

void round_trip(std::string_view body) {
  auto packet = p2p::parse_switchboard_body(body);
  if (!packet) return;
  check(p2p::serialize_switchboard_body(*packet) == body);
  check(packet->data.size() == packet->header.length);
  check(packet->header.offset + packet->header.length <= packet->header.total_size);
}

void check_complete(const p2p::Message& message) {
  check(message.data.size() == message.header.total_size);
  const p2p::Packet ack = p2p::make_ack_packet(message.header, 1);
  auto parsed = p2p::parse_switchboard_body(p2p::serialize_switchboard_body(ack));
  check(parsed.is_ok());
  check(!p2p::carries_message(parsed->header));
  check(p2p::acknowledges(parsed->header, message.header.identifier));
}

void reassemble(std::string_view input) {
  p2p::ReassemblyLimits limits;
  limits.max_message_bytes = kMaxMessage;
  limits.max_signalling_bytes = kMaxSignalling;
  limits.max_incomplete = kMaxIncomplete;
  p2p::Reassembler reassembler(limits);
  while (input.size() >= 2) {
    const std::size_t length =
        static_cast<unsigned char>(input[0]) | static_cast<unsigned char>(input[1]) << 8;
    input.remove_prefix(2);
    const std::string_view body = input.substr(0, length);
    input.remove_prefix(body.size());
    auto packet = p2p::parse_switchboard_body(body);
    if (!packet) continue;
    auto added = reassembler.add(*packet);
    if (added && added->message) check_complete(*added->message);
    check(reassembler.incomplete() <= kMaxIncomplete);
    check(reassembler.buffered_bytes() <= kMaxIncomplete * kMaxMessage);
    check(reassembler.reserved_bytes() <= kMaxIncomplete * kMaxMessage);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  round_trip(input);
  reassemble(input);
  return 0;
}
