// SPDX-License-Identifier: GPL-2.0-or-later
// The picture manager's P2P side: one Link per contact, packets routed to the session they
// belong to (SLP by Call-ID, data by SessionID, P2P ACKs to our sends), INVITEs for our picture
// answered, and what the links produce handed out as switchboard bodies.
#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "p2p/header.h"
#include "p2p/slp.h"
#include "p2p/transport.h"
#include "session/ink_message.h"
#include "session/picture_manager.h"

namespace msn {

p2p::Link* PictureManager::link_for(const std::string& key, std::string_view peer) {
  if (const auto it = links_.find(key); it != links_.end()) return it->second.get();
  if (links_.size() >= config_.max_links) {
    // Forget a link nothing runs on; a peer that keeps sending to us gets a fresh one.
    const auto idle = std::find_if(links_.begin(), links_.end(), [&](const auto& entry) {
      const bool fetching = fetches_.count(entry.first) != 0 && fetches_.at(entry.first).running;
      const bool sending = std::any_of(senders_.begin(), senders_.end(),
                                       [&](const Send& s) { return s.peer_key == entry.first; });
      const bool other = application_busy(entry.first);
      return !fetching && !sending && !other;
    });
    if (idle == links_.end()) return nullptr;
    links_.erase(idle);
  }
  p2p::ReassemblyLimits limits;
  limits.max_message_bytes = config_.max_picture_bytes;
  auto link = std::make_unique<p2p::Link>(
      config_.account, std::string(peer), random32(), [this] { return random32(); }, limits);
  return links_.emplace(key, std::move(link)).first->second.get();
}

// What the link of `key` has to send, as switchboard bodies: SLP and ACKs marked as
// signalling, so that the switchboard sends them ahead of picture data.
void PictureManager::flush(const std::string& key) {
  const auto it = links_.find(key);
  if (it == links_.end()) return;
  for (const p2p::Packet& packet : it->second->take_outputs()) {
    const bool signalling = packet.header.session_id == 0 || !p2p::carries_message(packet.header);
    packets_.push_back(
        Packet{it->second->peer(), p2p::serialize_switchboard_body(packet), signalling});
  }
}

bool PictureManager::application_busy(const std::string& key) const {
  return std::any_of(applications_.begin(), applications_.end(),
                     [&](const P2pApplication* application) { return application->busy(key); });
}

// Display pictures and the applications' fetches take turns at one pace: each fetch may need a
// switchboard, and the NS refuses XFRs asked too often.
bool PictureManager::take_fetch_turn(TimePoint now) {
  if (now < next_start_) return false;
  next_start_ = now + config_.pace;
  return true;
}

p2p::Link* PictureManager::link(std::string_view peer) {
  return link_for(ascii::to_lower(peer), peer);
}

void PictureManager::flush_link(std::string_view peer) { flush(ascii::to_lower(peer)); }

void PictureManager::on_packet(std::string_view peer, std::string_view body, TimePoint now) {
  const std::string key = ascii::to_lower(peer);
  auto packet = p2p::parse_switchboard_body(body);
  if (!packet) {
    log(LogLevel::kInfo, "pictures: unreadable P2P packet dropped: " + packet.error().detail);
    return;
  }
  p2p::Link* link = link_for(key, peer);
  if (link == nullptr) {
    log(LogLevel::kWarning, "pictures: P2P from too many contacts at once; dropped");
    return;
  }
  auto received = link->receive(*packet);
  if (!received) {
    log(LogLevel::kInfo, "pictures: P2P packet refused: " + received.error().detail);
    return;
  }
  if (received->control) {
    for (Send& send : senders_) {
      if (send.peer_key == key) send.sender->on_control(*received->control, now);
    }
    for (P2pApplication* application : applications_)
      application->on_control(key, *link, *received->control, now);
  }
  if (received->chunk) {
    for (P2pApplication* application : applications_)
      application->on_chunk(key, *link, *received->chunk, now);
  }
  if (received->message) route(key, *received->message, now);
  flush(key);
  settle(now);
}

void PictureManager::route(const std::string& key, const p2p::Message& message, TimePoint now) {
  if (message.header.session_id == 0) {
    auto slp = p2p::slp::parse(message.data);
    if (!slp) {
      // Nothing of SLP reaches the UI; a broken message (invalid UTF-8 included) is dropped.
      log(LogLevel::kInfo, "pictures: unreadable SLP message dropped: " + slp.error().detail);
      return;
    }
    return route_slp(key, *slp, now);
  }
  if (message.header.session_id == kInkSessionId)
    return inks_.push_back(Ink{links_.at(key)->peer(), message.data});
  const auto fetch = fetches_.find(key);
  const auto link = links_.find(key);
  if (link == links_.end()) return;
  if (fetch != fetches_.end() && fetch->second.running &&
      fetch->second.running->session_id() == message.header.session_id) {
    fetch->second.running->on_data(*link->second, message, now);
    return;
  }
  for (P2pApplication* application : applications_) {
    if (application->on_data(key, *link->second, message, now)) return;
  }
}

void PictureManager::route_slp(const std::string& key, const p2p::slp::Message& slp,
                               TimePoint now) {
  p2p::Link& link = *links_.at(key);
  const bool invite = slp.is_request() && slp.method == "INVITE";
  for (P2pApplication* application : applications_) {
    if (invite ? application->on_invite(key, link, slp, now)
               : application->on_slp(key, link, slp, now))
      return;
  }
  if (invite) return answer_invite(key, slp, now);
  if (const auto fetch = fetches_.find(key); fetch != fetches_.end() && fetch->second.running &&
                                             fetch->second.running->call_id() == slp.call_id) {
    fetch->second.running->on_slp(link, slp, now);
    return;
  }
  for (Send& send : senders_) {
    if (send.peer_key == key && send.call_id == slp.call_id) send.sender->on_slp(link, slp, now);
  }
}

// Every INVITE gets an answer: 200 and our picture when it names exactly our object (its
// SHA1D), 603 Decline for anything else (another object, a file, a webcam, too many at once).
// PictureSender checks the Context before it answers.
void PictureManager::answer_invite(const std::string& key, const p2p::slp::Message& invite,
                                   TimePoint now) {
  p2p::Link& link = *links_.at(key);
  const auto for_peer = static_cast<std::size_t>(std::count_if(
      senders_.begin(), senders_.end(), [&](const Send& s) { return s.peer_key == key; }));
  const bool room =
      for_peer < config_.max_senders_per_peer && senders_.size() < config_.max_senders;
  auto bye_branch = random_ ? random_(16) : make_error(Errc::kUnsupported, "no randomness");
  const std::string branch = bye_branch && bye_branch->size() == 16
                                 ? p2p::slp::guid_from_bytes(*bye_branch)
                                 : std::string("{00000000-0000-0000-0000-000000000000}");
  // Without room or a picture the sender has no object to match, so it declines.
  auto sender = (own_object_ && room)
                    ? std::make_unique<p2p::PictureSender>(*own_object_, own_data_, branch)
                    : std::make_unique<p2p::PictureSender>(p2p::MsnObject{}, std::string(), branch);
  sender->on_invite(link, invite, now);
  if (sender->state() == p2p::TransferState::kFailed) {
    log(LogLevel::kInfo, "pictures: declined an INVITE that did not name our picture");
    return;
  }
  senders_.push_back(Send{key, invite.call_id, std::move(sender)});
}

// Only our fetch is started again: a switchboard that closes may well have relayed all we
// sent, and the peer may already be talking to us over another one (both opened one at once),
// so our sends go on and end by themselves (the data's ACK, or their time-out); a peer whose
// fetch broke asks again, which starts a new send.
void PictureManager::on_carrier_lost(std::string_view peer, TimePoint now) {
  const std::string key = ascii::to_lower(peer);
  for (P2pApplication* application : applications_) application->on_carrier_lost(key, now);
  const auto it = fetches_.find(key);
  if (it == fetches_.end() || !it->second.running) return;
  if (const auto link = links_.find(key); link != links_.end())
    link->second->drop_session(it->second.running->session_id());
  it->second.running.reset();
  retry_or_give_up(key, it->second, true, "the switchboard closed");
  pump(now);
}

}  // namespace msn
