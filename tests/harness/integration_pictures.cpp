// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about display pictures between two accounts of our own plugin (the
// server only relays their P2P MSGs): each sees the other's account icon as a buddy icon with
// the very same bytes, a picture changed while online reaches the other side, and a second
// sign-in fetches nothing libpurple already holds. And with the server's bot, an independent
// P2P peer: its picture shows, and it receives ours and says so.
#include <buddyicon.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "buddy_icons.h"
#include "integration.h"
#include "purple_env.h"

namespace harness {
namespace {

// Bytes that look like a PNG (libpurple names the stored file by them) and are several
// P2P chunks long, so that chunking and reassembly are part of the way.
std::string fake_png(char seed, std::size_t size) {
  std::string data = "\x89PNG\r\n\x1a\n";
  for (std::size_t i = data.size(); i < size; ++i)
    data.push_back(static_cast<char>(seed + static_cast<char>(i * 31 % 251)));
  return data;
}

void set_account_icon(World& w, std::string_view who, const std::string& data) {
  // libpurple takes the buffer (g_free) and, when online, hands the icon to the prpl.
  auto* copy = static_cast<guchar*>(g_malloc(data.size()));
  std::memcpy(copy, data.data(), data.size());
  purple_buddy_icons_set_account_icon(w.account(who), copy, data.size());
}

// The buddy icon `who` holds for `peer`; empty when none.
std::string icon_of(World& w, std::string_view who, std::string_view peer) {
  return icon_bytes(w.account(who), address_of(peer));
}

bool wait_icon(World& w, std::string_view who, std::string_view peer, const std::string& data) {
  return w.wait(
      std::string(who) + " shows " + std::string(peer) + "'s picture",
      [&] { return icon_of(w, who, peer) == data; },
      [&] {
        return "an icon of " + std::to_string(icon_of(w, who, peer).size()) + " bytes (want " +
               std::to_string(data.size()) + ")";
      },
      milliseconds(15000));
}

// How often the plugin started fetching `peer`'s picture (its debug lines say so).
std::size_t fetches_of(std::string_view peer) {
  const std::string needle = "pictures: fetching the picture of " + address_of(peer);
  return static_cast<std::size_t>(std::count_if(
      plugin_debug_lines().begin(), plugin_debug_lines().end(),
      [&](const std::string& line) { return line.find(needle) != std::string::npos; }));
}

const std::string kAlicePicture = fake_png('a', 5000);
const std::string kBobPicture = fake_png('b', 3500);

bool both_see_both(World& w) {
  set_account_icon(w, "alice", kAlicePicture);
  set_account_icon(w, "bob", kBobPicture);
  return w.sign_in("alice") && w.sign_in("bob") && w.befriend("alice", "bob") &&
         wait_icon(w, "bob", "alice", kAlicePicture) && wait_icon(w, "alice", "bob", kBobPicture);
}

void pictures_both_ways(World& w) {
  if (!both_see_both(w)) return;
  // No conversation window came up for the switchboards that carried the pictures.
  w.check(purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, address_of("bob").c_str(),
                                                w.account("alice")) == nullptr &&
              purple_find_conversation_with_account(
                  PURPLE_CONV_TYPE_IM, address_of("alice").c_str(), w.account("bob")) == nullptr,
          "a conversation window opened for a picture transfer");
}

void picture_changed_online(World& w) {
  if (!both_see_both(w)) return;
  const std::string changed = fake_png('c', 4200);
  w.note("alice changes her picture while online");
  set_account_icon(w, "alice", changed);
  STEP(wait_icon(w, "bob", "alice", changed));
}

void picture_cached_second_sign_in(World& w) {
  if (!both_see_both(w)) return;
  const std::size_t before = fetches_of("alice");
  STEP(w.sign_out("bob"));
  STEP(w.sign_in("bob"));
  STEP(w.wait_status("bob", "alice", "available"));
  w.run_for(milliseconds(1500));  // a fetch would start now
  w.check(fetches_of("alice") == before,
          "bob fetched alice's picture again: " + std::to_string(fetches_of("alice") - before) +
              " more fetches");
  w.check(icon_of(w, "bob", "alice") == kAlicePicture, "bob no longer shows alice's picture");
}

void picture_bot(World& w) {
  const std::string bot = "echo@example.com";
  STEP(w.sign_in("alice"));
  w.add_buddy("alice", bot, "Bots", "");
  STEP(w.wait_status("alice", bot, "available"));
  STEP(w.wait(
      "alice shows the bot's picture", [&] { return !icon_of(w, "alice", bot).empty(); },
      [] { return std::string("no icon"); }, milliseconds(15000)));
  const std::string icon = icon_of(w, "alice", bot);
  const char* checksum =
      purple_buddy_icons_get_checksum_for_user(purple_find_buddy(w.account("alice"), bot.c_str()));
  w.check(checksum != nullptr && sha1d_of(icon) == checksum,
          "the bot's picture does not match the SHA1D it was stored under");
  w.check(icon.rfind("\x89PNG", 0) == 0, "the bot's picture is not a PNG");
  w.note("alice sets her picture; the bot fetches it and reports");
  set_account_icon(w, "alice", kAlicePicture);
  STEP(w.wait_received("alice", bot, 1));
  const std::string said = plain_text(w.received_from("alice", bot).back()->html);
  w.check(said == "Got your display picture: " + std::to_string(kAlicePicture.size()) +
                      " bytes, SHA1D ok",
          "the bot said \"" + said + "\"");
}

constexpr std::size_t kManyContacts = 12;

// Generated contacts, each with its own picture: every one is fetched exactly once, and never
// more than the engine's limit (2) at a time, however many come online together.
void pictures_many_contacts(World& w) {
  STEP(w.sign_in("alice"));
  const std::string alice = address_of("alice");
  std::optional<ServerState> before = w.server_state();
  STEP(before.has_value());  // server_state() recorded why not
  const ServerAccount* account = before->account(alice);
  STEP(w.check(account != nullptr, "the server has no account " + alice));
  std::vector<std::string> contacts;
  for (const ServerContact* c : account->forward_list()) contacts.push_back(lower_ascii(c->email));
  STEP(w.check(contacts.size() == kManyContacts,
               "the server gave alice " + std::to_string(contacts.size()) + " contacts, not " +
                   std::to_string(kManyContacts)));
  auto missing = [&] {
    std::size_t count = 0;
    for (const std::string& c : contacts) count += shows_stored_picture(w.account("alice"), c) ? 0 : 1;
    return count;
  };
  STEP(w.wait(
      "alice shows every contact's picture", [&] { return missing() == 0; },
      [&] { return std::to_string(missing()) + " contacts without their picture"; },
      milliseconds(20000)));
  std::optional<ServerState> after = w.server_state();
  STEP(after.has_value());
  const int peak = after->p2p.peak_of(alice);
  w.note("peak concurrent picture sessions for alice: " + std::to_string(peak));
  w.check(peak >= 1 && peak <= 2,
          "alice had " + std::to_string(peak) + " picture sessions at once (at most 2 allowed)");
  for (const std::string& c : contacts) {
    const int invites = after->p2p.invite_count(alice, c);
    w.check(invites == 1, "alice sent " + std::to_string(invites) + " session INVITEs to " + c +
                              " (one expected)");
  }
}

}  // namespace

std::vector<IntegrationScenario> picture_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("pictures-both-ways", pictures_both_ways));
  list.push_back(make_scenario("picture-changed-online", picture_changed_online));
  list.push_back(make_scenario("picture-cached-second-sign-in", picture_cached_second_sign_in));
  list.push_back(
      make_scenario("picture-bot", picture_bot, {"--bot", "echo@example.com"}, {"alice"}));
  list.push_back(make_scenario("pictures-many-contacts", pictures_many_contacts,
                               {"--contacts", std::to_string(kManyContacts), "--contact-pictures"},
                               {"alice"}));
  return list;
}

}  // namespace harness
