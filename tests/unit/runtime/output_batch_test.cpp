// SPDX-License-Identifier: GPL-2.0-or-later
// coalesce_sends (runtime/output_batch.cpp): the writes one engine pass makes to a connection
// reach the transport as one, in order, and nothing is joined across another output.
#include <string>
#include <variant>
#include <vector>

#include "cmocka_cpp.h"
#include "runtime/output_batch.h"

namespace {

namespace out = msn::out;
using msn::Output;

std::string describe(const Output& output) {
  if (const auto* send = std::get_if<out::Send>(&output))
    return "send " + std::to_string(send->conn) + " " + send->bytes;
  if (const auto* connect = std::get_if<out::Connect>(&output))
    return "connect " + std::to_string(connect->conn);
  if (const auto* close = std::get_if<out::Close>(&output))
    return "close " + std::to_string(close->conn);
  return "listen " + std::to_string(std::get<out::Listen>(output).conn);
}

std::vector<std::string> describe_all(const std::vector<Output>& outputs) {
  std::vector<std::string> lines;
  for (const auto& output : outputs) lines.push_back(describe(output));
  return lines;
}

void expect(const std::vector<Output>& got, const std::vector<std::string>& want) {
  const auto lines = describe_all(got);
  assert_int_equal(lines.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) assert_bytes_equal(lines[i], want[i]);
}

// A window's worth of MSGs freed by one read: one write, the MSGs in the order made.
void test_consecutive_sends_to_one_connection_become_one(void** /*state*/) {
  std::vector<Output> outputs;
  for (int trid = 3; trid < 3 + 32; ++trid)
    outputs.emplace_back(out::Send{7, "MSG " + std::to_string(trid) + " D 2\r\nxy"});
  std::string all;
  for (int trid = 3; trid < 3 + 32; ++trid) all += "MSG " + std::to_string(trid) + " D 2\r\nxy";
  expect(msn::coalesce_sends(std::move(outputs)), {"send 7 " + all});
}

// Only neighbours join: a write to another connection, a Close or a Connect in between keeps
// the order of everything as the engine made it.
void test_order_is_kept_across_other_outputs(void** /*state*/) {
  std::vector<Output> outputs;
  outputs.emplace_back(out::Send{1, "a"});
  outputs.emplace_back(out::Send{1, "b"});
  outputs.emplace_back(out::Send{2, "c"});
  outputs.emplace_back(out::Send{1, "d"});
  outputs.emplace_back(out::Close{1});
  outputs.emplace_back(out::Send{1, "e"});
  outputs.emplace_back(out::Connect{3, "host", 1863, false});
  outputs.emplace_back(out::Send{3, "f"});
  outputs.emplace_back(out::Send{3, "g"});
  outputs.emplace_back(out::Listen{4});
  outputs.emplace_back(out::Send{3, "h"});
  expect(msn::coalesce_sends(std::move(outputs)),
         {"send 1 ab", "send 2 c", "send 1 d", "close 1", "send 1 e", "connect 3", "send 3 fg",
          "listen 4", "send 3 h"});
}

void test_nothing_to_join(void** /*state*/) {
  expect(msn::coalesce_sends({}), {});
  std::vector<Output> one;
  one.emplace_back(out::Send{5, std::string("\0\xFF", 2)});
  const auto got = msn::coalesce_sends(std::move(one));
  assert_int_equal(got.size(), 1);
  assert_true(std::get<out::Send>(got[0]).bytes == std::string("\0\xFF", 2));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_consecutive_sends_to_one_connection_become_one),
      cmocka_unit_test(test_order_is_kept_across_other_outputs),
      cmocka_unit_test(test_nothing_to_join),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
