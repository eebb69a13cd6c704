// SPDX-License-Identifier: GPL-2.0-or-later
// The SLP side of direct connections (docs/protocol/p2p.md, "Direct connections"): our
// transreq INVITE and transresp 200 OK byte for byte as transcript 05 writes them, the
// answers to a peer's transreq (listen, decline, ignore; plain, hashed or no nonce) and to a
// transresp (connect internal then external, the reverse INVITE), the plugin's mismatched
// nonce as listener, and the plans' handshakes completing with each other.
#include <optional>
#include <string>
#include <variant>

#include "dc_test_util.h"
#include "p2p/dc_negotiation.h"
#include "p2p/slp.h"
#include "p2p/slp_direct.h"

namespace {

using msn::TimePoint;
using msn::p2p::dc::ConnectPlan;
using msn::p2p::dc::DeclinePlan;
using msn::p2p::dc::DirectConnection;
using msn::p2p::dc::Endpoint;
using msn::p2p::dc::ListenPlan;
using msn::p2p::dc::LocalSide;
using msn::p2p::dc::NoDirectConnection;
using msn::p2p::dc::Nonce;
using msn::p2p::dc::NonceCheck;
using msn::p2p::dc::NonceKind;
namespace dc = msn::p2p::dc;
namespace slp = msn::p2p::slp;

const Nonce kShared = *dc::parse_guid("{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
const Nonce kFresh = *dc::parse_guid("{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}");
const Nonce kOther = *dc::parse_guid("{11111111-2222-3333-4444-555555555555}");

// The transcript writes WLM's "CSeq: 0 "; we write the plugin's "CSeq: 0".
std::string without_cseq_space(std::string text) {
  const std::size_t line_end = text.find("\r\n", text.find("CSeq: "));
  if (text[line_end - 1] == ' ') text.erase(line_end - 1, 1);
  return text;
}

struct Exchange {
  slp::Message invite;
  slp::Message ok;
  std::string invite_text;
  std::string ok_text;
};

Exchange transcript_exchange() {
  const auto msgs = msn::test::read_transcript("transcripts/05-direct-connection.md");
  Exchange e;
  for (const auto& m : msgs) {
    if (m.text.empty()) continue;
    auto parsed = slp::parse(m.text);
    assert_true(parsed.is_ok());
    if (parsed->content_type == slp::content_type::kTransportRequest) {
      e.invite = *parsed;
      e.invite_text = without_cseq_space(m.text);
    } else if (parsed->content_type == slp::content_type::kTransportResponse) {
      e.ok = *parsed;
      e.ok_text = without_cseq_space(m.text);
    }
  }
  assert_false(e.invite_text.empty() || e.ok_text.empty());
  return e;
}

void test_bodies_match_transcript(void** /*state*/) {
  const Exchange e = transcript_exchange();
  const slp::Message invite =
      slp::make_invite(e.invite.to, e.invite.from, e.invite.branch, e.invite.call_id,
                       slp::content_type::kTransportRequest,
                       dc::transport_request_body("Direct-Connect", kShared, 180646677));
  assert_bytes_equal(slp::serialize(invite), e.invite_text);
  dc::ListenAddresses addresses{{"198.51.100.7"}, 6891, {"192.168.1.20"}, 6891};
  const slp::Message ok =
      slp::make_response(invite, 200, "OK", slp::content_type::kTransportResponse,
                         dc::listening_body(NonceKind::kPlain, kShared, addresses));
  assert_bytes_equal(slp::serialize(ok), e.ok_text);
  // The internal pair only when it differs from the external one.
  addresses.internal = addresses.external;
  const auto same = dc::listening_body(NonceKind::kPlain, kShared, addresses);
  assert_int_equal(same.size(), 5);
  assert_string_equal(same[4].name.c_str(), "IPv4External-Port");
  addresses.internal_port = 7000;
  assert_int_equal(dc::listening_body(NonceKind::kPlain, kShared, addresses).size(), 7);
  // Not listening: the plugin's body, or with a Hashed-Nonce for a hashed request.
  assert_true(dc::not_listening_body(NonceKind::kPlain) == slp::not_listening_body());
  const auto hashed = dc::not_listening_body(NonceKind::kHashed);
  assert_string_equal(hashed[2].name.c_str(), "Hashed-Nonce");
  const auto hashed_listening = dc::listening_body(NonceKind::kHashed, kFresh, addresses);
  assert_string_equal(hashed_listening[2].name.c_str(), "Hashed-Nonce");
  assert_string_equal(hashed_listening[2].value.c_str(), dc::guid_text(kFresh).c_str());
}

slp::TransportRequest transcript_request() {
  return *slp::parse_transport_request(transcript_exchange().invite);
}

slp::TransportResponse transcript_response() {
  return *slp::parse_transport_response(transcript_exchange().ok);
}

void test_answers_to_a_request(void** /*state*/) {
  // Bob's answer in the transcript: listen, echo Alice's nonce, expect it back.
  auto answer = dc::answer_transport_request(transcript_request(), LocalSide{}, kFresh);
  const auto* listen = std::get_if<ListenPlan>(&answer);
  assert_non_null(listen);
  assert_true(listen->kind == NonceKind::kPlain && listen->advertised == kShared);
  assert_true(listen->handshake.send == kShared);
  assert_true(listen->handshake.accepted == std::vector<Nonce>{kShared});

  // The plugin's transreq carries no nonce: ours is the one both use.
  auto no_nonce = transcript_request();
  no_nonce.nonce.clear();
  answer = dc::answer_transport_request(no_nonce, LocalSide{}, kFresh);
  listen = std::get_if<ListenPlan>(&answer);
  assert_true(listen != nullptr && listen->advertised == kFresh &&
              listen->handshake.send == kFresh);

  // Hashed-Nonce (MSNPSharp): we advertise the hash of our secret, send the secret, and check
  // the peer's secret against its hash.
  auto hashed = transcript_request();
  hashed.nonce.clear();
  hashed.hashed_nonce = "{2B95F56D-9CA0-9A64-82CE-ADC1F3C55845}";
  answer = dc::answer_transport_request(hashed, LocalSide{}, kFresh);
  listen = std::get_if<ListenPlan>(&answer);
  assert_non_null(listen);
  assert_true(listen->kind == NonceKind::kHashed && listen->advertised == dc::hash_nonce(kFresh));
  assert_true(listen->handshake.send == kFresh && listen->handshake.check == NonceCheck::kHashed);
  assert_true(listen->handshake.accepted[0] == *dc::parse_guid(hashed.hashed_nonce));

  // Declined: disabled, no socket, no TCPv1, or an unreadable Hashed-Nonce.
  LocalSide disabled;
  disabled.enabled = false;
  LocalSide deaf;
  deaf.can_listen = false;
  auto sb_only = transcript_request();
  sb_only.bridges = {"SBBridge"};
  auto bad_hash = hashed;
  bad_hash.hashed_nonce = "{2B95F56D}";
  const std::pair<slp::TransportRequest, LocalSide> declined[] = {
      {transcript_request(), disabled}, {transcript_request(), deaf}, {sb_only, LocalSide{}}};
  for (const auto& [request, local] : declined) {
    answer = dc::answer_transport_request(request, local, kFresh);
    assert_non_null(std::get_if<DeclinePlan>(&answer));
    assert_true(std::get<DeclinePlan>(answer).body == slp::not_listening_body());
  }
  answer = dc::answer_transport_request(bad_hash, LocalSide{}, kFresh);
  assert_true(std::get<DeclinePlan>(answer).body == dc::not_listening_body(NonceKind::kHashed));
  // A second offer while a connection exists gets no answer.
  LocalSide connected;
  connected.have_connection = true;
  answer = dc::answer_transport_request(transcript_request(), connected, kFresh);
  assert_non_null(std::get_if<NoDirectConnection>(&answer));
}

void test_answers_to_a_response(void** /*state*/) {
  // Alice's side of the transcript: internal address first, then external; the echoed nonce.
  auto answer =
      dc::answer_transport_response(transcript_response(), false, LocalSide{}, kShared, kFresh);
  const auto* connect = std::get_if<ConnectPlan>(&answer);
  assert_non_null(connect);
  const std::vector<Endpoint> expected = {{"192.168.1.20", 6891}, {"198.51.100.7", 6891}};
  assert_true(connect->endpoints == expected);
  assert_true(connect->handshake.send == kShared);
  assert_true(connect->handshake.accepted == std::vector<Nonce>{kShared});

  // The plugin as listener advertises a fresh GUID but checks ours: ours goes out, and the
  // reply may carry either.
  auto plugin = transcript_response();
  plugin.nonce = dc::guid_text(kOther);
  answer = dc::answer_transport_response(plugin, false, LocalSide{}, kShared, kFresh);
  connect = std::get_if<ConnectPlan>(&answer);
  assert_non_null(connect);
  assert_true(connect->handshake.send == kShared);
  assert_true(connect->handshake.accepted == (std::vector<Nonce>{kOther, kShared}));
  // A reverse INVITE's nonce is the inviter's own: that one goes out.
  answer = dc::answer_transport_response(plugin, true, LocalSide{}, kShared, kFresh);
  assert_true(std::get<ConnectPlan>(answer).handshake.send == kOther);
  // Without a nonce of our own, the advertised one.
  answer = dc::answer_transport_response(plugin, false, LocalSide{}, std::nullopt, kFresh);
  assert_true(std::get<ConnectPlan>(answer).handshake.send == kOther);

  // The peer does not listen: we offer to (a reverse INVITE) with our nonce, if we can.
  auto deaf_peer = transcript_response();
  deaf_peer.listening = false;
  answer = dc::answer_transport_response(deaf_peer, false, LocalSide{}, kShared, kFresh);
  const auto* listen = std::get_if<ListenPlan>(&answer);
  assert_true(listen != nullptr && listen->advertised == kShared &&
              listen->handshake.send == kShared);
  LocalSide deaf;
  deaf.can_listen = false;
  LocalSide disabled;
  disabled.enabled = false;
  assert_non_null(std::get_if<NoDirectConnection>(
      &(answer = dc::answer_transport_response(deaf_peer, false, deaf, kShared, kFresh))));
  assert_non_null(std::get_if<NoDirectConnection>(
      &(answer = dc::answer_transport_response(deaf_peer, true, LocalSide{}, kShared, kFresh))));
  assert_non_null(std::get_if<NoDirectConnection>(
      &(answer = dc::answer_transport_response(transcript_response(), false, disabled, kShared,
                                               kFresh))));
  auto no_address = transcript_response();
  no_address.internal_port.reset();
  no_address.external_addresses = {"peer.example.com"};
  assert_non_null(std::get_if<NoDirectConnection>(
      &(answer = dc::answer_transport_response(no_address, false, LocalSide{}, kShared, kFresh))));
  auto bad_nonce = transcript_response();
  bad_nonce.nonce = "{8E9ABB4E}";
  assert_non_null(std::get_if<NoDirectConnection>(
      &(answer = dc::answer_transport_response(bad_nonce, false, LocalSide{}, kShared, kFresh))));
}

void test_endpoints_are_literal_ipv4(void** /*state*/) {
  slp::TransportResponse r;
  r.internal_addresses = {"10.0.0.2",  "10.0.0.2",   "host.example", "1.2.3",    "256.1.1.1",
                          "1.2.3.4.5", "0001.2.3.4", "010.0.0.1",    "1.2.3.4 ", "1..3.4",
                          "",          "10.0.0.3"};
  r.internal_port = 5000;
  r.external_addresses = {"203.0.113.9", "10.0.0.2"};
  r.external_port = 6000;
  const std::vector<Endpoint> expected = {
      {"10.0.0.2", 5000}, {"10.0.0.3", 5000}, {"203.0.113.9", 6000}, {"10.0.0.2", 6000}};
  assert_true(dc::endpoints_to_try(r) == expected);
  r.external_port = 0;
  assert_int_equal(dc::endpoints_to_try(r).size(), 2);
}

// A peer's answer aims our connect at no more than 4 endpoints, never at this machine or at
// what is not one host (unless the server itself is local), never at link-local addresses.
void test_endpoints_a_peer_may_name(void** /*state*/) {
  slp::TransportResponse r;
  r.internal_addresses = {"198.51.100.1", "198.51.100.2", "198.51.100.3",
                          "198.51.100.4", "198.51.100.5", "198.51.100.6"};
  r.internal_port = 5000;
  r.external_addresses = {"203.0.113.9"};
  r.external_port = 6000;
  const std::vector<Endpoint> first_four = {{"198.51.100.1", 5000},
                                            {"198.51.100.2", 5000},
                                            {"198.51.100.3", 5000},
                                            {"198.51.100.4", 5000}};
  assert_true(dc::endpoints_to_try(r) == first_four);
  assert_true(dc::endpoints_to_try(r, true) == first_four);

  const std::vector<std::string> local_only = {"127.0.0.1", "127.255.0.9",    "0.0.0.0",
                                               "0.1.2.3",   "224.0.0.1",      "239.255.255.250",
                                               "240.0.0.1", "255.255.255.255"};
  r.internal_addresses = {"169.254.1.1"};
  r.internal_addresses.insert(r.internal_addresses.end(), local_only.begin(), local_only.end());
  r.external_addresses = {"10.0.0.1", "169.254.0.1", "192.168.1.2"};
  // Private LAN addresses are another host; the rest is refused.
  const std::vector<Endpoint> lan = {{"10.0.0.1", 6000}, {"192.168.1.2", 6000}};
  assert_true(dc::endpoints_to_try(r) == lan);
  // A local server: loopback and the rest become possible (four at most), link-local never.
  const std::vector<Endpoint> local = {
      {"127.0.0.1", 5000}, {"127.255.0.9", 5000}, {"0.0.0.0", 5000}, {"0.1.2.3", 5000}};
  assert_true(dc::endpoints_to_try(r, true) == local);
  r.internal_addresses = {"169.254.1.1", "255.255.255.255"};
  r.external_addresses = {"169.254.0.1"};
  const std::vector<Endpoint> broadcast = {{"255.255.255.255", 5000}};
  assert_true(dc::endpoints_to_try(r, true) == broadcast);

  // The plan follows: a peer that names only loopback gets no connection unless local.
  slp::TransportResponse loopback = transcript_response();
  loopback.internal_addresses = {"127.0.0.1"};
  loopback.external_addresses = {"127.0.0.1"};
  dc::ResponseAnswer answer;
  assert_non_null(std::get_if<dc::NoDirectConnection>(
      &(answer = dc::answer_transport_response(loopback, false, LocalSide{}, kShared, kFresh))));
  LocalSide local_server;
  local_server.local_peers = true;
  const auto* plan = std::get_if<ConnectPlan>(
      &(answer = dc::answer_transport_response(loopback, false, local_server, kShared, kFresh)));
  assert_non_null(plan);
  assert_string_equal(plan->endpoints.at(0).host.c_str(), "127.0.0.1");
}

void test_loopback_host(void** /*state*/) {
  for (const char* yes : {"localhost", "LocalHost", "127.0.0.1", "127.1.2.3", "::1"})
    assert_true(dc::is_loopback_host(yes));
  for (const char* no : {"", "messenger.hotmail.com", "128.0.0.1", "10.0.0.1", "localhost.",
                         "127.0.0.1.example.com", "0127.0.0.1", "::2"})
    assert_false(dc::is_loopback_host(no));
}

// The plans of both sides, wired together, complete the handshake.
bool handshake_completes(const dc::HandshakeConfig& listening,
                         const dc::HandshakeConfig& connecting) {
  TimePoint now{};
  auto listener = DirectConnection::listen(listening, now);
  auto connector = DirectConnection::connect({{"192.0.2.1", 1}}, connecting, now);
  (void)connector.take_actions();
  listener.on_connected(now);
  connector.on_connected(now);
  for (int round = 0; round < 2; ++round) {
    for (auto& a : connector.take_actions())
      if (auto* s = std::get_if<dc::dc_action::Send>(&a)) listener.on_data(s->bytes, now);
    for (auto& a : listener.take_actions())
      if (auto* s = std::get_if<dc::dc_action::Send>(&a)) connector.on_data(s->bytes, now);
  }
  return listener.established() && connector.established();
}

void test_plans_fit_together(void** /*state*/) {
  const auto request = transcript_request();
  auto bob = std::get<ListenPlan>(dc::answer_transport_request(request, LocalSide{}, kFresh));
  auto alice = std::get<ConnectPlan>(
      dc::answer_transport_response(transcript_response(), false, LocalSide{}, kShared, kOther));
  assert_true(handshake_completes(bob.handshake, alice.handshake));

  // The plugin as listener: it advertised kOther but holds (and answers with) our kShared.
  auto plugin = transcript_response();
  plugin.nonce = dc::guid_text(kOther);
  alice = std::get<ConnectPlan>(
      dc::answer_transport_response(plugin, false, LocalSide{}, kShared, kFresh));
  const dc::HandshakeConfig plugin_listener{kShared, NonceCheck::kPlain, {kShared}, 0};
  assert_true(handshake_completes(plugin_listener, alice.handshake));

  // Hashed both ways: the requester advertised hash(secret) and we answered with ours.
  const Nonce their_secret = kOther;
  auto hashed = request;
  hashed.nonce.clear();
  hashed.hashed_nonce = dc::guid_text(dc::hash_nonce(their_secret));
  bob = std::get<ListenPlan>(dc::answer_transport_request(hashed, LocalSide{}, kFresh));
  const dc::HandshakeConfig requester{their_secret, NonceCheck::kHashed, {bob.advertised}, 0};
  assert_true(handshake_completes(bob.handshake, requester));
  const dc::HandshakeConfig liar{kShared, NonceCheck::kHashed, {bob.advertised}, 0};
  assert_false(handshake_completes(bob.handshake, liar));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_bodies_match_transcript),
      cmocka_unit_test(test_answers_to_a_request),
      cmocka_unit_test(test_answers_to_a_response),
      cmocka_unit_test(test_endpoints_a_peer_may_name),
      cmocka_unit_test(test_loopback_host),
      cmocka_unit_test(test_endpoints_are_literal_ipv4),
      cmocka_unit_test(test_plans_fit_together),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
