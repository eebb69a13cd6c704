// SPDX-License-Identifier: GPL-2.0-or-later
// Conversation events -> libpurple conversations. 1:1 conversations are purple IMs named by
// the peer's address; group chats are purple chats whose ids the Account's ChatTable maps to
// engine ConversationIds. Problems with a message the user sent are written into the
// conversation it belongs to, so the user sees exactly which message it was.
#pragma once

#include <conversation.h>

#include <string>
#include <vector>

#include "core/status.h"
#include "session/event.h"

namespace msn::plugin {

class Account;

void apply_message_received(Account& account, const ev::MessageReceived& event);
void apply_typing(Account& account, const ev::ConversationTyping& event);
void apply_nudge(Account& account, const ev::ConversationNudge& event);
// `closing`: the account is signing out (libpurple's close): the failure is written only into
// a conversation window that is still open, never into a new one.
void apply_message_failed(Account& account, const ev::MessageFailed& event, bool closing = false);
void apply_message_stored_offline(Account& account, const ev::MessageStoredOffline& event);
void apply_chat_started(Account& account, const ev::ChatStarted& event);
void apply_chat_joined(Account& account, const ev::ChatParticipantJoined& event);
void apply_chat_left(Account& account, const ev::ChatParticipantLeft& event);
void apply_chat_invite_failed(Account& account, const ev::ChatInviteFailed& event);

// Opens (or finds) the purple chat for an engine conversation, with us and `present` in it.
// A new window gets everyone in one call: Finch prints the user list once per call that adds
// users who are not new arrivals.
PurpleConversation* open_chat(Account& account, ConversationId conversation,
                              const std::vector<std::string>& present = {});

// Writes an error line into the IM conversation with `peer` (opening it if needed).
void write_im_error(Account& account, const std::string& peer, const std::string& html);
// Writes an error line into a chat, if it is open.
void write_chat_error(Account& account, int purple_chat_id, const std::string& html);

// The name to show for an address: the buddy's alias, else the address itself.
std::string display_name_of(Account& account, const std::string& address);
// g_markup_escape_text into a std::string.
std::string escape_markup(const std::string& text);

}  // namespace msn::plugin
