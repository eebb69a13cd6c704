// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: direct connections. The first byte picks what the rest is:
//   bit 2 set: MSNSLP text whose transreq/transresp body goes through the negotiation;
//   else a script for one DirectConnection, listening (bit 0) or connecting, plain or hashed
//   nonce (bit 1): op bytes below 0xF0 feed the next (op % 64 + 1) bytes; 0xF0 moves the clock
//   1 s, 0xF1 to the next deadline, 0xF2 reports EOF, 0xF3 a failed connect, 0xF4 sends the
//   next 32 bytes as a packet's data, 0xF5 the next 32 bytes as one slice.
// Checked: at most one Established, before any Received; nothing after Failed; every Received
// packet re-encodes to a packet that parses back the same; every send parses back; the framing
// decoder yields the same packets whether fed byte by byte or whole; plans only name literal
// IPv4 endpoints with a port.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "p2p/dc_framing.h"
#include "p2p/dc_negotiation.h"
#include "p2p/direct_connection.h"
#include "p2p/slp.h"
#include "p2p/slp_direct.h"

using msn::fuzz::check;

namespace {

using namespace msn;
using namespace msn::p2p::dc;

// The nonces of vectors/dc-handshake.txt, so that the seeds get through the handshake.
const Nonce kPlain = *parse_guid("{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
const Nonce kSecret = *parse_guid("{122D2937-5C86-4C7B-81F5-0E05017880C2}");

struct Observer {
  bool established = false;
  bool failed = false;
  std::size_t closes = 0;
};

void observe(DirectConnection& dc, Observer& seen) {
  for (const auto& action : dc.take_actions()) {
    check(!seen.failed || std::holds_alternative<dc_action::Close>(action));
    if (std::holds_alternative<dc_action::Close>(action)) ++seen.closes;
  }
  for (const auto& event : dc.take_events()) {
    check(!seen.failed);
    if (std::holds_alternative<dc_event::Established>(event)) {
      check(!seen.established);
      seen.established = true;
    } else if (const auto* received = std::get_if<dc_event::Received>(&event)) {
      check(seen.established);
      const p2p::Packet& packet = received->packet;
      check(packet.data.size() == packet.header.length);
      const std::string bytes = frame(p2p::serialize_header(packet.header) + packet.data);
      auto again = parse_data_packet(bytes.substr(kLengthPrefixSize));
      check(again.is_ok() && *again == packet);
    } else {
      seen.failed = true;
    }
  }
  check(seen.failed == (dc.state() == DirectConnection::State::kFailed));
}

void send_packet(DirectConnection& dc, std::string_view data, TimePoint now) {
  p2p::Packet packet;
  packet.header.session_id = 7;
  packet.header.total_size = data.size();
  packet.header.length = static_cast<std::uint32_t>(data.size());
  packet.data.assign(data);
  const bool established = dc.established();
  const Status sent = dc.send(packet, now);
  check(sent.is_ok() == established);
  if (!sent) return;
  const auto actions = dc.take_actions();
  check(actions.size() == 1);
  const auto& bytes = std::get<dc_action::Send>(actions[0]).bytes;
  auto parsed = parse_data_packet(std::string_view(bytes).substr(kLengthPrefixSize));
  check(parsed.is_ok() && *parsed == packet);
}

void run_script(std::uint8_t mode, std::string_view script) {
  const bool listening = (mode & 1) != 0;
  HandshakeConfig config{kPlain, NonceCheck::kPlain, {kPlain}, 5};
  if ((mode & 2) != 0) config = {kSecret, NonceCheck::kHashed, {hash_nonce(kSecret)}, 5};
  TimePoint now{};
  auto dc = listening
                ? DirectConnection::listen(config, now)
                : DirectConnection::connect({{"192.0.2.1", 1}, {"192.0.2.2", 2}}, config, now);
  Observer seen;
  dc.on_connected(now);
  observe(dc, seen);
  for (std::size_t step = 0; !script.empty() && step < 4096; ++step) {
    const auto op = static_cast<std::uint8_t>(script.front());
    script.remove_prefix(1);
    const auto take = [&](std::size_t n) {
      const std::string_view out = script.substr(0, n);
      script.remove_prefix(out.size());
      return out;
    };
    switch (op) {
      case 0xF0:
        dc.on_timer(now += seconds(1));
        break;
      case 0xF1:
        if (const auto deadline = dc.next_deadline()) dc.on_timer(now = std::max(now, *deadline));
        break;
      case 0xF2:
        dc.on_closed(now);
        break;
      case 0xF3:
        dc.on_connect_failed(now);
        break;
      case 0xF4:
        send_packet(dc, take(32), now);
        break;
      case 0xF5:
        dc.on_data(take(32), now);
        break;
      default:
        dc.on_data(take(op % 64 + 1), now);
        break;
    }
    observe(dc, seen);
  }
}

// The same stream cut two ways gives the same packets and the same verdict.
void check_framing(std::string_view stream) {
  FrameDecoder whole, bytewise;
  std::vector<std::string> a, b;
  const bool whole_ok = whole.feed(stream, a).is_ok();
  bool bytewise_ok = true;
  for (char c : stream) {
    bytewise_ok = bytewise.feed(std::string_view(&c, 1), b).is_ok() && bytewise_ok;
    check(bytewise.buffered() <= kLengthPrefixSize + kMaxPacket);
  }
  check(whole_ok == bytewise_ok);
  check(a == b);
  for (const auto& packet : a) check(!packet.empty() && packet.size() <= kMaxPacket);
}

void check_endpoints(const std::vector<Endpoint>& endpoints) {
  check(endpoints.size() <= 16);
  for (const auto& e : endpoints) {
    check(e.port != 0);
    check(e.host.find_first_not_of("0123456789.") == std::string::npos);
  }
}

void negotiate(std::string_view text) {
  auto message = p2p::slp::parse(text);
  if (!message) return;
  const Nonce fresh = nonce_from_bytes("0123456789abcdef");
  if (auto request = p2p::slp::parse_transport_request(*message)) {
    for (const bool enabled : {true, false}) {
      LocalSide local;
      local.enabled = enabled;
      const auto answer = answer_transport_request(*request, local, fresh);
      if (const auto* plan = std::get_if<ListenPlan>(&answer)) {
        check(enabled);
        check(!plan->handshake.accepted.empty());
        (void)p2p::slp::serialize(p2p::slp::make_response(
            *message, 200, "OK", p2p::slp::content_type::kTransportResponse,
            listening_body(plan->kind, plan->advertised, {{"203.0.113.1"}, 1, {}, 0})));
      }
    }
  }
  if (auto response = p2p::slp::parse_transport_response(*message)) {
    check_endpoints(endpoints_to_try(*response));
    for (const bool reverse : {false, true}) {
      const auto answer = answer_transport_response(*response, reverse, LocalSide{}, kPlain, fresh);
      if (const auto* plan = std::get_if<ConnectPlan>(&answer)) {
        check(!plan->endpoints.empty());
        check_endpoints(plan->endpoints);
      }
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  if ((data[0] & 4) != 0) {
    negotiate(input);
    return 0;
  }
  check_framing(input.substr(0, 4 * kMaxPacket));
  run_script(data[0], input);
  return 0;
}
