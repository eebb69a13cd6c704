// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct connections".
#include "p2p/direct_connection.h"

#include <algorithm>
#include <utility>

namespace msn::p2p::dc {

const char* fail_reason_name(FailReason reason) {
  switch (reason) {
    case FailReason::kConnectFailed:
      return "connect failed";
    case FailReason::kNoConnection:
      return "nobody connected";
    case FailReason::kTimeout:
      return "handshake timed out";
    case FailReason::kBadFoo:
      return "no foo packet";
    case FailReason::kBadHandshake:
      return "bad nonce packet";
    case FailReason::kNonceMismatch:
      return "nonce mismatch";
    case FailReason::kFraming:
      return "bad packet length";
    case FailReason::kBadPacket:
      return "bad data packet";
    case FailReason::kClosed:
      return "connection closed";
    case FailReason::kIdle:
      return "idle";
  }
  return "unknown";
}

DirectConnection::DirectConnection(HandshakeConfig config, State state, TimePoint now)
    : config_(std::move(config)), state_(state), connecting_(state == State::kConnecting) {
  if (state == State::kListening) deadline_ = now + kListenTimeout;
}

DirectConnection DirectConnection::connect(std::vector<Endpoint> endpoints, HandshakeConfig config,
                                           TimePoint now) {
  DirectConnection dc(std::move(config), State::kConnecting, now);
  dc.endpoints_ = std::move(endpoints);
  dc.try_next_endpoint(now);
  return dc;
}

DirectConnection DirectConnection::listen(HandshakeConfig config, TimePoint now) {
  return DirectConnection(std::move(config), State::kListening, now);
}

void DirectConnection::try_next_endpoint(TimePoint now) {
  if (next_ >= endpoints_.size()) {
    fail_with(FailReason::kConnectFailed, "no endpoint left to try");
    return;
  }
  actions_.emplace_back(dc_action::Connect{endpoints_[next_++]});
  deadline_ = now + kConnectTimeout;
}

void DirectConnection::on_connected(TimePoint now) {
  if (state_ != State::kConnecting && state_ != State::kListening) return;
  connected_ = true;
  deadline_ = now + kHandshakeTimeout;
  if (state_ == State::kListening) {
    state_ = State::kAwaitFoo;
    return;
  }
  // Both packets at once, as every client sends them; the listener answers only after both.
  send_bytes(foo_packet() + nonce_packet(config_.identifier, config_.send));
  state_ = State::kAwaitNonce;
}

void DirectConnection::on_connect_failed(TimePoint now) {
  if (state_ != State::kConnecting) return;
  try_next_endpoint(now);
}

void DirectConnection::on_data(std::string_view bytes, TimePoint now) {
  if (!active() || !connected_) return;
  std::vector<std::string> packets;
  const Status framing = decoder_.feed(bytes, packets);
  for (const std::string& contents : packets) {
    if (!active()) return;
    handle_packet(contents, now);
  }
  if (!framing && active()) fail_with(FailReason::kFraming, framing.error().detail);
}

void DirectConnection::on_closed(TimePoint now) {
  if (!active()) return;
  if (state_ == State::kConnecting) {
    // A connect that ends in a close is a failed connect: the next address gets its turn.
    try_next_endpoint(now);
    return;
  }
  connected_ = false;  // nothing left to close
  fail_with(FailReason::kClosed, "the peer closed the connection");
}

void DirectConnection::on_timer(TimePoint now) {
  if (!active() || !deadline_ || now < *deadline_) return;
  switch (state_) {
    case State::kConnecting:
      actions_.emplace_back(dc_action::Close{});  // abandons the attempt
      try_next_endpoint(now);
      return;
    case State::kListening:
      fail_with(FailReason::kNoConnection, "nobody connected");
      return;
    case State::kEstablished:
      fail_with(FailReason::kIdle, "no traffic");
      return;
    default:
      fail_with(FailReason::kTimeout, "handshake not complete");
      return;
  }
}

std::optional<TimePoint> DirectConnection::next_deadline() const {
  if (!active()) return std::nullopt;
  return deadline_;
}

Status DirectConnection::send(const Packet& packet, TimePoint now) {
  if (state_ != State::kEstablished)
    return make_error(Errc::kInvalidArgument, "dc: not established");
  auto bytes = data_packet(packet);
  if (!bytes) return bytes.error();
  send_bytes(std::move(*bytes));
  deadline_ = now + kIdleTimeout;
  return Status::ok();
}

void DirectConnection::close() {
  if (!active()) return;
  actions_.emplace_back(dc_action::Close{});
  state_ = State::kClosed;
  connected_ = false;
}

std::vector<Action> DirectConnection::take_actions() { return std::exchange(actions_, {}); }
std::vector<Event> DirectConnection::take_events() { return std::exchange(events_, {}); }

void DirectConnection::handle_packet(const std::string& contents, TimePoint now) {
  switch (state_) {
    case State::kAwaitFoo:
      if (contents != kFoo) {
        fail_with(FailReason::kBadFoo, "first packet is not foo");
        return;
      }
      state_ = State::kAwaitNonce;
      return;
    case State::kAwaitNonce:
      handle_nonce_packet(contents, now);
      return;
    case State::kEstablished:
      deadline_ = now + kIdleTimeout;
      handle_established_packet(contents);
      return;
    default:
      return;
  }
}

void DirectConnection::handle_nonce_packet(const std::string& contents, TimePoint now) {
  if (contents.size() != kHeaderSize) {
    fail_with(FailReason::kBadHandshake, "nonce packet is not 48 bytes");
    return;
  }
  auto header = parse_header(contents);
  if (!header || header->flags != flags::kDirectHandshake) {
    fail_with(FailReason::kBadHandshake, "not a 0x100 packet");
    return;
  }
  if (!nonce_accepted(nonce_of(*header))) {
    fail_with(FailReason::kNonceMismatch, "received " + guid_text(nonce_of(*header)));
    return;
  }
  // The listener answers only a nonce it accepted; the connector sent its own already.
  if (!connecting_) send_bytes(nonce_packet(config_.identifier, config_.send));
  state_ = State::kEstablished;
  deadline_ = now + kIdleTimeout;
  events_.emplace_back(dc_event::Established{});
}

void DirectConnection::handle_established_packet(const std::string& contents) {
  auto packet = parse_data_packet(contents);
  if (!packet) {
    fail_with(FailReason::kBadPacket, packet.error().detail);
    return;
  }
  // aMSN writes a bare header with flag 0x4 just before it closes; a late handshake packet
  // carries nothing either.
  const std::uint32_t f = packet->header.flags;
  const bool bare = packet->data.empty() && packet->header.total_size == 0;
  if (bare && (f == flags::kRequireAck || f == flags::kDirectHandshake)) return;
  events_.emplace_back(dc_event::Received{std::move(*packet)});
}

bool DirectConnection::nonce_accepted(const Nonce& received) const {
  if (config_.check == NonceCheck::kHashed)
    return !config_.accepted.empty() && matches_hash(received, config_.accepted.front());
  return std::find(config_.accepted.begin(), config_.accepted.end(), received) !=
         config_.accepted.end();
}

void DirectConnection::send_bytes(std::string bytes) {
  actions_.emplace_back(dc_action::Send{std::move(bytes)});
}

void DirectConnection::fail_with(FailReason reason, std::string detail) {
  // A pending connect was abandoned already (on_timer) or has failed (on_connect_failed).
  if (connected_ || state_ == State::kListening) actions_.emplace_back(dc_action::Close{});
  connected_ = false;
  state_ = State::kFailed;
  deadline_.reset();
  events_.emplace_back(dc_event::Failed{reason, std::move(detail)});
}

}  // namespace msn::p2p::dc
