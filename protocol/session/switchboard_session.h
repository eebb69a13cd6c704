// SPDX-License-Identifier: GPL-2.0-or-later
// One switchboard conversation, sans-I/O (docs/protocol/switchboard.md): the connection named by
// its ConnectionId, USR/CAL/JOI when we start it, ANS/IRO when we are invited, BYE tracking,
// MSG sending with ACK/NAK tracking, and incoming MSGs decoded into events.
// Where to find a command's handling:
//   switchboard_session.cpp  XFR SB / RNG tickets, USR, ANS, OUT, error replies, dispatch,
//                            timers, leaving and closing
//   sb_participants.cpp      CAL, IRO, JOI, BYE (who is in the conversation), invite()
//   sb_send.cpp              MSG out (texts, typing, nudges, payloads), ACK, NAK
//   sb_receive.cpp           MSG in (decoded into events, chunked messages joined)
//   sb_p2p.cpp               P2P MSGs: handed to the owner, sent through a small window
//   sb_handback.cpp          what was never written, taken back before leaving
//
// Driving contract (the same as NotificationSession): call start_outgoing() or
// start_incoming(), feed on_connected/on_data/on_closed/on_timer, then drain take_outputs()
// (Connect/Send/Close for this one connection) and take_events(), and re-arm one timer at
// next_deadline(). Nothing is ever called back from inside.
//
// Messages: send_text() returns a MessageId at once, even before anyone has joined (the text
// is queued until the first JOI). Each id ends in exactly one ev::MessageDelivered (every piece
// ACKed) or ev::MessageNotDelivered (NAK, no ACK in time, connection lost, invitee unavailable,
// closed). close() resolves everything still open, so an owner that calls close() before
// destroying a session never loses a message silently; destroying an unfinished session
// without close() drops its events (and the destructor cannot report them). Every text goes
// with a Message-ID (a random GUID; see random_message_id()) and every received text reports
// its own, so that an owner can resend with the same id and drop the copies it receives.
//
// Example (outgoing, transcript 02):
//   SwitchboardSession sb(config, ids.next());
//   sb.start_outgoing(parse_xfr_switchboard(xfr).value(), "bob@example.com", now);
//   auto id = sb.send_text("Hi Bob!", {}, now);   // queued until bob joins
//   ... on_connected / on_data ...; take_events() yields SwitchboardReady, then
//   MessageDelivered{id} once "ACK n" arrives.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "session/io.h"
#include "session/message_format.h"
#include "session/switchboard_events.h"
#include "wire/command.h"
#include "wire/command_parser.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn {

struct SwitchboardTimeouts {
  Duration connect = seconds(30);  // TCP connect
  Duration reply = seconds(30);    // USR, ANS and CAL answers
  Duration join = seconds(60);     // CAL RINGING until the JOI
  Duration ack = seconds(30);      // MSG (ack mode A) until its ACK/NAK
};

// "{XXXXXXXX-XXXX-4XXX-8XXX-XXXXXXXXXXXX}": a random (version 4) GUID in braces, upper-case
// hex, the form official clients put in Message-ID. Random, not counted, so that ids never
// repeat across sign-ins or clients: a receiver drops a text whose (sender, id) it has seen.
// Empty if the system has no randomness to give (the message then goes without an id).
std::string random_message_id();

// P2P MSGs (ack D) on the wire without their ACK at once, by default. See docs/protocol/p2p.md
// ("Transport message") for why this many.
inline constexpr std::size_t kDefaultP2pWindow = 32;

struct SwitchboardConfig {
  std::string account;  // our Passport name, for USR/ANS and TypingUser
  SwitchboardTimeouts timeouts;
  std::size_t max_pending_messages = 100;  // unresolved send_text() messages
  std::size_t max_participants = 100;
  // Makes the Message-ID of each new text message; tests inject a deterministic one.
  std::function<std::string()> new_message_id = random_message_id;
  // P2P MSGs (ack D) on the wire without their ACK at once, and waiting in all.
  std::size_t p2p_window = kDefaultP2pWindow;
  std::size_t max_p2p_backlog = 512;
};

// The switchboard part of the NS answer "XFR trid SB host:port CKI cookie ...".
struct SwitchboardTicket {
  std::string host;
  std::uint16_t port = 0;
  std::string cookie;  // secret: never logged
};

// "RNG session-id host:port CKI cookie inviter friendly ..." from the NS.
struct SwitchboardInvitation {
  std::string session_id;
  std::string host;
  std::uint16_t port = 0;
  std::string cookie;  // secret: never logged
  std::string inviter;
  std::string inviter_name;  // URL-decoded, UTF-8
};

// Errc::kProtocol when the command does not have the documented shape.
Result<SwitchboardTicket> parse_xfr_switchboard(const wire::Command& xfr);
Result<SwitchboardInvitation> parse_rng(const wire::Command& rng);

struct Participant {
  std::string email;
  std::string friendly_name;
};

// MSG acknowledgement modes (docs/protocol/switchboard.md, "Sending and acknowledgements").
enum class AckMode { kNone /* U */, kNakOnly /* N */, kAlways /* A */, kData /* D */ };

class SwitchboardSession {
 public:
  enum class State {
    kIdle,
    kConnecting,
    kAuthenticating,  // USR or ANS sent
    kInviting,        // USR OK; CAL sent, nobody joined yet
    kReady,           // at least one participant: messages flow
    kLeaving,         // no new messages; OUT once every sent message is resolved
    kClosed,
  };

  SwitchboardSession(SwitchboardConfig config, ConnectionId conn);
  SwitchboardSession(const SwitchboardSession&) = delete;
  SwitchboardSession& operator=(const SwitchboardSession&) = delete;

  // Connects to the switchboard from an XFR SB answer, signs in, and invites `invitee`.
  void start_outgoing(const SwitchboardTicket& ticket, std::string invitee, TimePoint now);
  // Connects to the switchboard named in an RNG and answers the invitation.
  void start_incoming(const SwitchboardInvitation& invitation, TimePoint now);

  // Sends a text (UTF-8; CRLF line breaks) with its format, split into as many MSGs as the
  // 1664-byte limit needs, as one multi-part message (the receiver joins the parts; a message
  // missing a part is never shown, so a partly delivered one is reported whole). Every text
  // carries a Message-ID, a new one unless `message_id` (from ev::MessageNotDelivered) says
  // which: a resend keeps the id of the first try so that the receiver can drop a second copy.
  // Errc::kInvalidArgument for an empty text or once the session no longer accepts messages
  // (see accepts_messages()); Errc::kLimit when max_pending_messages are already unresolved.
  Result<MessageId> send_text(std::string_view text, const TextFormat& format, TimePoint now,
                              std::string_view message_id = {});
  // A typing notification (ack U). Only while ready: typing before anyone is here is pointless.
  Status send_typing(TimePoint now);
  // A nudge (ack N). Queued like text until the first participant joins.
  Status send_nudge(TimePoint now);
  // Any other payload (P2P, ...), only while ready. Returns the MSG TrId.
  Result<wire::TrId> send_payload(const wire::MimeMessage& message, AckMode mode, TimePoint now);
  // A P2P packet (the binary body; the MIME block with P2P-Dest `destination` is added here) as
  // "MSG trid D len". Queued until the session is ready, then sent through the P2P window,
  // `signalling` (SLP, P2P ACKs) ahead of data. Errc::kInvalidArgument once the session takes
  // no messages, Errc::kLimit past max_p2p_backlog.
  Status send_p2p(std::string destination, std::string body, bool signalling, TimePoint now);
  // P2P packets queued or on the wire without their ACK.
  std::size_t p2p_backlog() const;
  // Invites one more person (CAL): a multi-party conversation. Queued until signed in.
  Status invite(std::string email, TimePoint now);

  // Leaves politely: no new messages; OUT once every sent message, P2P included, has its ACK
  // or NAK (each bounded by the ack timeout). Unsent (queued) messages end as not delivered
  // (kClosed); unsent P2P is dropped unless taken first (take_unsent()).
  void leave(TimePoint now);
  // What was queued but never written, taken out for another switchboard to carry (this one is
  // about to be left): P2P packets (body, signalling) in the order they would have gone,
  // signalling first, and the nudges queued until someone joins (sb_handback.cpp).
  struct Unsent {
    std::vector<std::pair<std::string, bool>> p2p;
    std::size_t nudges = 0;
  };
  Unsent take_unsent();
  // Ends now: OUT if signed in, Close, and every unresolved message not delivered (kClosed).
  void close(TimePoint now);

  bool owns(ConnectionId conn) const { return conn == conn_ && state_ != State::kClosed; }
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);

  std::vector<Output> take_outputs();
  std::vector<SwitchboardEvent> take_events();
  std::optional<TimePoint> next_deadline() const;

  ConnectionId conn() const { return conn_; }
  State state() const { return state_; }
  bool finished() const { return state_ == State::kClosed; }
  bool is_ready() const { return state_ == State::kReady; }
  // True while send_text() accepts messages (before and while ready).
  bool accepts_messages() const;
  const std::vector<Participant>& participants() const { return participants_; }
  bool has_participant(std::string_view email) const;
  // The invitee of an outgoing session, or the inviter of an incoming one.
  const std::string& peer() const { return peer_; }
  std::size_t unresolved_messages() const { return messages_.size(); }

 private:
  enum class PieceState { kQueued, kSent, kAcked, kFailed };
  struct Piece {
    std::string text;
    PieceState state = PieceState::kQueued;
    NotDeliveredReason failure = NotDeliveredReason::kRejected;
    TimePoint deadline{};
  };
  struct OutgoingMessage {
    TextFormat format;
    std::string format_header;
    // Every text has one (empty only without randomness). When the text needs several MSGs
    // they go as one multi-part message (Message-ID, Chunks/Chunk, docs/protocol/switchboard.md)
    // that the receiver shows only once it has every part.
    std::string message_id;
    bool multipart = false;
    std::vector<Piece> pieces;
    std::vector<std::string> recipients;
    bool unconfirmed = false;  // a piece was written but the session ended before its answer
  };
  // What waits in the queue for the first participant.
  struct Queued {
    bool nudge = false;
    MessageId id = 0;
    std::size_t piece = 0;
  };
  struct PendingCal {
    std::string email;
    TimePoint deadline;
    bool ringing = false;
  };
  struct Reassembly {
    std::string from;
    std::string message_id;
    wire::MimeMessage message;
    std::uint32_t total = 0;
    std::uint32_t next = 1;
    std::size_t max_bytes = 0;  // of the joined body
  };

  // Connection, sign-in, dispatch, errors, timers, ending (switchboard_session.cpp).
  void begin(std::string host, std::uint16_t port, TimePoint now);
  void dispatch(const wire::Command& command, TimePoint now);
  void handle_usr(const wire::Command& command, TimePoint now);
  void handle_ans(const wire::Command& command, TimePoint now);
  void handle_error_reply(const wire::Command& command, TimePoint now);
  void start_leaving(NotDeliveredReason for_queued);
  void finish_leaving_if_done();
  void fail(Error error, NotDeliveredReason reason);
  void end(std::optional<Error> error, bool say_out);
  void log(LogLevel level, std::string text);
  void write(std::string bytes);

  // Participants: CAL, IRO, JOI, BYE (sb_participants.cpp).
  void handle_cal(const wire::Command& command, TimePoint now);
  void handle_iro(const wire::Command& command);
  void handle_joi(const wire::Command& command, TimePoint now);
  void handle_bye(const wire::Command& command);
  void add_participant(std::string_view email, std::string_view encoded_name, bool was_present);
  void send_cal(const std::string& email, TimePoint now);
  void invite_failed(wire::TrId trid, InviteFailure reason, int code, TimePoint now);
  void become_ready(TimePoint now);
  void check_alone();
  std::vector<std::string> current_recipients() const;

  // Messages out: the queue, MSG, ACK/NAK (sb_send.cpp).
  void flush_queue(TimePoint now);
  void send_piece(MessageId id, std::size_t index, TimePoint now);
  wire::TrId send_msg(const wire::MimeMessage& message, AckMode mode);
  void handle_ack(const wire::Command& command, bool delivered, TimePoint now);
  void piece_resolved(MessageId id, std::size_t index, bool delivered, NotDeliveredReason reason);
  void resolve_if_done(MessageId id);
  void fail_unresolved(NotDeliveredReason reason);
  void expire_acks(TimePoint now);

  // P2P (sb_p2p.cpp).
  struct P2pOut {
    std::string destination;
    std::string body;
  };
  void flush_p2p(TimePoint now);
  bool p2p_answered(wire::TrId trid, bool delivered, TimePoint now);
  void expire_p2p(TimePoint now);
  void handle_p2p(const std::string& from, const wire::MimeMessage& message);
  std::optional<TimePoint> p2p_deadline() const;
  void drop_p2p();

  // Messages in: MSG (sb_receive.cpp).
  void handle_msg(const wire::Command& command, TimePoint now);
  void handle_message(const std::string& from, const std::string& friendly, wire::MimeMessage message);
  std::optional<wire::MimeMessage> reassemble(const std::string& from, wire::MimeMessage message);

  SwitchboardConfig config_;
  ConnectionId conn_;
  State state_ = State::kIdle;
  bool outgoing_ = false;
  bool connected_ = false;
  std::string peer_;
  std::string session_id_;
  std::string cookie_;
  wire::CommandParser parser_;
  wire::CommandWriter writer_;

  std::optional<wire::TrId> auth_trid_;  // USR or ANS
  std::optional<TimePoint> connect_deadline_;
  std::optional<TimePoint> reply_deadline_;

  std::vector<Participant> participants_;
  std::vector<std::string> invites_waiting_;  // invite() before signing in
  std::map<wire::TrId, PendingCal> cals_;
  bool recipient_unavailable_ = false;  // the last CAL failure was 216/217

  MessageId next_message_id_ = 1;
  std::map<MessageId, OutgoingMessage> messages_;  // unresolved only
  std::deque<Queued> queue_;
  std::map<wire::TrId, std::pair<MessageId, std::size_t>> awaiting_ack_;
  std::deque<wire::TrId> recent_nudges_;  // N-mode MSGs: only a NAK would ever answer
  std::deque<Reassembly> partial_;
  std::deque<P2pOut> p2p_signalling_;
  std::deque<P2pOut> p2p_data_;
  std::map<wire::TrId, TimePoint> p2p_in_flight_;  // MSG D -> ack deadline

  std::vector<Output> outputs_;
  std::vector<SwitchboardEvent> events_;
};

}  // namespace msn
