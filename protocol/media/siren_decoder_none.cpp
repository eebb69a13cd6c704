// SPDX-License-Identifier: GPL-2.0-or-later
// Built when meson's voice_clips option finds no libavcodec: voice clips stay undecoded.
#include "media/siren_decoder.h"

namespace msn::media::detail {

bool siren_decoder_available() { return false; }

Result<std::vector<std::int16_t>> decode_siren_frames(std::string_view /*frames*/) {
  return make_error(Errc::kUnsupported, "voice clip: built without libavcodec");
}

}  // namespace msn::media::detail
