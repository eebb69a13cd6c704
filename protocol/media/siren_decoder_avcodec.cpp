// SPDX-License-Identifier: GPL-2.0-or-later
// Siren decoding with FFmpeg's libavcodec "msnsiren" decoder (FFmpeg 5.1 and later).
#include <cmath>
#include <cstring>
#include <memory>

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavutil/channel_layout.h>
#include <libavutil/error.h>
#include <libavutil/frame.h>
}

#include "media/siren_decoder.h"

namespace msn::media::detail {

namespace {

constexpr int kFrameBytes = 40;
constexpr int kSampleRate = 16000;

// FFmpeg's free functions take a pointer to the pointer; these adapt them to unique_ptr.
struct CodecContextDeleter {
  void operator()(AVCodecContext* c) const noexcept { avcodec_free_context(&c); }
};
struct PacketDeleter {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};
struct FrameDeleter {
  void operator()(AVFrame* f) const noexcept { av_frame_free(&f); }
};
using CodecContextPtr = std::unique_ptr<AVCodecContext, CodecContextDeleter>;
using PacketPtr = std::unique_ptr<AVPacket, PacketDeleter>;
using FramePtr = std::unique_ptr<AVFrame, FrameDeleter>;

Error av_failure(const char* what, int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return make_error(Errc::kProtocol, std::string("voice clip: ") + what + ": " + text);
}

std::int16_t to_pcm16(float v) {
  const float scaled = std::nearbyint(v * 32768.0f);
  if (!(scaled > -32768.0f)) return -32768;  // also catches NaN
  if (scaled > 32767.0f) return 32767;
  return static_cast<std::int16_t>(scaled);
}

// Moves every frame the decoder has ready into `out`.
Status drain(AVCodecContext* ctx, AVFrame* frame, std::vector<std::int16_t>& out,
             std::size_t max_samples) {
  for (;;) {
    const int r = avcodec_receive_frame(ctx, frame);
    if (r == AVERROR(EAGAIN) || r == AVERROR_EOF) return Status::ok();
    if (r < 0) return av_failure("decoding", r);
    if (frame->format != AV_SAMPLE_FMT_FLT || frame->ch_layout.nb_channels != 1 ||
        frame->nb_samples < 0)
      return make_error(Errc::kProtocol,
                        "voice clip: the decoder produced an unexpected sample format");
    const auto n = static_cast<std::size_t>(frame->nb_samples);
    if (n > max_samples - out.size())
      return make_error(Errc::kProtocol, "voice clip: more samples than frames");
    const auto* samples = reinterpret_cast<const float*>(frame->data[0]);
    for (std::size_t i = 0; i < n; ++i) out.push_back(to_pcm16(samples[i]));
    av_frame_unref(frame);
  }
}

const AVCodec* msnsiren() { return avcodec_find_decoder(AV_CODEC_ID_MSNSIREN); }

}  // namespace

bool siren_decoder_available() { return msnsiren() != nullptr; }

Result<std::vector<std::int16_t>> decode_siren_frames(std::string_view frames) {
  const AVCodec* codec = msnsiren();
  if (codec == nullptr)
    return make_error(Errc::kUnsupported, "voice clip: libavcodec has no msnsiren decoder");
  CodecContextPtr ctx(avcodec_alloc_context3(codec));
  PacketPtr packet(av_packet_alloc());
  FramePtr frame(av_frame_alloc());
  if (!ctx || !packet || !frame) return make_error(Errc::kLimit, "voice clip: out of memory");
  // The decoder takes its frame size from the sample rate (16000 / 50 bits = 40 bytes).
  ctx->sample_rate = kSampleRate;
  ctx->block_align = kFrameBytes;
  av_channel_layout_default(&ctx->ch_layout, 1);
  if (const int r = avcodec_open2(ctx.get(), codec, nullptr); r < 0)
    return av_failure("opening msnsiren", r);
  const std::size_t count = frames.size() / kFrameBytes;
  const std::size_t max_samples = count * 320;
  std::vector<std::int16_t> out;
  out.reserve(max_samples);
  for (std::size_t i = 0; i < count; ++i) {
    if (const int r = av_new_packet(packet.get(), kFrameBytes); r < 0)
      return av_failure("packet", r);
    std::memcpy(packet->data, frames.data() + i * kFrameBytes, kFrameBytes);
    const int sent = avcodec_send_packet(ctx.get(), packet.get());
    av_packet_unref(packet.get());
    if (sent < 0) return av_failure("sending a frame", sent);
    MSN_TRY(drain(ctx.get(), frame.get(), out, max_samples));
  }
  if (const int r = avcodec_send_packet(ctx.get(), nullptr); r < 0)
    return av_failure("flushing", r);
  MSN_TRY(drain(ctx.get(), frame.get(), out, max_samples));
  return out;
}

}  // namespace msn::media::detail
