// SPDX-License-Identifier: GPL-2.0-or-later
// The switchboard session. First half: connection, sign-in (USR/ANS), participants
// (CAL/JOI/IRO/BYE), errors, timers and ending. Second half: messages out (queue, MSG, ACK/NAK)
// and in (MSG payloads decoded into events, chunked messages joined).
#include "session/switchboard_session.h"

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"
#include "session/message_split.h"
#include "wire/server_error.h"

namespace msn {

namespace {

constexpr std::size_t kMaxCookie = 512;
constexpr std::size_t kMaxRecentNudges = 16;
// Chunked incoming messages (docs/protocol/switchboard.md): few at a time, bounded in parts and
// bytes.
constexpr std::size_t kMaxPartialMessages = 8;
constexpr std::uint32_t kMaxChunks = 64;
constexpr std::size_t kMaxJoinedBytes = 128 * 1024;
// A Message-ID longer than this is no id we or any client made: treated as absent.
constexpr std::size_t kMaxMessageIdBytes = 128;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool same_address(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// An address we are willing to put on a command line: no blanks, no control bytes.
// Addresses reach the UI (participant lists, window titles) like any other peer text, so they
// must be UTF-8 too.
bool usable_address(std::string_view email) {
  if (email.empty() || email.size() > 256) return false;
  return std::none_of(email.begin(), email.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; }) &&
         wire::is_valid_utf8(email);
}

Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error(Errc::kProtocol, "switchboard address without a port");
  const auto port = wire::parse_u32(text.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return make_error(Errc::kProtocol, "switchboard address with a bad port");
  return std::pair{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(*port)};
}

std::string display_name(std::string_view encoded) {
  return wire::bounded_utf8(wire::url_decode(encoded), wire::kMaxFriendlyNameChars);
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

char ack_letter(AckMode mode) {
  switch (mode) {
    case AckMode::kNone: return 'U';
    case AckMode::kNakOnly: return 'N';
    case AckMode::kAlways: return 'A';
    case AckMode::kData: return 'D';
  }
  return 'U';
}

// A header value we are willing to carry or believe: bounded, printable, one line.
bool usable_message_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageIdBytes) return false;
  return std::none_of(id.begin(), id.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace

// Reference vs reality: official clients (MSN 7.x, WLM) put Message-ID only on multi-part
// messages, to join the parts (docs/protocol/switchboard.md); receivers (WLM, the old Pidgin msn
// prpl's cmdproc.c/msg.c) ignore it on a single message. We put it on every text so that a resend
// after a lost ACK carries the id of the first try and our own receiving side (and any that
// cares) recognises the copy; to everyone else it is one more ignored header.
std::string random_message_id() {
  auto random = crypto::random_bytes(16);
  if (!random || random.value().size() != 16) return {};
  std::string b = std::move(random.value());
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x0F) | 0x80);  // variant
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "{";
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    const auto byte = static_cast<unsigned char>(b[i]);
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0F];
  }
  id += '}';
  return id;
}

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
  if (state_ == State::kLeaving && awaiting_ack_.empty()) {
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
  if (verb == "ACK") return handle_ack(command, true);
  if (verb == "NAK") return handle_ack(command, false);
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

void SwitchboardSession::handle_cal(const wire::Command& command, TimePoint now) {
  // CAL trid RINGING session-id
  const auto trid = command.trid();
  if (!trid) return;
  auto cal = cals_.find(*trid);
  if (cal == cals_.end() || command.arg(1) != "RINGING") return;
  cal->second.ringing = true;
  cal->second.deadline = now + config_.timeouts.join;
  if (session_id_.empty()) session_id_ = std::string(command.arg(2));
}

void SwitchboardSession::handle_iro(const wire::Command& command) {
  // IRO trid index total email friendly [caps]
  if (state_ != State::kAuthenticating || outgoing_) return;
  add_participant(command.arg(3), command.arg(4), true);
}

void SwitchboardSession::handle_joi(const wire::Command& command, TimePoint now) {
  // JOI email friendly [caps]
  const std::string_view email = command.arg(0);
  add_participant(email, command.arg(1), false);
  for (auto it = cals_.begin(); it != cals_.end();) {
    it = same_address(it->second.email, email) ? cals_.erase(it) : std::next(it);
  }
  if (state_ == State::kInviting && !participants_.empty()) become_ready(now);
}

void SwitchboardSession::handle_bye(const wire::Command& command) {
  // BYE email [1]: the extra parameter comes when the server ends an idle conversation.
  const std::string_view email = command.arg(0);
  const auto it = std::find_if(participants_.begin(), participants_.end(),
                               [&](const Participant& p) { return same_address(p.email, email); });
  if (it == participants_.end()) return;
  events_.push_back(ev::ParticipantLeft{conn_, it->email, command.args.size() > 1});
  participants_.erase(it);
  check_alone();
}

void SwitchboardSession::add_participant(std::string_view email, std::string_view encoded_name, bool was_present) {
  if (!usable_address(email)) {
    log(LogLevel::kWarning, "switchboard: ignoring a participant with an unusable address");
    return;
  }
  if (has_participant(email)) return;
  if (same_address(email, config_.account)) return;  // ourselves, as some servers list us too
  if (participants_.size() >= config_.max_participants) {
    log(LogLevel::kWarning, "switchboard: too many participants; ignoring one more");
    return;
  }
  participants_.push_back(Participant{std::string(email), display_name(encoded_name)});
  events_.push_back(ev::ParticipantJoined{conn_, participants_.back().email, participants_.back().friendly_name,
                                          was_present});
}

bool SwitchboardSession::has_participant(std::string_view email) const {
  return std::any_of(participants_.begin(), participants_.end(),
                     [&](const Participant& p) { return same_address(p.email, email); });
}

void SwitchboardSession::send_cal(const std::string& email, TimePoint now) {
  const wire::Written written = writer_.command("CAL", {email});
  write(written.bytes);
  cals_[written.trid] = PendingCal{email, now + config_.timeouts.reply, false};
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
  if (trid && awaiting_ack_.count(*trid) != 0) {
    handle_ack(command, false);  // a numeric answer to a MSG is a refusal like NAK
    return;
  }
  log(LogLevel::kWarning, "switchboard: server error " + std::to_string(code));
}

void SwitchboardSession::invite_failed(wire::TrId trid, InviteFailure reason, int code, TimePoint /*now*/) {
  auto cal = cals_.find(trid);
  if (cal == cals_.end()) return;
  std::string email = std::move(cal->second.email);
  cals_.erase(cal);
  if (reason == InviteFailure::kUnavailable) recipient_unavailable_ = true;
  events_.push_back(ev::InviteFailed{conn_, std::move(email), reason, code});
  check_alone();
}

void SwitchboardSession::become_ready(TimePoint now) {
  state_ = State::kReady;
  events_.push_back(ev::SwitchboardReady{conn_});
  flush_queue(now);
}

// Nobody else is here and nobody is on the way: docs/protocol/switchboard.md says leave (OUT).
void SwitchboardSession::check_alone() {
  if (!participants_.empty() || !cals_.empty()) return;
  if (state_ != State::kInviting && state_ != State::kReady) return;
  start_leaving(recipient_unavailable_ ? NotDeliveredReason::kRecipientUnavailable
                                       : NotDeliveredReason::kNoParticipants);
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
  if (state_ == State::kLeaving && awaiting_ack_.empty()) end(std::nullopt, true);
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

// ---------------------------------------------------------------------------------------------
// Messages out

Result<MessageId> SwitchboardSession::send_text(std::string_view text, const TextFormat& format, TimePoint now,
                                                std::string_view message_id) {
  if (!accepts_messages()) return make_error(Errc::kInvalidArgument, "the conversation no longer takes messages");
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty message");
  if (messages_.size() >= config_.max_pending_messages)
    return make_error(Errc::kLimit, "too many messages waiting for delivery");
  OutgoingMessage message;
  message.format = format;
  message.format_header = format_header(format);
  if (usable_message_id(message_id)) {
    message.message_id = std::string(message_id);
  } else if (config_.new_message_id) {
    message.message_id = config_.new_message_id();
    if (!usable_message_id(message.message_id)) message.message_id.clear();
  }
  // Room for the text: what the first part of a multi-part message carries (the most).
  wire::MimeMessage first = wire::make_text_message(message.format_header, "");
  first.set_header("Message-ID", message.message_id.empty() ? std::string(38, '0') : message.message_id);
  first.set_header("Chunks", "999");
  auto pieces = split_message_text(wire::sanitize_utf8(text), first.header_bytes());
  if (!pieces) return pieces.error();
  if (pieces.value().size() > 1 && message.message_id.empty())
    return make_error(Errc::kInvalidArgument, "no Message-ID could be made for a multi-part message");
  for (auto& piece : pieces.value()) message.pieces.push_back(Piece{std::move(piece)});
  message.multipart = message.pieces.size() > 1;
  message.recipients = current_recipients();
  const MessageId id = next_message_id_++;
  const std::size_t count = message.pieces.size();
  messages_.emplace(id, std::move(message));
  for (std::size_t i = 0; i < count; ++i) {
    if (state_ == State::kReady) {
      send_piece(id, i, now);
    } else {
      queue_.push_back(Queued{false, id, i});
    }
  }
  return id;
}

Status SwitchboardSession::send_typing(TimePoint /*now*/) {
  if (state_ != State::kReady) return make_error(Errc::kInvalidArgument, "the conversation is not open");
  send_msg(wire::make_typing_message(config_.account), AckMode::kNone);
  return Status::ok();
}

Status SwitchboardSession::send_nudge(TimePoint /*now*/) {
  if (!accepts_messages()) return make_error(Errc::kInvalidArgument, "the conversation no longer takes messages");
  if (state_ != State::kReady) {
    queue_.push_back(Queued{true, 0, 0});
    return Status::ok();
  }
  recent_nudges_.push_back(send_msg(wire::make_nudge_message(), AckMode::kNakOnly));
  if (recent_nudges_.size() > kMaxRecentNudges) recent_nudges_.pop_front();
  return Status::ok();
}

Result<wire::TrId> SwitchboardSession::send_payload(const wire::MimeMessage& message, AckMode mode, TimePoint /*now*/) {
  if (state_ != State::kReady) return make_error(Errc::kInvalidArgument, "the conversation is not open");
  if (message.header_bytes() + message.body.size() > kMaxMsgPayload)
    return make_error(Errc::kLimit, "switchboard payload over 1664 bytes");
  return send_msg(message, mode);
}

Status SwitchboardSession::invite(std::string email, TimePoint now) {
  if (!usable_address(email)) return make_error(Errc::kInvalidArgument, "not an address");
  if (has_participant(email)) return make_error(Errc::kInvalidArgument, "already in the conversation");
  switch (state_) {
    case State::kIdle:
    case State::kConnecting:
    case State::kAuthenticating:
      invites_waiting_.push_back(std::move(email));
      return Status::ok();
    case State::kInviting:
    case State::kReady:
      send_cal(email, now);
      return Status::ok();
    default:
      return make_error(Errc::kInvalidArgument, "the conversation is over");
  }
}

void SwitchboardSession::flush_queue(TimePoint now) {
  while (!queue_.empty() && state_ == State::kReady) {
    const Queued q = queue_.front();
    queue_.pop_front();
    if (q.nudge) {
      recent_nudges_.push_back(send_msg(wire::make_nudge_message(), AckMode::kNakOnly));
      if (recent_nudges_.size() > kMaxRecentNudges) recent_nudges_.pop_front();
    } else {
      send_piece(q.id, q.piece, now);
    }
  }
}

void SwitchboardSession::send_piece(MessageId id, std::size_t index, TimePoint now) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  const OutgoingMessage& message = it->second;
  Piece& piece = it->second.pieces[index];
  wire::MimeMessage part;
  if (!message.multipart) {
    part = wire::make_text_message(message.format_header, piece.text);
    if (!message.message_id.empty()) part.set_header("Message-ID", message.message_id);
  } else if (index == 0) {
    part = wire::make_text_message(message.format_header, piece.text);
    part.set_header("Message-ID", message.message_id);
    part.set_header("Chunks", std::to_string(message.pieces.size()));
  } else {
    part.set_header("Message-ID", message.message_id);
    part.set_header("Chunk", std::to_string(index));
    part.body = piece.text;
  }
  const wire::TrId trid = send_msg(part, AckMode::kAlways);
  piece.state = PieceState::kSent;
  piece.deadline = now + config_.timeouts.ack;
  awaiting_ack_[trid] = {id, index};
}

wire::TrId SwitchboardSession::send_msg(const wire::MimeMessage& message, AckMode mode) {
  const char letter[2] = {ack_letter(mode), '\0'};
  wire::Written written = writer_.payload_command("MSG", {std::string_view(letter, 1)}, message.serialize());
  write(std::move(written.bytes));
  return written.trid;
}

void SwitchboardSession::handle_ack(const wire::Command& command, bool delivered) {
  const auto trid = wire::parse_u32(command.arg(0));  // "ACK trid", "NAK trid" or "{code} trid"
  if (!trid) return;
  const auto it = awaiting_ack_.find(*trid);
  if (it == awaiting_ack_.end()) {
    if (!delivered && std::find(recent_nudges_.begin(), recent_nudges_.end(), *trid) != recent_nudges_.end())
      log(LogLevel::kInfo, "switchboard: a nudge was not delivered");
    return;
  }
  const auto [id, index] = it->second;
  awaiting_ack_.erase(it);
  piece_resolved(id, index, delivered, NotDeliveredReason::kRejected);
  finish_leaving_if_done();
}

void SwitchboardSession::piece_resolved(MessageId id, std::size_t index, bool delivered, NotDeliveredReason reason) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  Piece& piece = it->second.pieces[index];
  piece.state = delivered ? PieceState::kAcked : PieceState::kFailed;
  piece.failure = reason;
  resolve_if_done(id);
}

void SwitchboardSession::resolve_if_done(MessageId id) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  OutgoingMessage& message = it->second;
  std::optional<NotDeliveredReason> reason;
  std::string undelivered;
  for (const Piece& piece : message.pieces) {
    if (piece.state == PieceState::kQueued || piece.state == PieceState::kSent) return;
    if (piece.state == PieceState::kFailed) {
      if (!reason) reason = piece.failure;
      undelivered += piece.text;
    }
  }
  // The receiver drops a multi-part message with a part missing: none of it was shown.
  if (reason && message.multipart) {
    undelivered.clear();
    for (const Piece& piece : message.pieces) undelivered += piece.text;
  }
  // A message accepted before we knew whom it was for goes to whoever it was meant for now.
  if (message.recipients.empty()) message.recipients = current_recipients();
  if (reason) {
    events_.push_back(ev::MessageNotDelivered{
        conn_, id, *reason, std::move(undelivered), std::move(message.format),
        std::move(message.recipients), std::move(message.message_id), message.unconfirmed});
  } else {
    events_.push_back(ev::MessageDelivered{conn_, id});
  }
  messages_.erase(it);
}

void SwitchboardSession::fail_unresolved(NotDeliveredReason reason) {
  queue_.clear();
  awaiting_ack_.clear();
  std::vector<MessageId> ids;
  for (auto& [id, message] : messages_) {
    ids.push_back(id);
    for (Piece& piece : message.pieces) {
      if (piece.state == PieceState::kSent) message.unconfirmed = true;
      if (piece.state == PieceState::kQueued || piece.state == PieceState::kSent) {
        piece.state = PieceState::kFailed;
        piece.failure = reason;
      }
    }
  }
  for (MessageId id : ids) resolve_if_done(id);
}

void SwitchboardSession::expire_acks(TimePoint now) {
  std::vector<std::pair<MessageId, std::size_t>> expired;
  for (auto it = awaiting_ack_.begin(); it != awaiting_ack_.end();) {
    const auto [id, index] = it->second;
    const auto message = messages_.find(id);
    if (message == messages_.end() || now >= message->second.pieces[index].deadline) {
      expired.emplace_back(id, index);
      it = awaiting_ack_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, index] : expired) piece_resolved(id, index, false, NotDeliveredReason::kTimedOut);
  finish_leaving_if_done();
}

std::vector<std::string> SwitchboardSession::current_recipients() const {
  std::vector<std::string> recipients;
  for (const auto& p : participants_) recipients.push_back(p.email);
  if (recipients.empty() && !peer_.empty()) recipients.push_back(peer_);
  return recipients;
}

// ---------------------------------------------------------------------------------------------
// Messages in

void SwitchboardSession::handle_msg(const wire::Command& command, TimePoint /*now*/) {
  // MSG email friendly length
  if (!command.has_payload) return;
  const std::string from = wire::sanitize_utf8(command.arg(0));
  const std::string friendly = display_name(command.arg(1));
  auto parsed = wire::parse_mime_message(command.payload);
  if (!parsed) {
    log(LogLevel::kWarning, "switchboard: unreadable message dropped: " + parsed.error().detail);
    return;
  }
  auto whole = reassemble(from, std::move(parsed.value()));
  if (whole) handle_message(from, friendly, std::move(*whole));
}

void SwitchboardSession::handle_message(const std::string& from, const std::string& friendly,
                                        wire::MimeMessage message) {
  const wire::MessageKind kind = wire::classify(message);
  switch (kind) {
    case wire::MessageKind::kText: {
      std::string text = wire::text_body(message);
      if (text.empty()) return;
      TextFormat format = parse_format_header(message.header("X-MMS-IM-Format").value_or(""));
      const std::string_view id = message.header("Message-ID").value_or("");
      events_.push_back(ev::TextReceived{conn_, from, friendly, std::move(text), std::move(format),
                                         usable_message_id(id) ? std::string(id) : std::string()});
      return;
    }
    case wire::MessageKind::kTyping:
      events_.push_back(ev::TypingReceived{conn_, from});
      return;
    case wire::MessageKind::kNudge:
      events_.push_back(ev::NudgeReceived{conn_, from});
      return;
    case wire::MessageKind::kInvitation: {
      // Legacy invitations (docs/protocol/switchboard.md): say "not installed" so the sender stops
      // waiting.
      auto fields = wire::parse_body_fields(message.body);
      if (fields && state_ == State::kReady) {
        const auto command = wire::find_field(fields.value(), "Invitation-Command");
        const auto cookie = wire::find_field(fields.value(), "Invitation-Cookie");
        if (command == "INVITE" && cookie) send_msg(wire::make_invitation_cancel(*cookie), AckMode::kNone);
      }
      break;
    }
    default:
      break;
  }
  events_.push_back(ev::OtherMessageReceived{conn_, from, kind, std::move(message)});
}

// Joins "Chunks: N" / "Chunk: i" parts that share a Message-ID. Returns the whole message when
// it is complete (or was never chunked), nullopt while parts are missing or when dropped.
std::optional<wire::MimeMessage> SwitchboardSession::reassemble(const std::string& from, wire::MimeMessage message) {
  const auto message_id = message.header("Message-ID");
  const auto chunks = message.header("Chunks");
  const auto chunk = message.header("Chunk");
  if (!message_id || (!chunks && !chunk)) return message;
  const auto same = [&](const Reassembly& r) { return r.from == from && r.message_id == *message_id; };
  if (chunks) {
    const auto total = wire::parse_u32(*chunks);
    if (total == 1u) return message;
    std::erase_if(partial_, same);
    if (!total || *total > kMaxChunks || *total == 0) {
      log(LogLevel::kWarning, "switchboard: chunked message with a bad chunk count dropped");
      return std::nullopt;
    }
    if (partial_.size() >= kMaxPartialMessages) partial_.pop_front();
    Reassembly r;
    r.from = from;
    r.message_id = std::string(*message_id);
    r.total = *total;
    r.message = std::move(message);
    partial_.push_back(std::move(r));
    return std::nullopt;
  }
  const auto it = std::find_if(partial_.begin(), partial_.end(), same);
  if (it == partial_.end()) return std::nullopt;
  const auto index = wire::parse_u32(*chunk);
  if (index != it->next || it->message.body.size() + message.body.size() > kMaxJoinedBytes) {
    log(LogLevel::kWarning, "switchboard: chunked message out of order or too large; dropped");
    partial_.erase(it);
    return std::nullopt;
  }
  it->message.body += message.body;
  if (++it->next < it->total) return std::nullopt;
  wire::MimeMessage whole = std::move(it->message);
  partial_.erase(it);
  return whole;
}

}  // namespace msn
