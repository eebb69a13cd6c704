// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: a datacast read for what it asks of us (session/media_message.h), as if
// bob@example.com sent it. Checked: failures are kProtocol or kLimit; a wink or voice clip
// names an object of the matching Type created by the sender, in an msnobj no longer than the
// input; an action's text is no longer than the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/ascii.h"
#include "session/media_message.h"

namespace {

using namespace msn;

constexpr std::string_view kFrom = "bob@example.com";

void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto cast = read_media_datacast(kFrom, input);
  if (!cast) {
    check(cast.error().code == Errc::kProtocol || cast.error().code == Errc::kLimit);
    return 0;
  }
  check(cast->text.size() <= 3 * input.size());  // sanitizing may replace bytes with U+FFFD
  if (cast->kind == wire::DatacastKind::kWink || cast->kind == wire::DatacastKind::kVoiceClip) {
    check(cast->msnobj.size() <= input.size());
    check(ascii::iequals(cast->object.creator, kFrom));
    check(cast->object.type == (cast->kind == wire::DatacastKind::kWink ? 8u : 11u));
    // What we ask for is what we checked.
    auto again = p2p::parse_msn_object(cast->msnobj);
    check(again.is_ok() && again.value() == cast->object);
  } else {
    check(cast->msnobj.empty());
  }
  return 0;
}
