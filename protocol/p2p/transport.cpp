// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Chunks and ACKs".
#include "p2p/transport.h"

#include <algorithm>
#include <cstdint>

namespace msn::p2p {
namespace {

// A chunk's Length is 32 bits; 0 would never make progress.
std::size_t usable_chunk(std::size_t max_chunk) {
  return std::clamp<std::size_t>(max_chunk, 1, UINT32_MAX);
}

}  // namespace

bool carries_message(const Header& header) {
  switch (header.flags & ~flags::kRequireAck) {
    case flags::kNone:
    case flags::kObjectData:
    case flags::kFileData:
    case flags::kObjectDataWlm:
    case flags::kFileDataPlugin:
      return true;
    default:
      return false;
  }
}

Header make_ack(const Header& acked, std::uint32_t identifier) {
  Header ack;
  ack.session_id = acked.session_id;
  ack.identifier = identifier;
  ack.offset = 0;
  ack.total_size = acked.total_size;
  ack.length = 0;
  ack.flags = flags::kAck;
  ack.ack_id = acked.identifier;
  ack.ack_unique_id = acked.ack_id;
  ack.ack_size = acked.total_size;
  return ack;
}

Packet make_ack_packet(const Header& acked, std::uint32_t identifier) {
  return Packet{make_ack(acked, identifier), {}, app_id::kSignalling};
}

bool acknowledges(const Header& header, std::uint32_t sent_identifier) {
  const bool ack_flag = (header.flags & (flags::kAck | flags::kClose)) != 0;
  return ack_flag && header.ack_id == sent_identifier;
}

std::size_t chunk_count(std::uint64_t data_size, std::size_t max_chunk) {
  max_chunk = usable_chunk(max_chunk);
  if (data_size == 0) return 1;
  return static_cast<std::size_t>((data_size + max_chunk - 1) / max_chunk);
}

Packet chunk_at(const OutgoingMessage& message, std::uint64_t offset, std::size_t max_chunk) {
  max_chunk = usable_chunk(max_chunk);
  const std::uint64_t total = message.data.size();
  offset = std::min(offset, total);
  const auto length = static_cast<std::size_t>(std::min<std::uint64_t>(max_chunk, total - offset));
  Packet packet;
  packet.header.session_id = message.session_id;
  packet.header.identifier = message.identifier;
  packet.header.offset = offset;
  packet.header.total_size = total;
  packet.header.length = static_cast<std::uint32_t>(length);
  packet.header.flags = message.flags;
  packet.header.ack_id = message.ack_id;
  packet.data = message.data.substr(static_cast<std::size_t>(offset), length);
  packet.footer = message.footer;
  return packet;
}

std::vector<Packet> split_message(const OutgoingMessage& message, std::size_t max_chunk) {
  max_chunk = usable_chunk(max_chunk);
  std::vector<Packet> packets;
  const std::size_t count = chunk_count(message.data.size(), max_chunk);
  packets.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    packets.push_back(chunk_at(message, static_cast<std::uint64_t>(i) * max_chunk, max_chunk));
  return packets;
}

}  // namespace msn::p2p
