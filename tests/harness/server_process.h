// SPDX-License-Identifier: GPL-2.0-or-later
// The local MSNP15 server (tests/server/msnp-server) as a child process: started with
// g_spawn_async_with_pipes, ready once it prints its READY line, stopped with SIGTERM (or
// killed with SIGKILL for the "server dies" scenario).
#pragma once

#include <glib.h>

#include <chrono>
#include <string>
#include <vector>

namespace harness {

struct ServerAddress {
  std::string ns_host;
  int ns_port = 0;
  std::string web_url;   // https://localhost:PORT
  std::string ca_path;   // the test CA's PEM file
};

class ServerProcess {
 public:
  ServerProcess() = default;
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // Starts `program args...` and waits up to `ready_timeout` for the READY line.
  // On failure returns false with `error` set (and the child reaped).
  bool start(const std::string& program, const std::vector<std::string>& args,
             std::chrono::milliseconds ready_timeout, std::string& error);
  const ServerAddress& address() const { return address_; }

  // Sends `signal_number` (e.g. SIGUSR1: dump the state); false if the server is not running.
  bool send_signal(int signal_number);

  // SIGKILL now, as if the machine running it died.
  void kill_now();
  // SIGTERM, then SIGKILL if it has not exited after a grace period. Idempotent.
  void stop();

 private:
  bool read_ready_line(std::chrono::milliseconds timeout, std::string& line, std::string& error);
  void watch_output();
  void reap(int signal_number, std::chrono::milliseconds grace);
  static gboolean on_output(GIOChannel* channel, GIOCondition condition, gpointer data);

  GPid pid_ = 0;
  int stdout_fd_ = -1;
  GIOChannel* channel_ = nullptr;
  guint watch_ = 0;
  std::string pending_;   // bytes read after the READY line, before the GLib watch took over
  ServerAddress address_;
};

}  // namespace harness
