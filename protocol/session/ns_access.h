// SPDX-License-Identifier: GPL-2.0-or-later
// What the conversation engine (ConversationManager, OimClient) needs from the notification
// session, as an interface: the Client adapts its NotificationSession to it, and tests put a
// scripted fake in its place.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "auth/rst.h"
#include "core/status.h"
#include "core/time.h"
#include "session/presence.h"
#include "wire/command.h"

namespace msn {

class NsAccess {
 public:
  virtual ~NsAccess() = default;

  virtual bool online() const = 0;
  // XFR SB; the answer arrives as a SwitchboardGranted/Refused notice with this TrId.
  virtual Result<wire::TrId> request_switchboard(TimePoint now) = 0;
  // nullopt: unknown (someone the server reports no presence of), which is not offline.
  virtual std::optional<PresenceStatus> presence_of(std::string_view address) const = 0;
  virtual const auth::RstTokens& tokens() const = 0;
  // Fresh web-service tokens, for a ticket a service refused as expired or invalid: a new
  // RST.srf request, or the one already under way (one renewal at a time, whoever asked).
  // Its end arrives as a TokensRenewed notice. An error when none can be started; this
  // default is for sessions that cannot renew at all.
  virtual Status renew_tokens(TimePoint /*now*/) {
    return make_error(Errc::kUnsupported, "the web-service tokens cannot be renewed");
  }
  virtual const std::string& own_display_name() const = 0;
};

}  // namespace msn
