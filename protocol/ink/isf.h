// SPDX-License-Identifier: GPL-2.0-or-later
// Decodes an Ink Serialized Format stream (Messenger's handwritten "ink", MSNP15.md §11.9) into
// strokes. What is read, what is skipped and the bounds are in docs/protocol/ink.md.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::ink {

// HIMETRIC (0.01 mm) of the ISF default pen, about 2 px at 96 dpi.
inline constexpr std::uint32_t kDefaultPenSize = 53;

struct DrawingAttributes {
  std::uint32_t colour = 0;                    // COLORREF 0x00BBGGRR; black by default
  std::uint32_t pen_width = kDefaultPenSize;   // HIMETRIC
  std::uint32_t pen_height = kDefaultPenSize;  // HIMETRIC
  std::uint32_t flags = 0;        // 0x1 fit to curve, 0x4 ignore pressure, 0x10 anti-aliased
  std::uint8_t transparency = 0;  // 0 opaque .. 255 invisible
  bool rectangle_tip = false;

  bool operator==(const DrawingAttributes&) const = default;
};

struct Point {
  std::int64_t x = 0;
  std::int64_t y = 0;
  bool operator==(const Point&) const = default;
};

struct Stroke {
  std::vector<Point> points;      // HIMETRIC, after the stream's transform
  std::vector<Point> raw_points;  // the packet values as stored (the stream's own units)
  DrawingAttributes attributes;
};

struct Ink {
  std::vector<Stroke> strokes;
  // The canvas size the sender declared (tag 29), HIMETRIC; 0 when absent. Informational: the
  // strokes may lie outside it.
  std::int64_t himetric_width = 0;
  std::int64_t himetric_height = 0;
};

struct IsfLimits {
  std::size_t max_input = 1024 * 1024;
  std::size_t max_strokes = 10'000;
  std::size_t max_points_per_stroke = 100'000;
  std::size_t max_points_total = 100'000;
  std::size_t max_tags = 100'000;
  std::size_t max_blocks = 1'024;  // drawing-attribute blocks and transforms, each
};

// The whole stream: tag 0, the MBUINT size of the rest, then the tags. Bytes after the declared
// size are ignored. Errors: kProtocol for malformed input, kLimit when a bound is passed.
Result<Ink> parse_isf(std::string_view bytes, const IsfLimits& limits = {});

}  // namespace msn::ink
