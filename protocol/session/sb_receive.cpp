// SPDX-License-Identifier: GPL-2.0-or-later
// Messages in on a switchboard: each MSG decoded into an event (text, typing, nudge, anything
// else), legacy invitations declined, and chunked messages ("Chunks"/"Chunk") joined.
#include <algorithm>
#include <utility>

#include "session/ink_message.h"
#include "session/sb_checks.h"
#include "session/switchboard_session.h"

namespace msn {

using namespace sb_checks;

namespace {

// Chunked incoming messages (docs/protocol/switchboard.md): few at a time, bounded in parts and
// bytes.
constexpr std::size_t kMaxPartialMessages = 8;
constexpr std::uint32_t kMaxChunks = 64;
constexpr std::size_t kMaxJoinedBytes = 128 * 1024;
// Ink is an image in base64 (session/ink_message.h), cut like long text: aMSN sends 1202
// characters a chunk, so the largest ink we accept needs about 1,170 of them; 1,500 leaves room
// for senders that cut shorter pieces.
constexpr std::uint32_t kMaxInkChunks = 1'500;

}  // namespace

void SwitchboardSession::handle_msg(const wire::Command& command, TimePoint /*now*/) {
  // MSG email friendly length
  if (!command.has_payload) return;
  const std::string from = wire::sanitize_utf8(command.arg(0));
  const std::string friendly = display_name(command.arg(1));
  auto parsed = wire::parse_mime_message(command.payload);
  if (!parsed) {
    log(LogLevel::kWarning, "switchboard: unreadable message dropped: " + parsed.error().detail);
    return;
  }
  auto whole = reassemble(from, std::move(parsed.value()));
  if (whole) handle_message(from, friendly, std::move(*whole));
}

void SwitchboardSession::handle_message(const std::string& from, const std::string& friendly,
                                        wire::MimeMessage message) {
  const wire::MessageKind kind = wire::classify(message);
  switch (kind) {
    case wire::MessageKind::kText: {
      std::string text = wire::text_body(message);
      if (text.empty()) return;
      TextFormat format = parse_format_header(message.header("X-MMS-IM-Format").value_or(""));
      const std::string_view id = message.header("Message-ID").value_or("");
      events_.push_back(ev::TextReceived{conn_, from, friendly, std::move(text), std::move(format),
                                         usable_message_id(id) ? std::string(id) : std::string()});
      return;
    }
    case wire::MessageKind::kTyping:
      events_.push_back(ev::TypingReceived{conn_, from});
      return;
    case wire::MessageKind::kNudge:
      events_.push_back(ev::NudgeReceived{conn_, from});
      return;
    case wire::MessageKind::kP2p:
      handle_p2p(from, message);
      return;
    case wire::MessageKind::kInvitation: {
      // Legacy invitations (docs/protocol/switchboard.md): say "not installed" so the sender stops
      // waiting.
      auto fields = wire::parse_body_fields(message.body);
      if (fields && state_ == State::kReady) {
        const auto command = wire::find_field(fields.value(), "Invitation-Command");
        const auto cookie = wire::find_field(fields.value(), "Invitation-Cookie");
        if (command == "INVITE" && cookie)
          send_msg(wire::make_invitation_cancel(*cookie), AckMode::kNone);
      }
      break;
    }
    default:
      break;
  }
  events_.push_back(ev::OtherMessageReceived{conn_, from, kind, std::move(message)});
}

// Joins "Chunks: N" / "Chunk: i" parts that share a Message-ID. Returns the whole message when
// it is complete (or was never chunked), nullopt while parts are missing or when dropped.
std::optional<wire::MimeMessage> SwitchboardSession::reassemble(const std::string& from,
                                                                wire::MimeMessage message) {
  const auto message_id = message.header("Message-ID");
  const auto chunks = message.header("Chunks");
  const auto chunk = message.header("Chunk");
  if (!message_id || (!chunks && !chunk)) return message;
  const auto same = [&](const Reassembly& r) {
    return r.from == from && r.message_id == *message_id;
  };
  if (chunks) {
    const auto total = wire::parse_u32(*chunks);
    if (total == 1u) return message;
    std::erase_if(partial_, same);
    const bool ink = wire::classify(message) == wire::MessageKind::kInk;
    if (!total || *total > (ink ? kMaxInkChunks : kMaxChunks) || *total == 0) {
      log(LogLevel::kWarning, "switchboard: chunked message with a bad chunk count dropped");
      return std::nullopt;
    }
    if (partial_.size() >= kMaxPartialMessages) partial_.pop_front();
    Reassembly r;
    r.from = from;
    r.message_id = std::string(*message_id);
    r.total = *total;
    r.max_bytes = ink ? max_ink_body_bytes() : kMaxJoinedBytes;
    r.message = std::move(message);
    partial_.push_back(std::move(r));
    return std::nullopt;
  }
  const auto it = std::find_if(partial_.begin(), partial_.end(), same);
  if (it == partial_.end()) return std::nullopt;
  const auto index = wire::parse_u32(*chunk);
  if (index != it->next || it->message.body.size() + message.body.size() > it->max_bytes) {
    log(LogLevel::kWarning, "switchboard: chunked message out of order or too large; dropped");
    partial_.erase(it);
    return std::nullopt;
  }
  it->message.body += message.body;
  if (++it->next < it->total) return std::nullopt;
  wire::MimeMessage whole = std::move(it->message);
  partial_.erase(it);
  return whole;
}

}  // namespace msn
