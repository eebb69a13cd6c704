// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui_paths.h"

#include <accountopt.h>
#include <cmds.h>
#include <connection.h>
#include <prpl.h>
#include <savedstatuses.h>
#include <server.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>

#include "ui_requests.h"

namespace harness {
namespace {

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

PurplePluginProtocolInfo* prpl_of(World& w, std::string_view who) {
  return PURPLE_PLUGIN_PROTOCOL_INFO(purple_connection_get_prpl(w.connection(who)));
}

const WrittenLine* last_received(World& w, std::string_view who, std::string_view peer) {
  auto lines = w.received_from(who, peer);
  return lines.empty() ? nullptr : lines.back();
}

// ---- formatting from the conversation window ----

// What Pidgin's conversation window reads to enable its formatting toolbar (gtkconv.c
// gray_stuff_out): the conversation's features, copied from the connection's flags.
bool formatting_offered(World& w, PurpleConversation* conv) {
  const auto features = static_cast<unsigned>(purple_conversation_get_features(conv));
  std::string missing;
  if ((features & PURPLE_CONNECTION_HTML) == 0)
    missing += " HTML (bold, italic, underline, strike, font and colour are greyed out)";
  if ((features & PURPLE_CONNECTION_NO_BGCOLOR) == 0)
    missing += " NO_BGCOLOR (a background colour MSN cannot send is offered)";
  if ((features & PURPLE_CONNECTION_NO_FONTSIZE) == 0)
    missing += " NO_FONTSIZE (font sizes MSN cannot send are offered)";
  return missing.empty() || w.fail("the conversation window's features lack" + missing);
}

void ui_formatting(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(formatting_offered(w, w.im("alice", "bob")));
  // As gtkimhtml writes the toolbar's bold, italic, underline, strikethrough, face and colour.
  const std::string text = "Grüße — formatted 🎉";
  STEP(w.send_im("alice", "bob",
                 "<font face=\"Courier New\"><font color=\"#ff0000\"><b><i><u><s>" + text +
                     "</s></u></i></b></font></font>"));
  STEP(w.wait_received("bob", "alice", 1));
  const WrittenLine* line = last_received(w, "bob", "alice");
  w.check(plain_text(line->html) == text, "bob read \"" + plain_text(line->html) + "\"");
  for (const char* marker : {"<b>", "<i>", "<u>", "<s>", "courier new", "ff0000"})
    w.check(contains_ci(line->html, marker),
            std::string("bob's copy lacks ") + marker + ": " + line->html);
  // The style attribute form (pasted rich text, other UIs).
  const std::string styled = "styled text";
  STEP(w.send_im("alice", "bob",
                 "<span style=\"font-weight: bold; font-style: italic; color: #0000ff;\">" +
                     styled + "</span>"));
  STEP(w.wait_received("bob", "alice", 2));
  line = last_received(w, "bob", "alice");
  w.check(plain_text(line->html) == styled, "bob read \"" + plain_text(line->html) + "\"");
  for (const char* marker : {"<b>", "<i>", "0000ff"})
    w.check(contains_ci(line->html, marker),
            std::string("bob's copy of the styled text lacks ") + marker + ": " + line->html);
  // With HTML on, libpurple turns typed addresses into links before sending: the link text
  // arrives once, not followed by the same URL again.
  STEP(w.send_im("alice", "bob", "see http://example.com/page"));
  STEP(w.wait_received("bob", "alice", 3));
  line = last_received(w, "bob", "alice");
  w.check(plain_text(line->html) == "see http://example.com/page",
          "the linkified message arrived as \"" + plain_text(line->html) + "\"");
}

// ---- saved statuses (Pidgin's status box, Finch's status selector, auto-away) ----

void activate_saved(World& w, PurpleStatusPrimitive primitive, const std::string& message) {
  w.note(std::string("everyone picks the saved status \"") +
         purple_primitive_get_name_from_type(primitive) + "\" \"" + message + "\"");
  // A transient saved status, as Pidgin's status box makes for a primitive and a message.
  PurpleSavedStatus* saved = purple_savedstatus_find_transient_by_type_and_message(
      primitive, message.empty() ? nullptr : message.c_str());
  if (saved == nullptr) {
    saved = purple_savedstatus_new(nullptr, primitive);
    purple_savedstatus_set_message(saved, message.empty() ? nullptr : message.c_str());
  }
  purple_savedstatus_activate(saved);
}

void ui_saved_status(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const struct {
    PurpleStatusPrimitive primitive;
    const char* status_id;
    const char* message;
  } kChoices[] = {
      {PURPLE_STATUS_AWAY, "away", "out for a walk"},
      {PURPLE_STATUS_UNAVAILABLE, "busy", "do not disturb ✋"},
      {PURPLE_STATUS_AVAILABLE, "available", "back again"},
  };
  for (const auto& choice : kChoices) {
    activate_saved(w, choice.primitive, choice.message);
    STEP(w.wait_status("bob", "alice", choice.status_id, std::string(choice.message)));
    PurpleStatus* own = purple_account_get_active_status(w.account("alice"));
    w.check(std::strcmp(purple_status_get_id(own), choice.status_id) == 0,
            std::string("alice's own status is \"") + purple_status_get_id(own) + "\", not \"" +
                choice.status_id + "\"");
  }
  activate_saved(w, PURPLE_STATUS_INVISIBLE, "");
  STEP(w.wait_offline("bob", "alice"));
  STEP(
      w.check(purple_account_is_connected(w.account("alice")), "alice signed out going invisible"));
  activate_saved(w, PURPLE_STATUS_AVAILABLE, "visible");
  STEP(w.wait_status("bob", "alice", "available", std::string("visible")));
}

// ---- account actions ----

PurplePluginAction* find_action(GList* actions, const std::string& label) {
  for (GList* item = actions; item != nullptr; item = item->next) {
    auto* action = static_cast<PurplePluginAction*>(item->data);
    if (action != nullptr && text_or_empty(action->label) == label) return action;
  }
  return nullptr;
}

// Picks an item of the account's menu as Pidgin and Finch build it (the plugin's actions with
// the connection as context), then answers the input dialog it opens with `text`.
bool run_account_action(World& w, std::string_view who, const std::string& label,
                        const std::string& expected_default, const std::string& text) {
  PurplePlugin* prpl = purple_connection_get_prpl(w.connection(who));
  if (prpl->info->actions == nullptr)
    return w.fail("the plugin has no account actions (Pidgin: \"No actions available\")");
  GList* actions = prpl->info->actions(prpl, w.connection(who));
  PurplePluginAction* action = find_action(actions, label);
  std::string labels;
  for (GList* item = actions; item != nullptr; item = item->next)
    labels += " \"" + text_or_empty(static_cast<PurplePluginAction*>(item->data)->label) + "\"";
  bool ok = action != nullptr;
  const std::size_t inputs_before = ui_requests().inputs.size();
  if (ok) {
    w.note(address_of(who) + " picks \"" + label + "\"");
    action->plugin = prpl;
    action->context = w.connection(who);
    action->callback(action);
  }
  g_list_free_full(
      actions, [](gpointer a) { purple_plugin_action_free(static_cast<PurplePluginAction*>(a)); });
  if (!ok) return w.fail("the account menu has no \"" + label + "\"; it has:" + labels);
  if (ui_requests().inputs.size() != inputs_before + 1)
    return w.fail("\"" + label + "\" opened no input dialog");
  InputRequest& request = *ui_requests().inputs.back();
  w.check(request.default_value == expected_default, "the dialog is prefilled with \"" +
                                                         request.default_value + "\", not \"" +
                                                         expected_default + "\"");
  w.run_for(milliseconds(50));  // a person types
  return w.check(answer_input(request, text), "the input dialog was closed before the answer");
}

void ui_account_actions(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string before =
      text_or_empty(purple_connection_get_display_name(w.connection("alice")));
  const std::string name = "Alice ✿ <Wonderland> & Co";
  STEP(run_account_action(w, "alice", "Set Friendly Name...", before, name));
  STEP(w.wait_friendly_name("bob", "alice", name));
  STEP(w.wait_server("alice's display name", [&](const ServerState& s) {
    return s.account("alice@example.com")->display_name == name;
  }));
  const std::string message = "Reading <books> & drinking tea";
  STEP(run_account_action(w, "alice", "Set Personal Message...", "", message));
  STEP(w.wait_personal_message("bob", "alice", message));
  // The next sign-in: the name is the server's, for alice and for bob.
  STEP(w.sign_out("alice"));
  STEP(w.wait_offline("bob", "alice"));
  STEP(w.sign_in("alice"));
  STEP(w.wait_buddy(
      "bob", "alice",
      [&](const auto& views) {
        return !views.empty() && views[0].online && views[0].server_alias == name;
      },
      "online again and still named \"" + name + "\""));
  STEP(w.wait(
      "alice's own name after signing in again",
      [&] {
        return text_or_empty(purple_connection_get_display_name(w.connection("alice"))) == name;
      },
      [&] { return text_or_empty(purple_connection_get_display_name(w.connection("alice"))); }));
}

// ---- /nudge ----

void ui_nudge_command(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  PurpleConversation* conv = w.im("alice", "bob");
  GList* help = purple_cmd_help(conv, "nudge");
  const std::string help_text = help != nullptr ? static_cast<const char*>(help->data) : "";
  g_list_free(help);
  w.check(contains_ci(help_text, "nudge"), "/help nudge says \"" + help_text + "\"");
  gchar* error = nullptr;
  w.note("alice types /nudge");
  // What the conversation window does with a line starting with "/".
  const PurpleCmdStatus status = purple_cmd_do_command(conv, "nudge", "nudge", &error);
  const std::string error_text = text_or_empty(error);
  g_free(error);
  STEP(w.check(status == PURPLE_CMD_STATUS_OK, "/nudge was not run as a command (status " +
                                                   std::to_string(static_cast<int>(status)) + ") " +
                                                   error_text));
  STEP(w.wait(
      "bob gets alice's nudge",
      [&] {
        for (const AttentionSeen& a : ui_events().attention) {
          if (a.account == w.account("bob") && lower_ascii(a.who) == address_of("alice"))
            return true;
        }
        return false;
      },
      [&] { return "\n" + describe_ui_events(w.account("bob")); }));
  for (const WrittenLine* line : w.received_from("bob", "alice"))
    w.check(!contains_ci(line->html, "/nudge"), "bob got the text " + line->html);
}

// ---- authorization and the add-buddy dialog that follows it ----

AuthorizationRequest* pending_request(World& w, std::string_view who, std::string_view from) {
  for (auto& request : ui_events().authorizations) {
    if (request->account == w.account(who) &&
        lower_ascii(request->remote_user) == address_of(from) && !request->answered &&
        !request->closed)
      return request.get();
  }
  return nullptr;
}

// bob authorizes `from` and, as Pidgin does after "Authorize" when `from` is not on his list,
// adds them through the add-buddy dialog prefilled with the request's alias (OK pressed as is).
bool authorize_and_add(World& w, std::string_view from, const std::string& expected_alias) {
  AuthorizationRequest* request = nullptr;
  if (!w.wait(
          "bob is asked to authorize " + address_of(from),
          [&] { return (request = pending_request(w, "bob", from)) != nullptr; },
          [&] { return describe_ui_events(w.account("bob")); }))
    return false;
  w.check(request->alias == expected_alias,
          "the request shows the alias \"" + request->alias + "\" (Pidgin: \"" +
              request->remote_user + (request->alias.empty() ? "" : " (" + request->alias + ")") +
              " wants to add you\"); expected \"" + expected_alias + "\"");
  const std::string alias = request->alias;
  const bool on_list = request->on_list;
  w.run_for(milliseconds(50));
  if (!w.check(answer_authorization(*request, true), "the request was withdrawn")) return false;
  if (on_list) return w.fail("bob already has " + address_of(from) + " on his list");
  // Pidgin's add-buddy dialog fills the alias with the request's alias, or Finch's with the
  // address when there is none: both are what a user gets by pressing OK.
  const std::string dialog_alias = alias.empty() ? address_of(from) : alias;
  w.note("bob adds " + address_of(from) + " with the dialog's alias \"" + dialog_alias + "\"");
  PurpleBuddy* buddy =
      purple_buddy_new(w.account("bob"), address_of(from).c_str(), dialog_alias.c_str());
  PurpleGroup* group = purple_find_group("Friends");
  if (group == nullptr) {
    group = purple_group_new("Friends");
    purple_blist_add_group(group, nullptr);
  }
  purple_blist_add_buddy(buddy, nullptr, group, nullptr);
  purple_account_add_buddy_with_invite(w.account("bob"), buddy, nullptr);
  return true;
}

bool no_alias_hides_the_name(World& w, std::string_view from, const std::string& friendly) {
  if (!w.wait_buddy(
          "bob", from,
          [&](const auto& views) {
            return !views.empty() && views[0].online && views[0].alias.empty() &&
                   views[0].server_alias == friendly;
          },
          "online, without an alias of bob's, showing its own name \"" + friendly + "\""))
    return false;
  return w.wait_server(
      "bob's contact " + address_of(from) + " without a nickname", [&](const ServerState& s) {
        const ServerContact* c = s.account("bob@example.com")->contact(address_of(from));
        return c != nullptr && c->messenger && c->nickname.empty();
      });
}

void ui_authorize(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob") && w.sign_in("carol"));
  // Pidgin's Add Buddy dialog offers the invite message only with this option.
  STEP(w.check((prpl_of(w, "alice")->options & OPT_PROTO_INVITE_MESSAGE) != 0,
               "the protocol lacks OPT_PROTO_INVITE_MESSAGE: the invite field is greyed out"));
  const std::string alice_name = "Alice in Wonderland";
  purple_account_set_public_alias(w.account("alice"), alice_name.c_str(), nullptr, nullptr);
  STEP(w.wait_server("alice's display name", [&](const ServerState& s) {
    return s.account("alice@example.com")->display_name == alice_name;
  }));
  STEP(w.add_buddy("alice", "bob", "Friends", "It's Alice, from the tea party"));
  STEP(authorize_and_add(w, "alice", alice_name));
  const AuthorizationRequest* asked = nullptr;
  for (auto& request : ui_events().authorizations) {
    if (request->account == w.account("bob") &&
        lower_ascii(request->remote_user) == address_of("alice"))
      asked = request.get();
  }
  w.check(asked != nullptr && asked->message == "It's Alice, from the tea party",
          "the invite message did not reach bob's request");
  STEP(no_alias_hides_the_name(w, "alice", alice_name));
  // carol never set a friendly name: the server names her by her address.
  STEP(w.add_buddy("carol", "bob", "Friends", ""));
  STEP(authorize_and_add(w, "carol", ""));
  STEP(no_alias_hides_the_name(w, "carol", address_of("carol")));
  // Renames reach bob: nothing of his own hides them.
  const std::string renamed = "Alice, later";
  purple_account_set_public_alias(w.account("alice"), renamed.c_str(), nullptr, nullptr);
  STEP(w.wait_friendly_name("bob", "alice", renamed));
  PurpleBuddy* buddy = purple_find_buddy(w.account("bob"), address_of("alice").c_str());
  w.check(buddy != nullptr && text_or_empty(purple_buddy_get_alias(buddy)) == renamed,
          "bob's buddy list shows alice as \"" +
              (buddy ? text_or_empty(purple_buddy_get_alias(buddy)) : std::string()) + "\"");
}

// ---- chats over a reconnect (and Finch's user listing) ----

PurpleConversation* open_chat_of(World& w, std::string_view who) {
  for (const ChatJoinedSeen& chat : ui_events().chats_joined) {
    if (chat.account == w.account(who) && chat.conversation != nullptr) return chat.conversation;
  }
  return nullptr;
}

// Finch prints "List of N users:" for every chat_add_users call that is not for new arrivals.
void check_listed_once(World& w, std::string_view who) {
  std::map<std::string, int> listings;
  for (const ChatListingSeen& seen : ui_events().chat_listings) {
    if (seen.account == w.account(who)) ++listings[seen.conversation];
  }
  for (const auto& [name, count] : listings)
    w.check(count == 1, address_of(who) + "'s chat \"" + name + "\" listed its users " +
                            std::to_string(count) + " times (Finch prints each listing)");
}

void ui_chat_rejoin(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  // Pidgin's "Join a Chat" dialog: the prpl's defaults, then serv_join_chat.
  PurpleConnection* gc = w.connection("alice");
  GHashTable* components = prpl_of(w, "alice")->chat_info_defaults(gc, address_of("bob").c_str());
  serv_join_chat(gc, components);
  g_hash_table_destroy(components);
  // bob was invited into a switchboard with one other person: for him that is an ordinary
  // conversation until a third joins, so only alice has a chat window.
  STEP(w.wait(
      "bob is in alice's chat",
      [&] {
        PurpleConversation* a = open_chat_of(w, "alice");
        return a != nullptr &&
               purple_conv_chat_find_user(PURPLE_CONV_CHAT(a), address_of("bob").c_str());
      },
      [&] { return describe_ui_events(w.account("alice")); }));
  w.run_for(milliseconds(300));
  check_listed_once(w, "alice");
  PurpleConversation* chat = open_chat_of(w, "alice");
  const std::string name = purple_conversation_get_name(chat);
  // The window stays open over a reconnect; Pidgin marks it to be rejoined.
  STEP(w.sign_out("alice"));
  STEP(w.sign_in("alice"));
  const std::size_t notes_before = ui_events().notifications.size();
  const std::size_t lines_before = ui_events().lines.size();
  w.note("alice's client rejoins the open chat \"" + name + "\"");
  gc = w.connection("alice");
  PurpleConversation* stale = purple_find_conversation_with_account(
      PURPLE_CONV_TYPE_CHAT, name.c_str(), w.account("alice"));
  STEP(w.check(stale != nullptr, "the chat window did not stay open"));
  // gtkconv.c account_signed_on_cb: no blist chat, so the defaults for the window's name.
  components = prpl_of(w, "alice")->chat_info_defaults(gc, name.c_str());
  serv_join_chat(gc, components);
  g_hash_table_destroy(components);
  w.run_for(milliseconds(500));
  for (std::size_t i = notes_before; i < ui_events().notifications.size(); ++i) {
    const NotificationSeen& n = ui_events().notifications[i];
    w.fail("rejoining showed a dialog: " + n.primary + " | " + n.secondary);
  }
  bool told = false;
  for (std::size_t i = lines_before; i < ui_events().lines.size(); ++i) {
    const WrittenLine& line = ui_events().lines[i];
    told = told || (line.account == w.account("alice") && line.conversation == name &&
                    (line.flags & PURPLE_MESSAGE_SYSTEM) != 0);
  }
  w.check(told, "the chat window does not say what became of the chat");
}

// ---- Get Info ----

std::string info_value(const UserInfoSeen& info, const std::string& label) {
  for (const auto& [l, v] : info.pairs) {
    if (l == label) return v;
  }
  return "(absent)";
}

void ui_get_info(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  const std::string name = "Bob <b>the</b> Builder & Co";
  purple_account_set_public_alias(w.account("bob"), name.c_str(), nullptr, nullptr);
  STEP(w.befriend("alice", "bob"));
  gchar* message = g_markup_escape_text("Can we fix it? <i>Yes</i> & we can", -1);
  purple_account_set_status(w.account("bob"), "busy", TRUE, "message", message, nullptr);
  g_free(message);
  // The personal message travels apart from the state (UUX, not CHG): wait for both. The
  // status attribute holds the peer's plain text, as the old MSN plugin kept it.
  STEP(w.wait_status("alice", "bob", "busy", "Can we fix it? <i>Yes</i> & we can"));
  STEP(w.wait_friendly_name("alice", "bob", name));
  STEP(w.check(prpl_of(w, "alice")->get_info != nullptr,
               "no get_info: Get Info is greyed out in Pidgin"));
  const std::size_t before = ui_requests().user_infos.size();
  w.note("alice picks Get Info on bob");
  serv_get_info(w.connection("alice"), address_of("bob").c_str());
  STEP(w.wait(
      "alice is shown bob's info", [&] { return ui_requests().user_infos.size() > before; },
      [] { return std::string("nothing shown"); }));
  const UserInfoSeen& info = ui_requests().user_infos.back();
  // The values are markup for the UI: the peer's text must be escaped, never raw HTML.
  const struct {
    const char* label;
    std::string value;
  } kExpected[] = {
      {"Friendly name", "Bob &lt;b&gt;the&lt;/b&gt; Builder &amp; Co"},
      {"Address", "bob@example.com"},
      {"Status", "Busy"},
      {"Personal message", "Can we fix it? &lt;i&gt;Yes&lt;/i&gt; &amp; we can"},
      {"Groups", "Friends"},
      {"On your contact list", "Yes"},
      {"May see you and message you", "Allowed"},
      {"Has you on their contact list", "Yes"},
  };
  for (const auto& expected : kExpected)
    w.check(info_value(info, expected.label) == expected.value,
            std::string(expected.label) + ": \"" + info_value(info, expected.label) +
                "\", expected \"" + expected.value + "\"");
  // bob's client is this plugin, which advertises MSNC8, ink in both formats and P2P (the
  // bit's wording is what the bit means for any client; capability_text_test covers the other
  // wordings).
  w.check(info_value(info, "Client") ==
              "Windows Live Messenger 8.5; handwriting (ink), file transfer and display pictures",
          "Client: \"" + info_value(info, "Client") + "\"");

  // carol is on alice's list, but alice is not on carol's (carol never adds her back).
  STEP(w.add_buddy("alice", "carol", "Friends", ""));
  STEP(w.wait_server("carol on alice's forward list", [](const ServerState& s) {
    const ServerAccount* a = s.account("alice@example.com");
    const ServerContact* c = a != nullptr ? a->contact("carol@example.com") : nullptr;
    return c != nullptr && c->messenger;
  }));
  const std::size_t before_carol = ui_requests().user_infos.size();
  w.note("alice picks Get Info on carol");
  serv_get_info(w.connection("alice"), address_of("carol").c_str());
  STEP(w.wait(
      "alice is shown carol's info", [&] { return ui_requests().user_infos.size() > before_carol; },
      [] { return std::string("nothing shown"); }));
  const UserInfoSeen& carol = ui_requests().user_infos.back();
  w.check(info_value(carol, "On your contact list") == "Yes",
          "On your contact list: \"" + info_value(carol, "On your contact list") + "\"");
  w.check(info_value(carol, "Has you on their contact list") == "No",
          "Has you on their contact list: \"" + info_value(carol, "Has you on their contact list") +
              "\"");
}

// ---- labels as Finch shows them ----

void ui_labels(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  PurplePluginProtocolInfo* prpl = prpl_of(w, "alice");
  // Finch shows mnemonics raw: a menu label with "_" reads "Initiate _Chat".
  PurpleBuddy* buddy = purple_find_buddy(w.account("alice"), address_of("bob").c_str());
  GList* menu = prpl->blist_node_menu(reinterpret_cast<PurpleBlistNode*>(buddy));
  for (GList* item = menu; item != nullptr; item = item->next) {
    const std::string label = text_or_empty(static_cast<PurpleMenuAction*>(item->data)->label);
    w.check(label.find('_') == std::string::npos, "the buddy menu has \"" + label + "\"");
  }
  g_list_free_full(menu,
                   [](gpointer a) { purple_menu_action_free(static_cast<PurpleMenuAction*>(a)); });
  // Finch's account editor puts each label in a fixed-width column before its field.
  for (GList* item = prpl->protocol_options; item != nullptr; item = item->next) {
    const std::string label = text_or_empty(
        purple_account_option_get_text(static_cast<PurpleAccountOption*>(item->data)));
    w.check(g_utf8_strlen(label.c_str(), -1) <= 20,
            "the account option \"" + label + "\" is too long for Finch's account editor");
  }
}

IntegrationScenario make(std::string name, void (*body)(World&),
                         std::vector<std::string> accounts = {"alice", "bob"}) {
  IntegrationScenario s;
  s.name = std::move(name);
  s.body = body;
  s.accounts = std::move(accounts);
  return s;
}

}  // namespace

std::vector<IntegrationScenario> ui_path_scenarios() {
  return {
      make("ui-formatting", ui_formatting),
      make("ui-saved-status", ui_saved_status),
      make("ui-account-actions", ui_account_actions),
      make("ui-nudge-command", ui_nudge_command),
      make("ui-authorize", ui_authorize, {"alice", "bob", "carol"}),
      make("ui-chat-rejoin", ui_chat_rejoin),
      make("ui-get-info", ui_get_info, {"alice", "bob", "carol"}),
      make("ui-labels", ui_labels),
  };
}

}  // namespace harness
