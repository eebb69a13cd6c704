// SPDX-License-Identifier: GPL-2.0-or-later
// A switchboard for each conversation: asking the NS for one, opening it, answering an
// invitation and placing it in its conversation, handing it what waits (a send window of texts,
// nudges, chat invitations), retiring it; and what its events mean for the conversation
// (participants joining and leaving, texts, typing, nudges, delivered messages, closing).
#include <algorithm>
#include <memory>
#include <utility>

#include "core/ascii.h"
#include "session/conversation_manager.h"
#include "session/participant_list.h"
#include "wire/server_error.h"

namespace msn {

using ev::DeliveryFailure;

namespace {

Error invite_error(const ev::InviteFailed& failed) {
  if (failed.server_code != 0)
    return wire::server_error(failed.server_code, "the invitation was refused");
  return make_error(Errc::kTimeout, "nobody answered the invitation");
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Switchboards

// Gets whatever waits in `conv` moving: into its switchboard if it has one that takes
// messages, else by asking for a switchboard.
void ConversationManager::pump(Conversation& conv, TimePoint now) {
  if (conv.waiting.empty() && conv.invites.empty() && conv.p2p_waiting.empty()) return;
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
    if (item.payload) {
      if (!send_payload_item(board, item, now)) break;  // waits for the switchboard to be ready
      conv.waiting.pop_front();
      continue;
    }
    if (item.nudge) {
      conv.waiting.pop_front();
      if (auto status = board.session->send_nudge(now); !status)
        log(LogLevel::kDebug, "nudge not sent");
      continue;
    }
    if (board.messages.size() >= window) break;
    conv.waiting.pop_front();
    const auto it = messages_.find(item.seq);
    if (it == messages_.end()) continue;
    auto id =
        board.session->send_text(it->second.text, it->second.format, now, it->second.message_id);
    if (!id) {
      message_failed(item.seq, DeliveryFailure::kRejected, id.error());
      continue;
    }
    board.messages[id.value()] = item.seq;
  }
  for (const auto& email : std::exchange(conv.invites, {})) {
    if (auto status = board.session->invite(email, now); !status)
      emit(ev::ChatInviteFailed{conv.id, email, status.error()});
  }
  hand_over_p2p(conv, board, now);
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

void ConversationManager::open_switchboard(Conversation& conv, const SwitchboardTicket& ticket,
                                           TimePoint now) {
  if (conv.sb) {
    pump(conv, now);  // an invitation was placed here meanwhile; it takes what waits
    if (conv.sb) return;
  }
  // Nothing needs it any more.
  if (conv.waiting.empty() && conv.invites.empty() && conv.p2p_waiting.empty()) return;
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

void ConversationManager::accept_invitation(const SwitchboardInvitation& invitation,
                                            TimePoint now) {
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
  // The peer chose this switchboard: it replaces ours (which finishes what it sent). When both
  // sides opened one at once (both fetching the other's picture), each would retire its own
  // and use the one the other just left: the one opened by the lower address wins on both
  // sides instead.
  if (conv->sb && *conv->sb != board.session->conn()) {
    Board* ours = board_for(*conv->sb);
    const bool crossed = !conv->chat && ours != nullptr && ours->session->accepts_messages();
    const bool keep_ours = ascii::to_lower(config_.account) < ascii::to_lower(conv->peer);
    if (crossed)
      log(LogLevel::kInfo, "conversation: two switchboards with " + conv->peer + "; keeping " +
                               (keep_ours ? "ours" : "theirs") + " (the lower address opened it)");
    if (crossed && keep_ours) {
      board.conversation = conv->id;
      return;
    }
    retire(*conv, now);
  }
  board.conversation = conv->id;
  conv->sb = board.session->conn();
  conv->closing = false;
  pump(*conv, now);
}

void ConversationManager::retire(Conversation& conv, TimePoint now) {
  if (!conv.sb) return;
  if (Board* board = board_for(*conv.sb)) {
    board->retired = true;
    take_back(conv, *board);
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
// Switchboard events

void ConversationManager::handle(Board& board, SwitchboardEvent event, TimePoint now) {
  Conversation* conv = board.conversation ? find(*board.conversation) : nullptr;
  if (auto* log_line = std::get_if<ev::Log>(&event)) {
    emit(std::move(*log_line));
  } else if (std::holds_alternative<ev::SwitchboardReady>(event)) {
    if (!board.conversation && !board.retired) {
      place_invitation(board, now);
    } else if (conv != nullptr && conv->sb == board.session->conn()) {
      pump(*conv, now);  // P2P waits for a ready switchboard
    }
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
    if (conv == nullptr)
      return log(LogLevel::kDebug, "conversation: a message on a switchboard we left was dropped");
    if (already_shown(*text))
      return log(LogLevel::kInfo, "conversation: duplicate message dropped");
    emit(ev::MessageReceived{conv->id, conv->chat, text->from, text->friendly_name,
                             msn_to_html(text->text, text->format), std::nullopt, false});
  } else if (auto* typing = std::get_if<ev::TypingReceived>(&event)) {
    if (conv != nullptr) emit(ev::ConversationTyping{conv->id, conv->chat, typing->from});
  } else if (auto* nudge = std::get_if<ev::NudgeReceived>(&event)) {
    if (conv != nullptr) emit(ev::ConversationNudge{conv->id, conv->chat, nudge->from});
  } else if (auto* p2p = std::get_if<ev::P2pReceived>(&event)) {
    p2p_received(board, std::move(*p2p));
  } else if (auto* announced = std::get_if<ev::OtherMessageReceived>(&event);
             announced != nullptr && announced->kind == wire::MessageKind::kEmoticon) {
    if (conv != nullptr) emoticons_received(*conv, *announced);
  } else if (auto* other = std::get_if<ev::OtherMessageReceived>(&event)) {
    if (other->kind == wire::MessageKind::kInk && conv != nullptr)
      return ink_received(*conv, *other);
    if (other->kind == wire::MessageKind::kDatacast && conv != nullptr)
      return datacast_received(*conv, *other);
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
  } else if (auto* closed = std::get_if<ev::SwitchboardClosed>(&event)) {
    p2p_board_closed(board, !closed->error, now);
    handle_closed(board.session->conn(), now);
  }
}

void ConversationManager::handle_joined(Board& board, Conversation& conv,
                                        const ev::ParticipantJoined& joined) {
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
  if (const auto it = by_peer_.find(key); it != by_peer_.end() && it->second == conv.id)
    by_peer_.erase(it);
  conv.chat = true;
  conv.peer.clear();
  conv.members = board.session->participants();
  emit(ev::ChatStarted{conv.id, emails_of(conv.members)});
}

void ConversationManager::handle_left(Conversation& conv, const ev::ParticipantLeft& left) {
  if (!conv.chat || left.idle) return;  // idle: still in the chat; the next message reopens it
  const auto it = std::find_if(conv.members.begin(), conv.members.end(), [&](const Participant& p) {
    return ascii::iequals(p.email, left.email);
  });
  if (it == conv.members.end()) return;
  conv.members.erase(it);
  emit(ev::ChatParticipantLeft{conv.id, left.email});
}

void ConversationManager::handle_closed(ConnectionId conn, TimePoint now) {
  Board* board = board_for(conn);
  if (board == nullptr || !board->conversation) return;
  Conversation* conv = find(*board->conversation);
  if (conv == nullptr || conv->sb != conn) return;
  conv->sb.reset();
  pump(*conv, now);  // anything that waits gets a new switchboard
}

}  // namespace msn
