// SPDX-License-Identifier: GPL-2.0-or-later
// Datacast bodies: the four known IDs, Data extraction, tolerated variations and refusals.
#include <string>

#include "cmocka_cpp.h"
#include "wire/datacast.h"

namespace {

using msn::Errc;
using msn::wire::DatacastKind;
using msn::wire::DatacastLimits;
using msn::wire::parse_datacast;

constexpr const char* kWinkObject =
    "<msnobj Creator=\"alice@example.com\" Size=\"821\" Type=\"8\" Location=\"TFR1.cab\" "
    "Friendly=\"VABlAHMAdAAAAA==\" SHA1D=\"abc=\" SHA1C=\"def=\" stamp=\"MIIE\"/>";

void nudge(void**) {
  auto d = parse_datacast("ID: 1\r\n");
  assert_true(d.is_ok());
  assert_int_equal(d->id, 1);
  assert_int_equal(d->kind, DatacastKind::kNudge);
  assert_true(d->data.empty());
}

void wink_with_object(void**) {
  auto d = parse_datacast(std::string("ID: 2\r\nData: ") + kWinkObject + "\r\n");
  assert_true(d.is_ok());
  assert_int_equal(d->kind, DatacastKind::kWink);
  assert_bytes_equal(d->data, kWinkObject);
}

void voice_clip_with_lf_and_extra_fields(void**) {
  auto d = parse_datacast("id: 3\ndata: <msnobj Type=\"11\"/>\nX-Other: y\n\n");
  assert_true(d.is_ok());
  assert_int_equal(d->kind, DatacastKind::kVoiceClip);
  assert_bytes_equal(d->data, "<msnobj Type=\"11\"/>");
}

void action_and_unknown(void**) {
  auto action = parse_datacast("ID: 4\r\nData: waves\r\n");
  assert_true(action.is_ok());
  assert_int_equal(action->kind, DatacastKind::kAction);
  assert_bytes_equal(action->data, "waves");
  auto other = parse_datacast("ID: 77\r\n");
  assert_true(other.is_ok());
  assert_int_equal(other->kind, DatacastKind::kOther);
}

void expect_error(const std::string& body, Errc code, DatacastLimits limits = {}) {
  auto d = parse_datacast(body, limits);
  assert_false(d.is_ok());
  assert_int_equal(d.error().code, code);
}

void refusals(void**) {
  expect_error("", Errc::kProtocol);
  expect_error("Data: x\r\n", Errc::kProtocol);  // no ID
  expect_error("ID: -1\r\n", Errc::kProtocol);   // not decimal
  expect_error("ID: 1x\r\n", Errc::kProtocol);
  expect_error("ID: 99999999999\r\n", Errc::kProtocol);  // past 32 bits
  expect_error("ID: 2\r\n", Errc::kProtocol);            // a wink needs its object
  expect_error("ID: 3\r\nData: \r\n", Errc::kProtocol);
  DatacastLimits small;
  small.max_body_bytes = 16;
  expect_error(std::string("ID: 2\r\nData: ") + kWinkObject, Errc::kLimit, small);
  std::string many;
  for (int i = 0; i < 100; ++i) many += "X" + std::to_string(i) + ": y\r\n";
  expect_error("ID: 1\r\n" + many, Errc::kLimit);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nudge),
      cmocka_unit_test(wink_with_object),
      cmocka_unit_test(voice_clip_with_lf_and_extra_fields),
      cmocka_unit_test(action_and_unknown),
      cmocka_unit_test(refusals),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
