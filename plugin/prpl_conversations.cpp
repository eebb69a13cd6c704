// SPDX-License-Identifier: GPL-2.0-or-later
// Conversation callbacks: IMs, typing, nudges and group chats -> Client intents.
#include "prpl_callbacks.h"

#include <debug.h>
#include <prpl.h>
#include <server.h>

#include <cerrno>
#include <ctime>
#include <string>

#include "account.h"
#include "conversations_glue.h"
#include "error_text.h"
#include "i18n.h"
#include "model/contact.h"
#include "prpl_common.h"

namespace msn::plugin {
namespace {

// The chat_info field naming who a new group chat starts with.
constexpr const char* kChatContactKey = "contact";

// libpurple repeats PURPLE_TYPING this often while the user keeps typing (WLM sends its
// typing notice about every five seconds).
constexpr unsigned int kTypingRepeatSeconds = 5;

// The user's message quoted after an error line, as shown in the conversation.
std::string quoted(const char* html) {
  return std::string("<br>\u201c") + (html != nullptr ? html : "") + "\u201d";
}

// Why the engine refused a message at once. kLimit is either the message's size or the number
// of messages already waiting: the engine does not say which, so neither is claimed.
std::string refusal_reason(const Error& error) {
  if (error.code == Errc::kLimit)
    return _("The message is too long, or too many messages are waiting to be sent");
  return describe_reason(error);
}

// A message the engine refused at once, explained in the conversation with the message quoted.
// 0 tells libpurple that nothing was sent and there is nothing more to say (a negative value
// would add its own vaguer error line, and -E2BIG a wrong one when the queue is full).
int refused_im(Account& account, const std::string& who, const char* html, const Error& error) {
  purple_debug_warning("msnp", "message refused: %s\n", error.detail.c_str());
  const std::string name = escape_markup(display_name_of(account, who));
  const std::string reason = escape_markup(refusal_reason(error));
  write_im_error(account, who,
                 printf_string(_("Message could not be sent to %s: %s"), name.c_str(),
                               reason.c_str()) +
                     quoted(html));
  return 0;
}

const char* chat_contact(GHashTable* components) {
  if (components == nullptr)
    return nullptr;
  return static_cast<const char*>(g_hash_table_lookup(components, kChatContactKey));
}

}  // namespace

int prpl_send_im(PurpleConnection* gc, const char* who, const char* message,
                 PurpleMessageFlags) noexcept {
  return with_account_or<int>(gc, "send_im", -ENOTCONN, [&](Account& account) -> int {
    const std::string to = text_or_empty(who);
    const std::string html = text_or_empty(message);
    announce_own_emoticons(account, to, html);  // they must arrive before the message
    Result<ConversationId> sent = account.act([&](Client& client, TimePoint now) {
      return client.send_message(to, html, now);
    });
    if (sent.is_ok())
      return 1;
    return refused_im(account, to, message, sent.error());
  });
}

unsigned int prpl_send_typing(PurpleConnection* gc, const char* who,
                              PurpleTypingState state) noexcept {
  return with_account_or<unsigned int>(gc, "send_typing", 0u, [&](Account& account) {
    // MSN has only "is typing"; the peer clears it by itself after a pause.
    if (state != PURPLE_TYPING)
      return 0u;
    const std::string to = text_or_empty(who);
    Status status = account.act([&](Client& client, TimePoint now) {
      return client.send_typing(to, now);
    });
    if (!status.is_ok()) {
      purple_debug_info("msnp", "typing notice not sent: %s\n", status.error().detail.c_str());
      return 0u;
    }
    return kTypingRepeatSeconds;
  });
}

gboolean prpl_send_attention(PurpleConnection* gc, const char* who, guint) noexcept {
  return with_account_or<gboolean>(gc, "send_attention", FALSE,
                                   [&](Account& account) -> gboolean {
    const std::string to = text_or_empty(who);
    Status status = account.act([&](Client& client, TimePoint now) {
      return client.send_nudge(to, now);
    });
    if (status.is_ok())
      return TRUE;
    const std::string name = escape_markup(display_name_of(account, to));
    const std::string reason = escape_markup(describe_reason(status.error()));
    write_im_error(account, to,
                   printf_string(_("Could not nudge %s: %s"), name.c_str(), reason.c_str()));
    return FALSE;
  });
}

GList* prpl_get_attention_types(PurpleAccount*) noexcept {
  // libpurple never frees this list: one for the process, built on first use.
  static GList* types = nullptr;
  if (types == nullptr)
    // No "%s" in either text: libpurple would fill in the contact's alias unescaped. Received
    // nudges are shown by show_nudge (with the name, escaped) and never use the first.
    types = g_list_append(nullptr,
                          purple_attention_type_new("Nudge", _("Nudge"), _("You have been nudged!"),
                                                    _("Sending a nudge...")));
  return types;
}

void prpl_convo_closed(PurpleConnection* gc, const char* who) noexcept {
  with_account(gc, "convo_closed", [&](Account& account) {
    const std::string peer = text_or_empty(who);
    account.act([&](Client& client, TimePoint now) {
      client.close_conversation(peer, now);
      return 0;
    });
  });
}

GList* prpl_chat_info(PurpleConnection*) noexcept {
  return guard_callback_or<GList*>(nullptr, "chat_info", nullptr, [] {
    // libpurple frees each entry with g_free.
    auto* entry = g_new0(struct proto_chat_entry, 1);
    entry->label = _("_Contact to invite:");
    entry->identifier = kChatContactKey;
    entry->required = TRUE;
    return g_list_append(nullptr, entry);
  });
}

GHashTable* prpl_chat_info_defaults(PurpleConnection*, const char* chat_name) noexcept {
  return guard_callback_or<GHashTable*>(nullptr, "chat_info_defaults", nullptr, [chat_name] {
    GHashTable* defaults = g_hash_table_new_full(g_str_hash, g_str_equal, nullptr, g_free);
    if (chat_name != nullptr)
      g_hash_table_insert(defaults, const_cast<char*>(kChatContactKey), g_strdup(chat_name));
    return defaults;
  });
}

void prpl_join_chat(PurpleConnection* gc, GHashTable* components) noexcept {
  const char* contact = chat_contact(components);
  // After a reconnect the UIs rejoin the chat windows still open, by the window's name
  // ("MSN Chat 1", from chat_info_defaults): that names no one to invite, and the
  // switchboard behind the chat is gone. The window says so, instead of an error dialog.
  PurpleConversation* stale =
      contact != nullptr ? purple_find_conversation_with_account(PURPLE_CONV_TYPE_CHAT, contact,
                                                                 purple_connection_get_account(gc))
                         : nullptr;
  if (stale != nullptr && !is_valid_address(contact)) {
    // purple_conversation_write drops lines for a chat the connection has left (it is not in
    // gc->buddy_chats any more), so the line goes to the window through its UI ops.
    PurpleConversationUiOps* ops = purple_conversation_get_ui_ops(stale);
    if (ops != nullptr && ops->write_conv != nullptr)
      ops->write_conv(stale, nullptr, nullptr,
                      _("This chat ended when you were disconnected. To talk with its members "
                        "again, start a new chat from your buddy list."),
                      PURPLE_MESSAGE_SYSTEM, std::time(nullptr));
    return;
  }
  start_chat_with(gc, contact);
}

char* prpl_get_chat_name(GHashTable* components) noexcept {
  return g_strdup(chat_contact(components));
}

void start_chat_with(PurpleConnection* gc, const char* address) noexcept {
  with_account(gc, "start_chat", [&](Account& account) {
    const std::string invitee = text_or_empty(address);
    Result<ConversationId> chat = account.act([&](Client& client, TimePoint now) {
      return client.start_chat(invitee, now);
    });
    if (chat.is_ok()) {
      // The window opens now; the invitee appears when they join (ChatParticipantJoined).
      (void)open_chat(account, chat.value());
      return;
    }
    purple_debug_warning("msnp", "chat not started: %s\n", chat.error().detail.c_str());
    const std::string primary = printf_string(_("Could not start a chat with %s"), invitee.c_str());
    const std::string reason = describe_reason(chat.error());
    purple_notify_error(gc, _("MSN"), primary.c_str(), reason.c_str());
  });
}

void prpl_chat_invite(PurpleConnection* gc, int id, const char*, const char* who) noexcept {
  with_account(gc, "chat_invite", [&](Account& account) {
    std::optional<ConversationId> chat = account.chats().conversation(id);
    if (!chat)
      return;
    const std::string address = text_or_empty(who);
    Status status = account.act([&](Client& client, TimePoint now) {
      return client.chat_invite(*chat, address, now);
    });
    if (status.is_ok())
      return;
    const std::string name = escape_markup(display_name_of(account, address));
    const std::string reason = escape_markup(describe_reason(status.error()));
    write_chat_error(account, id,
                     printf_string(_("%s could not be invited to the chat: %s"), name.c_str(),
                                   reason.c_str()));
  });
}

void prpl_chat_leave(PurpleConnection* gc, int id) noexcept {
  with_account(gc, "chat_leave", [&](Account& account) {
    std::optional<ConversationId> chat = account.chats().conversation(id);
    account.chats().close(id);
    if (!chat)
      return;
    account.act([&](Client& client, TimePoint now) {
      client.chat_leave(*chat, now);
      return 0;
    });
  });
}

int prpl_chat_send(PurpleConnection* gc, int id, const char* message,
                   PurpleMessageFlags) noexcept {
  return with_account_or<int>(gc, "chat_send", -ENOTCONN, [&](Account& account) -> int {
    std::optional<ConversationId> chat = account.chats().conversation(id);
    if (!chat)
      return -ENOTCONN;
    const std::string html = text_or_empty(message);
    announce_own_emoticons_in_chat(account, *chat, html);  // ahead of the message, as in 1:1
    Status status = account.act([&](Client& client, TimePoint now) {
      return client.chat_send(*chat, html, now);
    });
    if (status.is_ok()) {
      // libpurple does not echo what we say in a chat: the prpl shows it.
      serv_got_chat_in(gc, id, purple_account_get_username(account.purple_account()),
                       PURPLE_MESSAGE_SEND, html.c_str(), std::time(nullptr));
      return 0;
    }
    purple_debug_warning("msnp", "chat message refused: %s\n", status.error().detail.c_str());
    const std::string reason = escape_markup(refusal_reason(status.error()));
    write_chat_error(account, id,
                     printf_string(_("Message could not be delivered to the chat: %s"),
                                   reason.c_str()) +
                         quoted(message));
    return 0;
  });
}

}  // namespace msn::plugin
