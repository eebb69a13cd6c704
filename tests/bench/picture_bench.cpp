// SPDX-License-Identifier: GPL-2.0-or-later
// Display pictures end to end: the real plugin in the real libpurple against the local server,
// whose generated contacts (--contacts N --contact-pictures) are P2P peers each serving its own
// picture. Starts one server with alice and bob on each other's lists (--friends) and N generated
// contacts each (default 100), then measures
//   1. many: alice signs in alone; the time from starting the sign-in until every generated
//      contact's icon is in her buddy list (each checked: its SHA-1 is the SHA1D it was stored
//      under), the CPU time of this process meanwhile, and the peak number of picture sessions
//      the server saw for alice at once (the engine's limit is 2, started 300 ms apart).
//   2. change: bob signs in (and is left to fetch his own N pictures first, so that alice's
//      fetch of his does not queue behind them), then sets a new picture M times (default 5);
//      each time, from the call that sets it (a new MSNObject in bob's presence) until alice's
//      buddy list shows exactly those bytes: median and maximum. The changes are 1 s apart:
//      closer ones would each also wait out the engine's 300 ms pace between two fetches.
// Both accounts live in this process, so "change" includes bob's plugin serving the picture as
// well as alice's fetching it, plus the Python server's relaying. Not a test: run by hand on an
// optimised build without sanitizers, e.g.
//   meson setup build-rel --buildtype=release -Dtests=enabled -Dplugin=enabled
//   meson compile -C build-rel msnp picture_bench
//   build-rel/tests/bench/picture_bench [--contacts N] [--changes M]
#include <blist.h>
#include <buddyicon.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "bench_support.h"
#include "buddy_icons.h"
#include "world.h"

namespace {

using bench::Clock;
using bench::cpu_ms;
using bench::kAlice;
using bench::kBob;
using bench::ms_between;
using harness::icon_bytes;
using harness::shows_stored_picture;
using std::chrono::milliseconds;

struct Options {
  std::string plugin_dir = MSNP_PLUGIN_DIR;
  std::string server = MSNP_SERVER;
  int contacts = 100;
  int changes = 5;
};

bool parse_count(const std::string& text, int& count) {
  char* end = nullptr;
  long value = std::strtol(text.c_str(), &end, 10);
  if (end == text.c_str() || *end != '\0' || value < 1 || value > 10000) return false;
  count = static_cast<int>(value);
  return true;
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
    else if (arg == "--contacts") {
      if (!parse_count(value, options.contacts)) return false;
    } else if (arg == "--changes") {
      if (!parse_count(value, options.changes)) return false;
    } else {
      return false;
    }
  }
  return true;
}

// ---- when icons reach the buddy list ----
// libpurple's "buddy-icon-changed" signal fires inside purple_buddy_set_icon: the moment the
// buddy list has the icon, whatever the main loop's tick. Polling every buddy's icon instead
// would also put the bench's own SHA-1 work into the CPU figure.

struct IconLog {
  // Per account, per lower-case address: when its icon last changed.
  std::map<PurpleAccount*, std::map<std::string, Clock::time_point>> changed;
};

IconLog& icon_log() {
  static IconLog log;
  return log;
}

void on_icon_changed(PurpleBuddy* buddy, gpointer) {
  const char* name = purple_buddy_get_name(buddy);
  if (name == nullptr) return;
  icon_log().changed[purple_buddy_get_account(buddy)][harness::lower_ascii(name)] = Clock::now();
}

// Bytes that look like a PNG (libpurple names the stored file by them), several P2P chunks long.
std::string fake_png(int seed, std::size_t size) {
  std::string data = "\x89PNG\r\n\x1a\n";
  for (std::size_t i = data.size(); i < size; ++i)
    data.push_back(static_cast<char>(seed * 7 + static_cast<int>(i * 31 % 251)));
  return data;
}

// ---- the run ----

class Bench {
 public:
  Bench(harness::World& world, const Options& options) : w_(world), options_(options) {}

  bool fail(const std::string& message) {
    std::fprintf(stderr, "picture_bench: error: %s\n", message.c_str());
    return false;
  }

  // The generated contacts on `who`'s forward list (the friends are not generated).
  bool generated_contacts(const std::string& who, std::vector<std::string>& out) {
    std::optional<harness::ServerState> state = w_.server_state();
    const harness::ServerAccount* account =
        state ? state->account(harness::address_of(who)) : nullptr;
    if (account == nullptr) return fail("no server state for " + who);
    for (const harness::ServerContact* c : account->forward_list()) {
      const std::string address = harness::lower_ascii(c->email);
      if (address != kAlice && address != kBob) out.push_back(address);
    }
    if (out.size() != static_cast<std::size_t>(options_.contacts))
      return fail("the server gave " + who + " " + std::to_string(out.size()) +
                  " generated contacts, not " + std::to_string(options_.contacts));
    return true;
  }

  std::size_t icons_shown(PurpleAccount* account, const std::vector<std::string>& contacts) {
    const auto& changed = icon_log().changed[account];
    return static_cast<std::size_t>(std::count_if(
        contacts.begin(), contacts.end(), [&](const std::string& c) { return changed.count(c); }));
  }

  bool wait_all_icons(const std::string& who, const std::vector<std::string>& contacts) {
    PurpleAccount* account = w_.account(who);
    const bool ok = w_.wait(
        who + " shows every generated contact's picture",
        [&] { return icons_shown(account, contacts) == contacts.size(); },
        [&] {
          return std::to_string(icons_shown(account, contacts)) + " of " +
                 std::to_string(contacts.size()) + " icons";
        },
        milliseconds(2000) * options_.contacts + milliseconds(30000));
    return ok;
  }

  bool many() {
    const double cpu_before = cpu_ms();
    const Clock::time_point start = Clock::now();
    if (!w_.sign_in("alice", milliseconds(60000))) return fail("alice did not sign in");
    const Clock::time_point signed_in = Clock::now();
    if (!generated_contacts("alice", contacts_) || !wait_all_icons("alice", contacts_))
      return false;
    const double cpu = cpu_ms() - cpu_before;
    PurpleAccount* alice = w_.account("alice");
    Clock::time_point last = start;
    for (const std::string& c : contacts_) last = std::max(last, icon_log().changed[alice][c]);
    for (const std::string& c : contacts_) {
      if (!shows_stored_picture(alice, c))
        return fail(c + "'s icon is not the picture it was stored under");
    }
    std::optional<harness::ServerState> state = w_.server_state();
    if (!state) return fail("no server state");
    int invites = 0;
    int refetched = 0;
    for (const std::string& c : contacts_) {
      const int n = state->p2p.invite_count(kAlice, c);
      invites += n;
      refetched += n > 1 ? 1 : 0;
    }
    const int n = options_.contacts;
    const double wall = ms_between(start, last);
    std::printf(
        "many: %d contacts with pictures: sign-in %.1f ms, all icons shown %.1f ms after "
        "the sign-in began (%.1f ms per picture)\n",
        n, ms_between(start, signed_in), wall, wall / n);
    std::printf("many: peak concurrent picture sessions for alice (server): %d\n",
                state->p2p.peak_of(kAlice));
    std::printf("many: session INVITEs from alice: %d (%d contacts asked more than once)\n",
                invites, refetched);
    std::printf(
        "many: CPU time of this process (libpurple + plugin) meanwhile: %.1f ms "
        "(%.2f ms per picture, %.1f %% of the wall time)\n",
        cpu, cpu / n, 100.0 * cpu / wall);
    return true;
  }

  bool change() {
    if (!w_.sign_in("bob", milliseconds(60000))) return fail("bob did not sign in");
    std::vector<std::string> bobs;
    if (!generated_contacts("bob", bobs) || !wait_all_icons("bob", bobs)) return false;
    if (!w_.wait_status("alice", "bob", "available", std::nullopt, milliseconds(60000)))
      return fail("alice does not see bob online");
    PurpleAccount* alice = w_.account("alice");
    std::vector<double> samples;
    for (int i = 1; i <= options_.changes; ++i) {
      // Apart by more than the engine's pace between two fetches (300 ms), so that each change
      // is fetched at once rather than waiting for the previous fetch's slot.
      w_.run_for(milliseconds(1000));
      const std::string picture = fake_png(i, 4000 + static_cast<std::size_t>(i) * 97);
      auto* copy = static_cast<guchar*>(g_malloc(picture.size()));
      std::memcpy(copy, picture.data(), picture.size());
      const Clock::time_point set = Clock::now();
      purple_buddy_icons_set_account_icon(w_.account("bob"), copy, picture.size());
      if (!w_.wait(
              "alice shows bob's picture #" + std::to_string(i),
              [&] { return icon_bytes(alice, kBob) == picture; },
              [&] {
                return "an icon of " + std::to_string(icon_bytes(alice, kBob).size()) + " bytes";
              },
              milliseconds(30000)))
        return false;
      samples.push_back(ms_between(set, icon_log().changed[alice][kBob]));
    }
    std::vector<double> sorted = samples;
    std::sort(sorted.begin(), sorted.end());
    const std::size_t count = sorted.size();
    const double median =
        count % 2 == 1 ? sorted[count / 2] : (sorted[count / 2 - 1] + sorted[count / 2]) / 2;
    std::printf("change: bob's new picture until alice's buddy list shows it, %zu times:", count);
    for (double s : samples) std::printf(" %.1f", s);
    std::printf(" ms\nchange: median %.1f ms, max %.1f ms\n", median, sorted.back());
    return true;
  }

 private:
  harness::World& w_;
  const Options& options_;
  std::vector<std::string> contacts_;
};

int run(const Options& options) {
  const auto bound = std::chrono::seconds(300) + milliseconds(2000) * options.contacts * 2 +
                     milliseconds(30000) * options.changes;
  return bench::run_alice_and_bob(
      {.name = "picture_bench",
       .server = options.server,
       .plugin_dir = options.plugin_dir,
       .server_args = {"--contacts", std::to_string(options.contacts), "--contact-pictures"},
       .bound = bound},
      [&](harness::World& world) {
        static int handle;
        purple_signal_connect(purple_blist_get_handle(), "buddy-icon-changed", &handle,
                              PURPLE_CALLBACK(on_icon_changed), nullptr);
        Bench bench(world, options);
        const bool ok = bench.many() && bench.change();
        purple_signals_disconnect_by_handle(&handle);
        return ok;
      });
}

}  // namespace

int main(int argc, char** argv) {
  bench::init_process();
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(stderr,
                 "usage: picture_bench [--plugin-dir DIR] [--server PATH] "
                 "[--contacts N] [--changes M]\n");
    return 2;
  }
  bench::print_build_note();
  const int status = run(options);
  if (status != 0) std::printf("FAILED (details on stderr)\n");
  return status;
}
