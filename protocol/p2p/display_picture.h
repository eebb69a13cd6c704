// SPDX-License-Identifier: GPL-2.0-or-later
// Display-picture (and emoticon) retrieval over a P2P link, both sides, as sans-I/O state
// machines (docs/protocol/p2p.md, "Display-picture retrieval"). The caller routes what its
// Link receives: SLP messages of the session's Call-ID to on_slp(), data messages of its
// SessionID to on_data(), control packets to on_control() (sender); and it calls on_timer() at
// next_deadline().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "p2p/link.h"
#include "p2p/msn_object.h"
#include "p2p/slp.h"

namespace msn::p2p {

enum class TransferState { kIdle, kWaiting, kTransferring, kDone, kFailed };
enum class TransferFailure {
  kNone,
  kDeclined,   // 603 (or 500) to our INVITE
  kTimeout,    // no answer or no progress in time
  kCancelled,  // the peer sent BYE before the data was complete
  kBadData,    // the data does not match the SHA1D asked for
  kRefused,    // (sender) the INVITE named no object of ours: declined
};

// How long each side waits (papyon's figures): for the answer to an INVITE and for progress
// of the data, and, as sender, for the requester's BYE after the final ACK.
inline constexpr Duration kAnswerTimeout = seconds(60);
inline constexpr Duration kByeWait = seconds(5);

// The random values of one requested session, supplied by the caller.
struct RequestSeeds {
  std::uint32_t session_id = 0;  // not 0 and not 64 (ink)
  std::string call_id;           // "{GUID}"
  std::string branch;            // of the INVITE
  std::string bye_branch;        // of the closing BYE
};
inline constexpr std::size_t kRequestSeedBytes = 52;
// Seeds from kRequestSeedBytes random bytes (the caller draws them; fewer give nullopt).
std::optional<RequestSeeds> make_request_seeds(std::string_view random);

// Requester: asks the peer for the object and collects its data.
class PictureRequester {
 public:
  // `msnobj_string` is the object exactly as the peer announced it (URL-decoded); it goes into
  // the Context unchanged. `app_id` 1 as the plugin (12 is WLM's).
  PictureRequester(MsnObject object, std::string msnobj_string, RequestSeeds seeds,
                   std::uint32_t app_id = 1);

  void start(Link& link, TimePoint now);
  void on_slp(Link& link, const slp::Message& message, TimePoint now);
  void on_data(Link& link, const Message& message, TimePoint now);
  void on_timer(Link& link, TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  TransferState state() const { return state_; }
  TransferFailure failure() const { return failure_; }
  const std::string& call_id() const { return seeds_.call_id; }
  std::uint32_t session_id() const { return seeds_.session_id; }
  // The picture, once state() is kDone (checked against the object's Size and SHA1D).
  const std::string& data() const { return data_; }

 private:
  void close(Link& link, TransferState state, TransferFailure failure);

  MsnObject object_;
  std::string msnobj_string_;
  RequestSeeds seeds_;
  std::uint32_t app_id_;
  TransferState state_ = TransferState::kIdle;
  TransferFailure failure_ = TransferFailure::kNone;
  std::optional<TimePoint> deadline_;
  std::string data_;
};

// Sender: answers one INVITE for our object and sends the data.
class PictureSender {
 public:
  // `object` and `data` are ours (the data the object names). `bye_branch` is used if we have
  // to close the session ourselves.
  PictureSender(MsnObject object, std::string data, std::string bye_branch);

  // The INVITE (already ACKed by the link). Answers 200 OK and queues the data preparation
  // message and the data, or 603 Decline when the Context names another object.
  void on_invite(Link& link, const slp::Message& invite, TimePoint now);
  void on_slp(Link& link, const slp::Message& message, TimePoint now);
  void on_control(const Header& header, TimePoint now);
  void on_timer(Link& link, TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  TransferState state() const { return state_; }
  TransferFailure failure() const { return failure_; }
  std::uint32_t session_id() const { return session_id_; }

 private:
  bool names_our_object(const slp::SessionRequest& request) const;
  void decline(Link& link, const slp::Message& invite, std::uint32_t session_id);

  MsnObject object_;
  std::string data_;
  std::string bye_branch_;
  std::string call_id_;
  std::uint32_t session_id_ = 0;
  std::uint32_t data_identifier_ = 0;
  TransferState state_ = TransferState::kIdle;
  TransferFailure failure_ = TransferFailure::kNone;
  std::optional<TimePoint> deadline_;
};

}  // namespace msn::p2p
