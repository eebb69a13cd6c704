// SPDX-License-Identifier: GPL-2.0-or-later
// The nonce of a direct connection (docs/protocol/p2p.md, "Direct connections"): a GUID that the
// SLP negotiation advertises as text and the socket handshake carries as 16 bytes in the last
// 16 bytes of a 48-byte P2P header with flag 0x100.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "p2p/header.h"

namespace msn::p2p::dc {

inline constexpr std::size_t kNonceSize = 16;

// The 16 bytes in the GUID's Windows memory layout: Data1 as u32 little-endian, Data2 and Data3
// as u16 little-endian, the last 8 bytes in the order the text writes them. This is the order
// both on the wire and as SHA-1 input.
struct Nonce {
  std::array<std::uint8_t, kNonceSize> bytes{};
  bool is_zero() const;
  bool operator==(const Nonce&) const = default;
};

// "{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}", braces optional, hex digits of either case.
// Errc::kProtocol for anything else.
Result<Nonce> parse_guid(std::string_view text);
// Upper case with braces, as every client writes it in an SLP body.
std::string guid_text(const Nonce& nonce);
// The first 16 bytes of `random` (zeros past its end) as a nonce; the caller draws them.
Nonce nonce_from_bytes(std::string_view random);

// The Hashed-Nonce of a secret: the first 16 bytes of SHA-1 over the secret's 16 bytes, read
// as a GUID in the same layout.
Nonce hash_nonce(const Nonce& secret);
// True when `received` is the secret behind `advertised`. Besides the full hash this accepts
// the hash of the first 4 or 8 bytes only: the 2.7 plugin hashed sizeof(pointer) bytes of its
// nonce, so that is what such a peer advertises for the secret it then sends in full.
bool matches_hash(const Nonce& received, const Nonce& advertised);

// The 48-byte handshake header: SessionID 0, this Identifier, offsets and sizes 0, flags 0x100,
// the nonce over AckID, AckUID and AckSize (header bytes 32-47).
Header handshake_header(std::uint32_t identifier, const Nonce& nonce);
// The nonce a header carries in bytes 32-47.
Nonce nonce_of(const Header& header);

}  // namespace msn::p2p::dc
