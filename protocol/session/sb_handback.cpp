// SPDX-License-Identifier: GPL-2.0-or-later
// Handing back what a switchboard was given but never wrote, when its owner moves to another
// switchboard with the same people (two switchboards crossed, docs/protocol/p2p.md): nothing
// queued here is lost, it goes over the other one instead. What was written stays: leave()
// waits for its ACKs, so that no P2P packet reaches the peer twice.
#include <utility>

#include "session/switchboard_session.h"

namespace msn {

SwitchboardSession::Unsent SwitchboardSession::take_unsent() {
  Unsent unsent;
  // The order flush_p2p() would have used: every signalling packet, then the data.
  for (auto* queue : {&p2p_signalling_, &p2p_data_}) {
    const bool signalling = queue == &p2p_signalling_;
    for (P2pOut& out : *queue) unsent.p2p.emplace_back(std::move(out.body), signalling);
    queue->clear();
  }
  // Nudges wait in the queue only until someone joins; texts stay (leave() reports them as
  // never sent, and the owner sends them again).
  std::erase_if(queue_, [&](const Queued& q) {
    if (q.nudge) ++unsent.nudges;
    return q.nudge;
  });
  return unsent;
}

}  // namespace msn
