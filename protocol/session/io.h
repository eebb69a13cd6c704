// SPDX-License-Identifier: GPL-2.0-or-later
// What the engine asks its caller to do with connections. The engine owns no socket: it names
// connections by id and returns these requests; the runtime carries them out.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

namespace msn {

using ConnectionId = std::uint32_t;

// Hands out connection ids, unique for the life of one Client (ids are never reused, so a late
// report about a closed connection can never reach a newer one).
class ConnectionIds {
 public:
  ConnectionId next() { return next_++; }

 private:
  ConnectionId next_ = 1;
};

namespace out {

// Open a TCP connection (TLS with certificate and host name verification when `tls`).
struct Connect {
  ConnectionId conn;
  std::string host;
  std::uint16_t port;
  bool tls;
  // Report Driver::drained once what was given to send() so far has all left the buffer (the
  // direct connections pace their data by it).
  bool drain_reports = false;
};

// Open a listening TCP socket for one peer (a direct connection): report its addresses with
// Driver::listening (or Driver::listen_failed), then the one connection it accepts as
// `conn`: connected, received, closed, drained as for Connect{drain_reports}. Close ends both.
struct Listen {
  ConnectionId conn;
};

// Write bytes, in order, after any earlier Send on the same connection.
struct Send {
  ConnectionId conn;
  std::string bytes;
};

// Close the connection; no callback for it follows.
struct Close {
  ConnectionId conn;
};

}  // namespace out

using Output = std::variant<out::Connect, out::Send, out::Close, out::Listen>;

}  // namespace msn
