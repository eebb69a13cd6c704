// SPDX-License-Identifier: GPL-2.0-or-later
// The contacts' pictures (from presence), the fetch queue and our own picture. The packets and
// the P2P links are in picture_p2p.cpp.
#include "session/picture_manager.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "p2p/slp.h"

namespace msn {

namespace {

// How often a fetch is tried: the first time, and once more after a timeout, a cancel or a
// lost switchboard. A decline or wrong data is not tried again: the peer would repeat it.
constexpr int kMaxAttempts = 2;
// Our MSNObject's Location, as the plugin writes it: a name only, never read as a path.
constexpr std::string_view kOwnLocation = "TFR2C2.tmp";
// Friendly: base64 of an empty UTF-16LE name.
constexpr std::string_view kEmptyFriendly = "AAA=";

}  // namespace

PictureManager::PictureManager(PictureConfig config, PictureRandom random)
    : config_(std::move(config)), random_(std::move(random)) {}

PictureManager::~PictureManager() = default;

// ---- contacts -------------------------------------------------------------------------------

void PictureManager::on_presence(const ev::PresenceChanged& presence, TimePoint now) {
  const std::string key = ascii::to_lower(presence.address);
  if (presence.status == PresenceStatus::kOffline) {
    // FLN carries no object: the contact keeps the picture they had, but cannot send it now.
    if (const auto it = fetches_.find(key); it != fetches_.end() && !it->second.running) {
      std::erase(queue_, key);
      fetches_.erase(it);
    }
    return;
  }
  if (presence.msn_object.empty()) return forget(key, now);
  auto object = p2p::parse_msn_object(presence.msn_object);
  if (!object) {
    log(LogLevel::kInfo, "pictures: unusable msnobj ignored: " + object.error().detail);
    return;
  }
  if (object->type != p2p::object_type::kDisplayPicture ||
      object->size > config_.max_picture_bytes) {
    log(LogLevel::kInfo, "pictures: a contact's object is no picture we fetch; ignored");
    return forget(key, now);
  }
  const auto it = known_.find(key);
  if (it != known_.end() && it->second.object.sha1d == object->sha1d) return;
  known_[key] = Known{presence.address, presence.msn_object, *object};
  // A queued fetch asks for the new object; a running one finishes and is then dropped
  // (finished() shows only the current object).
  if (const auto fetch = fetches_.find(key); fetch != fetches_.end()) {
    fetch->second.msnobj = presence.msn_object;
    fetch->second.object = *object;
    fetch->second.attempts = 0;
  }
  events_.push_back(ev::ContactPictureChanged{presence.address, object->sha1d});
}

// The contact has no picture (any more): the UI clears its icon.
void PictureManager::forget(const std::string& key, TimePoint /*now*/) {
  const auto it = known_.find(key);
  const bool had = it != known_.end();
  std::string address = had ? it->second.address : std::string();
  if (had) known_.erase(it);
  if (const auto fetch = fetches_.find(key); fetch != fetches_.end() && !fetch->second.running) {
    std::erase(queue_, key);
    fetches_.erase(fetch);
  }
  if (had) events_.push_back(ev::ContactPictureChanged{std::move(address), std::nullopt});
}

Status PictureManager::fetch(std::string_view address, TimePoint now) {
  const std::string key = ascii::to_lower(address);
  const auto it = known_.find(key);
  if (it == known_.end()) return make_error(Errc::kInvalidArgument, "no picture announced");
  if (fetches_.count(key) != 0) return Status::ok();
  if (fetches_.size() >= config_.max_queued_fetches)
    return make_error(Errc::kLimit, "too many pictures waiting");
  Fetch& fetch = fetches_[key];
  fetch.address = it->second.address;
  fetch.msnobj = it->second.msnobj;
  fetch.object = it->second.object;
  queue_.push_back(key);
  pump(now);
  return Status::ok();
}

std::size_t PictureManager::running_fetches() const {
  return static_cast<std::size_t>(
      std::count_if(fetches_.begin(), fetches_.end(),
                    [](const auto& entry) { return entry.second.running != nullptr; }));
}

// Starts queued fetches while fewer than max_fetches run, one per `pace`: a sign-in with a
// hundred pictures to fetch opens a few switchboards at a time, not a hundred.
void PictureManager::pump(TimePoint now) {
  while (!queue_.empty() && running_fetches() < config_.max_fetches && now >= next_start_) {
    const std::string key = queue_.front();
    queue_.pop_front();
    const auto it = fetches_.find(key);
    if (it == fetches_.end() || it->second.running) continue;
    if (!start(it->second, now)) {
      fetches_.erase(it);
      continue;
    }
    next_start_ = now + config_.pace;
    flush(key);
  }
}

bool PictureManager::start(Fetch& fetch, TimePoint now) {
  auto fetch_seeds = seeds();
  p2p::Link* link = link_for(ascii::to_lower(fetch.address), fetch.address);
  if (!fetch_seeds || link == nullptr) {
    log(LogLevel::kWarning, "pictures: a fetch could not start (no randomness or too many peers)");
    return false;
  }
  ++fetch.attempts;
  log(LogLevel::kInfo, "pictures: fetching the picture of " + fetch.address);
  fetch.running_sha1d = fetch.object.sha1d;
  fetch.running =
      std::make_unique<p2p::PictureRequester>(fetch.object, fetch.msnobj, std::move(*fetch_seeds));
  fetch.running->start(*link, now);
  return true;
}

// Whatever finished since: results reported, failures tried again or given up, senders gone.
void PictureManager::settle(TimePoint now) {
  for (auto it = fetches_.begin(); it != fetches_.end();) {
    Fetch& fetch = it->second;
    const std::string key = it->first;
    ++it;
    if (!fetch.running) continue;
    const auto state = fetch.running->state();
    if (state == p2p::TransferState::kDone || state == p2p::TransferState::kFailed)
      finished(key, fetch, now);
  }
  std::erase_if(senders_, [](const Send& send) {
    const auto state = send.sender->state();
    return state == p2p::TransferState::kDone || state == p2p::TransferState::kFailed;
  });
  pump(now);
}

void PictureManager::finished(const std::string& key, Fetch& fetch, TimePoint /*now*/) {
  auto requester = std::move(fetch.running);
  flush(key);  // the BYE
  const auto known = known_.find(key);
  if (known != known_.end() && fetch.running_sha1d != known->second.object.sha1d) {
    // The contact changed their picture meanwhile: whatever this session got is stale, and
    // the current one is fetched instead.
    log(LogLevel::kInfo, "pictures: the contact's picture changed during a fetch; fetching anew");
    fetch.attempts = 0;
    queue_.push_back(key);
    return;
  }
  if (requester->state() == p2p::TransferState::kFailed) {
    switch (requester->failure()) {
      case p2p::TransferFailure::kBadData:
        return retry_or_give_up(key, fetch, false, "the data did not match its SHA1D");
      case p2p::TransferFailure::kDeclined:
        return retry_or_give_up(key, fetch, false, "the contact declined");
      default:
        return retry_or_give_up(key, fetch, true, "no answer in time");
    }
  }
  if (known == known_.end()) {
    log(LogLevel::kInfo, "pictures: the contact removed their picture during a fetch; dropped");
    fetches_.erase(key);
    return;
  }
  events_.push_back(
      ev::ContactPictureReceived{known->second.address, fetch.running_sha1d, requester->data()});
  fetches_.erase(key);
}

void PictureManager::retry_or_give_up(const std::string& key, Fetch& fetch, bool worth_retrying,
                                      const char* why) {
  if (worth_retrying && fetch.attempts < kMaxAttempts && known_.count(key) != 0) {
    log(LogLevel::kInfo, "pictures: a fetch failed; trying once more");
    queue_.push_back(key);
    return;
  }
  log(LogLevel::kInfo, std::string("pictures: gave up on a contact's picture: ") + why);
  fetches_.erase(key);
}

// ---- our picture ----------------------------------------------------------------------------

Status PictureManager::set_own_picture(std::string data) {
  if (data.empty()) {
    own_object_.reset();
    own_string_.clear();
    own_data_.clear();
    return Status::ok();
  }
  if (data.size() > config_.max_picture_bytes)
    return make_error(Errc::kLimit, "the picture is too large");
  own_object_ = p2p::make_msn_object(config_.account, p2p::object_type::kDisplayPicture,
                                     kOwnLocation, kEmptyFriendly, data);
  own_string_ = p2p::serialize(*own_object_);
  own_data_ = std::move(data);
  return Status::ok();
}

// ---- timers and randomness ------------------------------------------------------------------

void PictureManager::on_timer(TimePoint now) {
  for (auto& [key, fetch] : fetches_) {
    if (!fetch.running) continue;
    if (p2p::Link* link = link_for(key, fetch.address)) fetch.running->on_timer(*link, now);
    flush(key);
  }
  for (Send& send : senders_) {
    const auto link = links_.find(send.peer_key);
    if (link == links_.end()) continue;
    send.sender->on_timer(*link->second, now);
    flush(send.peer_key);
  }
  settle(now);
}

std::optional<TimePoint> PictureManager::next_deadline() const {
  std::optional<TimePoint> earliest;
  const auto consider = [&](std::optional<TimePoint> t) {
    if (t && (!earliest || *t < *earliest)) earliest = t;
  };
  for (const auto& [key, fetch] : fetches_) {
    if (fetch.running) consider(fetch.running->next_deadline());
  }
  for (const Send& send : senders_) consider(send.sender->next_deadline());
  if (!queue_.empty() && running_fetches() < config_.max_fetches) consider(next_start_);
  return earliest;
}

std::uint32_t PictureManager::random32() {
  auto bytes = random_ ? random_(4) : make_error(Errc::kUnsupported, "no randomness");
  if (!bytes || bytes->size() != 4) return 0x1F2E3D4Cu;  // AckIDs only need to differ
  std::uint32_t value = 0;
  for (const char c : *bytes) value = (value << 8) | static_cast<unsigned char>(c);
  return value;
}

std::optional<p2p::RequestSeeds> PictureManager::seeds() {
  if (!random_) return std::nullopt;
  auto bytes = random_(p2p::kRequestSeedBytes);
  if (!bytes) return std::nullopt;
  return p2p::make_request_seeds(*bytes);
}

}  // namespace msn
