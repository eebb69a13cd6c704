// SPDX-License-Identifier: GPL-2.0-or-later
// Sign-in cost through the real plugin in the real libpurple: for 0, 100, 1,000, 5,000 and
// 50,000 contacts, starts the local server with --contacts N, signs one account in and prints
//   - the wall time from the sign-in call until the account is connected AND the buddy list
//     holds all N contacts,
//   - the longest main-loop stall: the largest gap between two runs of a
//     1 ms high-priority GLib timeout, i.e. the longest time the UI could not react,
//   - the CPU time (user + system, getrusage) the process spent from the sign-in call until the
//     sign-in's work has ended, i.e. including what follows the listing (the end of the
//     buddy-list sync, the contact cache; see sign_in), and in brackets until listed: libpurple,
//     the plugin and its TLS; the server is another process and not counted,
//   - the longest stall and the growth of the peak resident set (VmHWM) over that time.
// Each size runs in a fresh child process (this program again, with --size N), so that one
// size's heap does not hide the next one's growth. Not a test: run by hand on an optimised,
// unsanitised build, e.g.
//   meson setup build-rel --buildtype=release && meson compile -C build-rel
//   build-rel/tests/bench/signin_bench [--sizes 100,1000,5000] [--repeat N]
// After each sign-in it measures, for reference, what libpurple alone spends on a buddy list of
// that size (buddies added directly, no plugin, no network, each new contact inserted after the
// group's last one: libpurple's linear path), and after each size's rounds it prints the median
// of each and their ratio.
// With --returning 1 each child signs in twice and measures the second sign-in: the one a user
// makes every day, with the contact cache and the buddy list the first one left (the list is
// then asked for its changes only). SIGNIN_BENCH_VERBOSE=1 in the environment has the children
// print libpurple's and the plugin's debug lines to stderr (run one child alone to see them).
// Aims: no main-loop stall over 100 ms at any size; 5,000 contacts within twice what libpurple
// alone spends on them (the reference line); memory proportional to the book.
#include <blist.h>
#include <stdio.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bench_support.h"
#include "purple_env.h"
#include "server_process.h"
#include "stall_sampler.h"

namespace {

using bench::Clock;
using bench::cpu_ms;
using bench::proc_status_kib;
using bench::TempDir;
using bench::thread_cpu_us;
using std::chrono::milliseconds;

using bench::kReadyTimeout;
constexpr milliseconds kSignInBound{120000};
constexpr guint kTickMs = 1;

struct Options {
  std::string plugin_dir = MSNP_PLUGIN_DIR;
  std::string server = MSNP_SERVER;
  std::vector<int> sizes = {0, 100, 1000, 5000, 50000};
  int size = -1;            // >= 0: the child that measures one size
  int repeat = 1;           // runs per size (each its own child)
  bool baseline = false;    // child: libpurple alone holding N buddies, no sign-in
  int stall_stacks_ms = 0;  // > 0: print the main thread's stacks during stalls this long
  bool returning = false;   // measure a second sign-in, with what the first one left
};

bool parse_sizes(const std::string& text, std::vector<int>& sizes) {
  sizes.clear();
  gchar** parts = g_strsplit(text.c_str(), ",", -1);
  for (gchar** part = parts; *part != nullptr; ++part) {
    int n = std::atoi(*part);
    if (n >= 0 && **part != '\0') sizes.push_back(n);
  }
  g_strfreev(parts);
  return !sizes.empty();
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (arg == "--plugin-dir")
      options.plugin_dir = value;
    else if (arg == "--server")
      options.server = value;
    else if (arg == "--sizes") {
      if (!parse_sizes(value, options.sizes)) return false;
    } else if (arg == "--size")
      options.size = std::atoi(value.c_str());
    else if (arg == "--baseline")
      options.baseline = value == "1";
    else if (arg == "--returning")
      options.returning = value == "1";
    else if (arg == "--stall-stacks")
      options.stall_stacks_ms = std::max(0, std::atoi(value.c_str()));
    else if (arg == "--repeat")
      options.repeat = std::max(1, std::atoi(value.c_str()));
    else
      return false;
  }
  return true;
}

std::size_t distinct_buddies(PurpleAccount* account) {
  GSList* all = purple_find_buddies(account, nullptr);
  std::set<std::string> names;
  for (GSList* item = all; item != nullptr; item = item->next)
    names.insert(purple_buddy_get_name(static_cast<PurpleBuddy*>(item->data)));
  g_slist_free(all);
  return names.size();
}

// The longest gap between two runs of a high-priority 1 ms timeout: how long the main loop
// was busy with something else at a stretch.
struct StallMeter {
  gint64 last_us = g_get_monotonic_time();
  gint64 longest_us = 0;
  gint64 last_cpu_us = thread_cpu_us();
  gint64 longest_cpu_us = 0;  // the same gap measured in main-thread CPU time
  bench::StallSampler* sampler = nullptr;
  std::int64_t ticks = 0;
  // Not a stall: time the benchmark itself spends checking the outcome.
  void restart() {
    last_us = g_get_monotonic_time();
    last_cpu_us = thread_cpu_us();
  }
};

gboolean stall_tick(gpointer data) {
  auto* meter = static_cast<StallMeter*>(data);
  ++meter->ticks;
  const gint64 now = g_get_monotonic_time();
  meter->longest_us = std::max(meter->longest_us, now - meter->last_us);
  meter->last_us = now;
  const gint64 cpu = thread_cpu_us();
  meter->longest_cpu_us = std::max(meter->longest_cpu_us, cpu - meter->last_cpu_us);
  meter->last_cpu_us = cpu;
  if (meter->sampler != nullptr) meter->sampler->tick();
  return TRUE;
}

// What one sign-in cost.
struct SignInFigures {
  double wall_ms = 0;        // until connected with every contact listed
  double listed_cpu_ms = 0;  // CPU until then
  double cpu_ms = 0;         // CPU until the sign-in's work ended (see sign_in)
  StallMeter meter;
  long hwm_before = 0, hwm_after = 0, rss_before = 0;
};

// After every contact is listed the sign-in still works: the buddy-list sync's last phases
// (stale buddies, privacy lists, releasing what it held) and the contact cache writer. That
// work counts: the sign-in has ended once the main thread has used less than kIdleCpuUs of CPU
// in each of kIdleWindows consecutive windows of kWindowUs (only the stall ticker runs then).
// The stall ticker's own CPU (a main-loop wake-up every millisecond, about 4 % of a core) is not
// the sign-in's: it is measured before the sign-in (ticker_ms_per_tick) and taken off.
constexpr gint64 kWindowUs = 20000;
constexpr gint64 kIdleCpuUs = 4000;  // the stall ticker alone uses about 1 ms per window
constexpr int kIdleWindows = 15;

// What one run of the stall ticker costs in CPU, measured with nothing else to do.
double ticker_ms_per_tick() {
  StallMeter meter;
  guint ticker = g_timeout_add_full(G_PRIORITY_HIGH, kTickMs, &stall_tick, &meter, nullptr);
  const double cpu_before = cpu_ms();
  const Clock::time_point start = Clock::now();
  while (Clock::now() - start < milliseconds(300)) g_main_context_iteration(nullptr, TRUE);
  const double cpu = cpu_ms() - cpu_before;
  g_source_remove(ticker);
  return meter.ticks > 0 ? cpu / static_cast<double>(meter.ticks) : 0.0;
}

// Signs `account` in (enables it) and runs the main loop until the sign-in has ended.
bool sign_in(harness::PurpleEnv& env, PurpleAccount* account, std::size_t want,
             const Options& options, SignInFigures& figures) {
  const double per_tick_ms = ticker_ms_per_tick();
  figures.hwm_before = proc_status_kib("VmHWM");
  figures.rss_before = proc_status_kib("VmRSS");
  const double cpu_before = cpu_ms();
  const Clock::time_point start = Clock::now();
  purple_account_set_enabled(account, harness::harness_ui_id(), TRUE);  // signs in
  // Enabling again after a sign-out does not connect (the presence went offline with it);
  // a UI started again would connect the account from its saved status.
  if (purple_account_is_disconnected(account)) purple_account_connect(account);
  StallMeter& meter = figures.meter;
  meter.restart();
  std::unique_ptr<bench::StallSampler> sampler;
  if (options.stall_stacks_ms > 0) {
    sampler = std::make_unique<bench::StallSampler>(options.stall_stacks_ms);
    meter.sampler = sampler.get();
  }
  guint ticker = g_timeout_add_full(G_PRIORITY_HIGH, kTickMs, &stall_tick, &meter, nullptr);
  bool listed = false;
  double check_ms = 0;  // spent counting buddies, taken off the CPU figures
  Clock::time_point listed_at;
  Clock::time_point last_check;
  while (!listed && Clock::now() - start < kSignInBound && env.observed().errors.empty()) {
    g_main_context_iteration(nullptr, TRUE);
    // Counting a big list is not free: at most every 20 ms (the returning sign-in is connected
    // long before its list is in place).
    if (purple_account_is_connected(account) && Clock::now() - last_check >= milliseconds(20)) {
      last_check = Clock::now();
      const double before = cpu_ms();
      listed = distinct_buddies(account) >= want;
      check_ms += cpu_ms() - before;
      meter.restart();
      if (sampler != nullptr) sampler->tick();
    }
  }
  listed_at = Clock::now();
  const auto ticker_ms = [&] { return static_cast<double>(meter.ticks) * per_tick_ms; };
  figures.listed_cpu_ms = cpu_ms() - cpu_before - check_ms - ticker_ms();
  // The rest of the sign-in's work, until the main loop has been idle for a while.
  double ended_cpu = cpu_ms() - ticker_ms();
  int idle_windows = 0;
  while (listed && idle_windows < kIdleWindows && Clock::now() - start < kSignInBound) {
    const gint64 window_end = g_get_monotonic_time() + kWindowUs;
    const gint64 window_cpu = thread_cpu_us();
    while (g_get_monotonic_time() < window_end) g_main_context_iteration(nullptr, TRUE);
    if (thread_cpu_us() - window_cpu < kIdleCpuUs) {
      ++idle_windows;
    } else {
      idle_windows = 0;
      ended_cpu = cpu_ms() - ticker_ms();
    }
  }
  figures.cpu_ms = ended_cpu - cpu_before - check_ms;
  figures.hwm_after = proc_status_kib("VmHWM");
  g_source_remove(ticker);
  meter.sampler = nullptr;
  figures.wall_ms = std::chrono::duration<double, std::milli>(listed_at - start).count();
  if (!listed) {
    std::fprintf(stderr,
                 "signin_bench: %zu contacts: not signed in with all of them (%s, %zu "
                 "buddies)\n",
                 want,
                 env.observed().errors.empty() ? "time bound"
                                               : env.observed().errors.front().description.c_str(),
                 distinct_buddies(account));
  }
  return listed;
}

void print_figures(const char* what, int size, const SignInFigures& f) {
  std::printf(
      "%6d contacts: %s %8.1f ms wall, %8.1f ms CPU (%.1f ms until listed), longest stall "
      "%6.1f ms (%6.1f ms of main-thread CPU), peak RSS +%6.1f MB (VmHWM %ld -> %ld KiB, VmRSS "
      "before %ld KiB)\n",
      size, what, f.wall_ms, f.cpu_ms, f.listed_cpu_ms,
      static_cast<double>(f.meter.longest_us) / 1000.0,
      static_cast<double>(f.meter.longest_cpu_us) / 1000.0,
      static_cast<double>(f.hwm_after - f.hwm_before) / 1024.0, f.hwm_before, f.hwm_after,
      f.rss_before);
}

// Signs out and waits until libpurple has closed the connection.
bool sign_out(PurpleAccount* account) {
  purple_account_set_enabled(account, harness::harness_ui_id(), FALSE);
  const Clock::time_point start = Clock::now();
  while (!purple_account_is_disconnected(account) && Clock::now() - start < kSignInBound)
    g_main_context_iteration(nullptr, TRUE);
  // Let the server see the connection close before the next sign-in.
  const Clock::time_point settle = Clock::now();
  while (Clock::now() - settle < milliseconds(200)) g_main_context_iteration(nullptr, FALSE);
  return purple_account_is_disconnected(account);
}

// The child: one sign-in with `size` contacts (with --returning 1, a second one after it, with
// the contact cache and the buddy list the first one left); prints one result line.
int measure(const Options& options) {
  TempDir user_dir;
  TempDir state_dir;
  if (user_dir.path().empty() || state_dir.path().empty()) return 1;
  harness::ServerProcess server;
  std::string error;
  const std::string email = "alice@example.com";
  if (!server.start(options.server,
                    {"--account", email + ":secret", "--contacts", std::to_string(options.size),
                     "--state-dir", state_dir.path(), "--ns-port", "0", "--https-port", "0"},
                    kReadyTimeout, error)) {
    std::fprintf(stderr, "signin_bench: %s\n", error.c_str());
    return 1;
  }
  harness::PurpleEnv env({.user_dir = user_dir.path(),
                          .plugin_dir = options.plugin_dir,
                          .quiet = std::getenv("SIGNIN_BENCH_VERBOSE") == nullptr});
  if (!env.ok(error) || !env.trust_ca(server.address().ca_path, error)) {
    std::fprintf(stderr, "signin_bench: %s\n", error.c_str());
    return 1;
  }
  const harness::ServerAddress& address = server.address();
  PurpleAccount* account = harness::create_account(email, "secret", address.ns_host,
                                                   address.ns_port, address.web_url, {});
  const std::size_t want = static_cast<std::size_t>(options.size);
  SignInFigures first;
  if (!sign_in(env, account, want, options, first)) return 1;
  if (!options.returning) {
    print_figures("sign-in", options.size, first);
    return 0;
  }
  if (!sign_out(account)) {
    std::fprintf(stderr, "signin_bench: the sign-out did not end\n");
    return 1;
  }
  // libpurple forgot the password at the sign-out (the account does not remember it).
  purple_account_set_password(account, "secret");
  SignInFigures again;
  if (!sign_in(env, account, want, options, again)) return 1;
  print_figures("returning sign-in", options.size, again);
  return 0;
}

// The child, for comparison: the same N buddies (names, server aliases, 15 % in two groups)
// put into libpurple's buddy list directly, without the plugin or the network. What libpurple
// itself needs for such a list is a floor no plugin can go below.
int measure_baseline(const Options& options) {
  TempDir user_dir;
  if (user_dir.path().empty()) return 1;
  harness::PurpleEnv env(
      {.user_dir = user_dir.path(), .plugin_dir = options.plugin_dir, .quiet = true});
  std::string error;
  if (!env.ok(error)) {
    std::fprintf(stderr, "signin_bench: %s\n", error.c_str());
    return 1;
  }
  PurpleAccount* account =
      harness::create_account("alice@example.com", "secret", "127.0.0.1", 1863, "", {});
  const long hwm_before = proc_status_kib("VmHWM");
  const double cpu_before = cpu_ms();
  const char* groups[] = {"Friends", "Family", "Work", "Gamers"};
  PurpleBlistNode* last[4] = {};  // each group's last contact: the insertion point
  gint64 longest_us = 0;          // the slowest single contact: a stall no slicing can split
  for (int i = 0; i < options.size; ++i) {
    const gint64 contact_started = g_get_monotonic_time();
    char name[64];
    std::snprintf(name, sizeof name, "contact%05d@example.com", i);
    const int copies = i % 7 == 0 ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      const int g = (i + c) % 4;
      PurpleGroup* group = purple_find_group(groups[g]);
      if (group == nullptr) {
        group = purple_group_new(groups[g]);
        purple_blist_add_group(group, nullptr);
      }
      PurpleBuddy* buddy = purple_buddy_new(account, name, nullptr);
      PurpleContact* contact = purple_contact_new();
      purple_blist_add_contact(contact, group, last[g]);
      purple_blist_add_buddy(buddy, contact, group, nullptr);
      last[g] = reinterpret_cast<PurpleBlistNode*>(contact);
      purple_blist_server_alias_buddy(buddy, "Some Person Ünïcødé");
    }
    longest_us = std::max(longest_us, g_get_monotonic_time() - contact_started);
  }
  const double cpu_after = cpu_ms();
  const long hwm_after = proc_status_kib("VmHWM");
  std::printf(
      "%6d buddies in libpurple alone (linear insertion, no plugin, no network): %8.1f ms "
      "CPU, peak RSS +%6.1f MB, slowest single contact %6.1f ms\n",
      options.size, cpu_after - cpu_before, static_cast<double>(hwm_after - hwm_before) / 1024.0,
      static_cast<double>(longest_us) / 1000.0);
  return 0;
}

// Runs this program again as one child measuring one thing (a sign-in, or libpurple alone);
// returns its output, or nothing if it failed.
std::optional<std::string> run_child(const char* self, const Options& options, int size,
                                     bool baseline) {
  const std::string size_text = std::to_string(size);
  std::vector<const char*> argv = {self,
                                   "--plugin-dir",
                                   options.plugin_dir.c_str(),
                                   "--server",
                                   options.server.c_str(),
                                   "--size",
                                   size_text.c_str(),
                                   "--baseline",
                                   baseline ? "1" : "0",
                                   "--returning",
                                   options.returning ? "1" : "0",
                                   nullptr};
  gchar* out = nullptr;
  gint status = 0;
  GError* error = nullptr;
  if (!g_spawn_sync(nullptr, const_cast<gchar**>(argv.data()), nullptr, G_SPAWN_STDERR_TO_DEV_NULL,
                    nullptr, nullptr, &out, nullptr, &status, &error)) {
    std::fprintf(stderr, "signin_bench: %s\n", error->message);
    g_error_free(error);
    return std::nullopt;
  }
  std::optional<std::string> result;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) result = out != nullptr ? out : "";
  g_free(out);
  return result;
}

// The CPU figure of a child's line ("... sign-in  X ms wall,  Y ms CPU" or "...: Y ms CPU").
std::optional<double> cpu_of(const std::string& line) {
  const std::size_t unit = line.find(" ms CPU");
  if (unit == std::string::npos) return std::nullopt;
  const std::size_t start = line.find_last_not_of("0123456789.", unit - 1);
  return std::strtod(line.c_str() + (start == std::string::npos ? 0 : start + 1), nullptr);
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2.0;
}

// The parent: for each size, `repeat` rounds of one sign-in followed by one libpurple-alone
// run, each in its own child, their lines in order; then the medians and their ratio. The two
// alternate because on a shared machine the CPU time of the same work drifts by a factor of
// two within minutes: a floor measured once, minutes away from the sign-ins, makes the ratio
// a matter of luck.
int run_all(const char* self, const Options& options) {
  int failures = 0;
  for (int size : options.sizes) {
    std::vector<double> signins;
    std::vector<double> floors;
    for (int r = 0; r < options.repeat; ++r) {
      for (const bool baseline : {false, true}) {
        // Nothing to add at 0; a returning sign-in adds no buddies.
        if (baseline && (size == 0 || options.returning)) continue;
        const std::optional<std::string> out = run_child(self, options, size, baseline);
        if (!out) {
          std::printf("%6d contacts: FAILED (run it alone: %s --size %d --baseline %d)\n", size,
                      self, size, baseline ? 1 : 0);
          ++failures;
          continue;
        }
        std::fputs(out->c_str(), stdout);
        if (const std::optional<double> cpu = cpu_of(*out))
          (baseline ? floors : signins).push_back(*cpu);
      }
    }
    if (signins.size() < 2) continue;
    std::printf("%6d contacts: %s CPU median %.1f ms (%.1f to %.1f, %zu runs)", size,
                options.returning ? "returning sign-in" : "sign-in", median(signins),
                *std::min_element(signins.begin(), signins.end()),
                *std::max_element(signins.begin(), signins.end()), signins.size());
    if (!floors.empty()) {
      std::printf("; libpurple alone median %.1f ms (%.1f to %.1f); ratio %.2f", median(floors),
                  *std::min_element(floors.begin(), floors.end()),
                  *std::max_element(floors.begin(), floors.end()),
                  median(signins) / median(floors));
    }
    std::printf("\n");
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  bench::init_process();
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(
        stderr,
        "usage: signin_bench [--plugin-dir DIR] [--server PATH] "
        "[--sizes N,N,...] [--repeat N] [--returning 1]\n"
        "       signin_bench --size N --baseline 0 --stall-stacks MS  (one size, with the\n"
        "       main thread's stacks on stderr during every stall longer than MS)\n");
    return 2;
  }
  if (options.size >= 0) return options.baseline ? measure_baseline(options) : measure(options);
  bench::print_build_note();
  return run_all(argv[0], options);
}
