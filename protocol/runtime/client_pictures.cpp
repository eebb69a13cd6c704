// SPDX-License-Identifier: GPL-2.0-or-later
// Client's display pictures: the picture manager's packets carried by the conversation
// manager's switchboards, and our own picture announced on the NS.
#include "runtime/client.h"

namespace msn {

PictureConfig Client::picture_config(const Settings& settings) {
  PictureConfig config;
  config.account = settings.account;
  return config;
}

Status Client::fetch_display_picture(std::string_view address, TimePoint now) {
  auto status = pictures_.fetch(address, now);
  settle(now);
  return status;
}

Status Client::set_display_picture(std::string data, TimePoint now) {
  auto status = pictures_.set_own_picture(std::move(data));
  if (status) ns_.set_msn_object(pictures_.own_msn_object(), now);
  settle(now);
  return status;
}

// Packets both ways between the switchboards and the picture manager, until neither has more
// (an INVITE received gives an ACK and an answer to send, and so on). True when anything
// moved: a packet for a contact without a switchboard needs the conversation manager to ask
// for one in the caller's next round.
bool Client::route_p2p(TimePoint now) {
  if (conversations_.is_shut_down()) {
    // The session is over (Disconnected was the last event): nothing goes out or up any more.
    (void)conversations_.take_p2p();
    (void)pictures_.take_packets();
    (void)pictures_.take_events();
    (void)objects_.take_events();
    (void)pictures_.take_inks();
    files_.shut_down();
    for (auto& output : files_.direct().take_outputs()) outputs_.push_back(std::move(output));
    return false;
  }
  bool moved = false;
  // Bounded: each round needs a packet or a failure, and failures end in giving up.
  for (int round = 0; round < 64; ++round) {
    auto notices = conversations_.take_p2p();
    for (auto& notice : notices) {
      if (notice.lost) {
        pictures_.on_carrier_lost(notice.peer, now);
      } else {
        pictures_.on_packet(notice.peer, notice.body, now);
      }
    }
    for (auto& ink : pictures_.take_inks()) conversations_.on_p2p_ink(ink.peer, ink.data);
    pump_files(now);
    auto packets = pictures_.take_packets();
    for (auto& packet : packets) {
      if (auto status =
              conversations_.send_p2p(packet.peer, std::move(packet.body), packet.signalling, now);
          !status) {
        events_.push_back(ev::Log{LogLevel::kInfo, "pictures: a P2P message could not be sent: " +
                                                       status.error().detail});
        pictures_.on_carrier_lost(packet.peer, now);
      }
    }
    for (auto& event : pictures_.take_events()) events_.push_back(std::move(event));
    for (auto& event : files_.take_events()) events_.push_back(std::move(event));
    object_events();
    if (notices.empty() && packets.empty()) return moved;
    moved = true;
  }
  return moved;
}

}  // namespace msn
