// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/media_receiver.h"

#include <algorithm>

#include "core/ascii.h"
#include "crypto/crypto.h"
#include "media/voice_clip.h"
#include "media/wink.h"

namespace msn {

namespace {

const char* mime_of(media::ImageType type) {
  switch (type) {
    case media::ImageType::kJpeg:
      return "image/jpeg";
    case media::ImageType::kGif:
      return "image/gif";
    case media::ImageType::kPng:
      break;
  }
  return "image/png";
}

// A file name the user may keep: made from the data's hash, so nothing the peer wrote ever
// becomes part of a path.
std::string file_name(std::string_view prefix, std::string_view data, std::string_view suffix) {
  std::string name(prefix);
  name += crypto::hex_encode(crypto::sha1(data).substr(0, 6));
  name += suffix;
  return name;
}

ev::MediaUnavailable unavailable_event(const MediaAnnouncement& a) {
  return ev::MediaUnavailable{a.conversation, a.chat, a.from, a.kind};
}

std::uint32_t rounded_seconds(std::size_t samples) {
  const std::size_t seconds = (samples + media::kSirenSampleRate / 2) / media::kSirenSampleRate;
  return static_cast<std::uint32_t>(std::max<std::size_t>(seconds, 1));
}

}  // namespace

Event wink_event(const MediaAnnouncement& a, std::string_view data, std::vector<Event>& logs) {
  auto wink = media::unpack_wink(data);
  if (!wink) {
    logs.push_back(ev::Log{LogLevel::kWarning,
                           "media: unreadable wink from " + a.from + ": " + wink.error().detail});
    return unavailable_event(a);
  }
  return ev::WinkReceived{a.conversation,
                          a.chat,
                          a.from,
                          std::move(wink->name),
                          std::move(wink->thumbnail),
                          mime_of(wink->thumbnail_type),
                          std::string(data),
                          file_name("wink-", data, ".cab")};
}

// The clip decoded to PCM when this build can; the original file when it cannot or decoding
// fails (a player with a Siren codec may still play it).
Event voice_clip_event(const MediaAnnouncement& a, std::string_view data,
                       std::vector<Event>& logs) {
  auto clip = media::parse_voice_clip(data);
  if (!clip) {
    logs.push_back(ev::Log{LogLevel::kWarning, "media: unreadable voice clip from " + a.from +
                                                   ": " + clip.error().detail});
    return unavailable_event(a);
  }
  ev::VoiceClipReceived event{a.conversation,
                              a.chat,
                              a.from,
                              rounded_seconds(clip->samples()),
                              std::string(data),
                              false,
                              file_name("voice-clip-", data, ".wav")};
  if (!media::voice_clip_decoding_available()) return event;
  auto decoded = media::decode_voice_clip(data);
  if (!decoded) {
    logs.push_back(ev::Log{LogLevel::kInfo, "media: voice clip not decoded, offered as is: " +
                                                decoded.error().detail});
    return event;
  }
  event.wav = std::move(*decoded);
  event.decoded = true;
  return event;
}

Result<bool> MediaReceiver::expect(MediaAnnouncement announcement) {
  const auto same_peer = [&](const MediaAnnouncement& w) {
    return ascii::iequals(w.from, announcement.from);
  };
  const auto for_peer =
      static_cast<std::size_t>(std::count_if(waiting_.begin(), waiting_.end(), same_peer));
  if (for_peer >= config_.max_waiting_per_peer || waiting_.size() >= config_.max_waiting)
    return make_error(Errc::kLimit, "too many winks and voice clips waiting");
  const bool known = std::any_of(waiting_.begin(), waiting_.end(), [&](const MediaAnnouncement& w) {
    return w.sha1d == announcement.sha1d;
  });
  waiting_.push_back(std::move(announcement));
  return !known;
}

void MediaReceiver::fetch_failed(const std::string& sha1d) { unavailable(sha1d); }

bool MediaReceiver::on_object_event(const Event& event) {
  const auto ours = [&](const std::string& sha1d) {
    return std::any_of(waiting_.begin(), waiting_.end(),
                       [&](const MediaAnnouncement& w) { return w.sha1d == sha1d; });
  };
  if (const auto* got = std::get_if<ev::ObjectReceived>(&event);
      got != nullptr && ours(got->sha1d)) {
    received(*got);
    return true;
  }
  if (const auto* failed = std::get_if<ev::ObjectFetchFailed>(&event);
      failed != nullptr && ours(failed->sha1d)) {
    log(LogLevel::kInfo, "media: " + failed->sha1d + " could not be fetched from " + failed->peer);
    unavailable(failed->sha1d);
    return true;
  }
  return false;
}

std::vector<MediaAnnouncement> MediaReceiver::take_waiting(const std::string& sha1d) {
  std::vector<MediaAnnouncement> out;
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (it->sha1d != sha1d) {
      ++it;
      continue;
    }
    out.push_back(std::move(*it));
    it = waiting_.erase(it);
  }
  return out;
}

void MediaReceiver::received(const ev::ObjectReceived& object) {
  for (const MediaAnnouncement& a : take_waiting(object.sha1d)) {
    std::vector<Event> logs;
    Event event = a.kind == ev::MediaKind::kWink ? wink_event(a, object.data, logs)
                                                 : voice_clip_event(a, object.data, logs);
    for (Event& line : logs) events_.push_back(std::move(line));
    events_.push_back(std::move(event));
  }
}

void MediaReceiver::unavailable(const std::string& sha1d) {
  for (const MediaAnnouncement& a : take_waiting(sha1d)) events_.push_back(unavailable_event(a));
}

}  // namespace msn
