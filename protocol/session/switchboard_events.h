// SPDX-License-Identifier: GPL-2.0-or-later
// What a switchboard session (one conversation) tells its owner. Like session/event.h these
// carry data, never user-facing text. Every event names the switchboard's ConnectionId.
// Guarantee: every message accepted by SwitchboardSession::send_text() ends in exactly one
// MessageDelivered or MessageNotDelivered, whatever happens to the connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "session/event.h"
#include "session/io.h"
#include "session/message_format.h"
#include "wire/mime_message.h"

namespace msn {

// Identifies one message given to send_text(); unique within its switchboard session.
using MessageId = std::uint64_t;

// Why a CAL (an invitation into the conversation) failed; docs/protocol/switchboard.md,
// notification-server.md.
enum class InviteFailure {
  kAlreadyThere,    // 215
  kUnavailable,     // 216, 217: offline or not accepting messages: send as an offline message
  kInvalidAddress,  // 208
  kTooManyInvites,  // 713
  kTimedOut,        // no answer, or RINGING but nobody joined in time
  kOther,           // any other error reply
};

// Why a message did not get through.
enum class NotDeliveredReason {
  kRejected,            // NAK from the server
  kTimedOut,            // no ACK within the ack timeout
  kConnectionLost,      // the connection dropped or broke before the ACK
  kRecipientUnavailable,// the invitee could not be reached (CAL 216/217): send it offline
  kNoParticipants,      // the conversation never opened or everyone left before it was sent
  kClosed,              // the session was closed by its owner before the ACK
};

namespace ev {

// The conversation can carry messages: the first JOI (outgoing) or ANS OK (incoming).
struct SwitchboardReady {
  ConnectionId conn;
};

// Someone is in the conversation: IRO (already there when we answered) or JOI (came in).
struct ParticipantJoined {
  ConnectionId conn;
  std::string email;
  std::string friendly_name;  // URL-decoded, UTF-8 (invalid bytes replaced)
  bool was_present;           // true for IRO
};

// Someone left (BYE). idle is true when the server closed the conversation for inactivity
// (BYE with an extra parameter).
struct ParticipantLeft {
  ConnectionId conn;
  std::string email;
  bool idle;
};

// A CAL failed; the conversation may go on with the others.
struct InviteFailed {
  ConnectionId conn;
  std::string email;
  InviteFailure reason;
  int server_code;  // the three-digit reply, 0 for a timeout
};

// A text message. `text` is UTF-8 with CRLF line breaks; render with msn_to_html().
// `message_id` is its Message-ID header (empty when absent or unreasonably long): a sender
// that resends a message it could not confirm keeps the id, so the owner can drop the copy.
struct TextReceived {
  ConnectionId conn;
  std::string from;
  std::string friendly_name;
  std::string text;
  TextFormat format;
  std::string message_id;
};

struct TypingReceived {
  ConnectionId conn;
  std::string from;
};

struct NudgeReceived {
  ConnectionId conn;
  std::string from;
};

// Any other message (P2P, emoticons, winks, client caps, ...), for the features that want it.
struct OtherMessageReceived {
  ConnectionId conn;
  std::string from;
  wire::MessageKind kind;
  wire::MimeMessage message;
};

// The binary body (header, data, footer) of a P2P message addressed to us (P2P-Dest).
struct P2pReceived {
  ConnectionId conn;
  std::string from;
  std::string body;
};

// Every piece of message `id` was acknowledged.
struct MessageDelivered {
  ConnectionId conn;
  MessageId id;
};

// Message `id` did not get through. `text` holds all of it: a long message goes as one
// multi-part message, which the receiver shows only when every part arrived, so a partly
// acknowledged one was not shown either. The owner may resend it once over a new switchboard,
// or as an offline message for kRecipientUnavailable.
struct MessageNotDelivered {
  ConnectionId conn;
  MessageId id;
  NotDeliveredReason reason;
  std::string text;
  TextFormat format;
  std::vector<std::string> recipients;  // who it was meant for (the invitee or participants)
  // The Message-ID it carried: pass it to send_text() for the resend, so that a receiver who
  // got the first copy after all (relayed, but the ACK was lost) recognises the second.
  std::string message_id;
  // Some of it was written to the server when the session ended, without an answer yet: it may
  // have arrived.
  bool unconfirmed = false;
};

// The session is over; nothing follows. `error` is set when it ended on a failure (connection
// lost, protocol error, USR/ANS refused, timeout) rather than by OUT after everyone left or a
// close() by the owner.
struct SwitchboardClosed {
  ConnectionId conn;
  std::optional<Error> error;
};

}  // namespace ev

using SwitchboardEvent =
    std::variant<ev::SwitchboardReady, ev::ParticipantJoined, ev::ParticipantLeft, ev::InviteFailed,
                 ev::TextReceived, ev::TypingReceived, ev::NudgeReceived, ev::OtherMessageReceived,
                 ev::P2pReceived, ev::MessageDelivered, ev::MessageNotDelivered,
                 ev::SwitchboardClosed, ev::Log>;

}  // namespace msn
