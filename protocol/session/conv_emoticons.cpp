// SPDX-License-Identifier: GPL-2.0-or-later
// Custom emoticon announcements on the switchboard (docs/protocol/emoticons.md): each pair of a
// received one goes to the UI as EmoticonAnnounced; ours are queued as messages of their own
// ahead of the text that uses them.
#include <utility>

#include "core/ascii.h"
#include "p2p/emoticon_announcement.h"
#include "session/conversation_manager.h"
#include "wire/mime_message.h"

namespace msn {

void ConversationManager::emoticons_received(const Conversation& conv,
                                             const ev::OtherMessageReceived& message) {
  auto announcement = p2p::parse_emoticon_announcement(message.message.body);
  if (!announcement) {
    log(LogLevel::kInfo, "emoticons: announcement dropped: " + announcement.error().detail);
    return;
  }
  if (announcement->rejected != 0)
    log(LogLevel::kInfo, "emoticons: " + std::to_string(announcement->rejected) +
                             " unusable pairs of an announcement left out");
  for (p2p::AnnouncedEmoticon& emoticon : announcement->emoticons) {
    // Fetched from the Creator, which must be the sender: anything else would have us ask a
    // third party the sender chose.
    if (!ascii::iequals(emoticon.object.creator, message.from)) {
      log(LogLevel::kInfo,
          "emoticons: an emoticon created by someone else than its sender ignored");
      continue;
    }
    emit(ev::EmoticonAnnounced{conv.id, conv.chat, message.from, std::move(emoticon.shortcut),
                               emoticon.object.sha1d, std::move(emoticon.msnobj)});
  }
}

Status ConversationManager::send_emoticons(std::string_view to,
                                           std::vector<wire::MimeMessage> messages, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto found = one_to_one(to, true);
  if (!found) return found.error();
  Conversation& conv = *found.value();
  if (peer_offline(conv)) return Status::ok();
  return queue_payloads(conv, std::move(messages), now);
}

Status ConversationManager::send_chat_emoticons(ConversationId chat,
                                                std::vector<wire::MimeMessage> messages,
                                                TimePoint now) {
  if (shut_down_ || !ns_.online()) return make_error(Errc::kInvalidArgument, "not signed in");
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return make_error(Errc::kInvalidArgument, "no such chat");
  return queue_payloads(*conv, std::move(messages), now);
}

Status ConversationManager::queue_payloads(Conversation& conv,
                                           std::vector<wire::MimeMessage> messages, TimePoint now) {
  if (messages.empty()) return Status::ok();
  if (conv.waiting.size() + messages.size() > config_.max_pending_messages)
    return make_error(Errc::kLimit, "too many messages waiting for the conversation");
  conv.closing = false;
  for (wire::MimeMessage& message : messages) {
    Item item;
    item.payload = std::make_shared<const wire::MimeMessage>(std::move(message));
    conv.waiting.push_back(std::move(item));
  }
  pump(conv, now);
  settle(now);
  return Status::ok();
}

// False while the switchboard is not ready yet: the item (and what follows it) waits.
bool ConversationManager::send_payload_item(Board& board, const Item& item, TimePoint now) {
  if (!board.session->is_ready()) return false;
  // Ack N as the plugin: a lost announcement only leaves the shortcut as text.
  if (auto sent = board.session->send_payload(*item.payload, AckMode::kNakOnly, now); !sent)
    log(LogLevel::kInfo, "emoticons: announcement not sent: " + sent.error().detail);
  return true;
}

}  // namespace msn
