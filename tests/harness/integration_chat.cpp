// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios of conversations: formatting, typing, nudges, long messages, bursts,
// offline messages, the bot and group chats, each checked in the conversation windows.
#include <prpl.h>
#include <server.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "integration.h"

namespace harness {
namespace {

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

// ---- conversations ----

const WrittenLine* last_from(World& w, std::string_view who, std::string_view peer) {
  auto lines = w.received_from(who, peer);
  return lines.empty() ? nullptr : lines.back();
}

void check_formatting(World& w, const WrittenLine& line, const std::string& text,
                      const std::vector<std::string>& markers) {
  w.check(plain_text(line.html) == text,
          "received text \"" + plain_text(line.html) + "\", sent \"" + text + "\"");
  for (const std::string& marker : markers)
    w.check(contains_ci(line.html, marker), "the received HTML lacks " + marker + ": " + line.html);
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
        return "typing state " + std::to_string(purple_conv_im_get_typing_state(bob_side)) + "\n" +
               describe_ui_events(w.account("bob"));
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
            if (a.account == w.account(to) && lower_ascii(a.who) == address_of(from)) return true;
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
  STEP(w.wait_friendly_name("alice", "bob", name));
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
  while (g_utf8_strlen(text.c_str(), -1) < characters) text += pattern;
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
  for (const WrittenLine* line : lines) joined += plain_text(line->html);
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
  for (int i = 1; i <= count; ++i) STEP(w.send_im("alice", "bob", burst_text(i)));
  int refused = 0;
  std::string first_refusal;
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account("alice") && (line.flags & PURPLE_MESSAGE_ERROR) != 0 &&
        refused++ == 0)
      first_refusal = line.html;
  }
  if (refused > 0)
    w.fail("alice was shown " + std::to_string(refused) +
           " send errors, the first: " + first_refusal);
  // Refused messages cannot arrive; waiting for the others is enough to show what did.
  const bool all_arrived =
      w.wait_received("bob", "alice", static_cast<std::size_t>(count - refused), timeout) &&
      refused == 0;
  STEP(all_arrived);
  w.run_for(milliseconds(700));  // duplicates that are still on their way
  std::vector<std::string> got;
  for (const WrittenLine* line : w.received_from("bob", "alice"))
    got.push_back(plain_text(line->html));
  std::map<std::string, int> seen;
  for (const std::string& text : got) ++seen[text];
  int missing = 0, duplicated = 0;
  for (int i = 1; i <= count; ++i) {
    int n = seen.count(burst_text(i)) ? seen[burst_text(i)] : 0;
    missing += n == 0;
    duplicated += n > 1;
  }
  w.check(missing == 0,
          std::to_string(missing) + " of " + std::to_string(count) + " messages never arrived");
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

}  // namespace

// ---- group chat ----

namespace {

PurpleMenuAction* find_chat_action(GList* menu) {
  for (GList* item = menu; item != nullptr; item = item->next) {
    auto* action = static_cast<PurpleMenuAction*>(item->data);
    if (action != nullptr && action->label != nullptr && contains_ci(action->label, "chat"))
      return action;
  }
  return nullptr;
}

std::set<std::string> chat_users(PurpleConversation* conv) {
  std::set<std::string> users;
  if (conv == nullptr) return users;
  for (GList* item = purple_conv_chat_get_users(purple_conversation_get_chat_data(conv));
       item != nullptr; item = item->next)
    users.insert(lower_ascii(text_or_empty(
        purple_conv_chat_cb_get_name(static_cast<PurpleConvChatBuddy*>(item->data)))));
  return users;
}

}  // namespace

// "Initiate Chat" from the buddy's context menu, as in Pidgin.
bool start_chat(World& w, std::string_view who, std::string_view with) {
  PurpleConnection* gc = w.connection(who);
  PurplePluginProtocolInfo* prpl = PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(gc));
  PurpleBuddy* buddy = purple_find_buddy(w.account(who), address_of(with).c_str());
  if (buddy == nullptr) return w.fail(address_of(who) + " has no buddy " + address_of(with));
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
  g_list_free_full(menu,
                   [](gpointer a) { purple_menu_action_free(static_cast<PurpleMenuAction*>(a)); });
  return ok || w.fail("the buddy menu has no action to start a chat");
}

PurpleConversation* chat_of(World& w, std::string_view who) {
  for (const ChatJoinedSeen& chat : ui_events().chats_joined) {
    if (chat.account == w.account(who) && chat.conversation != nullptr) return chat.conversation;
  }
  return nullptr;
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
        for (const std::string& user : chat_users(chat_of(w, who))) text += " " + user;
        return text + "\n" + describe_ui_events(w.account(who));
      });
}

namespace {

void chat_three(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.sign_in("carol"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.befriend("alice", "carol"));
  STEP(start_chat(w, "alice", "bob"));
  STEP(w.wait(
      "alice has a chat open", [&] { return chat_of(w, "alice") != nullptr; },
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
      if (to == from) continue;
      STEP(w.wait_received(to, from, 1, kDefaultWait, PURPLE_CONV_TYPE_CHAT));
      const WrittenLine* line = w.received_from(to, from, PURPLE_CONV_TYPE_CHAT).back();
      w.check(plain_text(line->html) == text,
              address_of(to) + " got \"" + line->html + "\" from " + from);
    }
  }
}

// ---- the table ----

}  // namespace

std::vector<IntegrationScenario> conversation_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("im-pending-at-sign-out", im_pending_at_sign_out));
  list.push_back(make_scenario("im-formatting", im_formatting));
  list.push_back(make_scenario("im-typing", im_typing));
  list.push_back(make_scenario("im-nudge", im_nudge));
  list.push_back(make_scenario("im-nudge-html-name", im_nudge_html_name));
  list.push_back(make_scenario("im-long-message", im_long_message));
  list.push_back(make_scenario("im-burst-1000", im_burst));
  list.push_back(make_scenario("im-burst-sb-closes", im_burst_switchboard_closes,
                               {"--fault", "sb-close-after:100"}));
  list.push_back(make_scenario("oim-offline-delivery", oim_offline_delivery));
  list.push_back(make_scenario("bot-echo", bot_echo, {"--bot", "echo@example.com"}, {"alice"}));
  list.push_back(make_scenario("chat-three", chat_three, {}, {"alice", "bob", "carol"}));
  return list;
}

}  // namespace harness
