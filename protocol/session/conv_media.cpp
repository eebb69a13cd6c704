// SPDX-License-Identifier: GPL-2.0-or-later
// Datacasts other than nudges in conversations (docs/protocol/media.md): winks and voice clips
// handed on to be fetched from their sender (take_media), action messages shown as "/me" text,
// anything else logged and dropped.
#include <utility>

#include "session/conversation_manager.h"
#include "session/media_message.h"
#include "session/message_format.h"

namespace msn {

void ConversationManager::datacast_received(const Conversation& conv,
                                            const ev::OtherMessageReceived& message) {
  auto datacast = read_media_datacast(message.from, message.message.body);
  if (!datacast) {
    log(LogLevel::kInfo, "conversation: datacast dropped: " + datacast.error().detail);
    return;
  }
  switch (datacast->kind) {
    case wire::DatacastKind::kWink:
    case wire::DatacastKind::kVoiceClip: {
      const ev::MediaKind kind = datacast->kind == wire::DatacastKind::kWink
                                     ? ev::MediaKind::kWink
                                     : ev::MediaKind::kVoiceClip;
      media_notices_.push_back(MediaNotice{
          MediaAnnouncement{conv.id, conv.chat, message.from, kind, datacast->object.sha1d},
          std::move(datacast->msnobj)});
      return;
    }
    case wire::DatacastKind::kAction:
      if (datacast->text.empty()) break;
      // Pidgin and Finch show a message that starts with "/me " as an action.
      emit(ev::MessageReceived{conv.id, conv.chat, message.from, message.from,
                               "/me " + escape_html(datacast->text), std::nullopt, false});
      return;
    case wire::DatacastKind::kNudge:
    case wire::DatacastKind::kOther:
      break;
  }
  log(LogLevel::kDebug, "conversation: datacast ID " + std::to_string(datacast->id) + " ignored");
}

}  // namespace msn
