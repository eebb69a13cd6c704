// SPDX-License-Identifier: GPL-2.0-or-later
// Voice clips: the server-made clip decodes to 320 samples per frame at 16000 Hz (when the build
// has libavcodec; otherwise the API says so), the PCM WAV it produces, and hostile containers.
#include <string>

#include "media/voice_clip.h"
#include "media_test_util.h"

namespace {

using msn::Errc;
using msn::media::decode_voice_clip;
using msn::media::decode_voice_clip_samples;
using msn::media::parse_voice_clip;
using msn::media::pcm_wav;
using msn::media::voice_clip_decoding_available;
using msn::media::VoiceClipLimits;
using msn::test::chunk;
using msn::test::fmt_chunk;
using msn::test::read_sample;
using msn::test::riff;
using msn::test::siren_wav;
using msn::test::WavFormat;

std::uint32_t u32_at(const std::string& s, std::size_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(s[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(s[at + 3])) << 24;
}

void server_clip_parses(void**) {
  auto clip = parse_voice_clip(read_sample("voice-clip.wav"));
  if (!clip) print_error("%s\n", clip.error().detail.c_str());
  assert_true(clip.is_ok());
  assert_int_equal(clip->frame_count, 50);
  assert_int_equal(clip->samples(), 16000);
  assert_int_equal(clip->fact_samples, 16000);
}

void server_clip_decodes(void**) {
  assert_int_equal(voice_clip_decoding_available(), EXPECT_SIREN_DECODER);
  const std::string wav = read_sample("voice-clip.wav");
  auto samples = decode_voice_clip_samples(wav);
  if (!voice_clip_decoding_available()) {
    assert_false(samples.is_ok());
    assert_int_equal(samples.error().code, Errc::kUnsupported);
    return;
  }
  if (!samples) print_error("%s\n", samples.error().detail.c_str());
  assert_true(samples.is_ok());
  assert_int_equal(samples->size(), 16000);  // one second
  auto pcm = decode_voice_clip(wav);
  assert_true(pcm.is_ok());
  assert_int_equal(pcm->size(), 44 + 32000);
  assert_true(pcm->compare(0, 4, "RIFF") == 0 && pcm->compare(8, 8, "WAVEfmt ") == 0);
  assert_int_equal(u32_at(*pcm, 24), 16000);  // sample rate
  assert_int_equal(u32_at(*pcm, 40), 32000);  // data bytes
}

void pcm_wav_header(void**) {
  const std::string wav = pcm_wav({1, -2, 32767}, 16000);
  assert_int_equal(wav.size(), 44 + 6);
  assert_int_equal(u32_at(wav, 4), 36 + 6);
  assert_int_equal(u32_at(wav, 28), 32000);  // byte rate
  assert_bytes_equal(wav.substr(44), std::string("\x01\x00\xfe\xff\xff\x7f", 6));
}

void expect_error(const std::string& wav, Errc code, const VoiceClipLimits& limits = {}) {
  auto clip = parse_voice_clip(wav, limits);
  assert_false(clip.is_ok());
  if (clip.error().code != code) print_error("%s\n", clip.error().detail.c_str());
  assert_int_equal(clip.error().code, code);
}

void every_truncation_is_refused(void**) {
  const std::string wav = read_sample("voice-clip.wav");
  for (std::size_t n = 0; n < wav.size(); ++n) {
    auto clip = parse_voice_clip(wav.substr(0, n));
    if (clip) print_error("truncated to %zu bytes parses\n", n);
    assert_false(clip.is_ok());
  }
}

void other_formats_are_refused(void**) {
  const std::string frames(400, '\0');
  WavFormat f;
  f.tag = 1;  // PCM
  expect_error(siren_wav(frames, f), Errc::kProtocol);
  f = {};
  f.channels = 2;
  expect_error(siren_wav(frames, f), Errc::kProtocol);
  f = {};
  f.rate = 8000;
  expect_error(siren_wav(frames, f), Errc::kProtocol);
  f = {};
  f.align = 80;
  expect_error(siren_wav(frames, f), Errc::kProtocol);
  f = {};
  f.extra = 640;
  expect_error(siren_wav(frames, f), Errc::kProtocol);
  expect_error(riff(chunk("fmt ", std::string(16, '\0')) + chunk("data", frames)), Errc::kProtocol);
}

void malformed_containers_are_refused(void**) {
  const std::string frames(400, '\0');
  expect_error("", Errc::kProtocol);
  expect_error("RIFF\0\0\0\0WAVX", Errc::kProtocol);
  expect_error(siren_wav(std::string(399, '\0')), Errc::kProtocol);  // not whole frames
  expect_error(siren_wav(""), Errc::kProtocol);                      // no frames
  expect_error(riff(fmt_chunk()), Errc::kProtocol);                  // no data chunk
  expect_error(riff(chunk("data", frames)), Errc::kProtocol);        // no fmt chunk
  // A chunk whose size runs past the end of the file.
  std::string wav = siren_wav(frames);
  wav[wav.size() - frames.size() - 2] = '\x7f';
  expect_error(wav, Errc::kProtocol);
  std::string padding;
  for (int i = 0; i < 20; ++i) padding += chunk("junk", "xx");
  expect_error(riff(padding + fmt_chunk() + chunk("data", frames)), Errc::kProtocol);
  // A few unknown chunks, odd-sized ones with their pad byte, are fine.
  assert_true(parse_voice_clip(riff(chunk("LIST", "abc") + std::string(1, '\0') + fmt_chunk() +
                                    chunk("data", frames)))
                  .is_ok());
}

void length_bound(void**) {
  assert_true(parse_voice_clip(siren_wav(std::string(3000 * 40, '\0'))).is_ok());  // 60 s
  expect_error(siren_wav(std::string(3001 * 40, '\0')), Errc::kLimit);
  VoiceClipLimits short_clips;
  short_clips.max_seconds = 1;
  expect_error(siren_wav(std::string(51 * 40, '\0')), Errc::kLimit, short_clips);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(server_clip_parses),
      cmocka_unit_test(server_clip_decodes),
      cmocka_unit_test(pcm_wav_header),
      cmocka_unit_test(every_truncation_is_refused),
      cmocka_unit_test(other_formats_are_refused),
      cmocka_unit_test(malformed_containers_are_refused),
      cmocka_unit_test(length_bound),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
