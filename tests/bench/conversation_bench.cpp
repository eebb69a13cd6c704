// SPDX-License-Identifier: GPL-2.0-or-later
// Conversations end to end: the real plugin in the real libpurple, over a real switchboard of
// the local server on loopback. Starts the server with alice and bob on each other's lists
// (--friends), signs both in in this one libpurple process (as the harness's integration
// scenarios do), opens the conversation with one message, then measures
//   1. throughput: alice sends N numbered messages (default 2,000) as fast as libpurple takes
//      them (what the conversation window's Send does, purple_conv_im_send); a message the
//      plugin refuses because its queue is full is sent again after one turn of the main loop.
//      Timed from the first send until bob's conversation has shown all N; they must arrive
//      complete, once and in order (otherwise an error and a non-zero exit).
//   2. latency: M messages (default 500) one at a time: send, run the main loop until bob's
//      conversation shows it; median, 99th percentile and maximum.
// Both ends live in this process: the figures include the plugin's work for the sender AND for
// the receiver, libpurple's, TLS-free loopback TCP and the Python server's relaying (usually the
// slowest part). Not a test: run by hand on an optimised build without sanitizers, e.g.
//   meson setup build-rel --buildtype=release -Db_sanitize=none
//   meson compile -C build-rel plugin/msnp tests/bench/conversation_bench
//   build-rel/tests/bench/conversation_bench [--messages N] [--latency-messages M]
#include <conversation.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench_support.h"
#include "world.h"

namespace {

using bench::Clock;
using bench::cpu_ms;
using bench::kAlice;
using bench::ms_between;
using std::chrono::milliseconds;

constexpr milliseconds kWaitBound{60000};  // any single wait
constexpr guint kTickMs = 10;  // lets a blocking main loop iteration return even when idle

struct Options {
  std::string plugin_dir = MSNP_PLUGIN_DIR;
  std::string server = MSNP_SERVER;
  int messages = 2000;
  int latency_messages = 500;
};

bool parse_count(const std::string& text, int& count) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < 1 || value > 1000000)
    return false;
  count = static_cast<int>(value);
  return true;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc)
      return false;
    std::string value = argv[++i];
    if (arg == "--plugin-dir")
      options.plugin_dir = value;
    else if (arg == "--server")
      options.server = value;
    else if (arg == "--messages") {
      if (!parse_count(value, options.messages))
        return false;
    } else if (arg == "--latency-messages") {
      if (!parse_count(value, options.latency_messages))
        return false;
    } else {
      return false;
    }
  }
  return true;
}

// A GLib timeout for as long as it lives, so that g_main_context_iteration(nullptr, TRUE)
// blocks (no busy loop) but still returns at least every kTickMs to check the bounds.
class Ticker {
 public:
  Ticker() : id_(g_timeout_add(kTickMs, [](gpointer) -> gboolean { return TRUE; }, nullptr)) {}
  ~Ticker() { g_source_remove(id_); }
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

 private:
  guint id_;
};

// ---- what the two conversation windows show ----
// The bench's own conversation UI ops replace the harness recorder's (which logs every line
// to stderr and keeps copies of all of them): the time a line reaches the UI is taken inside
// write_conv itself, so neither the main loop's tick nor a later scan adds to a latency.

struct ShownLine {
  std::string html;
  Clock::time_point at;
};

struct Screen {
  PurpleAccount* alice = nullptr;
  PurpleAccount* bob = nullptr;
  std::vector<ShownLine> bob_received;  // IM lines bob was shown from alice, in order
  std::size_t alice_sent = 0;           // alice's own lines (libpurple writes one per send)
  std::size_t alice_errors = 0;         // error lines in alice's window (refused sends)
  std::string last_error;
};

Screen& screen() {
  static Screen s;
  return s;
}

void write_conv(PurpleConversation* conv, const char* name, const char*, const char* message,
                PurpleMessageFlags flags, time_t) {
  const Clock::time_point now = Clock::now();
  Screen& s = screen();
  PurpleAccount* account = purple_conversation_get_account(conv);
  if (account == s.bob && (flags & PURPLE_MESSAGE_RECV) != 0 && name != nullptr &&
      g_ascii_strcasecmp(name, kAlice) == 0) {
    s.bob_received.push_back({message != nullptr ? message : "", now});
  } else if (account == s.alice) {
    if ((flags & PURPLE_MESSAGE_SEND) != 0)
      ++s.alice_sent;
    if ((flags & PURPLE_MESSAGE_ERROR) != 0) {
      ++s.alice_errors;
      s.last_error = message != nullptr ? message : "";
    }
  }
}

PurpleConversationUiOps make_conversation_ops() {
  PurpleConversationUiOps ops{};
  ops.write_conv = write_conv;
  return ops;
}
PurpleConversationUiOps g_conversation_ops = make_conversation_ops();

std::string numbered(const char* prefix, int i) {
  char text[48];
  std::snprintf(text, sizeof text, "%s %06d", prefix, i);
  return text;
}

// ---- the run ----

class Bench {
 public:
  Bench(harness::World& world, const Options& options) : w_(world), options_(options) {}

  bool both_connected() {
    return purple_account_is_connected(w_.account("alice")) &&
           purple_account_is_connected(w_.account("bob"));
  }

  // Runs the main loop until bob has been shown `count` lines in all (bounded).
  bool wait_bob_has(std::size_t count, const std::string& what, milliseconds bound) {
    const bool ok = w_.wait(
        what, [&] { return screen().bob_received.size() >= count || !both_connected(); },
        [&] {
          return std::to_string(screen().bob_received.size()) + " lines at bob, " +
                 std::to_string(screen().alice_errors) + " error lines at alice" +
                 (both_connected() ? "" : ", an account is no longer connected");
        },
        bound);
    return ok && screen().bob_received.size() >= count;
  }

  // purple_conv_im_send as the Send button does. True once libpurple and the plugin took the
  // message (libpurple writes it into alice's window); a refusal (the plugin's queue for the
  // conversation is full) lets the main loop turn once and tries again, until the bound.
  bool send(const std::string& text, int& refusals) {
    PurpleConvIm* im = purple_conversation_get_im_data(conversation_);
    const Clock::time_point until = std::min(Clock::now() + kWaitBound, w_.deadline());
    for (;;) {
      const std::size_t sent_before = screen().alice_sent;
      purple_conv_im_send(im, text.c_str());
      if (screen().alice_sent > sent_before)
        return true;
      ++refusals;
      if (Clock::now() >= until || !both_connected())
        return fail("alice could not send \"" + text + "\": " + screen().last_error);
      Ticker tick;
      g_main_context_iteration(nullptr, TRUE);
    }
  }

  bool fail(const std::string& message) {
    std::fprintf(stderr, "conversation_bench: error: %s\n", message.c_str());
    return false;
  }

  bool setup() {
    const Clock::time_point start = Clock::now();
    if (!w_.sign_in("alice") || !w_.sign_in("bob"))
      return fail("the accounts did not sign in");
    const Clock::time_point signed_in = Clock::now();
    screen().alice = w_.account("alice");
    screen().bob = w_.account("bob");
    // --friends: each sees the other online without any authorization to answer.
    if (!w_.wait_status("alice", "bob", "available", std::nullopt, kWaitBound) ||
        !w_.wait_status("bob", "alice", "available", std::nullopt, kWaitBound))
      return fail("alice and bob do not see each other online");
    conversation_ = w_.im("alice", "bob");
    if (conversation_ == nullptr)
      return fail("alice cannot open a conversation with bob");
    const Clock::time_point opening = Clock::now();
    int refusals = 0;
    if (!send("hello", refusals) || !wait_bob_has(1, "bob has the first message", kWaitBound))
      return fail("the conversation did not open");
    const Clock::time_point opened = screen().bob_received.back().at;
    std::printf("setup: both accounts signed in: %.1f ms\n", ms_between(start, signed_in));
    std::printf("setup: first message (switchboard opened, bob invited): %.1f ms\n",
                ms_between(opening, opened));
    return true;
  }

  bool throughput() {
    const int n = options_.messages;
    const std::size_t base = screen().bob_received.size();
    int refusals = 0;
    const double cpu_before = cpu_ms();
    const Clock::time_point start = Clock::now();
    for (int i = 1; i <= n; ++i) {
      if (!send(numbered("throughput", i), refusals))
        return false;
    }
    const Clock::time_point all_sent = Clock::now();
    const milliseconds bound = kWaitBound + milliseconds(20) * n;
    if (!wait_bob_has(base + static_cast<std::size_t>(n),
                      "bob has all " + std::to_string(n) + " messages", bound))
      return fail(std::to_string(screen().bob_received.size() - base) + " of " +
                  std::to_string(n) + " messages arrived");
    const Clock::time_point done = screen().bob_received[base + n - 1].at;
    const double cpu = cpu_ms() - cpu_before;
    // Duplicates would still be on their way: give them a moment to show up.
    w_.run_for(milliseconds(300));
    if (!in_order(base, n))
      return false;
    const double wall = ms_between(start, done);
    std::printf("throughput: %d messages sent and received in %.1f ms\n", n, wall);
    std::printf("throughput: %.0f messages/s\n", n / (wall / 1e3));
    std::printf("throughput: alice's sends accepted within %.1f ms (%d refusals while the "
                "queue was full, each retried)\n", ms_between(start, all_sent), refusals);
    std::printf("throughput: CPU time of this process (libpurple + plugin, both ends; not "
                "the server): %.1f ms, %.1f us per message\n", cpu, cpu * 1e3 / n);
    return true;
  }

  bool latency() {
    const int m = options_.latency_messages;
    std::vector<double> samples;
    samples.reserve(static_cast<std::size_t>(m));
    for (int i = 1; i <= m; ++i) {
      const std::size_t index = screen().bob_received.size();
      const std::string text = numbered("latency", i);
      int refusals = 0;
      const Clock::time_point sent = Clock::now();
      if (!send(text, refusals) || !wait_bob_has(index + 1, "bob has \"" + text + "\"",
                                                 kWaitBound))
        return fail("\"" + text + "\" did not arrive");
      const ShownLine& line = screen().bob_received[index];
      const std::string shown = harness::plain_text(line.html);
      if (shown != text)
        return fail("bob was shown \"" + shown + "\" where \"" + text + "\" was expected");
      samples.push_back(ms_between(sent, line.at));
    }
    std::sort(samples.begin(), samples.end());
    const std::size_t count = samples.size();
    const double median = count % 2 == 1 ? samples[count / 2]
                                         : (samples[count / 2 - 1] + samples[count / 2]) / 2;
    // Nearest rank: the smallest sample with at least 99 % of all at or below it.
    const std::size_t rank = static_cast<std::size_t>(std::ceil(0.99 * static_cast<double>(count)));
    const double p99 = samples[std::max<std::size_t>(rank, 1) - 1];
    std::printf("latency: %d messages one at a time (send until bob's window shows it)\n", m);
    std::printf("latency: median %.3f ms\n", median);
    std::printf("latency: 99th percentile %.3f ms\n", p99);
    std::printf("latency: max %.3f ms\n", samples.back());
    return true;
  }

 private:
  // bob's lines [base, base + n) are exactly "throughput 1..n", and nothing came after them.
  bool in_order(std::size_t base, int n) {
    const std::vector<ShownLine>& got = screen().bob_received;
    for (int i = 1; i <= n; ++i) {
      const std::string expected = numbered("throughput", i);
      const std::string shown = harness::plain_text(got[base + i - 1].html);
      if (shown != expected)
        return fail("messages not received in order: message " + std::to_string(i) +
                    " shown to bob was \"" + shown + "\", expected \"" + expected + "\"");
    }
    if (got.size() != base + static_cast<std::size_t>(n))
      return fail(std::to_string(got.size() - base) + " messages arrived for " +
                  std::to_string(n) + " sent (duplicates)");
    return true;
  }

  harness::World& w_;
  const Options& options_;
  PurpleConversation* conversation_ = nullptr;
};

int run(const Options& options) {
  // The whole run's bound: every wait below also ends here.
  const auto bound =
      std::chrono::seconds(180) + milliseconds(20) * (options.messages + options.latency_messages);
  return bench::run_alice_and_bob({.name = "conversation_bench",
                                   .server = options.server,
                                   .plugin_dir = options.plugin_dir,
                                   .server_args = {},
                                   .bound = bound},
                                  [&](harness::World& world) {
                                    // After PurpleEnv installed the harness recorder's ops, before
                                    // any conversation exists.
                                    purple_conversations_set_ui_ops(&g_conversation_ops);
                                    Bench bench(world, options);
                                    return bench.setup() && bench.throughput() && bench.latency();
                                  });
}

}  // namespace

int main(int argc, char** argv) {
  bench::init_process();
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr, "usage: conversation_bench [--plugin-dir DIR] [--server PATH] "
                 "[--messages N] [--latency-messages M]\n");
    return 2;
  }
  bench::print_build_note();
  const int status = run(options);
  if (status != 0)
    std::printf("FAILED (details on stderr)\n");
  return status;
}
