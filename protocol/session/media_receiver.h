// SPDX-License-Identifier: GPL-2.0-or-later
// Winks and voice clips received, sans-I/O (docs/protocol/media.md, "Receiving"): remembers
// which conversation each announced object belongs to while the object manager fetches it
// from its sender, then unpacks the wink or decodes the clip and reports WinkReceived /
// VoiceClipReceived, or MediaUnavailable when the object did not come or cannot be read.
//
// Driving contract (the Client's): expect() for each announcement; fetch it when that says
// so (fetch_failed() if the fetch cannot start); hand every ObjectReceived / ObjectFetchFailed
// to on_object_event(), which keeps those that were ours; then drain take_events().
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "session/event.h"

namespace msn {

struct MediaConfig {
  // Announcements waiting for their object: a peer that sends more at once is not worth
  // fetching for (each is a P2P session and a notice in the conversation).
  std::size_t max_waiting_per_peer = 4;
  std::size_t max_waiting = 16;
};

struct MediaAnnouncement {
  ConversationId conversation = 0;
  bool chat = false;
  std::string from;
  ev::MediaKind kind = ev::MediaKind::kWink;
  std::string sha1d;
};

class MediaReceiver {
 public:
  explicit MediaReceiver(MediaConfig config = {}) : config_(config) {}

  // Remembers the announcement. Returns true when its object must be fetched, false when the
  // same object is already on its way (both are reported when it arrives). Errc::kLimit when
  // the sender, or everyone, has too many waiting: the announcement is dropped.
  Result<bool> expect(MediaAnnouncement announcement);
  // The fetch of `sha1d` could not start: its announcements are reported unavailable.
  void fetch_failed(const std::string& sha1d);
  // True when the event was about one of our objects (then it must not go to the UI as is).
  bool on_object_event(const Event& event);

  std::vector<Event> take_events() { return std::exchange(events_, {}); }
  std::size_t waiting() const { return waiting_.size(); }

 private:
  void received(const ev::ObjectReceived& object);
  void unavailable(const std::string& sha1d);
  std::vector<MediaAnnouncement> take_waiting(const std::string& sha1d);
  void log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

  MediaConfig config_;
  std::deque<MediaAnnouncement> waiting_;  // in the order announced
  std::vector<Event> events_;
};

// The engine's side of a received object, for tests and the fuzz target: the events one
// announcement gives for `data`.
Event wink_event(const MediaAnnouncement& announcement, std::string_view data,
                 std::vector<Event>& logs);
Event voice_clip_event(const MediaAnnouncement& announcement, std::string_view data,
                       std::vector<Event>& logs);

}  // namespace msn
