// SPDX-License-Identifier: GPL-2.0-or-later
// Client's conversation intents: each goes to the conversation manager, then settle() carries
// out what it asked for (XFR SB on the NS, switchboard connections, offline-message calls).
#include "runtime/client.h"

namespace msn {

Result<ConversationId> Client::send_message(std::string_view to, std::string_view html, TimePoint now) {
  auto id = conversations_.send_message(to, html, now);
  settle(now);
  return id;
}

Status Client::send_typing(std::string_view to, TimePoint now) {
  auto status = conversations_.send_typing(to, now);
  settle(now);
  return status;
}

Status Client::send_nudge(std::string_view to, TimePoint now) {
  auto status = conversations_.send_nudge(to, now);
  settle(now);
  return status;
}

void Client::close_conversation(std::string_view peer, TimePoint now) {
  conversations_.close_conversation(peer, now);
  settle(now);
}

Result<ConversationId> Client::start_chat(std::string_view first_invitee, TimePoint now) {
  auto id = conversations_.start_chat(first_invitee, now);
  settle(now);
  return id;
}

Status Client::chat_invite(ConversationId chat, std::string_view address, TimePoint now) {
  auto status = conversations_.chat_invite(chat, address, now);
  settle(now);
  return status;
}

Status Client::chat_send(ConversationId chat, std::string_view html, TimePoint now) {
  auto status = conversations_.chat_send(chat, html, now);
  settle(now);
  return status;
}

void Client::chat_leave(ConversationId chat, TimePoint now) {
  conversations_.chat_leave(chat, now);
  settle(now);
}

}  // namespace msn
