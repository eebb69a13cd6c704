// SPDX-License-Identifier: GPL-2.0-or-later
#include "stall_sampler.h"

#include <execinfo.h>
#include <glib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>

namespace bench {
namespace {

constexpr int kSampleSignal = SIGUSR2;
constexpr long long kSampleEveryUs = 20000;
constexpr int kMaxFrames = 48;

// Only async-signal-safe calls: backtrace was warmed up before the handler was installed,
// so it does not load libgcc (and allocate) here.
void on_sample_signal(int) {
  void* frames[kMaxFrames];
  const int count = backtrace(frames, kMaxFrames);
  static const char kHeader[] = "--- main thread during a stall ---\n";
  ssize_t ignored = write(STDERR_FILENO, kHeader, sizeof kHeader - 1);
  (void)ignored;
  backtrace_symbols_fd(frames, count, STDERR_FILENO);
}

}  // namespace

StallSampler::StallSampler(int threshold_ms)
    : threshold_us_(static_cast<long long>(threshold_ms) * 1000),
      main_thread_(pthread_self()),
      last_tick_us_(g_get_monotonic_time()) {
  void* warm_up[1];
  backtrace(warm_up, 1);
  struct sigaction action {};
  action.sa_handler = &on_sample_signal;
  action.sa_flags = SA_RESTART;
  sigemptyset(&action.sa_mask);
  sigaction(kSampleSignal, &action, nullptr);
  watchdog_ = std::thread([this] { watch(); });
}

StallSampler::~StallSampler() {
  stop_ = true;
  watchdog_.join();
  signal(kSampleSignal, SIG_DFL);
}

void StallSampler::tick() { last_tick_us_ = g_get_monotonic_time(); }

void StallSampler::watch() {
  long long last_sample_us = 0;
  while (!stop_) {
    g_usleep(2000);
    const long long now = g_get_monotonic_time();
    const long long stalled = now - last_tick_us_.load();
    if (stalled < threshold_us_ || now - last_sample_us < kSampleEveryUs) continue;
    std::fprintf(stderr, "stall sample: main loop busy for %lld ms\n", stalled / 1000);
    last_sample_us = now;
    pthread_kill(main_thread_, kSampleSignal);
  }
}

}  // namespace bench
