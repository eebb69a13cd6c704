// SPDX-License-Identifier: GPL-2.0-or-later
// A headless libpurple UI, the way Finch sets one up: a GLib main loop behind libpurple's
// event-loop ops, a private user directory, request ops that answer certificate prompts with
// Reject (and count them), and the plugin loaded from the build tree by libpurple itself.
#pragma once

#include <account.h>

#include <functional>
#include <string>
#include <vector>

#include "scenarios.h"

namespace harness {

struct PurpleEnvOptions {
  std::string user_dir;
  std::string plugin_dir;
  bool verbose = false;   // all libpurple debug lines, not only "msnp" and warnings
  bool quiet = false;     // errors only, as a UI without a debug window (benchmarks)
  // The UI id libpurple is started with; "gnt-purple" makes the plugin behave as in Finch.
  std::string ui_id = "msnp-harness";
};

// Initialises libpurple in the constructor and shuts it down in the destructor. One per process.
// The plugin's debug lines (category "msnp") so far, oldest first: scenarios count what the
// engine did that no UI shows (pictures fetched, for one).
std::vector<std::string>& plugin_debug_lines();

class PurpleEnv {
 public:
  explicit PurpleEnv(const PurpleEnvOptions& options);
  ~PurpleEnv();
  PurpleEnv(const PurpleEnv&) = delete;
  PurpleEnv& operator=(const PurpleEnv&) = delete;

  // False (with `error`) if libpurple did not come up or the plugin was not found.
  bool ok(std::string& error) const;

  // Adds the PEM certificate to libpurple's "x509"/"ca" pool, so TLS peers it signed are
  // trusted without a prompt. See trust_ca in the .cpp for why not a directory.
  bool trust_ca(const std::string& pem_path, std::string& error);

  Observed& observed() { return observed_; }

  // Called when the account signs on / gets a connection error (after recording it).
  std::function<void(PurpleConnection*)> on_signed_on;
  std::function<void(PurpleConnection*)> on_connection_error;

 private:
  static void signing_on_cb(PurpleConnection* gc, gpointer data);
  static void signed_on_cb(PurpleConnection* gc, gpointer data);
  static void connection_error_cb(PurpleConnection* gc, PurpleConnectionError reason,
                                  const char* description, gpointer data);

  Observed observed_;
  bool core_ok_ = false;
  bool plugin_found_ = false;
  int signal_handle_ = 0;  // the address identifies our signal connections
};

// The UI id libpurple knows the harness by (account enabling is per UI).
const char* harness_ui_id();

// The plugin's hidden account settings (never shown in the account editor) that make its
// timings short enough for a scenario of a few seconds; 0 keeps the plugin's default.
inline constexpr const char* kHiddenReplyTimeout = "reply_timeout_seconds";
inline constexpr const char* kHiddenKeepAlive = "keepalive_seconds";
inline constexpr const char* kHiddenMessageAck = "message_ack_seconds";

struct HiddenTimings {
  int reply_timeout_seconds = 0;
  int keepalive_seconds = 0;
};

// Creates and configures an account (not enabled: nothing connects yet).
PurpleAccount* create_account(const std::string& username, const std::string& password,
                              const std::string& ns_host, int ns_port, const std::string& web_url,
                              const HiddenTimings& timings);

// Creates, configures and enables the test account, then activates "available".
PurpleAccount* add_account(const std::string& username, const std::string& password,
                           const std::string& ns_host, int ns_port, const std::string& web_url,
                           const HiddenTimings& timings);

// Global for the request ops (plain C callbacks without user data).
Observed* current_observed();

}  // namespace harness
