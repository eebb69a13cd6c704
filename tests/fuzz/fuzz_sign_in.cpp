// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the sign-in, with the fuzzer playing every server from the first byte: the
// notification server's answers (VER/CVR/XFR/USR/GCF/SBS/MSG profile/errors...), the login
// service and the contact-list web services. No input may crash or hang the engine, leak a
// secret into the log or break the invariants fuzz_support.h checks.
//
// Input: records separated by "~~~" (so seeds stay readable). A record's first byte says what
// the rest is:
//   'N' bytes from the notification server (on whichever NS connection is current),
//   'W' the answer to the oldest web call still waiting (an HTTP response, or not),
//   'C' the oldest waiting web connection closes, 'D' the NS connection drops,
//   'T' the engine's next deadline comes (at most ten minutes away).
// Anything else is ignored. At most 64 records are played.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_support.h"

namespace {

constexpr std::string_view kSeparator = "~~~";
constexpr int kMaxRecords = 64;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace msn;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  fuzz::Driver d;
  d.set_input(input);
  d.start();
  for (int record = 0; record < kMaxRecords && !input.empty() && !d.disconnected(); ++record) {
    const std::size_t end = input.find(kSeparator);
    std::string_view bytes = input.substr(0, end);
    input =
        end == std::string_view::npos ? std::string_view() : input.substr(end + kSeparator.size());
    if (bytes.empty()) continue;
    const char kind = bytes.front();
    bytes.remove_prefix(1);
    if (kind == 'N' && d.ns() != 0) {
      d.feed(d.ns(), bytes);
    } else if (kind == 'W' && !d.pending_web().empty()) {
      d.answer_web(d.pending_web().front(), bytes);
    } else if (kind == 'C' && !d.pending_web().empty()) {
      d.close(d.pending_web().front());
    } else if (kind == 'D' && d.ns() != 0) {
      d.close(d.ns());
    } else if (kind == 'T') {
      d.fire_deadline(seconds(600));
    }
  }
  for (int i = 0; i < 8 && !d.disconnected(); ++i) d.fire_deadline(seconds(600));
  if (!d.disconnected()) {
    d.client().sign_out(d.now());
    d.settle();
  }
  return 0;
}
