// SPDX-License-Identifier: GPL-2.0-or-later
// The switchboard session's connection: XFR SB / RNG tickets, connecting and signing in (USR or
// ANS), reading commands and handing each to its file, error replies, timers, OUT, leaving and
// ending. The participants (CAL/IRO/JOI/BYE) are in sb_participants.cpp, messages out (MSG,
// ACK/NAK) in sb_send.cpp, messages in (MSG) in sb_receive.cpp.
#include "session/switchboard_session.h"

#include <utility>

#include "session/sb_checks.h"
#include "wire/server_error.h"

namespace msn {

using namespace sb_checks;

namespace {

constexpr std::size_t kMaxCookie = 512;

Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error(Errc::kProtocol, "switchboard address without a port");
  const auto port = wire::parse_u32(text.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return make_error(Errc::kProtocol, "switchboard address with a bad port");
  return std::pair{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(*port)};
}

InviteFailure invite_failure_for(int code) {
  switch (code) {
    case 215: return InviteFailure::kAlreadyThere;
    case 216:
    case 217: return InviteFailure::kUnavailable;
    case 208: return InviteFailure::kInvalidAddress;
    case 713: return InviteFailure::kTooManyInvites;
    default: return InviteFailure::kOther;
  }
}

}  // namespace

Result<SwitchboardTicket> parse_xfr_switchboard(const wire::Command& xfr) {
  // XFR trid SB host:port CKI cookie [U messenger.msn.com 1]
  if (xfr.verb != "XFR" || xfr.arg(1) != "SB" || xfr.arg(3) != "CKI")
    return make_error(Errc::kProtocol, "not an XFR SB answer");
  const std::string_view cookie = xfr.arg(4);
  if (cookie.empty() || cookie.size() > kMaxCookie) return make_error(Errc::kProtocol, "XFR SB without a usable cookie");
  auto target = split_host_port(xfr.arg(2));
  if (!target) return target.error();
  return SwitchboardTicket{std::move(target->first), target->second, std::string(cookie)};
}

Result<SwitchboardInvitation> parse_rng(const wire::Command& rng) {
  // RNG session-id host:port CKI cookie inviter friendly [U messenger.msn.com 1]
  if (rng.verb != "RNG" || rng.arg(2) != "CKI") return make_error(Errc::kProtocol, "not an RNG invitation");
  const std::string_view cookie = rng.arg(3);
  if (rng.arg(0).empty() || cookie.empty() || cookie.size() > kMaxCookie || !usable_address(rng.arg(4)))
    return make_error(Errc::kProtocol, "RNG without a session, cookie or inviter");
  auto target = split_host_port(rng.arg(1));
  if (!target) return target.error();
  SwitchboardInvitation invitation;
  invitation.session_id = std::string(rng.arg(0));
  invitation.host = std::move(target->first);
  invitation.port = target->second;
  invitation.cookie = std::string(cookie);
  invitation.inviter = std::string(rng.arg(4));
  invitation.inviter_name = display_name(rng.arg(5));
  return invitation;
}

SwitchboardSession::SwitchboardSession(SwitchboardConfig config, ConnectionId conn)
    : config_(std::move(config)), conn_(conn) {}

// ---------------------------------------------------------------------------------------------
// Connection and sign-in

void SwitchboardSession::start_outgoing(const SwitchboardTicket& ticket, std::string invitee, TimePoint now) {
  if (state_ != State::kIdle) return;
  outgoing_ = true;
  peer_ = std::move(invitee);
  cookie_ = ticket.cookie;
  if (!usable_address(peer_)) {
    fail(make_error(Errc::kInvalidArgument, "no usable address to invite"), NotDeliveredReason::kNoParticipants);
    return;
  }
  begin(ticket.host, ticket.port, now);
}

void SwitchboardSession::start_incoming(const SwitchboardInvitation& invitation, TimePoint now) {
  if (state_ != State::kIdle) return;
  outgoing_ = false;
  peer_ = invitation.inviter;
  cookie_ = invitation.cookie;
  session_id_ = invitation.session_id;
  begin(invitation.host, invitation.port, now);
}

void SwitchboardSession::begin(std::string host, std::uint16_t port, TimePoint now) {
  state_ = State::kConnecting;
  connect_deadline_ = now + config_.timeouts.connect;
  log(LogLevel::kInfo, "switchboard: connecting to " + host + ":" + std::to_string(port));
  outputs_.push_back(out::Connect{conn_, std::move(host), port, false});
}

void SwitchboardSession::on_connected(ConnectionId conn, TimePoint now) {
  if (!owns(conn) || state_ != State::kConnecting) return;
  connected_ = true;
  connect_deadline_.reset();
  state_ = State::kAuthenticating;
  const wire::Written written = outgoing_ ? writer_.command("USR", {config_.account, cookie_})
                                          : writer_.command("ANS", {config_.account, cookie_, session_id_});
  write(written.bytes);
  auth_trid_ = written.trid;
  reply_deadline_ = now + config_.timeouts.reply;
  log(LogLevel::kDebug, std::string("switchboard: >> ") + (outgoing_ ? "USR" : "ANS") + " (cookie hidden)");
}

void SwitchboardSession::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (!owns(conn) || !connected_) return;
  const Status status = parser_.feed(bytes);
  for (std::string& note : parser_.take_skipped()) log(LogLevel::kWarning, "switchboard: " + note);
  if (!status) {
    // Commands framed before the error still count (an ACK may be among them).
    while (auto command = parser_.next()) {
      dispatch(*command, now);
      if (!owns(conn)) return;
    }
    fail(status.error(), NotDeliveredReason::kConnectionLost);
    return;
  }
  while (auto command = parser_.next()) {
    dispatch(*command, now);
    if (!owns(conn)) return;  // the command ended the session
  }
}

void SwitchboardSession::on_closed(ConnectionId conn, const Error& why, TimePoint /*now*/) {
  if (!owns(conn)) return;
  connected_ = false;  // nothing more can be written
  if (state_ == State::kLeaving && awaiting_ack_.empty() && p2p_in_flight_.empty()) {
    end(std::nullopt, false);
    return;
  }
  Error error = why;
  if (error.code == Errc::kTransport && state_ != State::kConnecting)
    error.detail = "the switchboard closed the connection";
  fail(std::move(error), NotDeliveredReason::kConnectionLost);
}

void SwitchboardSession::on_timer(TimePoint now) {
  if (state_ == State::kClosed) return;
  if (connect_deadline_ && now >= *connect_deadline_) {
    fail(make_error(Errc::kTimeout, "connecting to the switchboard timed out"), NotDeliveredReason::kConnectionLost);
    return;
  }
  if (reply_deadline_ && now >= *reply_deadline_) {
    fail(make_error(Errc::kTimeout, "the switchboard did not answer the sign-in"), NotDeliveredReason::kConnectionLost);
    return;
  }
  std::vector<wire::TrId> expired;
  for (const auto& [trid, cal] : cals_) {
    if (now >= cal.deadline) expired.push_back(trid);
  }
  for (wire::TrId trid : expired) {
    if (state_ == State::kClosed) return;
    invite_failed(trid, InviteFailure::kTimedOut, 0, now);
  }
  if (state_ == State::kClosed) return;
  expire_acks(now);
}

void SwitchboardSession::dispatch(const wire::Command& command, TimePoint now) {
  const std::string& verb = command.verb;
  if (command.is_error()) return handle_error_reply(command, now);
  if (verb == "MSG") return handle_msg(command, now);
  if (verb == "ACK") return handle_ack(command, true, now);
  if (verb == "NAK") return handle_ack(command, false, now);
  if (verb == "USR") return handle_usr(command, now);
  if (verb == "ANS") return handle_ans(command, now);
  if (verb == "CAL") return handle_cal(command, now);
  if (verb == "IRO") return handle_iro(command);
  if (verb == "JOI") return handle_joi(command, now);
  if (verb == "BYE") return handle_bye(command);
  if (verb == "OUT") {
    fail(make_error(Errc::kTransport, "the switchboard ended the session (OUT)"), NotDeliveredReason::kConnectionLost);
    return;
  }
  log(LogLevel::kDebug, "switchboard: ignored " + verb);
}

void SwitchboardSession::handle_usr(const wire::Command& command, TimePoint now) {
  // USR trid OK email friendly
  if (!outgoing_ || state_ != State::kAuthenticating || command.trid() != auth_trid_) return;
  if (command.arg(1) != "OK") {
    fail(make_error(Errc::kProtocol, "unexpected USR answer from the switchboard"), NotDeliveredReason::kConnectionLost);
    return;
  }
  auth_trid_.reset();
  reply_deadline_.reset();
  state_ = State::kInviting;
  send_cal(peer_, now);
  for (const auto& email : std::exchange(invites_waiting_, {})) send_cal(email, now);
}

void SwitchboardSession::handle_ans(const wire::Command& command, TimePoint now) {
  // ANS trid OK, after one IRO per participant
  if (outgoing_ || state_ != State::kAuthenticating || command.trid() != auth_trid_) return;
  if (command.arg(1) != "OK") {
    fail(make_error(Errc::kProtocol, "unexpected ANS answer from the switchboard"), NotDeliveredReason::kConnectionLost);
    return;
  }
  auth_trid_.reset();
  reply_deadline_.reset();
  state_ = State::kInviting;
  for (const auto& email : std::exchange(invites_waiting_, {})) send_cal(email, now);
  if (!participants_.empty()) {
    become_ready(now);
  } else {
    check_alone();  // everyone left before we answered
  }
}

void SwitchboardSession::handle_error_reply(const wire::Command& command, TimePoint now) {
  const int code = command.error_code();
  const auto trid = command.trid();
  if (trid && trid == auth_trid_) {
    fail(wire::server_error(code, "switchboard sign-in refused"), NotDeliveredReason::kConnectionLost);
    return;
  }
  if (trid && cals_.count(*trid) != 0) {
    invite_failed(*trid, invite_failure_for(code), code, now);
    return;
  }
  if (trid && (awaiting_ack_.count(*trid) != 0 || p2p_in_flight_.count(*trid) != 0)) {
    handle_ack(command, false, now);  // a numeric answer to a MSG is a refusal like NAK
    return;
  }
  log(LogLevel::kWarning, "switchboard: server error " + std::to_string(code));
}

void SwitchboardSession::start_leaving(NotDeliveredReason for_queued) {
  state_ = State::kLeaving;
  cals_.clear();
  invites_waiting_.clear();
  reply_deadline_.reset();
  // Queued pieces were never sent: they end now. Sent ones wait for their ACK or NAK.
  std::vector<MessageId> touched;
  for (const Queued& q : std::exchange(queue_, {})) {
    if (q.nudge) continue;
    auto it = messages_.find(q.id);
    if (it == messages_.end()) continue;
    Piece& piece = it->second.pieces[q.piece];
    piece.state = PieceState::kFailed;
    piece.failure = for_queued;
    touched.push_back(q.id);
  }
  for (MessageId id : touched) resolve_if_done(id);
  finish_leaving_if_done();
}

void SwitchboardSession::finish_leaving_if_done() {
  if (state_ == State::kLeaving && awaiting_ack_.empty() && p2p_in_flight_.empty())
    end(std::nullopt, true);
}

void SwitchboardSession::leave(TimePoint /*now*/) {
  switch (state_) {
    case State::kReady:
    case State::kInviting:
      start_leaving(NotDeliveredReason::kClosed);
      return;
    case State::kLeaving:
    case State::kClosed:
      return;
    default:
      fail_unresolved(NotDeliveredReason::kClosed);
      end(std::nullopt, true);
  }
}

void SwitchboardSession::close(TimePoint /*now*/) {
  if (state_ == State::kClosed) return;
  fail_unresolved(NotDeliveredReason::kClosed);
  end(std::nullopt, true);
}

void SwitchboardSession::fail(Error error, NotDeliveredReason reason) {
  if (state_ == State::kClosed) return;
  log(LogLevel::kWarning, "switchboard: session ended: " + error.detail);
  fail_unresolved(reason);
  end(std::move(error), false);
}

void SwitchboardSession::end(std::optional<Error> error, bool say_out) {
  if (state_ == State::kClosed) return;
  fail_unresolved(NotDeliveredReason::kClosed);  // a safety net: callers resolve first
  if (say_out && connected_) write(wire::CommandWriter::untracked("OUT"));
  if (state_ != State::kIdle) outputs_.push_back(out::Close{conn_});
  state_ = State::kClosed;
  connected_ = false;
  connect_deadline_.reset();
  reply_deadline_.reset();
  cals_.clear();
  partial_.clear();
  drop_p2p();
  events_.push_back(ev::SwitchboardClosed{conn_, std::move(error)});
}

void SwitchboardSession::log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

void SwitchboardSession::write(std::string bytes) { outputs_.push_back(out::Send{conn_, std::move(bytes)}); }

std::vector<Output> SwitchboardSession::take_outputs() { return std::exchange(outputs_, {}); }
std::vector<SwitchboardEvent> SwitchboardSession::take_events() { return std::exchange(events_, {}); }

std::optional<TimePoint> SwitchboardSession::next_deadline() const {
  if (state_ == State::kClosed) return std::nullopt;
  std::optional<TimePoint> earliest;
  auto consider = [&](TimePoint t) {
    if (!earliest || t < *earliest) earliest = t;
  };
  if (connect_deadline_) consider(*connect_deadline_);
  if (reply_deadline_) consider(*reply_deadline_);
  for (const auto& [trid, cal] : cals_) consider(cal.deadline);
  if (const auto p2p = p2p_deadline()) consider(*p2p);
  for (const auto& [trid, where] : awaiting_ack_) {
    const auto it = messages_.find(where.first);
    if (it != messages_.end()) consider(it->second.pieces[where.second].deadline);
  }
  return earliest;
}

bool SwitchboardSession::accepts_messages() const {
  return state_ == State::kIdle || state_ == State::kConnecting || state_ == State::kAuthenticating ||
         state_ == State::kInviting || state_ == State::kReady;
}

}  // namespace msn
