// SPDX-License-Identifier: GPL-2.0-or-later
// The P2P link with one peer (docs/protocol/p2p.md, "Sessions"): our Identifier sequence,
// reassembly of what the peer sends and the one P2P ACK per complete message, and the chunks
// of what we send. Sans-I/O: packets in, packets out; the caller wraps them in MSGs
// (switchboard_payload) and sends one at a time as the switchboard acknowledges them.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/status.h"
#include "p2p/header.h"
#include "p2p/reassembly.h"
#include "p2p/transport.h"

namespace msn::p2p {

class Link {
 public:
  // `random` gives the AckID of each message we send (the engine draws no randomness itself);
  // `first_identifier` is the random base of our Identifier sequence.
  Link(std::string local, std::string peer, std::uint32_t first_identifier,
       std::function<std::uint32_t()> random, ReassemblyLimits limits = {});

  struct Received {
    std::optional<Message> message;  // a message completed by this packet (its ACK is queued)
    std::optional<Header> control;   // an ACK, NAK, close or error packet
    std::optional<Packet> chunk;     // a data chunk of a streamed session, unreassembled
  };
  // A packet from the peer. Errors are the reassembler's; the packet is then dropped.
  Result<Received> receive(const Packet& packet);

  // Queues a message as chunks; returns its Identifier.
  std::uint32_t send(std::uint32_t session_id, std::uint32_t flags, std::uint32_t footer,
                     std::string data);
  // Drops what is queued for a session (it was cancelled) and its incomplete messages.
  void drop_session(std::uint32_t session_id);

  // Streamed sessions (files): their data chunks (any data flag but 0) bypass reassembly and
  // come out one at a time in Received::chunk, so that no file is held in memory. The caller
  // keeps the chunk order rules itself and ACKs the message with acknowledge().
  void stream_session(std::uint32_t session_id) { streamed_.insert(session_id); }
  void unstream_session(std::uint32_t session_id) { streamed_.erase(session_id); }
  // Queues the one ACK of a streamed message (`whole` as make_ack() wants it).
  void acknowledge(const Header& whole);
  // Queues a bare control packet (a NAK) with our next Identifier.
  void send_control(Header header);
  // A message whose data the caller produces piecewise: begin_stream() takes its Identifier
  // and AckID, send_chunk() queues the chunk at `offset` of `total` bytes.
  OutgoingMessage begin_stream(std::uint32_t session_id, std::uint32_t flags, std::uint32_t footer);
  void send_chunk(const OutgoingMessage& message, std::uint64_t offset, std::uint64_t total,
                  std::string bytes);
  // The same chunk as a packet for another bridge (a direct connection), not queued here.
  static Packet chunk_packet(const OutgoingMessage& message, std::uint64_t offset,
                             std::uint64_t total, std::string bytes);
  // The next Identifier of our sequence, for a packet the link does not send itself (the
  // direct connection's handshake packet).
  std::uint32_t take_identifier() { return next_identifier_++; }

  std::vector<Packet> take_outputs();
  const std::string& local() const { return local_; }
  const std::string& peer() const { return peer_; }

 private:
  std::string local_;
  std::string peer_;
  std::uint32_t next_identifier_;
  std::function<std::uint32_t()> random_;
  Reassembler reassembler_;
  std::vector<Packet> outbox_;
  std::set<std::uint32_t> streamed_;
};

}  // namespace msn::p2p
