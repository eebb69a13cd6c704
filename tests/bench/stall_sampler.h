// SPDX-License-Identifier: GPL-2.0-or-later
// Finds out what the main loop was doing during a stall: a watchdog thread notices when the
// main thread has not ticked for longer than a threshold and, every 20 ms while that lasts,
// interrupts it with a signal whose handler writes the main thread's call stack to stderr
// (glibc's backtrace_symbols_fd; addresses inside the plugin resolve with
// `addr2line -f -C -e libmsnp.so 0xOFFSET`). A benchmark aid, off unless asked for.
#pragma once

#include <pthread.h>

#include <atomic>
#include <thread>

namespace bench {

class StallSampler {
 public:
  // Starts sampling; `threshold_ms` is the shortest stall worth a stack.
  explicit StallSampler(int threshold_ms);
  ~StallSampler();
  StallSampler(const StallSampler&) = delete;
  StallSampler& operator=(const StallSampler&) = delete;

  // Called by the main thread whenever its loop runs.
  void tick();

 private:
  void watch();

  const long long threshold_us_;
  const pthread_t main_thread_;
  std::atomic<long long> last_tick_us_;
  std::atomic<bool> stop_{false};
  std::thread watchdog_;
};

}  // namespace bench
