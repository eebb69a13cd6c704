// SPDX-License-Identifier: GPL-2.0-or-later
// Draws decoded ink (ink/isf.h) into an RGBA image scaled to fit a bounded canvas, and encodes
// it as PNG. Deterministic: the same strokes give the same bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "ink/isf.h"

namespace msn::ink {

// HIMETRIC (0.01 mm) per pixel at 96 dpi.
inline constexpr double kHimetricPerPixel = 2540.0 / 96.0;

struct RenderOptions {
  int max_width = 640;
  int max_height = 480;
  int min_size = 4;  // the smallest width and height, so a dot still makes an image
  bool transparent_background = false;  // white otherwise
  // Pixels looked at while drawing, in all; keeps hostile ink (many long, wide strokes) cheap.
  std::size_t max_work = 64'000'000;
};

// Rows top to bottom, 4 bytes per pixel (R, G, B, straight alpha).
struct Image {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;
};

// The strokes at 96 dpi with a margin of half the widest pen, scaled down to fit within
// max_width x max_height (never up). Pens are round, anti-aliased, of the stroke's width.
// Errors: kInvalidArgument for unusable options, kLimit when max_work would be passed.
Result<Image> rasterise(const Ink& ink, const RenderOptions& options = {});

// PNG (8-bit RGBA) of an image; kInvalidArgument when the image is empty or inconsistent.
Result<std::string> encode_png(const Image& image);

// rasterise() then encode_png().
Result<std::string> render_png(const Ink& ink, const RenderOptions& options = {});

}  // namespace msn::ink
