// SPDX-License-Identifier: GPL-2.0-or-later
// Client's winks and voice clips: what conversations announce is fetched from the sender by
// the object manager, and what arrives goes to the media receiver to unpack or decode before
// the UI hears of it.
#include <utility>

#include "runtime/client.h"

namespace msn {

bool Client::route_media(TimePoint now) {
  auto notices = conversations_.take_media();
  // The session is over: nothing is fetched any more (route_p2p drops the rest).
  if (conversations_.is_shut_down()) return false;
  for (auto& notice : notices) {
    const std::string sha1d = notice.announcement.sha1d;
    const std::string from = notice.announcement.from;
    auto fetch = media_.expect(std::move(notice.announcement));
    if (!fetch) {
      events_.push_back(ev::Log{LogLevel::kInfo, "media: an announcement from " + from +
                                                     " dropped: " + fetch.error().detail});
      continue;
    }
    if (!*fetch) continue;  // already on its way
    if (auto status = objects_.fetch(from, notice.msnobj, now); !status) {
      events_.push_back(ev::Log{LogLevel::kInfo, "media: not fetched: " + status.error().detail});
      media_.fetch_failed(sha1d);
    }
  }
  object_events();
  return !notices.empty();
}

void Client::object_events() {
  for (auto& event : objects_.take_events()) {
    if (!media_.on_object_event(event)) events_.push_back(std::move(event));
  }
  for (auto& event : media_.take_events()) events_.push_back(std::move(event));
}

}  // namespace msn
