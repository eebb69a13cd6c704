// SPDX-License-Identifier: GPL-2.0-or-later
// msn::Transport over libpurple's networking, so the account's proxy settings and the user's
// certificate trust decisions apply:
// - plain TCP: purple_proxy_connect, then purple_input_add for reads and writes;
// - TLS: purple_proxy_connect as for plain TCP (so that a failed connect says why: the name
//   not found, refused, no answer), then purple_ssl_connect_with_host_fd on that socket
//   (libpurple verifies the certificate and host name through its certificate verifier,
//   prompting the user when needed), then purple_ssl_read/_write.
// Writes are buffered; a write watch drains what the socket did not take at once.
// Direct connections (out::Listen, out::Connect{drain_reports}) also get Driver::drained once
// their buffer is empty, always from a main-loop callback.
//
// Re-entrancy: reports reach the Driver (connected / received / closed) only from main-loop
// callbacks, never from inside connect/send/close. A failure noticed inside those calls is
// reported from a zero-delay timeout instead.
#pragma once

#include <connection.h>
#include <sslconn.h>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/driver.h"
#include "runtime/ports.h"

namespace msn::plugin {

class PurpleTransport final : public Transport {
 public:
  explicit PurpleTransport(PurpleConnection* gc);
  ~PurpleTransport() override;
  PurpleTransport(const PurpleTransport&) = delete;
  PurpleTransport& operator=(const PurpleTransport&) = delete;

  // The Driver is built after its ports, so it is attached afterwards.
  void bind(Driver& driver) { driver_ = &driver; }

  void connect(const out::Connect& request) override;
  void send(ConnectionId conn, std::string_view bytes) override;
  void close(ConnectionId conn) override;
  // A direct connection's socket: purple_network_listen_range_family (the user's port range
  // applies), our addresses, then the one connection it accepts.
  bool listen(const out::Listen& request) override;

  // One open or opening connection; defined in the .cpp.
  struct Connection;

 private:
  // libpurple callbacks; `data` is the Connection.
  static void on_proxy_connected(gpointer data, gint fd, const gchar* error_message) noexcept;
  static void on_ssl_connected(gpointer data, PurpleSslConnection* ssl,
                               PurpleInputCondition cond) noexcept;
  static void on_ssl_error(PurpleSslConnection* ssl, PurpleSslErrorType error,
                           gpointer data) noexcept;
  static void on_readable(gpointer data, gint fd, PurpleInputCondition cond) noexcept;
  static void on_ssl_readable(gpointer data, PurpleSslConnection* ssl,
                              PurpleInputCondition cond) noexcept;
  static void on_writable(gpointer data, gint fd, PurpleInputCondition cond) noexcept;
  static gboolean on_deferred_failure(gpointer data) noexcept;
  static gboolean on_ssl_read_more(gpointer data) noexcept;
  static void on_listening(int fd, gpointer data) noexcept;
  static void on_acceptable(gpointer data, gint fd, PurpleInputCondition cond) noexcept;
  static gboolean on_drain_report(gpointer data) noexcept;

  void start_tls(Connection& conn, int fd);
  void handle_connected(Connection& conn);
  void handle_listening(Connection& conn, int fd);
  void handle_acceptable(Connection& conn);
  void handle_plain_readable(Connection& conn);
  void handle_ssl_readable(Connection& conn);
  // Passes bytes to the Driver. False when the connection (or this transport) is gone after.
  bool deliver(ConnectionId id, std::string_view bytes);
  // Writes as much of the outbox as the socket takes; keeps a write watch while some is left.
  Status flush(Connection& conn);
  // From a main-loop callback: forgets the connection, then tells the Driver.
  void report_closed(Connection& conn, Error why);
  // From inside connect/send: tears the connection's I/O down now, tells the Driver later.
  void fail_later(Connection& conn, Error why);
  // A write failed: stop writing, read what the peer sent before it left, then report `why`.
  void write_failed(Connection& conn, Error why);
  Connection* find(ConnectionId id);

  PurpleConnection* gc_;
  Driver* driver_ = nullptr;
  std::map<ConnectionId, std::unique_ptr<Connection>> connections_;
  std::vector<char> read_buffer_;
  // Expires when this transport is destroyed; checked after every call into the Driver.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace msn::plugin
