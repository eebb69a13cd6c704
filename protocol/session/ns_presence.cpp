// SPDX-License-Identifier: GPL-2.0-or-later
// Announcing the lists and going online: BLP, ADL, CHG.
#include <string>
#include <utility>

#include "session/notification_session.h"

namespace msn {

namespace {

// The list announcement before the contact list feature exists: an empty initial list, which
// tells the server our list is synchronised (MSNP15.md §5.5).
constexpr std::string_view kEmptyInitialList = "<ml l=\"1\"></ml>";

}  // namespace

void NotificationSession::start_sync(TimePoint now) {
  state_ = State::kSyncing;
  progress(SignInStep::kSyncing);
  send(writer_.command("BLP", {"AL"}));
  auto adl = writer_.payload_command("ADL", {}, kEmptyInitialList);
  send(adl);
  awaited_ = adl.trid;
  expect_reply(now);
}

void NotificationSession::handle_adl(const wire::Command& command, TimePoint now) {
  // "ADL trid OK" acknowledges ours; "ADL 0 len" (someone added us) comes with the contact list.
  if (state_ != State::kSyncing || command.trid() != awaited_ || command.arg(1) != "OK") return;
  state_ = State::kGoingOnline;
  const std::string capabilities = std::to_string(kClientCapabilities);
  send_command("CHG", {"NLN", capabilities}, now);
}

void NotificationSession::handle_chg(const wire::Command& command, TimePoint now) {
  if (state_ != State::kGoingOnline || command.trid() != awaited_) return;
  state_ = State::kOnline;
  awaited_.reset();
  reply_deadline_.reset();
  next_ping_ = now + settings_.timeouts.default_ping;
  events_.push_back(ev::SignedIn{settings_.account});
}

}  // namespace msn
