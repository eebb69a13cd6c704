// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about file transfers between two accounts of our own plugin (the server
// only relays their P2P MSGs): files both ways arriving byte for byte, a declined offer,
// cancelling from either side mid-way, a switchboard that closes mid-transfer, messages typed
// during a transfer delivered during it, and signing out mid-transfer. And with the server's
// bot, an independent MSNP2P peer: a file to it and one from it, checked against what it says
// and what the server's dump records.
#include <connection.h>
#include <ft.h>
#include <server.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <optional>
#include <string>

#include "integration.h"
#include "purple_env.h"
#include "shown_media.h"
#include "ui_xfers.h"

namespace harness {
namespace {

constexpr std::size_t kMiB = 1024 * 1024;

std::string make_file(const std::string& path, std::size_t size, unsigned seed) {
  std::string data(size, '\0');
  std::uint32_t x = seed * 2654435761u + 1;
  // Four bytes per step: the big files (50 MiB) are made in a fraction of the time.
  for (std::size_t i = 0; i < size; i += 4) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    for (std::size_t k = 0; k < 4 && i + k < size; ++k)
      data[i + k] = static_cast<char>((x >> (8 * k)) & 0xFF);
  }
  std::ofstream(path, std::ios::binary).write(data.data(), static_cast<std::streamsize>(size));
  return data;
}

std::string sha1_of(const std::string& data) {
  gchar* sum = g_compute_checksum_for_data(
      G_CHECKSUM_SHA1, reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string out = sum;
  g_free(sum);
  return out;
}

const char* status_name(PurpleXfer* xfer) {
  switch (purple_xfer_get_status(xfer)) {
    case PURPLE_XFER_STATUS_NOT_STARTED:
      return "not started";
    case PURPLE_XFER_STATUS_ACCEPTED:
      return "accepted";
    case PURPLE_XFER_STATUS_STARTED:
      return "started";
    case PURPLE_XFER_STATUS_DONE:
      return "done";
    case PURPLE_XFER_STATUS_CANCEL_LOCAL:
      return "cancelled locally";
    case PURPLE_XFER_STATUS_CANCEL_REMOTE:
      return "cancelled by the peer";
    default:
      return "unknown";
  }
}

// The index-th xfer of `who` in that direction, or nullptr.
PurpleXfer* xfer(World& w, std::string_view who, PurpleXferType type, std::size_t index = 0) {
  auto list = xfers_of(w.account(who), type);
  return index < list.size() ? list[index] : nullptr;
}

std::string describe(PurpleXfer* x) {
  if (x == nullptr) return "no transfer yet";
  return std::string(status_name(x)) + ", " + std::to_string(purple_xfer_get_bytes_sent(x)) +
         " of " + std::to_string(purple_xfer_get_size(x)) + " bytes";
}

bool wait_xfer(World& w, std::string_view who, PurpleXferType type, std::size_t index,
               const std::string& what, const std::function<bool(PurpleXfer*)>& done,
               milliseconds timeout = milliseconds(30000)) {
  return w.wait(
      std::string(who) + "'s transfer " + what,
      [&] {
        PurpleXfer* x = xfer(w, who, type, index);
        return x != nullptr && done(x);
      },
      [&] { return describe(xfer(w, who, type, index)); }, timeout);
}

bool is_done(PurpleXfer* x) { return purple_xfer_get_status(x) == PURPLE_XFER_STATUS_DONE; }
bool is_cancelled(PurpleXfer* x) { return purple_xfer_is_canceled(x) != FALSE; }

void send_file(World& w, std::string_view from, std::string_view to, const std::string& path) {
  w.note(std::string(from) + " sends " + path + " to " + std::string(to));
  serv_send_file(w.connection(from), address_of(to).c_str(), path.c_str());
}

struct Prepared {
  std::string path;
  std::string data;
};

// Both signed in and on each other's list; a file of `size` bytes for `from` to send; bob's
// (or whoever's) accepted files land in the state dir's "downloads".
bool prepare(World& w, std::size_t size, const std::string& name, Prepared& out,
             XferAnswer answer = XferAnswer::kAccept) {
  xfer_ui().answer = answer;
  xfer_ui().download_dir = w.state_dir() + "/downloads";
  g_mkdir_with_parents(xfer_ui().download_dir.c_str(), 0700);
  out.path = w.state_dir() + "/" + name;
  out.data = make_file(out.path, size, static_cast<unsigned>(name.size() * 7 + size));
  return w.sign_in("alice") && w.sign_in("bob") && w.befriend("alice", "bob");
}

bool arrived_intact(World& w, const std::string& name, const std::string& data) {
  const std::string got = read_file(xfer_ui().download_dir + "/" + name);
  const std::string got_sum = sha1_of(got);
  const std::string sent_sum = sha1_of(data);
  return w.check(got.size() == data.size() && got_sum == sent_sum,
                 name + " arrived as " + std::to_string(got.size()) + " bytes, SHA-1 " + got_sum +
                     " (sent " + std::to_string(data.size()) + ", " + sent_sum + ")");
}

void file_both_ways(World& w) {
  Prepared a;
  STEP(prepare(w, kMiB, "from-alice.bin", a));
  const std::string b_path = w.state_dir() + "/from-bob.bin";
  const std::string b_data = make_file(b_path, kMiB, 99);
  const auto started = std::chrono::steady_clock::now();
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "completes", is_done));
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  w.note("1 MiB alice -> bob took " + std::to_string(took.count()) + " ms");
  STEP(arrived_intact(w, "from-alice.bin", a.data));
  send_file(w, "bob", "alice", b_path);
  STEP(wait_xfer(w, "alice", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  STEP(wait_xfer(w, "bob", PURPLE_XFER_SEND, 0, "completes", is_done));
  STEP(arrived_intact(w, "from-bob.bin", b_data));
}

// Bob turned alice's offer of `name` down: alice's transfer ends as cancelled by the peer, bob's
// as cancelled locally, and nothing was written.
bool declined_by_bob(World& w, const std::string& name) {
  if (!wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "ends as declined", is_cancelled)) return false;
  bool ok = w.check(purple_xfer_get_status(xfer(w, "alice", PURPLE_XFER_SEND)) ==
                        PURPLE_XFER_STATUS_CANCEL_REMOTE,
                    "alice's transfer ended as " + describe(xfer(w, "alice", PURPLE_XFER_SEND)));
  ok &= w.check(purple_xfer_get_status(xfer(w, "bob", PURPLE_XFER_RECEIVE)) ==
                    PURPLE_XFER_STATUS_CANCEL_LOCAL,
                "bob's offer ended as " + describe(xfer(w, "bob", PURPLE_XFER_RECEIVE)));
  ok &= w.check(!g_file_test((xfer_ui().download_dir + "/" + name).c_str(), G_FILE_TEST_EXISTS),
                "a declined file was written: " + name);
  return ok;
}

void file_decline(World& w) {
  Prepared a;
  STEP(prepare(w, 50000, "declined.bin", a, XferAnswer::kDecline));
  send_file(w, "alice", "bob", a.path);
  declined_by_bob(w, "declined.bin");
}

// Bob's save dialog is Finch 2.14's, which denies the transfer again as it closes after OK:
// the file still arrives whole and both sides see it complete.
void file_finch_save_dialog(World& w) {
  xfer_ui().finch_file_dialog = true;
  Prepared a;
  STEP(prepare(w, kMiB, "via-finch.bin", a));
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "completes", is_done));
  arrived_intact(w, "via-finch.bin", a.data);
}

// Cancelling Finch's save dialog denies twice: alice sees a declined transfer, bob's ends
// cancelled, nothing is written, and nothing is freed twice (the sanitizers watch).
void file_finch_save_cancelled(World& w) {
  xfer_ui().finch_file_dialog = true;
  Prepared a;
  STEP(prepare(w, 50000, "not-saved.bin", a, XferAnswer::kCancelSave));
  send_file(w, "alice", "bob", a.path);
  STEP(declined_by_bob(w, "not-saved.bin"));
  // Chat still works afterwards.
  STEP(w.send_im("bob", "alice", "still here"));
  w.wait_received("alice", "bob", 1);
}

// One side cancels over the switchboard once the receiver has `fraction` of a 2 MiB file: the
// other sees a cancelled transfer (not a hang), the part written is not the file, and the
// conversation goes on.
void cancel_midway(World& w, bool by_sender, double fraction) {
  Prepared a;
  for (const char* who : {"alice", "bob"})
    purple_account_set_bool(w.account(who), "direct_connections", FALSE);
  STEP(prepare(w, 2 * kMiB, "cancelled.bin", a));
  send_file(w, "alice", "bob", a.path);
  const auto want = static_cast<std::size_t>(fraction * static_cast<double>(a.data.size()));
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "passes " + std::to_string(want) + " bytes",
                 [&](PurpleXfer* x) { return purple_xfer_get_bytes_sent(x) >= want; }));
  PurpleXfer* mine =
      by_sender ? xfer(w, "alice", PURPLE_XFER_SEND) : xfer(w, "bob", PURPLE_XFER_RECEIVE);
  STEP(w.check(!is_done(mine), "the transfer finished before it could be cancelled"));
  w.note(std::string(by_sender ? "alice" : "bob") + " cancels at " + describe(mine));
  purple_xfer_cancel_local(mine);
  const std::string other = by_sender ? "bob" : "alice";
  const PurpleXferType other_type = by_sender ? PURPLE_XFER_RECEIVE : PURPLE_XFER_SEND;
  STEP(wait_xfer(w, other, other_type, 0, "ends as cancelled by the peer", [](PurpleXfer* x) {
    return purple_xfer_get_status(x) == PURPLE_XFER_STATUS_CANCEL_REMOTE;
  }));
  STEP(w.check(is_cancelled(mine), "the cancelling side ended as " + describe(mine)));
  PurpleXfer* receiving = xfer(w, "bob", PURPLE_XFER_RECEIVE);
  w.check(!is_done(receiving) && purple_xfer_get_bytes_sent(receiving) < a.data.size(),
          "bob's transfer after the cancel: " + describe(receiving));
  const std::string kept = read_file(xfer_ui().download_dir + "/cancelled.bin");
  w.check(kept.size() < a.data.size(),
          "bob kept " + std::to_string(kept.size()) + " bytes of a cancelled file");
  // The conversation goes on both ways.
  STEP(w.send_im("alice", "bob", "after the cancel"));
  STEP(w.wait_received("bob", "alice", 1));
  STEP(w.send_im("bob", "alice", "still here"));
  w.wait_received("alice", "bob", 1);
}

void file_cancel_by_sender(World& w) { cancel_midway(w, true, 0.3); }
void file_cancel_by_receiver(World& w) { cancel_midway(w, false, 0.3); }

// The server closes the switchboard after relaying a few hundred MSGs: both transfers end
// with an error, none hangs.
void file_sb_closed_mid_way(World& w) {
  Prepared a;
  // The data must go over the switchboard that closes.
  for (const char* who : {"alice", "bob"})
    purple_account_set_bool(w.account(who), "direct_connections", FALSE);
  STEP(prepare(w, kMiB, "interrupted.bin", a));
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "ends, not completed", is_cancelled));
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "ends, not completed", is_cancelled));
  w.check(purple_xfer_get_bytes_sent(xfer(w, "bob", PURPLE_XFER_RECEIVE)) > 0,
          "no data arrived before the switchboard closed");
  // Both stay signed in, and a new transfer works again over a new switchboard.
}

// Messages typed while a transfer runs arrive while it still runs.
void file_and_chat(World& w) {
  Prepared a;
  STEP(prepare(w, 8 * kMiB, "big.bin", a));
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "passes 256 KiB",
                 [](PurpleXfer* x) { return purple_xfer_get_bytes_sent(x) >= 256 * 1024; }));
  for (int i = 0; i < 3; ++i)
    STEP(w.send_im("alice", "bob", "during the file " + std::to_string(i)));
  STEP(w.wait_received("bob", "alice", 3));
  PurpleXfer* receiving = xfer(w, "bob", PURPLE_XFER_RECEIVE);
  w.note("the messages arrived at " + describe(receiving));
  w.check(!is_done(receiving),
          "the messages arrived only after the transfer: " + describe(receiving));
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "completes", is_done, milliseconds(40000)));
  STEP(arrived_intact(w, "big.bin", a.data));
}

// alice signs out mid-transfer: her side is cancelled cleanly, bob's ends.
void file_sign_out_mid_way(World& w) {
  Prepared a;
  STEP(prepare(w, 4 * kMiB, "abandoned.bin", a));
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "passes 64 KiB",
                 [](PurpleXfer* x) { return purple_xfer_get_bytes_sent(x) >= 64 * 1024; }));
  STEP(w.sign_out("alice"));
  STEP(w.check(
      is_cancelled(xfer(w, "alice", PURPLE_XFER_SEND)),
      "alice's transfer after signing out: " + describe(xfer(w, "alice", PURPLE_XFER_SEND))));
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "ends", is_cancelled));
}

constexpr const char* kBot = "echo@example.com";

// alice signed in with the bot available on her list; accepted files land in "downloads".
bool meet_bot(World& w, const char* bot = kBot) {
  xfer_ui().answer = XferAnswer::kAccept;
  xfer_ui().download_dir = w.state_dir() + "/downloads";
  g_mkdir_with_parents(xfer_ui().download_dir.c_str(), 0700);
  return w.sign_in("alice") && w.add_buddy("alice", bot, "Bots", "") &&
         w.wait_status("alice", bot, "available");
}

// The first line the bot said to alice that starts with `prefix`, waited for.
std::optional<std::string> bot_says(World& w, const std::string& prefix,
                                    milliseconds timeout = milliseconds(20000),
                                    const char* bot = kBot) {
  auto find = [&]() -> std::optional<std::string> {
    for (const WrittenLine* line : w.received_from("alice", bot)) {
      std::string text = plain_text(line->html);
      if (text.rfind(prefix, 0) == 0) return text;
    }
    return std::nullopt;
  };
  if (!w.wait(
          "the bot says \"" + prefix + "...\"", [&] { return find().has_value(); },
          [&] { return w.describe_lines("alice"); }, timeout))
    return std::nullopt;
  return find();
}

// The bot's one transfer with alice in `direction`, as its dump records it once it has ended.
std::optional<ServerFile> bot_file_record(World& w, const std::string& direction) {
  std::optional<ServerFile> found;
  const std::string alice = address_of("alice");
  w.wait_server("the bot's " + direction + " transfer with alice ends", [&](const ServerState& s) {
    found.reset();
    for (const ServerFile& f : s.p2p.files)
      if (f.direction == direction && f.user == alice) found = f;
    return found.has_value() && found->outcome != "active";
  });
  if (!found) w.fail("the dump holds no " + direction + " transfer with alice");
  return found;
}

void check_record(World& w, const ServerFile& f, const std::string& name, std::size_t size,
                  const std::string& sha1, const std::string& bridge) {
  w.check(f.name == name && f.size == static_cast<long long>(size) && f.sha1 == sha1 &&
              f.bridge == bridge && f.outcome == "completed",
          "the dump says " + f.direction + " " + f.name + " " + std::to_string(f.size) +
              " bytes, SHA-1 " + f.sha1 + ", bridge " + f.bridge + ", " + f.outcome + " (want " +
              name + " " + std::to_string(size) + ", " + sha1 + ", " + bridge + ", completed)");
}

// alice's account option "Direct connections" (on unless a scenario turns it off).
void allow_direct(World& w, const std::string& who, bool allow) {
  purple_account_set_bool(w.account(who), "direct_connections", allow ? TRUE : FALSE);
}

// How many of the plugin's debug lines so far contain `text`.
std::size_t debug_lines_with(const std::string& text) {
  const auto& lines = plugin_debug_lines();
  return static_cast<std::size_t>(
      std::count_if(lines.begin(), lines.end(),
                    [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

void file_to_bot_over(World& w, const std::string& bridge) {
  STEP(meet_bot(w));
  const std::string path = w.state_dir() + "/to-bot.bin";
  const std::string data = make_file(path, kMiB, 42);
  send_file(w, "alice", kBot, path);
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "completes", is_done));
  const std::string want =
      "Got your file to-bot.bin: " + std::to_string(data.size()) + " bytes, SHA-1 " + sha1_of(data);
  const std::optional<std::string> said = bot_says(w, "Got your file");
  STEP(said.has_value());
  w.check(*said == want, "the bot said \"" + *said + "\", not \"" + want + "\"");
  const std::optional<ServerFile> record = bot_file_record(w, "in");
  STEP(record.has_value());
  check_record(w, *record, "to-bot.bin", data.size(), sha1_of(data), bridge);
  w.check(record->received == static_cast<long long>(data.size()),
          "the bot received " + std::to_string(record->received) + " bytes");
}

void file_from_bot_over(World& w, const std::string& bridge, unsigned kib = 256, bool met = false) {
  if (!met) STEP(meet_bot(w));
  STEP(w.send_im("alice", kBot, "file " + std::to_string(kib)));
  const std::optional<std::string> said = bot_says(w, "Sending you ");
  STEP(said.has_value());
  // "Sending you NAME: N bytes, SHA-1 HEX"
  char name[64] = {};
  unsigned long size = 0;
  char hex[41] = {};
  STEP(w.check(std::sscanf(said->c_str(), "Sending you %63[^:]: %lu bytes, SHA-1 %40[0-9a-f]", name,
                           &size, hex) == 3 &&
                   std::string(hex).size() == 40,
               "the bot announced \"" + *said + "\""));
  w.check(std::string(name) == "bot-file-" + std::to_string(kib) + ".bin" && size == kib * 1024,
          "the bot offers " + std::string(name) + " of " + std::to_string(size) + " bytes");
  STEP(wait_xfer(w, "alice", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  const std::string got = read_file(xfer_ui().download_dir + "/" + name);
  w.check(got.size() == size && sha1_of(got) == hex,
          std::string(name) + " saved as " + std::to_string(got.size()) + " bytes, SHA-1 " +
              sha1_of(got) + " (announced " + std::to_string(size) + ", " + hex + ")");
  const std::optional<ServerFile> record = bot_file_record(w, "out");
  STEP(record.has_value());
  check_record(w, *record, name, size, hex, bridge);
}

// The option off: the switchboard carries the file whatever the bot offers.
void file_to_bot(World& w) {
  allow_direct(w, "alice", false);
  file_to_bot_over(w, "sb");
}
void file_from_bot(World& w) {
  allow_direct(w, "alice", false);
  file_from_bot_over(w, "sb");
}
// The bot listens (alice connects), or answers "not listening" and connects to alice's
// reverse INVITE; from the bot, alice listens and the bot connects.
void file_to_bot_dc(World& w) { file_to_bot_over(w, "dc"); }
void file_from_bot_dc(World& w) { file_from_bot_over(w, "dc"); }
// The bot advertises a port that refuses: the file goes over the switchboard after all.
void file_dc_refused(World& w) {
  file_to_bot_over(w, "sb");
  w.check(debug_lines_with("no direct connection with " + std::string(kBot)) >= 1,
          "alice's log never says why the switchboard carried the file");
}

// The bot's direct connection breaks (a reset) once 300000 bytes crossed it, each way: the
// rest goes over the switchboard from what the receiver holds (its NAK), both files arrive
// whole, and neither transfer is reported as anything but complete.
void file_dc_break_fallback(World& w) {
  file_to_bot_over(w, "dc+sb");
  STEP(w.failures().empty());
  file_from_bot_over(w, "dc+sb", 1024, true);
  STEP(w.failures().empty());
  w.check(debug_lines_with("going on at byte ") >= 1,
          "alice never went on sending over the switchboard");
  w.check(debug_lines_with("to go on at byte ") >= 1,
          "alice never asked the bot to go on over the switchboard");
}

// alice -> bob, 1 MiB: both plugins, alice connects to bob's listening socket. The server
// sees only the switchboard, so the engine's log line says where the data went.
void file_dc_alice_bob(World& w) {
  Prepared a;
  STEP(prepare(w, kMiB, "dc-alice.bin", a));
  const std::size_t before = debug_lines_with("direct connection with ");
  const auto started = std::chrono::steady_clock::now();
  send_file(w, "alice", "bob", a.path);
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "completes", is_done));
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  w.note("1 MiB alice -> bob over a direct connection took " + std::to_string(took.count()) +
         " ms");
  STEP(arrived_intact(w, "dc-alice.bin", a.data));
  w.check(
      debug_lines_with("direct connection with " + address_of("bob") + " established") >= 1 &&
          debug_lines_with("direct connection with " + address_of("alice") + " established") >= 1,
      "no direct connection was established both ways (" +
          std::to_string(debug_lines_with("direct connection with ") - before) + " lines)");
  w.check(debug_lines_with("the switchboard carries the data") == 0,
          "a transfer fell back to the switchboard");
}

// `mib` MiB each way at once, byte for byte (SHA-1): over the switchboard, or over the two
// direct connections (one per transfer) with nothing falling back.
void big_both_ways(World& w, bool direct, std::size_t mib) {
  for (const char* who : {"alice", "bob"}) allow_direct(w, who, direct);
  Prepared a;
  STEP(prepare(w, mib * kMiB, "big-from-alice.bin", a));
  const std::string b_path = w.state_dir() + "/big-from-bob.bin";
  const std::string b_data = make_file(b_path, mib * kMiB, 7);
  const auto started = std::chrono::steady_clock::now();
  send_file(w, "alice", "bob", a.path);
  // Bob starts once alice's data flows: both transfers share one switchboard from the start
  // (this measures throughput; file-crossing-switchboards is two opened at the same moment).
  STEP(wait_xfer(w, "bob", PURPLE_XFER_RECEIVE, 0, "starts",
                 [](PurpleXfer* x) { return purple_xfer_get_bytes_sent(x) > 0; }));
  send_file(w, "bob", "alice", b_path);
  for (const char* who : {"alice", "bob"}) {
    STEP(wait_xfer(w, who, PURPLE_XFER_RECEIVE, 0, "completes", is_done, milliseconds(90000)));
    STEP(wait_xfer(w, who, PURPLE_XFER_SEND, 0, "completes", is_done, milliseconds(10000)));
  }
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
  w.note(std::to_string(mib) + " MiB each way at once over " +
         (direct ? "direct connections" : "the switchboard") + " took " +
         std::to_string(took.count()) + " ms");
  arrived_intact(w, "big-from-alice.bin", a.data);
  arrived_intact(w, "big-from-bob.bin", b_data);
  if (!direct) return;
  w.check(
      debug_lines_with("direct connection with " + address_of("bob") + " established") >= 1 &&
          debug_lines_with("direct connection with " + address_of("alice") + " established") >= 1,
      "no direct connection was established both ways");
  w.check(debug_lines_with("the switchboard carries the data") == 0,
          "a transfer fell back to the switchboard");
}

// A bot whose address is lower than alice's: the switchboard it opens is the one both keep.
constexpr const char* kCrossBot = "aardvark@example.com";

// alice sends the bot a file; seeing its INVITE in alice's switchboard, the bot opens one of
// its own to her at once and sends her a file there (--bot-cross): two switchboards cross,
// and alice gives up hers (the bot's address is the lower one) with her file's data on the
// wire. Both files arrive whole, both transfers complete, and a text goes each way once.
void file_crossing_switchboards(World& w) {
  allow_direct(w, "alice", false);
  STEP(meet_bot(w, kCrossBot));
  const std::string path = w.state_dir() + "/crossing.bin";
  const std::string data = make_file(path, 256 * 1024, 11);
  send_file(w, "alice", kCrossBot, path);
  const std::optional<std::string> offer =
      bot_says(w, "Sending you ", milliseconds(20000), kCrossBot);
  STEP(offer.has_value());
  char name[64] = {};
  unsigned long size = 0;
  char hex[41] = {};
  STEP(w.check(std::sscanf(offer->c_str(), "Sending you %63[^:]: %lu bytes, SHA-1 %40[0-9a-f]",
                           name, &size, hex) == 3,
               "the bot announced \"" + *offer + "\""));
  STEP(wait_xfer(w, "alice", PURPLE_XFER_SEND, 0, "completes", is_done));
  STEP(wait_xfer(w, "alice", PURPLE_XFER_RECEIVE, 0, "completes", is_done));
  const std::string got = read_file(xfer_ui().download_dir + "/" + name);
  w.check(got.size() == size && sha1_of(got) == hex,
          std::string(name) + " saved as " + std::to_string(got.size()) + " bytes, SHA-1 " +
              sha1_of(got) + " (announced " + std::to_string(size) + ", " + hex + ")");
  const std::string want = "Got your file crossing.bin: " + std::to_string(data.size()) +
                           " bytes, SHA-1 " + sha1_of(data);
  const std::optional<std::string> said =
      bot_says(w, "Got your file", milliseconds(20000), kCrossBot);
  STEP(said.has_value());
  w.check(*said == want, "the bot said \"" + *said + "\", not \"" + want + "\"");
  for (const char* direction : {"in", "out"}) {
    const std::optional<ServerFile> record = bot_file_record(w, direction);
    STEP(record.has_value());
    w.check(record->outcome == "completed" && record->bridge == "sb",
            std::string("the bot's ") + direction + " transfer: " + record->outcome + " over " +
                record->bridge);
  }
  w.check(debug_lines_with("two switchboards with " + std::string(kCrossBot)) >= 1,
          "the switchboards never crossed");
  // A text each way, after the crossing: shown once.
  STEP(w.send_im("alice", kCrossBot, "after the crossing"));
  STEP(bot_says(w, "You said: after the crossing", milliseconds(10000), kCrossBot).has_value());
  w.run_for(milliseconds(300));
  std::size_t echoes = 0;
  for (const WrittenLine* line : w.received_from("alice", kCrossBot))
    echoes += plain_text(line->html) == "You said: after the crossing" ? 1 : 0;
  w.check(echoes == 1, "the echo was shown " + std::to_string(echoes) + " times");
}

// 50 MiB each way at once over the switchboard took 23.5 s under ASan/UBSan at -O0 (CI's
// build) with a CI run beside it; the 50 MiB scenarios get twice the usual bound.
void file_50mib_sb(World& w) { big_both_ways(w, false, 50); }
void file_50mib_dc(World& w) { big_both_ways(w, true, 50); }

}  // namespace

std::vector<IntegrationScenario> file_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("file-both-ways", file_both_ways));
  list.push_back(make_scenario("file-decline", file_decline));
  list.push_back(make_scenario("file-finch-save-dialog", file_finch_save_dialog));
  list.push_back(make_scenario("file-finch-save-cancelled", file_finch_save_cancelled));
  list.push_back(make_scenario("file-cancel-by-sender", file_cancel_by_sender));
  list.push_back(make_scenario("file-cancel-by-receiver", file_cancel_by_receiver));
  list.push_back(make_scenario("file-sb-closed-mid-way", file_sb_closed_mid_way,
                               {"--fault", "sb-close-after:300"}));
  list.push_back(make_scenario("file-and-chat", file_and_chat));
  list.push_back(make_scenario("file-sign-out-mid-way", file_sign_out_mid_way));
  list.push_back(make_scenario("file-to-bot", file_to_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("file-from-bot", file_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("file-to-bot-dc", file_to_bot_dc, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("file-to-bot-dc-reverse", file_to_bot_dc,
                               {"--bot", kBot, "--bot-direct", "connect"}, {"alice"}));
  list.push_back(make_scenario("file-from-bot-dc", file_from_bot_dc, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("file-dc-refused", file_dc_refused,
                               {"--bot", kBot, "--bot-direct", "refuse"}, {"alice"}));
  list.push_back(make_scenario("file-dc-alice-bob", file_dc_alice_bob));
  list.push_back(make_scenario("file-50mib-sb", file_50mib_sb));
  list.back().bound_seconds = 100;
  list.push_back(make_scenario("file-50mib-dc", file_50mib_dc));
  list.back().bound_seconds = 100;
  list.push_back(make_scenario("file-crossing-switchboards", file_crossing_switchboards,
                               {"--bot", kCrossBot, "--bot-cross", "128", "--bot-direct", "off"},
                               {"alice"}));
  list.push_back(make_scenario("file-dc-break-fallback", file_dc_break_fallback,
                               {"--bot", kBot, "--bot-dc-break", "300000"}, {"alice"}));
  return list;
}

}  // namespace harness
