// SPDX-License-Identifier: GPL-2.0-or-later
// The bodies of the direct-connection negotiation (content types transreqbody and
// transrespbody; docs/protocol/p2p.md, "Direct-connection bodies"). Parsed so that a session
// can recognise and answer them; nothing here opens a connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/status.h"
#include "p2p/slp.h"

namespace msn::p2p::slp {

struct TransportRequest {
  std::vector<std::string> bridges;  // "TCPv1", "SBBridge", ... in the order given
  std::string net_id;
  std::string conn_type;  // "Direct-Connect", "Port-Restrict-NAT", ...
  std::optional<bool> upnp_nat;
  std::optional<bool> icf;
  std::string nonce;         // plain Nonce, braces included; empty when absent
  std::string hashed_nonce;  // Hashed-Nonce, braces included; empty when absent
  std::optional<std::uint32_t> session_id;
  bool offers_tcp() const;  // "TCPv1" among the bridges
};

struct TransportResponse {
  std::string bridge;
  bool listening = false;
  std::string nonce;
  std::string hashed_nonce;
  std::vector<std::string> external_addresses;
  std::optional<std::uint16_t> external_port;
  std::vector<std::string> internal_addresses;
  std::optional<std::uint16_t> internal_port;
};

// Fields the peer wrote that are not booleans/ports as documented are reported as
// Errc::kProtocol; absent fields stay empty. Unknown fields are ignored.
Result<TransportRequest> parse_transport_request(const Message& message);
Result<TransportResponse> parse_transport_response(const Message& message);
// The plugin's answer when it does not listen: Bridge TCPv1, Listening false, a zero nonce.
std::vector<Field> not_listening_body();

}  // namespace msn::p2p::slp
