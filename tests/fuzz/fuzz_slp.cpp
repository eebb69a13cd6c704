// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: MSNSLP text. Parses the input as the data of a SessionID 0 message and the
// session and direct-connection bodies of whatever parses.
// Checked: a parsed message serializes to text that parses back to the same message (with
// limits wide enough for the canonical layout's few extra bytes).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "p2p/slp.h"
#include "p2p/slp_direct.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto message = p2p::slp::parse(input);
  if (!message) return 0;
  p2p::slp::Limits wide;
  wide.max_bytes = 1024 * 1024;
  wide.max_header_line = 64 * 1024;
  auto again = p2p::slp::parse(p2p::slp::serialize(*message), wide);
  check(again.is_ok());
  check(*again == *message);
  (void)p2p::slp::parse_session_request(*message);
  (void)p2p::slp::session_id_field(*message);
  (void)p2p::slp::parse_transport_request(*message);
  (void)p2p::slp::parse_transport_response(*message);
  return 0;
}
