// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui_events.h"

#include <signals.h>

#include <cstdio>
#include <string>

namespace harness {
namespace {

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

std::string account_name(PurpleAccount* account) {
  return account != nullptr ? text_or_empty(purple_account_get_username(account)) : "?";
}

// ---- conversations: every written line, whichever window it would go to ----

void write_conv(PurpleConversation* conv, const char* name, const char*, const char* message,
                PurpleMessageFlags flags, time_t mtime) {
  WrittenLine line;
  line.account = purple_conversation_get_account(conv);
  line.type = purple_conversation_get_type(conv);
  line.conversation = text_or_empty(purple_conversation_get_name(conv));
  line.who = text_or_empty(name);
  line.html = text_or_empty(message);
  line.flags = flags;
  line.mtime = mtime;
  // Long bursts would flood the log: the first 200 characters say enough.
  std::fprintf(stderr, "harness: [%s] %s %s <%s> flags 0x%x: %.200s\n",
               account_name(line.account).c_str(),
               line.type == PURPLE_CONV_TYPE_CHAT ? "chat" : "im", line.conversation.c_str(),
               line.who.c_str(), static_cast<unsigned>(flags), line.html.c_str());
  ui_events().lines.push_back(std::move(line));
}

void chat_add_users(PurpleConversation* conv, GList* buddies, gboolean new_arrivals) {
  if (!new_arrivals)
    ui_events().chat_listings.push_back(ChatListingSeen{
        purple_conversation_get_account(conv), text_or_empty(purple_conversation_get_name(conv)),
        static_cast<std::size_t>(g_list_length(buddies))});
  for (GList* item = buddies; item != nullptr; item = item->next) {
    auto* buddy = static_cast<PurpleConvChatBuddy*>(item->data);
    std::fprintf(stderr, "harness: [%s] chat %s: %s joined\n",
                 account_name(purple_conversation_get_account(conv)).c_str(),
                 text_or_empty(purple_conversation_get_name(conv)).c_str(),
                 text_or_empty(purple_conv_chat_cb_get_name(buddy)).c_str());
  }
}

void chat_remove_users(PurpleConversation* conv, GList* users) {
  for (GList* item = users; item != nullptr; item = item->next)
    std::fprintf(stderr, "harness: [%s] chat %s: %s left\n",
                 account_name(purple_conversation_get_account(conv)).c_str(),
                 text_or_empty(purple_conversation_get_name(conv)).c_str(),
                 static_cast<const char*>(item->data));
}

void destroy_conversation(PurpleConversation* conv) {
  for (ChatJoinedSeen& chat : ui_events().chats_joined) {
    if (chat.conversation == conv)
      chat.conversation = nullptr;
  }
}

// ---- custom smileys: recorded per conversation and shortcut, the latest one open ----

CustomSmileySeen* open_smiley(PurpleConversation* conv, const char* smile) {
  auto& list = ui_events().smileys;
  for (auto it = list.rbegin(); it != list.rend(); ++it) {
    if (!it->closed && it->account == purple_conversation_get_account(conv) &&
        it->conversation == text_or_empty(purple_conversation_get_name(conv)) &&
        it->shortcut == text_or_empty(smile))
      return &*it;
  }
  return nullptr;
}

// TRUE: the UI wants the data, always (the plugin's cache is what the scenarios look at).
gboolean custom_smiley_add(PurpleConversation* conv, const char* smile, gboolean remote) {
  CustomSmileySeen seen;
  seen.account = purple_conversation_get_account(conv);
  seen.conversation = text_or_empty(purple_conversation_get_name(conv));
  seen.shortcut = text_or_empty(smile);
  std::fprintf(stderr, "harness: [%s] custom smiley %s in %s (remote: %s)\n",
               account_name(seen.account).c_str(), seen.shortcut.c_str(), seen.conversation.c_str(),
               remote ? "yes" : "no");
  ui_events().smileys.push_back(std::move(seen));
  return TRUE;
}

void custom_smiley_write(PurpleConversation* conv, const char* smile, const guchar* data,
                         gsize size) {
  if (CustomSmileySeen* seen = open_smiley(conv, smile))
    seen->data.append(reinterpret_cast<const char*>(data), size);
}

void custom_smiley_close(PurpleConversation* conv, const char* smile) {
  if (CustomSmileySeen* seen = open_smiley(conv, smile)) {
    seen->closed = true;
    std::fprintf(stderr, "harness: [%s] custom smiley %s closed with %zu bytes\n",
                 account_name(seen->account).c_str(), seen->shortcut.c_str(), seen->data.size());
  }
}

PurpleConversationUiOps make_conversation_ops() {
  PurpleConversationUiOps ops{};
  ops.destroy_conversation = destroy_conversation;
  ops.write_conv = write_conv;
  ops.chat_add_users = chat_add_users;
  ops.chat_remove_users = chat_remove_users;
  ops.custom_smiley_add = custom_smiley_add;
  ops.custom_smiley_write = custom_smiley_write;
  ops.custom_smiley_close = custom_smiley_close;
  return ops;
}
PurpleConversationUiOps g_conversation_ops = make_conversation_ops();

// ---- accounts: authorization requests wait for the scenario's answer ----

void* request_authorize(PurpleAccount* account, const char* remote_user, const char*,
                        const char* alias, const char* message, gboolean on_list,
                        PurpleAccountRequestAuthorizationCb authorize_cb,
                        PurpleAccountRequestAuthorizationCb deny_cb, void* user_data) {
  auto request = std::make_unique<AuthorizationRequest>();
  request->account = account;
  request->remote_user = text_or_empty(remote_user);
  request->alias = text_or_empty(alias);
  request->message = text_or_empty(message);
  request->on_list = on_list != FALSE;
  request->authorize = authorize_cb;
  request->deny = deny_cb;
  request->user_data = user_data;
  std::fprintf(stderr, "harness: [%s] authorization request from %s (alias \"%s\", message "
               "\"%s\", on list: %s)\n", account_name(account).c_str(),
               request->remote_user.c_str(), request->alias.c_str(), request->message.c_str(),
               on_list ? "yes" : "no");
  AuthorizationRequest* handle = request.get();
  // The recorder owns every request until the process ends, so a handle libpurple holds can
  // never dangle.
  ui_events().authorizations.push_back(std::move(request));
  return handle;
}

void close_account_request(void* ui_handle) {
  auto* request = static_cast<AuthorizationRequest*>(ui_handle);
  std::fprintf(stderr, "harness: [%s] authorization request from %s withdrawn\n",
               account_name(request->account).c_str(), request->remote_user.c_str());
  request->closed = true;
}

void request_add(PurpleAccount* account, const char* remote_user, const char*, const char* alias,
                 const char* message) {
  std::fprintf(stderr, "harness: [%s] %s added us (alias \"%s\")\n", account_name(account).c_str(),
               text_or_empty(remote_user).c_str(), text_or_empty(alias).c_str());
  ui_events().add_requests.push_back(
      {account, text_or_empty(remote_user), text_or_empty(alias), text_or_empty(message)});
}

void notify_added(PurpleAccount* account, const char* remote_user, const char* id,
                  const char* alias, const char* message) {
  request_add(account, remote_user, id, alias, message);
}

PurpleAccountUiOps make_account_ops() {
  PurpleAccountUiOps ops{};
  ops.notify_added = notify_added;
  ops.request_add = request_add;
  ops.request_authorize = request_authorize;
  ops.close_account_request = close_account_request;
  return ops;
}
PurpleAccountUiOps g_account_ops = make_account_ops();

// ---- conversation signals ----

void buddy_typing(PurpleAccount* account, const char* name, gpointer) {
  std::fprintf(stderr, "harness: [%s] %s is typing\n", account_name(account).c_str(),
               text_or_empty(name).c_str());
  ui_events().typing.push_back({account, text_or_empty(name), true});
}

void buddy_typing_stopped(PurpleAccount* account, const char* name, gpointer) {
  ui_events().typing.push_back({account, text_or_empty(name), false});
}

void got_attention(PurpleAccount* account, const char* who, PurpleConversation*, guint type,
                   gpointer) {
  std::fprintf(stderr, "harness: [%s] attention (type %u) from %s\n",
               account_name(account).c_str(), type, text_or_empty(who).c_str());
  ui_events().attention.push_back({account, text_or_empty(who)});
}

void chat_joined(PurpleConversation* conv, gpointer) {
  PurpleConvChat* chat = purple_conversation_get_chat_data(conv);
  ChatJoinedSeen seen;
  seen.account = purple_conversation_get_account(conv);
  seen.conversation = conv;
  seen.name = text_or_empty(purple_conversation_get_name(conv));
  seen.id = chat != nullptr ? purple_conv_chat_get_id(chat) : 0;
  std::fprintf(stderr, "harness: [%s] joined chat %s (id %d)\n",
               account_name(seen.account).c_str(), seen.name.c_str(), seen.id);
  ui_events().chats_joined.push_back(std::move(seen));
}

// A person who accepts every chat invitation (returning 1 accepts it without a prompt).
gint chat_invited(PurpleAccount* account, const char* inviter, const char* chat, const char*,
                  GHashTable*, gpointer) {
  std::string text = account_name(account) + ": " + text_or_empty(inviter) + " invited to " +
                     text_or_empty(chat);
  std::fprintf(stderr, "harness: %s (accepting)\n", text.c_str());
  ui_events().chat_invitations.push_back(std::move(text));
  return 1;
}

PurpleCallback as_callback(auto function) { return reinterpret_cast<PurpleCallback>(function); }

}  // namespace

UiEvents& ui_events() {
  static UiEvents events;
  return events;
}

void install_ui_event_ops() {
  purple_conversations_set_ui_ops(&g_conversation_ops);
  purple_accounts_set_ui_ops(&g_account_ops);
}

void connect_ui_event_signals(void* handle) {
  void* conversations = purple_conversations_get_handle();
  purple_signal_connect(conversations, "buddy-typing", handle, as_callback(&buddy_typing),
                        nullptr);
  purple_signal_connect(conversations, "buddy-typing-stopped", handle,
                        as_callback(&buddy_typing_stopped), nullptr);
  purple_signal_connect(conversations, "got-attention", handle, as_callback(&got_attention),
                        nullptr);
  purple_signal_connect(conversations, "chat-joined", handle, as_callback(&chat_joined), nullptr);
  purple_signal_connect(conversations, "chat-invited", handle, as_callback(&chat_invited),
                        nullptr);
}

void record_notification(PurpleNotifyMsgType type, const char* title, const char* primary,
                         const char* secondary) {
  ui_events().notifications.push_back(
      {type, text_or_empty(title), text_or_empty(primary), text_or_empty(secondary)});
}

bool answer_authorization(AuthorizationRequest& request, bool accept) {
  if (request.answered || request.closed)
    return false;
  request.answered = true;
  PurpleAccountRequestAuthorizationCb callback = accept ? request.authorize : request.deny;
  std::fprintf(stderr, "harness: [%s] %s %s\n", account_name(request.account).c_str(),
               accept ? "authorizing" : "denying", request.remote_user.c_str());
  if (callback != nullptr)
    callback(request.user_data);
  return true;
}

std::string describe_ui_events(PurpleAccount* account) {
  const UiEvents& events = ui_events();
  std::string text;
  int lines = 0;
  for (const WrittenLine& line : events.lines) {
    if (line.account != account)
      continue;
    if (++lines > 8)
      continue;  // counted below, not listed
    text += "  line in " + line.conversation + " from <" + line.who + ">: " +
            line.html.substr(0, 120) + "\n";
  }
  if (lines > 8)
    text += "  (" + std::to_string(lines) + " lines in all)\n";
  for (const TypingSeen& typing : events.typing) {
    if (typing.account == account)
      text += "  typing " + std::string(typing.typing ? "started" : "stopped") + ": " +
              typing.who + "\n";
  }
  for (const AttentionSeen& attention : events.attention) {
    if (attention.account == account)
      text += "  attention from " + attention.who + "\n";
  }
  for (const auto& request : events.authorizations) {
    if (request->account == account)
      text += "  authorization request from " + request->remote_user + "\n";
  }
  for (const ChatJoinedSeen& chat : events.chats_joined) {
    if (chat.account == account)
      text += "  joined chat " + chat.name + "\n";
  }
  for (const NotificationSeen& note : events.notifications)
    text += "  notification: " + note.title + " | " + note.primary + " | " + note.secondary + "\n";
  return text.empty() ? "  (nothing)\n" : text;
}

}  // namespace harness
