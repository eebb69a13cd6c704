// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about custom emoticons through the real libpurple: the bot's emoticon
// reaches the conversation as a custom smiley with exactly its bytes; a smiley in alice's
// purple smiley store reaches bob with the same bytes, and bob's reaches alice; an emoticon
// used again is taken from the cache, not fetched again; and announcements that give nothing
// to show leave the conversation working.
#include <imgstore.h>
#include <smiley.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "buddy_icons.h"
#include "integration.h"
#include "purple_env.h"
#include "ui_events.h"

namespace harness {
namespace {

const std::string kBot = "echo@example.com";

// The custom smileys `who` was given in the conversation with `peer` under `shortcut`.
std::vector<const CustomSmileySeen*> smileys(World& w, std::string_view who,
                                             const std::string& peer, const std::string& shortcut) {
  std::vector<const CustomSmileySeen*> out;
  for (const CustomSmileySeen& seen : ui_events().smileys) {
    if (seen.account == w.account(who) && seen.conversation == peer && seen.shortcut == shortcut)
      out.push_back(&seen);
  }
  return out;
}

// Waits until `who` holds `count` closed smileys `shortcut` from `peer`; the last one's data.
std::string wait_smiley(World& w, std::string_view who, const std::string& peer,
                        const std::string& shortcut, std::size_t count = 1) {
  const auto closed = [&] {
    const auto list = smileys(w, who, peer, shortcut);
    return static_cast<std::size_t>(std::count_if(
        list.begin(), list.end(), [](const CustomSmileySeen* s) { return s->closed; }));
  };
  if (!w.wait(
          std::string(who) + " gets the custom smiley " + shortcut,
          [&] { return closed() >= count; },
          [&] { return std::to_string(closed()) + " closed of " + std::to_string(count); },
          milliseconds(15000)))
    return {};
  return smileys(w, who, peer, shortcut).back()->data;
}

// How often the plugins started fetching an MSN object (their debug lines say so).
std::size_t object_fetches() {
  return static_cast<std::size_t>(std::count_if(
      plugin_debug_lines().begin(), plugin_debug_lines().end(), [](const std::string& line) {
        return line.find("objects: fetching ") != std::string::npos;
      }));
}

// A small PNG-looking image, more than one P2P chunk long.
std::string fake_png(char seed, std::size_t size) {
  std::string data = "\x89PNG\r\n\x1a\n";
  for (std::size_t i = data.size(); i < size; ++i)
    data.push_back(static_cast<char>(seed + static_cast<char>(i * 17 % 241)));
  return data;
}

// A smiley in libpurple's store (shared by every account of the process, as in Pidgin).
void add_store_smiley(const std::string& shortcut, const std::string& data) {
  // The store takes the image (and the image its g_malloc'ed buffer).
  void* copy = g_malloc(data.size());
  std::memcpy(copy, data.data(), data.size());
  purple_smiley_new(purple_imgstore_add(copy, data.size(), "smiley.png"), shortcut.c_str());
}

bool with_bot(World& w) {
  if (!w.sign_in("alice")) return false;
  w.add_buddy("alice", kBot, "Bots", "");
  return w.wait_status("alice", kBot, "available");
}

void emoticon_from_bot(World& w) {
  STEP(with_bot(w));
  STEP(w.send_im("alice", kBot, "emoticon"));
  STEP(w.wait_received("alice", kBot, 1));
  const std::string said = plain_text(w.received_from("alice", kBot).back()->html);
  w.note("the bot said: " + said);
  const std::string data = wait_smiley(w, "alice", kBot, "(bot)");
  STEP(w.check(!data.empty(), "the custom smiley (bot) got no data"));
  // The bot says the SHA1D of its image: the smiley has exactly those bytes.
  w.check(said == "Here is my emoticon (bot), SHA1D " + sha1d_of(data),
          "the smiley's bytes (" + std::to_string(data.size()) + ", SHA1D " + sha1d_of(data) +
              ") are not the bot's");
  w.check(data.rfind("\x89PNG", 0) == 0, "the bot's emoticon is not a PNG");
}

const std::string kAliceSmiley = fake_png('a', 2600);
const std::string kBobSmiley = fake_png('b', 900);

void emoticon_both_ways(World& w) {
  add_store_smiley(":alice:", kAliceSmiley);
  add_store_smiley(":bob:", kBobSmiley);
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.befriend("alice", "bob"));
  STEP(w.send_im("alice", "bob", "look :alice: here"));
  STEP(w.wait_received("bob", "alice", 1));
  const std::string at_bob = wait_smiley(w, "bob", address_of("alice"), ":alice:");
  w.check(at_bob == kAliceSmiley, "bob got " + std::to_string(at_bob.size()) +
                                      " bytes for :alice: (want " +
                                      std::to_string(kAliceSmiley.size()) + ")");
  w.check(smileys(w, "bob", address_of("alice"), ":bob:").empty(),
          "bob was given :bob:, which alice's message does not use");
  STEP(w.send_im("bob", "alice", ":bob: back"));
  STEP(w.wait_received("alice", "bob", 1));
  const std::string at_alice = wait_smiley(w, "alice", address_of("bob"), ":bob:");
  w.check(at_alice == kBobSmiley, "alice got " + std::to_string(at_alice.size()) +
                                      " bytes for :bob: (want " +
                                      std::to_string(kBobSmiley.size()) + ")");
}

// In a group chat everybody gets the announcement ahead of the text, and fetches the image
// from its creator.
void emoticon_in_chat(World& w) {
  add_store_smiley(":alice:", kAliceSmiley);
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.sign_in("carol"));
  STEP(w.befriend("alice", "bob") && w.befriend("alice", "carol"));
  STEP(start_chat(w, "alice", "bob"));
  STEP(w.wait(
      "alice has a chat open", [&] { return chat_of(w, "alice") != nullptr; },
      [&] { return describe_ui_events(w.account("alice")); }));
  serv_chat_invite(w.connection("alice"),
                   purple_conv_chat_get_id(purple_conversation_get_chat_data(chat_of(w, "alice"))),
                   "Join us", address_of("carol").c_str());
  STEP(wait_in_chat(w, "bob", {"alice", "carol"}) && wait_in_chat(w, "carol", {"alice", "bob"}));
  w.note("alice says \"look :alice: here\" in the chat");
  purple_conv_chat_send(purple_conversation_get_chat_data(chat_of(w, "alice")),
                        "look :alice: here");
  for (const char* who : {"bob", "carol"}) {
    STEP(w.wait_received(who, "alice", 1, kDefaultWait, PURPLE_CONV_TYPE_CHAT));
    const std::string chat = purple_conversation_get_name(chat_of(w, who));
    const std::string data = wait_smiley(w, who, chat, ":alice:");
    w.check(data == kAliceSmiley, std::string(who) + " got " + std::to_string(data.size()) +
                                      " bytes for :alice: in the chat (want " +
                                      std::to_string(kAliceSmiley.size()) + ")");
  }
}

void emoticon_cached(World& w) {
  const std::string image = fake_png('c', 1500);
  add_store_smiley(":cat:", image);
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.befriend("alice", "bob"));
  STEP(w.send_im("alice", "bob", "one :cat:"));
  STEP(w.wait_received("bob", "alice", 1));
  STEP(w.check(wait_smiley(w, "bob", address_of("alice"), ":cat:") == image,
               "bob did not get :cat: the first time"));
  const std::size_t fetches = object_fetches();
  w.check(fetches == 1, std::to_string(fetches) + " fetches for the first use (want 1)");
  STEP(w.send_im("alice", "bob", "two :cat:"));
  STEP(w.wait_received("bob", "alice", 2));
  STEP(w.check(wait_smiley(w, "bob", address_of("alice"), ":cat:", 2) == image,
               "bob did not get :cat: the second time"));
  w.run_for(milliseconds(500));  // a fetch would have started by now
  w.check(object_fetches() == fetches,
          "the second use fetched again: " + std::to_string(object_fetches() - fetches) +
              " more fetches");
}

void emoticon_bad_announcement(World& w) {
  STEP(with_bot(w));
  STEP(w.send_im("alice", kBot, "bad emoticon"));
  STEP(w.wait_received("alice", kBot, 1));
  const std::string said = plain_text(w.received_from("alice", kBot).back()->html);
  STEP(w.check(said == "Bad emoticons sent", "the bot said \"" + said + "\""));
  for (const std::string shortcut : {"garbage", "(w)", "(o)"})
    w.check(smileys(w, "alice", kBot, shortcut).empty(),
            "alice was given the unusable smiley " + shortcut);
  // (z) was announced properly but the bot declines its fetch: closed without data.
  const auto declined = smileys(w, "alice", kBot, "(z)");
  STEP(w.check(declined.size() == 1,
               "alice was given (z) " + std::to_string(declined.size()) + " times (want 1)"));
  STEP(w.wait(
      "the declined smiley is given up", [&] { return declined.front()->closed; },
      [] { return std::string("still open"); }, milliseconds(10000)));
  w.check(declined.front()->data.empty(), "the declined smiley got data");
  STEP(w.send_im("alice", kBot, "still here"));
  STEP(w.wait_received("alice", kBot, 2));
  const std::string echo = plain_text(w.received_from("alice", kBot).back()->html);
  w.check(echo == "You said: still here", "the bot said \"" + echo + "\" after the bad ones");
}

}  // namespace

std::vector<IntegrationScenario> emoticon_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("emoticon-from-bot", emoticon_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("emoticon-both-ways", emoticon_both_ways));
  list.push_back(make_scenario("emoticon-cached", emoticon_cached));
  list.push_back(
      make_scenario("emoticon-in-chat", emoticon_in_chat, {}, {"alice", "bob", "carol"}));
  list.push_back(make_scenario("emoticon-bad-announcement", emoticon_bad_announcement,
                               {"--bot", kBot}, {"alice"}));
  return list;
}

}  // namespace harness
