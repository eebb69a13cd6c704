// SPDX-License-Identifier: GPL-2.0-or-later
// The harness scenarios: how the local server misbehaves, and what a user must see.
#pragma once

#include <connection.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server_state.h"

namespace harness {

enum class SignOn { kNever, kRequired, kAny };

enum class Outcome {
  kStaysOnline,    // no connection error while the harness watches
  kNetworkError,   // PURPLE_CONNECTION_ERROR_NETWORK_ERROR (libpurple UIs reconnect)
  kAuthError,      // AUTHENTICATION_FAILED, fatal
  kNameInUse,      // NAME_IN_USE, fatal
  kCertError,      // one of the CERT_* reasons, fatal, after a refused certificate prompt
  kInvalidSettings,  // INVALID_SETTINGS, fatal
  kOtherError,       // OTHER_ERROR, fatal
};

struct Scenario {
  std::string name;
  std::vector<std::string> server_args;  // e.g. {"--fault", "close-at:VER"}
  SignOn sign_on = SignOn::kNever;
  Outcome outcome = Outcome::kNetworkError;
  bool wrong_password = false;
  bool trust_ca = true;                  // install the test CA into libpurple's CA pool
  int reply_timeout_seconds = 0;         // 0: the plugin's default
  int keepalive_seconds = 0;             // the first PNG after this long; 0: the default
  bool kill_server_after_sign_on = false;
  bool plain_http_web_url = false;       // give the account the server's web URL as http://
  std::string error_contains;            // the connection error's text must contain this
  // The account's Server setting instead of the local server's (a name that does not resolve).
  std::string account_host;
  bool closed_port = false;  // the Port setting names a port nothing listens on
  // The Web services URL's host instead of the local server's (a name that does not resolve);
  // the scheme and port stay.
  std::string web_host;
  // The connection error text the user must see, exactly; "{port}" stands for the Port setting.
  std::string expected_text;
  // The exact text of the connection error (LC_ALL=C); empty: any non-empty text.
  std::string error_text;
  // Substrings of the server's WARNING/ERROR log lines this scenario provokes on purpose.
  std::vector<std::string> allowed_server_warnings;
  // How long an account that signed on is watched for a late error (keep-alives need more).
  int watch_online_ms = 1500;
  // What the server must have recorded (its state dump after the run); appends problems.
  std::function<void(const ServerState&, std::vector<std::string>&)> check_server;
};

// What the harness saw while the scenario ran.
struct ConnectionErrorSeen {
  PurpleConnectionError reason;
  std::string description;
};

struct Observed {
  int sign_in_attempts = 0;            // "signing-on" signals: more than one is a reconnect
  bool signed_on = false;
  bool connected_at_sign_on = false;   // purple_connection_get_state == PURPLE_CONNECTED
  bool available_at_sign_on = false;   // the account's active status is "available"
  std::vector<ConnectionErrorSeen> errors;
  int certificate_prompts = 0;
  int certificate_rejections = 0;
  bool timed_out = false;
};

const std::vector<Scenario>& all_scenarios();
std::optional<Scenario> find_scenario(std::string_view name);

// Empty when `seen` is what a user should see in `scenario`; otherwise one line per mismatch.
// `port` is the account's Port setting, for Scenario::expected_text.
std::vector<std::string> check_outcome(const Scenario& scenario, const Observed& seen, int port);

const char* reason_name(PurpleConnectionError reason);

}  // namespace harness
