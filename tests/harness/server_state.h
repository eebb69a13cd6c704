// SPDX-License-Identifier: GPL-2.0-or-later
// The local server's own view of every account (tests/server/msnp_server/dump.py): address
// books, memberships, sessions and list-request counters, read from the dump.xml the server
// writes on SIGUSR1. What the server holds is the truth the buddy list is compared against.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace harness {

struct ServerContact {
  std::string email;
  std::string display_name;
  std::string nickname;             // AB.NickName (the owner's private alias); empty: none
  bool messenger = false;           // on the forward list
  std::vector<std::string> groups;  // group names
};

struct ServerAccount {
  std::string email;
  bool book_exists = false;
  std::string display_name;
  std::string blp;
  std::vector<std::string> groups;
  std::vector<ServerContact> contacts;
  std::map<std::string, std::set<std::string>> roles;  // "Allow" -> lower-case addresses
  bool online = false;
  std::string status;                   // NLN, BSY, ... as last sent by CHG
  std::string friendly;                 // PRP MFN of the session
  std::string ubx;                      // the UUX payload as last sent
  std::map<std::string, int> requests;  // "ABFindAll full" -> count

  const ServerContact* contact(std::string_view address) const;
  bool in_role(const std::string& role, std::string_view address) const;
  int request_count(const std::string& op_and_kind) const;
  // Forward-list contacts only.
  std::vector<const ServerContact*> forward_list() const;
};

// One file transfer of the server's bot (the dump's <p2p><file>), in the order they began.
struct ServerFile {
  std::string direction;  // "in" (user to bot) or "out" (bot to user)
  std::string user;       // lower case
  std::string name;
  long long size = 0;
  std::string sha1;        // hex: what came so far ("in") or the bot's file ("out")
  std::string bridge;      // "sb" or "dc"
  std::string outcome;     // completed, cancelled, declined, failed, active
  long long received = 0;  // "in" only
};

// The P2P traffic the server saw (the dump's <p2p>); addresses lower case.
struct ServerP2p {
  // Session INVITEs per (sender, P2P-Dest), on any switchboard.
  std::map<std::pair<std::string, std::string>, int> invites;
  // Per requester: the most picture sessions the server's peers served at once, and now.
  std::map<std::string, int> sessions_peak;
  std::map<std::string, int> sessions_active;
  std::vector<ServerFile> files;

  int invite_count(std::string_view from, std::string_view to) const;
  int peak_of(std::string_view requester) const;
};

struct ServerState {
  std::map<std::string, ServerAccount> accounts;  // by lower-case address
  ServerP2p p2p;

  const ServerAccount* account(std::string_view address) const;
};

// Parses dump.xml; nullopt (with `error`) when it is not the dump's shape.
std::optional<ServerState> parse_server_state(const std::string& xml, std::string& error);

std::string lower_ascii(std::string_view text);

class ServerProcess;

// Asks the running server for its dump (SIGUSR1) and waits up to 5 s for STATE_DIR/dump.xml,
// without running the GLib main loop (for after a scenario's libpurple has gone).
std::optional<ServerState> fetch_server_state(ServerProcess& server, const std::string& state_dir,
                                              std::string& error);

}  // namespace harness
