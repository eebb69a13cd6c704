// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the ISF decoder and the ink renderer. The input is an ISF stream.
// Checked: a decoded stream keeps within its bounds (strokes, points, one HIMETRIC point per
// raw point), and whatever decodes renders to a PNG within the canvas bounds or to a kLimit
// error.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "ink/isf.h"
#include "ink/render.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  ink::IsfLimits limits;
  limits.max_strokes = 1'000;
  limits.max_points_total = 20'000;
  auto decoded = ink::parse_isf(input, limits);
  if (!decoded) {
    check(decoded.error().code == Errc::kProtocol || decoded.error().code == Errc::kLimit);
    return 0;
  }
  std::size_t points = 0;
  check(decoded->strokes.size() <= limits.max_strokes);
  for (const auto& stroke : decoded->strokes) {
    check(!stroke.points.empty());
    check(stroke.points.size() == stroke.raw_points.size());
    points += stroke.points.size();
  }
  check(points <= limits.max_points_total);

  ink::RenderOptions options;
  options.max_width = 160;
  options.max_height = 120;
  options.max_work = 2'000'000;  // keeps each run fast; the bound itself is what is exercised
  auto image = ink::rasterise(*decoded, options);
  if (!image) {
    check(image.error().code == Errc::kLimit);
    return 0;
  }
  check(image->width >= options.min_size && image->width <= options.max_width);
  check(image->height >= options.min_size && image->height <= options.max_height);
  auto png = ink::encode_png(*image);
  check(png.is_ok() && png->size() > 8 && png->compare(1, 3, "PNG") == 0);
  return 0;
}
