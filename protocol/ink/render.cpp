// SPDX-License-Identifier: GPL-2.0-or-later
#include "ink/render.h"

#include <png.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace msn::ink {

namespace {

// Radius cap in pixels: a pen of this size already covers most of a small canvas, and it keeps
// the work per segment bounded.
constexpr double kMaxRadius = 64.0;

struct Layout {
  double min_x = 0, min_y = 0;  // HIMETRIC at the canvas's top-left corner
  double scale = 1;             // pixels per HIMETRIC
  int width = 0, height = 0;
};

struct PixelPoint {
  double x, y;
};

Layout lay_out(const Ink& ink, const RenderOptions& options) {
  double min_x = std::numeric_limits<double>::max(), min_y = min_x;
  double max_x = std::numeric_limits<double>::lowest(), max_y = max_x;
  double pen = 0;
  for (const auto& stroke : ink.strokes) {
    for (const auto& p : stroke.points) {
      min_x = std::min(min_x, static_cast<double>(p.x));
      max_x = std::max(max_x, static_cast<double>(p.x));
      min_y = std::min(min_y, static_cast<double>(p.y));
      max_y = std::max(max_y, static_cast<double>(p.y));
    }
    if (!stroke.points.empty())
      pen = std::max(pen, static_cast<double>(stroke.attributes.pen_width));
  }
  Layout layout;
  if (min_x > max_x) {  // nothing to draw
    layout.width = layout.height = options.min_size;
    return layout;
  }
  // Half the widest pen plus one pixel on every side, so round caps are not cut off.
  const double margin = pen / 2 + kHimetricPerPixel;
  layout.min_x = min_x - margin;
  layout.min_y = min_y - margin;
  const double width_px = (max_x - min_x + 2 * margin) / kHimetricPerPixel;
  const double height_px = (max_y - min_y + 2 * margin) / kHimetricPerPixel;
  const double fit = std::min({1.0, options.max_width / width_px, options.max_height / height_px});
  layout.scale = fit / kHimetricPerPixel;
  layout.width =
      std::clamp(static_cast<int>(std::ceil(width_px * fit)), options.min_size, options.max_width);
  layout.height = std::clamp(static_cast<int>(std::ceil(height_px * fit)), options.min_size,
                             options.max_height);
  return layout;
}

// Distance from (px, py) to the segment a-b.
double distance_to_segment(double px, double py, PixelPoint a, PixelPoint b) {
  const double dx = b.x - a.x, dy = b.y - a.y;
  const double length2 = dx * dx + dy * dy;
  double t = 0;
  if (length2 > 0) t = std::clamp(((px - a.x) * dx + (py - a.y) * dy) / length2, 0.0, 1.0);
  const double ex = px - (a.x + t * dx), ey = py - (a.y + t * dy);
  return std::sqrt(ex * ex + ey * ey);
}

// Draws one stroke at a time into a coverage mask (the largest coverage per pixel wins, so
// overlapping segments of one stroke do not darken their joints), then blends the mask once.
class Canvas {
 public:
  Canvas(const Layout& layout, const RenderOptions& options)
      : layout_(layout),
        options_(options),
        pixels_(
            static_cast<std::size_t>(layout.width) * static_cast<std::size_t>(layout.height) * 4,
            options.transparent_background ? 0.0f : 1.0f),
        coverage_(static_cast<std::size_t>(layout.width) * static_cast<std::size_t>(layout.height),
                  0.0f) {}

  Status draw(const Stroke& stroke) {
    if (stroke.points.empty()) return Status::ok();
    const double radius =
        std::clamp(stroke.attributes.pen_width / 2.0 * layout_.scale, 0.5, kMaxRadius);
    left_ = layout_.width;
    top_ = layout_.height;
    right_ = bottom_ = -1;
    PixelPoint previous = to_pixels(stroke.points.front());
    for (const auto& p : stroke.points) {
      const PixelPoint here = to_pixels(p);
      if (auto s = segment(previous, here, radius); !s) return s;
      previous = here;
    }
    blend(stroke.attributes);
    return Status::ok();
  }

  Image finish() const {
    Image image{layout_.width, layout_.height, {}};
    image.rgba.resize(pixels_.size());
    for (std::size_t i = 0; i < pixels_.size(); i += 4) {
      const float alpha = pixels_[i + 3];
      for (std::size_t c = 0; c < 3; ++c) {
        const float straight = alpha > 0 ? pixels_[i + c] / alpha : 0.0f;
        image.rgba[i + c] = to_byte(straight);
      }
      image.rgba[i + 3] = to_byte(alpha);
    }
    return image;
  }

 private:
  static std::uint8_t to_byte(float v) {
    return static_cast<std::uint8_t>(std::lround(std::clamp(v, 0.0f, 1.0f) * 255.0f));
  }

  PixelPoint to_pixels(const Point& p) const {
    return {(static_cast<double>(p.x) - layout_.min_x) * layout_.scale,
            (static_cast<double>(p.y) - layout_.min_y) * layout_.scale};
  }

  Status segment(PixelPoint a, PixelPoint b, double radius) {
    const double reach = radius + 1;
    const int x0 = clamp_x(std::floor(std::min(a.x, b.x) - reach));
    const int x1 = clamp_x(std::ceil(std::max(a.x, b.x) + reach));
    const int y0 = clamp_y(std::floor(std::min(a.y, b.y) - reach));
    const int y1 = clamp_y(std::ceil(std::max(a.y, b.y) + reach));
    const auto area = static_cast<std::size_t>(x1 - x0 + 1) * static_cast<std::size_t>(y1 - y0 + 1);
    work_ += area;
    if (work_ > options_.max_work) return Error{Errc::kLimit, "ink: too much to draw"};
    for (int y = y0; y <= y1; ++y) {
      for (int x = x0; x <= x1; ++x) {
        const double d = distance_to_segment(x + 0.5, y + 0.5, a, b);
        const auto cover = static_cast<float>(std::clamp(radius + 0.5 - d, 0.0, 1.0));
        float& mask = coverage_[index(x, y)];
        mask = std::max(mask, cover);
      }
    }
    left_ = std::min(left_, x0);
    right_ = std::max(right_, x1);
    top_ = std::min(top_, y0);
    bottom_ = std::max(bottom_, y1);
    return Status::ok();
  }

  // Source-over in premultiplied floats; the mask is cleared behind it for the next stroke.
  void blend(const DrawingAttributes& a) {
    const float opacity = static_cast<float>(255 - a.transparency) / 255.0f;
    const float colour[3] = {static_cast<float>(a.colour & 0xFFu) / 255.0f,
                             static_cast<float>((a.colour >> 8) & 0xFFu) / 255.0f,
                             static_cast<float>((a.colour >> 16) & 0xFFu) / 255.0f};
    for (int y = top_; y <= bottom_; ++y) {
      for (int x = left_; x <= right_; ++x) {
        float& mask = coverage_[index(x, y)];
        const float alpha = mask * opacity;
        mask = 0;
        if (alpha <= 0) continue;
        float* px = &pixels_[index(x, y) * 4];
        for (int c = 0; c < 3; ++c) px[c] = colour[c] * alpha + px[c] * (1 - alpha);
        px[3] = alpha + px[3] * (1 - alpha);
      }
    }
  }

  // Pixel columns and rows on the canvas nearest to v.
  int clamp_x(double v) const {
    return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(layout_.width - 1)));
  }
  int clamp_y(double v) const {
    return static_cast<int>(std::clamp(v, 0.0, static_cast<double>(layout_.height - 1)));
  }
  std::size_t index(int x, int y) const {
    return static_cast<std::size_t>(y) * static_cast<std::size_t>(layout_.width) +
           static_cast<std::size_t>(x);
  }

  const Layout& layout_;
  const RenderOptions& options_;
  std::vector<float> pixels_;
  std::vector<float> coverage_;
  std::size_t work_ = 0;
  int left_ = 0, top_ = 0, right_ = -1, bottom_ = -1;
};

// Frees what libpng's simplified API may still hold after a call.
struct PngImageGuard {
  png_image image{};
  PngImageGuard() { image.version = PNG_IMAGE_VERSION; }
  ~PngImageGuard() { png_image_free(&image); }
  PngImageGuard(const PngImageGuard&) = delete;
  PngImageGuard& operator=(const PngImageGuard&) = delete;
};

}  // namespace

Result<Image> rasterise(const Ink& ink, const RenderOptions& options) {
  if (options.min_size < 1 || options.max_width < options.min_size ||
      options.max_height < options.min_size || options.max_width > 8192 ||
      options.max_height > 8192) {
    return Error{Errc::kInvalidArgument, "ink: unusable canvas bounds"};
  }
  const Layout layout = lay_out(ink, options);
  Canvas canvas(layout, options);
  for (const auto& stroke : ink.strokes) {
    if (auto s = canvas.draw(stroke); !s) return s.error();
  }
  return canvas.finish();
}

Result<std::string> encode_png(const Image& image) {
  if (image.width < 1 || image.height < 1 ||
      image.rgba.size() !=
          static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height) * 4) {
    return Error{Errc::kInvalidArgument, "ink: no image to encode"};
  }
  PngImageGuard png;
  png.image.width = static_cast<png_uint_32>(image.width);
  png.image.height = static_cast<png_uint_32>(image.height);
  png.image.format = PNG_FORMAT_RGBA;
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&png.image, nullptr, &size, 0, image.rgba.data(), 0, nullptr) ==
      0) {
    return Error{Errc::kInvalidArgument, std::string("ink: PNG: ") + png.image.message};
  }
  std::string out(size, '\0');
  if (png_image_write_to_memory(&png.image, out.data(), &size, 0, image.rgba.data(), 0, nullptr) ==
      0) {
    return Error{Errc::kInvalidArgument, std::string("ink: PNG: ") + png.image.message};
  }
  out.resize(size);
  return out;
}

Result<std::string> render_png(const Ink& ink, const RenderOptions& options) {
  auto image = rasterise(ink, options);
  if (!image) return image.error();
  return encode_png(*image);
}

}  // namespace msn::ink
