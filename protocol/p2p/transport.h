// SPDX-License-Identifier: GPL-2.0-or-later
// Which P2P packets carry message data and get a P2P ACK, how an ACK is built, and how an
// outgoing message is cut into chunks (docs/protocol/p2p.md, "Chunks and ACKs").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "p2p/header.h"

namespace msn::p2p {

// True for packets that carry part of a message: flags 0, 0x20, 0x1000000, 0x1000020 or
// 0x1000030, with or without the require-ACK bit 0x4. ACKs, NAKs, close and error
// notifications and handshake packets are control packets: never reassembled, never ACKed.
bool carries_message(const Header& header);

// Once such a message is complete it gets exactly one P2P ACK: this header, with
// `identifier` the next one of our own sequence. Footer 0, no data.
Header make_ack(const Header& acked, std::uint32_t identifier);
Packet make_ack_packet(const Header& acked, std::uint32_t identifier);

// True when `header` is the ACK (flag 0x2, or 0x40 as some clients ACK a BYE) of a message
// we sent with this identifier.
bool acknowledges(const Header& header, std::uint32_t sent_identifier);

// A message we send, before it is cut into chunks.
struct OutgoingMessage {
  std::uint32_t session_id = 0;
  std::uint32_t identifier = 0;
  std::uint32_t flags = flags::kNone;
  std::uint32_t ack_id = 0;  // random per message; the peer echoes it in AckUID
  std::uint32_t footer = app_id::kSignalling;
  std::string data;
};

// The number of chunks `data_size` bytes take (at least one: an empty message is one chunk).
std::size_t chunk_count(std::uint64_t data_size, std::size_t max_chunk = kMaxSwitchboardChunk);
// The chunk that starts at `offset` (a multiple of max_chunk below the data size, or 0): the
// sender produces one at a time, as the switchboard acknowledges the previous MSG, without
// copying a large message into packets up front. max_chunk is clamped to 1..2^32-1.
Packet chunk_at(const OutgoingMessage& message, std::uint64_t offset,
                std::size_t max_chunk = kMaxSwitchboardChunk);
// Every chunk, in order (for small messages such as SLP text).
std::vector<Packet> split_message(const OutgoingMessage& message,
                                  std::size_t max_chunk = kMaxSwitchboardChunk);

}  // namespace msn::p2p
