// SPDX-License-Identifier: GPL-2.0-or-later
// msn::Error -> what libpurple and the user get: a PurpleConnectionError (which decides whether
// libpurple's UIs reconnect) and a translated message. The engine produces no user-facing text;
// all of it is here.
#pragma once

#include <connection.h>

#include <string>

#include "core/status.h"
#include "session/event.h"

namespace msn::plugin {

struct ConnectionErrorText {
  PurpleConnectionError reason;
  std::string message;  // translated
};

ConnectionErrorText describe_error(const Error& error);

// The translated meaning of an MSN three-digit error reply (docs/protocol/notification-server.md),
// or nullptr for codes without a known meaning.
const char* server_code_meaning(int code);

// The translated progress text for one sign-in step.
const char* sign_in_step_text(SignInStep step);

// Why a request failed, as a short translated sentence for a dialog or a conversation line
// ("The contact list is full", "The server did not answer in time", ...).
std::string describe_reason(const Error& error);

// The headline for a contact-list change that did not happen, e.g. "Could not add
// bob@example.com to your contact list" (translated). A full list (server code 210) gets its
// own headline whatever the operation.
std::string list_operation_failure_text(ev::ListOperation operation, const std::string& subject,
                                        const Error& error);

// Why a sent message was not delivered, as the end of a sentence ("the connection was lost").
const char* delivery_failure_text(ev::DeliveryFailure reason);

// printf into a std::string (for translated formats with arguments).
std::string printf_string(const char* format, ...) G_GNUC_PRINTF(1, 2);

}  // namespace msn::plugin
