// SPDX-License-Identifier: GPL-2.0-or-later
// Client's file transfers: the user's intents on the file transfer manager, and its data paced
// by the switchboards' P2P backlog (the bridge it goes over today).
#include "runtime/client.h"

namespace msn {
namespace {

// P2P packets per contact that may wait for the switchboard's ACK: its window (4) on the wire
// and as many queued behind, so that the next chunk is always ready when an ACK frees a place,
// yet a file never fills the switchboard's queues.
constexpr std::size_t kBridgeBacklog = 8;

}  // namespace

Result<ev::FileTransferId> Client::send_file(std::string_view peer, std::string_view name,
                                             std::uint64_t size, TimePoint now) {
  if (conversations_.is_shut_down() || !ns_.online())
    return make_error(Errc::kInvalidArgument, "not signed in");
  auto id = files_.send_file(peer, name, size, now);
  settle(now);
  return id;
}

Status Client::provide_file_data(ev::FileTransferId id, std::string bytes, TimePoint now) {
  auto status = files_.provide_data(id, std::move(bytes), now);
  settle(now);
  return status;
}

Status Client::accept_file(ev::FileTransferId id, TimePoint now) {
  auto status = files_.accept(id, now);
  settle(now);
  return status;
}

Status Client::decline_file(ev::FileTransferId id, TimePoint now) {
  auto status = files_.decline(id, now);
  settle(now);
  return status;
}

Status Client::cancel_file(ev::FileTransferId id, TimePoint now) {
  auto status = files_.cancel(id, now);
  settle(now);
  return status;
}

void Client::pump_files(TimePoint now) {
  files_.pump(
      [this](std::string_view peer) {
        const std::size_t backlog = conversations_.p2p_backlog(peer);
        return backlog < kBridgeBacklog ? kBridgeBacklog - backlog : 0;
      },
      now);
}

}  // namespace msn
