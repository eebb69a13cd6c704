// SPDX-License-Identifier: GPL-2.0-or-later
// The Siren frame decoder behind voice_clip.h: libavcodec's msnsiren when the build has it
// (siren_decoder_avcodec.cpp), otherwise a stub that says it is not available
// (siren_decoder_none.cpp). Only voice_clip.cpp uses this.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::media::detail {

bool siren_decoder_available();

// Decodes whole 40-byte frames to 320 samples each. Errc::kUnsupported without a decoder.
Result<std::vector<std::int16_t>> decode_siren_frames(std::string_view frames);

}  // namespace msn::media::detail
