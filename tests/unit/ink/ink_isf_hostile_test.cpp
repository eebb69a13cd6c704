// SPDX-License-Identifier: GPL-2.0-or-later
// The ISF decoder on hostile input: every truncation of the vector samples, huge multi-byte
// integers, sizes beyond the input, long tag sequences and the stroke and point bounds.
#include <string>

#include "ink/isf.h"
#include "ink_test_util.h"
#include "support/allocation_tracker.h"

namespace {

using msn::Errc;
using msn::ink::IsfLimits;
using msn::ink::parse_isf;
using msn::test::isf_samples;
using msn::test::isf_stream;
using msn::test::unhex;

void expect_error(const std::string& bytes, Errc code, const IsfLimits& limits = {}) {
  auto ink = parse_isf(bytes, limits);
  assert_false(ink.is_ok());
  if (ink.error().code != code) print_error("%s\n", ink.error().detail.c_str());
  assert_int_equal(ink.error().code, code);
}

void every_truncation_fails(void**) {
  const auto samples = isf_samples();
  assert_int_equal(samples.size(), 2);
  for (const auto& s : samples) {
    assert_true(parse_isf(s.bytes).is_ok());
    for (std::size_t n = 0; n < s.bytes.size(); ++n)
      expect_error(s.bytes.substr(0, n), Errc::kProtocol);
  }
}

void every_truncated_stroke_fails(void**) {
  // The same streams with the header's size corrected, so the cut falls inside the tags.
  for (const auto& s : isf_samples()) {
    const std::string tags = s.bytes.substr(2);
    for (std::size_t n = 1; n < tags.size(); ++n) {
      auto ink = parse_isf(isf_stream(tags.substr(0, n)));
      // A cut between two whole tags is a shorter valid stream; anywhere else is an error.
      if (ink) assert_true(ink->strokes.empty());
    }
  }
}

void huge_multibyte_integers_fail(void**) {
  expect_error(unhex("00"
                     "ffffffffffffffffff7f"),
               Errc::kProtocol);  // 70 bits
  expect_error(unhex("00"
                     "ffffffffffffffffffff01"),
               Errc::kProtocol);  // 11 bytes
  expect_error(unhex("00"
                     "ffffffffffffffffff01"),
               Errc::kProtocol);  // size 2^64-1
  expect_error(unhex("01"
                     "00"),
               Errc::kProtocol);  // not tag 0
  expect_error(isf_stream(unhex("0affffffffffffffff7f")), Errc::kProtocol);
}

void sizes_beyond_the_input_fail(void**) {
  expect_error(unhex("0005"
                     "1c10"),
               Errc::kProtocol);  // header claims more than there is
  expect_error(isf_stream(unhex("1c10"
                                "00")),
               Errc::kProtocol);
  expect_error(isf_stream(unhex("0205"
                                "0a"
                                "4401")),
               Errc::kProtocol);  // block beyond table
  expect_error(isf_stream(unhex("11"
                                "0000")),
               Errc::kProtocol);  // float cut short
  // A stroke claiming 90,000 points with two bytes of data allocates nothing and fails.
  expect_error(isf_stream(unhex("0a05"
                                "90bf05"
                                "8000")),
               Errc::kProtocol);
  expect_error(isf_stream(unhex("0a04"
                                "02"
                                "080108")),
               Errc::kProtocol);  // Y data missing
}

void peer_counts_allocate_nothing_before_their_bytes(void**) {
  // 90,000 points announced, two bytes of data: nothing near 90,000 values is reserved.
  const std::string stream =
      isf_stream(unhex("0a05"
                       "90bf05"
                       "8000"));
  msn::test::reset_largest_allocation();
  const bool ok = parse_isf(stream).is_ok();
  const std::size_t largest = msn::test::largest_allocation();
  assert_false(ok);
  assert_true(largest < 4096);
}

void long_tag_sequences_hit_the_bounds(void**) {
  std::string many;
  for (int i = 0; i < 1000; ++i) many += unhex("1e00");
  IsfLimits limits;
  limits.max_tags = 999;
  expect_error(isf_stream(many), Errc::kLimit, limits);
  limits.max_tags = 1000;
  assert_true(parse_isf(isf_stream(many), limits).is_ok());

  std::string blocks;
  for (int i = 0; i < 1025; ++i) blocks += unhex("03024864");
  expect_error(isf_stream(blocks), Errc::kLimit);
  std::string transforms;
  for (int i = 0; i < 1025; ++i) transforms += unhex("110000803f");
  expect_error(isf_stream(transforms), Errc::kLimit);
  expect_error(std::string(1024 * 1024 + 1, '\0'), Errc::kLimit);
  expect_error(isf_stream(unhex("16")), Errc::kProtocol);  // quad transform: no known length
}

void stroke_and_point_bounds(void**) {
  const std::string stroke = unhex(
      "0a07"
      "02"
      "080a14"
      "0805fb");
  IsfLimits limits;
  limits.max_strokes = 2;
  assert_true(parse_isf(isf_stream(stroke + stroke), limits).is_ok());
  expect_error(isf_stream(stroke + stroke + stroke), Errc::kLimit, limits);
  limits = {};
  limits.max_points_total = 5;
  expect_error(isf_stream(stroke + stroke + stroke), Errc::kLimit, limits);
  limits = {};
  limits.max_points_per_stroke = 1;
  expect_error(isf_stream(stroke), Errc::kLimit, limits);
  // Delta-delta values that would run away past 2^31 are refused.
  // (0x20: 32-bit packing, then delta-delta: 2^31-1, then 3 * (2^31-1).)
  const std::string runaway = unhex(
      "0a0e"
      "03"
      "20"
      "7fffffff"
      "7fffffff"
      "7fffffff");
  expect_error(isf_stream(runaway), Errc::kProtocol);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_truncation_fails),
      cmocka_unit_test(every_truncated_stroke_fails),
      cmocka_unit_test(huge_multibyte_integers_fail),
      cmocka_unit_test(sizes_beyond_the_input_fail),
      cmocka_unit_test(peer_counts_allocate_nothing_before_their_bytes),
      cmocka_unit_test(long_tag_sequences_hit_the_bounds),
      cmocka_unit_test(stroke_and_point_bounds),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
