// SPDX-License-Identifier: GPL-2.0-or-later
// The ink renderer: a known small drawing decoded back from PNG (size and pixels), scaling to
// the canvas bounds, colours and transparency, determinism and the work bound.
#include <png.h>

#include <string>
#include <vector>

#include "ink/isf.h"
#include "ink/render.h"
#include "ink_test_util.h"

namespace {

using msn::ink::Ink;
using msn::ink::RenderOptions;
using msn::ink::Stroke;

struct Decoded {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgba;

  std::vector<int> at(int x, int y) const {
    const auto i = (static_cast<std::size_t>(y) * static_cast<std::size_t>(width) +
                    static_cast<std::size_t>(x)) *
                   4;
    return {rgba[i], rgba[i + 1], rgba[i + 2], rgba[i + 3]};
  }
};

// Reads the PNG back with libpng, independently of the encoder's own buffer.
Decoded decode_png(const std::string& png) {
  Decoded out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  assert_true(png_image_begin_read_from_memory(&image, png.data(), png.size()) != 0);
  image.format = PNG_FORMAT_RGBA;
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  out.rgba.resize(PNG_IMAGE_SIZE(image));
  assert_true(png_image_finish_read(&image, nullptr, out.rgba.data(), 0, nullptr) != 0);
  png_image_free(&image);
  return out;
}

// A horizontal line 2646 HIMETRIC (100 px) long with a pen of 265 HIMETRIC (10 px).
Ink line(std::uint32_t colour, std::uint8_t transparency = 0) {
  Stroke stroke;
  stroke.points = {{0, 0}, {1323, 0}, {2646, 0}};
  stroke.attributes.colour = colour;
  stroke.attributes.pen_width = stroke.attributes.pen_height = 265;
  stroke.attributes.transparency = transparency;
  Ink ink;
  ink.strokes.push_back(stroke);
  return ink;
}

Decoded render(const Ink& ink, const RenderOptions& options = {}) {
  auto png = msn::ink::render_png(ink, options);
  if (!png) print_error("%s\n", png.error().detail.c_str());
  assert_true(png.is_ok());
  assert_true(png->compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  return decode_png(*png);
}

void assert_pixel(const Decoded& d, int x, int y, std::vector<int> want) {
  const auto got = d.at(x, y);
  if (got != want) {
    print_error("(%d,%d): got %d %d %d %d, want %d %d %d %d\n", x, y, got[0], got[1], got[2],
                got[3], want[0], want[1], want[2], want[3]);
    fail();
  }
}

void known_drawing(void**) {
  // 100 px of line plus a margin of 5 px (half the pen) and 1 px each side: 113 x 13.
  const Decoded d = render(line(0x0000ff));  // COLORREF red
  assert_int_equal(d.width, 113);
  assert_int_equal(d.height, 13);
  assert_pixel(d, 56, 6, {255, 0, 0, 255});     // on the line
  assert_pixel(d, 8, 6, {255, 0, 0, 255});      // near its start
  assert_pixel(d, 0, 0, {255, 255, 255, 255});  // white background
  assert_pixel(d, 112, 12, {255, 255, 255, 255});
  assert_pixel(d, 56, 0, {255, 255, 255, 255});  // 6 px above the centre line: outside the pen
  // The pen's edge is anti-aliased: partly covered pixels are between the two.
  const auto edge = d.at(56, 11);
  assert_true(edge[0] == 255 && edge[1] > 0 && edge[1] < 255);
}

void transparent_background_and_colours(void**) {
  RenderOptions options;
  options.transparent_background = true;
  const Decoded d = render(line(0xff0000), options);  // COLORREF blue
  assert_pixel(d, 0, 0, {0, 0, 0, 0});
  assert_pixel(d, 56, 6, {0, 0, 255, 255});
  // Half transparency over white.
  const Decoded faint = render(line(0xff0000, 128));
  assert_pixel(faint, 56, 6, {128, 128, 255, 255});
}

void scaled_to_fit_the_canvas(void**) {
  Ink ink = line(0);
  ink.strokes[0].points = {{0, 0}, {100'000, 0}};  // 3780 px long
  const Decoded d = render(ink);
  assert_int_equal(d.width, 640);
  assert_true(d.height >= 4 && d.height <= 6);
  // Two dots that far apart both land on the scaled canvas, at its two ends.
  Ink dots = line(0);
  dots.strokes[0].points = {{0, 0}};
  dots.strokes.push_back(dots.strokes[0]);
  dots.strokes[1].points = {{100'000, 0}};
  const Decoded ends = render(dots);
  assert_int_equal(ends.width, 640);
  assert_true(ends.at(0, 0)[0] < 128);
  assert_true(ends.at(639, 0)[0] < 128);
  assert_pixel(ends, 320, 0, {255, 255, 255, 255});
  RenderOptions small;
  small.max_width = 100;
  small.max_height = 50;
  ink.strokes[0].points = {{0, 0}, {0, 100'000}};
  const Decoded tall = render(ink, small);
  assert_int_equal(tall.height, 50);
  assert_int_equal(tall.width, 4);  // the minimum size
  // Nothing to draw: a blank image of the minimum size.
  const Decoded blank = render(Ink{});
  assert_int_equal(blank.width, 4);
  assert_int_equal(blank.height, 4);
  assert_pixel(blank, 2, 2, {255, 255, 255, 255});
}

void deterministic_and_vector_sample(void**) {
  const auto samples = msn::test::isf_samples();
  auto ink = msn::ink::parse_isf(samples[0].bytes);
  assert_true(ink.is_ok());
  auto first = msn::ink::render_png(*ink);
  auto second = msn::ink::render_png(*ink);
  assert_true(first.is_ok() && second.is_ok());
  assert_true(*first == *second);
  // Sample A: 7726 x 79 HIMETRIC of stroke and a 100 HIMETRIC pen, plus 50 + 26.5 HIMETRIC of
  // margin on each side: 7879 x 232 HIMETRIC = 297.8 x 8.8 px.
  const Decoded d = decode_png(*first);
  assert_int_equal(d.width, 298);
  assert_int_equal(d.height, 9);
  assert_pixel(d, 150, 4, {0, 0, 0, 255});
  assert_pixel(d, 0, 0, {255, 255, 255, 255});
}

void bounds_and_bad_arguments(void**) {
  Ink many = line(0);
  for (int i = 0; i < 50; ++i) many.strokes.push_back(many.strokes[0]);
  RenderOptions options;
  options.max_work = 10'000;
  auto limited = msn::ink::render_png(many, options);
  assert_false(limited.is_ok());
  assert_int_equal(limited.error().code, msn::Errc::kLimit);
  options = {};
  options.max_width = 2;
  assert_int_equal(msn::ink::rasterise(many, options).error().code, msn::Errc::kInvalidArgument);
  assert_false(msn::ink::encode_png(msn::ink::Image{}).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(known_drawing),
      cmocka_unit_test(transparent_background_and_colours),
      cmocka_unit_test(scaled_to_fit_the_canvas),
      cmocka_unit_test(deterministic_and_vector_sample),
      cmocka_unit_test(bounds_and_bad_arguments),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
