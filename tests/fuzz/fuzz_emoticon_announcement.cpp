// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the body of a custom emoticon announcement (text/x-mms-emoticon).
// Checked: every pair kept is within the bounds (count, shortcut length, no control
// characters, Type 2), and writing the pairs back gives a body that parses to the same pairs.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "fuzz_check.h"
#include "p2p/emoticon_announcement.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const p2p::EmoticonAnnouncementLimits limits;
  auto parsed = p2p::parse_emoticon_announcement(input, limits);
  if (!parsed) return 0;
  check(!parsed->emoticons.empty() && parsed->emoticons.size() <= limits.max_emoticons);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& emoticon : parsed->emoticons) {
    check(!emoticon.shortcut.empty() && emoticon.shortcut.size() <= limits.max_shortcut_bytes);
    for (const char c : emoticon.shortcut) check(!ascii::is_control(c));
    check(emoticon.object.type == p2p::object_type::kEmoticon);
    pairs.emplace_back(emoticon.shortcut, emoticon.msnobj);
  }
  auto again = p2p::parse_emoticon_announcement(
      p2p::make_emoticon_announcement(pairs),
      {limits.max_emoticons, limits.max_shortcut_bytes, 64 * 1024});
  check(again.is_ok() && again->emoticons.size() == parsed->emoticons.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    check(again->emoticons[i].shortcut == pairs[i].first);
    check(again->emoticons[i].object == parsed->emoticons[i].object);
  }
  return 0;
}
