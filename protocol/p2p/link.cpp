// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Sessions".
#include "p2p/link.h"

#include <algorithm>
#include <utility>

#include "p2p/transport.h"

namespace msn::p2p {

Link::Link(std::string local, std::string peer, std::uint32_t first_identifier,
           std::function<std::uint32_t()> random, ReassemblyLimits limits)
    : local_(std::move(local)),
      peer_(std::move(peer)),
      next_identifier_(first_identifier),
      random_(std::move(random)),
      reassembler_(limits) {}

Result<Link::Received> Link::receive(const Packet& packet) {
  if (streamed_.count(packet.header.session_id) != 0 && carries_message(packet.header) &&
      (packet.header.flags & ~flags::kRequireAck) != flags::kNone) {
    Received received;
    received.chunk = packet;
    return received;
  }
  auto added = reassembler_.add(packet);
  if (!added) return added.error();
  Received received;
  if (added->outcome == Reassembler::Outcome::kControl) received.control = packet.header;
  if (added->message) {
    outbox_.push_back(make_ack_packet(added->message->header, next_identifier_++));
    received.message = std::move(added->message);
  }
  return received;
}

std::uint32_t Link::send(std::uint32_t session_id, std::uint32_t flags, std::uint32_t footer,
                         std::string data) {
  const std::uint32_t identifier = next_identifier_++;
  const OutgoingMessage message{session_id, identifier, flags, random_(), footer, std::move(data)};
  for (Packet& packet : split_message(message)) outbox_.push_back(std::move(packet));
  return identifier;
}

void Link::acknowledge(const Header& whole) {
  outbox_.push_back(make_ack_packet(whole, next_identifier_++));
}

void Link::send_control(Header header) {
  header.identifier = next_identifier_++;
  header.offset = 0;
  header.length = 0;
  outbox_.push_back(Packet{header, {}, app_id::kSignalling});
}

OutgoingMessage Link::begin_stream(std::uint32_t session_id, std::uint32_t flags,
                                   std::uint32_t footer) {
  return OutgoingMessage{session_id, next_identifier_++, flags, random_(), footer, {}};
}

void Link::send_chunk(const OutgoingMessage& message, std::uint64_t offset, std::uint64_t total,
                      std::string bytes) {
  outbox_.push_back(chunk_packet(message, offset, total, std::move(bytes)));
}

Packet Link::chunk_packet(const OutgoingMessage& message, std::uint64_t offset, std::uint64_t total,
                          std::string bytes) {
  Packet packet;
  packet.header.session_id = message.session_id;
  packet.header.identifier = message.identifier;
  packet.header.offset = offset;
  packet.header.total_size = total;
  packet.header.length = static_cast<std::uint32_t>(bytes.size());
  packet.header.flags = message.flags;
  packet.header.ack_id = message.ack_id;
  packet.data = std::move(bytes);
  packet.footer = message.footer;
  return packet;
}

void Link::drop_session(std::uint32_t session_id) {
  std::erase_if(outbox_, [session_id](const Packet& p) {
    return p.header.session_id == session_id && p.header.flags != flags::kAck;
  });
  reassembler_.drop_session(session_id);
}

std::vector<Packet> Link::take_outputs() { return std::exchange(outbox_, {}); }

}  // namespace msn::p2p
