// SPDX-License-Identifier: GPL-2.0-or-later
// Direct connections (TCPv1) for file sessions, sans-I/O (docs/protocol/p2p.md, "Direct
// connections in the client"): the SLP negotiation on the session's Call-ID, the sockets as
// outputs (listen, connect, send, close) and the DirectConnection handshake. One connection
// per file session, as the bot and WLM 8.5 do. The file manager asks which path a session's
// data takes (negotiating, direct, switchboard), how many packets the connection takes now,
// and hands it packets; what the peer sends over it comes out for the link like switchboard
// P2P. Whatever goes wrong before the connection is up only moves the session to the
// switchboard.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "p2p/dc_negotiation.h"
#include "p2p/direct_connection.h"
#include "p2p/link.h"
#include "p2p/slp.h"
#include "session/event.h"
#include "session/io.h"
#include "session/p2p_application.h"

namespace msn {

// From our offer (or the peer's) to an established connection at most; then the switchboard.
inline constexpr Duration kDirectSetupTimeout = seconds(5);
// Bytes handed to a connection's socket and not yet reported written: the pacing window.
inline constexpr std::size_t kDirectWindow = 256 * 1024;
inline constexpr Duration kDirectLinger = seconds(5);

struct DirectPacket {
  std::string peer;
  p2p::Packet packet;
};

class DirectLinks {
 public:
  using Id = ev::FileTransferId;
  using Random = std::function<Result<std::string>(std::size_t)>;
  enum class Path { kNegotiating, kDirect, kSwitchboard };

  // Without ids (or when disabled) nothing is ever offered or accepted.
  void configure(ConnectionIds* ids, bool enabled, Random random);
  void set_links(P2pLinks* links) { links_ = links; }
  bool enabled() const { return enabled_ && ids_ != nullptr && random_; }
  // The notification server is on loopback: a peer may name loopback addresses (the local
  // test server's peers are programs on this machine). Off: dc::endpoints_to_try() skips them.
  void allow_local_peers(bool allow) { local_peers_ = allow; }

  // We send the file of session `id` and the peer accepted it: offers a connection on the
  // session's Call-ID (transreqbody INVITE). The data waits until it is up, 5 s at most.
  void offer(Id id, p2p::Link& link, const std::string& call_id, std::uint32_t session_id,
             TimePoint now);
  // The peer's transreqbody INVITE for session `id`: asks for a listening socket and answers
  // once it is open (or at once "not listening" when we cannot or may not).
  // `sending`: we send the session's data (it waits for the connection as after offer()).
  void on_request(Id id, p2p::Link& link, const p2p::slp::Message& invite, bool sending,
                  TimePoint now);
  // A transrespbody for session `id`: the answer to our offer, or the peer's reverse INVITE.
  // Any other answer to our offer (603, 500) moves the session to the switchboard.
  void on_response(Id id, p2p::Link& link, const p2p::slp::Message& message, TimePoint now);
  // Whether `message` is for us: an answer to our offer, or a transrespbody INVITE.
  bool expects(Id id, const p2p::slp::Message& message) const;

  // Reports for the sockets (the runtime's, through the Client).
  bool owns(ConnectionId conn) const;
  void on_listening(ConnectionId conn, const p2p::dc::ListenAddresses& addresses, TimePoint now);
  void on_listen_failed(ConnectionId conn, TimePoint now);
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, TimePoint now);
  void on_drained(ConnectionId conn);
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;

  Path path(Id id) const;
  // Data packets the connection of `id` takes now (0 unless Path::kDirect).
  std::size_t room(Id id) const;
  Status send(Id id, const p2p::Packet& packet, TimePoint now);
  // Sessions whose established connection broke (the manager resumes them over the
  // switchboard), once each.
  std::vector<Id> take_broken();
  // The session's data goes over the switchboard from now on: the peer asked for that (its
  // NAK after it lost the connection, which we may not have noticed yet).
  void abandon(Id id, const std::string& why);
  // The session is over: its connection closes, a receiver's after kDirectLinger (the peer
  // may still be waiting for our ACK, which goes over the switchboard).
  void forget(Id id, TimePoint now);
  void shut_down();

  std::vector<Output> take_outputs() { return std::exchange(outputs_, {}); }
  std::vector<DirectPacket> take_received() { return std::exchange(received_, {}); }
  std::vector<Event> take_events() { return std::exchange(events_, {}); }

 private:
  struct Slot {
    Id id = 0;
    std::string peer;
    std::string local;
    std::string call_id;
    std::uint32_t session_id = 0;
    Path path = Path::kNegotiating;
    std::optional<p2p::dc::Nonce> our_nonce;   // of our transreq
    std::optional<p2p::slp::Message> request;  // the peer's transreq, until we listen
    std::optional<p2p::dc::ListenPlan> plan;   // listening: what to advertise
    bool reverse = false;                      // the plan is for our reverse INVITE
    std::optional<p2p::dc::DirectConnection> dc;
    ConnectionId conn = 0;
    std::optional<TimePoint> setup_deadline;  // sender: the switchboard after this
    std::size_t in_flight = 0;                // bytes sent and not reported written
    bool sending = false;                     // we send the session's data
    std::optional<TimePoint> linger_until;    // forgotten: closes then
  };

  std::map<Id, Slot>::iterator slot_of(ConnectionId conn);
  std::optional<p2p::dc::Nonce> fresh_nonce();
  std::string fresh_branch();
  p2p::dc::LocalSide local_side(bool can_listen) const;
  void listen_for(Slot& slot);
  void answer_request(Slot& slot, p2p::Link& link, const p2p::dc::ListenAddresses* addresses,
                      TimePoint now);
  void start_listening(Slot& slot, p2p::Link& link, const p2p::dc::ListenAddresses& addresses,
                       TimePoint now);
  void start_connecting(Slot& slot, p2p::Link& link, p2p::dc::ConnectPlan plan, TimePoint now);
  void run(Id id, Slot& slot, TimePoint now);
  void to_switchboard(Slot& slot, const std::string& why);
  void close_socket(Slot& slot);
  void log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

  void flush(const Slot& slot);
  void send_slp(Slot& slot, p2p::Link& link, const p2p::slp::Message& message);

  ConnectionIds* ids_ = nullptr;
  P2pLinks* links_ = nullptr;
  bool enabled_ = false;
  bool local_peers_ = false;
  Random random_;
  std::map<Id, Slot> slots_;
  std::vector<Id> broken_;
  std::vector<Output> outputs_;
  std::vector<DirectPacket> received_;
  std::vector<Event> events_;
};

}  // namespace msn
