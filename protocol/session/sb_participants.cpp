// SPDX-License-Identifier: GPL-2.0-or-later
// Who is in a switchboard conversation: CAL (our invitations, RINGING, failures), IRO (who was
// there when we answered), JOI (who came in), BYE (who left), and what follows from it: ready
// at the first participant, leaving once nobody is here or on the way.
#include <algorithm>
#include <utility>

#include "session/sb_checks.h"
#include "session/switchboard_session.h"

namespace msn {

using namespace sb_checks;

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

void SwitchboardSession::add_participant(std::string_view email, std::string_view encoded_name,
                                         bool was_present) {
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
  events_.push_back(ev::ParticipantJoined{conn_, participants_.back().email,
                                          participants_.back().friendly_name, was_present});
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

Status SwitchboardSession::invite(std::string email, TimePoint now) {
  if (!usable_address(email)) return make_error(Errc::kInvalidArgument, "not an address");
  if (has_participant(email))
    return make_error(Errc::kInvalidArgument, "already in the conversation");
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

void SwitchboardSession::invite_failed(wire::TrId trid, InviteFailure reason, int code,
                                       TimePoint /*now*/) {
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
  flush_p2p(now);
}

// Nobody else is here and nobody is on the way: docs/protocol/switchboard.md says leave (OUT).
void SwitchboardSession::check_alone() {
  if (!participants_.empty() || !cals_.empty()) return;
  if (state_ != State::kInviting && state_ != State::kReady) return;
  start_leaving(recipient_unavailable_ ? NotDeliveredReason::kRecipientUnavailable
                                       : NotDeliveredReason::kNoParticipants);
}

std::vector<std::string> SwitchboardSession::current_recipients() const {
  std::vector<std::string> recipients;
  for (const auto& p : participants_) recipients.push_back(p.email);
  if (recipients.empty() && !peer_.empty()) recipients.push_back(peer_);
  return recipients;
}

}  // namespace msn
