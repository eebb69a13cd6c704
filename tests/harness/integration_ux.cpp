// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about what a user is told: messages cut off by signing out, messages
// to people not on the list, requests while online, many offline messages waiting.
#include <algorithm>
#include <cstdio>

#include "integration.h"

namespace harness {
namespace {

// The error lines `who`'s conversation with `peer` shows that quote `text`.
std::vector<const WrittenLine*> error_lines(World& w, std::string_view who, std::string_view peer,
                                            const std::string& text) {
  std::vector<const WrittenLine*> found;
  const std::string name = address_of(peer);
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account(who) && lower_ascii(line.conversation) == name &&
        (line.flags & PURPLE_MESSAGE_ERROR) != 0 && line.html.find(text) != std::string::npos)
      found.push_back(&line);
  }
  return found;
}

// Signing out after the message went out but before the server acknowledged it: the user is
// told it was sent but not confirmed, not that it was never sent.
void im_unconfirmed_at_sign_out(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = "relayed, but never acknowledged";
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait_received("bob", "alice", 1));
  STEP(w.sign_out("alice"));
  auto lines = error_lines(w, "alice", "bob", text);
  if (!w.check(lines.size() == 1,
               "alice's conversation does not say once what became of her "
               "last message\n" +
                   describe_ui_events(w.account("alice"))))
    return;
  const std::string said = plain_text(lines.front()->html);
  w.check(said.find("it was sent, but you signed out before the server confirmed that it "
                    "arrived") != std::string::npos &&
              said.find("could not be delivered") == std::string::npos,
          "alice was told: " + said);
}

std::string numbered(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "to a stranger %03d", i);
  return text;
}

// Someone not on the list has no presence the server tells us of: that is not "offline". A
// burst to such a person who is online goes over a switchboard, all of it, in order, once.
void im_burst_non_contact(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  constexpr int kCount = 300;
  w.note("alice sends " + std::to_string(kCount) + " messages to bob, who is not her contact");
  for (int i = 1; i <= kCount; ++i) STEP(w.send_im("alice", "bob", numbered(i)));
  if (!w.wait_received("bob", "alice", kCount, milliseconds(30000))) {
    w.fail("alice's side:\n" + describe_ui_events(w.account("alice")));
    return;
  }
  w.run_for(milliseconds(500));  // a duplicate would arrive now
  auto lines = w.received_from("bob", "alice");
  std::string first_difference;
  for (std::size_t i = 0; i < lines.size() && first_difference.empty(); ++i) {
    const std::string text = plain_text(lines[i]->html);
    if (text != numbered(static_cast<int>(i) + 1))
      first_difference = "message " + std::to_string(i + 1) + " is \"" + text + "\"";
  }
  w.check(lines.size() == kCount, "bob received " + std::to_string(lines.size()) + " messages");
  w.check(first_difference.empty(), "out of order or changed: " + first_difference);
  int errors = 0;
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account("alice") && (line.flags & PURPLE_MESSAGE_ERROR) != 0) ++errors;
  }
  w.check(errors == 0, "alice was shown " + std::to_string(errors) + " delivery errors\n" +
                           describe_ui_events(w.account("alice")));
}

// A revival server that answers every delta membership request with FullSyncRequired: someone
// who adds you while you are online still gets their authorization request shown at once.
void contacts_add_while_online_full_sync(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  const std::string invite = "Hello from Alice";
  STEP(w.add_and_accept("alice", "bob", "Friends", invite));
  STEP(w.wait_status("alice", "bob", "available"));
}

// ---- more offline messages than Mail-Data lists ("too-large") ----

constexpr int kOfflineCount = 30;  // the server lists at most 25 in Mail-Data

std::string offline_text(int i) {
  char text[32];
  std::snprintf(text, sizeof text, "offline %02d", i);
  return text;
}

bool notice_shown(const std::string& primary) {
  for (const NotificationSeen& n : ui_events().notifications) {
    if (n.primary == primary) return true;
  }
  return false;
}

// alice leaves kOfflineCount offline messages for bob, then bob signs in.
bool leave_offline_messages(World& w) {
  if (!(w.sign_in("alice") && w.sign_in("bob") && w.befriend("alice", "bob") && w.sign_out("bob") &&
        w.wait_offline("alice", "bob")))
    return false;
  w.note("alice leaves " + std::to_string(kOfflineCount) + " offline messages for bob");
  for (int i = 1; i <= kOfflineCount; ++i) {
    if (!w.send_im("alice", "bob", offline_text(i))) return false;
  }
  auto stored = [&] {
    int count = 0;
    for (const WrittenLine& line : ui_events().lines) {
      if (line.account == w.account("alice") && (line.flags & PURPLE_MESSAGE_SYSTEM) != 0 &&
          line.html.find("your message was stored") != std::string::npos)
        ++count;
    }
    return count;
  };
  if (!w.wait(
          "all " + std::to_string(kOfflineCount) + " stored",
          [&] { return stored() == kOfflineCount; },
          [&] {
            return std::to_string(stored()) + " stored\n" + describe_ui_events(w.account("alice"));
          },
          milliseconds(20000)))
    return false;
  return w.sign_in("bob");
}

// All of them arrive, in the order sent, each once, whichever form the metadata answer takes.
void oim_many_waiting(World& w) {
  STEP(leave_offline_messages(w));
  STEP(w.wait_received("bob", "alice", kOfflineCount, milliseconds(20000)));
  w.run_for(milliseconds(500));  // a duplicate would arrive now
  auto lines = w.received_from("bob", "alice");
  w.check(lines.size() == kOfflineCount, "bob received " + std::to_string(lines.size()));
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string text = plain_text(lines[i]->html);
    if (!w.check(text == offline_text(static_cast<int>(i) + 1),
                 "offline message " + std::to_string(i + 1) + " is \"" + text + "\""))
      break;
  }
}

// The list cannot be fetched at all: bob is told that messages wait, instead of nothing.
void oim_list_unavailable(World& w) {
  STEP(leave_offline_messages(w));
  const std::string primary = "Offline messages are waiting for you";
  STEP(w.wait(
      "bob is told offline messages wait", [&] { return notice_shown(primary); },
      [&] { return "\n" + describe_ui_events(w.account("bob")); }, milliseconds(15000)));
  w.check(w.received_from("bob", "alice").empty(), "bob received messages after all");
}

}  // namespace

std::vector<IntegrationScenario> ux_integration_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("im-unconfirmed-at-sign-out", im_unconfirmed_at_sign_out,
                               {"--fault", "sb-no-ack"}));
  list.push_back(make_scenario("im-burst-non-contact", im_burst_non_contact));
  list.push_back(make_scenario("contacts-add-full-sync", contacts_add_while_online_full_sync,
                               {"--fault", "membership-full-sync"}));
  list.push_back(make_scenario("oim-many-waiting", oim_many_waiting));
  list.push_back(
      make_scenario("oim-many-waiting-escaped", oim_many_waiting, {"--rsi-metadata", "escaped"}));
  list.push_back(
      make_scenario("oim-list-unavailable", oim_list_unavailable, {"--rsi-metadata", "broken"}));
  return list;
}

}  // namespace harness
