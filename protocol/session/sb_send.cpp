// SPDX-License-Identifier: GPL-2.0-or-later
// Messages out on a switchboard: texts (split into MSGs, queued until someone joins), typing,
// nudges, other payloads; the ACK/NAK (or error reply) for each MSG and the ack timeout; every
// text resolved as delivered or not delivered exactly once.
#include <algorithm>
#include <utility>

#include "crypto/crypto.h"
#include "session/message_split.h"
#include "session/sb_checks.h"
#include "session/switchboard_session.h"

namespace msn {

using namespace sb_checks;

namespace {

constexpr std::size_t kMaxRecentNudges = 16;

char ack_letter(AckMode mode) {
  switch (mode) {
    case AckMode::kNone:
      return 'U';
    case AckMode::kNakOnly:
      return 'N';
    case AckMode::kAlways:
      return 'A';
    case AckMode::kData:
      return 'D';
  }
  return 'U';
}

}  // namespace

// Reference vs reality: official clients (MSN 7.x, WLM) put Message-ID only on multi-part
// messages, to join the parts (docs/protocol/switchboard.md); receivers (WLM, the old Pidgin msn
// prpl's cmdproc.c/msg.c) ignore it on a single message. We put it on every text so that a resend
// after a lost ACK carries the id of the first try and our own receiving side (and any that
// cares) recognises the copy; to everyone else it is one more ignored header.
std::string random_message_id() {
  auto random = crypto::random_bytes(16);
  if (!random || random.value().size() != 16) return {};
  std::string b = std::move(random.value());
  b[6] = static_cast<char>((static_cast<unsigned char>(b[6]) & 0x0F) | 0x40);  // version 4
  b[8] = static_cast<char>((static_cast<unsigned char>(b[8]) & 0x0F) | 0x80);  // variant
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string id = "{";
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) id += '-';
    const auto byte = static_cast<unsigned char>(b[i]);
    id += kHex[byte >> 4];
    id += kHex[byte & 0x0F];
  }
  id += '}';
  return id;
}

Result<MessageId> SwitchboardSession::send_text(std::string_view text, const TextFormat& format,
                                                TimePoint now, std::string_view message_id) {
  if (!accepts_messages())
    return make_error(Errc::kInvalidArgument, "the conversation no longer takes messages");
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty message");
  if (messages_.size() >= config_.max_pending_messages)
    return make_error(Errc::kLimit, "too many messages waiting for delivery");
  OutgoingMessage message;
  message.format = format;
  message.format_header = format_header(format);
  if (usable_message_id(message_id)) {
    message.message_id = std::string(message_id);
  } else if (config_.new_message_id) {
    message.message_id = config_.new_message_id();
    if (!usable_message_id(message.message_id)) message.message_id.clear();
  }
  // Room for the text: what the first part of a multi-part message carries (the most).
  wire::MimeMessage first = wire::make_text_message(message.format_header, "");
  first.set_header("Message-ID",
                   message.message_id.empty() ? std::string(38, '0') : message.message_id);
  first.set_header("Chunks", "999");
  auto pieces = split_message_text(wire::sanitize_utf8(text), first.header_bytes());
  if (!pieces) return pieces.error();
  if (pieces.value().size() > 1 && message.message_id.empty())
    return make_error(Errc::kInvalidArgument,
                      "no Message-ID could be made for a multi-part message");
  for (auto& piece : pieces.value()) message.pieces.push_back(Piece{std::move(piece)});
  message.multipart = message.pieces.size() > 1;
  message.recipients = current_recipients();
  const MessageId id = next_message_id_++;
  const std::size_t count = message.pieces.size();
  messages_.emplace(id, std::move(message));
  for (std::size_t i = 0; i < count; ++i) {
    if (state_ == State::kReady) {
      send_piece(id, i, now);
    } else {
      queue_.push_back(Queued{false, id, i});
    }
  }
  return id;
}

Status SwitchboardSession::send_typing(TimePoint /*now*/) {
  if (state_ != State::kReady)
    return make_error(Errc::kInvalidArgument, "the conversation is not open");
  send_msg(wire::make_typing_message(config_.account), AckMode::kNone);
  return Status::ok();
}

Status SwitchboardSession::send_nudge(TimePoint /*now*/) {
  if (!accepts_messages())
    return make_error(Errc::kInvalidArgument, "the conversation no longer takes messages");
  if (state_ != State::kReady) {
    queue_.push_back(Queued{true, 0, 0});
    return Status::ok();
  }
  recent_nudges_.push_back(send_msg(wire::make_nudge_message(), AckMode::kNakOnly));
  if (recent_nudges_.size() > kMaxRecentNudges) recent_nudges_.pop_front();
  return Status::ok();
}

Result<wire::TrId> SwitchboardSession::send_payload(const wire::MimeMessage& message, AckMode mode,
                                                    TimePoint /*now*/) {
  if (state_ != State::kReady)
    return make_error(Errc::kInvalidArgument, "the conversation is not open");
  if (message.header_bytes() + message.body.size() > kMaxMsgPayload)
    return make_error(Errc::kLimit, "switchboard payload over 1664 bytes");
  return send_msg(message, mode);
}

void SwitchboardSession::flush_queue(TimePoint now) {
  while (!queue_.empty() && state_ == State::kReady) {
    const Queued q = queue_.front();
    queue_.pop_front();
    if (q.nudge) {
      recent_nudges_.push_back(send_msg(wire::make_nudge_message(), AckMode::kNakOnly));
      if (recent_nudges_.size() > kMaxRecentNudges) recent_nudges_.pop_front();
    } else {
      send_piece(q.id, q.piece, now);
    }
  }
}

void SwitchboardSession::send_piece(MessageId id, std::size_t index, TimePoint now) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  const OutgoingMessage& message = it->second;
  Piece& piece = it->second.pieces[index];
  wire::MimeMessage part;
  if (!message.multipart) {
    part = wire::make_text_message(message.format_header, piece.text);
    if (!message.message_id.empty()) part.set_header("Message-ID", message.message_id);
  } else if (index == 0) {
    part = wire::make_text_message(message.format_header, piece.text);
    part.set_header("Message-ID", message.message_id);
    part.set_header("Chunks", std::to_string(message.pieces.size()));
  } else {
    part.set_header("Message-ID", message.message_id);
    part.set_header("Chunk", std::to_string(index));
    part.body = piece.text;
  }
  const wire::TrId trid = send_msg(part, AckMode::kAlways);
  piece.state = PieceState::kSent;
  piece.deadline = now + config_.timeouts.ack;
  awaiting_ack_[trid] = {id, index};
}

wire::TrId SwitchboardSession::send_msg(const wire::MimeMessage& message, AckMode mode) {
  const char letter[2] = {ack_letter(mode), '\0'};
  wire::Written written =
      writer_.payload_command("MSG", {std::string_view(letter, 1)}, message.serialize());
  write(std::move(written.bytes));
  return written.trid;
}

void SwitchboardSession::handle_ack(const wire::Command& command, bool delivered, TimePoint now) {
  const auto trid = wire::parse_u32(command.arg(0));  // "ACK trid", "NAK trid" or "{code} trid"
  if (!trid) return;
  if (p2p_answered(*trid, delivered, now)) return finish_leaving_if_done();
  const auto it = awaiting_ack_.find(*trid);
  if (it == awaiting_ack_.end()) {
    if (!delivered &&
        std::find(recent_nudges_.begin(), recent_nudges_.end(), *trid) != recent_nudges_.end())
      log(LogLevel::kInfo, "switchboard: a nudge was not delivered");
    return;
  }
  const auto [id, index] = it->second;
  awaiting_ack_.erase(it);
  piece_resolved(id, index, delivered, NotDeliveredReason::kRejected);
  finish_leaving_if_done();
}

void SwitchboardSession::piece_resolved(MessageId id, std::size_t index, bool delivered,
                                        NotDeliveredReason reason) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  Piece& piece = it->second.pieces[index];
  piece.state = delivered ? PieceState::kAcked : PieceState::kFailed;
  piece.failure = reason;
  resolve_if_done(id);
}

void SwitchboardSession::resolve_if_done(MessageId id) {
  auto it = messages_.find(id);
  if (it == messages_.end()) return;
  OutgoingMessage& message = it->second;
  std::optional<NotDeliveredReason> reason;
  std::string undelivered;
  for (const Piece& piece : message.pieces) {
    if (piece.state == PieceState::kQueued || piece.state == PieceState::kSent) return;
    if (piece.state == PieceState::kFailed) {
      if (!reason) reason = piece.failure;
      undelivered += piece.text;
    }
  }
  // The receiver drops a multi-part message with a part missing: none of it was shown.
  if (reason && message.multipart) {
    undelivered.clear();
    for (const Piece& piece : message.pieces) undelivered += piece.text;
  }
  // A message accepted before we knew whom it was for goes to whoever it was meant for now.
  if (message.recipients.empty()) message.recipients = current_recipients();
  if (reason) {
    events_.push_back(ev::MessageNotDelivered{
        conn_, id, *reason, std::move(undelivered), std::move(message.format),
        std::move(message.recipients), std::move(message.message_id), message.unconfirmed});
  } else {
    events_.push_back(ev::MessageDelivered{conn_, id});
  }
  messages_.erase(it);
}

void SwitchboardSession::fail_unresolved(NotDeliveredReason reason) {
  queue_.clear();
  awaiting_ack_.clear();
  std::vector<MessageId> ids;
  for (auto& [id, message] : messages_) {
    ids.push_back(id);
    for (Piece& piece : message.pieces) {
      if (piece.state == PieceState::kSent) message.unconfirmed = true;
      if (piece.state == PieceState::kQueued || piece.state == PieceState::kSent) {
        piece.state = PieceState::kFailed;
        piece.failure = reason;
      }
    }
  }
  for (MessageId id : ids) resolve_if_done(id);
}

void SwitchboardSession::expire_acks(TimePoint now) {
  expire_p2p(now);
  std::vector<std::pair<MessageId, std::size_t>> expired;
  for (auto it = awaiting_ack_.begin(); it != awaiting_ack_.end();) {
    const auto [id, index] = it->second;
    const auto message = messages_.find(id);
    if (message == messages_.end() || now >= message->second.pieces[index].deadline) {
      expired.emplace_back(id, index);
      it = awaiting_ack_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& [id, index] : expired)
    piece_resolved(id, index, false, NotDeliveredReason::kTimedOut);
  finish_leaving_if_done();
}

}  // namespace msn
