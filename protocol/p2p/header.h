// SPDX-License-Identifier: GPL-2.0-or-later
// The MSNP2P (P2Pv1) binary layer: the 48-byte header every P2P message carries and the 4-byte
// footer of the switchboard transport (docs/protocol/p2p.md, "Transport message").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::p2p {

inline constexpr std::size_t kHeaderSize = 48;
inline constexpr std::size_t kFooterSize = 4;
// Data bytes per switchboard chunk: the plugin's limit, and papyon's 1250-byte chunk minus the
// header. Larger chunks make the MSG exceed what peers accept.
inline constexpr std::size_t kMaxSwitchboardChunk = 1202;
inline constexpr std::string_view kContentType = "application/x-msnmsgrp2p";

// Header flags (docs/protocol/p2p.md, "Flags").
namespace flags {
inline constexpr std::uint32_t kNone = 0x0;  // SLP text, data preparation
inline constexpr std::uint32_t kNak = 0x1;
inline constexpr std::uint32_t kAck = 0x2;
inline constexpr std::uint32_t kRequireAck = 0x4;
inline constexpr std::uint32_t kError = 0x8;
inline constexpr std::uint32_t kObjectData = 0x20;  // display picture / emoticon data
inline constexpr std::uint32_t kClose = 0x40;       // some clients ACK a BYE with it
inline constexpr std::uint32_t kTlpError = 0x80;
inline constexpr std::uint32_t kDirectHandshake = 0x100;
inline constexpr std::uint32_t kFileData = 0x1000000;        // also SLP from WLM 2009
inline constexpr std::uint32_t kObjectDataWlm = 0x1000020;   // WLM 2009, papyon
inline constexpr std::uint32_t kFileDataPlugin = 0x1000030;  // the plugin's file chunks
}  // namespace flags

// Footer values: the application the data belongs to.
namespace app_id {
inline constexpr std::uint32_t kSignalling = 0;      // SLP messages and ACKs
inline constexpr std::uint32_t kDisplayPicture = 1;  // the plugin; WLM accepts it
inline constexpr std::uint32_t kFileTransfer = 2;
inline constexpr std::uint32_t kEmoticonWlm = 11;
inline constexpr std::uint32_t kDisplayPictureWlm = 12;
}  // namespace app_id

struct Header {
  std::uint32_t session_id = 0;  // 0 for SLP
  std::uint32_t identifier = 0;  // one per message, shared by its chunks
  std::uint64_t offset = 0;      // of this chunk within the message
  std::uint64_t total_size = 0;  // of the whole message
  std::uint32_t length = 0;      // data bytes in this chunk
  std::uint32_t flags = 0;
  std::uint32_t ack_id = 0;         // random per message; in an ACK the acked Identifier
  std::uint32_t ack_unique_id = 0;  // in an ACK the acked message's ack_id
  std::uint64_t ack_size = 0;       // in an ACK the acked TotalSize
  bool operator==(const Header&) const = default;
};

// One P2P packet as the switchboard carries it (the part after the MIME block of the MSG).
struct Packet {
  Header header;
  std::string data;          // header.length bytes
  std::uint32_t footer = 0;  // an app_id, big-endian on the wire
  bool operator==(const Packet&) const = default;
};

// The first kHeaderSize bytes of `bytes` as a header. Errc::kProtocol when fewer are given or
// check_header() fails.
Result<Header> parse_header(std::string_view bytes);
// Offset + Length must stay within TotalSize (checked without overflow).
Status check_header(const Header& header);
std::string serialize_header(const Header& header);  // kHeaderSize bytes

// The binary body of an `application/x-msnmsgrp2p` MSG: header, exactly header.length data
// bytes, the footer. The caller has taken the MIME block off (and checked P2P-Dest).
// Errc::kProtocol for a short body, a Length that does not match the bytes present, or a
// header that check_header() refuses.
Result<Packet> parse_switchboard_body(std::string_view body);
std::string serialize_switchboard_body(const Packet& packet);
// The whole MSG payload: the MIME block (MIME-Version, Content-Type, P2P-Dest) and the body.
std::string switchboard_payload(std::string_view destination, const Packet& packet);

}  // namespace msn::p2p
