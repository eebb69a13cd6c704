// SPDX-License-Identifier: GPL-2.0-or-later
#include "purple_transport.h"

#include <arpa/inet.h>
#include <debug.h>
#include <eventloop.h>
#include <fcntl.h>
#include <network.h>
#include <proxy.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>
#include <string_view>

#include "callback_guard.h"
#include "glib_handles.h"

namespace msn::plugin {
namespace {

constexpr std::size_t kReadChunk = 64 * 1024;
// What one wake-up of a TLS connection reads at most before the main loop gets its turn again:
// a big answer (a 50 MB address book) arrives faster than it is handled, and reading until
// the TLS layer is empty would hold the loop for seconds.
constexpr std::size_t kMaxTlsReadPerWakeUp = 4 * kReadChunk;
// The same bound for plain TCP, where the level-triggered watch brings the rest.
constexpr std::size_t kMaxPlainReadPerWakeUp = 4 * kReadChunk;
// After a failed write, how long the bytes the peer sent before it went away may take to be
// read before the connection is reported closed anyway.
constexpr guint kDrainAfterWriteFailureMs = 1000;

struct ProxyConnectCancel {
  void operator()(PurpleProxyConnectData* pending) const noexcept {
    purple_proxy_connect_cancel(pending);
  }
};
using ProxyConnectPtr = std::unique_ptr<PurpleProxyConnectData, ProxyConnectCancel>;

struct ListenCancel {
  void operator()(PurpleNetworkListenData* pending) const noexcept {
    purple_network_listen_cancel(pending);
  }
};
using ListenPtr = std::unique_ptr<PurpleNetworkListenData, ListenCancel>;

bool is_ipv4(const char* text) {
  in_addr parsed{};
  return text != nullptr && inet_pton(AF_INET, text, &parsed) == 1;
}

// Where a peer can reach our listening socket: the external address as libpurple knows it
// (the user's public IP setting, STUN, UPnP or NAT-PMP, else the local one) and the local
// interfaces' IPv4 addresses, all on the socket's port.
p2p::dc::ListenAddresses listen_addresses(int fd) {
  p2p::dc::ListenAddresses addresses;
  const std::uint16_t port = purple_network_get_port_from_fd(fd);
  addresses.external_port = port;
  addresses.internal_port = port;
  if (const char* external = purple_network_get_my_ip(-1); is_ipv4(external))
    addresses.external.emplace_back(external);
  GList* locals = purple_network_get_all_local_system_ips();
  for (GList* it = locals; it != nullptr; it = it->next) {
    auto* ip = static_cast<char*>(it->data);
    if (is_ipv4(ip)) addresses.internal.emplace_back(ip);
    g_free(ip);
  }
  g_list_free(locals);
  if (addresses.internal.empty()) addresses.internal = addresses.external;
  if (addresses.external.empty()) addresses.external = addresses.internal;
  return addresses;
}

struct SslClose {
  void operator()(PurpleSslConnection* ssl) const noexcept { purple_ssl_close(ssl); }
};
using SslPtr = std::unique_ptr<PurpleSslConnection, SslClose>;

Error transport_error(std::string detail) {
  return make_error(Errc::kTransport, std::move(detail));
}

std::string errno_text(int error) { return std::strerror(error); }

bool would_block(int error) { return error == EAGAIN || error == EWOULDBLOCK || error == EINTR; }

bool starts_with_text(const char* text, const char* prefix) {
  return prefix != nullptr && *prefix != '\0' && g_str_has_prefix(text, prefix);
}

// The part of a translated libpurple format before its first conversion ("Error resolving ").
std::string before_conversion(const char* format) {
  std::string_view text(format);
  return std::string(text.substr(0, text.find('%')));
}

// libpurple's proxy layer reports why a connection could not be made only as text: a resolver
// failure ("Error resolving HOST:\n..." or "Unable to resolve hostname"), or strerror() of the
// connect() error. Both the English and libpurple's translated forms are recognised, so the
// user is told what happened whatever the locale; anything else stays a generic failure.
Error connect_failure(const char* message, const std::string& host, std::uint16_t port) {
  Errc code = Errc::kTransport;
  if (message == nullptr) {
    message = "connection failed";
  } else if (g_str_has_prefix(message, "Error resolving ") ||
             g_str_has_prefix(message, "Unable to resolve hostname") ||
             starts_with_text(
                 message, before_conversion(g_dgettext("pidgin", "Error resolving %s")).c_str()) ||
             starts_with_text(message, g_dgettext("pidgin", "Unable to resolve hostname"))) {
    code = Errc::kHostNotFound;
  } else if (std::strstr(message, "Connection refused") != nullptr ||
             std::strstr(message, g_strerror(ECONNREFUSED)) != nullptr) {
    code = Errc::kRefused;
  } else if (std::strstr(message, "Connection timed out") != nullptr ||
             std::strstr(message, g_strerror(ETIMEDOUT)) != nullptr) {
    code = Errc::kTimeout;
  }
  Error error = make_error(code, message);
  error.host = host;
  error.port = port;
  return error;
}

const char* ssl_error_detail(PurpleSslErrorType error) {
  switch (error) {
    case PURPLE_SSL_HANDSHAKE_FAILED:
      return "TLS handshake failed";
    case PURPLE_SSL_CONNECT_FAILED:
      return "TLS connection could not be made";
    case PURPLE_SSL_CERTIFICATE_INVALID:
      return "TLS certificate not accepted";
  }
  return "TLS error";
}

}  // namespace

struct PurpleTransport::Connection {
  Connection(PurpleTransport& owner_in, ConnectionId id_in, bool tls_in)
      : owner(owner_in), id(id_in), tls(tls_in) {}
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Tears down in dependency order: watches on the socket before the socket itself.
  ~Connection() { shut_down(); }

  // A router port mapping (UPnP, NAT-PMP) made for the socket goes with it.
  void close_listen_socket() noexcept {
    if (listen_fd < 0) return;
    purple_network_remove_port_mapping(listen_fd);
    ::close(listen_fd);
    listen_fd = -1;
  }

  void shut_down() noexcept {
    drain_report.reset();
    accept_watch.reset();
    listening.reset();
    close_listen_socket();
    read_more.reset();
    write_watch.reset();
    read_watch.reset();
    pending.reset();
    ssl.reset();
    if (fd >= 0) {
      ::close(fd);
      fd = -1;
    }
  }

  // The socket's file descriptor for watches: ours for plain TCP, libpurple's for TLS.
  int socket_fd() const { return tls ? (ssl ? ssl->fd : -1) : fd; }

  PurpleTransport& owner;
  const ConnectionId id;
  const bool tls;
  std::string host;  // for log lines and connect failures
  std::uint16_t port = 0;
  ProxyConnectPtr pending;  // plain TCP, until its callback
  SslPtr ssl;               // TLS, from purple_ssl_connect until closed
  int fd = -1;              // plain TCP, after connecting
  InputHandle read_watch;   // plain TCP (TLS reads are libpurple's purple_ssl_input_add)
  InputHandle write_watch;
  ListenPtr listening;       // a direct connection's listen, until its callback
  int listen_fd = -1;        // then its socket, until a peer connects
  InputHandle accept_watch;  // on listen_fd
  bool drain_reports = false;
  TimeoutHandle drain_report;  // Driver::drained from the main loop
  TimeoutHandle deferred;      // a failure waiting to be reported from the main loop
  TimeoutHandle read_more;     // TLS: the rest of what one wake-up did not read
  std::optional<Error> deferred_error;
  // A write failed (the peer went away) but what it sent before is still being read: nothing
  // more is written, and the write error is reported at end of input.
  std::optional<Error> write_error;
  std::string outbox;
  bool connected = false;
  // purple_ssl_connect_with_host_fd may call back before it returns (NSS starts the handshake
  // at once, and frees the TLS connection if that fails): meanwhile the callbacks only note
  // what happened, and start_tls acts on it.
  bool starting_tls = false;
  bool early_tls_connected = false;
  std::optional<Error> early_tls_error;
};

PurpleTransport::PurpleTransport(PurpleConnection* gc) : gc_(gc), read_buffer_(kReadChunk) {}

PurpleTransport::~PurpleTransport() {
  *alive_ = false;
  connections_.clear();
}

PurpleTransport::Connection* PurpleTransport::find(ConnectionId id) {
  auto it = connections_.find(id);
  return it == connections_.end() ? nullptr : it->second.get();
}

void PurpleTransport::connect(const out::Connect& request) {
  auto owned = std::make_unique<Connection>(*this, request.conn, request.tls);
  Connection& conn = *owned;
  conn.host = request.host;
  conn.port = request.port;
  conn.drain_reports = request.drain_reports;
  connections_[request.conn] = std::move(owned);
  purple_debug_info("msnp", "connection %u: connecting to %s:%u%s\n", conn.id, request.host.c_str(),
                    static_cast<unsigned>(request.port), request.tls ? " (TLS)" : "");

  PurpleAccount* account = purple_connection_get_account(gc_);
  // TLS too starts with the TCP connect (TLS follows in on_proxy_connected): purple_ssl_connect
  // would report a name that does not resolve, a refusal and a timeout all alike, as
  // PURPLE_SSL_CONNECT_FAILED, and the user could not be told which.
  // The connect's handle is the Connection, not the PurpleConnection: libpurple cancels
  // every connect whose handle is the PurpleConnection itself before it calls the protocol's
  // close, which would leave `pending` pointing at freed memory. With its own handle the
  // connect has one owner, `pending`.
  conn.pending.reset(purple_proxy_connect(&conn, account, request.host.c_str(), request.port,
                                          &PurpleTransport::on_proxy_connected, &conn));
  if (!conn.pending) fail_later(conn, transport_error("connection could not be started"));
}

void PurpleTransport::send(ConnectionId id, std::string_view bytes) {
  Connection* conn = find(id);
  if (conn == nullptr || conn->deferred_error || conn->write_error) {
    purple_debug_warning("msnp", "connection %u: send on a closed connection ignored\n", id);
    return;
  }
  conn->outbox.append(bytes);
  if (!conn->connected || conn->write_watch) return;
  Status written = flush(*conn);
  if (!written.is_ok()) write_failed(*conn, written.error());
}

void PurpleTransport::close(ConnectionId id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  purple_debug_info("msnp", "connection %u: closed\n", id);
  // Destroying the Connection cancels every pending callback for it, including a deferred
  // failure report: after close() the Driver hears nothing more about this id.
  connections_.erase(it);
}

bool PurpleTransport::listen(const out::Listen& request) {
  auto owned = std::make_unique<Connection>(*this, request.conn, false);
  Connection& conn = *owned;
  conn.host = "listening";
  conn.drain_reports = true;
  // libpurple calls back from the main loop (a zero timeout, or after port mapping), never
  // from inside this call.
  conn.listening.reset(purple_network_listen_range_family(0, 0, AF_INET, SOCK_STREAM,
                                                          &PurpleTransport::on_listening, &conn));
  if (!conn.listening) return false;
  connections_[request.conn] = std::move(owned);
  purple_debug_info("msnp", "connection %u: opening a listening socket\n", request.conn);
  return true;
}

void PurpleTransport::on_listening(int fd, gpointer data) noexcept {
  auto* conn = static_cast<Connection*>(data);
  // libpurple frees the listen data once this callback returns.
  (void)conn->listening.release();
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "listen", [&] { self.handle_listening(*conn, fd); });
}

void PurpleTransport::handle_listening(Connection& conn, int fd) {
  const ConnectionId id = conn.id;
  if (fd < 0) {
    purple_debug_info("msnp", "connection %u: cannot listen\n", id);
    connections_.erase(id);
    if (driver_ != nullptr) driver_->listen_failed(id);
    return;
  }
  conn.listen_fd = fd;
  conn.accept_watch.reset(
      purple_input_add(fd, PURPLE_INPUT_READ, &PurpleTransport::on_acceptable, &conn));
  auto addresses = listen_addresses(fd);
  purple_debug_info("msnp", "connection %u: listening on port %u\n", id,
                    static_cast<unsigned>(addresses.external_port));
  if (driver_ != nullptr) driver_->listening(id, std::move(addresses));
}

void PurpleTransport::on_acceptable(gpointer data, gint, PurpleInputCondition) noexcept {
  auto* conn = static_cast<Connection*>(data);
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "accept", [&] { self.handle_acceptable(*conn); });
}

// One peer per listening socket: the first connection is kept, the socket stops listening.
void PurpleTransport::handle_acceptable(Connection& conn) {
  const int fd = ::accept(conn.listen_fd, nullptr, nullptr);
  if (fd < 0) {
    const int error = errno;
    if (!would_block(error) && error != ECONNABORTED)
      report_closed(conn, transport_error("accept failed: " + errno_text(error)));
    return;
  }
  conn.accept_watch.reset();
  conn.close_listen_socket();
  conn.fd = fd;
  conn.host = "accepted";
  const int flags = fcntl(fd, F_GETFL, 0);
  if (flags >= 0) (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  conn.read_watch.reset(
      purple_input_add(fd, PURPLE_INPUT_READ, &PurpleTransport::on_readable, &conn));
  handle_connected(conn);
}

gboolean PurpleTransport::on_drain_report(gpointer data) noexcept {
  auto* conn = static_cast<Connection*>(data);
  conn->drain_report.release();  // this source ends here
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "drained", [&] {
    if (self.driver_ != nullptr && conn->outbox.empty()) self.driver_->drained(conn->id);
  });
  return FALSE;
}

void PurpleTransport::on_proxy_connected(gpointer data, gint fd,
                                         const gchar* error_message) noexcept {
  auto* conn = static_cast<Connection*>(data);
  // libpurple frees the connect data once this callback returns.
  (void)conn->pending.release();
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "proxy connect", [&] {
    if (fd < 0) {
      self.report_closed(*conn, connect_failure(error_message, conn->host, conn->port));
      return;
    }
    if (conn->tls) {
      self.start_tls(*conn, fd);
      return;
    }
    conn->fd = fd;
    // purple_proxy_connect leaves the socket non-blocking today; make sure of it, since a
    // blocking read would freeze the whole UI.
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags >= 0) (void)fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    conn->read_watch.reset(
        purple_input_add(fd, PURPLE_INPUT_READ, &PurpleTransport::on_readable, conn));
    self.handle_connected(*conn);
  });
}

// Hands the connected socket to libpurple's TLS layer, which owns it from then on (the socket
// closes with the PurpleSslConnection). The host name goes along for SNI and the certificate
// check.
void PurpleTransport::start_tls(Connection& conn, int fd) {
  conn.starting_tls = true;
  PurpleSslConnection* ssl = purple_ssl_connect_with_host_fd(
      purple_connection_get_account(gc_), fd, &PurpleTransport::on_ssl_connected,
      &PurpleTransport::on_ssl_error, conn.host.c_str(), &conn);
  conn.starting_tls = false;
  if (conn.early_tls_error) {
    // libpurple has already closed the socket and freed `ssl`.
    report_closed(conn, *conn.early_tls_error);
    return;
  }
  if (ssl == nullptr) {
    // Refused before it took the socket (no TLS support): the socket is still ours.
    ::close(fd);
    report_closed(conn, transport_error("TLS connection could not be started"));
    return;
  }
  conn.ssl.reset(ssl);
  if (conn.early_tls_connected) {
    purple_ssl_input_add(ssl, &PurpleTransport::on_ssl_readable, &conn);
    handle_connected(conn);
  }
}

void PurpleTransport::on_ssl_connected(gpointer data, PurpleSslConnection* ssl,
                                       PurpleInputCondition) noexcept {
  auto* conn = static_cast<Connection*>(data);
  if (conn->starting_tls) {
    conn->early_tls_connected = true;
    return;
  }
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "TLS connect", [&] {
    purple_ssl_input_add(ssl, &PurpleTransport::on_ssl_readable, conn);
    self.handle_connected(*conn);
  });
}

void PurpleTransport::on_ssl_error(PurpleSslConnection*, PurpleSslErrorType error,
                                   gpointer data) noexcept {
  auto* conn = static_cast<Connection*>(data);
  // libpurple closes and frees the PurpleSslConnection right after this callback, and with it
  // the socket: drop our watch on it and our pointer to it first.
  conn->write_watch.reset();
  (void)conn->ssl.release();
  const Errc code = error == PURPLE_SSL_CERTIFICATE_INVALID ? Errc::kTls : Errc::kTransport;
  if (conn->starting_tls) {
    conn->early_tls_error = make_error(code, ssl_error_detail(error));
    return;
  }
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "TLS error",
                 [&] { self.report_closed(*conn, make_error(code, ssl_error_detail(error))); });
}

void PurpleTransport::handle_connected(Connection& conn) {
  purple_debug_info("msnp", "connection %u: connected\n", conn.id);
  conn.connected = true;
  // Anything sent before the connection was up goes out first.
  if (!conn.outbox.empty()) {
    Status written = flush(conn);
    if (!written.is_ok()) {
      write_failed(conn, written.error());
      return;
    }
  }
  if (driver_ != nullptr) driver_->connected(conn.id);
}

void PurpleTransport::on_readable(gpointer data, gint, PurpleInputCondition) noexcept {
  auto* conn = static_cast<Connection*>(data);
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "read", [&] { self.handle_plain_readable(*conn); });
}

void PurpleTransport::on_ssl_readable(gpointer data, PurpleSslConnection*,
                                      PurpleInputCondition) noexcept {
  auto* conn = static_cast<Connection*>(data);
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "TLS read", [&] { self.handle_ssl_readable(*conn); });
}

void PurpleTransport::handle_plain_readable(Connection& conn) {
  // While reads fill the buffer more is waiting: it is read in the same wake-up (a file over
  // the switchboard brings a window of MSGs or ACKs at once), up to a bound, so that other
  // sources still get their turn; the watch is level-triggered and brings the rest.
  const ConnectionId id = conn.id;
  for (std::size_t total = 0; total < kMaxPlainReadPerWakeUp;) {
    Connection* current = find(id);
    if (current == nullptr || current->fd < 0) return;
    const ssize_t n = ::read(current->fd, read_buffer_.data(), read_buffer_.size());
    if (n < 0) {
      const int error = errno;
      if (!would_block(error))
        report_closed(*current, current->write_error
                                    ? *current->write_error
                                    : transport_error("read failed: " + errno_text(error)));
      return;
    }
    if (n == 0) {
      report_closed(*current, current->write_error
                                  ? *current->write_error
                                  : transport_error("connection closed by the server"));
      return;
    }
    const auto got = static_cast<std::size_t>(n);
    if (!deliver(id, std::string_view(read_buffer_.data(), got)) || got < read_buffer_.size())
      return;
    total += got;
  }
}

void PurpleTransport::handle_ssl_readable(Connection& conn) {
  // Read until the TLS layer has nothing left: decrypted data buffered inside it would not
  // wake the socket watch again. Past the per-wake-up bound the rest is read from a zero
  // timeout instead, for the same reason.
  const ConnectionId id = conn.id;
  conn.read_more.reset();
  for (std::size_t total = 0;;) {
    Connection* current = find(id);
    if (current == nullptr || !current->ssl) return;
    if (total >= kMaxTlsReadPerWakeUp) {
      current->read_more.reset(purple_timeout_add(0, &PurpleTransport::on_ssl_read_more, current));
      return;
    }
    errno = 0;
    std::size_t n = purple_ssl_read(current->ssl.get(), read_buffer_.data(), read_buffer_.size());
    if (n == static_cast<std::size_t>(-1)) {
      int error = errno;
      if (!would_block(error))
        report_closed(*current, transport_error("TLS read failed: " + errno_text(error)));
      return;
    }
    if (n == 0) {
      report_closed(*current, transport_error("connection closed by the server"));
      return;
    }
    total += n;
    if (!deliver(id, std::string_view(read_buffer_.data(), n))) return;
  }
}

gboolean PurpleTransport::on_ssl_read_more(gpointer data) noexcept {
  auto* conn = static_cast<Connection*>(data);
  conn->read_more.release();  // this source ends here
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "TLS read", [&] { self.handle_ssl_readable(*conn); });
  return FALSE;
}

bool PurpleTransport::deliver(ConnectionId id, std::string_view bytes) {
  if (driver_ == nullptr) return false;
  std::weak_ptr<bool> alive = alive_;
  driver_->received(id, bytes);
  // The Driver may have closed this connection, or the whole account may be gone.
  return !alive.expired() && find(id) != nullptr;
}

Status PurpleTransport::flush(Connection& conn) {
  while (!conn.outbox.empty()) {
    ssize_t n;
    int error = 0;
    if (conn.tls) {
      if (!conn.ssl) return transport_error("TLS connection is gone");
      errno = 0;
      std::size_t written =
          purple_ssl_write(conn.ssl.get(), conn.outbox.data(), conn.outbox.size());
      error = errno;
      n = written == static_cast<std::size_t>(-1) ? -1 : static_cast<ssize_t>(written);
    } else {
      // MSG_NOSIGNAL: a peer that went away must be an error value, not a SIGPIPE.
      n = ::send(conn.fd, conn.outbox.data(), conn.outbox.size(), MSG_NOSIGNAL);
      error = errno;
    }
    if (n < 0) {
      if (!would_block(error)) return transport_error("write failed: " + errno_text(error));
      break;
    }
    if (n == 0) return transport_error("write made no progress");
    conn.outbox.erase(0, static_cast<std::size_t>(n));
  }
  if (conn.outbox.empty()) {
    conn.write_watch.reset();
    if (conn.drain_reports && !conn.drain_report)
      conn.drain_report.reset(purple_timeout_add(0, &PurpleTransport::on_drain_report, &conn));
  } else if (!conn.write_watch) {
    int fd = conn.socket_fd();
    if (fd < 0) return transport_error("no socket to write to");
    conn.write_watch.reset(
        purple_input_add(fd, PURPLE_INPUT_WRITE, &PurpleTransport::on_writable, &conn));
  }
  return Status::ok();
}

void PurpleTransport::on_writable(gpointer data, gint, PurpleInputCondition) noexcept {
  auto* conn = static_cast<Connection*>(data);
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "write", [&] {
    Status written = self.flush(*conn);
    if (!written.is_ok()) self.write_failed(*conn, written.error());
  });
}

void PurpleTransport::report_closed(Connection& conn, Error why) {
  const ConnectionId id = conn.id;
  purple_debug_info("msnp", "connection %u (%s): %s\n", id, conn.host.c_str(), why.detail.c_str());
  connections_.erase(id);  // destroys `conn`
  if (driver_ != nullptr) driver_->closed(id, std::move(why));
}

// A peer that closes right after answering (a switchboard acknowledging a message, then
// closing) makes our next write fail while its answer still waits in the socket. Reporting the
// close at once would lose that answer, and the engine would resend a message that was in fact
// delivered. So plain connections stop writing but keep reading to the end of input, with a
// short limit; TLS connections, whose state after a failed write libpurple does not define,
// end at once.
void PurpleTransport::write_failed(Connection& conn, Error why) {
  if (conn.tls || !conn.read_watch) {
    fail_later(conn, std::move(why));
    return;
  }
  purple_debug_info("msnp", "connection %u (%s): %s; reading what is left\n", conn.id,
                    conn.host.c_str(), why.detail.c_str());
  conn.write_watch.reset();
  conn.outbox.clear();
  conn.write_error = why;
  conn.deferred_error = std::move(why);
  conn.deferred.reset(
      purple_timeout_add(kDrainAfterWriteFailureMs, &PurpleTransport::on_deferred_failure, &conn));
}

void PurpleTransport::fail_later(Connection& conn, Error why) {
  conn.shut_down();
  conn.connected = false;
  conn.deferred_error = std::move(why);
  conn.deferred.reset(purple_timeout_add(0, &PurpleTransport::on_deferred_failure, &conn));
}

gboolean PurpleTransport::on_deferred_failure(gpointer data) noexcept {
  auto* conn = static_cast<Connection*>(data);
  conn->deferred.release();
  PurpleTransport& self = conn->owner;
  guard_callback(self.gc_, "deferred failure", [&] {
    Error why = std::move(*conn->deferred_error);
    self.report_closed(*conn, std::move(why));
  });
  return FALSE;
}

}  // namespace msn::plugin
