// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios of the contact list and presence: the list as the server holds it
// (loaded, sliced, second sign-in), every change a user makes to it, statuses, personal
// messages and friendly names; each compared with what the server holds where it keeps it.
#include <privacy.h>
#include <prpl.h>
#include <signals.h>
#include <status.h>
#include <unistd.h>
#include <util.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "debug_tap.h"
#include "integration.h"

namespace harness {
namespace {

constexpr milliseconds kListWait{15000};

// ---- list comparison: the buddy list against the server's forward list ----

std::set<std::string> names_on_list(GSList* list) {
  std::set<std::string> names;
  for (GSList* item = list; item != nullptr; item = item->next)
    names.insert(lower_ascii(static_cast<const char*>(item->data)));
  return names;
}

std::size_t distinct_buddies(PurpleAccount* account) {
  GSList* all = purple_find_buddies(account, nullptr);
  std::set<std::string> names;
  for (GSList* item = all; item != nullptr; item = item->next)
    names.insert(lower_ascii(purple_buddy_get_name(static_cast<PurpleBuddy*>(item->data))));
  g_slist_free(all);
  return names.size();
}

std::size_t all_buddies(PurpleAccount* account) {
  GSList* all = purple_find_buddies(account, nullptr);
  std::size_t count = g_slist_length(all);
  g_slist_free(all);
  return count;
}

// What the plugin shows of a name from the address book: its first 129 characters (UTF-8
// characters, not bytes), as of a friendly name from the notification server; the server's
// generated books hold longer ones on purpose.
std::string shown_name(const std::string& name) {
  constexpr std::size_t kMaxChars = 129;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80;
    if (!continuation && chars++ == kMaxChars) return name.substr(0, i);
  }
  return name;
}

// Problems with one contact, appended to `problems`.
void compare_contact(World& w, std::string_view who, const ServerAccount& server,
                     const ServerContact& contact, std::vector<std::string>& problems) {
  std::vector<BuddyView> views = w.buddies(who, contact.email);
  std::multiset<std::string> groups;
  for (const BuddyView& v : views) groups.insert(v.group);
  const std::string prefix = contact.email + ": ";
  if (contact.groups.empty()) {
    // In no server group: one buddy, in the UI's own default group.
    bool foreign = views.size() == 1 && std::find(server.groups.begin(), server.groups.end(),
                                                  views[0].group) == server.groups.end();
    if (!foreign)
      problems.push_back(prefix + "in no group on the server, but " + std::to_string(views.size()) +
                         " buddies" +
                         (views.empty() ? "" : " (first in \"" + views[0].group + "\")"));
  } else {
    std::multiset<std::string> expected(contact.groups.begin(), contact.groups.end());
    if (groups != expected) {
      std::string seen;
      for (const std::string& g : groups) seen += " \"" + g + "\"";
      std::string want;
      for (const std::string& g : expected) want += " \"" + g + "\"";
      problems.push_back(prefix + "groups on the server:" + want +
                         "; in the buddy list:" + (seen.empty() ? " none" : seen));
    }
  }
  for (const BuddyView& v : views) {
    if (v.server_alias != shown_name(contact.display_name))
      problems.push_back(prefix + "server alias \"" + v.server_alias.substr(0, 60) +
                         "\", the server's display name \"" + contact.display_name.substr(0, 60) +
                         "\"");
    if (v.alias != shown_name(contact.nickname))
      problems.push_back(prefix + "alias \"" + v.alias + "\", the server's nickname \"" +
                         contact.nickname + "\"");
  }
}

void compare_privacy(PurpleAccount* account, const ServerAccount& server,
                     std::vector<std::string>& problems) {
  auto role = [&](const char* name) {
    auto found = server.roles.find(name);
    return found != server.roles.end() ? found->second : std::set<std::string>{};
  };
  if (names_on_list(account->permit) != role("Allow"))
    problems.push_back("the permit list has " + std::to_string(g_slist_length(account->permit)) +
                       " entries, the server's Allow role " + std::to_string(role("Allow").size()));
  if (names_on_list(account->deny) != role("Block"))
    problems.push_back("the deny list has " + std::to_string(g_slist_length(account->deny)) +
                       " entries, the server's Block role " + std::to_string(role("Block").size()));
}

// The buddy list of `who` is exactly the server's forward list: every contact in its groups
// (no duplicates), with its names; every server group exists; permit/deny = Allow/Block.
bool list_matches_server(World& w, std::string_view who, const ServerAccount& server) {
  PurpleAccount* account = w.account(who);
  std::vector<std::string> problems;
  std::size_t expected_buddies = 0;
  std::set<std::string> on_server;
  for (const ServerContact* contact : server.forward_list()) {
    compare_contact(w, who, server, *contact, problems);
    expected_buddies += std::max<std::size_t>(1, contact->groups.size());
    on_server.insert(lower_ascii(contact->email));
  }
  GSList* all = purple_find_buddies(account, nullptr);
  for (GSList* item = all; item != nullptr; item = item->next) {
    std::string name = purple_buddy_get_name(static_cast<PurpleBuddy*>(item->data));
    if (on_server.count(lower_ascii(name)) == 0)
      problems.push_back(name + ": in the buddy list but not on the server's forward list");
  }
  g_slist_free(all);
  if (all_buddies(account) != expected_buddies)
    problems.push_back("the buddy list holds " + std::to_string(all_buddies(account)) +
                       " buddies (one per contact and group), the server's list means " +
                       std::to_string(expected_buddies));
  for (const std::string& group : server.groups) {
    if (purple_find_group(group.c_str()) == nullptr)
      problems.push_back("the server's group \"" + group + "\" is not in the buddy list");
  }
  compare_privacy(account, server, problems);
  const std::size_t shown = std::min<std::size_t>(problems.size(), 12);
  for (std::size_t i = 0; i < shown; ++i) w.fail(address_of(who) + " list: " + problems[i]);
  if (problems.size() > shown)
    w.fail(std::to_string(problems.size() - shown) + " more list differences");
  return problems.empty();
}

bool wait_list_loaded(World& w, std::string_view who, std::size_t contacts) {
  PurpleAccount* account = w.account(who);
  return w.wait(
      address_of(who) + "'s buddy list holds " + std::to_string(contacts) + " contacts",
      [&] { return distinct_buddies(account) >= contacts; },
      [&] { return w.describe_buddy_list(who, 5); }, kListWait);
}

const ServerAccount* server_account(World& w, std::optional<ServerState>& state,
                                    std::string_view who) {
  state = w.server_state();
  if (!state) return nullptr;
  const ServerAccount* account = state->account(address_of(who));
  if (account == nullptr) w.fail("the server has no account " + address_of(who));
  return account;
}

bool has_group(const ServerContact* contact, const std::string& group) {
  return contact != nullptr &&
         std::find(contact->groups.begin(), contact->groups.end(), group) != contact->groups.end();
}

// ---- contact list ----

void contacts_load(World& w) {
  STEP(w.sign_in("alice"));
  std::optional<ServerState> state;
  const ServerAccount* alice = server_account(w, state, "alice");
  STEP(alice != nullptr);
  STEP(w.check(alice->forward_list().size() == 200, "the server was to give alice 200 contacts"));
  STEP(wait_list_loaded(w, "alice", 200));
  list_matches_server(w, "alice", *alice);
}

void contacts_second_sign_in(World& w) {
  STEP(w.sign_in("alice"));
  STEP(wait_list_loaded(w, "alice", 200));
  STEP(w.sign_out("alice"));
  STEP(w.sign_in("alice"));
  STEP(wait_list_loaded(w, "alice", 200));
  w.run_for(milliseconds(500));  // anything a late sync would still add
  std::optional<ServerState> state;
  const ServerAccount* alice = server_account(w, state, "alice");
  STEP(alice != nullptr);
  list_matches_server(w, "alice", *alice);
  const int full = alice->request_count("ABFindAll full");
  const int delta = alice->request_count("ABFindAll delta");
  w.note("ABFindAll: " + std::to_string(full) + " full, " + std::to_string(delta) +
         " delta; FindMembership: " + std::to_string(alice->request_count("FindMembership full")) +
         " full, " + std::to_string(alice->request_count("FindMembership delta")) + " delta");
  w.check(full == 1 && delta == 1,
          "the second sign-in should fetch only the changes (one full ABFindAll, then one delta); "
          "the server saw " +
              std::to_string(full) + " full and " + std::to_string(delta) +
              " delta ABFindAll requests");
  // The snapshot lives in a file of its own, never in accounts.xml (which libpurple rewrites
  // whole on every status change).
  w.check(purple_account_get_string(w.account("alice"), "contact_cache", nullptr) == nullptr,
          "the contact-list snapshot is an account setting (accounts.xml)");
  const std::string folder_path = std::string(purple_user_dir()) + "/msnp-contacts";
  std::vector<std::string> files;
  if (GDir* folder = g_dir_open(folder_path.c_str(), 0, nullptr)) {
    while (const char* name = g_dir_read_name(folder))
      if (g_str_has_suffix(name, ".cache")) files.push_back(folder_path + "/" + name);
    g_dir_close(folder);
  }
  STEP(w.check(files.size() == 1,
               std::to_string(files.size()) + " contact-list snapshot files (one expected)"));

  // A snapshot file larger than the engine would read (64 MiB) is not read at all: the next
  // sign-in fetches the whole list. (A sparse file: nothing is written.)
  STEP(w.check(truncate(files[0].c_str(), 65 << 20) == 0, "could not grow the snapshot file"));
  const DebugTap tap;
  STEP(w.sign_out("alice"));
  STEP(w.sign_in("alice"));
  STEP(wait_list_loaded(w, "alice", 200));
  std::optional<ServerState> after;
  const ServerAccount* again = server_account(w, after, "alice");
  STEP(again != nullptr);
  w.check(again->request_count("ABFindAll full") == 2,
          "a sign-in with an oversized snapshot file should fetch the whole list; the server saw " +
              std::to_string(again->request_count("ABFindAll full")) + " full ABFindAll requests");
  w.check(tap.count({"saved contact list is too large"}) == 1,
          "the oversized snapshot file was read (no \"too large\" line in the plugin's log)");
}

void contacts_add_accept(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  const std::string invite = "Hi Bob, it's Alice — Grüße!";
  STEP(w.add_and_accept("alice", "bob", "Friends", invite));
  STEP(w.wait_status("alice", "bob", "available"));
  STEP(w.wait_server(
      "bob on alice's forward list in Friends and allow list; alice on bob's "
      "allow and reverse lists, no longer pending",
      [](const ServerState& s) {
        const ServerAccount* a = s.account("alice@example.com");
        const ServerAccount* b = s.account("bob@example.com");
        const ServerContact* c = a->contact("bob@example.com");
        return c != nullptr && c->messenger && has_group(c, "Friends") &&
               a->in_role("Allow", "bob@example.com") && b->in_role("Allow", "alice@example.com") &&
               b->in_role("Reverse", "alice@example.com") &&
               !b->in_role("Pending", "alice@example.com");
      }));
  // The server records the Allow before bob's client hears its answer: wait for the permit list.
  w.wait(
      "alice on bob's permit list after he accepted her",
      [&] { return names_on_list(w.account("bob")->permit).count("alice@example.com") == 1; },
      [&] { return std::to_string(g_slist_length(w.account("bob")->permit)) + " on the list"; });
}

void contacts_add_deny(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  w.add_buddy("alice", "bob", "Friends", "");
  STEP(w.answer_authorization_from("bob", "alice", false));
  STEP(w.wait_server("alice on bob's block list, not pending", [](const ServerState& s) {
    const ServerAccount* b = s.account("bob@example.com");
    return b->in_role("Block", "alice@example.com") &&
           !b->in_role("Pending", "alice@example.com") && !b->in_role("Allow", "alice@example.com");
  }));
  STEP(w.wait(
      "alice is on bob's deny list",
      [&] { return names_on_list(w.account("bob")->deny).count("alice@example.com") == 1; },
      [&] { return std::to_string(g_slist_length(w.account("bob")->deny)) + " denied"; }));
  // Bob is online, but alice must not see it: she stays offline for the whole watch.
  w.run_for(milliseconds(1500));
  std::vector<BuddyView> views = w.buddies("alice", "bob");
  w.check(!views.empty(), "alice's buddy bob vanished (she still has him on her list)");
  for (const BuddyView& v : views)
    w.check(!v.online, "bob denied alice, yet she sees him " + v.status_id);
}

void contacts_add_invalid(World& w) {
  STEP(w.sign_in("alice"));
  const std::string nobody = "nobody@nowhere.invalid";
  const std::size_t notes_before = ui_events().notifications.size();
  w.add_buddy("alice", nobody, "Friends", "");
  STEP(w.wait(
      "alice is told that " + nobody + " could not be added, because it is no account",
      [&] {
        for (std::size_t i = notes_before; i < ui_events().notifications.size(); ++i) {
          const NotificationSeen& n = ui_events().notifications[i];
          if (n.primary == "Could not add " + nobody + " to your contact list" &&
              n.secondary == "There is no MSN account with this address")
            return true;
        }
        return false;
      },
      [&] { return "\n" + describe_ui_events(w.account("alice")); }));
  STEP(w.wait_buddy(
      "alice", nobody, [](const auto& views) { return views.empty(); },
      "removed again from the buddy list"));
}

// The service's forward-list limit (1,000 contacts): the user is told the list is full, stays
// signed in, and the buddy they tried to add does not linger in the list.
void contacts_list_full(World& w) {
  STEP(w.sign_in("alice"));
  STEP(wait_list_loaded(w, "alice", 1000));
  const std::string bob = address_of("bob");
  const std::size_t notes_before = ui_events().notifications.size();
  w.add_buddy("alice", bob, "Friends", "");
  STEP(w.wait(
      "alice is told that her contact list is full",
      [&] {
        for (std::size_t i = notes_before; i < ui_events().notifications.size(); ++i) {
          const NotificationSeen& n = ui_events().notifications[i];
          if ((n.title + n.primary + n.secondary).find("full") != std::string::npos) return true;
        }
        return false;
      },
      [&] { return "\n" + describe_ui_events(w.account("alice")); }));
  STEP(w.wait_buddy(
      "alice", bob, [](const auto& views) { return views.empty(); },
      "removed again from the buddy list"));
  w.check(purple_account_is_connected(w.account("alice")),
          "alice was disconnected by a list limit");
}

void contacts_remove(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.remove_buddy("alice", "bob"));
  STEP(w.wait_server(
      "bob off alice's forward list, alice off bob's reverse list", [](const ServerState& s) {
        const ServerContact* c = s.account("alice@example.com")->contact("bob@example.com");
        return (c == nullptr || !c->messenger) &&
               !s.account("bob@example.com")->in_role("Reverse", "alice@example.com");
      }));
  // The next sign-in must not bring him back.
  STEP(w.sign_out("alice") && w.sign_in("alice"));
  w.run_for(milliseconds(1000));
  w.check(w.buddies("alice", "bob").empty(),
          "bob is back in alice's buddy list after she removed him and signed in again");
}

void contacts_move(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string work = "Work Ünïcødé";
  STEP(w.move_buddy("alice", "bob", work));
  STEP(w.wait_server("bob only in \"" + work + "\" on alice's list", [&](const ServerState& s) {
    const ServerContact* c = s.account("alice@example.com")->contact("bob@example.com");
    return c != nullptr && c->groups == std::vector<std::string>{work};
  }));
  STEP(w.sign_out("alice") && w.sign_in("alice"));
  STEP(w.wait_buddy(
      "alice", "bob",
      [&](const auto& views) { return views.size() == 1 && views[0].group == work; },
      "once, in \"" + work + "\", after signing in again"));
}

void contacts_group_rename(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string renamed = "Best Friends 🎉";
  PurpleGroup* friends = purple_find_group("Friends");
  STEP(w.check(friends != nullptr, "no Friends group after befriending"));
  w.note("renaming the group Friends (holding buddies of both accounts)");
  purple_blist_rename_group(friends, renamed.c_str());
  STEP(w.wait_server(
      "the group renamed for both accounts, with the contact in it", [&](const ServerState& s) {
        const ServerAccount* a = s.account("alice@example.com");
        const ServerAccount* b = s.account("bob@example.com");
        auto renamed_in = [&](const ServerAccount* owner, const char* peer) {
          return has_group(owner->contact(peer), renamed) &&
                 std::find(owner->groups.begin(), owner->groups.end(), "Friends") ==
                     owner->groups.end();
        };
        return renamed_in(a, "bob@example.com") && renamed_in(b, "alice@example.com");
      }));
  STEP(w.sign_out("alice") && w.sign_in("alice"));
  STEP(w.wait_buddy(
      "alice", "bob",
      [&](const auto& views) { return views.size() == 1 && views[0].group == renamed; },
      "once, in \"" + renamed + "\", after signing in again"));
}

void contacts_group_delete(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.move_buddy("alice", "bob", "Temporary"));
  STEP(w.wait_server("bob in Temporary", [](const ServerState& s) {
    return has_group(s.account("alice@example.com")->contact("bob@example.com"), "Temporary");
  }));
  STEP(w.move_buddy("alice", "bob", "Friends"));
  STEP(w.wait_server("bob back in Friends", [](const ServerState& s) {
    const ServerContact* c = s.account("alice@example.com")->contact("bob@example.com");
    return has_group(c, "Friends") && !has_group(c, "Temporary");
  }));
  PurpleGroup* temporary = purple_find_group("Temporary");
  STEP(w.check(temporary != nullptr, "the group Temporary is gone from the buddy list already"));
  w.note("removing the empty group Temporary");
  purple_blist_remove_group(temporary);
  STEP(w.wait_server(
      "no group Temporary on alice's list, bob still in Friends", [](const ServerState& s) {
        const ServerAccount* a = s.account("alice@example.com");
        return std::find(a->groups.begin(), a->groups.end(), "Temporary") == a->groups.end() &&
               has_group(a->contact("bob@example.com"), "Friends");
      }));
}

void contacts_alias(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string alias = "Bobby ⚽ <the builder>";
  PurpleBuddy* bob = purple_find_buddy(w.account("alice"), "bob@example.com");
  STEP(w.check(bob != nullptr, "alice has no buddy bob"));
  // As the buddy list's "Alias" does.
  purple_blist_alias_buddy(bob, alias.c_str());
  serv_alias_buddy(bob);
  STEP(w.wait_server("alice's nickname for bob", [&](const ServerState& s) {
    const ServerContact* c = s.account("alice@example.com")->contact("bob@example.com");
    return c != nullptr && c->nickname == alias;
  }));
  STEP(w.sign_out("alice") && w.sign_in("alice"));
  STEP(w.wait_buddy(
      "alice", "bob",
      [&](const auto& views) {
        return views.size() == 1 && views[0].alias == alias && views[0].server_alias != alias;
      },
      "aliased \"" + alias + "\" (his own name still his server alias) after signing in again"));
}

void contacts_block(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  w.note("bob blocks alice");
  purple_privacy_deny_add(w.account("bob"), "alice@example.com", FALSE);
  STEP(w.wait_offline("alice", "bob"));
  STEP(w.wait_server("alice on bob's block list only", [](const ServerState& s) {
    const ServerAccount* b = s.account("bob@example.com");
    return b->in_role("Block", "alice@example.com") && !b->in_role("Allow", "alice@example.com");
  }));
  w.check(w.buddies("bob", "alice").size() == 1, "bob's buddy alice should stay on his list");
  w.note("bob unblocks alice");
  purple_privacy_deny_remove(w.account("bob"), "alice@example.com", FALSE);
  STEP(w.wait_status("alice", "bob", "available"));
  STEP(w.wait_server("alice off bob's block list", [](const ServerState& s) {
    return !s.account("bob@example.com")->in_role("Block", "alice@example.com");
  }));
}

// Sign-in with a list applied over many main-loop iterations (a hidden account setting makes
// the slices small): the list must be complete and exact, bob's presence (which the server
// sends while the list is still being applied) shown, and the account connected only once
// the whole list is there.
struct SlicedSyncProbe {
  unsigned iteration = 0;                // main-loop iterations seen by the ticker
  std::set<unsigned> adding_iterations;  // iterations in which alice's buddies were added
  PurpleAccount* account = nullptr;
  std::size_t buddies_when_connected = 0;
  bool connected = false;
};

gboolean count_iteration(gpointer data) {
  ++static_cast<SlicedSyncProbe*>(data)->iteration;
  return TRUE;
}

void on_probe_buddy_added(PurpleBuddy* buddy, gpointer data) {
  auto* probe = static_cast<SlicedSyncProbe*>(data);
  if (purple_buddy_get_account(buddy) == probe->account)
    probe->adding_iterations.insert(probe->iteration);
}

void on_probe_signed_on(PurpleConnection* gc, gpointer data) {
  auto* probe = static_cast<SlicedSyncProbe*>(data);
  if (purple_connection_get_account(gc) != probe->account) return;
  probe->connected = true;
  probe->buddies_when_connected = distinct_buddies(probe->account);
}

void contacts_load_sliced(World& w) {
  constexpr std::size_t kContacts = 2000 + 1;  // the generated book, and bob
  STEP(w.sign_in("bob"));
  SlicedSyncProbe probe;
  probe.account = w.account("alice");
  purple_account_set_int(probe.account, "contact_sync_slice", 50);
  // Left from an earlier session: a buddy and a permit entry the server no longer has, which
  // the sync's clean-up must take away (list_matches_server below checks both lists).
  PurpleGroup* friends = purple_group_new("Friends");
  purple_blist_add_buddy(purple_buddy_new(probe.account, "stale@example.com", nullptr), nullptr,
                         friends, nullptr);
  purple_privacy_permit_add(probe.account, "stale-permit@example.com", TRUE);
  static int handle;
  purple_signal_connect(purple_blist_get_handle(), "buddy-added", &handle,
                        PURPLE_CALLBACK(on_probe_buddy_added), &probe);
  purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
                        PURPLE_CALLBACK(on_probe_signed_on), &probe);
  const guint ticker = g_timeout_add(0, &count_iteration, &probe);
  const bool signed_in = w.sign_in("alice");
  g_source_remove(ticker);
  purple_signals_disconnect_by_handle(&handle);
  STEP(signed_in);
  STEP(wait_list_loaded(w, "alice", kContacts));
  w.note("alice's buddies were added in " + std::to_string(probe.adding_iterations.size()) +
         " main-loop iterations");
  w.check(probe.adding_iterations.size() >= 10,
          "the list should be applied over many iterations (slices of 50), it took " +
              std::to_string(probe.adding_iterations.size()));
  w.check(probe.connected && probe.buddies_when_connected == kContacts,
          "alice should be connected only with her whole list; she had " +
              std::to_string(probe.buddies_when_connected) + " of " + std::to_string(kContacts) +
              " contacts then");
  STEP(w.wait_status("alice", "bob", "available"));
  std::optional<ServerState> state;
  const ServerAccount* alice = server_account(w, state, "alice");
  STEP(alice != nullptr);
  STEP(w.check(alice->forward_list().size() == kContacts,
               "the server was to give alice 2,000 contacts and bob"));
  list_matches_server(w, "alice", *alice);
}

// ---- presence and profile ----

void set_status(World& w, std::string_view who, const char* id, const std::string& message) {
  w.note(address_of(who) + " sets " + id + " \"" + message + "\"");
  purple_account_set_status(w.account(who), id, TRUE, "message", message.c_str(), nullptr);
}

void presence_statuses(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  for (const char* id : {"busy", "away", "brb", "phone", "lunch", "available"}) {
    const std::string message = std::string("status ") + id + " ✓";
    set_status(w, "alice", id, message);
    STEP(w.wait_status("bob", "alice", id, message));
  }
  w.note("alice goes idle");
  purple_presence_set_idle(purple_account_get_presence(w.account("alice")), TRUE,
                           time(nullptr) - 600);
  STEP(w.wait_buddy(
      "bob", "alice",
      [](const auto& views) {
        return !views.empty() && views[0].online && (views[0].idle || views[0].status_id == "idle");
      },
      "idle"));
  purple_presence_set_idle(purple_account_get_presence(w.account("alice")), FALSE, 0);
  STEP(w.wait_buddy(
      "bob", "alice",
      [](const auto& views) {
        return !views.empty() && views[0].status_id == "available" && !views[0].idle;
      },
      "available and no longer idle"));
  set_status(w, "alice", "invisible", "");
  STEP(w.wait_offline("bob", "alice"));
  w.check(purple_account_is_connected(w.account("alice")), "alice signed out going invisible");
  set_status(w, "alice", "available", "back");
  STEP(w.wait_status("bob", "alice", "available", std::string("back")));
}

void presence_personal_message(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string plain = "Grüße & <friends> — 日本語 🎉";
  gchar* escaped = g_markup_escape_text(plain.c_str(), -1);
  set_status(w, "alice", "available", escaped);
  g_free(escaped);
  STEP(w.wait_personal_message("bob", "alice", plain));
  set_status(w, "alice", "available", "");
  STEP(w.wait_buddy(
      "bob", "alice", [](const auto& views) { return !views.empty() && views[0].message.empty(); },
      "without a personal message"));
}

void presence_friendly_name(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string name = "Alice ✿ in Wonderland & Co";
  w.note("alice changes her friendly name");
  purple_account_set_public_alias(
      w.account("alice"), name.c_str(), nullptr, [](PurpleAccount*, const char* error) {
        std::fprintf(stderr, "harness: set_public_alias failed: %s\n", error ? error : "");
      });
  STEP(w.wait_friendly_name("bob", "alice", name));
  STEP(w.wait_server("alice's display name", [&](const ServerState& s) {
    return s.account("alice@example.com")->display_name == name;
  }));
}

}  // namespace

std::vector<IntegrationScenario> contact_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(
      make_scenario("contacts-load-200", contacts_load, {"--contacts", "200"}, {"alice"}));
  list.push_back(
      make_scenario("contacts-load-sliced", contacts_load_sliced,
                    {"--contacts", "2000", "--friends", "alice@example.com,bob@example.com"}));
  list.push_back(make_scenario("contacts-second-sign-in", contacts_second_sign_in,
                               {"--contacts", "200"}, {"alice"}));
  list.push_back(make_scenario("contacts-add-accept", contacts_add_accept));
  list.push_back(make_scenario("contacts-add-deny", contacts_add_deny));
  list.push_back(make_scenario("contacts-add-invalid", contacts_add_invalid, {}, {"alice"}));
  // The server refuses the unknown address (FQY/ADL 241) on purpose.
  list.back().allowed_server_warnings = {": 241 "};
  list.push_back(make_scenario("contacts-list-full", contacts_list_full, {"--contacts", "1000"}));
  list.push_back(make_scenario("contacts-remove", contacts_remove));
  list.push_back(make_scenario("contacts-move", contacts_move));
  list.push_back(make_scenario("contacts-group-rename", contacts_group_rename));
  list.push_back(make_scenario("contacts-group-delete", contacts_group_delete));
  list.push_back(make_scenario("contacts-alias", contacts_alias));
  list.push_back(make_scenario("contacts-block", contacts_block));
  list.push_back(make_scenario("presence-statuses", presence_statuses));
  list.push_back(make_scenario("presence-personal-message", presence_personal_message));
  list.push_back(make_scenario("presence-friendly-name", presence_friendly_name));
  return list;
}

}  // namespace harness
