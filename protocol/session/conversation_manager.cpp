// SPDX-License-Identifier: GPL-2.0-or-later
// The conversation manager's table of conversations (1:1 ones by peer, chats by id) and its
// driving: NS notices (switchboards granted, refused, invitations; offline-message notices),
// connections and timers handed to the switchboards, settling their events, and shutting down.
// The user's intents are in conv_intents.cpp, switchboards and their events in
// conv_switchboards.cpp, delivery failures, resends and offline messages in conv_delivery.cpp.
#include "session/conversation_manager.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"

namespace msn {

using ev::DeliveryFailure;

namespace {

constexpr std::size_t kMaxDeferredNotices = 8;

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
  config.p2p_window = config_.p2p_window;
  return config;
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
    if (conv.chat || conv.sb || conv.xfr || !conv.waiting.empty() || !conv.p2p_waiting.empty() ||
        pending_for(conv.id) != 0)
      continue;
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
      if (!item.fire_and_forget()) message_failed(item.seq, reason, shutdown_error_);
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

}  // namespace msn
