// SPDX-License-Identifier: GPL-2.0-or-later
// CMocka from C++: the C headers in the right order, plus helpers for std::string checks.
// CMocka fails a test with longjmp: keep RAII objects that own resources in fixtures (*state)
// or in scopes that end before the next assertion could fail, never across a failing assert.
#pragma once

// Standard headers first: cmocka.h defines a fail() macro that would break basic_ios::fail().
#include <cstdarg>
#include <cstddef>
#include <cstdint>
#include <csetjmp>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>
extern "C" {
#include <cmocka.h>
}

// Compares two byte strings and prints both on mismatch.
#define assert_bytes_equal(a, b)                                             \
  do {                                                                       \
    const std::string msn_a_(a), msn_b_(b);                                  \
    if (msn_a_ != msn_b_) {                                                  \
      print_error("expected [%s]\n     got [%s]\n", msn_b_.c_str(), msn_a_.c_str()); \
      fail();                                                                \
    }                                                                        \
  } while (0)

namespace msn::test {

// Reads a file under tests/data (TEST_DATA_DIR is set by tests/unit/meson.build).
inline std::string read_data_file(std::string_view relative) {
  std::ifstream in(std::string(TEST_DATA_DIR) + "/" + std::string(relative), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace msn::test
