// SPDX-License-Identifier: GPL-2.0-or-later
// The ISF decoder: every point of every sample in tests/data/vectors/isf-ink.txt, the codecs on
// hand-made bits, and each transform and table on hand-made streams.
#include <string>
#include <vector>

#include "crypto/crypto.h"
#include "ink/isf.h"
#include "ink/isf_codec.h"
#include "ink_test_util.h"

namespace {

using msn::ink::ByteCursor;
using msn::ink::Ink;
using msn::ink::Point;
using msn::test::isf_samples;
using msn::test::isf_stream;
using msn::test::parse_points;
using msn::test::sample_field;
using msn::test::unhex;

void assert_points_equal(const std::vector<Point>& got, const std::vector<Point>& want) {
  assert_int_equal(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (got[i] != want[i]) {
      print_error("point %zu: got (%lld,%lld), want (%lld,%lld)\n", i,
                  static_cast<long long>(got[i].x), static_cast<long long>(got[i].y),
                  static_cast<long long>(want[i].x), static_cast<long long>(want[i].y));
      fail();
    }
  }
}

void vector_samples_decode_point_for_point(void**) {
  const auto samples = isf_samples();
  assert_int_equal(samples.size(), 2);
  for (const auto& s : samples) {
    // The stream is the one the vector names: its SHA-1 and, for the captured message, the
    // base64 body of the MSG.
    assert_string_equal(msn::crypto::hex_encode(msn::crypto::sha1(s.bytes)).c_str(),
                        sample_field(s, "isf_sha1").c_str());
    const std::string body = sample_field(s, "body");
    if (!body.empty()) {
      auto decoded = msn::crypto::base64_decode(body.substr(std::string("base64:").size()));
      assert_true(decoded.is_ok());
      assert_true(*decoded == s.bytes);
    }
    auto ink = msn::ink::parse_isf(s.bytes);
    assert_true(ink.is_ok());
    std::smatch m;
    assert_true(std::regex_search(s.text, m, std::regex(R"(decoded: strokes=(\d+))")));
    assert_int_equal(ink->strokes.size(), std::stoul(m[1].str()));
    assert_true(std::regex_search(s.text, m, std::regex(R"(HimetricSize +(\d+) x (\d+))")));
    assert_int_equal(ink->himetric_width, std::stol(m[1].str()));
    assert_int_equal(ink->himetric_height, std::stol(m[2].str()));

    const auto& stroke = ink->strokes[0];
    const std::string line = sample_field(s, "stroke0:").empty()
                                 ? s.text.substr(s.text.find("stroke0: "))
                                 : sample_field(s, "stroke0:");
    assert_true(std::regex_search(line, m, std::regex(R"(points=(\d+))")));
    assert_int_equal(stroke.points.size(), std::stoul(m[1].str()));
    assert_true(std::regex_search(line, m, std::regex(R"(pen=(\d+)x(\d+))")));
    assert_int_equal(stroke.attributes.pen_width, std::stoul(m[1].str()));
    assert_int_equal(stroke.attributes.pen_height, std::stoul(m[2].str()));
    assert_true(std::regex_search(line, m, std::regex(R"(drawing_flags=0x([0-9a-f]+))")));
    assert_int_equal(stroke.attributes.flags, std::stoul(m[1].str(), nullptr, 16));
    // "colour=black" with or without the COLORREF spelled out.
    assert_true(std::regex_search(line, m, std::regex(R"(colour=black)")));
    assert_int_equal(stroke.attributes.colour, 0);
    assert_int_equal(stroke.attributes.transparency, 0);

    assert_points_equal(stroke.raw_points, parse_points(sample_field(s, "stroke0_raw_xy")));
    assert_points_equal(stroke.points, parse_points(sample_field(s, "stroke0_himetric")));
  }
}

void huffman_codes(void**) {
  // Table 2 (bits 0 1 1 1 2 ...): "0" = 0; "10", "110", "1110" + a sign bit = +-1, +-2, +-3.
  // 0 | 10 0 | 10 1 | 110 0 | 1110 1
  const std::string bits = unhex("4b9d");  // 0100 1011 1001 1101
  ByteCursor in(bits);
  std::vector<std::int64_t> out;
  assert_true(msn::ink::decode_huffman(in, 2, 5, out).is_ok());
  assert_true((out == std::vector<std::int64_t>{0, 1, -1, 2, -3}));
  assert_int_equal(in.position(), 2);  // the block ends on the byte holding its last bit
  ByteCursor bad(bits);
  out.clear();
  assert_false(msn::ink::decode_huffman(bad, 8, 1, out).is_ok());
}

void huffman_prefix_too_long_fails(void**) {
  // Table 7 has seven prefix lengths; eight one-bits and a zero name none of them.
  const std::string ones = unhex(
      "ff00"
      "0000");
  ByteCursor in(ones);
  std::vector<std::int64_t> out;
  auto s = msn::ink::decode_huffman(in, 7, 1, out);
  assert_false(s.is_ok());
  assert_int_equal(s.error().code, msn::Errc::kProtocol);
}

void bit_packing_and_delta_delta(void**) {
  const std::string bits = unhex("78f0");  // 0111 1000 1111
  ByteCursor in(bits);
  std::vector<std::int64_t> out;
  assert_true(msn::ink::decode_bit_packed(in, 4, 3, out).is_ok());
  assert_true((out == std::vector<std::int64_t>{7, -8, -1}));

  std::vector<std::int64_t> deltas{1, 0, 0, -1};
  assert_true(msn::ink::undo_delta_delta(deltas).is_ok());
  assert_true((deltas == std::vector<std::int64_t>{1, 2, 3, 3}));

  // 0x24: bit packing, 4 bits, then delta-delta.
  const std::string block = unhex(
      "24"
      "1000");  // 1, 0, 0, 0
  ByteCursor b(block);
  assert_true(msn::ink::decode_packet_block(b, 4, out).is_ok());
  assert_true((out == std::vector<std::int64_t>{1, 2, 3, 4}));
  const std::string compressed = unhex("4000");  // 0x40: a codec for property data
  ByteCursor unsupported(compressed);
  assert_false(msn::ink::decode_packet_block(unsupported, 1, out).is_ok());
}

void multibyte_integers(void**) {
  const std::string numbers = unhex(
      "7f"
      "8001"
      "808004"
      "03"
      "04");
  ByteCursor in(numbers);
  assert_int_equal(*in.mbuint(), 127);
  assert_int_equal(*in.mbuint(), 128);
  assert_int_equal(*in.mbuint(), 65536);
  assert_int_equal(*in.mbsint(), -1);
  assert_int_equal(*in.mbsint(), 2);
  const std::string largest = unhex("ffffffffffffffffff01");
  ByteCursor max(largest);
  assert_true(*max.mbuint() == UINT64_MAX);
}

// A stroke of two points, raw (10,5) and (20,-5), bit packed 8 bits per value.
const std::string kStroke = unhex(
    "0a07"
    "02"
    "080a14"
    "0805fb");

Ink decode_stream(const std::string& tags) {
  auto ink = msn::ink::parse_isf(isf_stream(tags));
  if (!ink) print_error("%s\n", ink.error().detail.c_str());
  assert_true(ink.is_ok());
  return *ink;
}

void expect_points(const std::string& tags, std::vector<Point> want) {
  const Ink ink = decode_stream(tags);
  assert_int_equal(ink.strokes.size(), 1);
  assert_points_equal(ink.strokes[0].raw_points, {{10, 5}, {20, -5}});
  assert_points_equal(ink.strokes[0].points, want);
}

void transforms(void**) {
  expect_points(kStroke, {{10, 5}, {20, -5}});
  expect_points(unhex("11"
                      "00000040") +
                    kStroke,
                {{20, 10}, {40, -10}});
  expect_points(unhex("12"
                      "00000040"
                      "00004040") +
                    kStroke,
                {{20, 15}, {40, -15}});
  // Translation by (1.5, -0.5); HIMETRIC points are rounded down.
  expect_points(unhex("14"
                      "0000c03f"
                      "000000bf") +
                    kStroke,
                {{11, 4}, {21, -6}});
  expect_points(unhex("15"
                      "00000040"
                      "00004040"
                      "0000803f"
                      "0000803f") +
                    kStroke,
                {{21, 16}, {41, -14}});
  // Full matrix, stored m11 m21 m12 m22 dx dy: a quarter turn, x' = -y, y' = x.
  expect_points(unhex("10"
                      "00000000"
                      "0000803f"
                      "000080bf"
                      "00000000"
                      "00000000"
                      "00000000") +
                    kStroke,
                {{-5, 10}, {5, 20}});
  // Rotation by 90.00 degrees (MBUINT hundredths of a degree: 9000 = 0xa8 0x46).
  expect_points(unhex("13"
                      "a846") +
                    kStroke,
                {{-5, 10}, {5, 20}});
}

void tables_and_selection(void**) {
  // Transform table: [identity scale 1, scale 3]; select the second.
  const std::string transforms = unhex(
      "0f0a"
      "110000803f"
      "1100004040"
      "1701");
  expect_points(transforms + kStroke, {{30, 15}, {60, -15}});
  // Selecting past the table falls back to the identity.
  expect_points(unhex("0f05"
                      "1100004040"
                      "1705") +
                    kStroke,
                {{10, 5}, {20, -5}});

  // Drawing-attributes table of two blocks: red pen 100 wide, then blue 40x20 with a
  // rectangle tip; strokes follow the selected block.
  const std::string table = unhex(
      "0212"
      "05"
      "44ff01"
      "4564"
      "0b"
      "448080fc07"
      "4528"
      "4614"
      "4701");
  const Ink ink =
      decode_stream(table + kStroke + unhex("0901") + kStroke + unhex("0907") + kStroke);
  assert_int_equal(ink.strokes.size(), 3);
  assert_int_equal(ink.strokes[0].attributes.colour, 0x0000ff);
  assert_int_equal(ink.strokes[0].attributes.pen_width, 100);
  assert_int_equal(ink.strokes[0].attributes.pen_height, 100);
  assert_int_equal(ink.strokes[1].attributes.colour, 0xff0000);
  assert_int_equal(ink.strokes[1].attributes.pen_width, 40);
  assert_int_equal(ink.strokes[1].attributes.pen_height, 20);
  assert_true(ink.strokes[1].attributes.rectangle_tip);
  assert_true(ink.strokes[2].attributes == msn::ink::DrawingAttributes{});
}

void attributes_and_unknown_tags(void**) {
  // Transparency 128 and flags; then an unknown property (90) ends the block's decoding, so
  // what follows it is not read as a colour.
  const std::string block = unhex(
      "0308"
      "508001"
      "4810"
      "5a"
      "4401");
  // A GUID table, an ink-space rectangle, custom tag 150 and a metric selection are skipped.
  const std::string skipped = unhex("0110") + std::string(16, '\x11') + unhex("0002040608") +
                              unhex(
                                  "960103"
                                  "9601"
                                  "00") +
                              unhex(
                                  "1a00"
                                  "0d00");
  const Ink ink = decode_stream(block + skipped + kStroke);
  assert_int_equal(ink.strokes.size(), 1);
  assert_int_equal(ink.strokes[0].attributes.transparency, 128);
  assert_int_equal(ink.strokes[0].attributes.flags, 0x10);
  assert_int_equal(ink.strokes[0].attributes.colour, 0);
  assert_int_equal(ink.strokes[0].attributes.pen_width, msn::ink::kDefaultPenSize);
  // Extra bytes after the stream's declared size are not part of it.
  auto with_tail = msn::ink::parse_isf(isf_stream(kStroke) + "garbage");
  assert_true(with_tail.is_ok());
  assert_int_equal(with_tail->strokes.size(), 1);
  // An empty stroke adds nothing.
  assert_int_equal(decode_stream(unhex("0a0100")).strokes.size(), 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(vector_samples_decode_point_for_point),
      cmocka_unit_test(huffman_codes),
      cmocka_unit_test(huffman_prefix_too_long_fails),
      cmocka_unit_test(bit_packing_and_delta_delta),
      cmocka_unit_test(multibyte_integers),
      cmocka_unit_test(transforms),
      cmocka_unit_test(tables_and_selection),
      cmocka_unit_test(attributes_and_unknown_tags),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
