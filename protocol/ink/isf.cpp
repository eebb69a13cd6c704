// SPDX-License-Identifier: GPL-2.0-or-later
#include "ink/isf.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

#include "ink/isf_codec.h"

namespace msn::ink {

namespace {

// Tag numbers (MSNP15.md §11.9; Microsoft's ISF numbering).
enum Tag : std::uint64_t {
  kInkSpaceRectangle = 0,
  kDrawingAttributesTable = 2,
  kDrawingAttributesBlock = 3,
  kDrawingAttributesIndex = 9,
  kStroke = 10,
  kStrokeDescriptorIndex = 13,
  kTransformTable = 15,
  kTransformMatrix = 16,
  kTransformIsotropicScale = 17,
  kTransformAnisotropicScale = 18,
  kTransformRotate = 19,
  kTransformTranslate = 20,
  kTransformScaleAndTranslate = 21,
  kTransformQuad = 22,
  kTransformIndex = 23,
  kMetricIndex = 26,
  kHimetricSize = 29,
};

// Drawing-attribute property ids.
enum Property : std::uint64_t {
  kColour = 68,
  kPenWidth = 69,
  kPenHeight = 70,
  kPenTip = 71,
  kDrawingFlags = 72,
  kTransparency = 80,
};

// Transformed coordinates stay far inside what a double holds exactly and what the renderer's
// arithmetic can take.
constexpr double kMaxHimetric = 70'368'744'177'664.0;  // 2^46
// A pen wider than a metre is nonsense; clamping keeps the renderer's arithmetic small.
constexpr std::uint64_t kMaxPenSize = 100'000;

Error malformed(std::string detail) { return Error{Errc::kProtocol, "ISF: " + std::move(detail)}; }
Error too_much(std::string detail) { return Error{Errc::kLimit, "ISF: " + std::move(detail)}; }

struct Transform {
  double m11 = 1, m12 = 0, m21 = 0, m22 = 1, dx = 0, dy = 0;
};

// An MBUINT payload size, then that many bytes as their own cursor.
Result<ByteCursor> sized_payload(ByteCursor& in) {
  auto size = in.mbuint();
  if (!size) return size.error();
  return in.take(*size);
}

Result<std::vector<double>> floats(ByteCursor& in, int count) {
  std::vector<double> values;
  for (int i = 0; i < count; ++i) {
    auto f = in.float32();
    if (!f) return f.error();
    values.push_back(*f);
  }
  return values;
}

// The transform tags carry no payload size: their length follows from the tag.
Result<Transform> read_transform(std::uint64_t tag, ByteCursor& in) {
  Transform t;
  if (tag == kTransformRotate) {
    auto hundredths = in.mbuint();
    if (!hundredths) return hundredths.error();
    const double angle = static_cast<double>(*hundredths % 36000) * std::numbers::pi / 18000.0;
    t.m11 = t.m22 = std::cos(angle);
    t.m12 = -std::sin(angle);
    t.m21 = std::sin(angle);
    return t;
  }
  const int count = tag == kTransformMatrix              ? 6
                    : tag == kTransformIsotropicScale    ? 1
                    : tag == kTransformScaleAndTranslate ? 4
                                                         : 2;
  auto v = floats(in, count);
  if (!v) return v.error();
  const auto& f = *v;
  switch (tag) {
    case kTransformMatrix:  // stored column by column
      t = {f[0], f[2], f[1], f[3], f[4], f[5]};
      break;
    case kTransformIsotropicScale:
      t.m11 = t.m22 = f[0];
      break;
    case kTransformAnisotropicScale:
      t.m11 = f[0];
      t.m22 = f[1];
      break;
    case kTransformTranslate:
      t.dx = f[0];
      t.dy = f[1];
      break;
    default:  // scale and translate
      t = {f[0], 0, 0, f[1], f[2], f[3]};
      break;
  }
  return t;
}

bool is_transform(std::uint64_t tag) {
  return tag >= kTransformMatrix && tag <= kTransformScaleAndTranslate;
}

class Decoder {
 public:
  explicit Decoder(const IsfLimits& limits) : limits_(limits) {}

  Status run(ByteCursor& stream) {
    while (!stream.at_end()) {
      if (++tags_ > limits_.max_tags) return too_much("too many tags");
      auto tag = stream.mbuint();
      if (!tag) return tag.error();
      if (auto s = one_tag(*tag, stream); !s) return s;
    }
    return Status::ok();
  }

  Ink take() { return std::move(ink_); }

 private:
  Status one_tag(std::uint64_t tag, ByteCursor& in) {
    if (is_transform(tag)) return add_transform(tag, in);
    switch (tag) {
      case kInkSpaceRectangle:  // four MBSINTs, no size; not needed to draw
        for (int i = 0; i < 4; ++i) {
          if (auto v = in.mbsint(); !v) return v.error();
        }
        return Status::ok();
      case kDrawingAttributesIndex:
        return read_index(in, attributes_index_);
      case kTransformIndex:
        return read_index(in, transform_index_);
      case kStrokeDescriptorIndex:
      case kMetricIndex: {
        std::size_t ignored = 0;
        return read_index(in, ignored);
      }
      case kTransformQuad:
        return malformed("quad transforms are not supported");
      default:
        break;
    }
    // Every other tag has a payload size, so an unknown one is skipped whole.
    auto payload = sized_payload(in);
    if (!payload) return payload.error();
    switch (tag) {
      case kDrawingAttributesBlock:
        return add_attributes(*payload);
      case kDrawingAttributesTable:
        return attributes_table(*payload);
      case kTransformTable:
        return transform_table(*payload);
      case kStroke:
        return add_stroke(*payload);
      case kHimetricSize:
        return himetric_size(*payload);
      default:
        return Status::ok();
    }
  }

  static Status read_index(ByteCursor& in, std::size_t& index) {
    auto v = in.mbuint();
    if (!v) return v.error();
    // An index past the blocks selects the defaults (see current_*), so clamping is harmless.
    index = static_cast<std::size_t>(std::min<std::uint64_t>(*v, 1u << 20));
    return Status::ok();
  }

  Status himetric_size(ByteCursor& payload) {
    auto w = payload.mbsint();
    if (!w) return w.error();
    auto h = payload.mbsint();
    if (!h) return h.error();
    ink_.himetric_width = *w;
    ink_.himetric_height = *h;
    return Status::ok();
  }

  Status attributes_table(ByteCursor& table) {
    while (!table.at_end()) {
      auto block = sized_payload(table);
      if (!block) return block.error();
      if (auto s = add_attributes(*block); !s) return s;
    }
    return Status::ok();
  }

  Status add_attributes(ByteCursor& block) {
    if (attributes_.size() >= limits_.max_blocks) return too_much("too many drawing attributes");
    DrawingAttributes a;
    bool height_given = false;
    while (!block.at_end()) {
      auto id = block.mbuint();
      if (!id) return id.error();
      const bool known = *id == kColour || *id == kPenWidth || *id == kPenHeight ||
                         *id == kPenTip || *id == kDrawingFlags || *id == kTransparency;
      // Other properties have layouts of their own; the rest of the block is skipped, and
      // what was read so far is kept.
      if (!known) break;
      auto value = block.mbuint();
      if (!value) return value.error();
      const auto pen = static_cast<std::uint32_t>(std::min(*value, kMaxPenSize));
      switch (*id) {
        case kColour:
          a.colour = static_cast<std::uint32_t>(*value & 0xFFFFFFu);
          break;
        case kPenWidth:
          a.pen_width = pen;
          if (!height_given) a.pen_height = pen;  // a round pen unless a height follows
          break;
        case kPenHeight:
          a.pen_height = pen;
          height_given = true;
          break;
        case kPenTip:
          a.rectangle_tip = *value == 1;
          break;
        case kDrawingFlags:
          a.flags = static_cast<std::uint32_t>(*value & 0xFFFFFFFFu);
          break;
        default:
          a.transparency = static_cast<std::uint8_t>(std::min<std::uint64_t>(*value, 255));
          break;
      }
    }
    attributes_.push_back(a);
    return Status::ok();
  }

  Status transform_table(ByteCursor& table) {
    while (!table.at_end()) {
      auto tag = table.mbuint();
      if (!tag) return tag.error();
      // Anything else in a table has no known length: the rest of the table is skipped.
      if (!is_transform(*tag)) break;
      if (auto s = add_transform(*tag, table); !s) return s;
    }
    return Status::ok();
  }

  Status add_transform(std::uint64_t tag, ByteCursor& in) {
    if (transforms_.size() >= limits_.max_blocks) return too_much("too many transforms");
    auto t = read_transform(tag, in);
    if (!t) return t.error();
    transforms_.push_back(*t);
    return Status::ok();
  }

  // The block selected last applies; before any block (or past the last) the defaults do.
  DrawingAttributes current_attributes() const {
    return attributes_index_ < attributes_.size() ? attributes_[attributes_index_]
                                                  : DrawingAttributes{};
  }
  Transform current_transform() const {
    return transform_index_ < transforms_.size() ? transforms_[transform_index_] : Transform{};
  }

  Status add_stroke(ByteCursor& payload) {
    auto count = payload.mbuint();
    if (!count) return count.error();
    if (*count == 0) return Status::ok();
    if (ink_.strokes.size() >= limits_.max_strokes) return too_much("too many strokes");
    if (*count > limits_.max_points_per_stroke) return too_much("too many points in a stroke");
    if (*count > limits_.max_points_total - points_total_) return too_much("too many points");
    const auto n = static_cast<std::size_t>(*count);
    std::vector<std::int64_t> xs, ys;
    // X and Y always come first; further packet properties (pressure, ...) are skipped with
    // the rest of the payload.
    if (auto s = decode_packet_block(payload, n, xs); !s) return s;
    if (auto s = decode_packet_block(payload, n, ys); !s) return s;
    Stroke stroke;
    stroke.attributes = current_attributes();
    if (auto s = place_points(xs, ys, stroke); !s) return s;
    points_total_ += n;
    ink_.strokes.push_back(std::move(stroke));
    return Status::ok();
  }

  Status place_points(const std::vector<std::int64_t>& xs, const std::vector<std::int64_t>& ys,
                      Stroke& stroke) const {
    const Transform t = current_transform();
    stroke.points.reserve(xs.size());
    stroke.raw_points.reserve(xs.size());
    for (std::size_t i = 0; i < xs.size(); ++i) {
      const auto x = static_cast<double>(xs[i]);
      const auto y = static_cast<double>(ys[i]);
      const double hx = std::floor(t.m11 * x + t.m12 * y + t.dx);
      const double hy = std::floor(t.m21 * x + t.m22 * y + t.dy);
      if (!(std::fabs(hx) <= kMaxHimetric && std::fabs(hy) <= kMaxHimetric)) {
        return malformed("transformed point out of range");
      }
      stroke.raw_points.push_back({xs[i], ys[i]});
      stroke.points.push_back({static_cast<std::int64_t>(hx), static_cast<std::int64_t>(hy)});
    }
    return Status::ok();
  }

  const IsfLimits& limits_;
  Ink ink_;
  std::vector<DrawingAttributes> attributes_;
  std::vector<Transform> transforms_;
  std::size_t attributes_index_ = 0;
  std::size_t transform_index_ = 0;
  std::size_t points_total_ = 0;
  std::size_t tags_ = 0;
};

}  // namespace

Result<Ink> parse_isf(std::string_view bytes, const IsfLimits& limits) {
  if (bytes.size() > limits.max_input) return too_much("stream too large");
  ByteCursor in(bytes);
  auto version = in.mbuint();
  if (!version) return version.error();
  if (*version != 0) return malformed("not an ISF stream");
  auto stream = sized_payload(in);
  if (!stream) return stream.error();
  Decoder decoder(limits);
  if (auto s = decoder.run(*stream); !s) return s.error();
  return decoder.take();
}

}  // namespace msn::ink
