// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Display-picture retrieval".
#include "p2p/display_picture.h"

#include <utility>

#include "p2p/transport.h"

namespace msn::p2p {
namespace {

// The data preparation message: four zero bytes, flags 0, on the session.
constexpr std::string_view kDataPreparation{"\0\0\0\0", 4};

bool is_data_preparation(const Message& message) {
  return (message.header.flags & ~flags::kRequireAck) == flags::kNone &&
         message.data == kDataPreparation;
}

bool is_bye(const slp::Message& message) { return message.is_request() && message.method == "BYE"; }

}  // namespace

std::optional<RequestSeeds> make_request_seeds(std::string_view b) {
  if (b.size() != kRequestSeedBytes) return std::nullopt;
  RequestSeeds seeds;
  for (int i = 0; i < 4; ++i)
    seeds.session_id = (seeds.session_id << 8) | static_cast<unsigned char>(b[i]);
  // Not 0 (SLP) and not 64 (ink), as the plugin: rand() % 0xFFFFFF00 + 4.
  seeds.session_id = seeds.session_id % 0xFFFFFF00u + 4;
  if (seeds.session_id == 64) seeds.session_id = 65;
  seeds.call_id = slp::guid_from_bytes(b.substr(4, 16));
  seeds.branch = slp::guid_from_bytes(b.substr(20, 16));
  seeds.bye_branch = slp::guid_from_bytes(b.substr(36, 16));
  return seeds;
}

// ---- requester --------------------------------------------------------------------------

PictureRequester::PictureRequester(MsnObject object, std::string msnobj_string, RequestSeeds seeds,
                                   std::uint32_t app_id)
    : object_(std::move(object)),
      msnobj_string_(std::move(msnobj_string)),
      seeds_(std::move(seeds)),
      app_id_(app_id) {}

void PictureRequester::start(Link& link, TimePoint now) {
  if (state_ != TransferState::kIdle) return;
  const slp::SessionRequest request{std::string(slp::euf_guid::kMsnObject), seeds_.session_id,
                                    app_id_, encode_context(msnobj_string_)};
  const slp::Message invite =
      slp::make_invite(link.peer(), link.local(), seeds_.branch, seeds_.call_id,
                       slp::content_type::kSessionRequest, slp::session_request_body(request));
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(invite));
  state_ = TransferState::kWaiting;
  deadline_ = now + kAnswerTimeout;
}

void PictureRequester::on_slp(Link& link, const slp::Message& message, TimePoint now) {
  if (message.call_id != seeds_.call_id || state_ == TransferState::kDone ||
      state_ == TransferState::kFailed)
    return;
  if (is_bye(message)) {
    // The peer gave up before the data was complete (the link has ACKed the BYE).
    state_ = TransferState::kFailed;
    failure_ = TransferFailure::kCancelled;
    deadline_.reset();
    link.drop_session(seeds_.session_id);
    return;
  }
  if (message.is_request() || state_ != TransferState::kWaiting) return;
  if (message.status_code == 200) {
    state_ = TransferState::kTransferring;
    deadline_ = now + kAnswerTimeout;
    return;
  }
  state_ = TransferState::kFailed;
  failure_ = TransferFailure::kDeclined;
  deadline_.reset();
}

void PictureRequester::on_data(Link& link, const Message& message, TimePoint now) {
  if (message.header.session_id != seeds_.session_id || state_ != TransferState::kTransferring)
    return;
  if (is_data_preparation(message)) {
    deadline_ = now + kAnswerTimeout;
    return;
  }
  if (!matches_data(object_, message.data)) {
    close(link, TransferState::kFailed, TransferFailure::kBadData);
    return;
  }
  data_ = message.data;
  close(link, TransferState::kDone, TransferFailure::kNone);
}

void PictureRequester::on_timer(Link& link, TimePoint now) {
  if (deadline_ && now >= *deadline_)
    close(link, TransferState::kFailed, TransferFailure::kTimeout);
}

std::optional<TimePoint> PictureRequester::next_deadline() const { return deadline_; }

// The requester ends every session it started with a BYE: after the data (the plugin never
// does, so senders also time out) and when it gives up.
void PictureRequester::close(Link& link, TransferState state, TransferFailure failure) {
  if (failure != TransferFailure::kNone) link.drop_session(seeds_.session_id);
  const slp::Message bye =
      slp::make_bye(link.peer(), link.local(), seeds_.bye_branch, seeds_.call_id, std::nullopt);
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(bye));
  state_ = state;
  failure_ = failure;
  deadline_.reset();
}

// ---- sender -----------------------------------------------------------------------------

PictureSender::PictureSender(MsnObject object, std::string data, std::string bye_branch)
    : object_(std::move(object)), data_(std::move(data)), bye_branch_(std::move(bye_branch)) {}

bool PictureSender::names_our_object(const slp::SessionRequest& request) const {
  if (request.euf_guid != slp::euf_guid::kMsnObject) return false;
  auto text = decode_context(request.context);
  if (!text) return false;
  auto asked = parse_msn_object(*text);
  return asked && asked->sha1d == object_.sha1d && matches_data(object_, data_);
}

void PictureSender::decline(Link& link, const slp::Message& invite, std::uint32_t session_id) {
  const slp::Message answer =
      slp::make_response(invite, 603, "Decline", slp::content_type::kSessionRequest,
                         {{"SessionID", std::to_string(session_id)}});
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(answer));
  state_ = TransferState::kFailed;
  failure_ = TransferFailure::kRefused;
}

void PictureSender::on_invite(Link& link, const slp::Message& invite, TimePoint now) {
  if (state_ != TransferState::kIdle) return;
  call_id_ = invite.call_id;
  auto request = slp::parse_session_request(invite);
  if (!request || !names_our_object(*request)) {
    // Validated before answering: the plugin answered 200 and then 603, a known pitfall.
    decline(link, invite, request ? request->session_id : 0);
    return;
  }
  session_id_ = request->session_id;
  const slp::Message ok = slp::make_response(invite, 200, "OK", slp::content_type::kSessionRequest,
                                             {{"SessionID", std::to_string(session_id_)}});
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(ok));
  // The data follow at once: papyon never ACKs the data preparation, so waiting for that ACK
  // would stall; the footer is the INVITE's AppID (1 from the plugin, 12 from WLM).
  link.send(session_id_, flags::kNone, request->app_id, std::string(kDataPreparation));
  data_identifier_ = link.send(session_id_, flags::kObjectData, request->app_id, data_);
  state_ = TransferState::kTransferring;
  deadline_ = now + kAnswerTimeout;
}

void PictureSender::on_control(const Header& header, TimePoint now) {
  if (state_ != TransferState::kTransferring || !acknowledges(header, data_identifier_)) return;
  // All data arrived. The requester should close with BYE; the plugin never does.
  state_ = TransferState::kDone;
  deadline_ = now + kByeWait;
}

void PictureSender::on_slp(Link& link, const slp::Message& message, TimePoint /*now*/) {
  if (!is_bye(message) || message.call_id != call_id_ || session_id_ == 0) return;
  if (state_ == TransferState::kTransferring) {
    state_ = TransferState::kFailed;
    failure_ = TransferFailure::kCancelled;
    link.drop_session(session_id_);
  }
  deadline_.reset();
}

void PictureSender::on_timer(Link& link, TimePoint now) {
  if (!deadline_ || now < *deadline_) return;
  deadline_.reset();
  if (state_ != TransferState::kTransferring)
    return;  // done: no BYE came within kByeWait, the session simply ends
  link.drop_session(session_id_);
  const slp::Message bye =
      slp::make_bye(link.peer(), link.local(), bye_branch_, call_id_, std::nullopt);
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(bye));
  state_ = TransferState::kFailed;
  failure_ = TransferFailure::kTimeout;
}

std::optional<TimePoint> PictureSender::next_deadline() const { return deadline_; }

}  // namespace msn::p2p
