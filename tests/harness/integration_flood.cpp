// SPDX-License-Identifier: GPL-2.0-or-later
// A server flooding the client while the contact list is still being put in place: the plugin
// keeps engine events back behind its sliced list sync, but only up to a cap. Past it the rest
// of the list is applied at once, the waiting events follow, and nothing is dropped.
#include <signals.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "integration.h"
#include "purple_env.h"

namespace harness {
namespace {

constexpr std::size_t kContacts = 500 + 1;         // the generated book, and the bot
constexpr const char* kBot = "buddy@example.com";  // always online
// Notices about addresses on no one's list: each one is an engine log line the plugin must
// hold while the list sync runs. More than the plugin's cap of 20,000 held events.
constexpr std::size_t kFlood = 25'000;
constexpr std::string_view kIgnoredLine = "ignored NLN about someone not on the contact list";
constexpr std::string_view kCapLine = "events waiting behind the contact list sync";

struct FloodProbe {
  PurpleAccount* account = nullptr;
  unsigned iteration = 0;                               // main-loop iterations seen by the ticker
  std::map<unsigned, std::size_t> added_per_iteration;  // alice's buddies added, by iteration
  std::size_t buddies_when_connected = 0;
  bool connected = false;
};

gboolean count_iteration(gpointer data) {
  ++static_cast<FloodProbe*>(data)->iteration;
  return TRUE;
}

void on_buddy_added(PurpleBuddy* buddy, gpointer data) {
  auto* probe = static_cast<FloodProbe*>(data);
  if (purple_buddy_get_account(buddy) == probe->account)
    ++probe->added_per_iteration[probe->iteration];
}

void on_signed_on(PurpleConnection* gc, gpointer data) {
  auto* probe = static_cast<FloodProbe*>(data);
  if (purple_connection_get_account(gc) != probe->account) return;
  probe->connected = true;
  // Distinct addresses: a contact in two groups is two buddies.
  GSList* buddies = purple_find_buddies(probe->account, nullptr);
  std::set<std::string> names;
  for (GSList* item = buddies; item != nullptr; item = item->next)
    names.insert(lower_ascii(purple_buddy_get_name(static_cast<PurpleBuddy*>(item->data))));
  g_slist_free(buddies);
  probe->buddies_when_connected = names.size();
}

std::size_t debug_lines_containing(std::size_t from, std::string_view text) {
  const auto& lines = plugin_debug_lines();
  return static_cast<std::size_t>(
      std::count_if(lines.begin() + static_cast<std::ptrdiff_t>(from), lines.end(),
                    [text](const std::string& line) { return line.find(text) != line.npos; }));
}

// One contact per slice would take 501 main-loop iterations; the flood reaches the cap long
// before that, and the remaining contacts then arrive in a single iteration.
void contacts_flood_during_sync(World& w) {
  FloodProbe probe;
  probe.account = w.account("alice");
  purple_account_set_int(probe.account, "contact_sync_slice", 1);
  static int handle;
  purple_signal_connect(purple_blist_get_handle(), "buddy-added", &handle,
                        PURPLE_CALLBACK(on_buddy_added), &probe);
  purple_signal_connect(purple_connections_get_handle(), "signed-on", &handle,
                        PURPLE_CALLBACK(on_signed_on), &probe);
  const std::size_t first_line = plugin_debug_lines().size();
  const guint ticker = g_timeout_add(0, &count_iteration, &probe);
  const bool signed_in = w.sign_in("alice", milliseconds(40000));
  g_source_remove(ticker);
  purple_signals_disconnect_by_handle(&handle);
  STEP(signed_in);
  w.check(probe.connected && probe.buddies_when_connected >= kContacts,
          "alice should be connected only with her whole list; she had " +
              std::to_string(probe.buddies_when_connected) + " contacts then");
  const std::size_t cap_lines = debug_lines_containing(first_line, kCapLine);
  w.check(cap_lines == 1,
          "the plugin should log the cap once; it did " + std::to_string(cap_lines) + " times");
  std::size_t largest = 0;
  for (const auto& [iteration, added] : probe.added_per_iteration)
    largest = std::max(largest, added);
  w.note("alice's buddies were added in " + std::to_string(probe.added_per_iteration.size()) +
         " main-loop iterations, at most " + std::to_string(largest) + " in one");
  w.check(largest > kContacts / 2,
          "past the cap the rest of the list should come in one iteration; the most in one was " +
              std::to_string(largest));
  // Every notice the server sent was handled once: held, not dropped.
  STEP(w.wait(
      "the plugin logged each of the " + std::to_string(kFlood) + " ignored notices",
      [&] { return debug_lines_containing(first_line, kIgnoredLine) >= kFlood; },
      [&] {
        return std::to_string(debug_lines_containing(first_line, kIgnoredLine)) + " logged";
      }));
  const std::size_t ignored = debug_lines_containing(first_line, kIgnoredLine);
  w.check(ignored == kFlood,
          std::to_string(ignored) + " ignored notices logged, not " + std::to_string(kFlood));
  // The bot's presence came behind the flood and was held (coalesced): it is shown all the same.
  STEP(w.wait_status("alice", kBot, "available"));
}

}  // namespace

std::vector<IntegrationScenario> flood_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario(
      "contacts-flood-during-sync", contacts_flood_during_sync,
      {"--contacts", "500", "--bot", kBot, "--friends", std::string("alice@example.com,") + kBot,
       "--presence-flood", std::to_string(kFlood)},
      {"alice"}));
  return list;
}

}  // namespace harness
