// SPDX-License-Identifier: GPL-2.0-or-later
#include "integration.h"

#include <connection.h>
#include <prpl.h>
#include <server.h>
#include <signals.h>
#include <status.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <set>

#include "lifetime.h"
#include "ui_paths.h"
#include "reliability.h"

namespace harness {
namespace {

constexpr milliseconds kListWait{15000};

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

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
  for (const BuddyView& v : views)
    groups.insert(v.group);
  const std::string prefix = contact.email + ": ";
  if (contact.groups.empty()) {
    // In no server group: one buddy, in the UI's own default group.
    bool foreign = views.size() == 1 &&
                   std::find(server.groups.begin(), server.groups.end(), views[0].group) ==
                       server.groups.end();
    if (!foreign)
      problems.push_back(prefix + "in no group on the server, but " +
                         std::to_string(views.size()) + " buddies" +
                         (views.empty() ? "" : " (first in \"" + views[0].group + "\")"));
  } else {
    std::multiset<std::string> expected(contact.groups.begin(), contact.groups.end());
    if (groups != expected) {
      std::string seen;
      for (const std::string& g : groups)
        seen += " \"" + g + "\"";
      std::string want;
      for (const std::string& g : expected)
        want += " \"" + g + "\"";
      problems.push_back(prefix + "groups on the server:" + want + "; in the buddy list:" +
                         (seen.empty() ? " none" : seen));
    }
  }
  for (const BuddyView& v : views) {
    if (v.server_alias != shown_name(contact.display_name))
      problems.push_back(prefix + "server alias \"" + v.server_alias.substr(0, 60) +
                         "\", the server's display name \"" +
                         contact.display_name.substr(0, 60) + "\"");
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
  for (std::size_t i = 0; i < shown; ++i)
    w.fail(address_of(who) + " list: " + problems[i]);
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
  if (!state)
    return nullptr;
  const ServerAccount* account = state->account(address_of(who));
  if (account == nullptr)
    w.fail("the server has no account " + address_of(who));
  return account;
}

bool has_group(const ServerContact* contact, const std::string& group) {
  return contact != nullptr &&
         std::find(contact->groups.begin(), contact->groups.end(), group) != contact->groups.end();
}

// ---- issue 3: contact list ----

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
          "the server saw " + std::to_string(full) + " full and " + std::to_string(delta) +
              " delta ABFindAll requests");
}

void contacts_add_accept(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  const std::string invite = "Hi Bob, it's Alice — Grüße!";
  STEP(w.add_and_accept("alice", "bob", "Friends", invite));
  STEP(w.wait_status("alice", "bob", "available"));
  STEP(w.wait_server("bob on alice's forward list in Friends and allow list; alice on bob's "
                     "allow and reverse lists, no longer pending",
                     [](const ServerState& s) {
                       const ServerAccount* a = s.account("alice@example.com");
                       const ServerAccount* b = s.account("bob@example.com");
                       const ServerContact* c = a->contact("bob@example.com");
                       return c != nullptr && c->messenger && has_group(c, "Friends") &&
                              a->in_role("Allow", "bob@example.com") &&
                              b->in_role("Allow", "alice@example.com") &&
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
  STEP(w.wait_server("alice on bob's block list, not pending",
                     [](const ServerState& s) {
                       const ServerAccount* b = s.account("bob@example.com");
                       return b->in_role("Block", "alice@example.com") &&
                              !b->in_role("Pending", "alice@example.com") &&
                              !b->in_role("Allow", "alice@example.com");
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
      "alice is told that " + nobody + " could not be added",
      [&] {
        for (std::size_t i = notes_before; i < ui_events().notifications.size(); ++i) {
          const NotificationSeen& n = ui_events().notifications[i];
          if ((n.title + n.primary + n.secondary).find(nobody) != std::string::npos)
            return true;
        }
        return false;
      },
      [&] { return "\n" + describe_ui_events(w.account("alice")); }));
  STEP(w.wait_buddy("alice", nobody, [](const auto& views) { return views.empty(); },
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
          if ((n.title + n.primary + n.secondary).find("full") != std::string::npos)
            return true;
        }
        return false;
      },
      [&] { return "\n" + describe_ui_events(w.account("alice")); }));
  STEP(w.wait_buddy("alice", bob, [](const auto& views) { return views.empty(); },
                    "removed again from the buddy list"));
  w.check(purple_account_is_connected(w.account("alice")),
          "alice was disconnected by a list limit");
}

void contacts_remove(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.remove_buddy("alice", "bob"));
  STEP(w.wait_server("bob off alice's forward list, alice off bob's reverse list",
                     [](const ServerState& s) {
                       const ServerContact* c =
                           s.account("alice@example.com")->contact("bob@example.com");
                       return (c == nullptr || !c->messenger) &&
                              !s.account("bob@example.com")->in_role("Reverse",
                                                                     "alice@example.com");
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
  STEP(w.wait_server("the group renamed for both accounts, with the contact in it",
                     [&](const ServerState& s) {
                       const ServerAccount* a = s.account("alice@example.com");
                       const ServerAccount* b = s.account("bob@example.com");
                       auto renamed_in = [&](const ServerAccount* owner, const char* peer) {
                         return has_group(owner->contact(peer), renamed) &&
                                std::find(owner->groups.begin(), owner->groups.end(),
                                          "Friends") == owner->groups.end();
                       };
                       return renamed_in(a, "bob@example.com") &&
                              renamed_in(b, "alice@example.com");
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
  STEP(w.wait_server("no group Temporary on alice's list, bob still in Friends",
                     [](const ServerState& s) {
                       const ServerAccount* a = s.account("alice@example.com");
                       return std::find(a->groups.begin(), a->groups.end(), "Temporary") ==
                                  a->groups.end() &&
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

// ---- issue 3: presence and profile ----

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
  STEP(w.wait_buddy(
      "bob", "alice",
      [&](const auto& views) { return !views.empty() && views[0].server_alias == name; },
      "named \"" + name + "\""));
  STEP(w.wait_server("alice's display name", [&](const ServerState& s) {
    return s.account("alice@example.com")->display_name == name;
  }));
}

// ---- issue 4: conversations ----

const WrittenLine* last_from(World& w, std::string_view who, std::string_view peer) {
  auto lines = w.received_from(who, peer);
  return lines.empty() ? nullptr : lines.back();
}

void check_formatting(World& w, const WrittenLine& line, const std::string& text,
                      const std::vector<std::string>& markers) {
  w.check(plain_text(line.html) == text,
          "received text \"" + plain_text(line.html) + "\", sent \"" + text + "\"");
  for (const std::string& marker : markers)
    w.check(contains_ci(line.html, marker),
            "the received HTML lacks " + marker + ": " + line.html);
}

void im_formatting(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text_a = "Grüße — 日本語 🎉";
  STEP(w.send_im("alice", "bob",
                 "<FONT FACE=\"Arial\" COLOR=\"#FF0000\"><B><I>" + text_a + "</I></B></FONT>"));
  STEP(w.wait_received("bob", "alice", 1));
  check_formatting(w, *last_from(w, "bob", "alice"), text_a, {"<b>", "<i>", "arial", "ff0000"});
  const std::string text_b = "Ünïcødé & <tags> 🎸";
  STEP(w.send_im("bob", "alice",
                 "<FONT FACE=\"Courier New\" COLOR=\"#0000FF\"><U>Ünïcødé &amp; &lt;tags&gt; "
                 "🎸</U></FONT>"));
  STEP(w.wait_received("alice", "bob", 1));
  check_formatting(w, *last_from(w, "alice", "bob"), text_b, {"<u>", "courier new", "0000ff"});
}

void im_typing(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  // A conversation under way (the engine opens no switchboard for a typing notice alone).
  STEP(w.send_im("alice", "bob", "are you there?"));
  STEP(w.wait_received("bob", "alice", 1));
  w.note("alice starts typing her next message to bob");
  // What the conversation window does on a keystroke.
  serv_send_typing(w.connection("alice"), "bob@example.com", PURPLE_TYPING);
  PurpleConvIm* bob_side = purple_conversation_get_im_data(w.im("bob", "alice"));
  STEP(w.wait(
      "bob sees alice typing",
      [&] {
        bool signalled = false;
        for (const TypingSeen& t : ui_events().typing)
          signalled = signalled || (t.account == w.account("bob") && t.typing &&
                                    lower_ascii(t.who) == "alice@example.com");
        return signalled && purple_conv_im_get_typing_state(bob_side) == PURPLE_TYPING;
      },
      [&] {
        return "typing state " + std::to_string(purple_conv_im_get_typing_state(bob_side)) +
               "\n" + describe_ui_events(w.account("bob"));
      }));
}

void im_nudge(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  for (auto [from, to] : {std::pair{"alice", "bob"}, std::pair{"bob", "alice"}}) {
    w.note(std::string(from) + " nudges " + to);
    purple_prpl_send_attention(w.connection(from), address_of(to).c_str(), 0);
    STEP(w.wait(
        address_of(to) + " gets the nudge of " + address_of(from),
        [&] {
          for (const AttentionSeen& a : ui_events().attention) {
            if (a.account == w.account(to) && lower_ascii(a.who) == address_of(from))
              return true;
          }
          return false;
        },
        [&] { return "\n" + describe_ui_events(w.account(to)); }));
  }
}

// A peer's friendly name is text, not markup: the nudge line names bob with his name escaped,
// so "<a href=...>" in it shows as written and plants no link.
void im_nudge_html_name(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string name = "<a href=\"https://evil.example/\">Bob</a> & <b>co</b>";
  w.note("bob names himself " + name);
  purple_account_set_public_alias(w.account("bob"), name.c_str(), nullptr, nullptr);
  STEP(w.wait_buddy(
      "alice", "bob",
      [&](const auto& views) { return !views.empty() && views[0].server_alias == name; },
      "named \"" + name + "\""));
  w.note("bob nudges alice");
  purple_prpl_send_attention(w.connection("bob"), address_of("alice").c_str(), 0);
  const auto nudge_line = [&]() -> const WrittenLine* {
    for (const WrittenLine* line : w.received_from("alice", "bob")) {
      if (line->html.find("nudged") != std::string::npos) return line;
    }
    return nullptr;
  };
  STEP(w.wait(
      "alice sees bob's nudge", [&] { return nudge_line() != nullptr; },
      [&] { return "\n" + w.describe_lines("alice"); }));
  const WrittenLine& line = *nudge_line();
  const std::string escaped =
      "&lt;a href=&quot;https://evil.example/&quot;&gt;Bob&lt;/a&gt; &amp; &lt;b&gt;co&lt;/b&gt;";
  w.check(line.html.find(escaped) != std::string::npos,
          "the nudge line does not name bob escaped: " + line.html);
  w.check(line.html.find('<') == std::string::npos,
          "the nudge line holds markup from bob's name: " + line.html);
  w.check(plain_text(line.html).find(name) != std::string::npos,
          "the nudge line does not read as bob's name: " + plain_text(line.html));
  w.check((line.flags & PURPLE_MESSAGE_NOTIFY) != 0 && (line.flags & PURPLE_MESSAGE_SYSTEM) != 0,
          "the nudge line is not an attention (system, notify) line");
  bool signalled = false;
  for (const AttentionSeen& a : ui_events().attention)
    signalled =
        signalled || (a.account == w.account("alice") && lower_ascii(a.who) == address_of("bob"));
  w.check(signalled, "no got-attention signal for bob's nudge");
}

// Signing out while a message is still on its way (its switchboard not even open yet): the open
// conversation window says that this message was not delivered, instead of losing it silently.
void im_pending_at_sign_out(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = "sent just before signing out";
  STEP(w.send_im("alice", "bob", text));
  // No main-loop turn in between: the XFR SB for it cannot have been answered yet.
  STEP(w.sign_out("alice"));
  const std::string bob = address_of("bob");
  bool told = false;
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account("alice") && lower_ascii(line.conversation) == bob &&
        (line.flags & PURPLE_MESSAGE_ERROR) != 0 && line.html.find(text) != std::string::npos &&
        line.html.find("you signed out before it was sent") != std::string::npos)
      told = true;
  }
  w.check(told, "alice's conversation does not say that her last message was not delivered\n" +
                    describe_ui_events(w.account("alice")));
}

std::string repeat_to_characters(const std::string& pattern, long characters) {
  std::string text;
  while (g_utf8_strlen(text.c_str(), -1) < characters)
    text += pattern;
  // Cut at a character boundary.
  const gchar* end = g_utf8_offset_to_pointer(text.c_str(), characters);
  return text.substr(0, static_cast<std::size_t>(end - text.c_str()));
}

void im_long_message(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = repeat_to_characters("Grüße 日本語 0123456789 🎉 ", 5000);
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait_received("bob", "alice", 1, milliseconds(15000)));
  w.run_for(milliseconds(1000));  // parts that would arrive as messages of their own
  auto lines = w.received_from("bob", "alice");
  std::string joined;
  for (const WrittenLine* line : lines)
    joined += plain_text(line->html);
  w.check(lines.size() == 1, "the 5,000-character message arrived as " +
                                 std::to_string(lines.size()) + " messages" +
                                 (joined == text ? " (together complete)" : ""));
  w.check(joined == text, "the text bob received (" +
                              std::to_string(g_utf8_strlen(joined.c_str(), -1)) +
                              " characters) differs from the 5,000 characters sent");
}

std::string burst_text(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "burst %04d", i);
  return text;
}

// Sends `count` numbered messages, then checks they all arrived once (and in order if asked).
void burst(World& w, int count, bool in_order, milliseconds timeout) {
  w.note("alice sends " + std::to_string(count) + " messages");
  for (int i = 1; i <= count; ++i)
    STEP(w.send_im("alice", "bob", burst_text(i)));
  int refused = 0;
  std::string first_refusal;
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account("alice") && (line.flags & PURPLE_MESSAGE_ERROR) != 0 &&
        refused++ == 0)
      first_refusal = line.html;
  }
  if (refused > 0)
    w.fail("alice was shown " + std::to_string(refused) + " send errors, the first: " +
           first_refusal);
  // Refused messages cannot arrive; waiting for the others is enough to show what did.
  const bool all_arrived = w.wait_received(
      "bob", "alice", static_cast<std::size_t>(count - refused), timeout) && refused == 0;
  STEP(all_arrived);
  w.run_for(milliseconds(700));  // duplicates that are still on their way
  std::vector<std::string> got;
  for (const WrittenLine* line : w.received_from("bob", "alice"))
    got.push_back(plain_text(line->html));
  std::map<std::string, int> seen;
  for (const std::string& text : got)
    ++seen[text];
  int missing = 0, duplicated = 0;
  for (int i = 1; i <= count; ++i) {
    int n = seen.count(burst_text(i)) ? seen[burst_text(i)] : 0;
    missing += n == 0;
    duplicated += n > 1;
  }
  w.check(missing == 0, std::to_string(missing) + " of " + std::to_string(count) +
                            " messages never arrived");
  w.check(duplicated == 0, std::to_string(duplicated) + " messages arrived more than once");
  w.check(got.size() == static_cast<std::size_t>(count),
          std::to_string(got.size()) + " messages arrived for " + std::to_string(count) + " sent");
  std::size_t first_out_of_order = got.size();
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != burst_text(static_cast<int>(i) + 1)) {
      first_out_of_order = i;
      break;
    }
  }
  if (first_out_of_order != got.size()) {
    std::string where = "message " + std::to_string(first_out_of_order + 1) + " shown was \"" +
                        got[first_out_of_order] + "\"";
    if (in_order)
      w.fail("the messages arrived out of order: " + where);
    else
      w.note("order not kept (not required here): " + where);
  }
}

void im_burst(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  burst(w, 1000, /*in_order=*/true, milliseconds(35000));
}

void im_burst_switchboard_closes(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  burst(w, 300, /*in_order=*/false, milliseconds(30000));
}

void oim_offline_delivery(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.sign_out("bob"));
  STEP(w.wait_offline("alice", "bob"));
  const std::string text = "While you were away: Grüße 🎉";
  const time_t sent = time(nullptr);
  STEP(w.send_im("alice", "bob", "<B>While you were away</B>: Grüße 🎉"));
  // Bob comes back a few seconds later: his copy must carry the time it was sent.
  w.run_for(milliseconds(3500));
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account("alice") && (line.flags & PURPLE_MESSAGE_ERROR) != 0)
      w.fail("alice was told the offline message failed: " + line.html);
  }
  STEP(w.sign_in("bob"));
  STEP(w.wait_received("bob", "alice", 1, milliseconds(15000)));
  const WrittenLine* line = last_from(w, "bob", "alice");
  w.check(plain_text(line->html) == text, "bob got \"" + plain_text(line->html) + "\"");
  w.check((line->flags & PURPLE_MESSAGE_DELAYED) != 0,
          "the offline message is not marked PURPLE_MESSAGE_DELAYED");
  w.check(line->mtime >= sent - 2 && line->mtime <= sent + 2,
          "the offline message is shown at " + std::to_string(line->mtime) + ", sent at " +
              std::to_string(sent));
}

void bot_echo(World& w) {
  const std::string bot = "echo@example.com";
  STEP(w.sign_in("alice"));
  w.add_buddy("alice", bot, "Bots", "");
  STEP(w.wait_status("alice", bot, "available"));
  const std::string text = "hello bot — ünïcødé";
  STEP(w.send_im("alice", bot, text));
  STEP(w.wait_received("alice", bot, 1));
  const WrittenLine* line = w.received_from("alice", bot).back();
  w.check(plain_text(line->html) == "You said: " + text, "the bot answered \"" + line->html + "\"");
  bool typed = false;
  for (const TypingSeen& t : ui_events().typing)
    typed = typed || (t.account == w.account("alice") && lower_ascii(t.who) == bot && t.typing);
  w.check(typed, "the bot's typing notice before its answer was not shown");
}

// ---- issue 4: group chat ----

PurpleMenuAction* find_chat_action(GList* menu) {
  for (GList* item = menu; item != nullptr; item = item->next) {
    auto* action = static_cast<PurpleMenuAction*>(item->data);
    if (action != nullptr && action->label != nullptr && contains_ci(action->label, "chat"))
      return action;
  }
  return nullptr;
}

// "Initiate Chat" from the buddy's context menu, as in Pidgin.
bool start_chat(World& w, std::string_view who, std::string_view with) {
  PurpleConnection* gc = w.connection(who);
  PurplePluginProtocolInfo* prpl = PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(gc));
  PurpleBuddy* buddy = purple_find_buddy(w.account(who), address_of(with).c_str());
  if (buddy == nullptr)
    return w.fail(address_of(who) + " has no buddy " + address_of(with));
  if (prpl->blist_node_menu == nullptr)
    return w.fail("the plugin has no buddy menu (blist_node_menu), so no \"Initiate Chat\"");
  GList* menu = prpl->blist_node_menu(reinterpret_cast<PurpleBlistNode*>(buddy));
  PurpleMenuAction* action = find_chat_action(menu);
  bool ok = action != nullptr && action->callback != nullptr;
  if (ok) {
    w.note(address_of(who) + " picks \"" + text_or_empty(action->label) + "\" on " +
           address_of(with));
    reinterpret_cast<void (*)(PurpleBlistNode*, gpointer)>(action->callback)(
        reinterpret_cast<PurpleBlistNode*>(buddy), action->data);
  }
  g_list_free_full(menu, [](gpointer a) { purple_menu_action_free(static_cast<PurpleMenuAction*>(a)); });
  return ok || w.fail("the buddy menu has no action to start a chat");
}

PurpleConversation* chat_of(World& w, std::string_view who) {
  for (const ChatJoinedSeen& chat : ui_events().chats_joined) {
    if (chat.account == w.account(who) && chat.conversation != nullptr)
      return chat.conversation;
  }
  return nullptr;
}

std::set<std::string> chat_users(PurpleConversation* conv) {
  std::set<std::string> users;
  if (conv == nullptr)
    return users;
  for (GList* item = purple_conv_chat_get_users(purple_conversation_get_chat_data(conv));
       item != nullptr; item = item->next)
    users.insert(lower_ascii(
        text_or_empty(purple_conv_chat_cb_get_name(static_cast<PurpleConvChatBuddy*>(item->data)))));
  return users;
}

bool wait_in_chat(World& w, std::string_view who, const std::vector<std::string>& others) {
  return w.wait(
      address_of(who) + " is in a chat with the others",
      [&] {
        std::set<std::string> users = chat_users(chat_of(w, who));
        return std::all_of(others.begin(), others.end(),
                           [&](const std::string& o) { return users.count(address_of(o)) != 0; });
      },
      [&] {
        std::string text = chat_of(w, who) ? "chat users:" : "no chat joined;";
        for (const std::string& user : chat_users(chat_of(w, who)))
          text += " " + user;
        return text + "\n" + describe_ui_events(w.account(who));
      });
}

void chat_three(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.sign_in("carol"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.befriend("alice", "carol"));
  STEP(start_chat(w, "alice", "bob"));
  STEP(w.wait("alice has a chat open", [&] { return chat_of(w, "alice") != nullptr; },
              [&] { return describe_ui_events(w.account("alice")); }));
  PurpleConvChat* chat = purple_conversation_get_chat_data(chat_of(w, "alice"));
  w.note("alice invites carol");
  serv_chat_invite(w.connection("alice"), purple_conv_chat_get_id(chat), "Join us",
                   "carol@example.com");
  STEP(wait_in_chat(w, "alice", {"bob", "carol"}));
  STEP(wait_in_chat(w, "bob", {"alice", "carol"}));
  STEP(wait_in_chat(w, "carol", {"alice", "bob"}));
  const std::vector<std::string> people = {"alice", "bob", "carol"};
  for (const std::string& from : people) {
    const std::string text = "Hello from " + from + " 👋 Grüße";
    w.note(from + " says something in the chat");
    purple_conv_chat_send(purple_conversation_get_chat_data(chat_of(w, from)), text.c_str());
    for (const std::string& to : people) {
      if (to == from)
        continue;
      STEP(w.wait_received(to, from, 1, kDefaultWait, PURPLE_CONV_TYPE_CHAT));
      const WrittenLine* line = w.received_from(to, from, PURPLE_CONV_TYPE_CHAT).back();
      w.check(plain_text(line->html) == text,
              address_of(to) + " got \"" + line->html + "\" from " + from);
    }
  }
}

// ---- the table ----

IntegrationScenario make(std::string name, std::function<void(World&)> body,
                         std::vector<std::string> server_args = {},
                         std::vector<std::string> accounts = {"alice", "bob"}) {
  IntegrationScenario s;
  s.name = std::move(name);
  s.body = std::move(body);
  s.server_args = std::move(server_args);
  s.accounts = std::move(accounts);
  return s;
}

std::vector<IntegrationScenario> build() {
  std::vector<IntegrationScenario> list;
  list.push_back(make("contacts-load-200", contacts_load, {"--contacts", "200"}, {"alice"}));
  list.push_back(make("contacts-load-sliced", contacts_load_sliced,
                      {"--contacts", "2000", "--friends", "alice@example.com,bob@example.com"}));
  list.push_back(make("contacts-second-sign-in", contacts_second_sign_in, {"--contacts", "200"},
                      {"alice"}));
  list.push_back(make("contacts-add-accept", contacts_add_accept));
  list.push_back(make("contacts-add-deny", contacts_add_deny));
  list.push_back(make("contacts-add-invalid", contacts_add_invalid, {}, {"alice"}));
  // The server refuses the unknown address (FQY/ADL 241) on purpose.
  list.back().allowed_server_warnings = {": 241 "};
  list.push_back(make("contacts-list-full", contacts_list_full, {"--contacts", "1000"}));
  list.push_back(make("contacts-remove", contacts_remove));
  list.push_back(make("im-pending-at-sign-out", im_pending_at_sign_out));
  list.push_back(make("contacts-move", contacts_move));
  list.push_back(make("contacts-group-rename", contacts_group_rename));
  list.push_back(make("contacts-group-delete", contacts_group_delete));
  list.push_back(make("contacts-alias", contacts_alias));
  list.push_back(make("contacts-block", contacts_block));
  list.push_back(make("presence-statuses", presence_statuses));
  list.push_back(make("presence-personal-message", presence_personal_message));
  list.push_back(make("presence-friendly-name", presence_friendly_name));
  list.push_back(make("im-formatting", im_formatting));
  list.push_back(make("im-typing", im_typing));
  list.push_back(make("im-nudge", im_nudge));
  list.push_back(make("im-nudge-html-name", im_nudge_html_name));
  list.push_back(make("im-long-message", im_long_message));
  list.push_back(make("im-burst-1000", im_burst));
  list.push_back(make("im-burst-sb-closes", im_burst_switchboard_closes,
                      {"--fault", "sb-close-after:100"}));
  list.push_back(make("oim-offline-delivery", oim_offline_delivery));
  list.push_back(make("bot-echo", bot_echo, {"--bot", "echo@example.com"}, {"alice"}));
  list.push_back(make("chat-three", chat_three, {}, {"alice", "bob", "carol"}));
  for (IntegrationScenario& s : ux_integration_scenarios()) list.push_back(std::move(s));
  for (IntegrationScenario& s : lifetime_scenarios()) list.push_back(std::move(s));
  for (IntegrationScenario& scenario : ui_path_scenarios()) list.push_back(std::move(scenario));
  for (IntegrationScenario& s : reliability_scenarios()) list.push_back(std::move(s));
  return list;
}

}  // namespace

const std::vector<IntegrationScenario>& integration_scenarios() {
  static const std::vector<IntegrationScenario> scenarios = build();
  return scenarios;
}

std::optional<IntegrationScenario> find_integration_scenario(std::string_view name) {
  for (const IntegrationScenario& s : integration_scenarios()) {
    if (s.name == name)
      return s;
  }
  return std::nullopt;
}

}  // namespace harness
