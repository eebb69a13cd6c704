// SPDX-License-Identifier: GPL-2.0-or-later
// Several accounts of one local server signed in through the plugin in one libpurple process
// (each its own PurpleAccount and PurpleConnection), and what a scenario needs to drive them
// as their users would and to wait, bounded, for what those users should then see.
//
// Every wait iterates the GLib main loop (so libpurple, the plugin and the server's sockets
// make progress), ends at its own timeout or at the scenario's deadline, whichever comes
// first, and on failure records what it waited for and what it saw instead.
#pragma once

#include <account.h>
#include <blist.h>
#include <conversation.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "purple_env.h"
#include "server_process.h"
#include "server_state.h"
#include "ui_events.h"

// Ends a scenario body at the first step that failed (the failure is already recorded): later
// steps build on it and would only add noise.
#define STEP(expr)       \
  do {                   \
    if (!(expr)) return; \
  } while (false)

namespace harness {

using std::chrono::milliseconds;

inline constexpr const char* kTestPassword = "secret";
inline constexpr milliseconds kDefaultWait{10000};

// "alice" -> "alice@example.com"; an address stays as it is.
std::string address_of(std::string_view who);

struct BuddyView {
  std::string group;
  std::string alias;         // the private (local) alias, may be empty
  std::string server_alias;  // the contact's own friendly name, may be empty
  std::string status_id;
  std::string message;       // the status's "message" attribute (personal message)
  bool online = false;
  bool idle = false;
};

class World {
 public:
  World(PurpleEnv& env, ServerProcess& server, std::string state_dir,
        std::chrono::steady_clock::time_point deadline);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  // ---- verdict ----
  // Records a failure; returns false so that `return w.fail(...)` reads naturally.
  bool fail(const std::string& message);
  bool check(bool ok, const std::string& message) { return ok || fail(message); }
  const std::vector<std::string>& failures() const { return failures_; }
  void note(const std::string& message);  // a progress line in the test log

  // ---- accounts ----
  PurpleAccount* account(std::string_view who);  // created (not connected) on first use
  PurpleConnection* connection(std::string_view who);
  bool sign_in(std::string_view who, milliseconds timeout = milliseconds(20000));
  bool sign_out(std::string_view who);
  // The connection errors `who` was shown since the last call (oldest first); a scenario that
  // provokes one takes it, so that the final check does not count it as unexpected.
  std::vector<std::string> take_connection_errors(std::string_view who);
  // Waits until `who` is shown a connection error; false (recorded) if none comes.
  bool wait_connection_error(std::string_view who, milliseconds timeout = kDefaultWait);
  // At the end of every scenario: an account signed in and not signed out by the scenario
  // must still be connected, and no connection error may be left untaken.
  void check_no_unexpected_disconnects();

  // ---- waiting ----
  bool wait(const std::string& what, const std::function<bool()>& done,
            const std::function<std::string()>& seen, milliseconds timeout = kDefaultWait);
  // Lets the main loop run for `duration` (e.g. to show that something does NOT arrive).
  void run_for(milliseconds duration);

  // ---- the server's view ----
  // The server dies at once (SIGKILL): every connection to it ends without a goodbye.
  void kill_server() { server_.kill_now(); }
  std::optional<ServerState> server_state();
  bool wait_server(const std::string& what, const std::function<bool(const ServerState&)>& done,
                   milliseconds timeout = kDefaultWait);

  // ---- buddy list ----
  std::vector<BuddyView> buddies(std::string_view who, std::string_view peer);
  std::string describe_buddy_list(std::string_view who, std::size_t limit = 20);
  bool wait_buddy(std::string_view who, std::string_view peer,
                  const std::function<bool(const std::vector<BuddyView>&)>& done,
                  const std::string& what, milliseconds timeout = kDefaultWait);
  bool wait_status(std::string_view who, std::string_view peer, const std::string& status_id,
                   std::optional<std::string> message = std::nullopt,
                   milliseconds timeout = kDefaultWait);
  bool wait_offline(std::string_view who, std::string_view peer,
                    milliseconds timeout = kDefaultWait);
  // The peer's personal message reads as `text`. libpurple leaves open whether a status message
  // is plain text or markup: either counts (a double escape or a lost "<tag>" does not).
  bool wait_personal_message(std::string_view who, std::string_view peer, const std::string& text);
  // Until `who` sees `peer` under the friendly name `name` (the buddy's server alias).
  bool wait_friendly_name(std::string_view who, std::string_view peer, const std::string& name);

  // ---- what a user does to the list ----
  bool add_buddy(std::string_view who, std::string_view peer, const std::string& group,
                 const std::string& invite);
  bool remove_buddy(std::string_view who, std::string_view peer);
  bool move_buddy(std::string_view who, std::string_view peer, const std::string& to_group);
  bool answer_authorization_from(std::string_view who, std::string_view peer, bool accept,
                                 milliseconds timeout = kDefaultWait);
  // `who` adds `peer` with an invitation message, `peer` accepts; checks the request carried the
  // message.
  bool add_and_accept(std::string_view who, std::string_view peer, const std::string& group,
                      const std::string& invite);
  // alice adds bob, bob accepts and adds alice back; both then see each other available.
  bool befriend(std::string_view a, std::string_view b);

  // ---- conversations ----
  PurpleConversation* im(std::string_view who, std::string_view peer);
  bool send_im(std::string_view who, std::string_view peer, const std::string& html);
  // IM lines `who` received from `peer` (PURPLE_MESSAGE_RECV).
  std::vector<const WrittenLine*> received_from(std::string_view who, std::string_view peer,
                                                PurpleConversationType type =
                                                    PURPLE_CONV_TYPE_IM);
  bool wait_received(std::string_view who, std::string_view peer, std::size_t count,
                     milliseconds timeout = kDefaultWait,
                     PurpleConversationType type = PURPLE_CONV_TYPE_IM);
  std::string describe_lines(std::string_view who, std::size_t limit = 10);

  std::chrono::steady_clock::time_point deadline() const { return deadline_; }
  // The scenario's own directory (the server's state lives there too).
  const std::string& state_dir() const { return state_dir_; }

 private:
  struct AccountErrors {
    std::vector<std::string> errors;
  };

  PurpleEnv& env_;
  ServerProcess& server_;
  std::string state_dir_;
  std::chrono::steady_clock::time_point deadline_;
  std::map<std::string, PurpleAccount*> accounts_;
  std::map<PurpleAccount*, AccountErrors> errors_;
  std::map<PurpleAccount*, std::size_t> errors_taken_;
  std::set<std::string> signed_in_;  // by sign_in, until sign_out
  std::vector<std::string> failures_;
};

// Markup to plain text (tags stripped, entities decoded), as a user reads it.
std::string plain_text(const std::string& html);
bool contains_ci(const std::string& haystack, const std::string& needle);

}  // namespace harness
