// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct connections".
#include "p2p/dc_negotiation.h"

#include <algorithm>
#include <string>

#include "core/ascii.h"

namespace msn::p2p::dc {
namespace {

constexpr std::string_view kZeroGuid = "{00000000-0000-0000-0000-000000000000}";

std::string_view nonce_field(NonceKind kind) {
  return kind == NonceKind::kHashed ? "Hashed-Nonce" : "Nonce";
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : " ") + item;
  return out;
}

// The peer's text becomes a connect target: only a literal IPv4 address, so that nothing a
// peer writes makes us resolve a name (and tell a name server whom we talk to).
bool is_ipv4(std::string_view text) {
  int parts = 0;
  while (true) {
    std::size_t digits = 0;
    unsigned value = 0;
    while (digits < text.size() && ascii::is_digit(text[digits])) {
      value = value * 10 + static_cast<unsigned>(text[digits] - '0');
      if (++digits > 3) return false;
    }
    // A leading zero reads as octal to inet_aton(): refused rather than guessed.
    if (digits == 0 || value > 255 || (digits > 1 && text[0] == '0')) return false;
    ++parts;
    text.remove_prefix(digits);
    if (text.empty()) return parts == 4;
    if (text.front() != '.' || parts == 4) return false;
    text.remove_prefix(1);
  }
}

// The first octet and the second of a literal is_ipv4() address.
std::pair<unsigned, unsigned> leading_octets(std::string_view host) {
  unsigned first = 0;
  std::size_t i = 0;
  for (; i < host.size() && host[i] != '.'; ++i) first = first * 10 + static_cast<unsigned>(host[i] - '0');
  unsigned second = 0;
  for (++i; i < host.size() && host[i] != '.'; ++i) second = second * 10 + static_cast<unsigned>(host[i] - '0');
  return {first, second};
}

// Where a peer's answer may send our connect (endpoints_to_try()).
bool may_connect_to(std::string_view host, bool local_peers) {
  const auto [first, second] = leading_octets(host);
  if (first == 169 && second == 254) return false;  // link-local: the LAN's devices
  const bool local_only = first == 127 || first == 0 || first >= 224;
  return !local_only || local_peers;
}

void add_endpoints(const std::vector<std::string>& hosts, std::optional<std::uint16_t> port,
                   bool local_peers, std::vector<Endpoint>& out) {
  if (!port || *port == 0) return;
  for (const auto& host : hosts) {
    if (out.size() == kMaxEndpoints) return;
    Endpoint endpoint{host, *port};
    if (is_ipv4(host) && may_connect_to(host, local_peers) &&
        std::find(out.begin(), out.end(), endpoint) == out.end())
      out.push_back(std::move(endpoint));
  }
}

HandshakeConfig plain_handshake(const Nonce& send, std::vector<Nonce> accepted) {
  return HandshakeConfig{send, NonceCheck::kPlain, std::move(accepted), 0};
}

HandshakeConfig hashed_handshake(const Nonce& secret, const Nonce& peer_hash) {
  return HandshakeConfig{secret, NonceCheck::kHashed, {peer_hash}, 0};
}

// The reverse INVITE: we listen with a plain nonce, ours from the transreq if we sent one.
ResponseAnswer listen_instead(const LocalSide& local, const std::optional<Nonce>& our_nonce,
                              const Nonce& fresh) {
  if (!local.can_listen) return NoDirectConnection{};
  const Nonce nonce = our_nonce.value_or(fresh);
  return ListenPlan{NonceKind::kPlain, nonce, plain_handshake(nonce, {nonce})};
}

ResponseAnswer connect_to(const slp::TransportResponse& response,
                          const std::optional<Nonce>& our_nonce, bool reverse_invite,
                          const Nonce& fresh, bool local_peers) {
  auto endpoints = endpoints_to_try(response, local_peers);
  if (endpoints.empty()) return NoDirectConnection{};
  if (!response.hashed_nonce.empty()) {
    auto peer_hash = parse_guid(response.hashed_nonce);
    if (!peer_hash) return NoDirectConnection{};
    return ConnectPlan{std::move(endpoints),
                       hashed_handshake(our_nonce.value_or(fresh), *peer_hash)};
  }
  auto advertised = parse_guid(response.nonce);
  if (!advertised) return NoDirectConnection{};
  // The plugin as listener advertises a fresh GUID but checks (and answers with) the one our
  // transreq carried: send ours, and accept either in the reply. A peer that echoes ours
  // (MSNPSharp, the spec) sees the same GUID either way.
  if (our_nonce && *our_nonce != *advertised && !reverse_invite)
    return ConnectPlan{std::move(endpoints),
                       plain_handshake(*our_nonce, {*advertised, *our_nonce})};
  return ConnectPlan{std::move(endpoints), plain_handshake(*advertised, {*advertised})};
}

}  // namespace

std::vector<slp::Field> transport_request_body(std::string_view conn_type, const Nonce& nonce,
                                               std::uint32_t session_id) {
  return {{"Bridges", "TCPv1"},
          {"NetID", "0"},
          {"Conn-Type", std::string(conn_type)},
          {"TCP-Conn-Type", std::string(conn_type)},
          {"UPnPNat", "false"},
          {"ICF", "false"},
          {"Nonce", guid_text(nonce)},
          {"SessionID", std::to_string(session_id)}};
}

std::vector<slp::Field> listening_body(NonceKind kind, const Nonce& advertised,
                                       const ListenAddresses& addresses) {
  std::vector<slp::Field> body = {{"Bridge", "TCPv1"},
                                  {"Listening", "true"},
                                  {std::string(nonce_field(kind)), guid_text(advertised)}};
  if (!addresses.external.empty()) {
    body.push_back({"IPv4External-Addrs", join(addresses.external)});
    body.push_back({"IPv4External-Port", std::to_string(addresses.external_port)});
  }
  const bool same = addresses.internal == addresses.external &&
                    addresses.internal_port == addresses.external_port;
  if (!addresses.internal.empty() && !same) {
    body.push_back({"IPv4Internal-Addrs", join(addresses.internal)});
    body.push_back({"IPv4Internal-Port", std::to_string(addresses.internal_port)});
  }
  return body;
}

std::vector<slp::Field> not_listening_body(NonceKind kind) {
  return {{"Bridge", "TCPv1"},
          {"Listening", "false"},
          {std::string(nonce_field(kind)), std::string(kZeroGuid)}};
}

RequestAnswer answer_transport_request(const slp::TransportRequest& request, const LocalSide& local,
                                       const Nonce& fresh) {
  // One direct connection per peer: a second offer is left unanswered, as the plugin does.
  if (local.have_connection) return NoDirectConnection{};
  if (!request.hashed_nonce.empty()) {
    auto peer_hash = parse_guid(request.hashed_nonce);
    if (!local.enabled || !local.can_listen || !request.offers_tcp() || !peer_hash)
      return DeclinePlan{not_listening_body(NonceKind::kHashed)};
    return ListenPlan{NonceKind::kHashed, hash_nonce(fresh), hashed_handshake(fresh, *peer_hash)};
  }
  if (!local.enabled || !local.can_listen || !request.offers_tcp())
    return DeclinePlan{not_listening_body(NonceKind::kPlain)};
  // Echo the requester's nonce; without a readable one (the plugin's transreq has none) ours
  // is the one nonce both sides use.
  auto theirs = parse_guid(request.nonce);
  const Nonce shared = theirs ? *theirs : fresh;
  return ListenPlan{NonceKind::kPlain, shared, plain_handshake(shared, {shared})};
}

ResponseAnswer answer_transport_response(const slp::TransportResponse& response,
                                         bool reverse_invite, const LocalSide& local,
                                         const std::optional<Nonce>& our_nonce,
                                         const Nonce& fresh) {
  if (!local.enabled || response.bridge != "TCPv1") return NoDirectConnection{};
  if (response.listening)
    return connect_to(response, our_nonce, reverse_invite, fresh, local.local_peers);
  // Nobody listens on the other side: offer to listen ourselves, once.
  if (reverse_invite) return NoDirectConnection{};
  return listen_instead(local, our_nonce, fresh);
}

std::vector<Endpoint> endpoints_to_try(const slp::TransportResponse& response,
                                       bool local_peers) {
  std::vector<Endpoint> endpoints;
  add_endpoints(response.internal_addresses, response.internal_port, local_peers, endpoints);
  add_endpoints(response.external_addresses, response.external_port, local_peers, endpoints);
  return endpoints;
}

bool is_loopback_host(std::string_view host) {
  return ascii::iequals(host, "localhost") || host == "::1" ||
         (is_ipv4(host) && leading_octets(host).first == 127);
}

}  // namespace msn::p2p::dc
