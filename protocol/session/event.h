// SPDX-License-Identifier: GPL-2.0-or-later
// What the engine tells the user interface. Events carry data, never user-facing text: the
// plugin turns them into purple calls and translated messages.
#pragma once

#include <string>
#include <variant>

#include "core/status.h"

namespace msn {

enum class SignInStep {
  kConnecting,      // opening the notification server connection
  kNegotiating,     // VER / CVR
  kRedirected,      // XFR NS followed to another server
  kWebLogin,        // RST.srf exchange with the login service
  kAuthenticating,  // USR SSO S with ticket and MBI answer
  kSyncing,         // profile received, announcing lists and presence
};
inline constexpr int kSignInSteps = 6;

enum class LogLevel { kDebug, kInfo, kWarning, kError };

namespace ev {

struct SignInProgress {
  SignInStep step;
};

// Sign-in completed: the account is online and Available.
struct SignedIn {
  std::string account;
};

// The session ended. `error` says why (Errc::kOtherSignIn for OUT OTH, ...).
// Nothing follows this event.
struct Disconnected {
  Error error;
};

// A debug line. Never contains passwords, tickets, MBI answers or cookies.
struct Log {
  LogLevel level;
  std::string text;
};

}  // namespace ev

using Event = std::variant<ev::SignInProgress, ev::SignedIn, ev::Disconnected, ev::Log>;

}  // namespace msn
