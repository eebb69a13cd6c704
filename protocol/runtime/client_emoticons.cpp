// SPDX-License-Identifier: GPL-2.0-or-later
// Client's custom emoticons and other MSN objects: fetching what contacts announce, and our
// emoticons announced ahead of a message and served by the object manager.
#include <utility>

#include "p2p/emoticon_announcement.h"
#include "runtime/client.h"
#include "wire/mime_message.h"

namespace msn {
namespace {

// aMSN sends at most 5 per message and WLM is said to ignore more.
constexpr std::size_t kMaxEmoticonsPerMessage = 5;
// One MSG: the switchboard takes at most 1664 bytes of payload, headers included.
constexpr std::size_t kMaxAnnouncementBody = 1500;

wire::MimeMessage announcement(bool animated, std::string body) {
  wire::MimeMessage message;
  message.set_header("MIME-Version", "1.0");
  message.set_header("Content-Type", animated ? "text/x-mms-animemoticon" : "text/x-mms-emoticon");
  message.body = std::move(body);
  return message;
}

}  // namespace

ObjectConfig Client::object_config(const Settings& settings) {
  ObjectConfig config;
  config.account = settings.account;
  return config;
}

Status Client::fetch_object(std::string_view peer, std::string_view msnobj, TimePoint now) {
  auto status = objects_.fetch(peer, msnobj, now);
  settle(now);
  return status;
}

// Static and animated ones go in separate messages (WLM remembers per shortcut which kind it
// was); each pair is added while the message stays within one MSG.
std::vector<wire::MimeMessage> Client::emoticon_announcements(
    const std::vector<OwnEmoticon>& emoticons) {
  std::vector<std::pair<std::string, std::string>> pairs[2];
  std::size_t bytes[2] = {0, 0};
  std::size_t taken = 0;
  for (const OwnEmoticon& emoticon : emoticons) {
    if (taken >= kMaxEmoticonsPerMessage) break;
    if (emoticon.shortcut.empty() || emoticon.shortcut.find('\t') != std::string::npos) continue;
    auto msnobj = objects_.add_own(p2p::object_type::kEmoticon, emoticon.data);
    if (!msnobj) {
      events_.push_back(ev::Log{LogLevel::kInfo, "emoticons: " + emoticon.shortcut +
                                                     " not announced: " + msnobj.error().detail});
      continue;
    }
    const int kind = emoticon.animated ? 1 : 0;
    const std::size_t size = emoticon.shortcut.size() + msnobj->size() + 2;
    if (bytes[kind] + size > kMaxAnnouncementBody) continue;
    bytes[kind] += size;
    pairs[kind].emplace_back(emoticon.shortcut, std::move(*msnobj));
    ++taken;
  }
  std::vector<wire::MimeMessage> messages;
  for (int kind = 0; kind < 2; ++kind) {
    if (!pairs[kind].empty())
      messages.push_back(announcement(kind == 1, p2p::make_emoticon_announcement(pairs[kind])));
  }
  return messages;
}

Status Client::send_emoticons(std::string_view to, const std::vector<OwnEmoticon>& emoticons,
                              TimePoint now) {
  auto status = conversations_.send_emoticons(to, emoticon_announcements(emoticons), now);
  settle(now);
  return status;
}

Status Client::send_chat_emoticons(ConversationId chat, const std::vector<OwnEmoticon>& emoticons,
                                   TimePoint now) {
  auto status = conversations_.send_chat_emoticons(chat, emoticon_announcements(emoticons), now);
  settle(now);
  return status;
}

}  // namespace msn
