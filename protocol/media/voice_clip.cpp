// SPDX-License-Identifier: GPL-2.0-or-later
#include "media/voice_clip.h"

#include <optional>

#include "media/siren_decoder.h"

namespace msn::media {

namespace {

constexpr std::uint16_t kSirenFormatTag = 0x028E;
constexpr std::size_t kRiffHeaderBytes = 12;
constexpr std::size_t kChunkHeaderBytes = 8;
constexpr std::size_t kSirenFmtBytes = 20;  // WAVEFORMATEX (18) + one u16 of extension

std::uint16_t u16le(std::string_view b, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(b[at]) |
                                    static_cast<unsigned char>(b[at + 1]) << 8);
}

std::uint32_t u32le(std::string_view b, std::size_t at) {
  return static_cast<std::uint32_t>(u16le(b, at)) | static_cast<std::uint32_t>(u16le(b, at + 2))
                                                        << 16;
}

Error malformed(const std::string& what) {
  return make_error(Errc::kProtocol, "voice clip: " + what);
}

// The fmt chunk must say exactly what MSN clients write; anything else is another codec.
Status check_format(std::string_view fmt) {
  if (fmt.size() < kSirenFmtBytes) return malformed("fmt chunk too short");
  const bool siren = u16le(fmt, 0) == kSirenFormatTag && u16le(fmt, 2) == 1 &&
                     u32le(fmt, 4) == kSirenSampleRate && u32le(fmt, 8) == 2000 &&
                     u16le(fmt, 12) == kSirenFrameBytes && u16le(fmt, 14) == 0 &&
                     u16le(fmt, 16) == 2 && u16le(fmt, 18) == kSirenFrameSamples;
  if (!siren) return malformed("not MSN's Siren format (tag 0x028E, mono 16 kHz, 40-byte blocks)");
  return Status::ok();
}

}  // namespace

Result<SirenClip> parse_voice_clip(std::string_view wav, const VoiceClipLimits& limits) {
  const std::size_t max_frames = static_cast<std::size_t>(limits.max_seconds) * 50;
  const std::size_t max_data = max_frames * kSirenFrameBytes;
  // Room for the fixed chunks and a few small unknown ones around the frames.
  if (wav.size() > max_data + 4096) return make_error(Errc::kLimit, "voice clip: file too long");
  if (wav.size() < kRiffHeaderBytes || wav.substr(0, 4) != "RIFF" || wav.substr(8, 4) != "WAVE")
    return malformed("not a RIFF/WAVE file");
  std::optional<std::string_view> fmt;
  std::optional<std::string_view> data;
  SirenClip clip;
  std::size_t pos = kRiffHeaderBytes;
  for (std::size_t n = 0; pos < wav.size() && !(fmt && data); ++n) {
    if (n >= limits.max_chunks) return malformed("too many chunks");
    if (wav.size() - pos < kChunkHeaderBytes) return malformed("truncated chunk header");
    const std::string_view id = wav.substr(pos, 4);
    const std::uint32_t size = u32le(wav, pos + 4);
    pos += kChunkHeaderBytes;
    if (size > wav.size() - pos) return malformed("chunk runs past the end");
    const std::string_view body = wav.substr(pos, size);
    if (id == "fmt ")
      fmt = body;
    else if (id == "data")
      data = body;
    else if (id == "fact" && size >= 4)
      clip.fact_samples = u32le(body, 0);
    // Chunks are padded to an even length.
    pos += size + (size & 1u);
  }
  if (!fmt || !data) return malformed("no fmt or data chunk");
  MSN_TRY(check_format(*fmt));
  if (data->empty() || data->size() % kSirenFrameBytes != 0)
    return malformed("data is not whole 40-byte frames");
  if (data->size() > max_data) return make_error(Errc::kLimit, "voice clip: longer than the limit");
  clip.frames = *data;
  clip.frame_count = data->size() / kSirenFrameBytes;
  return clip;
}

bool voice_clip_decoding_available() { return detail::siren_decoder_available(); }

Result<std::vector<std::int16_t>> decode_voice_clip_samples(std::string_view wav,
                                                            const VoiceClipLimits& limits) {
  if (!voice_clip_decoding_available())
    return make_error(Errc::kUnsupported, "voice clip: decoding is not available in this build");
  auto clip = parse_voice_clip(wav, limits);
  if (!clip) return clip.error();
  auto samples = detail::decode_siren_frames(clip->frames);
  if (!samples) return samples.error();
  if (samples->size() != clip->samples())
    return malformed("the decoder returned a different length");
  return samples;
}

Result<std::string> decode_voice_clip(std::string_view wav, const VoiceClipLimits& limits) {
  auto samples = decode_voice_clip_samples(wav, limits);
  if (!samples) return samples.error();
  return pcm_wav(samples.value(), kSirenSampleRate);
}

std::string pcm_wav(const std::vector<std::int16_t>& samples, std::uint32_t sample_rate) {
  std::string out;
  const auto put16 = [&out](std::uint32_t v) {
    out.push_back(static_cast<char>(v & 0xFF));
    out.push_back(static_cast<char>((v >> 8) & 0xFF));
  };
  const auto put32 = [&put16](std::uint32_t v) {
    put16(v & 0xFFFF);
    put16(v >> 16);
  };
  const auto data_bytes = static_cast<std::uint32_t>(samples.size() * 2);
  out.reserve(44 + data_bytes);
  out += "RIFF";
  put32(36 + data_bytes);
  out += "WAVEfmt ";
  put32(16);
  put16(1);  // PCM
  put16(1);  // mono
  put32(sample_rate);
  put32(sample_rate * 2);
  put16(2);   // block align
  put16(16);  // bits per sample
  out += "data";
  put32(data_bytes);
  for (std::int16_t s : samples) put16(static_cast<std::uint16_t>(s));
  return out;
}

}  // namespace msn::media
