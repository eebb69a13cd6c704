// SPDX-License-Identifier: GPL-2.0-or-later
#include "server_process.h"

#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace {

// Runs in the child before exec: a harness that crashes (a sanitizer abort) must not leave its
// server running, holding the test's output pipe open and the ports busy.
void die_with_parent(gpointer) { prctl(PR_SET_PDEATHSIG, SIGTERM); }

}  // namespace

namespace harness {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds kStopGrace{5000};

// "READY ns=HOST:PORT web=URL ca=PATH" -> address; false if a field is missing.
bool parse_ready(const std::string& line, ServerAddress& address) {
  if (line.rfind("READY ", 0) != 0)
    return false;
  gchar** fields = g_strsplit(line.c_str(), " ", -1);
  for (gchar** field = fields; *field != nullptr; ++field) {
    std::string text = *field;
    if (text.rfind("ns=", 0) == 0) {
      std::string hostport = text.substr(3);
      auto colon = hostport.rfind(':');
      if (colon != std::string::npos) {
        address.ns_host = hostport.substr(0, colon);
        address.ns_port = std::atoi(hostport.c_str() + colon + 1);
        if (address.ns_host.size() > 2 && address.ns_host.front() == '[')
          address.ns_host = address.ns_host.substr(1, address.ns_host.size() - 2);
      }
    } else if (text.rfind("web=", 0) == 0) {
      address.web_url = text.substr(4);
    } else if (text.rfind("ca=", 0) == 0) {
      address.ca_path = text.substr(3);
    }
  }
  g_strfreev(fields);
  return !address.ns_host.empty() && address.ns_port > 0 && !address.web_url.empty() &&
         !address.ca_path.empty();
}

}  // namespace

ServerProcess::~ServerProcess() { stop(); }

bool ServerProcess::start(const std::string& program, const std::vector<std::string>& args,
                          milliseconds ready_timeout, std::string& error) {
  std::vector<gchar*> argv;
  argv.push_back(const_cast<gchar*>(program.c_str()));
  for (const std::string& arg : args)
    argv.push_back(const_cast<gchar*>(arg.c_str()));
  argv.push_back(nullptr);

  GError* spawn_error = nullptr;
  // stdin from /dev/null, stderr shared with the harness so the server's log lands in the
  // test log, stdout piped for the READY line.
  if (!g_spawn_async_with_pipes(nullptr, argv.data(), nullptr, G_SPAWN_DO_NOT_REAP_CHILD,
                                &die_with_parent, nullptr, &pid_, nullptr, &stdout_fd_, nullptr,
                                &spawn_error)) {
    error = std::string("cannot start ") + program + ": " + spawn_error->message;
    g_error_free(spawn_error);
    pid_ = 0;
    return false;
  }
  std::string line;
  if (!read_ready_line(ready_timeout, line, error) || !parse_ready(line, address_)) {
    if (error.empty())
      error = "unexpected first line from the server: " + line;
    stop();
    return false;
  }
  watch_output();
  return true;
}

bool ServerProcess::read_ready_line(milliseconds timeout, std::string& line, std::string& error) {
  const auto deadline = Clock::now() + timeout;
  std::string buffer;
  for (;;) {
    auto newline = buffer.find('\n');
    if (newline != std::string::npos) {
      line = buffer.substr(0, newline);
      pending_ = buffer.substr(newline + 1);
      return true;
    }
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      error = "the server did not print READY in time";
      return false;
    }
    pollfd pfd{stdout_fd_, POLLIN, 0};
    int ready = poll(&pfd, 1, static_cast<int>(left));
    if (ready < 0 && errno == EINTR)
      continue;
    if (ready <= 0)
      continue;
    char chunk[512];
    ssize_t n = read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      error = "the server exited before it was ready";
      return false;
    }
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

void ServerProcess::watch_output() {
  // Keep draining stdout so a chatty server can never block on a full pipe.
  if (!pending_.empty())
    std::fprintf(stderr, "[server stdout] %s", pending_.c_str());
  channel_ = g_io_channel_unix_new(stdout_fd_);
  watch_ = g_io_add_watch(channel_, static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR),
                          &ServerProcess::on_output, this);
}

gboolean ServerProcess::on_output(GIOChannel*, GIOCondition, gpointer data) {
  auto* self = static_cast<ServerProcess*>(data);
  char chunk[4096];
  ssize_t n = read(self->stdout_fd_, chunk, sizeof chunk);
  if (n > 0) {
    std::fprintf(stderr, "[server stdout] %.*s", static_cast<int>(n), chunk);
    return TRUE;
  }
  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return TRUE;
  self->watch_ = 0;
  return FALSE;
}

bool ServerProcess::send_signal(int signal_number) {
  return pid_ != 0 && kill(pid_, signal_number) == 0;
}

void ServerProcess::kill_now() {
  if (pid_ == 0)
    return;
  std::fprintf(stderr, "harness: killing the server (SIGKILL)\n");
  reap(SIGKILL, kStopGrace);
}

void ServerProcess::stop() {
  if (watch_ != 0) {
    g_source_remove(watch_);
    watch_ = 0;
  }
  if (channel_ != nullptr) {
    g_io_channel_unref(channel_);
    channel_ = nullptr;
  }
  if (stdout_fd_ >= 0) {
    close(stdout_fd_);
    stdout_fd_ = -1;
  }
  if (pid_ != 0)
    reap(SIGTERM, kStopGrace);
}

void ServerProcess::reap(int signal_number, milliseconds grace) {
  kill(pid_, signal_number);
  const auto deadline = Clock::now() + grace;
  int status = 0;
  for (;;) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_ || (done < 0 && errno != EINTR))
      break;
    if (Clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      (void)waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(milliseconds(20));
  }
  g_spawn_close_pid(pid_);
  pid_ = 0;
}

}  // namespace harness
