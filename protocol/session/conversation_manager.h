// SPDX-License-Identifier: GPL-2.0-or-later
// Every conversation of one sign-in, sans-I/O: maps ConversationIds to conversations (1:1 ones
// also by the peer's lower-cased address, group chats only by id), owns their switchboard
// sessions (one current switchboard per conversation, reopened on demand), asks the NS for
// switchboards, sends offline messages to offline contacts and fetches the waiting ones, and
// turns all of it into the UI events of session/event.h.
//
// Driving contract (the Client's): intents as the user acts; on_notice() with what the NS
// hands on; on_connected/on_data/on_closed/on_timer for the connections it owns(); answers to
// its web calls through on_web_result(); then drain take_outputs(), take_events(),
// take_web_calls() and re-arm a timer at next_deadline().
//
// Delivery: each message the user sends is tracked until it is acknowledged (no event), stored
// offline (MessageStoredOffline) or given up (MessageFailed, exactly once). A NAK, a missing
// ACK or a switchboard lost before the ACK gets the message resent once over a fresh
// switchboard, with the same Message-ID so that a receiver which did get the first copy drops
// the second (a multi-part message is resent whole: a receiver shows none of an incomplete
// one); a second failure is reported. A contact that turns out
// to be offline (CAL 216/217) gets it as an offline message instead.
//
// Where to find what:
//   conversation_manager.cpp  the table of conversations, NS notices, connections, timers,
//                             settling the switchboards' events, shutting down
//   conv_intents.cpp          the user's intents (send, typing, nudge, close, chats)
//   conv_switchboards.cpp     a switchboard per conversation (XFR SB asked, RNG answered,
//                             the send window) and what each switchboard event means
//   conv_p2p.cpp              P2P packets to and from a contact over the 1:1 switchboard
//   conv_handback.cpp         what a switchboard we give up still had goes over the next one
//   conv_delivery.cpp         refused switchboards, messages not delivered (resent once or
//                             reported), duplicates dropped, offline messages
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "session/event.h"
#include "session/http_exchange.h"
#include "session/io.h"
#include "session/media_receiver.h"
#include "session/message_format.h"
#include "session/ns_access.h"
#include "session/ns_notice.h"
#include "session/oim_client.h"
#include "session/switchboard_events.h"
#include "session/switchboard_session.h"

namespace msn {

struct ConversationConfig {
  std::string account;
  std::string web_services_url;  // empty: the historic hosts
  SwitchboardTimeouts switchboard_timeouts;
  std::size_t max_conversations = 256;
  // Per conversation: unresolved messages (a pasted burst of 1,000 lines still goes), and
  // their bytes. Over either, send_message() fails with Errc::kLimit.
  std::size_t max_pending_messages = 1000;
  std::size_t max_pending_bytes = 4 * 1024 * 1024;
  // Messages on the wire without their ACK yet, per switchboard. The rest waits in the
  // conversation: if the switchboard drops, only these few are resent (once), and the others
  // go to the next switchboard as first tries.
  std::size_t send_window = 16;
  std::size_t p2p_window = kDefaultP2pWindow;  // P2P MSGs without their ACK, per switchboard
  std::size_t max_switchboards = 300;      // open sessions, invitations included
  std::size_t max_participants = 100;
  std::size_t max_offline_store_queue = 100;
  std::size_t max_offline_fetch = 100;     // offline messages fetched per sign-in
  // Web call ids of the conversation engine come from [first_call_id, first_call_id + 2^24):
  // the notification session counts from 1, so the two never meet.
  std::uint32_t first_call_id = 0x40000000u;
  // Message-IDs of our texts (see SwitchboardConfig); tests inject a deterministic one.
  std::function<std::string()> new_message_id = random_message_id;
  // Received texts remembered by (sender, Message-ID), to drop the copy a sender resends when
  // the ACK of the first one was lost (the first did arrive). Oldest forgotten first.
  std::size_t max_remembered_message_ids = 512;
  // P2P packets waiting for a contact's switchboard (a picture is a few hundred).
  std::size_t max_p2p_waiting = 512;
};

class ConversationManager {
 public:
  ConversationManager(ConversationConfig config, ConnectionIds& ids, NsAccess& ns);
  ~ConversationManager();
  ConversationManager(const ConversationManager&) = delete;
  ConversationManager& operator=(const ConversationManager&) = delete;

  void set_random_source(OimRandomSource random) { oim_.set_random_source(std::move(random)); }

  // ---- intents (see Client) ----
  Result<ConversationId> send_message(std::string_view to, std::string_view html, TimePoint now);
  Status send_typing(std::string_view to, TimePoint now);
  Status send_nudge(std::string_view to, TimePoint now);
  void close_conversation(std::string_view peer, TimePoint now);
  Result<ConversationId> start_chat(std::string_view first_invitee, TimePoint now);
  Status chat_invite(ConversationId chat, std::string_view address, TimePoint now);
  Status chat_send(ConversationId chat, std::string_view html, TimePoint now);
  void chat_leave(ConversationId chat, TimePoint now);

  // ---- custom emoticons (conv_emoticons.cpp) ----
  // Announcements (text/x-mms-emoticon or text/x-mms-animemoticon messages) for the 1:1
  // conversation with `to`, sent in order before whatever is queued after them. Nothing is
  // sent to a contact known to be offline (offline messages carry no emoticons).
  Status send_emoticons(std::string_view to, std::vector<wire::MimeMessage> messages,
                        TimePoint now);
  // The same for a group chat: everybody in it gets them ahead of the next text.
  Status send_chat_emoticons(ConversationId chat, std::vector<wire::MimeMessage> messages,
                             TimePoint now);

  // ---- P2P (conv_p2p.cpp) ----
  // A P2P packet's binary body for `peer`, over the 1:1 switchboard with them (the one open,
  // or one opened in the background: no conversation shows until a text arrives). Errc::kLimit
  // past max_p2p_waiting; kInvalidArgument when shut down or the peer is known to be offline.
  Status send_p2p(std::string_view peer, std::string body, bool signalling, TimePoint now);
  // What switchboards hand on for the P2P layer: a packet from `peer`, or (`lost`) the
  // switchboard that carried P2P with `peer` closed, so their sessions are over.
  struct P2pNotice {
    std::string peer;
    std::string body;
    bool lost = false;
  };
  std::vector<P2pNotice> take_p2p() { return std::exchange(p2p_notices_, {}); }
  // P2P packets for `peer` not yet acknowledged by the switchboard: waiting for it, queued in
  // it or on the wire. Bulk senders (files) keep this small, so that they follow the
  // switchboard's pace and never starve anything else.
  std::size_t p2p_backlog(std::string_view peer) const;
  // The data of a P2P message from `peer` on the ink SessionID (conv_ink.cpp): shown in the
  // 1:1 conversation with them.
  void on_p2p_ink(std::string_view peer, std::string_view blob);

  // Winks and voice clips announced in a conversation (conv_media.cpp), for the object
  // manager to fetch from their sender (`msnobj` is what to ask for).
  struct MediaNotice {
    MediaAnnouncement announcement;
    std::string msnobj;
  };
  std::vector<MediaNotice> take_media() { return std::exchange(media_notices_, {}); }

  // Ends everything: switchboards closed (OUT), every message not yet delivered or stored
  // reported as MessageFailed with `reason`, offline-message work abandoned. Later intents fail.
  void shut_down(ev::DeliveryFailure reason, Error error, TimePoint now);
  bool is_shut_down() const { return shut_down_; }

  // ---- from the notification session ----
  // Offline-message notices that arrive during the sign-in wait until the NS is online, so
  // that their messages reach a user interface that is signed in.
  void on_notice(NsNotice notice, TimePoint now);
  // Picks up what waited for the sign-in to complete; true if there was something.
  bool resume(TimePoint now);

  // ---- connections and web calls ----
  bool owns(ConnectionId conn) const;
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);
  bool owns_call(std::uint32_t call_id) const { return oim_.owns_call(call_id); }
  void on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now);

  std::vector<Output> take_outputs() { return std::exchange(outputs_, {}); }
  std::vector<Event> take_events() { return std::exchange(events_, {}); }
  std::vector<WebCall> take_web_calls() { return oim_.take_web_calls(); }
  std::optional<TimePoint> next_deadline() const;

  // For tests and the debug log.
  std::size_t conversation_count() const { return conversations_.size(); }
  std::size_t switchboard_count() const { return switchboards_.size(); }

 private:
  using Seq = std::uint64_t;  // a message the user sent, in the order sent

  // Something waiting for a switchboard of its conversation.
  struct Item {
    Seq seq = 0;
    bool nudge = false;
    int failures = 0;  // for nudges (texts count in their OutMessage)
    // A message sent as is, ahead of the text it precedes (emoticon announcements).
    std::shared_ptr<const wire::MimeMessage> payload;
    // Not a text: nothing is reported when it does not get through.
    bool fire_and_forget() const { return nudge || payload != nullptr; }
  };

  struct OutMessage {
    ConversationId conversation = 0;
    std::string to;          // 1:1 peer; empty in chats
    std::string html;        // as the user typed it
    std::string full_text;   // html_to_msn(html).text
    std::string text;        // what is still to deliver (less once some pieces were acked)
    TextFormat format;
    int failures = 0;
    std::string message_id;  // set after a failed try: the resend carries the same one
  };

  struct Conversation {
    ConversationId id = 0;
    bool chat = false;
    std::string peer;  // 1:1: the address as first given; chats: empty
    std::optional<ConnectionId> sb;   // the current switchboard
    std::optional<wire::TrId> xfr;    // asked the NS for one, no answer yet
    std::deque<Item> waiting;         // in send order
    std::vector<std::string> invites; // chat invitations for the next switchboard
    std::vector<Participant> members; // chats: who the UI shows (also whom to reopen with)
    bool closing = false;             // the user closed it; leave once nothing is pending
    std::deque<std::pair<std::string, bool>> p2p_waiting;  // (body, signalling) for the next sb
  };

  struct Board {
    std::unique_ptr<SwitchboardSession> session;
    std::optional<ConversationId> conversation;  // nullopt: an invitation not placed yet
    std::map<MessageId, Seq> messages;           // session message id -> ours
    bool retired = false;                        // replaced or left by us: not current
    std::string p2p_peer;                        // whom P2P went to or came from (1:1)
  };

  // The table of conversations (conversation_manager.cpp).
  Result<Conversation*> one_to_one(std::string_view peer, bool create);
  Result<Conversation*> new_conversation(bool chat);
  Conversation* find(ConversationId id);
  bool make_room();
  std::size_t pending_for(ConversationId id) const;
  std::size_t pending_bytes_for(ConversationId id) const;
  bool peer_offline(const Conversation& conv) const;
  void settle(TimePoint now);

  // Intents (conv_intents.cpp).
  Status check_usable(std::string_view address) const;
  Result<ConversationId> queue_text(Conversation& conv, std::string_view html, TimePoint now);

  // Switchboards and their events (conv_switchboards.cpp).
  void pump(Conversation& conv, TimePoint now);
  void hand_over(Conversation& conv, Board& board, TimePoint now);
  void ensure_switchboard(Conversation& conv, TimePoint now);
  void open_switchboard(Conversation& conv, const SwitchboardTicket& ticket, TimePoint now);
  void accept_invitation(const SwitchboardInvitation& invitation, TimePoint now);
  void place_invitation(Board& board, TimePoint now);
  void retire(Conversation& conv, TimePoint now);
  Board* board_for(ConnectionId conn);
  void handle(Board& board, SwitchboardEvent event, TimePoint now);
  void handle_joined(Board& board, Conversation& conv, const ev::ParticipantJoined& joined);
  void handle_left(Conversation& conv, const ev::ParticipantLeft& left);
  void handle_closed(ConnectionId conn, TimePoint now);
  void leave_if_done(Conversation& conv, TimePoint now);

  // P2P (conv_p2p.cpp).
  void hand_over_p2p(Conversation& conv, Board& board, TimePoint now);
  void p2p_received(Board& board, ev::P2pReceived received);
  void p2p_board_closed(Board& board, bool clean, TimePoint now);
  void p2p_refused(Conversation& conv);
  // A switchboard given up for another one with the same people (conv_handback.cpp).
  void take_back(Conversation& conv, Board& board);
  bool p2p_draining(std::string_view peer, const Board& except) const;

  // Custom emoticons (conv_emoticons.cpp).
  void emoticons_received(const Conversation& conv, const ev::OtherMessageReceived& message);
  bool send_payload_item(Board& board, const Item& item, TimePoint now);
  Status queue_payloads(Conversation& conv, std::vector<wire::MimeMessage> messages,
                        TimePoint now);
  // Ink (conv_ink.cpp).
  void ink_received(const Conversation& conv, const ev::OtherMessageReceived& message);
  // Winks, voice clips, action messages (conv_media.cpp).
  void datacast_received(const Conversation& conv, const ev::OtherMessageReceived& message);

  // Delivery failures, resends, offline messages (conv_delivery.cpp).
  void refused(wire::TrId trid, const Error& error, TimePoint now);
  void refused_conversation(Conversation& conv, const Error& error, TimePoint now);
  void handle_not_delivered(Board& board, ev::MessageNotDelivered failed, TimePoint now);
  void requeue(Conversation& conv, Seq seq);
  bool already_shown(const ev::TextReceived& text);
  void message_failed(Seq seq, ev::DeliveryFailure reason, Error error);
  void handle_oim(OimReport report, TimePoint now);

  void emit(Event event) { events_.push_back(std::move(event)); }
  void log(LogLevel level, std::string text) { emit(ev::Log{level, std::move(text)}); }
  SwitchboardConfig switchboard_config() const;

  ConversationConfig config_;
  ConnectionIds& ids_;
  NsAccess& ns_;
  OimClient oim_;
  bool shut_down_ = false;
  ev::DeliveryFailure shutdown_reason_ = ev::DeliveryFailure::kSignedOut;
  Error shutdown_error_{Errc::kTransport, "signed out", 0};

  ConversationId next_id_ = 1;
  Seq next_seq_ = 1;
  std::map<ConversationId, Conversation> conversations_;
  std::map<std::string, ConversationId> by_peer_;  // lower-cased address -> 1:1 conversation
  std::map<wire::TrId, ConversationId> xfr_owner_;
  std::map<ConnectionId, Board> switchboards_;
  std::map<Seq, OutMessage> messages_;             // every unresolved message
  std::vector<std::string> deferred_mail_data_;    // notices from before the sign-in completed
  std::deque<std::string> shown_ids_;               // "sender\nMessage-ID", oldest first
  std::unordered_set<std::string> shown_id_set_;    // the same, for lookups

  std::vector<P2pNotice> p2p_notices_;
  std::vector<MediaNotice> media_notices_;

  std::vector<Output> outputs_;
  std::vector<Event> events_;
};

}  // namespace msn
