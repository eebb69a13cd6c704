// SPDX-License-Identifier: GPL-2.0-or-later
// MSN objects other than display pictures (custom emoticons today; winks and voice clips are
// fetched the same way), sans-I/O (docs/protocol/emoticons.md): fetching the objects the UI
// asks for from their Creator (a few at a time, at the display pictures' pace, each bounded in
// time and size, checked against the SHA1D), and serving ours to whoever INVITEs for one of
// them by its SHA1D. It is an application on the picture manager's P2P links, which hand it
// every INVITE for an MSN object that is not a display picture.
//
// Driving contract: fetch() when the UI lacks an object; add_own() for what we announce;
// on_timer() at next_deadline(); the link owner calls the P2pApplication side. Then drain
// take_events() (ObjectReceived / ObjectFetchFailed).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "p2p/display_picture.h"
#include "p2p/msn_object.h"
#include "session/event.h"
#include "session/p2p_application.h"

namespace msn {

struct ObjectConfig {
  std::string account;
  std::size_t max_fetches = 2;           // running at once
  std::size_t max_queued_fetches = 64;   // waiting
  std::size_t max_own_objects = 64;      // ours that we serve (the oldest forgotten first)
  std::size_t max_senders_per_peer = 4;  // our objects to one contact at once
  std::size_t max_senders = 16;          // and to everyone
};

using ObjectRandom = std::function<Result<std::string>(std::size_t)>;

class ObjectManager final : public P2pApplication {
 public:
  ObjectManager(ObjectConfig config, ObjectRandom random);
  ~ObjectManager() override;
  ObjectManager(const ObjectManager&) = delete;
  ObjectManager& operator=(const ObjectManager&) = delete;
  void set_random_source(ObjectRandom random) { random_ = std::move(random); }
  void set_links(P2pLinks* links) { links_ = links; }

  // Fetches the object `msnobj` (the string as announced, URL-decoded) from `peer`, once:
  // asking again for a SHA1D queued or running changes nothing. Errc::kInvalidArgument for an
  // unusable msnobj, a type nothing here fetches, a Size of 0 or over max_object_bytes, or a
  // Creator other than `peer`; kLimit when too many wait.
  Status fetch(std::string_view peer, std::string_view msnobj, TimePoint now);
  // One of our objects: served to whoever asks for it by SHA1D. Returns its msnobj string.
  // Errc::kInvalidArgument for empty data or a type we do not serve, kLimit over its size.
  Result<std::string> add_own(std::uint32_t type, std::string data);

  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  std::vector<Event> take_events() { return std::exchange(events_, {}); }

  // P2pApplication.
  bool on_invite(const std::string& key, p2p::Link& link, const p2p::slp::Message& invite,
                 TimePoint now) override;
  bool on_slp(const std::string& key, p2p::Link& link, const p2p::slp::Message& message,
              TimePoint now) override;
  void on_chunk(const std::string&, p2p::Link&, const p2p::Packet&, TimePoint) override {}
  bool on_data(const std::string& key, p2p::Link& link, const p2p::Message& message,
               TimePoint now) override;
  void on_control(const std::string& key, p2p::Link& link, const p2p::Header& header,
                  TimePoint now) override;
  void on_carrier_lost(const std::string& key, TimePoint now) override;
  bool busy(const std::string& key) const override;

  // For tests and the debug log.
  std::size_t running_fetches() const;
  std::size_t queued_fetches() const { return queue_.size(); }
  std::size_t running_sends() const { return senders_.size(); }

 private:
  struct Fetch {
    std::string peer;
    std::string key;  // lower-cased peer
    std::string msnobj;
    p2p::MsnObject object;
    std::unique_ptr<p2p::PictureRequester> running;
  };
  struct Own {
    p2p::MsnObject object;
    std::string data;
  };
  struct Send {
    std::string key;
    std::string call_id;
    std::unique_ptr<p2p::PictureSender> sender;
  };

  void pump(TimePoint now);
  bool start(Fetch& fetch, TimePoint now);
  void settle(TimePoint now);
  void finished(Fetch& fetch);
  void flush(const std::string& peer);
  std::string random_branch();
  void log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

  ObjectConfig config_;
  ObjectRandom random_;
  P2pLinks* links_ = nullptr;
  std::map<std::string, Fetch> fetches_;         // by SHA1D, queued or running
  std::deque<std::string> queue_;                // SHA1Ds waiting to start, in order
  std::deque<std::pair<std::string, Own>> own_;  // by SHA1D, oldest first
  std::vector<Send> senders_;
  std::vector<Event> events_;
};

}  // namespace msn
