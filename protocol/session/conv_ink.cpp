// SPDX-License-Identifier: GPL-2.0-or-later
// Ink (handwriting) in conversations: the switchboard form in any conversation, the P2P form
// (SessionID 64) in the 1:1 conversation with its sender. What cannot be shown still gives an
// InkReceived without an image, so that the user learns something arrived.
#include <utility>

#include "session/conversation_manager.h"
#include "session/ink_message.h"

namespace msn {

namespace {

ev::InkReceived ink_event(ConversationId id, bool chat, std::string from, Result<InkImage> image) {
  ev::InkReceived event{id, chat, std::move(from), {}, {}};
  if (image) {
    event.image = std::move(image->data);
    event.mime_type = std::move(image->mime_type);
  }
  return event;
}

}  // namespace

void ConversationManager::ink_received(const Conversation& conv,
                                       const ev::OtherMessageReceived& message) {
  auto image = ink_image(message.message);
  if (!image) log(LogLevel::kWarning, "conversation: unreadable ink: " + image.error().detail);
  emit(ink_event(conv.id, conv.chat, message.from, std::move(image)));
}

void ConversationManager::on_p2p_ink(std::string_view peer, std::string_view blob) {
  auto found = one_to_one(peer, true);
  if (!found) {
    log(LogLevel::kInfo, "conversation: ink dropped: " + found.error().detail);
    return;
  }
  auto message = parse_p2p_ink(blob);
  Result<InkImage> image = message ? ink_image(message.value()) : message.error();
  if (!image) log(LogLevel::kWarning, "conversation: unreadable P2P ink: " + image.error().detail);
  emit(ink_event(found.value()->id, false, std::string(peer), std::move(image)));
}

}  // namespace msn
