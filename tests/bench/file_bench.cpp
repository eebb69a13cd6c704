// SPDX-License-Identifier: GPL-2.0-or-later
// File transfer throughput end to end: the real plugin in the real libpurple against the local
// server, alice sending bob one file (default 50 MiB) over the switchboard (`--bridge sb`, the
// default) or a direct connection on loopback (`--bridge dc`) through libpurple's
// transfer API, both accounts in this process (so the figures include alice's plugin sending,
// the Python server relaying every P2P MSG, and bob's plugin receiving and writing). Measures,
// from serv_send_file until bob's transfer is done: MiB/s, the CPU time of this process per MiB,
// and how far this process's peak RSS grew (a transfer that buffered the file would show it).
// The received file is checked byte for byte. Not a test: run by hand on an optimised build
// without sanitizers, e.g.
//   meson setup build-rel --buildtype=release -Dtests=enabled -Dplugin=enabled
//   meson compile -C build-rel msnp file_bench
//   build-rel/tests/bench/file_bench [--mib N] [--bridge sb|dc]
#include <ft.h>
#include <server.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "bench_support.h"
#include "ui_xfers.h"
#include "world.h"

namespace {

using bench::Clock;
using bench::cpu_ms;
using bench::kBob;
using bench::peak_rss_kib;
using std::chrono::milliseconds;

constexpr std::size_t kMiB = 1024 * 1024;

struct Options {
  std::string plugin_dir = MSNP_PLUGIN_DIR;
  std::string server = MSNP_SERVER;
  int mib = 50;
  bool direct = false;
};

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (i + 1 >= argc) return false;
    std::string value = argv[++i];
    if (arg == "--plugin-dir") {
      options.plugin_dir = value;
    } else if (arg == "--server") {
      options.server = value;
    } else if (arg == "--bridge") {
      if (value != "sb" && value != "dc") return false;
      options.direct = value == "dc";
    } else if (arg == "--mib") {
      char* end = nullptr;
      const long n = std::strtol(value.c_str(), &end, 10);
      if (end == value.c_str() || *end != '\0' || n < 1 || n > 1024) return false;
      options.mib = static_cast<int>(n);
    } else {
      return false;
    }
  }
  return true;
}

// Written in 1 MiB pieces so that the bench itself never holds the whole file.
bool write_file(const std::string& path, std::size_t mib) {
  std::ofstream out(path, std::ios::binary);
  std::string piece(kMiB, '\0');
  std::uint32_t x = 0x12345678;
  for (std::size_t m = 0; m < mib && out; ++m) {
    for (char& c : piece) {
      x ^= x << 13;
      x ^= x >> 17;
      x ^= x << 5;
      c = static_cast<char>(x & 0xFF);
    }
    out.write(piece.data(), static_cast<std::streamsize>(piece.size()));
  }
  return static_cast<bool>(out);
}

std::string sha1_of_file(const std::string& path) {
  GChecksum* sum = g_checksum_new(G_CHECKSUM_SHA1);
  std::ifstream in(path, std::ios::binary);
  std::vector<char> buffer(kMiB);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    g_checksum_update(sum, reinterpret_cast<const guchar*>(buffer.data()),
                      static_cast<gssize>(in.gcount()));
  }
  std::string out = g_checksum_get_string(sum);
  g_checksum_free(sum);
  return out;
}

PurpleXfer* first_xfer(PurpleAccount* account, PurpleXferType type) {
  auto list = harness::xfers_of(account, type);
  return list.empty() ? nullptr : list.front();
}

bool transfer(harness::World& w, const Options& options) {
  harness::xfer_ui().answer = harness::XferAnswer::kAccept;
  harness::xfer_ui().download_dir = w.state_dir() + "/downloads";
  g_mkdir_with_parents(harness::xfer_ui().download_dir.c_str(), 0700);
  const std::string path = w.state_dir() + "/bench.bin";
  const auto size = static_cast<std::size_t>(options.mib) * kMiB;
  if (!write_file(path, static_cast<std::size_t>(options.mib))) return false;
  for (const char* who : {"alice", "bob"})
    purple_account_set_bool(w.account(who), "direct_connections", options.direct ? TRUE : FALSE);
  if (!w.sign_in("alice", milliseconds(60000)) || !w.sign_in("bob", milliseconds(60000)) ||
      !w.wait_status("alice", "bob", "available", std::nullopt, milliseconds(30000)))
    return false;
  PurpleAccount* bob = w.account("bob");
  const long rss_before = peak_rss_kib();
  const double cpu_before = cpu_ms();
  const Clock::time_point start = Clock::now();
  serv_send_file(w.connection("alice"), kBob, path.c_str());
  const bool done = w.wait(
      "bob's transfer completes",
      [&] {
        PurpleXfer* x = first_xfer(bob, PURPLE_XFER_RECEIVE);
        return x != nullptr && purple_xfer_get_status(x) == PURPLE_XFER_STATUS_DONE;
      },
      [&] {
        PurpleXfer* x = first_xfer(bob, PURPLE_XFER_RECEIVE);
        return x == nullptr ? std::string("no transfer")
                            : std::to_string(purple_xfer_get_bytes_sent(x)) + " bytes";
      },
      milliseconds(600000));
  const double wall = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  const double cpu = cpu_ms() - cpu_before;
  const long rss_growth = peak_rss_kib() - rss_before;
  if (!done) return false;
  const std::string sent = sha1_of_file(path);
  const std::string got = sha1_of_file(harness::xfer_ui().download_dir + "/bench.bin");
  if (sent != got) {
    std::fprintf(stderr, "file_bench: error: received SHA-1 %s, sent %s\n", got.c_str(),
                 sent.c_str());
    return false;
  }
  const double mib = static_cast<double>(size) / static_cast<double>(kMiB);
  std::printf("file: %.0f MiB alice -> bob over %s in %.1f ms: %.2f MiB/s\n", mib,
              options.direct ? "a direct connection" : "the switchboard", wall, mib / (wall / 1e3));
  std::printf(
      "file: CPU time of this process (libpurple + both plugins): %.1f ms, %.1f ms per MiB "
      "(%.1f %% of the wall time)\n",
      cpu, cpu / mib, 100.0 * cpu / wall);
  std::printf("file: peak RSS growth of this process: %ld KiB (peak %ld KiB)\n", rss_growth,
              peak_rss_kib());
  return true;
}

int run(const Options& options) {
  return bench::run_alice_and_bob({.name = "file_bench",
                                   .server = options.server,
                                   .plugin_dir = options.plugin_dir,
                                   .server_args = {},
                                   .bound = std::chrono::seconds(900)},
                                  [&](harness::World& w) { return transfer(w, options); });
}

}  // namespace

int main(int argc, char** argv) {
  bench::init_process();
  Options options;
  if (!parse_options(argc, argv, options)) {
    std::fprintf(
        stderr,
        "usage: file_bench [--plugin-dir DIR] [--server PATH] [--mib N] [--bridge sb|dc]\n");
    return 2;
  }
  bench::print_build_note();
  const int status = run(options);
  if (status != 0) std::printf("FAILED (details on stderr)\n");
  return status;
}
