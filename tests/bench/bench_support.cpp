// SPDX-License-Identifier: GPL-2.0-or-later
#include "bench_support.h"

#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "purple_env.h"
#include "server_process.h"

#ifndef MSNP_BENCH_BUILDTYPE
#define MSNP_BENCH_BUILDTYPE "unknown"
#endif
#ifndef MSNP_BENCH_SANITIZE
#define MSNP_BENCH_SANITIZE "unknown"
#endif
// Meson's b_sanitize is passed in; GCC also announces ASan and TSan by macros, clang by
// __has_feature (a build made without meson's option still gets its warning).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define MSNP_BENCH_SANITIZED 1
#endif
#ifdef __has_feature
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#ifndef MSNP_BENCH_SANITIZED
#define MSNP_BENCH_SANITIZED 1
#endif
#endif
#endif

namespace bench {

TempDir::TempDir() {
  gchar* path = g_dir_make_tmp("msnp-bench-XXXXXX", nullptr);
  if (path != nullptr) path_ = path;
  g_free(path);
}

TempDir::~TempDir() {
  if (path_.empty()) return;
  nftw(
      path_.c_str(), [](const char* p, const struct stat*, int, FTW*) { return remove(p); }, 16,
      FTW_DEPTH | FTW_PHYS);
}

double cpu_ms() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto ms = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) * 1e3 + static_cast<double>(t.tv_usec) / 1e3;
  };
  return ms(usage.ru_utime) + ms(usage.ru_stime);
}

std::int64_t thread_cpu_us() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1'000'000 + now.tv_nsec / 1000;
}

long peak_rss_kib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss;
}

long proc_status_kib(const char* field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  const std::string prefix = std::string(field) + ":";
  while (std::getline(in, line)) {
    if (line.rfind(prefix, 0) == 0) return std::atol(line.c_str() + prefix.size());
  }
  return -1;
}

double ms_between(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double, std::milli>(to - from).count();
}

void print_build_note() {
  std::printf("build: %s, b_sanitize=%s, compiler %s\n", MSNP_BENCH_BUILDTYPE, MSNP_BENCH_SANITIZE,
              __VERSION__);
#if defined(MSNP_BENCH_SANITIZED)
  const bool sanitized = true;
#else
  const bool sanitized = std::string(MSNP_BENCH_SANITIZE) != "none";
#endif
  if (sanitized)
    std::printf(
        "WARNING: built with sanitizers: these figures are far slower than a user's; "
        "use a build with -Db_sanitize=none\n");
  if (std::string(MSNP_BENCH_BUILDTYPE).rfind("debug", 0) == 0 ||
      std::string(MSNP_BENCH_BUILDTYPE) == "plain")
    std::printf("WARNING: not an optimised build (--buildtype=release gives the real figures)\n");
}

void init_process() {
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, nullptr, _IOLBF, 0);
}

int run_alice_and_bob(const TwoAccounts& setup, const std::function<bool(harness::World&)>& body) {
  TempDir user_dir;
  TempDir state_dir;
  if (user_dir.path().empty() || state_dir.path().empty()) return 1;
  harness::ServerProcess server;
  std::string error;
  const std::string password = std::string(":") + harness::kTestPassword;
  std::vector<std::string> args = {"--account",    kAlice + password,
                                   "--account",    kBob + password,
                                   "--friends",    std::string(kAlice) + "," + kBob,
                                   "--state-dir",  state_dir.path(),
                                   "--ns-port",    "0",
                                   "--https-port", "0"};
  args.insert(args.end(), setup.server_args.begin(), setup.server_args.end());
  if (!server.start(setup.server, args, kReadyTimeout, error)) {
    std::fprintf(stderr, "%s: error: %s\n", setup.name, error.c_str());
    return 1;
  }
  int status = 1;
  {
    harness::PurpleEnv env(
        {.user_dir = user_dir.path(), .plugin_dir = setup.plugin_dir, .quiet = true});
    if (!env.ok(error) || !env.trust_ca(server.address().ca_path, error)) {
      std::fprintf(stderr, "%s: error: %s\n", setup.name, error.c_str());
      return 1;
    }
    harness::World world(env, server, state_dir.path(), Clock::now() + setup.bound);
    if (body(world)) status = 0;
  }
  server.stop();
  return status;
}

}  // namespace bench
