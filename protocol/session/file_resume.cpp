// SPDX-License-Identifier: GPL-2.0-or-later
// A direct connection that breaks mid-way (docs/protocol/p2p.md, "Direct connections in the
// client", "Broken mid-way"): the transfer goes on over the switchboard from the bytes the
// receiver holds. Only the receiver knows that figure (bytes handed to a socket that then
// broke may or may not have arrived), so it says it in a NAK (flag 0x1, AckID = the data
// message's Identifier, AckSize = its bytes, aMSN's reading of the flag) and the sender goes
// on in the same message from there; the receiver sees the next chunk in order.
#include <utility>

#include "session/file_transfer_manager.h"

namespace msn {

void FileTransferManager::end_broken(TimePoint now) {
  for (const ev::FileTransferId id : direct_.take_broken()) {
    const auto it = transfers_.find(id);
    if (it == transfers_.end()) continue;
    const p2p::TransferState state = state_of(it->second);
    if (state == p2p::TransferState::kDone || state == p2p::TransferState::kFailed) continue;
    resume_after_break(it->second, now);
  }
  settle(now);
}

void FileTransferManager::resume_after_break(Transfer& t, TimePoint now) {
  p2p::Link* link = links_->link(t.peer);
  if (link == nullptr) {
    t.lost = true;
    return;
  }
  t.resume_by = now + kFileResumeWait;
  if (t.receiver) {
    if (!t.receiver->ask_to_resume(*link)) t.resume_by.reset();  // nothing is missing
    links_->flush_link(t.peer);
    log(LogLevel::kInfo, "files: direct connection lost; asked " + t.peer + " to go on at byte " +
                             std::to_string(t.receiver->received()) + " over the switchboard");
    return;
  }
  // Sender: the ACK (everything arrived) or the receiver's NAK comes over the switchboard.
  log(LogLevel::kInfo, "files: direct connection lost after " + std::to_string(t.sender->sent()) +
                           " bytes; waiting for " + t.peer + " to say what arrived");
}

bool FileTransferManager::on_resume_request(ev::FileTransferId id, Transfer& t,
                                            const p2p::Header& header, TimePoint now) {
  const auto offset = t.sender->resume_offset(header);
  p2p::Link* link = links_->link(t.peer);
  if (!offset || link == nullptr) return false;
  // The receiver may notice the broken connection before we do: from now on the data goes
  // over the switchboard whatever the connection still seems to be.
  direct_.abandon(id, "the peer asked to go on over the switchboard");
  if (!t.sender->resume_from(*offset, *link, now)) {
    links_->flush_link(t.peer);
    log(LogLevel::kWarning, "files: " + t.peer + " asked to go back in the file too often");
    return true;
  }
  t.resume_by.reset();
  t.stale_answer = t.asked != 0;
  t.asked = 0;
  t.buffer.clear();
  t.head = 0;
  log(LogLevel::kInfo, "files: going on at byte " + std::to_string(*offset) + " of " +
                           std::to_string(t.sender->size()) + " to " + t.peer +
                           " over the switchboard");
  return true;
}

// No NAK (a peer that does not resume), or no data after ours: the transfer ends as lost,
// with a BYE so that the peer stops too.
void FileTransferManager::give_up_resuming(TimePoint now) {
  for (auto& [id, t] : transfers_) {
    if (!t.resume_by || now < *t.resume_by) continue;
    if (p2p::Link* link = links_->link(t.peer)) {
      if (t.sender) t.sender->cancel(*link);
      if (t.receiver) t.receiver->cancel(*link);
      links_->flush_link(t.peer);
    }
    log(LogLevel::kInfo, "files: " + t.peer + " did not go on after the direct connection broke");
    t.lost = true;
  }
  settle(now);
}

}  // namespace msn
