// SPDX-License-Identifier: GPL-2.0-or-later
// File transfer over a P2P link, both sides, as sans-I/O state machines (docs/protocol/p2p.md,
// "File transfer"). Neither side holds the file: the sender is handed one chunk at a time by
// its caller (who asks the UI for the bytes and the bridge for room), the receiver hands each
// chunk on as it arrives. The caller routes SLP messages of the session's Call-ID to on_slp(),
// the streamed chunks of its SessionID to on_chunk() (receiver), control packets to
// on_control() (sender), and calls on_timer() at next_deadline().
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/time.h"
#include "p2p/display_picture.h"
#include "p2p/file_context.h"
#include "p2p/link.h"
#include "p2p/slp.h"

namespace msn::p2p {

enum class FileFailure {
  kNone,
  kDeclined,         // the peer answered 603 (or another error) to our INVITE
  kCancelledByPeer,  // the peer sent BYE before the data was complete
  kCancelledByUs,    // cancel()
  kTimeout,          // no answer, or no progress, for kFileProgressTimeout
  kBadData,          // the peer's chunks broke the rules (gap, too many bytes, other size)
  kPeerError,        // the peer flagged an error for the session (0x8, 0x80)
};

// Answer and progress time-out (papyon's answer figure; MSNPSharp gives up on idle sessions
// after 120 s, we say so sooner).
inline constexpr Duration kFileProgressTimeout = seconds(60);

// A sender goes back to a receiver's offset at most this often per transfer: a connection
// breaks once or twice, while a peer that keeps asking for the file again would have us send
// it without end.
inline constexpr unsigned kMaxFileResumes = 4;

// Sender: INVITE with the file's Context, then the data as one message in 1202-byte chunks
// (flags 0x1000030, footer 2), done at the P2P ACK of the last byte (or a BYE after it).
class FileSender {
 public:
  FileSender(RequestSeeds seeds, std::string name, std::uint64_t size);

  void start(Link& link, TimePoint now);
  void on_slp(Link& link, const slp::Message& message, TimePoint now);
  void on_control(Link& link, const Header& header, TimePoint now);
  void on_timer(Link& link, TimePoint now);
  void cancel(Link& link);
  std::optional<TimePoint> next_deadline() const { return deadline_; }

  // Bytes the next chunk should carry (0 when nothing is wanted now: not accepted yet, or
  // all sent). At most `max_chunk` (the switchboard's 1202, a direct connection's 1352).
  std::size_t wanted(std::size_t max_chunk = kMaxSwitchboardChunk) const;
  // The next chunk: exactly wanted() bytes, or fewer only if they are the file's last.
  void send_chunk(Link& link, std::string bytes, TimePoint now);
  // The same for a direct connection: the chunk comes back as a packet for it (nullopt when
  // nothing is wanted), `max_chunk` as given to wanted().
  std::optional<Packet> direct_chunk(std::string bytes, std::size_t max_chunk, TimePoint now);
  // Only the P2P ACK completes the transfer, not a BYE after the last byte: once bytes go to
  // a socket, "all sent" says nothing of what the peer has, and a receiver that cancels sends
  // BYE alone (every receiver that takes a direct connection ACKs).
  void require_ack() { ack_required_ = true; }
  // The receiver's NAK for this session (flag 0x1, AckSize = the bytes it holds): the offset
  // to go on from, or nullopt when `header` is no such NAK or asks for bytes never sent.
  std::optional<std::uint64_t> resume_offset(const Header& header) const;
  // Goes on from `offset` (a resume_offset()): the next wanted() chunk starts there, in the
  // same message, so the receiver takes it as the next chunk in order. After kMaxFileResumes
  // it ends the session instead (kPeerError) and returns false.
  bool resume_from(std::uint64_t offset, Link& link, TimePoint now);

  TransferState state() const { return state_; }
  FileFailure failure() const { return failure_; }
  std::uint64_t sent() const { return sent_; }
  std::uint64_t size() const { return size_; }
  const std::string& call_id() const { return seeds_.call_id; }
  std::uint32_t session_id() const { return seeds_.session_id; }

 private:
  void close(Link& link, TransferState state, FileFailure failure);
  void finish(FileFailure failure);

  RequestSeeds seeds_;
  std::string name_;
  std::uint64_t size_;
  std::uint64_t sent_ = 0;
  std::optional<OutgoingMessage> data_;
  TransferState state_ = TransferState::kIdle;
  FileFailure failure_ = FileFailure::kNone;
  std::optional<TimePoint> deadline_;
  bool ack_required_ = false;
  unsigned resumes_ = 0;
};

// Receiver: built from a file INVITE; waits for accept()/decline(), then passes on each chunk.
class FileReceiver {
 public:
  // `invite` is a parsed file INVITE with its request and Context.
  FileReceiver(slp::Message invite, slp::SessionRequest request, FileContext context,
               std::string bye_branch);

  void accept(Link& link, TimePoint now);
  void decline(Link& link);
  void cancel(Link& link);
  void on_slp(Link& link, const slp::Message& message, TimePoint now);
  // A chunk of the session: its bytes when new and in order (nullopt for a duplicate or once
  // the transfer is over). The last byte ACKs the message and closes the session with BYE.
  std::optional<std::string> on_chunk(Link& link, const Packet& chunk, TimePoint now);
  void on_timer(Link& link, TimePoint now);
  std::optional<TimePoint> next_deadline() const { return deadline_; }
  // The bridge carrying the data broke: queues a NAK asking the sender to go on from the
  // bytes we hold (AckID = the data message's Identifier, AckSize = received()). False when
  // nothing is missing or the transfer is not running.
  bool ask_to_resume(Link& link);

  TransferState state() const { return state_; }
  FileFailure failure() const { return failure_; }
  std::uint64_t received() const { return received_; }
  const FileContext& context() const { return context_; }
  const std::string& call_id() const { return invite_.call_id; }
  std::uint32_t session_id() const { return request_.session_id; }

 private:
  void close(Link& link, TransferState state, FileFailure failure);

  slp::Message invite_;
  slp::SessionRequest request_;
  FileContext context_;
  std::string bye_branch_;
  std::uint64_t received_ = 0;
  std::optional<std::uint32_t> identifier_;  // of the data message, from its first chunk
  std::uint32_t data_ack_id_ = 0;            // and its AckID
  TransferState state_ = TransferState::kIdle;
  FileFailure failure_ = FileFailure::kNone;
  std::optional<TimePoint> deadline_;
};

}  // namespace msn::p2p
