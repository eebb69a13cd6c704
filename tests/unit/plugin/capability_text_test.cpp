// SPDX-License-Identifier: GPL-2.0-or-later
// A contact's client capabilities in words ("Get Info").
#include "capability_text.h"

#include "cmocka_cpp.h"
#include "session/presence.h"

namespace {

using msn::plugin::describe_capabilities;
namespace caps = msn::caps;

void unknown_capabilities_say_nothing(void**) { assert_bytes_equal(describe_capabilities(0), ""); }

void messenger_7_with_its_features(void**) {
  // MSNC4 | P2P packets | GIF ink | voice IM: what MSN Messenger 7.0 advertised.
  assert_bytes_equal(
      describe_capabilities(caps::kMsnc4 | caps::kP2pPackets | caps::kInkGif | caps::kVoiceIm),
      "MSN Messenger 7.0; voice clips, handwriting (ink), file transfer and display pictures");
}

void wlm_8_5_with_webcam(void**) {
  assert_bytes_equal(describe_capabilities(caps::kMsnc8 | caps::kWebcam),
                     "Windows Live Messenger 8.5; webcam");
}

void features_without_a_version_and_unknown_versions(void**) {
  assert_bytes_equal(describe_capabilities(caps::kBot), "automated (bot)");
  assert_bytes_equal(describe_capabilities(0xF0u << 24), "a newer Messenger");
  // Bits this table does not name add nothing, and never garbage.
  assert_bytes_equal(describe_capabilities(caps::kMsnc1 | 0x100), "MSN Messenger 6.0");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(unknown_capabilities_say_nothing),
      cmocka_unit_test(messenger_7_with_its_features),
      cmocka_unit_test(wlm_8_5_with_webcam),
      cmocka_unit_test(features_without_a_version_and_unknown_versions),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
