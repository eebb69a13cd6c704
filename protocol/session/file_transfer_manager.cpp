// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "File transfer in the client".
#include "session/file_transfer_manager.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "crypto/crypto.h"
#include "p2p/dc_framing.h"
#include "p2p/slp_direct.h"

namespace msn {
namespace {

using p2p::TransferState;

ev::FileEndReason reason_of(p2p::FileFailure failure) {
  switch (failure) {
    case p2p::FileFailure::kDeclined:
      return ev::FileEndReason::kDeclined;
    case p2p::FileFailure::kCancelledByPeer:
      return ev::FileEndReason::kCancelledByPeer;
    case p2p::FileFailure::kCancelledByUs:
      return ev::FileEndReason::kCancelledByUs;
    case p2p::FileFailure::kTimeout:
      return ev::FileEndReason::kTimeout;
    case p2p::FileFailure::kBadData:
      return ev::FileEndReason::kBadData;
    case p2p::FileFailure::kPeerError:
    case p2p::FileFailure::kNone:
      break;
  }
  return ev::FileEndReason::kPeerError;
}

bool finished(TransferState state) {
  return state == TransferState::kDone || state == TransferState::kFailed;
}

// Chunks of a file asked of the UI ahead: a few switchboard chunks, or 64 KiB for a direct
// connection (which takes a window of 256 KiB at once).
std::size_t buffer_cap(const FileConfig& config, bool direct) {
  return direct ? 48 * p2p::dc::kMaxDataPerPacket
                : config.buffered_chunks * p2p::kMaxSwitchboardChunk;
}

}  // namespace

FileTransferManager::FileTransferManager(FileConfig config, FileRandom random)
    : config_(config), random_(std::move(random)) {}

FileTransferManager::~FileTransferManager() = default;

// ---- intents --------------------------------------------------------------------------------

Result<ev::FileTransferId> FileTransferManager::send_file(std::string_view peer,
                                                          std::string_view name, std::uint64_t size,
                                                          TimePoint now) {
  const std::string key = ascii::to_lower(peer);
  if (!room_for_one_more(key)) return make_error(Errc::kLimit, "too many file transfers at once");
  auto bytes =
      random_ ? random_(p2p::kRequestSeedBytes) : make_error(Errc::kUnsupported, "no randomness");
  std::optional<p2p::RequestSeeds> seeds;
  if (bytes) seeds = p2p::make_request_seeds(*bytes);
  p2p::Link* link = links_ != nullptr ? links_->link(peer) : nullptr;
  if (!seeds || link == nullptr)
    return make_error(Errc::kUnsupported, "no randomness or too many contacts with P2P");
  const ev::FileTransferId id = next_id_++;
  Transfer& t = transfers_[id];
  t.peer = std::string(peer);
  t.key = key;
  t.sender = std::make_unique<p2p::FileSender>(std::move(*seeds), std::string(name), size);
  t.sender->start(*link, now);
  links_->flush_link(peer);
  return id;
}

Status FileTransferManager::accept(ev::FileTransferId id, TimePoint now) {
  const auto it = transfers_.find(id);
  if (it == transfers_.end() || !it->second.receiver ||
      it->second.receiver->state() != TransferState::kIdle)
    return make_error(Errc::kInvalidArgument, "no file offer with that id");
  p2p::Link* link = links_->link(it->second.peer);
  if (link == nullptr) return make_error(Errc::kUnsupported, "no P2P link to the contact");
  it->second.receiver->accept(*link, now);
  links_->flush_link(it->second.peer);
  return Status::ok();
}

Status FileTransferManager::decline(ev::FileTransferId id, TimePoint now) {
  const auto it = transfers_.find(id);
  if (it == transfers_.end() || !it->second.receiver ||
      it->second.receiver->state() != TransferState::kIdle)
    return make_error(Errc::kInvalidArgument, "no file offer with that id");
  return cancel(id, now);
}

Status FileTransferManager::cancel(ev::FileTransferId id, TimePoint now) {
  const auto it = transfers_.find(id);
  if (it == transfers_.end()) return make_error(Errc::kInvalidArgument, "no transfer with that id");
  Transfer& t = it->second;
  t.buffer.clear();
  t.head = 0;
  t.asked = 0;
  if (p2p::Link* link = links_->link(t.peer)) {
    if (t.sender) t.sender->cancel(*link);
    if (t.receiver) t.receiver->cancel(*link);
    links_->flush_link(t.peer);
  }
  settle(now);
  return Status::ok();
}

Status FileTransferManager::provide_data(ev::FileTransferId id, std::string bytes,
                                         TimePoint /*now*/) {
  const auto it = transfers_.find(id);
  if (it == transfers_.end() || !it->second.sender)
    return make_error(Errc::kInvalidArgument, "no file we send with that id");
  Transfer& t = it->second;
  if (t.stale_answer) {
    // Asked before the transfer went back to the receiver's offset: asked again from there.
    t.stale_answer = false;
    return Status::ok();
  }
  if (bytes.empty() || bytes.size() > t.asked)
    return make_error(Errc::kInvalidArgument, "not the bytes asked for");
  t.buffer.erase(0, t.head);
  t.head = 0;
  t.buffer += bytes;
  t.asked = 0;  // a short answer is the file's end; the sender's size says whether it was
  return Status::ok();
}

// ---- sending --------------------------------------------------------------------------------

void FileTransferManager::pump(const BridgeRoom& room, TimePoint now) {
  end_broken(now);
  std::map<std::string, std::size_t> rooms;
  for (auto& [id, t] : transfers_) {
    if (!t.sender || t.sender->state() != TransferState::kTransferring) continue;
    if (t.resume_by) continue;  // nothing goes out until the receiver says where to go on
    switch (direct_.path(id)) {
      case DirectLinks::Path::kDirect:
        feed_direct(id, t, now);
        continue;
      case DirectLinks::Path::kNegotiating: {
        std::size_t none = 0;  // the data waits for the connection (5 s at most)
        feed(id, t, none, now);
        continue;
      }
      case DirectLinks::Path::kSwitchboard:
        break;
    }
    auto [r, fresh] = rooms.try_emplace(t.key, 0);
    if (fresh) r->second = room(t.peer);
    feed(id, t, r->second, now);
  }
  settle(now);
}

// Over a direct connection: larger chunks, paced by the socket's window, never through the
// link's queue (which goes to the switchboard).
void FileTransferManager::feed_direct(ev::FileTransferId id, Transfer& t, TimePoint now) {
  t.sender->require_ack();
  bool sent = false;
  for (std::size_t room = direct_.room(id); room > 0; --room) {
    const std::size_t want = t.sender->wanted(p2p::dc::kMaxDataPerPacket);
    if (want == 0 || t.buffer.size() - t.head < want) break;
    auto packet = t.sender->direct_chunk(t.buffer.substr(t.head, want), want, now);
    t.head += want;
    if (!packet || !direct_.send(id, *packet, now)) break;
    sent = true;
  }
  if (sent) progress(id, t, t.sender->sent(), false);
  ask_for_more(id, t);
}

// Chunks from the buffer while the bridge takes them; then more asked of the UI, a few chunks
// ahead, so that the engine never holds more of a file than that.
void FileTransferManager::feed(ev::FileTransferId id, Transfer& t, std::size_t& room,
                               TimePoint now) {
  p2p::Link* link = links_->link(t.peer);
  if (link == nullptr) return;
  bool sent = false;
  while (room > 0) {
    const std::size_t want = t.sender->wanted();
    if (want == 0 || t.buffer.size() - t.head < want) break;
    t.sender->send_chunk(*link, t.buffer.substr(t.head, want), now);
    t.head += want;
    --room;
    sent = true;
  }
  if (sent) {
    links_->flush_link(t.peer);
    progress(id, t, t.sender->sent(), false);
  }
  ask_for_more(id, t);
}

void FileTransferManager::ask_for_more(ev::FileTransferId id, Transfer& t) {
  const std::size_t buffered = t.buffer.size() - t.head;
  const std::uint64_t have = t.sender->sent() + buffered;
  const std::size_t cap = buffer_cap(config_, direct_.path(id) != DirectLinks::Path::kSwitchboard);
  if (t.asked != 0 || have >= t.sender->size() || buffered >= cap / 2) return;
  t.asked =
      static_cast<std::size_t>(std::min<std::uint64_t>(cap - buffered, t.sender->size() - have));
  events_.push_back(ev::FileDataWanted{id, have, t.asked});
}

void FileTransferManager::progress(ev::FileTransferId id, Transfer& t, std::uint64_t done,
                                   bool force) {
  if (done == t.reported || (!force && done < t.reported + config_.progress_step)) return;
  t.reported = done;
  events_.push_back(ev::FileProgress{id, done});
}

// ---- receiving ------------------------------------------------------------------------------

bool FileTransferManager::on_invite(const std::string& key, p2p::Link& link,
                                    const p2p::slp::Message& invite, TimePoint now) {
  if (invite.content_type == p2p::slp::content_type::kTransportRequest) {
    const auto id = by_call_id(key, invite.call_id);
    if (!id) return false;
    if (direct_.enabled()) {
      direct_.on_request(*id, link, invite, transfers_.at(*id).sender != nullptr, now);
    } else {
      answer_transport(link, invite);
    }
    return true;
  }
  if (invite.content_type == p2p::slp::content_type::kTransportResponse) {
    // The peer's reverse INVITE: it listens after we could not.
    const auto id = by_call_id(key, invite.call_id);
    if (!id) return false;
    if (direct_.enabled()) direct_.on_response(*id, link, invite, now);
    return true;
  }
  auto request = p2p::slp::parse_session_request(invite);
  if (!request || request->euf_guid != p2p::slp::euf_guid::kFileTransfer) return false;
  if (!offer(key, link, invite, now)) decline_invite(link, invite, request->session_id);
  links_->flush_link(link.peer());
  return true;
}

// Direct connections off: the peer is told we do not listen, and the data comes over the
// switchboard (what the plugin does).
void FileTransferManager::answer_transport(p2p::Link& link, const p2p::slp::Message& invite) {
  const auto answer =
      p2p::slp::make_response(invite, 200, "OK", p2p::slp::content_type::kTransportResponse,
                              p2p::slp::not_listening_body());
  link.send(0, p2p::flags::kNone, p2p::app_id::kSignalling, p2p::slp::serialize(answer));
  links_->flush_link(link.peer());
}

void FileTransferManager::decline_invite(p2p::Link& link, const p2p::slp::Message& invite,
                                         std::uint32_t session_id) {
  const auto answer =
      p2p::slp::make_response(invite, 603, "Decline", p2p::slp::content_type::kSessionRequest,
                              {{"SessionID", std::to_string(session_id)}});
  link.send(0, p2p::flags::kNone, p2p::app_id::kSignalling, p2p::slp::serialize(answer));
}

bool FileTransferManager::offer(const std::string& key, p2p::Link& link,
                                const p2p::slp::Message& invite, TimePoint /*now*/) {
  auto request = p2p::slp::parse_session_request(invite);
  if (!room_for_one_more(key)) {
    log(LogLevel::kInfo, "files: declined a file offer: too many transfers at once");
    return false;
  }
  auto raw = crypto::base64_decode(request->context);
  if (!raw || raw->size() > p2p::file_context::kMaxBytes) {
    log(LogLevel::kInfo, "files: declined a file offer without a readable Context");
    return false;
  }
  auto context = p2p::parse_file_context(*raw);
  if (!context) {
    log(LogLevel::kInfo, "files: declined a file offer: " + context.error().detail);
    return false;
  }
  const ev::FileTransferId id = next_id_++;
  Transfer& t = transfers_[id];
  t.peer = link.peer();
  t.key = key;
  ev::FileOffered offered{id, t.peer, p2p::sanitize_file_name(context->name), context->size,
                          std::nullopt};
  if (!context->preview.empty()) offered.preview = context->preview;
  t.receiver = std::make_unique<p2p::FileReceiver>(invite, std::move(*request), std::move(*context),
                                                   random_branch());
  events_.push_back(std::move(offered));
  return true;
}

void FileTransferManager::on_chunk(const std::string& key, p2p::Link& link,
                                   const p2p::Packet& chunk, TimePoint now) {
  for (auto& [id, t] : transfers_) {
    if (t.key != key || !t.receiver || t.receiver->session_id() != chunk.header.session_id)
      continue;
    const std::uint64_t offset = t.receiver->received();
    if (auto bytes = t.receiver->on_chunk(link, chunk, now); bytes && !bytes->empty()) {
      t.resume_by.reset();  // the data goes on (after a broken direct connection)
      events_.push_back(ev::FileData{id, offset, std::move(*bytes)});
    }
    progress(id, t, t.receiver->received(), t.receiver->state() == TransferState::kDone);
    links_->flush_link(t.peer);
    break;
  }
  settle(now);
}

// ---- both -----------------------------------------------------------------------------------

bool FileTransferManager::on_slp(const std::string& key, p2p::Link& link,
                                 const p2p::slp::Message& message, TimePoint now) {
  for (auto& [id, t] : transfers_) {
    if (t.key != key) continue;
    if (t.sender && t.sender->call_id() == message.call_id) {
      if (direct_.expects(id, message) && !message.is_request()) {
        direct_.on_response(id, link, message, now);  // the answer to our direct offer
        return true;
      }
      const bool was_waiting = t.sender->state() == TransferState::kWaiting;
      t.sender->on_slp(link, message, now);
      if (was_waiting && t.sender->state() == TransferState::kTransferring && t.sender->size() > 0)
        direct_.offer(id, link, t.sender->call_id(), t.sender->session_id(), now);
    } else if (t.receiver && t.receiver->call_id() == message.call_id) {
      t.receiver->on_slp(link, message, now);
    } else {
      continue;
    }
    links_->flush_link(t.peer);
    settle(now);
    return true;
  }
  return false;
}

void FileTransferManager::on_control(const std::string& key, p2p::Link& link,
                                     const p2p::Header& header, TimePoint now) {
  for (auto& [id, t] : transfers_) {
    if (t.key != key || !t.sender || on_resume_request(id, t, header, now)) continue;
    t.sender->on_control(link, header, now);
  }
  settle(now);
}

// P2Pv1 over the switchboard cannot resume: every session with the contact ends (no BYE: the
// switchboard that would carry it is gone, and the peer sees the same close).
void FileTransferManager::on_carrier_lost(const std::string& key, TimePoint now) {
  for (auto& [id, t] : transfers_) {
    if (t.key != key) continue;
    if (p2p::Link* link = links_->link(t.peer)) {
      const std::uint32_t sid = t.sender ? t.sender->session_id() : t.receiver->session_id();
      link->drop_session(sid);
      link->unstream_session(sid);
    }
    t.lost = true;
  }
  settle(now);
}

bool FileTransferManager::busy(const std::string& key) const {
  return std::any_of(transfers_.begin(), transfers_.end(),
                     [&](const auto& entry) { return entry.second.key == key; });
}

void FileTransferManager::on_timer(TimePoint now) {
  direct_.on_timer(now);
  give_up_resuming(now);
  for (auto& [id, t] : transfers_) {
    p2p::Link* link = links_->link(t.peer);
    if (link == nullptr) continue;
    if (t.sender) t.sender->on_timer(*link, now);
    if (t.receiver) t.receiver->on_timer(*link, now);
    links_->flush_link(t.peer);
  }
  settle(now);
}

std::optional<TimePoint> FileTransferManager::next_deadline() const {
  std::optional<TimePoint> earliest = direct_.next_deadline();
  for (const auto& [id, t] : transfers_) {
    for (const auto d :
         {t.sender ? t.sender->next_deadline() : t.receiver->next_deadline(), t.resume_by}) {
      if (d && (!earliest || *d < *earliest)) earliest = d;
    }
  }
  return earliest;
}

void FileTransferManager::shut_down() {
  transfers_.clear();
  events_.clear();
  direct_.shut_down();
  (void)direct_.take_events();
}

std::vector<Event> FileTransferManager::take_events() {
  for (auto& event : direct_.take_events()) events_.push_back(std::move(event));
  return std::exchange(events_, {});
}

std::optional<ev::FileTransferId> FileTransferManager::by_call_id(
    const std::string& key, const std::string& call_id) const {
  for (const auto& [id, t] : transfers_) {
    if (t.key == key && ((t.sender && t.sender->call_id() == call_id) ||
                         (t.receiver && t.receiver->call_id() == call_id)))
      return id;
  }
  return std::nullopt;
}

p2p::TransferState FileTransferManager::state_of(const Transfer& t) const {
  return t.sender ? t.sender->state() : t.receiver->state();
}

// Transfers that ended are reported once and forgotten.
void FileTransferManager::settle(TimePoint now) {
  for (auto it = transfers_.begin(); it != transfers_.end();) {
    if (it->second.lost || finished(state_of(it->second))) {
      end(it->first, it->second);
      direct_.forget(it->first, now);
      it = transfers_.erase(it);
    } else {
      ++it;
    }
  }
}

void FileTransferManager::end(ev::FileTransferId id, Transfer& t) {
  if (t.lost) {
    events_.push_back(ev::FileEnded{id, ev::FileEndReason::kConnectionLost});
    return;
  }
  const auto failure = t.sender ? t.sender->failure() : t.receiver->failure();
  if (state_of(t) == TransferState::kDone) {
    progress(id, t, t.sender ? t.sender->size() : t.receiver->received(), true);
    events_.push_back(ev::FileCompleted{id});
    return;
  }
  events_.push_back(ev::FileEnded{id, reason_of(failure)});
}

bool FileTransferManager::room_for_one_more(const std::string& key) const {
  const auto for_peer = static_cast<std::size_t>(std::count_if(
      transfers_.begin(), transfers_.end(), [&](const auto& e) { return e.second.key == key; }));
  return for_peer < config_.max_per_peer && transfers_.size() < config_.max_total;
}

std::string FileTransferManager::random_branch() {
  auto bytes = random_ ? random_(16) : make_error(Errc::kUnsupported, "no randomness");
  return bytes && bytes->size() == 16 ? p2p::slp::guid_from_bytes(*bytes)
                                      : std::string("{00000000-0000-0000-0000-000000000000}");
}

}  // namespace msn
