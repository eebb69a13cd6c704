// SPDX-License-Identifier: GPL-2.0-or-later
// The framing of a direct connection (docs/protocol/p2p.md, "Direct connections"): every packet
// in either direction is a u32 little-endian byte count and that many bytes. Data packets are a
// 48-byte P2P header and the data, with no MIME block and no footer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "p2p/dc_nonce.h"
#include "p2p/header.h"
#include "p2p/transport.h"

namespace msn::p2p::dc {

inline constexpr std::size_t kLengthPrefixSize = 4;
// The plugin's DC_MAX_BODY_SIZE: it stops reading at a packet with more data than this, so it
// is also the most we accept.
inline constexpr std::size_t kMaxBody = 8 * 1024;
inline constexpr std::size_t kMaxPacket = kHeaderSize + kMaxBody;
// aMSN's file chunk; papyon sends a few bytes less, every client reads this much.
inline constexpr std::size_t kMaxDataPerPacket = 1352;
inline constexpr std::string_view kFoo{"foo\0", 4};

// Cuts the byte stream into packets, whatever slices the socket delivers (one byte at a time
// works). Buffers at most one incomplete packet (kLengthPrefixSize + kMaxPacket bytes).
class FrameDecoder {
 public:
  // Appends the packets completed by `bytes` (their contents, without the length) to `out`.
  // A length of 0 or above kMaxPacket is Errc::kProtocol: the stream cannot be resynchronised,
  // so that error is returned again for every later call. Packets completed before the bad
  // length are still appended.
  Status feed(std::string_view bytes, std::vector<std::string>& out);
  std::size_t buffered() const { return buffer_.size(); }

 private:
  std::string buffer_;
  bool failed_ = false;
  std::uint32_t failed_length_ = 0;
};

// The length prefix and `contents`.
std::string frame(std::string_view contents);
// The connecting side's first packet: 04 00 00 00 "foo\0".
std::string foo_packet();
// A framed nonce packet (length 48, handshake_header()).
std::string nonce_packet(std::uint32_t identifier, const Nonce& nonce);

// A framed data packet: the header and the data, no footer. Errc::kInvalidArgument when
// header.length is not the data's size or the data is over kMaxDataPerPacket.
Result<std::string> data_packet(const Packet& packet);
// Every packet of a message, each at most kMaxDataPerPacket data bytes, framed and joined.
std::string message_packets(const OutgoingMessage& message);
// The contents of a framed packet (after its length) as a P2P packet; the footer is 0.
// Errc::kProtocol when shorter than a header, when the header is refused, or when Length is
// not the number of data bytes present.
Result<Packet> parse_data_packet(std::string_view contents);

}  // namespace msn::p2p::dc
