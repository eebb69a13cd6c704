// SPDX-License-Identifier: GPL-2.0-or-later
// What the end-to-end benchmarks share: a temporary directory, the process's CPU time and peak
// memory, the note on how the build was made (sanitizers and debug builds distort every figure),
// and the set-up most of them need: alice and bob, on each other's lists, on a fresh local
// server, in this one libpurple.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "world.h"

namespace bench {

using Clock = std::chrono::steady_clock;

inline constexpr const char* kAlice = "alice@example.com";
inline constexpr const char* kBob = "bob@example.com";
// The local server's start-up (certificates, generated contacts) on a busy machine.
inline constexpr std::chrono::milliseconds kReadyTimeout{60000};

// A fresh directory under the system's temporary one, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  // Empty when it could not be made.
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// User plus system time of this process so far: libpurple, the plugin and its TLS; the server is
// another process and not counted.
double cpu_ms();
// The main thread's own CPU time: unlike the wall clock it does not grow while other processes
// (the server, builds) have the CPU.
std::int64_t thread_cpu_us();
// The largest resident set this process has had so far, in KiB.
long peak_rss_kib();
// A field of /proc/self/status in KiB ("VmHWM", "VmRSS"); -1 if absent.
long proc_status_kib(const char* field);
double ms_between(Clock::time_point from, Clock::time_point to);

// The first lines of a benchmark's output: how it was built, with a warning when the figures
// cannot be a user's.
void print_build_note();
// What Pidgin and Finch do at start (a peer closing a socket is an error value, not SIGPIPE),
// and stdout line by line so that a slow run shows its progress.
void init_process();

struct TwoAccounts {
  const char* name = "bench";  // for error messages
  std::string server;          // the msnp-server script
  std::string plugin_dir;
  std::vector<std::string> server_args;  // besides the two accounts, state dir and ports
  Clock::duration bound{};               // the whole run, every wait in `body` included
};

// Starts the server with alice and bob (--friends), sets up libpurple with the plugin and runs
// `body` on a World of both. 0 when `body` returned true, 1 otherwise or when the set-up failed.
int run_alice_and_bob(const TwoAccounts& setup, const std::function<bool(harness::World&)>& body);

}  // namespace bench
