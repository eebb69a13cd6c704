// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the whole engine (msn::Client) signed in, then arbitrary bytes from the
// notification server (ILN/NLN/FLN/UBX/ADL/RML/FQY/RNG/XFR/MSG Hotmail/CHL/OUT/errors...),
// with the clock moving. No server input may crash it, hang it, leak, or break the
// invariants fuzz_support.h checks.
//
// Input: 4 header bytes, then the stream.
//   byte 0: bits 0-2 seconds the clock moves between pieces (x7), bit 3: fire the engine's
//           deadlines after each piece, bit 4: the last piece goes to the oldest pending web call
//           (an OIM fetch, a contact-list change...) instead of the NS, bit 5: close that web
//           connection instead, bit 6: the NS connection drops at the end, bit 7: sign out at
//           the end.
//   bytes 1-3: where the stream is cut into (up to) four pieces, in 256ths of its length.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

namespace {

using namespace msn;

void after_piece(fuzz::Driver& d, std::uint8_t flags) {
  d.advance(seconds(7 * (flags & 0x7)));
  if ((flags & 0x8) != 0) d.fire_deadline(seconds(120));
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
  d.forget_events();
  const ConnectionId ns = d.ns();

  std::size_t start = 0;
  for (std::size_t piece = 0; piece < 4 && !d.disconnected(); ++piece) {
    const std::size_t end = piece < 3 ? cuts[piece] : stream.size();
    const std::string_view bytes = stream.substr(start, end - start);
    start = end;
    const bool last = piece == 3;
    if (last && (flags & 0x30) != 0 && !d.pending_web().empty()) {
      const ConnectionId web = d.pending_web().front();
      if ((flags & 0x10) != 0) {
        d.answer_web(web, bytes);
      } else {
        d.close(web);
      }
    } else if (!bytes.empty()) {
      d.feed(ns, bytes);
    }
    after_piece(d, flags);
  }

  // Let every timer the input armed run out (keep-alive, web and switchboard timeouts).
  for (int i = 0; i < 8 && !d.disconnected(); ++i) d.fire_deadline(seconds(600));
  if ((flags & 0x40) != 0 && !d.disconnected()) d.close(ns);
  if ((flags & 0x80) != 0 && !d.disconnected()) {
    d.client().sign_out(d.now());
    d.settle();
  }
  return 0;
}
