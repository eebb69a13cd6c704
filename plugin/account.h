// SPDX-License-Identifier: GPL-2.0-or-later
// One signed-in (or signing-in) account: owns the libpurple-backed ports and the engine's
// Driver. Exactly one Account per PurpleConnection, held as its protocol data: released from a
// unique_ptr in login and reclaimed in close.
#pragma once

#include <account.h>
#include <connection.h>

#include "core/status.h"
#include "purple_event_sink.h"
#include "purple_scheduler.h"
#include "purple_transport.h"
#include "runtime/driver.h"
#include "runtime/settings.h"

namespace msn::plugin {

// Account option keys (shown in the account editor unless noted).
inline constexpr const char* kOptionServer = "server";
inline constexpr const char* kOptionPort = "port";
inline constexpr const char* kOptionWebServicesUrl = "web_services_url";
// Hidden: lets the harness make the engine's reply timeouts short.
inline constexpr const char* kOptionReplyTimeout = "reply_timeout_seconds";

inline constexpr const char* kDefaultServer = "messenger.hotmail.com";
inline constexpr int kDefaultPort = 1863;
inline constexpr int kDefaultReplyTimeoutSeconds = 30;

// Reads the engine's settings from the account and its connection (for the password).
// Errc::kInvalidArgument when a setting is unusable (a port outside 1..65535, ...).
Result<Settings> settings_from_account(PurpleConnection* gc);

class Account {
 public:
  Account(PurpleConnection* gc, Settings settings);
  ~Account();
  Account(const Account&) = delete;
  Account& operator=(const Account&) = delete;

  // Begins signing in; progress and the outcome arrive through the event sink.
  void start();
  // libpurple is closing the connection: sign out politely, report nothing more.
  void close();

 private:
  PurpleTransport transport_;
  PurpleScheduler scheduler_;
  PurpleEventSink sink_;
  // Last: destroyed first, while the ports it may still call are alive.
  Driver driver_;
};

}  // namespace msn::plugin
