// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/emoticons.md, "Fetching and serving MSN objects".
#include "session/object_manager.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "p2p/slp.h"

namespace msn {

namespace {

// Our objects' Location, as the plugin writes it: a name only, never read as a path.
constexpr std::string_view kOwnLocation = "TFR2C2.tmp";
constexpr std::string_view kEmptyFriendly = "AAA=";

bool fetchable(std::uint32_t type) {
  return type == p2p::object_type::kEmoticon || type == p2p::object_type::kWink ||
         type == p2p::object_type::kVoiceClip;
}

// The MSN object an INVITE asks for; nullopt when it names none.
std::optional<p2p::MsnObject> asked_object(const p2p::slp::Message& invite) {
  auto request = p2p::slp::parse_session_request(invite);
  if (!request || request->euf_guid != p2p::slp::euf_guid::kMsnObject) return std::nullopt;
  auto text = p2p::decode_context(request->context);
  if (!text) return std::nullopt;
  auto object = p2p::parse_msn_object(*text);
  if (!object) return std::nullopt;
  return std::move(*object);
}

}  // namespace

ObjectManager::ObjectManager(ObjectConfig config, ObjectRandom random)
    : config_(std::move(config)), random_(std::move(random)) {}

ObjectManager::~ObjectManager() = default;

// ---- fetching -------------------------------------------------------------------------------

Status ObjectManager::fetch(std::string_view peer, std::string_view msnobj, TimePoint now) {
  auto object = p2p::parse_msn_object(msnobj);
  if (!object)
    return make_error(Errc::kInvalidArgument, "unusable msnobj: " + object.error().detail);
  if (!fetchable(object->type)) return make_error(Errc::kInvalidArgument, "not an object we fetch");
  if (object->size == 0 || object->size > p2p::max_object_bytes(object->type))
    return make_error(Errc::kInvalidArgument, "the object's size is out of bounds");
  // The Creator is whom we ask: only the contact who announced it, never a third party the
  // announcement names (that would make us open switchboards to anyone).
  if (!ascii::iequals(object->creator, peer))
    return make_error(Errc::kInvalidArgument, "the object's Creator is not the contact");
  if (fetches_.count(object->sha1d) != 0) return Status::ok();
  if (fetches_.size() >= config_.max_queued_fetches)
    return make_error(Errc::kLimit, "too many objects waiting");
  const std::string sha1d = object->sha1d;
  fetches_[sha1d] = Fetch{std::string(peer), ascii::to_lower(peer), std::string(msnobj),
                          std::move(*object), nullptr};
  queue_.push_back(sha1d);
  pump(now);
  return Status::ok();
}

std::size_t ObjectManager::running_fetches() const {
  return static_cast<std::size_t>(
      std::count_if(fetches_.begin(), fetches_.end(),
                    [](const auto& entry) { return entry.second.running != nullptr; }));
}

void ObjectManager::pump(TimePoint now) {
  while (!queue_.empty() && running_fetches() < config_.max_fetches && links_ != nullptr &&
         links_->take_fetch_turn(now)) {
    const std::string sha1d = queue_.front();
    queue_.pop_front();
    const auto it = fetches_.find(sha1d);
    if (it == fetches_.end() || it->second.running) continue;
    if (!start(it->second, now)) {
      events_.push_back(ev::ObjectFetchFailed{it->second.peer, sha1d});
      fetches_.erase(it);
      continue;
    }
    flush(it->second.peer);
  }
}

bool ObjectManager::start(Fetch& fetch, TimePoint now) {
  auto bytes =
      random_ ? random_(p2p::kRequestSeedBytes) : make_error(Errc::kUnsupported, "no randomness");
  auto seeds = bytes ? p2p::make_request_seeds(*bytes) : std::nullopt;
  p2p::Link* link = links_->link(fetch.peer);
  if (!seeds || link == nullptr) {
    log(LogLevel::kWarning, "objects: a fetch could not start (no randomness or too many peers)");
    return false;
  }
  log(LogLevel::kInfo, "objects: fetching " + fetch.object.sha1d + " (type " +
                           std::to_string(fetch.object.type) + ") from " + fetch.peer);
  fetch.running = std::make_unique<p2p::PictureRequester>(
      fetch.object, fetch.msnobj, std::move(*seeds), p2p::request_app_id(fetch.object.type));
  fetch.running->start(*link, now);
  return true;
}

void ObjectManager::settle(TimePoint now) {
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    Fetch& fetch = it->second;
    const bool over = fetch.running && (fetch.running->state() == p2p::TransferState::kDone ||
                                        fetch.running->state() == p2p::TransferState::kFailed);
    if (!over) {
      ++it;
      continue;
    }
    finished(fetch);
    it = fetches_.erase(it);
  }
  std::erase_if(senders_, [](const Send& send) {
    const auto state = send.sender->state();
    return state == p2p::TransferState::kDone || state == p2p::TransferState::kFailed;
  });
  pump(now);
}

// Not tried again: a peer that declined or sent wrong data would do it again, and one that
// did not answer in 60 s is unlikely to; the UI keeps the shortcut text.
void ObjectManager::finished(Fetch& fetch) {
  flush(fetch.peer);  // the BYE
  const auto& requester = *fetch.running;
  if (requester.state() == p2p::TransferState::kDone) {
    events_.push_back(
        ev::ObjectReceived{fetch.peer, fetch.object.sha1d, fetch.object.type, requester.data()});
    return;
  }
  log(LogLevel::kInfo, "objects: gave up on " + fetch.object.sha1d + " from " + fetch.peer);
  events_.push_back(ev::ObjectFetchFailed{fetch.peer, fetch.object.sha1d});
}

void ObjectManager::flush(const std::string& peer) {
  if (links_ != nullptr) links_->flush_link(peer);
}

// ---- our objects ----------------------------------------------------------------------------

Result<std::string> ObjectManager::add_own(std::uint32_t type, std::string data) {
  if (data.empty() || !fetchable(type))
    return make_error(Errc::kInvalidArgument, "no object of a type we serve");
  if (data.size() > p2p::max_object_bytes(type))
    return make_error(Errc::kLimit, "the object is too large");
  p2p::MsnObject object =
      p2p::make_msn_object(config_.account, type, kOwnLocation, kEmptyFriendly, data);
  std::string text = p2p::serialize(object);
  const auto same = [&](const auto& entry) { return entry.first == object.sha1d; };
  if (std::none_of(own_.begin(), own_.end(), same)) {
    if (own_.size() >= config_.max_own_objects) own_.pop_front();
    const std::string sha1d = object.sha1d;
    own_.emplace_back(sha1d, Own{std::move(object), std::move(data)});
  }
  return text;
}

// ---- P2P ------------------------------------------------------------------------------------

std::string ObjectManager::random_branch() {
  auto bytes = random_ ? random_(16) : make_error(Errc::kUnsupported, "no randomness");
  return bytes && bytes->size() == 16 ? p2p::slp::guid_from_bytes(*bytes)
                                      : std::string("{00000000-0000-0000-0000-000000000000}");
}

// Every INVITE for an MSN object other than a display picture is ours to answer: 200 and the
// data when its SHA1D is one of our objects, 603 for anything else (PictureSender declines
// when it has no matching object).
bool ObjectManager::on_invite(const std::string& key, p2p::Link& link,
                              const p2p::slp::Message& invite, TimePoint now) {
  const auto asked = asked_object(invite);
  if (!asked || asked->type == p2p::object_type::kDisplayPicture) return false;
  const auto own = std::find_if(own_.begin(), own_.end(),
                                [&](const auto& entry) { return entry.first == asked->sha1d; });
  const auto for_peer = static_cast<std::size_t>(
      std::count_if(senders_.begin(), senders_.end(), [&](const Send& s) { return s.key == key; }));
  const bool room =
      for_peer < config_.max_senders_per_peer && senders_.size() < config_.max_senders;
  auto sender =
      (own != own_.end() && room)
          ? std::make_unique<p2p::PictureSender>(own->second.object, own->second.data,
                                                 random_branch())
          : std::make_unique<p2p::PictureSender>(p2p::MsnObject{}, std::string(), random_branch());
  sender->on_invite(link, invite, now);
  if (sender->state() == p2p::TransferState::kFailed) {
    log(LogLevel::kInfo, "objects: declined an INVITE for an object we do not have");
    return true;
  }
  log(LogLevel::kInfo, "objects: serving " + asked->sha1d + " to " + link.peer());
  senders_.push_back(Send{key, invite.call_id, std::move(sender)});
  return true;
}

bool ObjectManager::on_slp(const std::string& key, p2p::Link& link,
                           const p2p::slp::Message& message, TimePoint now) {
  for (auto& [sha1d, fetch] : fetches_) {
    if (fetch.running && fetch.key == key && fetch.running->call_id() == message.call_id) {
      fetch.running->on_slp(link, message, now);
      settle(now);
      return true;
    }
  }
  for (Send& send : senders_) {
    if (send.key == key && send.call_id == message.call_id) {
      send.sender->on_slp(link, message, now);
      settle(now);
      return true;
    }
  }
  return false;
}

bool ObjectManager::on_data(const std::string& key, p2p::Link& link, const p2p::Message& message,
                            TimePoint now) {
  for (auto& [sha1d, fetch] : fetches_) {
    if (fetch.running && fetch.key == key &&
        fetch.running->session_id() == message.header.session_id) {
      fetch.running->on_data(link, message, now);
      settle(now);
      return true;
    }
  }
  return false;
}

void ObjectManager::on_control(const std::string& key, p2p::Link& /*link*/,
                               const p2p::Header& header, TimePoint now) {
  for (Send& send : senders_) {
    if (send.key == key) send.sender->on_control(header, now);
  }
}

// A running fetch from the contact fails (their switchboard is gone and the session with it);
// our sends end by themselves, as the display pictures' do.
void ObjectManager::on_carrier_lost(const std::string& key, TimePoint now) {
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    if (!it->second.running || it->second.key != key) {
      ++it;
      continue;
    }
    if (p2p::Link* link = links_ != nullptr ? links_->link(it->second.peer) : nullptr)
      link->drop_session(it->second.running->session_id());
    log(LogLevel::kInfo, "objects: the switchboard closed during a fetch from " + it->second.peer);
    events_.push_back(ev::ObjectFetchFailed{it->second.peer, it->first});
    it = fetches_.erase(it);
  }
  pump(now);
}

bool ObjectManager::busy(const std::string& key) const {
  const bool fetching = std::any_of(fetches_.begin(), fetches_.end(), [&](const auto& entry) {
    return entry.second.running && entry.second.key == key;
  });
  return fetching ||
         std::any_of(senders_.begin(), senders_.end(), [&](const Send& s) { return s.key == key; });
}

// ---- timers ---------------------------------------------------------------------------------

void ObjectManager::on_timer(TimePoint now) {
  if (links_ == nullptr) return;
  for (auto& [sha1d, fetch] : fetches_) {
    if (!fetch.running) continue;
    if (p2p::Link* link = links_->link(fetch.peer)) fetch.running->on_timer(*link, now);
    flush(fetch.peer);
  }
  for (Send& send : senders_) {
    if (p2p::Link* link = links_->link(send.key)) send.sender->on_timer(*link, now);
    flush(send.key);
  }
  settle(now);
}

std::optional<TimePoint> ObjectManager::next_deadline() const {
  std::optional<TimePoint> earliest;
  const auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!earliest || *t < *earliest)) earliest = t;
  };
  for (const auto& [sha1d, fetch] : fetches_) {
    if (fetch.running) consider(fetch.running->next_deadline());
  }
  for (const Send& send : senders_) consider(send.sender->next_deadline());
  if (!queue_.empty() && running_fetches() < config_.max_fetches && links_ != nullptr) {
    // nullopt from the link owner means a turn is free now.
    const auto turn = links_->next_fetch_turn();
    consider(turn ? turn : std::optional<TimePoint>(TimePoint{}));
  }
  return earliest;
}

}  // namespace msn
