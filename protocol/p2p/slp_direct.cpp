// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct-connection bodies".
#include "p2p/slp_direct.h"

#include <algorithm>

#include "core/ascii.h"
#include "wire/command.h"

namespace msn::p2p::slp {
namespace {

// A space-separated list has at most this many entries kept; a peer has one or two addresses.
constexpr std::size_t kMaxListEntries = 8;

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "slp: " + detail); }

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> items;
  std::size_t at = 0;
  while (at < text.size() && items.size() < kMaxListEntries) {
    const std::size_t end = std::min(text.find(' ', at), text.size());
    if (end > at) items.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return items;
}

Result<std::optional<bool>> boolean(const Message& m, std::string_view name) {
  const auto value = m.field(name);
  if (!value) return std::optional<bool>();
  if (ascii::iequals(*value, "true")) return std::optional<bool>(true);
  if (ascii::iequals(*value, "false")) return std::optional<bool>(false);
  return malformed(std::string(name) + " is not true or false");
}

Result<std::optional<std::uint16_t>> port(const Message& m, std::string_view name) {
  const auto value = m.field(name);
  if (!value || value->empty()) return std::optional<std::uint16_t>();
  const auto number = wire::parse_u32(*value);
  if (!number || *number > UINT16_MAX) return malformed(std::string(name) + " is not a port");
  return std::optional<std::uint16_t>(static_cast<std::uint16_t>(*number));
}

std::string text(const Message& m, std::string_view name) {
  return std::string(m.field(name).value_or(""));
}

}  // namespace

bool TransportRequest::offers_tcp() const {
  return std::find(bridges.begin(), bridges.end(), "TCPv1") != bridges.end();
}

Result<TransportRequest> parse_transport_request(const Message& message) {
  TransportRequest request;
  request.bridges = split_list(message.field("Bridges").value_or(""));
  request.net_id = text(message, "NetID");
  request.conn_type = text(message, "Conn-Type");
  auto upnp = boolean(message, "UPnPNat");
  auto icf = boolean(message, "ICF");
  if (!upnp || !icf) return upnp ? icf.error() : upnp.error();
  request.upnp_nat = *upnp;
  request.icf = *icf;
  request.nonce = text(message, "Nonce");
  request.hashed_nonce = text(message, "Hashed-Nonce");
  if (const auto session = message.field("SessionID")) {
    request.session_id = wire::parse_u32(*session);
    if (!request.session_id) return malformed("SessionID is not a number");
  }
  return request;
}

Result<TransportResponse> parse_transport_response(const Message& message) {
  TransportResponse response;
  response.bridge = text(message, "Bridge");
  auto listening = boolean(message, "Listening");
  if (!listening) return listening.error();
  response.listening = listening->value_or(false);
  response.nonce = text(message, "Nonce");
  response.hashed_nonce = text(message, "Hashed-Nonce");
  response.external_addresses = split_list(message.field("IPv4External-Addrs").value_or(""));
  response.internal_addresses = split_list(message.field("IPv4Internal-Addrs").value_or(""));
  auto external = port(message, "IPv4External-Port");
  auto internal = port(message, "IPv4Internal-Port");
  if (!external || !internal) return external ? internal.error() : external.error();
  response.external_port = *external;
  response.internal_port = *internal;
  return response;
}

std::vector<Field> not_listening_body() {
  return {{"Bridge", "TCPv1"},
          {"Listening", "false"},
          {"Nonce", "{00000000-0000-0000-0000-000000000000}"}};
}

}  // namespace msn::p2p::slp
