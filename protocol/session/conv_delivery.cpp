// SPDX-License-Identifier: GPL-2.0-or-later
// What happens to a message that did not get through: the switchboard refused or lost, the
// resend (once, same Message-ID) or the failure reported, the offline message for a contact
// found offline; received resends dropped; offline messages stored and fetched.
#include <algorithm>
#include <functional>
#include <utility>

#include "core/ascii.h"
#include "session/conversation_manager.h"
#include "wire/mime_message.h"

namespace msn {

using ev::DeliveryFailure;

namespace {

constexpr int kMaxFailures = 2;  // the first try and the one resend

DeliveryFailure failure_for(NotDeliveredReason reason) {
  switch (reason) {
    case NotDeliveredReason::kRejected:
      return DeliveryFailure::kRejected;
    case NotDeliveredReason::kTimedOut:
      return DeliveryFailure::kTimedOut;
    case NotDeliveredReason::kConnectionLost:
      return DeliveryFailure::kConnectionLost;
    case NotDeliveredReason::kRecipientUnavailable:
    case NotDeliveredReason::kNoParticipants:
      return DeliveryFailure::kUnavailable;
    case NotDeliveredReason::kClosed:
      return DeliveryFailure::kConnectionLost;
  }
  return DeliveryFailure::kConnectionLost;
}

Error error_for(NotDeliveredReason reason) {
  switch (reason) {
    case NotDeliveredReason::kRejected:
      return make_error(Errc::kServer, "the switchboard refused the message (NAK)");
    case NotDeliveredReason::kTimedOut:
      return make_error(Errc::kTimeout, "no acknowledgement for the message");
    case NotDeliveredReason::kConnectionLost:
      return make_error(Errc::kTransport, "the conversation's connection was lost");
    case NotDeliveredReason::kRecipientUnavailable:
      return make_error(Errc::kServer, "the recipient is offline or not accepting messages");
    case NotDeliveredReason::kNoParticipants:
      return make_error(Errc::kTransport, "nobody joined the conversation");
    case NotDeliveredReason::kClosed:
      return make_error(Errc::kTransport, "the conversation was closed");
  }
  return make_error(Errc::kTransport, "not delivered");
}

DeliveryFailure failure_for(const Error& error) {
  return error.code == Errc::kTimeout ? DeliveryFailure::kTimedOut : DeliveryFailure::kRejected;
}

}  // namespace

void ConversationManager::refused(wire::TrId trid, const Error& error, TimePoint now) {
  const auto owner = xfr_owner_.find(trid);
  if (owner == xfr_owner_.end()) return;
  Conversation* conv = find(owner->second);
  xfr_owner_.erase(owner);
  if (conv == nullptr || conv->xfr != trid) return;
  conv->xfr.reset();
  log(LogLevel::kWarning, "switchboard refused: " + error.detail);
  refused_conversation(*conv, error, now);
}

// No switchboard for `conv`: everything waiting has failed once; what may be tried again is,
// with a new request.
void ConversationManager::refused_conversation(Conversation& conv, const Error& error,
                                               TimePoint now) {
  p2p_refused(conv);
  std::deque<Item> again;
  for (Item item : std::exchange(conv.waiting, {})) {
    if (item.fire_and_forget()) {
      if (++item.failures < kMaxFailures) again.push_back(item);
      continue;
    }
    const auto it = messages_.find(item.seq);
    if (it == messages_.end()) continue;
    if (++it->second.failures < kMaxFailures) {
      again.push_back(item);
    } else {
      message_failed(item.seq, failure_for(error), error);
    }
  }
  for (const auto& email : std::exchange(conv.invites, {}))
    emit(ev::ChatInviteFailed{conv.id, email, error});
  conv.waiting = std::move(again);
  pump(conv, now);
}

void ConversationManager::handle_not_delivered(Board& board, ev::MessageNotDelivered failed,
                                               TimePoint now) {
  const auto mapped = board.messages.find(failed.id);
  if (mapped == board.messages.end()) return;
  const Seq seq = mapped->second;
  board.messages.erase(mapped);
  const auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  OutMessage& message = it->second;
  if (!failed.text.empty()) message.text = std::move(failed.text);  // only what was not acked
  if (!failed.message_id.empty()) message.message_id = std::move(failed.message_id);
  if (shut_down_) {
    // Signing out, say what is known: a message already on the wire may well have arrived.
    const bool unconfirmed = failed.unconfirmed && shutdown_reason_ == DeliveryFailure::kSignedOut;
    return message_failed(seq, unconfirmed ? DeliveryFailure::kUnconfirmed : shutdown_reason_,
                          shutdown_error_);
  }
  Conversation* conv = find(message.conversation);
  if (conv == nullptr)
    return message_failed(
        seq, DeliveryFailure::kConnectionLost,
        make_error(Errc::kTransport, "the conversation was left before the message was delivered"));
  switch (failed.reason) {
    case NotDeliveredReason::kRecipientUnavailable:
      if (conv->chat)
        return message_failed(seq, DeliveryFailure::kUnavailable, error_for(failed.reason));
      // Learnt offline from the CAL: the offline message store takes it.
      if (auto status = oim_.store(seq, message.to, message.text); !status)
        message_failed(seq, DeliveryFailure::kUnavailable, status.error());
      return;
    case NotDeliveredReason::kClosed:
      if (board.retired) {
        // Never sent: we replaced or left that switchboard before it could carry the message.
        requeue(*conv, seq);
        return pump(*conv, now);
      }
      break;
    default:
      break;
  }
  if (++message.failures >= kMaxFailures)
    return message_failed(seq, failure_for(failed.reason), error_for(failed.reason));
  // The resend goes over a fresh switchboard: this one is left (it finishes what it sent).
  if (conv->sb == board.session->conn()) retire(*conv, now);
  requeue(*conv, seq);
  pump(*conv, now);
}

// ---------------------------------------------------------------------------------------------
// Messages and offline messages

void ConversationManager::requeue(Conversation& conv, Seq seq) {
  const auto at = std::find_if(conv.waiting.begin(), conv.waiting.end(),
                               [&](const Item& item) { return item.seq > seq; });
  conv.waiting.insert(at, Item{seq, false, 0, nullptr});
}

// A sender resends a message whose ACK it never got over a new switchboard with the same
// Message-ID and the same text; when the first copy did reach us, the second is dropped here.
// Only both together make a resend: official clients and bots reuse one Message-ID on every
// single-part message, and each of those differs in its text. Texts without an id are always
// shown. Remembers the last max_remembered_message_ids (sender, id, text) it answers false for.
bool ConversationManager::already_shown(const ev::TextReceived& text) {
  if (text.message_id.empty() || config_.max_remembered_message_ids == 0) return false;
  // The text is kept as a hash: the window stays a few dozen bytes per message.
  std::string key = ascii::to_lower(text.from) + '\n' + text.message_id + '\n' +
                    std::to_string(std::hash<std::string>{}(text.text));
  if (shown_id_set_.count(key) != 0) return true;
  if (shown_ids_.size() >= config_.max_remembered_message_ids) {
    shown_id_set_.erase(shown_ids_.front());
    shown_ids_.pop_front();
  }
  shown_id_set_.insert(key);
  shown_ids_.push_back(std::move(key));
  return false;
}

void ConversationManager::message_failed(Seq seq, DeliveryFailure reason, Error error) {
  const auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  OutMessage message = std::move(it->second);
  messages_.erase(it);
  std::string html = message.text == message.full_text ? std::move(message.html)
                                                       : msn_to_html(message.text, message.format);
  emit(ev::MessageFailed{message.conversation, message.to.empty(), message.to, std::move(html),
                         reason, std::move(error)});
}

void ConversationManager::handle_oim(OimReport report, TimePoint now) {
  if (auto* log_line = std::get_if<ev::Log>(&report)) {
    emit(std::move(*log_line));
  } else if (auto* done = std::get_if<oim::StoreDone>(&report)) {
    if (done->error)
      return message_failed(done->key, DeliveryFailure::kOfflineFailed, std::move(*done->error));
    const auto it = messages_.find(done->key);
    if (it == messages_.end()) return;
    emit(ev::MessageStoredOffline{it->second.conversation, it->second.to});
    const ConversationId id = it->second.conversation;
    messages_.erase(it);
    if (Conversation* conv = find(id)) leave_if_done(*conv, now);
  } else if (std::holds_alternative<oim::ListUnavailable>(report)) {
    emit(ev::OfflineMessagesUnavailable{});
  } else if (auto* batch = std::get_if<oim::Batch>(&report)) {
    // Shown first, deleted after: a message is never deleted before the user has seen it.
    std::vector<std::string> shown;
    for (auto& message : batch->messages) {
      if (message.sender.empty()) continue;
      auto conv = one_to_one(message.sender, true);
      const ConversationId id = conv ? conv.value()->id : 0;
      emit(ev::MessageReceived{id, false, message.sender, message.friendly_name,
                               msn_to_html(wire::sanitize_utf8(message.text), TextFormat{}),
                               message.time, true});
      shown.push_back(message.message_id);
    }
    oim_.delete_shown(shown);
  }
}

}  // namespace msn
