// SPDX-License-Identifier: GPL-2.0-or-later
// A switchboard we give up for another one with the same people (the peer's, when both sides
// opened one at the same moment; a fresh one after a failure; none when the user closed the
// conversation): what it was given but never wrote comes back to the conversation, ahead of
// what waits there, and goes over the next switchboard. What it wrote finishes on it, and P2P
// for the peer waits until it has closed (docs/protocol/p2p.md, "Conversation manager").
#include <utility>

#include "core/ascii.h"
#include "session/conversation_manager.h"

namespace msn {

void ConversationManager::take_back(Conversation& conv, Board& board) {
  SwitchboardSession::Unsent unsent = board.session->take_unsent();
  for (auto it = unsent.p2p.rbegin(); it != unsent.p2p.rend(); ++it)
    conv.p2p_waiting.push_front(std::move(*it));
  for (std::size_t i = 0; i < unsent.nudges; ++i)
    conv.waiting.push_front(Item{next_seq_++, true, 0, nullptr});
  if (!unsent.p2p.empty())
    log(LogLevel::kInfo, "conversation: " + std::to_string(unsent.p2p.size()) +
                             " P2P messages move to the next switchboard");
}

// Whether a switchboard we left still has P2P with `peer` on the wire (or texts: it closes once
// all are answered, bounded by the ack timeout). Packets sent over another switchboard meanwhile
// could overtake them, and P2P receivers take a message's chunks in order only.
bool ConversationManager::p2p_draining(std::string_view peer, const Board& except) const {
  for (const auto& [conn, board] : switchboards_) {
    if (&board == &except || !board.retired || board.session->finished()) continue;
    if (!board.p2p_peer.empty() && ascii::iequals(board.p2p_peer, peer)) return true;
  }
  return false;
}

}  // namespace msn
