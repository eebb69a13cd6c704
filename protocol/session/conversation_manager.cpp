// SPDX-License-Identifier: GPL-2.0-or-later
// The conversation manager. Sections: intents; NS notices and connections; switchboard events;
// message bookkeeping and offline messages.
#include "session/conversation_manager.h"

#include <algorithm>
#include <functional>
#include <utility>

#include "core/ascii.h"
#include "wire/mime_message.h"
#include "wire/server_error.h"

namespace msn {

using ev::DeliveryFailure;

namespace {

// A message the user typed, as purple HTML. Real messages are far smaller; the bound keeps one
// paste from queueing megabytes of switchboard traffic.
constexpr std::size_t kMaxHtmlBytes = 64 * 1024;
constexpr int kMaxFailures = 2;  // the first try and the one resend
constexpr std::size_t kMaxDeferredNotices = 8;

DeliveryFailure failure_for(NotDeliveredReason reason) {
  switch (reason) {
    case NotDeliveredReason::kRejected: return DeliveryFailure::kRejected;
    case NotDeliveredReason::kTimedOut: return DeliveryFailure::kTimedOut;
    case NotDeliveredReason::kConnectionLost: return DeliveryFailure::kConnectionLost;
    case NotDeliveredReason::kRecipientUnavailable:
    case NotDeliveredReason::kNoParticipants: return DeliveryFailure::kUnavailable;
    case NotDeliveredReason::kClosed: return DeliveryFailure::kConnectionLost;
  }
  return DeliveryFailure::kConnectionLost;
}

Error error_for(NotDeliveredReason reason) {
  switch (reason) {
    case NotDeliveredReason::kRejected: return make_error(Errc::kServer, "the switchboard refused the message (NAK)");
    case NotDeliveredReason::kTimedOut: return make_error(Errc::kTimeout, "no acknowledgement for the message");
    case NotDeliveredReason::kConnectionLost: return make_error(Errc::kTransport, "the conversation's connection was lost");
    case NotDeliveredReason::kRecipientUnavailable:
      return make_error(Errc::kServer, "the recipient is offline or not accepting messages");
    case NotDeliveredReason::kNoParticipants: return make_error(Errc::kTransport, "nobody joined the conversation");
    case NotDeliveredReason::kClosed: return make_error(Errc::kTransport, "the conversation was closed");
  }
  return make_error(Errc::kTransport, "not delivered");
}

DeliveryFailure failure_for(const Error& error) {
  return error.code == Errc::kTimeout ? DeliveryFailure::kTimedOut : DeliveryFailure::kRejected;
}

Error invite_error(const ev::InviteFailed& failed) {
  if (failed.server_code != 0) return wire::server_error(failed.server_code, "the invitation was refused");
  return make_error(Errc::kTimeout, "nobody answered the invitation");
}

std::vector<std::string> emails_of(const std::vector<Participant>& participants) {
  std::vector<std::string> emails;
  for (const auto& p : participants) emails.push_back(p.email);
  return emails;
}

bool contains(const std::vector<Participant>& participants, std::string_view email) {
  return std::any_of(participants.begin(), participants.end(),
                     [&](const Participant& p) { return ascii::iequals(p.email, email); });
}

}  // namespace

ConversationManager::ConversationManager(ConversationConfig config, ConnectionIds& ids, NsAccess& ns)
    : config_(std::move(config)),
      ids_(ids),
      ns_(ns),
      oim_(OimConfig{.account = config_.account,
                     .web_services_url = config_.web_services_url,
                     .first_call_id = config_.first_call_id,
                     .max_store_queue = config_.max_offline_store_queue,
                     .max_fetch_per_sign_in = config_.max_offline_fetch},
           ns) {}

// Sessions must be closed before they are destroyed; nobody hears their last events here (the
// Client shuts the manager down first, which reports every message).
ConversationManager::~ConversationManager() {
  for (auto& [conn, board] : switchboards_) board.session->close(TimePoint{});
}

SwitchboardConfig ConversationManager::switchboard_config() const {
  SwitchboardConfig config;
  config.account = config_.account;
  config.timeouts = config_.switchboard_timeouts;
  config.max_pending_messages = std::max<std::size_t>(config_.send_window, 1) + 8;  // + queued nudges
  config.max_participants = config_.max_participants;
  config.new_message_id = config_.new_message_id;
  return config;
}

// ---------------------------------------------------------------------------------------------
// Intents

Status ConversationManager::check_usable(std::string_view address) const {
  if (shut_down_ || !ns_.online()) return make_error(Errc::kInvalidArgument, "not signed in");
  if (address.empty() || address.size() > 256 || address.find('@') == std::string_view::npos ||
      std::any_of(address.begin(), address.end(), [](char c) { return c == ' ' || ascii::is_control(c); }))
    return make_error(Errc::kInvalidArgument, "not an address");
  if (ascii::iequals(address, config_.account)) return make_error(Errc::kInvalidArgument, "that is our own address");
  return Status::ok();
}

Result<ConversationId> ConversationManager::send_message(std::string_view to, std::string_view html, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto conv = one_to_one(to, true);
  if (!conv) return conv.error();
  auto id = queue_text(*conv.value(), html, now);
  settle(now);
  return id;
}

Status ConversationManager::send_typing(std::string_view to, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto conv = one_to_one(to, false);
  if (!conv || !conv.value()->sb) return Status::ok();  // nothing open: typing is not worth opening one
  Board* board = board_for(*conv.value()->sb);
  if (board != nullptr && board->session->is_ready()) {
    if (auto status = board->session->send_typing(now); !status) log(LogLevel::kDebug, "typing not sent");
  }
  settle(now);
  return Status::ok();
}

Status ConversationManager::send_nudge(std::string_view to, TimePoint now) {
  MSN_TRY(check_usable(to));
  auto found = one_to_one(to, true);
  if (!found) return found.error();
  Conversation& conv = *found.value();
  if (peer_offline(conv)) return make_error(Errc::kInvalidArgument, "the contact is offline");
  if (conv.waiting.size() >= config_.max_pending_messages)
    return make_error(Errc::kLimit, "too many messages waiting for the conversation");
  conv.closing = false;
  conv.waiting.push_back(Item{next_seq_++, true, 0});
  pump(conv, now);
  settle(now);
  return Status::ok();
}

void ConversationManager::close_conversation(std::string_view peer, TimePoint now) {
  auto conv = one_to_one(peer, false);
  if (!conv) return;
  conv.value()->closing = true;
  leave_if_done(*conv.value(), now);
  settle(now);
}

Result<ConversationId> ConversationManager::start_chat(std::string_view first_invitee, TimePoint now) {
  MSN_TRY(check_usable(first_invitee));
  auto conv = new_conversation(true);
  if (!conv) return conv.error();
  conv.value()->invites.emplace_back(first_invitee);
  const ConversationId id = conv.value()->id;
  emit(ev::ChatStarted{id, {}});  // participants follow as ChatParticipantJoined
  pump(*conv.value(), now);
  settle(now);
  return id;
}

Status ConversationManager::chat_invite(ConversationId chat, std::string_view address, TimePoint now) {
  MSN_TRY(check_usable(address));
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return make_error(Errc::kInvalidArgument, "no such chat");
  if (contains(conv->members, address)) return Status::ok();
  if (conv->members.size() + conv->invites.size() >= config_.max_participants)
    return make_error(Errc::kLimit, "too many people in the chat");
  Board* board = conv->sb ? board_for(*conv->sb) : nullptr;
  Status status = Status::ok();
  if (board != nullptr && board->session->accepts_messages()) {
    status = board->session->invite(std::string(address), now);
  } else {
    conv->invites.emplace_back(address);
    pump(*conv, now);
  }
  settle(now);
  return status;
}

Status ConversationManager::chat_send(ConversationId chat, std::string_view html, TimePoint now) {
  if (shut_down_ || !ns_.online()) return make_error(Errc::kInvalidArgument, "not signed in");
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return make_error(Errc::kInvalidArgument, "no such chat");
  if (!conv->sb && conv->members.empty() && conv->invites.empty())
    return make_error(Errc::kInvalidArgument, "nobody is in the chat");
  auto id = queue_text(*conv, html, now);
  settle(now);
  return id.status();
}

void ConversationManager::chat_leave(ConversationId chat, TimePoint now) {
  Conversation* conv = find(chat);
  if (conv == nullptr || !conv->chat) return;
  if (conv->sb) {
    if (Board* board = board_for(*conv->sb)) {
      board->conversation.reset();  // what still happens there concerns nobody but the sent messages
      board->retired = true;
      board->session->leave(now);
    }
  }
  for (const Item& item : conv->waiting) {
    if (!item.nudge) message_failed(item.seq, DeliveryFailure::kConnectionLost,
                                    make_error(Errc::kTransport, "the chat was left before the message was sent"));
  }
  conversations_.erase(chat);
  settle(now);
}

Result<ConversationId> ConversationManager::queue_text(Conversation& conv, std::string_view html, TimePoint now) {
  if (html.size() > kMaxHtmlBytes) return make_error(Errc::kLimit, "the message is too long");
  FormattedText formatted = html_to_msn(html);
  std::string text = wire::sanitize_utf8(formatted.text);
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty message");
  if (pending_for(conv.id) >= config_.max_pending_messages ||
      pending_bytes_for(conv.id) + text.size() > config_.max_pending_bytes)
    return make_error(Errc::kLimit, "too many messages waiting for delivery");
  const Seq seq = next_seq_++;
  OutMessage message;
  message.conversation = conv.id;
  message.to = conv.chat ? std::string() : conv.peer;
  message.html = std::string(html);
  message.full_text = text;
  message.text = std::move(text);
  message.format = std::move(formatted.format);
  messages_.emplace(seq, std::move(message));
  conv.closing = false;
  if (!conv.chat && peer_offline(conv)) {
    if (auto status = oim_.store(seq, conv.peer, messages_[seq].text); !status) {
      messages_.erase(seq);
      return status.error();
    }
    return conv.id;
  }
  conv.waiting.push_back(Item{seq, false, 0});
  pump(conv, now);
  return conv.id;
}

// ---------------------------------------------------------------------------------------------
// Conversations

Result<ConversationManager::Conversation*> ConversationManager::one_to_one(std::string_view peer, bool create) {
  const std::string key = ascii::to_lower(peer);
  if (const auto it = by_peer_.find(key); it != by_peer_.end()) {
    if (Conversation* conv = find(it->second)) return conv;
    by_peer_.erase(it);
  }
  if (!create) return make_error(Errc::kInvalidArgument, "no conversation with that contact");
  auto conv = new_conversation(false);
  if (!conv) return conv.error();
  conv.value()->peer = std::string(peer);
  by_peer_[key] = conv.value()->id;
  return conv;
}

Result<ConversationManager::Conversation*> ConversationManager::new_conversation(bool chat) {
  if (conversations_.size() >= config_.max_conversations && !make_room())
    return make_error(Errc::kLimit, "too many conversations");
  const ConversationId id = next_id_++;
  Conversation& conv = conversations_[id];
  conv.id = id;
  conv.chat = chat;
  return &conv;
}

ConversationManager::Conversation* ConversationManager::find(ConversationId id) {
  const auto it = conversations_.find(id);
  return it == conversations_.end() ? nullptr : &it->second;
}

// Forgets the oldest 1:1 conversation that has nothing going on (its next message simply
// starts a new one).
bool ConversationManager::make_room() {
  for (auto it = conversations_.begin(); it != conversations_.end(); ++it) {
    const Conversation& conv = it->second;
    if (conv.chat || conv.sb || conv.xfr || !conv.waiting.empty() || pending_for(conv.id) != 0) continue;
    by_peer_.erase(ascii::to_lower(conv.peer));
    conversations_.erase(it);
    return true;
  }
  return false;
}

std::size_t ConversationManager::pending_for(ConversationId id) const {
  return static_cast<std::size_t>(
      std::count_if(messages_.begin(), messages_.end(), [&](const auto& entry) { return entry.second.conversation == id; }));
}

std::size_t ConversationManager::pending_bytes_for(ConversationId id) const {
  std::size_t bytes = 0;
  for (const auto& [seq, message] : messages_) {
    if (message.conversation == id) bytes += message.text.size();
  }
  return bytes;
}

// Offline only when known to be: someone whose presence the server does not report (not on
// our list) may well be online, so their messages try a switchboard first, and the CAL's
// answer (216/217) turns them into offline messages if need be.
bool ConversationManager::peer_offline(const Conversation& conv) const {
  if (conv.sb) {
    const auto it = switchboards_.find(*conv.sb);
    if (it != switchboards_.end() && it->second.session->has_participant(conv.peer)) return false;
  }
  const auto presence = ns_.presence_of(conv.peer);
  return presence && *presence == PresenceStatus::kOffline;
}

// ---------------------------------------------------------------------------------------------
// Switchboards

// Gets whatever waits in `conv` moving: into its switchboard if it has one that takes
// messages, else by asking for a switchboard.
void ConversationManager::pump(Conversation& conv, TimePoint now) {
  if (conv.waiting.empty() && conv.invites.empty()) return;
  if (conv.sb) {
    Board* board = board_for(*conv.sb);
    if (board != nullptr && board->session->accepts_messages()) {
      hand_over(conv, *board, now);
      return;
    }
    conv.sb.reset();
  }
  ensure_switchboard(conv, now);
}

// Hands what waits, in order, to `board`: texts only while fewer than send_window of its
// messages are unacknowledged (the rest follow as ACKs come in, see the MessageDelivered case).
void ConversationManager::hand_over(Conversation& conv, Board& board, TimePoint now) {
  const std::size_t window = std::max<std::size_t>(config_.send_window, 1);
  while (!conv.waiting.empty()) {
    const Item item = conv.waiting.front();
    if (item.nudge) {
      conv.waiting.pop_front();
      if (auto status = board.session->send_nudge(now); !status) log(LogLevel::kDebug, "nudge not sent");
      continue;
    }
    if (board.messages.size() >= window) break;
    conv.waiting.pop_front();
    const auto it = messages_.find(item.seq);
    if (it == messages_.end()) continue;
    auto id = board.session->send_text(it->second.text, it->second.format, now, it->second.message_id);
    if (!id) {
      message_failed(item.seq, DeliveryFailure::kRejected, id.error());
      continue;
    }
    board.messages[id.value()] = item.seq;
  }
  for (const auto& email : std::exchange(conv.invites, {})) {
    if (auto status = board.session->invite(email, now); !status) emit(ev::ChatInviteFailed{conv.id, email, status.error()});
  }
}

void ConversationManager::ensure_switchboard(Conversation& conv, TimePoint now) {
  if (conv.xfr) return;
  // After the decision to leave, or once the notification session is gone, nothing is asked
  // of it: what waits stays waiting and shut_down() reports it with the real reason (signed
  // out, connection lost) instead of as refused by a server that was never asked.
  if (shut_down_ || !ns_.online()) return;
  Result<wire::TrId> trid = make_error(Errc::kLimit, "too many conversations open");
  if (switchboards_.size() < config_.max_switchboards) trid = ns_.request_switchboard(now);
  if (!trid) {
    log(LogLevel::kWarning, "no switchboard: " + trid.error().detail);
    refused_conversation(conv, trid.error(), now);
    return;
  }
  conv.xfr = trid.value();
  xfr_owner_[trid.value()] = conv.id;
}

void ConversationManager::refused(wire::TrId trid, const Error& error, TimePoint now) {
  const auto owner = xfr_owner_.find(trid);
  if (owner == xfr_owner_.end()) return;
  Conversation* conv = find(owner->second);
  xfr_owner_.erase(owner);
  if (conv == nullptr || conv->xfr != trid) return;
  conv->xfr.reset();
  log(LogLevel::kWarning, "switchboard refused: " + error.detail);
  refused_conversation(*conv, error, now);
}

// No switchboard for `conv`: everything waiting has failed once; what may be tried again is,
// with a new request.
void ConversationManager::refused_conversation(Conversation& conv, const Error& error, TimePoint now) {
  std::deque<Item> again;
  for (Item item : std::exchange(conv.waiting, {})) {
    if (item.nudge) {
      if (++item.failures < kMaxFailures) again.push_back(item);
      continue;
    }
    const auto it = messages_.find(item.seq);
    if (it == messages_.end()) continue;
    if (++it->second.failures < kMaxFailures) {
      again.push_back(item);
    } else {
      message_failed(item.seq, failure_for(error), error);
    }
  }
  for (const auto& email : std::exchange(conv.invites, {})) emit(ev::ChatInviteFailed{conv.id, email, error});
  conv.waiting = std::move(again);
  pump(conv, now);
}

void ConversationManager::open_switchboard(Conversation& conv, const SwitchboardTicket& ticket, TimePoint now) {
  if (conv.sb) {
    pump(conv, now);  // an invitation was placed here meanwhile; it takes what waits
    if (conv.sb) return;
  }
  if (conv.waiting.empty() && conv.invites.empty()) return;  // nothing needs it any more
  std::vector<std::string> invitees;
  if (!conv.chat) {
    invitees.push_back(conv.peer);
  } else {
    for (const auto& member : conv.members) invitees.push_back(member.email);
    for (const auto& email : conv.invites) {
      if (!contains(conv.members, email)) invitees.push_back(email);
    }
  }
  conv.invites.clear();
  if (invitees.empty()) {
    refused_conversation(conv, make_error(Errc::kInvalidArgument, "nobody to talk to"), now);
    return;
  }
  const ConnectionId conn = ids_.next();
  Board& board = switchboards_[conn];
  board.session = std::make_unique<SwitchboardSession>(switchboard_config(), conn);
  board.conversation = conv.id;
  board.session->start_outgoing(ticket, invitees.front(), now);
  for (std::size_t i = 1; i < invitees.size(); ++i) {
    if (auto status = board.session->invite(invitees[i], now); !status)
      emit(ev::ChatInviteFailed{conv.id, invitees[i], status.error()});
  }
  conv.sb = conn;
  hand_over(conv, board, now);
}

void ConversationManager::accept_invitation(const SwitchboardInvitation& invitation, TimePoint now) {
  if (switchboards_.size() >= config_.max_switchboards) {
    log(LogLevel::kWarning, "too many conversations open; an invitation was ignored");
    return;
  }
  const ConnectionId conn = ids_.next();
  Board& board = switchboards_[conn];
  board.session = std::make_unique<SwitchboardSession>(switchboard_config(), conn);
  board.session->start_incoming(invitation, now);
}

// An invitation we answered is ready: it is the 1:1 conversation with its one participant, or
// a new chat when several people are in it.
void ConversationManager::place_invitation(Board& board, TimePoint now) {
  const auto& participants = board.session->participants();
  if (participants.empty()) return;
  Conversation* conv = nullptr;
  if (participants.size() == 1) {
    auto found = one_to_one(participants.front().email, true);
    if (found) conv = found.value();
  } else {
    auto created = new_conversation(true);
    if (created) {
      conv = created.value();
      conv->members = participants;
      emit(ev::ChatStarted{conv->id, emails_of(participants)});
    }
  }
  if (conv == nullptr) {
    log(LogLevel::kWarning, "too many conversations; leaving one we were invited into");
    board.retired = true;
    board.session->leave(now);
    return;
  }
  // The peer chose this switchboard: it replaces ours (which finishes what it sent).
  if (conv->sb && *conv->sb != board.session->conn()) retire(*conv, now);
  board.conversation = conv->id;
  conv->sb = board.session->conn();
  conv->closing = false;
  pump(*conv, now);
}

void ConversationManager::retire(Conversation& conv, TimePoint now) {
  if (!conv.sb) return;
  if (Board* board = board_for(*conv.sb)) {
    board->retired = true;
    board->session->leave(now);
  }
  conv.sb.reset();
}

void ConversationManager::leave_if_done(Conversation& conv, TimePoint now) {
  if (!conv.closing || !conv.waiting.empty() || pending_for(conv.id) != 0) return;
  retire(conv, now);
}

ConversationManager::Board* ConversationManager::board_for(ConnectionId conn) {
  const auto it = switchboards_.find(conn);
  return it == switchboards_.end() ? nullptr : &it->second;
}

// ---------------------------------------------------------------------------------------------
// NS notices and connections

void ConversationManager::on_notice(NsNotice notice, TimePoint now) {
  if (shut_down_) return;
  if (auto* granted = std::get_if<notice::SwitchboardGranted>(&notice)) {
    const auto owner = xfr_owner_.find(granted->trid);
    if (owner == xfr_owner_.end()) return;  // late or not ours: never connect
    Conversation* conv = find(owner->second);
    xfr_owner_.erase(owner);
    if (conv != nullptr && conv->xfr == granted->trid) {
      conv->xfr.reset();
      open_switchboard(*conv, granted->ticket, now);
    }
  } else if (auto* refusal = std::get_if<notice::SwitchboardRefused>(&notice)) {
    refused(refusal->trid, refusal->error, now);
  } else if (auto* invited = std::get_if<notice::SwitchboardInvited>(&notice)) {
    accept_invitation(invited->invitation, now);
  } else if (auto* waiting = std::get_if<notice::OfflineMessagesWaiting>(&notice)) {
    if (ns_.online()) {
      oim_.messages_waiting(waiting->payload);
    } else if (deferred_mail_data_.size() < kMaxDeferredNotices) {
      deferred_mail_data_.push_back(std::move(waiting->payload));
    }
  } else if (auto* renewed = std::get_if<notice::TokensRenewed>(&notice)) {
    oim_.tokens_renewed(renewed->error);
  }
  settle(now);
}

bool ConversationManager::resume(TimePoint now) {
  if (shut_down_ || deferred_mail_data_.empty() || !ns_.online()) return false;
  for (const auto& payload : std::exchange(deferred_mail_data_, {})) oim_.messages_waiting(payload);
  settle(now);
  return true;
}

bool ConversationManager::owns(ConnectionId conn) const {
  const auto it = switchboards_.find(conn);
  return it != switchboards_.end() && it->second.session->owns(conn);
}

void ConversationManager::on_connected(ConnectionId conn, TimePoint now) {
  if (Board* board = board_for(conn)) board->session->on_connected(conn, now);
  settle(now);
}

void ConversationManager::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (Board* board = board_for(conn)) board->session->on_data(conn, bytes, now);
  settle(now);
}

void ConversationManager::on_closed(ConnectionId conn, const Error& why, TimePoint now) {
  if (Board* board = board_for(conn)) board->session->on_closed(conn, why, now);
  settle(now);
}

void ConversationManager::on_timer(TimePoint now) {
  for (auto& [conn, board] : switchboards_) board.session->on_timer(now);
  settle(now);
}

void ConversationManager::on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now) {
  oim_.on_web_result(call_id, std::move(result), now);
  settle(now);
}

std::optional<TimePoint> ConversationManager::next_deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& [conn, board] : switchboards_) {
    const auto deadline = board.session->next_deadline();
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  return earliest;
}

void ConversationManager::shut_down(DeliveryFailure reason, Error error, TimePoint now) {
  if (shut_down_) return;
  shut_down_ = true;
  shutdown_reason_ = reason;
  shutdown_error_ = std::move(error);
  for (auto& [conn, board] : switchboards_) board.session->close(now);
  settle(now);
  for (auto& [id, conv] : conversations_) {
    for (const Item& item : std::exchange(conv.waiting, {})) {
      if (!item.nudge) message_failed(item.seq, reason, shutdown_error_);
    }
  }
  for (const auto key : oim_.abandon()) message_failed(key, reason, shutdown_error_);
  // A safety net: whatever is left was somewhere in between; it is not delivered either.
  std::vector<Seq> rest;
  for (const auto& [seq, message] : messages_) rest.push_back(seq);
  for (const Seq seq : rest) message_failed(seq, reason, shutdown_error_);
  conversations_.clear();
  by_peer_.clear();
  xfr_owner_.clear();
  switchboards_.clear();  // every session is closed and drained
}

// Drains every switchboard (whose events may act on others) and the offline-message client
// until nothing more happens, then drops the switchboards that are over.
void ConversationManager::settle(TimePoint now) {
  for (int round = 0; round < 64; ++round) {
    bool progress = false;
    std::vector<ConnectionId> conns;
    for (const auto& [conn, board] : switchboards_) conns.push_back(conn);
    for (const ConnectionId conn : conns) {
      Board* board = board_for(conn);
      if (board == nullptr) continue;
      for (auto& output : board->session->take_outputs()) outputs_.push_back(std::move(output));
      auto events = board->session->take_events();
      if (!events.empty()) progress = true;
      for (auto& event : events) {
        Board* current = board_for(conn);
        if (current == nullptr) break;
        handle(*current, std::move(event), now);
      }
    }
    auto reports = oim_.take_reports();
    if (!reports.empty()) progress = true;
    for (auto& report : reports) handle_oim(std::move(report), now);
    if (!progress) break;
  }
  for (auto it = switchboards_.begin(); it != switchboards_.end();) {
    for (auto& output : it->second.session->take_outputs()) outputs_.push_back(std::move(output));
    // A finished session has reported everything (SwitchboardClosed came last): safe to drop.
    it = it->second.session->finished() ? switchboards_.erase(it) : std::next(it);
  }
}

// ---------------------------------------------------------------------------------------------
// Switchboard events

void ConversationManager::handle(Board& board, SwitchboardEvent event, TimePoint now) {
  Conversation* conv = board.conversation ? find(*board.conversation) : nullptr;
  if (auto* log_line = std::get_if<ev::Log>(&event)) {
    emit(std::move(*log_line));
  } else if (std::holds_alternative<ev::SwitchboardReady>(event)) {
    if (!board.conversation && !board.retired) place_invitation(board, now);
  } else if (auto* joined = std::get_if<ev::ParticipantJoined>(&event)) {
    if (conv != nullptr && !board.retired) handle_joined(board, *conv, *joined);
  } else if (auto* left = std::get_if<ev::ParticipantLeft>(&event)) {
    if (conv != nullptr && !board.retired) handle_left(*conv, *left);
  } else if (auto* failed = std::get_if<ev::InviteFailed>(&event)) {
    if (conv != nullptr && conv->chat) {
      emit(ev::ChatInviteFailed{conv->id, failed->email, invite_error(*failed)});
    } else {
      log(LogLevel::kInfo, "conversation: the invitation was not answered or refused");
    }
  } else if (auto* text = std::get_if<ev::TextReceived>(&event)) {
    if (conv == nullptr) return log(LogLevel::kDebug, "conversation: a message on a switchboard we left was dropped");
    if (already_shown(*text)) return log(LogLevel::kInfo, "conversation: duplicate message dropped");
    emit(ev::MessageReceived{conv->id, conv->chat, text->from, text->friendly_name,
                             msn_to_html(text->text, text->format), std::nullopt, false});
  } else if (auto* typing = std::get_if<ev::TypingReceived>(&event)) {
    if (conv != nullptr) emit(ev::ConversationTyping{conv->id, conv->chat, typing->from});
  } else if (auto* nudge = std::get_if<ev::NudgeReceived>(&event)) {
    if (conv != nullptr) emit(ev::ConversationNudge{conv->id, conv->chat, nudge->from});
  } else if (auto* other = std::get_if<ev::OtherMessageReceived>(&event)) {
    log(LogLevel::kDebug, "conversation: ignored a message of type " + other->message.media_type());
  } else if (auto* delivered = std::get_if<ev::MessageDelivered>(&event)) {
    const auto it = board.messages.find(delivered->id);
    if (it == board.messages.end()) return;
    messages_.erase(it->second);
    board.messages.erase(it);
    if (conv == nullptr) return;
    if (conv->sb == board.session->conn()) pump(*conv, now);  // the window has room again
    leave_if_done(*conv, now);
  } else if (auto* not_delivered = std::get_if<ev::MessageNotDelivered>(&event)) {
    handle_not_delivered(board, std::move(*not_delivered), now);
  } else if (std::holds_alternative<ev::SwitchboardClosed>(event)) {
    handle_closed(board.session->conn(), now);
  }
}

void ConversationManager::handle_joined(Board& board, Conversation& conv, const ev::ParticipantJoined& joined) {
  if (conv.chat) {
    if (contains(conv.members, joined.email)) return;
    conv.members.push_back(Participant{joined.email, joined.friendly_name});
    emit(ev::ChatParticipantJoined{conv.id, joined.email, joined.friendly_name});
    return;
  }
  if (board.session->participants().size() < 2) return;
  // A third person came into a 1:1 conversation: from now on it is a chat, and the next
  // message to the peer alone starts a new 1:1 conversation.
  const std::string key = ascii::to_lower(conv.peer);
  if (const auto it = by_peer_.find(key); it != by_peer_.end() && it->second == conv.id) by_peer_.erase(it);
  conv.chat = true;
  conv.peer.clear();
  conv.members = board.session->participants();
  emit(ev::ChatStarted{conv.id, emails_of(conv.members)});
}

void ConversationManager::handle_left(Conversation& conv, const ev::ParticipantLeft& left) {
  if (!conv.chat || left.idle) return;  // idle: still in the chat; the next message reopens it
  const auto it = std::find_if(conv.members.begin(), conv.members.end(),
                               [&](const Participant& p) { return ascii::iequals(p.email, left.email); });
  if (it == conv.members.end()) return;
  conv.members.erase(it);
  emit(ev::ChatParticipantLeft{conv.id, left.email});
}

void ConversationManager::handle_not_delivered(Board& board, ev::MessageNotDelivered failed, TimePoint now) {
  const auto mapped = board.messages.find(failed.id);
  if (mapped == board.messages.end()) return;
  const Seq seq = mapped->second;
  board.messages.erase(mapped);
  const auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  OutMessage& message = it->second;
  if (!failed.text.empty()) message.text = std::move(failed.text);  // only what was not acked
  if (!failed.message_id.empty()) message.message_id = std::move(failed.message_id);
  if (shut_down_) {
    // Signing out, say what is known: a message already on the wire may well have arrived.
    const bool unconfirmed = failed.unconfirmed && shutdown_reason_ == DeliveryFailure::kSignedOut;
    return message_failed(seq,
                          unconfirmed ? DeliveryFailure::kUnconfirmed : shutdown_reason_,
                          shutdown_error_);
  }
  Conversation* conv = find(message.conversation);
  if (conv == nullptr)
    return message_failed(seq, DeliveryFailure::kConnectionLost,
                          make_error(Errc::kTransport, "the conversation was left before the message was delivered"));
  switch (failed.reason) {
    case NotDeliveredReason::kRecipientUnavailable:
      if (conv->chat) return message_failed(seq, DeliveryFailure::kUnavailable, error_for(failed.reason));
      // Learnt offline from the CAL: the offline message store takes it.
      if (auto status = oim_.store(seq, message.to, message.text); !status)
        message_failed(seq, DeliveryFailure::kUnavailable, status.error());
      return;
    case NotDeliveredReason::kClosed:
      if (board.retired) {
        // Never sent: we replaced or left that switchboard before it could carry the message.
        requeue(*conv, seq);
        return pump(*conv, now);
      }
      break;
    default:
      break;
  }
  if (++message.failures >= kMaxFailures)
    return message_failed(seq, failure_for(failed.reason), error_for(failed.reason));
  // The resend goes over a fresh switchboard: this one is left (it finishes what it sent).
  if (conv->sb == board.session->conn()) retire(*conv, now);
  requeue(*conv, seq);
  pump(*conv, now);
}

void ConversationManager::handle_closed(ConnectionId conn, TimePoint now) {
  Board* board = board_for(conn);
  if (board == nullptr || !board->conversation) return;
  Conversation* conv = find(*board->conversation);
  if (conv == nullptr || conv->sb != conn) return;
  conv->sb.reset();
  pump(*conv, now);  // anything that waits gets a new switchboard
}

// ---------------------------------------------------------------------------------------------
// Messages and offline messages

void ConversationManager::requeue(Conversation& conv, Seq seq) {
  const auto at = std::find_if(conv.waiting.begin(), conv.waiting.end(), [&](const Item& item) { return item.seq > seq; });
  conv.waiting.insert(at, Item{seq, false, 0});
}

// A sender resends a message whose ACK it never got over a new switchboard with the same
// Message-ID and the same text; when the first copy did reach us, the second is dropped here.
// Only both together make a resend: official clients and bots reuse one Message-ID on every
// single-part message, and each of those differs in its text. Texts without an id are always
// shown. Remembers the last max_remembered_message_ids (sender, id, text) it answers false for.
bool ConversationManager::already_shown(const ev::TextReceived& text) {
  if (text.message_id.empty() || config_.max_remembered_message_ids == 0) return false;
  // The text is kept as a hash: the window stays a few dozen bytes per message.
  std::string key = ascii::to_lower(text.from) + '\n' + text.message_id + '\n' +
                    std::to_string(std::hash<std::string>{}(text.text));
  if (shown_id_set_.count(key) != 0) return true;
  if (shown_ids_.size() >= config_.max_remembered_message_ids) {
    shown_id_set_.erase(shown_ids_.front());
    shown_ids_.pop_front();
  }
  shown_id_set_.insert(key);
  shown_ids_.push_back(std::move(key));
  return false;
}

void ConversationManager::message_failed(Seq seq, DeliveryFailure reason, Error error) {
  const auto it = messages_.find(seq);
  if (it == messages_.end()) return;
  OutMessage message = std::move(it->second);
  messages_.erase(it);
  std::string html = message.text == message.full_text ? std::move(message.html) : msn_to_html(message.text, message.format);
  emit(ev::MessageFailed{message.conversation, message.to.empty(), message.to, std::move(html), reason, std::move(error)});
}

void ConversationManager::handle_oim(OimReport report, TimePoint now) {
  if (auto* log_line = std::get_if<ev::Log>(&report)) {
    emit(std::move(*log_line));
  } else if (auto* done = std::get_if<oim::StoreDone>(&report)) {
    if (done->error) return message_failed(done->key, DeliveryFailure::kOfflineFailed, std::move(*done->error));
    const auto it = messages_.find(done->key);
    if (it == messages_.end()) return;
    emit(ev::MessageStoredOffline{it->second.conversation, it->second.to});
    const ConversationId id = it->second.conversation;
    messages_.erase(it);
    if (Conversation* conv = find(id)) leave_if_done(*conv, now);
  } else if (std::holds_alternative<oim::ListUnavailable>(report)) {
    emit(ev::OfflineMessagesUnavailable{});
  } else if (auto* batch = std::get_if<oim::Batch>(&report)) {
    // Shown first, deleted after: a message is never deleted before the user has seen it.
    std::vector<std::string> shown;
    for (auto& message : batch->messages) {
      if (message.sender.empty()) continue;
      auto conv = one_to_one(message.sender, true);
      const ConversationId id = conv ? conv.value()->id : 0;
      emit(ev::MessageReceived{id, false, message.sender, message.friendly_name,
                               msn_to_html(wire::sanitize_utf8(message.text), TextFormat{}), message.time, true});
      shown.push_back(message.message_id);
    }
    oim_.delete_shown(shown);
  }
}

}  // namespace msn
