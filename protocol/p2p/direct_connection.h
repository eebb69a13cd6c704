// SPDX-License-Identifier: GPL-2.0-or-later
// One direct connection (TCPv1) with a peer, sans-I/O (docs/protocol/p2p.md, "Direct
// connections"): the caller owns the sockets and the clock, hands in what happened (connected,
// bytes, closed, time) and carries out the actions (connect, send, close). The engine does the
// socket handshake for either role and, once established, turns bytes into P2P packets and
// packets into bytes. Any failure before or after that ends in one Failed event; the caller
// then falls back to the switchboard (before Established) or gives the session up (after).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "p2p/dc_framing.h"
#include "p2p/dc_nonce.h"
#include "p2p/header.h"

namespace msn::p2p::dc {

inline constexpr Duration kConnectTimeout = seconds(5);  // per address (plugin, papyon)
inline constexpr Duration kListenTimeout = seconds(15);  // the plugin's wait for a connection
inline constexpr Duration kIdleTimeout = seconds(60);    // an established DC without traffic
// From the TCP connection to the peer's nonce packet. Both packets are sent at once by a peer
// that means it; the sources bound only the connect, so this reuses its 5 s.
inline constexpr Duration kHandshakeTimeout = seconds(5);

struct Endpoint {
  std::string host;  // an IPv4 address as the peer wrote it
  std::uint16_t port = 0;
  bool operator==(const Endpoint&) const = default;
};

// How the nonce the peer sends is checked.
enum class NonceCheck {
  kPlain,   // it must equal one of `accepted`
  kHashed,  // its hash must be `accepted[0]`, the peer's Hashed-Nonce (matches_hash())
};

struct HandshakeConfig {
  Nonce send;  // what our nonce packet carries: the shared plain nonce or our own secret
  NonceCheck check = NonceCheck::kPlain;
  std::vector<Nonce> accepted;
  // The Identifier of our nonce packet: the next one of the P2P link's sequence.
  std::uint32_t identifier = 0;
};

enum class FailReason {
  kConnectFailed,  // no endpoint could be reached in time
  kNoConnection,   // listening: nobody connected within kListenTimeout
  kTimeout,        // the handshake did not complete in time
  kBadFoo,         // listening: the first packet was not "foo\0"
  kBadHandshake,   // a nonce packet that is not 48 bytes with flag 0x100
  kNonceMismatch,  // the peer's nonce does not check out
  kFraming,        // a packet length of 0 or over kMaxPacket
  kBadPacket,      // established: a packet that is not a P2P header and its data
  kClosed,         // the peer closed the connection or the socket failed
  kIdle,           // established: nothing sent or received for kIdleTimeout
};
const char* fail_reason_name(FailReason reason);

namespace dc_action {
struct Connect {  // open a TCP connection to this endpoint; report on_connected/on_connect_failed
  Endpoint endpoint;
};
struct Send {  // write these bytes, in order, on the connection
  std::string bytes;
};
struct Close {};  // close the connection (and stop listening)
}  // namespace dc_action
using Action = std::variant<dc_action::Connect, dc_action::Send, dc_action::Close>;

namespace dc_event {
struct Established {};
struct Received {  // a P2P packet from the peer, for the session layer's Link
  Packet packet;
};
struct Failed {  // the last event; the connection is closed
  FailReason reason;
  std::string detail;  // for debug logs
};
}  // namespace dc_event
using Event = std::variant<dc_event::Established, dc_event::Received, dc_event::Failed>;

class DirectConnection {
 public:
  enum class State {
    kConnecting,  // connecting side: waiting for a TCP connection to endpoints_[next_ - 1]
    kListening,   // listening side: waiting for the peer to connect
    kAwaitFoo,    // listening side: connected, waiting for "foo\0"
    kAwaitNonce,  // both sides: waiting for the peer's nonce packet
    kEstablished,
    kFailed,
    kClosed,  // closed by the caller
  };

  // Connecting side: tries `endpoints` in order, kConnectTimeout each. Emits the first Connect.
  static DirectConnection connect(std::vector<Endpoint> endpoints, HandshakeConfig config,
                                  TimePoint now);
  // Listening side: the caller listens already (its address went into the SLP body).
  static DirectConnection listen(HandshakeConfig config, TimePoint now);

  // The TCP connection is up (connecting side: to the endpoint last asked for; listening
  // side: accepted).
  void on_connected(TimePoint now);
  // The endpoint last asked for could not be reached: the next one is tried.
  void on_connect_failed(TimePoint now);
  void on_data(std::string_view bytes, TimePoint now);
  void on_closed(TimePoint now);  // EOF or a socket error
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  // Established only (Errc::kInvalidArgument otherwise, or for a packet data_packet()
  // refuses): queues the packet's bytes. Cut messages with kMaxDataPerPacket.
  Status send(const Packet& packet, TimePoint now);
  // Closes without a Failed event (the sessions are done).
  void close();

  State state() const { return state_; }
  bool established() const { return state_ == State::kEstablished; }
  std::vector<Action> take_actions();
  std::vector<Event> take_events();

 private:
  DirectConnection(HandshakeConfig config, State state, TimePoint now);

  void try_next_endpoint(TimePoint now);
  void handle_packet(const std::string& contents, TimePoint now);
  void handle_nonce_packet(const std::string& contents, TimePoint now);
  void handle_established_packet(const std::string& contents);
  bool nonce_accepted(const Nonce& received) const;
  void send_bytes(std::string bytes);
  void fail_with(FailReason reason, std::string detail);
  bool active() const { return state_ != State::kFailed && state_ != State::kClosed; }

  HandshakeConfig config_;
  State state_;
  bool connecting_;  // the role: we connect (and send first) or we listen (and answer)
  std::vector<Endpoint> endpoints_;
  std::size_t next_ = 0;
  bool connected_ = false;  // a socket exists that a Close must end
  std::optional<TimePoint> deadline_;
  FrameDecoder decoder_;
  std::vector<Action> actions_;
  std::vector<Event> events_;
};

}  // namespace msn::p2p::dc
