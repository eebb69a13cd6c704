// SPDX-License-Identifier: GPL-2.0-or-later
#include "conversations_glue.h"

#include <debug.h>
#include <prpl.h>
#include <server.h>

#include <algorithm>
#include <ctime>

#include "account.h"
#include "attention_glue.h"
#include "error_text.h"
#include "glib_handles.h"
#include "i18n.h"

namespace msn::plugin {
namespace {

// MSN repeats the typing notice every few seconds while the contact types; libpurple clears
// the state this long after the last one.
constexpr int kTypingTimeoutSeconds = 6;

time_t message_time(const std::optional<std::int64_t>& sent_at) {
  return sent_at ? static_cast<time_t>(*sent_at) : std::time(nullptr);
}

PurpleConversation* im_conversation(Account& account, const std::string& peer) {
  PurpleAccount* purple = account.purple_account();
  PurpleConversation* conv =
      purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, peer.c_str(), purple);
  if (conv == nullptr)
    conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, purple, peer.c_str());
  return conv;
}

void write_im_line(Account& account, const std::string& peer, const std::string& html,
                   PurpleMessageFlags flags) {
  if (peer.empty())
    return;
  PurpleConversation* conv = im_conversation(account, peer);
  if (conv != nullptr)
    purple_conversation_write(conv, nullptr, html.c_str(), flags, std::time(nullptr));
}

PurpleConversation* find_chat(Account& account, ConversationId conversation) {
  std::optional<int> id = account.chats().purple_id(conversation);
  return id ? purple_find_chat(account.connection(), *id) : nullptr;
}

void add_participant(PurpleConversation* conv, const std::string& address, bool new_arrival) {
  PurpleConvChat* chat = purple_conversation_get_chat_data(conv);
  if (chat == nullptr || purple_conv_chat_find_user(chat, address.c_str()))
    return;
  purple_conv_chat_add_user(chat, address.c_str(), nullptr, PURPLE_CBFLAGS_NONE,
                            new_arrival ? TRUE : FALSE);
}

// People who were already in the chat (not new arrivals), in one call: Finch prints the
// chat's user list once per such call. `self` (may be nullptr) goes first.
void add_present_participants(PurpleConversation* conv, const char* self,
                              const std::vector<std::string>& present) {
  PurpleConvChat* chat = purple_conversation_get_chat_data(conv);
  if (chat == nullptr) return;
  std::vector<std::string> users;
  if (self != nullptr) users.emplace_back(self);
  for (const std::string& address : present) {
    const bool listed = std::any_of(users.begin(), users.end(), [&](const std::string& u) {
      return g_ascii_strcasecmp(u.c_str(), address.c_str()) == 0;
    });
    if (!listed && !purple_conv_chat_find_user(chat, address.c_str())) users.push_back(address);
  }
  if (users.empty()) return;
  GList* names = nullptr;
  GList* flags = nullptr;
  for (const std::string& address : users) {
    names = g_list_append(names, const_cast<char*>(address.c_str()));
    flags = g_list_append(flags, GINT_TO_POINTER(PURPLE_CBFLAGS_NONE));
  }
  purple_conv_chat_add_users(chat, names, nullptr, flags, FALSE);
  g_list_free(names);
  g_list_free(flags);
}

// The reason for a failed delivery, with the server's meaning of its error code when known.
std::string delivery_reason(const ev::MessageFailed& event) {
  std::string reason = delivery_failure_text(event.reason);
  if (event.error.code == Errc::kServer) {
    if (const char* meaning = server_code_meaning(event.error.server_code))
      reason += printf_string(" (%s)", meaning);
  }
  return reason;
}

}  // namespace

std::string escape_markup(const std::string& text) {
  GCharPtr escaped(g_markup_escape_text(text.c_str(), static_cast<gssize>(text.size())));
  return escaped.get();
}

std::string display_name_of(Account& account, const std::string& address) {
  PurpleBuddy* buddy = purple_find_buddy(account.purple_account(), address.c_str());
  const char* alias = buddy != nullptr ? purple_buddy_get_alias(buddy) : nullptr;
  return alias != nullptr && *alias != '\0' ? alias : address;
}

void write_im_error(Account& account, const std::string& peer, const std::string& html) {
  write_im_line(account, peer, html, PURPLE_MESSAGE_ERROR);
}

void write_chat_error(Account& account, int purple_chat_id, const std::string& html) {
  PurpleConversation* conv = purple_find_chat(account.connection(), purple_chat_id);
  if (conv != nullptr)
    purple_conversation_write(conv, nullptr, html.c_str(), PURPLE_MESSAGE_ERROR,
                              std::time(nullptr));
}

PurpleConversation* open_chat(Account& account, ConversationId conversation,
                              const std::vector<std::string>& present) {
  const int id = account.chats().open(conversation);
  PurpleConnection* gc = account.connection();
  if (PurpleConversation* open = purple_find_chat(gc, id)) {
    add_present_participants(open, nullptr, present);
    return open;
  }
  const std::string name = printf_string(_("MSN Chat %d"), id);
  PurpleConversation* conv = serv_got_joined_chat(gc, id, name.c_str());
  if (conv != nullptr)
    add_present_participants(conv, purple_account_get_username(account.purple_account()), present);
  return conv;
}

void apply_message_received(Account& account, const ev::MessageReceived& event) {
  auto flags = static_cast<PurpleMessageFlags>(
      PURPLE_MESSAGE_RECV | (event.offline || event.sent_at ? PURPLE_MESSAGE_DELAYED : 0));
  const time_t when = message_time(event.sent_at);
  if (!event.chat) {
    serv_got_im(account.connection(), event.from.c_str(), event.html.c_str(), flags, when);
    return;
  }
  PurpleConversation* conv = open_chat(account, event.conversation);
  if (conv == nullptr)
    return;
  add_participant(conv, event.from, true);
  serv_got_chat_in(account.connection(), purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)),
                   event.from.c_str(), flags, event.html.c_str(), when);
}

void apply_typing(Account& account, const ev::ConversationTyping& event) {
  if (event.chat) {
    // libpurple 2 has no typing state for chat participants.
    purple_debug_misc("msnp", "%s is typing in a chat\n", event.from.c_str());
    return;
  }
  serv_got_typing(account.connection(), event.from.c_str(), kTypingTimeoutSeconds, PURPLE_TYPING);
}

void apply_nudge(Account& account, const ev::ConversationNudge& event) {
  if (!event.chat) {
    show_nudge(account, event.from, std::nullopt);
    return;
  }
  PurpleConversation* conv = open_chat(account, event.conversation);
  if (conv == nullptr)
    return;
  show_nudge(account, event.from, purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)));
}

void apply_message_failed(Account& account, const ev::MessageFailed& event, bool closing) {
  purple_debug_warning("msnp", "message not delivered: %s\n", event.error.detail.c_str());
  if (closing && (event.chat || event.to.empty() ||
                  purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, event.to.c_str(),
                                                        account.purple_account()) == nullptr))
    return;
  const std::string reason = escape_markup(delivery_reason(event));
  // `html` is what the user typed, already purple HTML: quoted as it was shown.
  const std::string quoted = "<br>\u201c" + event.html + "\u201d";
  // Sent but unconfirmed is not "could not be delivered": it has most likely arrived.
  const bool unconfirmed = event.reason == ev::DeliveryFailure::kUnconfirmed;
  if (event.chat) {
    std::optional<int> id = account.chats().purple_id(event.conversation);
    if (!id)
      return;
    write_chat_error(
        account, *id,
        (unconfirmed
             ? printf_string(_("Message to the chat: %s"), reason.c_str())
             : printf_string(_("Message could not be delivered to the chat: %s"), reason.c_str())) +
            quoted);
    return;
  }
  const std::string name = escape_markup(display_name_of(account, event.to));
  write_im_error(account, event.to,
                 (unconfirmed ? printf_string(_("Message to %s: %s"), name.c_str(), reason.c_str())
                              : printf_string(_("Message could not be delivered to %s: %s"),
                                              name.c_str(), reason.c_str())) +
                     quoted);
}

void apply_message_stored_offline(Account& account, const ev::MessageStoredOffline& event) {
  const std::string name = escape_markup(display_name_of(account, event.to));
  write_im_line(account, event.to,
                printf_string(_("%s is offline; your message was stored and will be delivered "
                                "when they sign in"),
                              name.c_str()),
                PURPLE_MESSAGE_SYSTEM);
}

void apply_chat_started(Account& account, const ev::ChatStarted& event) {
  (void)open_chat(account, event.conversation, event.participants);
}

void apply_chat_joined(Account& account, const ev::ChatParticipantJoined& event) {
  PurpleConversation* conv = open_chat(account, event.conversation);
  if (conv != nullptr)
    add_participant(conv, event.address, true);
}

void apply_chat_left(Account& account, const ev::ChatParticipantLeft& event) {
  PurpleConversation* conv = find_chat(account, event.conversation);
  if (conv == nullptr)
    return;
  PurpleConvChat* chat = purple_conversation_get_chat_data(conv);
  if (chat != nullptr && purple_conv_chat_find_user(chat, event.address.c_str()))
    purple_conv_chat_remove_user(chat, event.address.c_str(), nullptr);
}

void apply_chat_invite_failed(Account& account, const ev::ChatInviteFailed& event) {
  std::optional<int> id = account.chats().purple_id(event.conversation);
  if (!id)
    return;
  const std::string name = escape_markup(display_name_of(account, event.address));
  const std::string reason = escape_markup(describe_reason(event.error));
  write_chat_error(account, *id,
                   printf_string(_("%s could not be invited to the chat: %s"), name.c_str(),
                                 reason.c_str()));
}

}  // namespace msn::plugin
