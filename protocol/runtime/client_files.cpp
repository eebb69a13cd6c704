// SPDX-License-Identifier: GPL-2.0-or-later
// Client's file transfers: the user's intents on the file transfer manager, and its data paced
// by the switchboards' P2P backlog (the bridge it goes over today).
#include "runtime/client.h"

#include "p2p/header.h"

namespace msn {
namespace {

// P2P packets per contact that may wait for the switchboard's ACK: its window on the wire and
// as many queued behind, so that the next chunks are always ready when ACKs free places, yet a
// file never fills the switchboard's queues.
constexpr std::size_t kBridgeBacklog = 2 * kDefaultP2pWindow;

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

void Client::on_listening(ConnectionId conn, p2p::dc::ListenAddresses addresses, TimePoint now) {
  files_.direct().on_listening(conn, addresses, now);
  settle(now);
}

void Client::on_listen_failed(ConnectionId conn, TimePoint now) {
  files_.direct().on_listen_failed(conn, now);
  settle(now);
}

void Client::on_drained(ConnectionId conn, TimePoint now) {
  if (!files_.direct().owns(conn)) return;
  files_.direct().on_drained(conn);
  settle(now);
}

// What came over direct connections goes to the contacts' links as if the switchboard had
// carried it (the link and its routing are the same); then the senders get their room, and
// the sockets' requests go out.
void Client::pump_files(TimePoint now) {
  for (auto& received : files_.direct().take_received())
    pictures_.on_packet(received.peer, p2p::serialize_switchboard_body(received.packet), now);
  files_.pump(
      [this](std::string_view peer) {
        const std::size_t backlog = conversations_.p2p_backlog(peer);
        return backlog < kBridgeBacklog ? kBridgeBacklog - backlog : 0;
      },
      now);
  for (auto& output : files_.direct().take_outputs()) outputs_.push_back(std::move(output));
}

}  // namespace msn
