// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: datacast bodies. Checked: failures are kProtocol or kLimit, winks and voice
// clips always carry Data, and the kind matches the ID.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "wire/datacast.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto cast = wire::parse_datacast(input);
  if (!cast) {
    check(cast.error().code == Errc::kProtocol || cast.error().code == Errc::kLimit);
    return 0;
  }
  check(input.size() <= wire::DatacastLimits{}.max_body_bytes);
  if (cast->kind == wire::DatacastKind::kWink || cast->kind == wire::DatacastKind::kVoiceClip)
    check(!cast->data.empty());
  check((cast->kind == wire::DatacastKind::kNudge) == (cast->id == 1));
  check(cast->data.size() <= input.size());
  return 0;
}
