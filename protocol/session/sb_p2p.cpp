// SPDX-License-Identifier: GPL-2.0-or-later
// P2P messages on a switchboard (docs/protocol/p2p.md, "Transport message"): the binary body of
// each application/x-msnmsgrp2p MSG meant for us goes to the owner as an event, and what the
// owner sends goes out as "MSG trid D len" through a small window, signalling first. Nothing
// here reads the binary part: that belongs to the P2P layer.
#include <utility>

#include "session/sb_checks.h"
#include "session/switchboard_session.h"

namespace msn {

using namespace sb_checks;

namespace {

// The MIME block of every P2P MSG, in transcript 04's order.
std::string p2p_payload(std::string_view destination, std::string_view body) {
  std::string payload = "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: ";
  payload += destination;
  payload += "\r\n\r\n";
  payload += body;
  return payload;
}

}  // namespace

Status SwitchboardSession::send_p2p(std::string destination, std::string body, bool signalling,
                                    TimePoint now) {
  if (!accepts_messages())
    return make_error(Errc::kInvalidArgument, "the conversation no longer takes messages");
  if (!usable_address(destination))
    return make_error(Errc::kInvalidArgument, "not an address for P2P-Dest");
  if (p2p_backlog() >= config_.max_p2p_backlog)
    return make_error(Errc::kLimit, "too many P2P messages waiting");
  auto& queue = signalling ? p2p_signalling_ : p2p_data_;
  queue.push_back(P2pOut{std::move(destination), std::move(body)});
  flush_p2p(now);
  return Status::ok();
}

// Keeps at most config_.p2p_window P2P MSGs on the wire without their ACK, so that a picture of
// two hundred chunks never stands between the server and a text: texts do not wait for this
// window. Signalling (SLP and P2P ACKs) goes before data, so a peer's sessions keep moving.
void SwitchboardSession::flush_p2p(TimePoint now) {
  if (state_ != State::kReady) return;
  while (p2p_in_flight_.size() < config_.p2p_window) {
    auto& queue = !p2p_signalling_.empty() ? p2p_signalling_ : p2p_data_;
    if (queue.empty()) return;
    P2pOut out = std::move(queue.front());
    queue.pop_front();
    wire::Written written =
        writer_.payload_command("MSG", {"D"}, p2p_payload(out.destination, out.body));
    write(std::move(written.bytes));
    p2p_in_flight_[written.trid] = now + config_.timeouts.ack;
  }
}

// "ACK n" / "NAK n" of a P2P MSG frees its place in the window. A lost P2P MSG is not sent
// again here: the P2P session above times out and says so.
bool SwitchboardSession::p2p_answered(wire::TrId trid, bool delivered, TimePoint now) {
  if (p2p_in_flight_.erase(trid) == 0) return false;
  if (!delivered) log(LogLevel::kInfo, "switchboard: a P2P message was not delivered");
  flush_p2p(now);
  return true;
}

void SwitchboardSession::expire_p2p(TimePoint now) {
  const std::size_t before = p2p_in_flight_.size();
  std::erase_if(p2p_in_flight_, [&](const auto& entry) { return now >= entry.second; });
  if (p2p_in_flight_.size() != before) {
    log(LogLevel::kInfo, "switchboard: no ACK for a P2P message");
    flush_p2p(now);
  }
}

// A P2P message is for one participant (P2P-Dest); in a multi-party switchboard the server
// relays it to everybody, and the others ignore it.
void SwitchboardSession::handle_p2p(const std::string& from, const wire::MimeMessage& message) {
  const auto destination = message.header("P2P-Dest");
  if (!destination || !same_address(*destination, config_.account)) {
    log(LogLevel::kDebug, "switchboard: a P2P message for someone else was ignored");
    return;
  }
  events_.push_back(ev::P2pReceived{conn_, from, message.body});
}

std::size_t SwitchboardSession::p2p_backlog() const {
  return p2p_signalling_.size() + p2p_data_.size() + p2p_in_flight_.size();
}

std::optional<TimePoint> SwitchboardSession::p2p_deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& [trid, deadline] : p2p_in_flight_) {
    if (!earliest || deadline < *earliest) earliest = deadline;
  }
  return earliest;
}

void SwitchboardSession::drop_p2p() {
  p2p_signalling_.clear();
  p2p_data_.clear();
  p2p_in_flight_.clear();
}

}  // namespace msn
