// SPDX-License-Identifier: GPL-2.0-or-later
// What the notification session hands to the rest of the engine (not to the user interface):
// switchboard grants and invitations, offline-message notices. The Client routes them to the
// conversation manager.
#pragma once

#include <optional>
#include <string>
#include <variant>

#include "core/status.h"
#include "session/switchboard_session.h"
#include "wire/command.h"

namespace msn {

namespace notice {

// "XFR trid SB host:port CKI cookie": the switchboard asked for with request_switchboard().
struct SwitchboardGranted {
  wire::TrId trid;
  SwitchboardTicket ticket;
};

// An error reply (or no reply in time) to that XFR SB.
struct SwitchboardRefused {
  wire::TrId trid;
  Error error;
};

// "RNG ...": someone invites us into a conversation.
struct SwitchboardInvited {
  SwitchboardInvitation invitation;
};

// MSG Hotmail Hotmail with text/x-msmsgsinitialmdatanotification (at sign-in) or
// text/x-msmsgsoimnotification (while online): the Mail-Data about waiting offline messages.
// `payload` is the whole MSG payload.
struct OfflineMessagesWaiting {
  std::string payload;
};

// A renewal of the web-service tokens (asked for with renew_tokens(), or by the address book)
// has ended: on success (`error` empty) tokens() holds the fresh ones; on failure they are
// unchanged. Sent once per renewal, whoever asked for it.
struct TokensRenewed {
  std::optional<Error> error;
};

}  // namespace notice

using NsNotice = std::variant<notice::SwitchboardGranted, notice::SwitchboardRefused,
                              notice::SwitchboardInvited, notice::OfflineMessagesWaiting,
                              notice::TokensRenewed>;

}  // namespace msn
