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
#include <memory>
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

// Fixtures that own a T through CMocka's *state: pass owned_setup<T> and owned_teardown<T> to
// cmocka_unit_test_setup_teardown and reach the T with fixture<T>(state). CMocka runs the
// teardown after a failing test too, so whatever the T owns is freed even after a longjmp.
template <typename T>
int owned_setup(void** state) {
  *state = std::make_unique<T>().release();
  return 0;
}

template <typename T>
int owned_teardown(void** state) {
  std::unique_ptr<T> owned(static_cast<T*>(*state));
  *state = nullptr;
  owned.reset();
  return 0;
}

template <typename T>
T& fixture(void** state) {
  return *static_cast<T*>(*state);
}

// A CMUnitTest entry whose test gets a fresh T in *state (owned_setup/owned_teardown), so
// that the tables in main() name only the tests.
#define MSN_OWNED_TEST(name, T) \
  cmocka_unit_test_setup_teardown(name, msn::test::owned_setup<T>, msn::test::owned_teardown<T>)

// Reads a file under tests/data (TEST_DATA_DIR is set by tests/unit/meson.build).
inline std::string read_data_file(std::string_view relative) {
  std::ifstream in(std::string(TEST_DATA_DIR) + "/" + std::string(relative), std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// "0a1b..." -> the bytes it spells; test vectors write binary keys and IVs in hex.
inline std::string unhex(std::string_view hex) {
  std::string out;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    out += static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16));
  return out;
}

}  // namespace msn::test
