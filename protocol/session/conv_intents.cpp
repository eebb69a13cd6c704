// SPDX-License-Identifier: GPL-2.0-or-later
// What the user does in conversations: send a message, typing, a nudge, close a conversation;
// start a chat, invite into it, send to it, leave it. Each checks the address and queues what
// it sends in its conversation.
#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "session/conversation_manager.h"
#include "session/participant_list.h"
#include "wire/mime_message.h"

namespace msn {

using ev::DeliveryFailure;

namespace {

// A message the user typed, as purple HTML. Real messages are far smaller; the bound keeps one
// paste from queueing megabytes of switchboard traffic.
constexpr std::size_t kMaxHtmlBytes = 64 * 1024;

}  // namespace

// ---------------------------------------------------------------------------------------------
// Intents

Status ConversationManager::check_usable(std::string_view address) const {
  if (shut_down_ || !ns_.online()) return make_error(Errc::kInvalidArgument, "not signed in");
  if (address.empty() || address.size() > 256 || address.find('@') == std::string_view::npos ||
      std::any_of(address.begin(), address.end(),
                  [](char c) { return c == ' ' || ascii::is_control(c); }))
    return make_error(Errc::kInvalidArgument, "not an address");
  if (ascii::iequals(address, config_.account))
    return make_error(Errc::kInvalidArgument, "that is our own address");
  return Status::ok();
}

Result<ConversationId> ConversationManager::send_message(std::string_view to, std::string_view html,
                                                         TimePoint now) {
  MSN_TRY(check_usable(to));
  auto conv = one_to_one(to, true);
  if (!conv) return conv.error();
  auto id = queue_text(*conv.value(), html, now);
  settle(now);
  return id;
}

Status ConversationManager::send_typing(std::string_view to, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto conv = one_to_one(to, false);
  if (!conv || !conv.value()->sb)
    return Status::ok();  // nothing open: typing is not worth opening one
  Board* board = board_for(*conv.value()->sb);
  if (board != nullptr && board->session->is_ready()) {
    if (auto status = board->session->send_typing(now); !status)
      log(LogLevel::kDebug, "typing not sent");
  }
  settle(now);
  return Status::ok();
}

Status ConversationManager::send_nudge(std::string_view to, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto found = one_to_one(to, true);
  if (!found) return found.error();
  Conversation& conv = *found.value();
  if (peer_offline(conv)) return make_error(Errc::kInvalidArgument, "the contact is offline");
  if (conv.waiting.size() >= config_.max_pending_messages)
    return make_error(Errc::kLimit, "too many messages waiting for the conversation");
  conv.closing = false;
  conv.waiting.push_back(Item{next_seq_++, true, 0, nullptr});
  pump(conv, now);
  settle(now);
  return Status::ok();
}

void ConversationManager::close_conversation(std::string_view peer, TimePoint now) {
  auto conv = one_to_one(peer, false);
  if (!conv) return;
  conv.value()->closing = true;
  leave_if_done(*conv.value(), now);
  settle(now);
}

Result<ConversationId> ConversationManager::start_chat(std::string_view first_invitee,
                                                       TimePoint now) {
  MSN_TRY(check_usable(first_invitee));
  auto conv = new_conversation(true);
  if (!conv) return conv.error();
  conv.value()->invites.emplace_back(first_invitee);
  const ConversationId id = conv.value()->id;
  emit(ev::ChatStarted{id, {}});  // participants follow as ChatParticipantJoined
  pump(*conv.value(), now);
  settle(now);
  return id;
}

Status ConversationManager::chat_invite(ConversationId chat, std::string_view address,
                                        TimePoint now) {
  MSN_TRY(check_usable(address));
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return make_error(Errc::kInvalidArgument, "no such chat");
  if (contains(conv->members, address)) return Status::ok();
  if (conv->members.size() + conv->invites.size() >= config_.max_participants)
    return make_error(Errc::kLimit, "too many people in the chat");
  Board* board = conv->sb ? board_for(*conv->sb) : nullptr;
  Status status = Status::ok();
  if (board != nullptr && board->session->accepts_messages()) {
    status = board->session->invite(std::string(address), now);
  } else {
    conv->invites.emplace_back(address);
    pump(*conv, now);
  }
  settle(now);
  return status;
}

Status ConversationManager::chat_send(ConversationId chat, std::string_view html, TimePoint now) {
  if (shut_down_ || !ns_.online()) return make_error(Errc::kInvalidArgument, "not signed in");
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return make_error(Errc::kInvalidArgument, "no such chat");
  if (!conv->sb && conv->members.empty() && conv->invites.empty())
    return make_error(Errc::kInvalidArgument, "nobody is in the chat");
  auto id = queue_text(*conv, html, now);
  settle(now);
  return id.status();
}

void ConversationManager::chat_leave(ConversationId chat, TimePoint now) {
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return;
  if (conv->sb) {
    if (Board* board = board_for(*conv->sb)) {
      board->conversation
          .reset();  // what still happens there concerns nobody but the sent messages
      board->retired = true;
      board->session->leave(now);
    }
  }
  for (const Item& item : conv->waiting) {
    if (!item.fire_and_forget())
      message_failed(item.seq, DeliveryFailure::kConnectionLost,
                     make_error(Errc::kTransport, "the chat was left before the message was sent"));
  }
  conversations_.erase(chat);
  settle(now);
}

Result<ConversationId> ConversationManager::queue_text(Conversation& conv, std::string_view html,
                                                       TimePoint now) {
  if (html.size() > kMaxHtmlBytes) return make_error(Errc::kLimit, "the message is too long");
  FormattedText formatted = html_to_msn(html);
  std::string text = wire::sanitize_utf8(formatted.text);
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty message");
  if (pending_for(conv.id) >= config_.max_pending_messages ||
      pending_bytes_for(conv.id) + text.size() > config_.max_pending_bytes)
    return make_error(Errc::kLimit, "too many messages waiting for delivery");
  const Seq seq = next_seq_++;
  OutMessage message;
  message.conversation = conv.id;
  message.to = conv.chat ? std::string() : conv.peer;
  message.html = std::string(html);
  message.full_text = text;
  message.text = std::move(text);
  message.format = std::move(formatted.format);
  messages_.emplace(seq, std::move(message));
  conv.closing = false;
  if (!conv.chat && peer_offline(conv)) {
    if (auto status = oim_.store(seq, conv.peer, messages_[seq].text); !status) {
      messages_.erase(seq);
      return status.error();
    }
    return conv.id;
  }
  conv.waiting.push_back(Item{seq, false, 0, nullptr});
  pump(conv, now);
  return conv.id;
}

}  // namespace msn
