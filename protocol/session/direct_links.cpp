// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct connections in the client".
#include "session/direct_links.h"

#include <algorithm>
#include <utility>

#include "p2p/dc_framing.h"
#include "p2p/slp_direct.h"

namespace msn {
namespace {

namespace dc = p2p::dc;
namespace slp = p2p::slp;

// What WLM 8.5 writes when it does not know better; the peer decides nothing by it.
constexpr std::string_view kConnType = "Direct-Connect";
// A data packet on the socket: length prefix, header and a full chunk.
constexpr std::size_t kPacketBytes =
    dc::kLengthPrefixSize + p2p::kHeaderSize + dc::kMaxDataPerPacket;

std::string fail_text(const dc::dc_event::Failed& failed) {
  return std::string(dc::fail_reason_name(failed.reason)) +
         (failed.detail.empty() ? "" : ": " + failed.detail);
}

}  // namespace

void DirectLinks::configure(ConnectionIds* ids, bool enabled, Random random) {
  ids_ = ids;
  enabled_ = enabled;
  random_ = std::move(random);
}

// ---- negotiation ----------------------------------------------------------------------------

void DirectLinks::offer(Id id, p2p::Link& link, const std::string& call_id,
                        std::uint32_t session_id, TimePoint now) {
  if (!enabled() || slots_.count(id) != 0) return;
  const auto nonce = fresh_nonce();
  if (!nonce) return;
  Slot& slot = slots_[id];
  slot.id = id;
  slot.peer = link.peer();
  slot.local = link.local();
  slot.call_id = call_id;
  slot.session_id = session_id;
  slot.sending = true;
  slot.our_nonce = nonce;
  slot.setup_deadline = now + kDirectSetupTimeout;
  send_slp(slot, link,
           slp::make_invite(slot.peer, slot.local, fresh_branch(), call_id,
                            slp::content_type::kTransportRequest,
                            dc::transport_request_body(kConnType, *nonce, session_id)));
  log(LogLevel::kDebug, "files: offered a direct connection to " + slot.peer);
}

void DirectLinks::on_request(Id id, p2p::Link& link, const slp::Message& invite, bool sending,
                             TimePoint now) {
  auto [it, fresh] = slots_.try_emplace(id);
  Slot& slot = it->second;
  if (fresh) {
    slot.id = id;
    slot.peer = link.peer();
    slot.local = link.local();
    slot.call_id = invite.call_id;
    slot.sending = sending;
    slot.setup_deadline = now + kDirectSetupTimeout;
  }
  if (!fresh) {
    // One connection per session: a second offer is declined, the first one's stays.
    send_slp(slot, link,
             slp::make_response(invite, 200, "OK", slp::content_type::kTransportResponse,
                                slp::not_listening_body()));
    return;
  }
  slot.request = invite;
  if (!enabled()) return answer_request(slot, link, nullptr, now);
  listen_for(slot);
}

bool DirectLinks::expects(Id id, const slp::Message& message) const {
  const auto it = slots_.find(id);
  if (message.is_request())
    return message.method == "INVITE" &&
           message.content_type == slp::content_type::kTransportResponse;
  // Answers to our offer: the only responses on a file Call-ID after the file's own 200 OK.
  return it != slots_.end() && it->second.our_nonce && it->second.path == Path::kNegotiating &&
         !it->second.dc && !it->second.plan;
}

void DirectLinks::on_response(Id id, p2p::Link& link, const slp::Message& message, TimePoint now) {
  const auto it = slots_.find(id);
  if (it == slots_.end()) {
    // A reverse INVITE for a session we made no offer for: nothing to connect to.
    return;
  }
  Slot& slot = it->second;
  if (slot.dc) return;  // one connection per session
  if (!message.is_request() && message.status_code != 200)
    return to_switchboard(slot, "the peer answered " + std::to_string(message.status_code));
  auto response = slp::parse_transport_response(message);
  if (!response) return to_switchboard(slot, "unreadable answer: " + response.error().detail);
  const auto nonce = fresh_nonce();
  if (!nonce) return to_switchboard(slot, "no randomness");
  auto answer = dc::answer_transport_response(*response, message.is_request(), local_side(true),
                                              slot.our_nonce, *nonce);
  if (auto* connect = std::get_if<dc::ConnectPlan>(&answer))
    return start_connecting(slot, link, std::move(*connect), now);
  if (auto* listen = std::get_if<dc::ListenPlan>(&answer)) {
    slot.plan = std::move(*listen);
    slot.reverse = true;
    return listen_for(slot);
  }
  to_switchboard(slot, "the peer does not listen");
}

// The peer's transreq, once we know whether we listen (`addresses`) or not (nullptr).
void DirectLinks::answer_request(Slot& slot, p2p::Link& link, const dc::ListenAddresses* addresses,
                                 TimePoint now) {
  const slp::Message invite = std::move(*slot.request);
  slot.request.reset();
  auto request = slp::parse_transport_request(invite);
  const auto nonce = fresh_nonce();
  dc::RequestAnswer answer = dc::NoDirectConnection{};
  if (request && nonce)
    answer = dc::answer_transport_request(*request, local_side(addresses != nullptr), *nonce);
  if (auto* plan = std::get_if<dc::ListenPlan>(&answer); plan && addresses != nullptr) {
    slot.plan = std::move(*plan);
    send_slp(
        slot, link,
        slp::make_response(invite, 200, "OK", slp::content_type::kTransportResponse,
                           dc::listening_body(slot.plan->kind, slot.plan->advertised, *addresses)));
    return start_listening(slot, link, *addresses, now);
  }
  const auto* decline = std::get_if<dc::DeclinePlan>(&answer);
  send_slp(slot, link,
           slp::make_response(invite, 200, "OK", slp::content_type::kTransportResponse,
                              decline != nullptr ? decline->body : slp::not_listening_body()));
  close_socket(slot);
  to_switchboard(slot, "not listening");
}

void DirectLinks::listen_for(Slot& slot) {
  close_socket(slot);
  slot.conn = ids_->next();
  outputs_.push_back(out::Listen{slot.conn});
}

void DirectLinks::on_listening(ConnectionId conn, const dc::ListenAddresses& addresses,
                               TimePoint now) {
  const auto it = slot_of(conn);
  if (it == slots_.end() || links_ == nullptr) return;
  Slot& slot = it->second;
  p2p::Link* link = links_->link(slot.peer);
  if (link == nullptr) return to_switchboard(slot, "no P2P link");
  if (slot.request) return answer_request(slot, *link, &addresses, now);
  if (!slot.plan || !slot.reverse) return;
  // Our reverse INVITE: the peer could not listen, so we do (same Call-ID, transrespbody).
  send_slp(slot, *link,
           slp::make_invite(slot.peer, slot.local, fresh_branch(), slot.call_id,
                            slp::content_type::kTransportResponse,
                            dc::listening_body(slot.plan->kind, slot.plan->advertised, addresses)));
  start_listening(slot, *link, addresses, now);
}

void DirectLinks::on_listen_failed(ConnectionId conn, TimePoint now) {
  const auto it = slot_of(conn);
  if (it == slots_.end()) return;
  Slot& slot = it->second;
  slot.conn = 0;
  p2p::Link* link = links_ != nullptr ? links_->link(slot.peer) : nullptr;
  if (slot.request && link != nullptr) return answer_request(slot, *link, nullptr, now);
  to_switchboard(slot, "cannot listen");
}

void DirectLinks::start_listening(Slot& slot, p2p::Link& link, const dc::ListenAddresses&,
                                  TimePoint now) {
  dc::HandshakeConfig handshake = slot.plan->handshake;
  handshake.identifier = link.take_identifier();
  slot.dc = dc::DirectConnection::listen(std::move(handshake), now);
  log(LogLevel::kDebug, "files: listening for a direct connection from " + slot.peer);
  run(slot.id, slot, now);
}

void DirectLinks::start_connecting(Slot& slot, p2p::Link& link, dc::ConnectPlan plan,
                                   TimePoint now) {
  plan.handshake.identifier = link.take_identifier();
  slot.dc =
      dc::DirectConnection::connect(std::move(plan.endpoints), std::move(plan.handshake), now);
  log(LogLevel::kDebug, "files: connecting directly to " + slot.peer);
  run(slot.id, slot, now);
}

// ---- the connection -------------------------------------------------------------------------

// Carries out what the handshake machine asked for and hands on what it reported.
void DirectLinks::run(Id id, Slot& slot, TimePoint /*now*/) {
  if (!slot.dc) return;
  for (auto& action : slot.dc->take_actions()) {
    if (auto* connect = std::get_if<dc::dc_action::Connect>(&action)) {
      // Every attempt gets its own id, so a late report of the last one reaches nothing.
      slot.conn = ids_->next();
      outputs_.push_back(
          out::Connect{slot.conn, connect->endpoint.host, connect->endpoint.port, false, true});
    } else if (auto* send = std::get_if<dc::dc_action::Send>(&action)) {
      if (slot.conn == 0) continue;
      slot.in_flight += send->bytes.size();
      outputs_.push_back(out::Send{slot.conn, std::move(send->bytes)});
    } else {
      close_socket(slot);
    }
  }
  for (auto& event : slot.dc->take_events()) {
    if (std::holds_alternative<dc::dc_event::Established>(event)) {
      if (slot.path == Path::kSwitchboard && slot.sending) {
        // Too late: the data went to the switchboard meanwhile.
        slot.dc->close();
        continue;
      }
      slot.path = Path::kDirect;
      slot.setup_deadline.reset();
      log(LogLevel::kInfo, "files: direct connection with " + slot.peer + " established");
    } else if (auto* received = std::get_if<dc::dc_event::Received>(&event)) {
      // A forgotten session's connection only waits to close: what still comes is dropped.
      if (!slot.linger_until)
        received_.push_back(DirectPacket{slot.peer, std::move(received->packet)});
    } else if (auto* failed = std::get_if<dc::dc_event::Failed>(&event)) {
      if (slot.path == Path::kDirect) {
        log(LogLevel::kInfo,
            "files: direct connection with " + slot.peer + " lost: " + fail_text(*failed));
        if (!slot.linger_until) broken_.push_back(id);
        slot.path = Path::kSwitchboard;
      } else {
        to_switchboard(slot, fail_text(*failed));
      }
    }
  }
  // A Close asked for after the last Send still needs to reach the runtime.
  for (auto& action : slot.dc->take_actions()) {
    if (std::holds_alternative<dc::dc_action::Close>(action)) close_socket(slot);
  }
}

void DirectLinks::on_connected(ConnectionId conn, TimePoint now) {
  const auto it = slot_of(conn);
  if (it == slots_.end() || !it->second.dc) return;
  it->second.dc->on_connected(now);
  run(it->first, it->second, now);
}

void DirectLinks::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  const auto it = slot_of(conn);
  if (it == slots_.end() || !it->second.dc) return;
  it->second.dc->on_data(bytes, now);
  run(it->first, it->second, now);
}

void DirectLinks::on_closed(ConnectionId conn, TimePoint now) {
  const auto it = slot_of(conn);
  if (it == slots_.end()) return;
  Slot& slot = it->second;
  if (slot.linger_until) {
    slots_.erase(it);  // the peer closed first: nothing more to wait for
    return;
  }
  if (!slot.dc) return on_listen_failed(conn, now);
  // The runtime has forgotten this connection already; the machine's Close needs no output.
  slot.conn = 0;
  slot.dc->on_closed(now);
  run(it->first, slot, now);
}

void DirectLinks::on_drained(ConnectionId conn) {
  const auto it = slot_of(conn);
  if (it != slots_.end()) it->second.in_flight = 0;
}

void DirectLinks::on_timer(TimePoint now) {
  for (auto it = slots_.begin(); it != slots_.end();) {
    Slot& slot = it->second;
    if (slot.linger_until && now >= *slot.linger_until) {
      close_socket(slot);
      it = slots_.erase(it);
      continue;
    }
    if (slot.dc) {
      slot.dc->on_timer(now);
      run(it->first, slot, now);
    }
    if (slot.setup_deadline && now >= *slot.setup_deadline) {
      slot.setup_deadline.reset();
      p2p::Link* link = links_ != nullptr ? links_->link(slot.peer) : nullptr;
      if (slot.request && link != nullptr) {
        answer_request(slot, *link, nullptr, now);  // no socket in time: "not listening"
      } else if (slot.path == Path::kNegotiating && slot.sending) {
        to_switchboard(slot, "no direct connection within 5 s");
      }
    }
    ++it;
  }
}

std::optional<TimePoint> DirectLinks::next_deadline() const {
  std::optional<TimePoint> earliest;
  const auto consider = [&](std::optional<TimePoint> d) {
    if (d && (!earliest || *d < *earliest)) earliest = d;
  };
  for (const auto& [id, slot] : slots_) {
    consider(slot.setup_deadline);
    consider(slot.linger_until);
    if (slot.dc) consider(slot.dc->next_deadline());
  }
  return earliest;
}

// ---- data -----------------------------------------------------------------------------------

DirectLinks::Path DirectLinks::path(Id id) const {
  const auto it = slots_.find(id);
  return it == slots_.end() || !it->second.sending ? Path::kSwitchboard : it->second.path;
}

std::size_t DirectLinks::room(Id id) const {
  const auto it = slots_.find(id);
  if (it == slots_.end() || it->second.path != Path::kDirect || !it->second.dc ||
      !it->second.dc->established() || it->second.in_flight >= kDirectWindow)
    return 0;
  return std::max<std::size_t>(1, (kDirectWindow - it->second.in_flight) / kPacketBytes);
}

Status DirectLinks::send(Id id, const p2p::Packet& packet, TimePoint now) {
  const auto it = slots_.find(id);
  if (it == slots_.end() || !it->second.dc)
    return make_error(Errc::kInvalidArgument, "no direct connection for that session");
  auto status = it->second.dc->send(packet, now);
  run(it->first, it->second, now);
  return status;
}

std::vector<DirectLinks::Id> DirectLinks::take_broken() { return std::exchange(broken_, {}); }

void DirectLinks::abandon(Id id, const std::string& why) {
  const auto it = slots_.find(id);
  if (it == slots_.end() || it->second.path == Path::kSwitchboard) return;
  to_switchboard(it->second, why);
}

void DirectLinks::forget(Id id, TimePoint now) {
  const auto it = slots_.find(id);
  if (it == slots_.end()) return;
  Slot& slot = it->second;
  if (!slot.sending && slot.dc && slot.dc->established()) {
    slot.linger_until = now + kDirectLinger;
    slot.setup_deadline.reset();
    return;
  }
  if (slot.dc) slot.dc->close();
  close_socket(slot);
  slots_.erase(it);
}

void DirectLinks::shut_down() {
  for (auto& [id, slot] : slots_) close_socket(slot);
  slots_.clear();
  broken_.clear();
  received_.clear();
}

// ---- helpers --------------------------------------------------------------------------------

std::map<DirectLinks::Id, DirectLinks::Slot>::iterator DirectLinks::slot_of(ConnectionId conn) {
  if (conn == 0) return slots_.end();
  return std::find_if(slots_.begin(), slots_.end(),
                      [conn](const auto& entry) { return entry.second.conn == conn; });
}

bool DirectLinks::owns(ConnectionId conn) const {
  return conn != 0 && std::any_of(slots_.begin(), slots_.end(),
                                  [conn](const auto& entry) { return entry.second.conn == conn; });
}

std::optional<dc::Nonce> DirectLinks::fresh_nonce() {
  auto bytes = random_ ? random_(dc::kNonceSize) : make_error(Errc::kUnsupported, "no randomness");
  if (!bytes || bytes->size() != dc::kNonceSize) return std::nullopt;
  return dc::nonce_from_bytes(*bytes);
}

std::string DirectLinks::fresh_branch() {
  auto bytes = random_ ? random_(16) : make_error(Errc::kUnsupported, "no randomness");
  return bytes && bytes->size() == 16 ? slp::guid_from_bytes(*bytes)
                                      : std::string("{00000000-0000-0000-0000-000000000000}");
}

dc::LocalSide DirectLinks::local_side(bool can_listen) const {
  dc::LocalSide local;
  local.enabled = enabled();
  local.can_listen = can_listen;
  local.local_peers = local_peers_;
  return local;
}

void DirectLinks::to_switchboard(Slot& slot, const std::string& why) {
  if (slot.dc) slot.dc->close();
  close_socket(slot);
  slot.setup_deadline.reset();
  if (slot.path == Path::kSwitchboard) return;
  slot.path = Path::kSwitchboard;
  log(LogLevel::kInfo, "files: no direct connection with " + slot.peer + " (" + why +
                           "); the switchboard carries the data");
}

void DirectLinks::close_socket(Slot& slot) {
  if (slot.conn != 0) outputs_.push_back(out::Close{slot.conn});
  slot.conn = 0;
}

void DirectLinks::send_slp(Slot& slot, p2p::Link& link, const slp::Message& message) {
  link.send(0, p2p::flags::kNone, p2p::app_id::kSignalling, slp::serialize(message));
  flush(slot);
}

void DirectLinks::flush(const Slot& slot) {
  if (links_ != nullptr) links_->flush_link(slot.peer);
}

}  // namespace msn
