// SPDX-License-Identifier: GPL-2.0-or-later
// Received voice clips (docs/protocol/media.md, "Voice clips"): a RIFF/WAVE file of Siren
// (G.722.1, 16 kbit/s, MSN's variant) frames. The container is checked here; decoding to plain PCM
// needs FFmpeg's libavcodec (meson option voice_clips). Without it, callers offer the original.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::media {

inline constexpr std::uint32_t kSirenSampleRate = 16000;
inline constexpr std::size_t kSirenFrameBytes = 40;
inline constexpr std::size_t kSirenFrameSamples = 320;  // 20 ms

struct VoiceClipLimits {
  std::uint32_t max_seconds = 60;  // aMSN sends at most 15 s; anything far longer is not a clip
  std::size_t max_chunks = 16;     // RIFF chunks walked before giving up
};

// The Siren frames of a voice clip file, without copying them.
struct SirenClip {
  std::string_view frames;  // a whole number of 40-byte frames, at least one
  std::size_t frame_count = 0;
  std::uint32_t fact_samples = 0;  // the fact chunk's sample count (0 when there is none)
  std::size_t samples() const { return frame_count * kSirenFrameSamples; }
};

// Checks the RIFF/WAVE container: format tag 0x028E, mono, 16000 samples/s, 2000 bytes/s,
// block align 40, 0 bits per sample, a 2-byte extension holding 320; a data chunk of whole frames
// no longer than the limit. Errc::kProtocol when malformed or a different format, Errc::kLimit when
// too long.
Result<SirenClip> parse_voice_clip(std::string_view wav, const VoiceClipLimits& limits = {});

// Whether this build can decode Siren (built with libavcodec and its msnsiren decoder present).
bool voice_clip_decoding_available();

// Decodes a voice clip file to 16-bit mono PCM at 16000 samples/s, clip.samples() of them.
// Errc::kUnsupported when voice_clip_decoding_available() is false: offer the original file.
Result<std::vector<std::int16_t>> decode_voice_clip_samples(std::string_view wav,
                                                            const VoiceClipLimits& limits = {});

// The same, as a plain PCM WAV file (44-byte header) that any player opens.
Result<std::string> decode_voice_clip(std::string_view wav, const VoiceClipLimits& limits = {});

// A PCM WAV file (16-bit mono) holding these samples.
std::string pcm_wav(const std::vector<std::int16_t>& samples, std::uint32_t sample_rate);

}  // namespace msn::media
