// SPDX-License-Identifier: GPL-2.0-or-later
// Switchboards and offline-message notices on the notification server: XFR SB, RNG, and the
// Hotmail MSGs about offline messages. Each is handed on as an NsNotice.
#include "session/notification_session.h"

namespace msn {

// Placeholder bodies: the conversation feature fills them in.
Result<wire::TrId> NotificationSession::request_switchboard(TimePoint) {
  return make_error(Errc::kUnsupported, "switchboards are not implemented yet");
}
void NotificationSession::handle_xfr_switchboard(const wire::Command&, TimePoint) {}
void NotificationSession::handle_rng(const wire::Command&, TimePoint) {}
bool NotificationSession::handle_switchboard_error(const wire::Command&, TimePoint) { return false; }
bool NotificationSession::handle_mail_notice(std::string_view, const wire::Command&, TimePoint) { return false; }
void NotificationSession::expire_switchboard_requests(TimePoint) {}

}  // namespace msn
