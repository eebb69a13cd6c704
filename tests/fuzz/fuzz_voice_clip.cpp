// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: voice clips, i.e. the RIFF/WAVE Siren container and, when the build has
// libavcodec, decoding. Checked: failures are kProtocol or kLimit (kUnsupported without a
// decoder), frames are whole, and decoding gives exactly 320 samples per frame.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "media/voice_clip.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  media::VoiceClipLimits limits;
  limits.max_seconds = 5;  // keeps decoding runs short
  auto clip = media::parse_voice_clip(input, limits);
  if (!clip) {
    check(clip.error().code == Errc::kProtocol || clip.error().code == Errc::kLimit);
    return 0;
  }
  check(clip->frame_count > 0 &&
        clip->frames.size() == clip->frame_count * media::kSirenFrameBytes);
  check(clip->frame_count <= limits.max_seconds * 50u);
  auto samples = media::decode_voice_clip_samples(input, limits);
  if (!samples) {
    const Errc code = samples.error().code;
    check(code == Errc::kProtocol ||
          (code == Errc::kUnsupported && !media::voice_clip_decoding_available()));
    return 0;
  }
  check(samples->size() == clip->samples());
  return 0;
}
