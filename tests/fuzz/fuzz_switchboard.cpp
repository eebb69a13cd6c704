// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the whole engine (msn::Client, so the conversation manager runs too)
// signed in with a 1:1 conversation open on a ready switchboard, then arbitrary bytes from the
// switchboard (MSG payloads with formats, chunks, typing, nudges, ACK/NAK, JOI, BYE, errors...)
// with the clock moving and the user acting between pieces. No peer input may crash it, hang
// it, leak, or break the invariants fuzz_support.h checks.
//
// Input: 4 header bytes, then the stream.
//   byte 0: bit 0: the conversation starts with an RNG invitation (ANS/IRO) instead of our
//           XFR/USR/CAL/JOI, bits 1-3: seconds the clock moves between pieces (x5), bit 4: fire
//           the engine's deadlines after each piece, bits 5-6: what the user does between pieces
//           (0 nothing, 1 sends a message, 2 types and nudges, 3 sends a long message), bit 7:
//           the user closes the conversation at the end.
//   bytes 1-3: where the stream is cut into (up to) four pieces, in 256ths of its length.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.h"

namespace {

using namespace msn;

constexpr std::string_view kBob = "bob@example.com";

// Our XFR SB, answered; then USR, CAL, RINGING and JOI. TrIds on the switchboard: USR 1,
// CAL 2, so the first MSG is 3 (seeds ACK it).
ConnectionId open_outgoing(fuzz::Driver& d) {
  const auto id = d.client().send_message(kBob, "Hi <b>Bob</b>! \xc3\xa9\xe2\x82\xac", d.now());
  d.settle();
  fuzz::check(id.is_ok());
  // The engine's XFR: "XFR n SB\r\n".
  const std::string& sent = d.sent(d.ns());
  const auto at = sent.rfind("XFR ");
  fuzz::check(at != std::string::npos);
  const std::string trid = sent.substr(at + 4, sent.find(' ', at + 4) - at - 4);
  d.feed(d.ns(), "XFR " + trid + " SB 198.51.100.20:1863 CKI 1719378131.1225456 U messenger.msn.com 1\r\n");
  fuzz::check(d.switchboards().size() == 1);
  const ConnectionId sb = d.switchboards().front();
  d.feed(sb, "USR 1 OK alice@example.com Alice\r\n");
  d.feed(sb, "CAL 2 RINGING 11752013\r\nJOI bob@example.com Bob 1342210084\r\n");
  return sb;
}

// Bob invites us: RNG on the NS, then ANS, IRO and ANS OK.
ConnectionId open_incoming(fuzz::Driver& d) {
  d.feed(d.ns(), "RNG 11752013 198.51.100.20:1863 CKI 849102291.520491113 bob@example.com Bob U messenger.msn.com 1\r\n");
  fuzz::check(d.switchboards().size() == 1);
  const ConnectionId sb = d.switchboards().front();
  d.feed(sb, "IRO 1 1 1 bob@example.com Bob 1342210084\r\nANS 1 OK\r\n");
  return sb;
}

void user_acts(fuzz::Driver& d, std::uint8_t flags, std::size_t piece) {
  switch ((flags >> 5) & 0x3) {
    case 1:
      (void)d.client().send_message(kBob, "piece " + std::to_string(piece), d.now());
      break;
    case 2:
      (void)d.client().send_typing(kBob, d.now());
      (void)d.client().send_nudge(kBob, d.now());
      break;
    case 3:
      (void)d.client().send_message(kBob, std::string(3000, 'x') + "\xe2\x82\xac", d.now());
      break;
    default:
      break;
  }
  d.settle();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  fuzz::ByteReader in(std::string_view(reinterpret_cast<const char*>(data), size));
  const std::uint8_t flags = in.byte();
  std::array<std::size_t, 3> cuts{};
  const std::string_view stream = [&] {
    std::array<std::uint8_t, 3> raw{in.byte(), in.byte(), in.byte()};
    const std::string_view s = in.rest();
    for (std::size_t i = 0; i < cuts.size(); ++i) cuts[i] = s.size() * raw[i] / 256;
    std::sort(cuts.begin(), cuts.end());
    return s;
  }();

  fuzz::Driver d;
  d.set_input(std::string_view(reinterpret_cast<const char*>(data), size));
  fuzz::check(d.sign_in());
  d.feed(d.ns(), "NLN NLN bob@example.com 1 Bob 1342210084\r\n");
  const ConnectionId sb = (flags & 0x1) != 0 ? open_incoming(d) : open_outgoing(d);
  d.forget_events();

  std::size_t start = 0;
  for (std::size_t piece = 0; piece < 4 && !d.disconnected(); ++piece) {
    const std::size_t end = piece < 3 ? cuts[piece] : stream.size();
    const std::string_view bytes = stream.substr(start, end - start);
    start = end;
    if (!bytes.empty()) d.feed(sb, bytes);
    d.advance(seconds(5 * ((flags >> 1) & 0x7)));
    if ((flags & 0x10) != 0) d.fire_deadline(seconds(120));
    user_acts(d, flags, piece);
  }

  if ((flags & 0x80) != 0) {
    d.client().close_conversation(kBob, d.now());
    d.settle();
  }
  // Let every timer run out (ACK, switchboard, XFR and web timeouts), then sign out: every
  // message still open must be resolved without trouble.
  for (int i = 0; i < 8 && !d.disconnected(); ++i) d.fire_deadline(seconds(600));
  if (!d.disconnected()) {
    d.client().sign_out(d.now());
    d.settle();
  }
  return 0;
}
