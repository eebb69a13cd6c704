// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "File transfer".
#include "p2p/file_transfer.h"

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"
#include "p2p/transport.h"

namespace msn::p2p {
namespace {

bool is_bye(const slp::Message& message) { return message.is_request() && message.method == "BYE"; }

bool flags_error(const Header& header) {
  return (header.flags & (flags::kError | flags::kTlpError)) != 0;
}

void send_slp(Link& link, const slp::Message& message) {
  link.send(0, flags::kNone, app_id::kSignalling, slp::serialize(message));
}

}  // namespace

// ---- sender ---------------------------------------------------------------------------------

FileSender::FileSender(RequestSeeds seeds, std::string name, std::uint64_t size)
    : seeds_(std::move(seeds)), name_(std::move(name)), size_(size) {}

void FileSender::start(Link& link, TimePoint now) {
  if (state_ != TransferState::kIdle) return;
  const slp::SessionRequest request{std::string(slp::euf_guid::kFileTransfer), seeds_.session_id,
                                    app_id::kFileTransfer,
                                    crypto::base64_encode(build_file_context(name_, size_))};
  send_slp(link, slp::make_invite(link.peer(), link.local(), seeds_.branch, seeds_.call_id,
                                  slp::content_type::kSessionRequest,
                                  slp::session_request_body(request)));
  state_ = TransferState::kWaiting;
  deadline_ = now + kFileProgressTimeout;
}

void FileSender::on_slp(Link& link, const slp::Message& message, TimePoint now) {
  if (message.call_id != seeds_.call_id || state_ == TransferState::kDone ||
      state_ == TransferState::kFailed)
    return;
  if (is_bye(message)) {
    // A BYE after the last byte is how a receiver that does not ACK says it has everything.
    const bool all_sent =
        state_ == TransferState::kTransferring && sent_ == size_ && !ack_required_;
    link.drop_session(seeds_.session_id);
    finish(all_sent ? FileFailure::kNone : FileFailure::kCancelledByPeer);
    return;
  }
  if (message.is_request() || state_ != TransferState::kWaiting) return;
  if (message.status_code != 200) return finish(FileFailure::kDeclined);
  state_ = TransferState::kTransferring;
  data_ = link.begin_stream(seeds_.session_id, flags::kFileDataPlugin, app_id::kFileTransfer);
  deadline_ = now + kFileProgressTimeout;
  // An empty file is one chunk of Length 0.
  if (size_ == 0) link.send_chunk(*data_, 0, 0, {});
}

std::size_t FileSender::wanted(std::size_t max_chunk) const {
  if (state_ != TransferState::kTransferring || sent_ >= size_) return 0;
  return static_cast<std::size_t>(std::min<std::uint64_t>(max_chunk, size_ - sent_));
}

void FileSender::send_chunk(Link& link, std::string bytes, TimePoint now) {
  const std::size_t want = wanted();
  if (want == 0 || bytes.empty()) return;
  if (bytes.size() > want) bytes.resize(want);
  const std::uint64_t offset = sent_;
  sent_ += bytes.size();
  link.send_chunk(*data_, offset, size_, std::move(bytes));
  deadline_ = now + kFileProgressTimeout;
}

std::optional<Packet> FileSender::direct_chunk(std::string bytes, std::size_t max_chunk,
                                               TimePoint now) {
  const std::size_t want = wanted(max_chunk);
  if (want == 0 || bytes.empty()) return std::nullopt;
  if (bytes.size() > want) bytes.resize(want);
  const std::uint64_t offset = sent_;
  sent_ += bytes.size();
  deadline_ = now + kFileProgressTimeout;
  return Link::chunk_packet(*data_, offset, size_, std::move(bytes));
}

void FileSender::on_control(Link& link, const Header& header, TimePoint /*now*/) {
  if (state_ != TransferState::kTransferring || !data_) return;
  if (header.session_id == seeds_.session_id && flags_error(header))
    return close(link, TransferState::kFailed, FileFailure::kPeerError);
  if (acknowledges(header, data_->identifier) && sent_ == size_) finish(FileFailure::kNone);
}

std::optional<std::uint64_t> FileSender::resume_offset(const Header& header) const {
  if (state_ != TransferState::kTransferring || !data_ || header.session_id != seeds_.session_id ||
      (header.flags & flags::kNak) == 0 || (header.flags & (flags::kAck | flags::kClose)) != 0)
    return std::nullopt;
  // AckID 0: a receiver that lost the connection before the first chunk knows no Identifier.
  if (header.ack_id != data_->identifier && header.ack_id != 0) return std::nullopt;
  if (header.ack_size > sent_) return std::nullopt;
  return header.ack_size;
}

bool FileSender::resume_from(std::uint64_t offset, Link& link, TimePoint now) {
  if (state_ != TransferState::kTransferring || offset > sent_) return false;
  if (++resumes_ > kMaxFileResumes) {
    close(link, TransferState::kFailed, FileFailure::kPeerError);
    return false;
  }
  sent_ = offset;
  deadline_ = now + kFileProgressTimeout;
  return true;
}

void FileSender::on_timer(Link& link, TimePoint now) {
  if (deadline_ && now >= *deadline_) close(link, TransferState::kFailed, FileFailure::kTimeout);
}

void FileSender::cancel(Link& link) {
  if (state_ == TransferState::kDone || state_ == TransferState::kFailed) return;
  close(link, TransferState::kFailed, FileFailure::kCancelledByUs);
}

void FileSender::close(Link& link, TransferState state, FileFailure failure) {
  link.drop_session(seeds_.session_id);
  send_slp(link, slp::make_bye(link.peer(), link.local(), seeds_.bye_branch, seeds_.call_id,
                               std::nullopt));
  state_ = state;
  failure_ = failure;
  deadline_.reset();
}

void FileSender::finish(FileFailure failure) {
  state_ = failure == FileFailure::kNone ? TransferState::kDone : TransferState::kFailed;
  failure_ = failure;
  deadline_.reset();
}

// ---- receiver -------------------------------------------------------------------------------

FileReceiver::FileReceiver(slp::Message invite, slp::SessionRequest request, FileContext context,
                           std::string bye_branch)
    : invite_(std::move(invite)),
      request_(std::move(request)),
      context_(std::move(context)),
      bye_branch_(std::move(bye_branch)) {}

void FileReceiver::accept(Link& link, TimePoint now) {
  if (state_ != TransferState::kIdle) return;
  link.stream_session(request_.session_id);
  send_slp(link, slp::make_response(invite_, 200, "OK", slp::content_type::kSessionRequest,
                                    {{"SessionID", std::to_string(request_.session_id)}}));
  state_ = TransferState::kTransferring;
  deadline_ = now + kFileProgressTimeout;
}

void FileReceiver::decline(Link& link) {
  if (state_ != TransferState::kIdle) return;
  send_slp(link, slp::make_response(invite_, 603, "Decline", slp::content_type::kSessionRequest,
                                    {{"SessionID", std::to_string(request_.session_id)}}));
  state_ = TransferState::kFailed;
  failure_ = FileFailure::kCancelledByUs;
}

void FileReceiver::cancel(Link& link) {
  if (state_ == TransferState::kIdle) return decline(link);
  if (state_ == TransferState::kTransferring)
    close(link, TransferState::kFailed, FileFailure::kCancelledByUs);
}

void FileReceiver::on_slp(Link& link, const slp::Message& message, TimePoint /*now*/) {
  if (!is_bye(message) || message.call_id != invite_.call_id) return;
  if (state_ != TransferState::kIdle && state_ != TransferState::kTransferring) return;
  link.drop_session(request_.session_id);
  state_ = TransferState::kFailed;
  failure_ = FileFailure::kCancelledByPeer;
  deadline_.reset();
}

std::optional<std::string> FileReceiver::on_chunk(Link& link, const Packet& chunk, TimePoint now) {
  if (state_ != TransferState::kTransferring || chunk.header.session_id != request_.session_id)
    return std::nullopt;
  const Header& h = chunk.header;
  // One message carries the file: its TotalSize is the size the Context announced, it starts
  // at 0, and its chunks come in order (the switchboard keeps it; P2Pv1 never resends a
  // skipped one). A chunk the switchboard delivered twice lies within what we have.
  if (h.total_size != context_.size || (identifier_ && *identifier_ != h.identifier) ||
      (!identifier_ && h.offset != 0)) {
    close(link, TransferState::kFailed, FileFailure::kBadData);
    return std::nullopt;
  }
  if (h.total_size != 0 && h.offset + h.length <= received_) return std::nullopt;  // duplicate
  if (h.offset != received_) {
    close(link, TransferState::kFailed, FileFailure::kBadData);  // a gap or a partial overlap
    return std::nullopt;
  }
  identifier_ = h.identifier;
  data_ack_id_ = h.ack_id;
  received_ += h.length;
  deadline_ = now + kFileProgressTimeout;
  if (received_ == context_.size) {
    link.acknowledge(h);  // make_ack() takes the Identifier, AckID and TotalSize
    close(link, TransferState::kDone, FileFailure::kNone);
  }
  return chunk.data;
}

bool FileReceiver::ask_to_resume(Link& link) {
  if (state_ != TransferState::kTransferring || received_ >= context_.size) return false;
  Header nak;
  nak.session_id = request_.session_id;
  nak.total_size = context_.size;
  nak.flags = flags::kNak;
  nak.ack_id = identifier_.value_or(0);
  nak.ack_unique_id = data_ack_id_;
  nak.ack_size = received_;
  link.send_control(nak);
  return true;
}

void FileReceiver::on_timer(Link& link, TimePoint now) {
  if (deadline_ && now >= *deadline_) close(link, TransferState::kFailed, FileFailure::kTimeout);
}

// The receiver closes every accepted session with BYE: after the data (the sender may wait
// for it) and when it gives up.
void FileReceiver::close(Link& link, TransferState state, FileFailure failure) {
  if (failure != FileFailure::kNone) link.drop_session(request_.session_id);
  send_slp(link,
           slp::make_bye(link.peer(), link.local(), bye_branch_, invite_.call_id, std::nullopt));
  link.unstream_session(request_.session_id);
  state_ = state;
  failure_ = failure;
  deadline_.reset();
}

}  // namespace msn::p2p
