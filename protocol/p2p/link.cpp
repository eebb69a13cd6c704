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

void Link::drop_session(std::uint32_t session_id) {
  std::erase_if(outbox_, [session_id](const Packet& p) {
    return p.header.session_id == session_id && p.header.flags != flags::kAck;
  });
  reassembler_.drop_session(session_id);
}

std::vector<Packet> Link::take_outputs() { return std::exchange(outbox_, {}); }

}  // namespace msn::p2p
