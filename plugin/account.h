// SPDX-License-Identifier: GPL-2.0-or-later
// One signed-in (or signing-in) account: owns the libpurple-backed ports, the engine's Driver
// and the little UI state the glue needs (chat ids, pending authorization requests, contacts'
// personal messages). Exactly one Account per PurpleConnection, held as its protocol data:
// released from a unique_ptr in login and reclaimed in close.
#pragma once

// <connection.h> brings libpurple's account.h: <account.h> would find this file first.
#include <connection.h>

#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "auth_requests.h"
#include "chat_table.h"
#include "core/status.h"
#include "emoticon_glue.h"
#include "glib_handles.h"
#include "presence_glue.h"
#include "purple_event_sink.h"
#include "purple_scheduler.h"
#include "purple_transport.h"
#include "runtime/driver.h"
#include "session/settings.h"
#include "xfer_glue.h"

namespace msn::plugin {

// Account option keys (shown in the account editor unless noted).
inline constexpr const char* kOptionServer = "server";
inline constexpr const char* kOptionPort = "port";
inline constexpr const char* kOptionWebServicesUrl = "web_services_url";
// Files over direct connections (TCPv1) when the peer can take one; default on.
inline constexpr const char* kOptionDirectConnections = "direct_connections";
// Hidden: lets the harness make the engine's reply timeouts short.
inline constexpr const char* kOptionReplyTimeout = "reply_timeout_seconds";
// Hidden, from earlier versions: the contact-list snapshot, now kept in a file of its own
// (contact_cache_file.h), which reads this once when there is no file yet and then removes it.
inline constexpr const char* kOptionContactCache = "contact_cache";
// Hidden: how many contacts the contact-list sync applies per main-loop iteration (tests set
// it small to split a modest list).
inline constexpr const char* kOptionContactSyncSlice = "contact_sync_slice";
// Hidden: seconds until a sent message without its ACK counts as not delivered, and until the
// first keep-alive PNG (tests make both short; unset keeps the engine's defaults).
inline constexpr const char* kOptionMessageAckTimeout = "message_ack_seconds";
inline constexpr const char* kOptionKeepAliveInterval = "keepalive_seconds";

// Microsoft's own servers are gone: a new account points at Escargot, a public revival server
// that speaks MSNP15, so that the defaults lead to a working setup. Its web services URL is the
// default only together with its server (another server needs its own, or none).
inline constexpr const char* kDefaultServer = "ms.msgrsvcs.ctsrv.gay";
inline constexpr const char* kDefaultWebServicesUrl = "https://ms.msgrsvcs.ctsrv.gay";
inline constexpr int kDefaultPort = 1863;
inline constexpr int kDefaultReplyTimeoutSeconds = 30;
// Small enough that one slice of a big book stays well under 100 ms of main-loop time.
inline constexpr int kDefaultContactSyncSlice = 500;

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

  // Runs a user intent on the engine (see Driver::act): `intent(Client&, TimePoint)`.
  // Events it produces are handled before this returns.
  template <typename Intent>
  auto act(Intent&& intent) {
    return driver_.act(std::forward<Intent>(intent));
  }

  // Read-only lookups in the engine's state (contact lists); changes go through act().
  const Client& client() const { return driver_.client(); }

  PurpleConnection* connection() const { return gc_; }
  PurpleAccount* purple_account() const { return purple_connection_get_account(gc_); }

  // ---- echo suppression ------------------------------------------------------------------
  // Applying the server's state to the buddy list makes libpurple call some prpl callbacks
  // back (moving a buddy calls group_buddy, renaming a group rename_group, removing a group
  // remove_group). While an EchoGuard lives, those callbacks do nothing, so the server's own
  // changes never travel back to it.
  class EchoGuard {
   public:
    explicit EchoGuard(Account& account) : account_(account) { ++account_.applying_server_state_; }
    ~EchoGuard() { --account_.applying_server_state_; }
    EchoGuard(const EchoGuard&) = delete;
    EchoGuard& operator=(const EchoGuard&) = delete;

   private:
    Account& account_;
  };
  bool applying_server_state() const { return applying_server_state_ > 0; }

  // ---- state shared by the event glue and the prpl callbacks ----------------------------
  // The group names the server holds (an empty name is "no group", shown as the default group).
  std::set<std::string>& server_groups() { return server_groups_; }
  ChatTable& chats() { return chats_; }
  AuthRequests& auth_requests() { return auth_requests_; }
  PresenceCache& presence_cache() { return presence_cache_; }
  XferTable& xfers() { return xfers_; }
  EmoticonTable& emoticons() { return emoticons_; }
  // Aliases the user gave buddies while adding them (normalised address -> alias): the server
  // can only store one once the contact exists, so the ContactChanged that confirms the add
  // sends it (see buddy_list_sync).
  std::map<std::string, std::string>& pending_aliases() { return pending_aliases_; }

  // Runs `task` from the main loop soon, outside the current libpurple call (for undoing a
  // buddy-list change libpurple is still in the middle of). Dropped if the Account goes first.
  void defer(std::function<void()> task);

 private:
  static gboolean on_deferred(gpointer data) noexcept;

  PurpleConnection* gc_;
  int applying_server_state_ = 0;
  std::set<std::string> server_groups_;
  ChatTable chats_;
  AuthRequests auth_requests_;
  PresenceCache presence_cache_;
  std::map<std::string, std::string> pending_aliases_;
  EmoticonTable emoticons_;
  std::vector<std::function<void()>> deferred_;
  TimeoutHandle deferred_timer_;
  // Before the driver: its reference-holding xfers outlive the engine's last events.
  XferTable xfers_{*this};

  PurpleTransport transport_;
  PurpleScheduler scheduler_;
  PurpleEventSink sink_;
  // Last: destroyed first, while the ports it may still call are alive.
  Driver driver_;
};

// The Account of a connection, or nullptr (not signed in through this plugin, or closing).
Account* account_of(PurpleConnection* gc);
Account* account_of(PurpleAccount* account);

}  // namespace msn::plugin
