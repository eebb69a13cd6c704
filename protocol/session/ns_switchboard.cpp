// SPDX-License-Identifier: GPL-2.0-or-later
// Switchboards and offline-message notices on the notification server: XFR SB, RNG, and the
// Hotmail MSGs about offline messages. Each is handed on as an NsNotice; the conversation
// manager decides what to do with it. Cookies are never logged (describe_received hides the
// argument after CKI; nothing here logs a ticket or an invitation).
#include <utility>

#include "session/notification_session.h"
#include "wire/server_error.h"

namespace msn {

namespace {

// More unanswered XFR SB requests than this means something is wrong; refuse more.
constexpr std::size_t kMaxSwitchboardRequests = 32;
// A NS notice queue that nobody drains must not grow without end.
constexpr std::size_t kMaxNotices = 256;

}  // namespace

Result<wire::TrId> NotificationSession::request_switchboard(TimePoint now) {
  if (state_ != State::kOnline) return make_error(Errc::kInvalidArgument, "not signed in");
  if (switchboard_requests_.size() >= kMaxSwitchboardRequests)
    return make_error(Errc::kLimit, "too many switchboard requests waiting for an answer");
  // Not send_command(): that arms the sign-in reply deadline, whose expiry ends the session.
  // An unanswered XFR SB only fails its own request (expire_switchboard_requests).
  const wire::Written written = writer_.command("XFR", {"SB"});
  send(written);
  switchboard_requests_[written.trid] = now + settings_.timeouts.ns_reply;
  return written.trid;
}

void NotificationSession::handle_xfr_switchboard(const wire::Command& command, TimePoint /*now*/) {
  const auto trid = command.trid();
  if (!trid || switchboard_requests_.erase(*trid) == 0) {
    log(LogLevel::kWarning, "switchboard transfer nobody asked for; ignored");
    return;
  }
  auto ticket = parse_xfr_switchboard(command);
  if (!ticket) {
    notices_.push_back(notice::SwitchboardRefused{*trid, ticket.error()});
    return;
  }
  notices_.push_back(notice::SwitchboardGranted{*trid, std::move(ticket.value())});
}

void NotificationSession::handle_rng(const wire::Command& command, TimePoint /*now*/) {
  if (state_ != State::kOnline) return;
  if (notices_.size() >= kMaxNotices) {
    log(LogLevel::kWarning, "too many conversation invitations at once; one ignored");
    return;
  }
  auto invitation = parse_rng(command);
  if (!invitation) {
    log(LogLevel::kWarning, "unusable conversation invitation ignored: " + invitation.error().detail);
    return;
  }
  notices_.push_back(notice::SwitchboardInvited{std::move(invitation.value())});
}

bool NotificationSession::handle_switchboard_error(const wire::Command& command, TimePoint /*now*/) {
  const auto trid = command.trid();
  if (!trid || switchboard_requests_.erase(*trid) == 0) return false;
  const int code = command.error_code();
  log(LogLevel::kWarning, "switchboard request refused with " + std::to_string(code));
  notices_.push_back(notice::SwitchboardRefused{*trid, wire::server_error(code, "switchboard request refused")});
  return true;
}

bool NotificationSession::handle_mail_notice(std::string_view type, const wire::Command& command, TimePoint /*now*/) {
  if (type != "text/x-msmsgsinitialmdatanotification" && type != "text/x-msmsgsoimnotification") return false;
  if (notices_.size() >= kMaxNotices) {
    log(LogLevel::kWarning, "too many offline-message notices at once; one ignored");
    return true;
  }
  notices_.push_back(notice::OfflineMessagesWaiting{command.payload});
  return true;
}

void NotificationSession::expire_switchboard_requests(TimePoint now) {
  for (auto it = switchboard_requests_.begin(); it != switchboard_requests_.end();) {
    if (now < it->second) {
      ++it;
      continue;
    }
    notices_.push_back(
        notice::SwitchboardRefused{it->first, make_error(Errc::kTimeout, "no answer to the switchboard request")});
    it = switchboard_requests_.erase(it);
  }
}

}  // namespace msn
