// SPDX-License-Identifier: GPL-2.0-or-later
// Display pictures of one sign-in, sans-I/O (docs/protocol/p2p.md, "Display pictures in the
// client"): the contacts' MSNObjects from their presence, fetching the pictures the UI asks for
// (a few at a time, paced, each bounded in time, retried once, checked against the SHA1D), and
// serving ours to whoever INVITEs for exactly our object. P2P packets go in and out as the
// binary bodies the switchboards carry; which switchboard carries them is the caller's
// business (ConversationManager::send_p2p / take_p2p).
//
// Driving contract: on_presence() with every PresenceChanged, fetch() when the UI wants a
// picture, on_packet()/on_carrier_lost() with what the switchboards hand on, on_timer() at
// next_deadline(); then drain take_packets() and take_events().
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
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "p2p/display_picture.h"
#include "p2p/link.h"
#include "p2p/msn_object.h"
#include "session/event.h"
#include "session/p2p_application.h"

namespace msn {

struct PictureConfig {
  std::string account;
  std::size_t max_fetches = 2;                 // running at once
  Duration pace = milliseconds(300);           // between starting two fetches
  std::size_t max_picture_bytes = 256 * 1024;  // ours and theirs
  std::size_t max_queued_fetches = 512;
  std::size_t max_senders_per_peer = 2;  // our picture to one contact at once
  std::size_t max_senders = 8;           // and to everyone
  std::size_t max_links = 64;            // contacts with P2P state
};

// n random bytes (an error when the system has none).
using PictureRandom = std::function<Result<std::string>(std::size_t)>;

class PictureManager final : public P2pLinks {
 public:
  PictureManager(PictureConfig config, PictureRandom random);
  ~PictureManager() override;
  PictureManager(const PictureManager&) = delete;
  PictureManager& operator=(const PictureManager&) = delete;
  void set_random_source(PictureRandom random) { random_ = std::move(random); }

  // A contact's presence: a new, changed or removed picture gives ContactPictureChanged.
  // Offline (FLN) keeps the picture they had.
  void on_presence(const ev::PresenceChanged& presence, TimePoint now);
  // Fetches the contact's current picture (once; asking again while it is queued or running
  // changes nothing). Errc::kInvalidArgument when they announced none, kLimit when too many
  // wait.
  Status fetch(std::string_view address, TimePoint now);

  // Our picture (the image bytes; empty: none). Errc::kLimit above max_picture_bytes. Sends
  // already running keep the data they started with.
  Status set_own_picture(std::string data);
  // Our MSNObject as it goes (URL-encoded) on CHG; empty without a picture.
  const std::string& own_msn_object() const { return own_string_; }

  // A P2P packet's binary body from `peer`.
  void on_packet(std::string_view peer, std::string_view body, TimePoint now);
  // The switchboard that carried P2P with `peer` is gone: our running fetch from them is tried
  // once more; our sends to them go on (they end by their ACK or time-out).
  void on_carrier_lost(std::string_view peer, TimePoint now);
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  struct Packet {
    std::string peer;
    std::string body;
    bool signalling = false;  // SLP or a P2P ACK: goes ahead of data
  };
  std::vector<Packet> take_packets() { return std::exchange(packets_, {}); }

  // Other applications on the same links (files, other MSN objects): what is not for the
  // pictures goes to them, each asked in the order added. set_application adds one.
  void add_application(P2pApplication* application) { applications_.push_back(application); }
  void set_application(P2pApplication* application) { add_application(application); }
  p2p::Link* link(std::string_view peer) override;
  void flush_link(std::string_view peer) override;
  bool take_fetch_turn(TimePoint now) override;
  std::optional<TimePoint> next_fetch_turn() const override { return next_start_; }
  std::vector<Event> take_events() { return std::exchange(events_, {}); }
  // Ink that came over P2P (SessionID 64, already ACKed): the message data, for the
  // conversations (ConversationManager::on_p2p_ink).
  struct Ink {
    std::string peer;
    std::string data;
  };
  std::vector<Ink> take_inks() { return std::exchange(inks_, {}); }

  // For tests and the debug log.
  std::size_t running_fetches() const;
  std::size_t queued_fetches() const { return queue_.size(); }
  std::size_t running_sends() const { return senders_.size(); }

 private:
  struct Known {
    std::string address;
    std::string msnobj;  // as announced (URL-decoded)
    p2p::MsnObject object;
  };
  struct Fetch {
    std::string address;
    std::string msnobj;
    p2p::MsnObject object;
    int attempts = 0;
    std::unique_ptr<p2p::PictureRequester> running;
    std::string running_sha1d;
  };
  struct Send {
    std::string peer_key;
    std::string call_id;
    std::unique_ptr<p2p::PictureSender> sender;
  };

  // picture_manager.cpp: contacts, the fetch queue, our picture.
  void forget(const std::string& key, TimePoint now);
  void pump(TimePoint now);
  bool start(Fetch& fetch, TimePoint now);
  void settle(TimePoint now);
  void finished(const std::string& key, Fetch& fetch, TimePoint now);
  void retry_or_give_up(const std::string& key, Fetch& fetch, bool worth_retrying, const char* why);
  std::optional<p2p::RequestSeeds> seeds();
  std::uint32_t random32();

  // picture_p2p.cpp: links and packets.
  p2p::Link* link_for(const std::string& key, std::string_view peer);
  void flush(const std::string& key);
  void route(const std::string& key, const p2p::Message& message, TimePoint now);
  void route_slp(const std::string& key, const p2p::slp::Message& slp, TimePoint now);
  void answer_invite(const std::string& key, const p2p::slp::Message& invite, TimePoint now);
  bool application_busy(const std::string& key) const;
  void log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

  PictureConfig config_;
  PictureRandom random_;
  std::vector<P2pApplication*> applications_;
  std::map<std::string, Known> known_;    // lower-cased address -> their current picture
  std::map<std::string, Fetch> fetches_;  // queued or running, by lower-cased address
  std::deque<std::string> queue_;         // keys waiting to start, in order
  std::vector<Send> senders_;
  std::map<std::string, std::unique_ptr<p2p::Link>> links_;
  TimePoint next_start_{};

  std::optional<p2p::MsnObject> own_object_;
  std::string own_string_;
  std::string own_data_;

  std::vector<Packet> packets_;
  std::vector<Event> events_;
  std::vector<Ink> inks_;
};

}  // namespace msn
