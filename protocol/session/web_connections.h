// SPDX-License-Identifier: GPL-2.0-or-later
// Keep-alive connections to the web services, sans-I/O. A finished request leaves its
// connection here when the server allows it; the next request to the same origin (scheme, host
// and port: never another site, since requests carry passwords and tickets) takes it instead of
// paying for a new TCP and TLS handshake. A request to an origin whose connection is still busy
// waits for it a little (see may_start), as the old plugin queued its SOAP requests per host.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/time.h"
#include "http/url.h"
#include "session/io.h"

namespace msn {

class WebConnections {
 public:
  // How long an idle connection is kept; a server closes its own idle ones after a while, and
  // a late request pays one handshake rather than the risk of a stale connection.
  static constexpr Duration kIdleLimit = std::chrono::seconds(20);
  // How long a request waits for a busy connection to its origin before it opens its own: long
  // enough for an ordinary answer, short enough that a request the server leaves unanswered
  // does not hold up the others for the whole request time limit.
  static constexpr Duration kMaxWait = std::chrono::seconds(3);
  static constexpr std::size_t kMaxIdle = 4;

  static std::string origin_of(const http::Url& url);

  // An idle connection to that origin, now the caller's; nullopt when none is left.
  std::optional<ConnectionId> take(const std::string& origin);
  // A connection whose last response allows another request. Beyond kMaxIdle the oldest idle
  // one is closed.
  void put(const std::string& origin, ConnectionId conn, TimePoint now);
  bool holds(ConnectionId conn) const;
  // The server closed an idle connection (or sent bytes nobody asked for: then it is closed).
  void on_closed(ConnectionId conn);
  void on_unexpected_data(ConnectionId conn);
  void on_timer(TimePoint now);
  void close_all();
  std::optional<TimePoint> deadline() const;
  std::vector<Output> take_outputs();

  // What the origin's last response said about keeping its connection. A request to an origin
  // that closes its connections has nothing to wait for and starts at once.
  void learn(const std::string& origin, bool keeps_alive);
  bool closes(const std::string& origin) const;

 private:
  struct Idle {
    std::string origin;
    ConnectionId conn = 0;
    TimePoint since;
  };
  void close_at(std::size_t index);

  std::vector<Idle> idle_;  // oldest first; a handful at most
  std::vector<std::string> closing_origins_;  // the few services a session talks to
  std::vector<Output> outputs_;
};

}  // namespace msn
