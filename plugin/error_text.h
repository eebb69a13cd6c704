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

// The translated meaning of an MSN three-digit error reply (MSNP15.md section 14), or nullptr
// for codes without a known meaning.
const char* server_code_meaning(int code);

// The translated progress text for one sign-in step.
const char* sign_in_step_text(SignInStep step);

}  // namespace msn::plugin
