// SPDX-License-Identifier: GPL-2.0-or-later
// The SLP side of a direct connection (docs/protocol/p2p.md, "Direct connections"): the
// transreqbody and transrespbody we write, and the decisions taken on those we receive, as
// plain data. Who listens, who connects to which addresses in which order, and which nonce
// each handshake packet carries and accepts; the caller opens the sockets and runs a
// DirectConnection with the resulting HandshakeConfig.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <variant>
#include <vector>

#include "p2p/dc_nonce.h"
#include "p2p/direct_connection.h"
#include "p2p/slp.h"
#include "p2p/slp_direct.h"

namespace msn::p2p::dc {

enum class NonceKind { kPlain, kHashed };

// Where our listening socket can be reached. The external (public) pair is written always,
// the internal one only when it differs, as the plugin does.
struct ListenAddresses {
  std::vector<std::string> external;
  std::uint16_t external_port = 0;
  std::vector<std::string> internal;
  std::uint16_t internal_port = 0;
};

// Our INVITE offering a direct connection (content type transreqbody), in the order and
// spelling of WLM 8.5: Bridges TCPv1, NetID 0, Conn-Type and TCP-Conn-Type, UPnPNat and ICF
// false, the plain Nonce, the SessionID.
std::vector<slp::Field> transport_request_body(std::string_view conn_type, const Nonce& nonce,
                                               std::uint32_t session_id);
// A transrespbody saying we listen (the 200 OK, or the reverse INVITE): Bridge TCPv1,
// Listening true, Nonce or Hashed-Nonce `advertised`, then the addresses.
std::vector<slp::Field> listening_body(NonceKind kind, const Nonce& advertised,
                                       const ListenAddresses& addresses);
// A transrespbody saying we do not listen: a zero nonce of the kind the request used.
std::vector<slp::Field> not_listening_body(NonceKind kind);

// What we can do; the caller knows it (settings, whether a socket could be opened).
struct LocalSide {
  bool enabled = true;           // the user allows direct connections
  bool can_listen = true;        // a listening socket can be opened
  bool have_connection = false;  // a direct connection with this peer exists already
  // The notification server is on loopback (a local test server): peers are local programs,
  // so loopback and the other local-only targets are theirs to name.
  bool local_peers = false;
};

// Addresses a peer's transrespbody makes us connect to, at most (the plugin's internal and
// external pair, with room for a second interface each).
inline constexpr std::size_t kMaxEndpoints = 4;

// Listen, then send `kind`/`advertised` with the socket's addresses (listening_body()).
struct ListenPlan {
  NonceKind kind = NonceKind::kPlain;
  Nonce advertised;
  HandshakeConfig handshake;  // identifier still 0: the caller takes the link's next one
};
// Connect to these endpoints in this order (DirectConnection::connect).
struct ConnectPlan {
  std::vector<Endpoint> endpoints;
  HandshakeConfig handshake;  // identifier still 0, as above
};
// Answer 200 OK with this body and carry on over the switchboard.
struct DeclinePlan {
  std::vector<slp::Field> body;
};
// Nothing to answer (a second offer while a connection exists; the caller ignores it) or
// nothing more to try: carry on over the switchboard.
struct NoDirectConnection {};

// A transreq INVITE from the peer. `fresh` is a random nonce the caller drew: the shared
// nonce when the request carried none, our secret when it carried a Hashed-Nonce.
using RequestAnswer = std::variant<ListenPlan, DeclinePlan, NoDirectConnection>;
RequestAnswer answer_transport_request(const slp::TransportRequest& request, const LocalSide& local,
                                       const Nonce& fresh);

// A transrespbody from the peer: the 200 OK to our transreq (`reverse_invite` false) or an
// INVITE in which the peer offers to listen after we could not (`reverse_invite` true).
// `our_nonce` is the Nonce of our transreq, if we sent one; `fresh` as above. A listening
// peer gives a ConnectPlan; a peer that does not listen gives a ListenPlan for our reverse
// INVITE when we can listen; everything else is NoDirectConnection.
using ResponseAnswer = std::variant<ConnectPlan, ListenPlan, NoDirectConnection>;
ResponseAnswer answer_transport_response(const slp::TransportResponse& response,
                                         bool reverse_invite, const LocalSide& local,
                                         const std::optional<Nonce>& our_nonce, const Nonce& fresh);

// The peer's addresses to try: internal ones (internal port) first, then external ones
// (external port); only dotted IPv4 addresses with a port, each endpoint once, at most
// kMaxEndpoints. A peer may not aim us at this machine or at what is not one host: loopback
// (127/8), "this network" (0/8), multicast (224/4), reserved and broadcast (240/4) are
// skipped unless `local_peers`; link-local (169.254/16) always.
std::vector<Endpoint> endpoints_to_try(const slp::TransportResponse& response,
                                       bool local_peers = false);
// Whether a server host name is this machine: "localhost", a 127/8 literal or "::1".
bool is_loopback_host(std::string_view host);

}  // namespace msn::p2p::dc
