// SPDX-License-Identifier: GPL-2.0-or-later
// P2P packets and the 1:1 switchboards that carry them. The conversation manager only moves the
// binary bodies: what they mean belongs to the P2P layer (session/picture_manager.h). A
// contact's 1:1 conversation record exists without a window, so a switchboard opened (or
// answered) only for P2P never shows one.
#include <utility>

#include "core/ascii.h"
#include "session/conversation_manager.h"

namespace msn {

Status ConversationManager::send_p2p(std::string_view peer, std::string body, bool signalling,
                                     TimePoint now) {
  if (auto status = check_usable(peer); !status) return status;
  if (shut_down_) return make_error(Errc::kInvalidArgument, "signed out");
  auto found = one_to_one(peer, true);
  if (!found) return found.error();
  Conversation& conv = *found.value();
  if (peer_offline(conv)) return make_error(Errc::kInvalidArgument, "the contact is offline");
  if (conv.p2p_waiting.size() >= config_.max_p2p_waiting)
    return make_error(Errc::kLimit, "too many P2P messages waiting");
  conv.p2p_waiting.emplace_back(std::move(body), signalling);
  pump(conv, now);
  settle(now);  // what the switchboard wrote goes out now, not with its next event
  return Status::ok();
}

std::size_t ConversationManager::p2p_backlog(std::string_view peer) const {
  const auto id = by_peer_.find(ascii::to_lower(peer));
  if (id == by_peer_.end()) return 0;
  const auto conv = conversations_.find(id->second);
  if (conv == conversations_.end()) return 0;
  std::size_t backlog = conv->second.p2p_waiting.size();
  if (conv->second.sb) {
    const auto board = switchboards_.find(*conv->second.sb);
    if (board != switchboards_.end()) backlog += board->second.session->p2p_backlog();
  }
  return backlog;
}

// What waits goes to the switchboard once it is ready (its own window paces it from there),
// and once a switchboard we left still finishing P2P with the peer is closed: the peer gets
// the packets in the order we made them.
void ConversationManager::hand_over_p2p(Conversation& conv, Board& board, TimePoint now) {
  if (!board.session->is_ready() || p2p_draining(conv.peer, board)) return;
  while (!conv.p2p_waiting.empty()) {
    auto& [body, signalling] = conv.p2p_waiting.front();
    if (auto status = board.session->send_p2p(conv.peer, std::move(body), signalling, now);
        !status) {
      log(LogLevel::kInfo, "conversation: a P2P message was dropped: " + status.error().detail);
    }
    conv.p2p_waiting.pop_front();
    board.p2p_peer = conv.peer;
  }
}

void ConversationManager::p2p_received(Board& /*board*/, ev::P2pReceived received) {
  p2p_notices_.push_back(P2pNotice{std::move(received.from), std::move(received.body), false});
}

// A switchboard that carried P2P is gone: the sessions on it cannot finish (P2Pv1 over the
// switchboard never resends), and the P2P layer decides what to try again. Unless we left it
// for another one and it closed cleanly: what it had not written went to the other one
// (take_back), and what it had written was answered before the OUT, so nothing was lost and
// what waited for it goes out now.
void ConversationManager::p2p_board_closed(Board& board, bool clean, TimePoint now) {
  if (board.p2p_peer.empty()) return;
  std::string peer = std::exchange(board.p2p_peer, {});
  if (board.retired && clean) {
    if (auto conv = one_to_one(peer, false)) pump(*conv.value(), now);
    return;
  }
  p2p_notices_.push_back(P2pNotice{std::move(peer), {}, true});
}

// No switchboard for the conversation: its P2P packets are dropped (their sessions are over).
void ConversationManager::p2p_refused(Conversation& conv) {
  if (conv.p2p_waiting.empty() || conv.chat) return;
  conv.p2p_waiting.clear();
  p2p_notices_.push_back(P2pNotice{conv.peer, {}, true});
}

}  // namespace msn
