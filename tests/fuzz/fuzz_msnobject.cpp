// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the MSNObject. The input as an msnobj string, as its URL-encoded form and
// as an INVITE Context.
// Checked: a parsed object serializes to a string that parses back to the same object (Url1
// aside, which is not written), and its SHA1C can be computed.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "p2p/msn_object.h"

using msn::fuzz::check;

namespace {

using namespace msn;

void round_trip(const p2p::MsnObject& object) {
  auto again = p2p::parse_msn_object(p2p::serialize(object), {64 * 1024, 16});
  check(again.is_ok());
  p2p::MsnObject expected = object;
  expected.url1.clear();
  check(*again == expected);
  check(!p2p::compute_sha1c(object).empty());
  check(!p2p::cache_key(object).empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto object = p2p::parse_msn_object(input)) round_trip(*object);
  if (auto object = p2p::parse_url_encoded_msn_object(input)) round_trip(*object);
  if (auto context = p2p::decode_context(input)) {
    if (auto object = p2p::parse_msn_object(*context)) round_trip(*object);
  }
  return 0;
}
