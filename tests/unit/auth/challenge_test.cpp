// SPDX-License-Identifier: GPL-2.0-or-later
// CHL -> QRY against every row of tests/data/vectors/challenge.tsv
// (docs/protocol/notification-server.md).
#include "auth/challenge.h"

#include <fstream>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them
#include <sstream>
#include <string>
#include <vector>

#include "cmocka_cpp.h"

namespace {

struct Row {
  std::string challenge;
  std::string expected;
};

struct Fixture {
  std::vector<Row> rows;
  std::string got;
  std::string input;
};

constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

// "challenge<TAB>expected" lines; '#' comments and blank lines skipped.
std::vector<Row> read_rows() {
  std::vector<Row> rows;
  std::istringstream in(msn::test::read_data_file("vectors/challenge.tsv"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab = line.find('\t');
    if (tab == std::string::npos) continue;
    rows.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return rows;
}

bool is_lower_hex(const std::string& s) {
  for (const char c : s)
    if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) return false;
  return true;
}

void test_every_vector_row(void** state) {
  Fixture& f = fx(state);
  f.rows = read_rows();
  if (f.rows.empty()) {
    print_error("no rows read from vectors/challenge.tsv (TEST_DATA_DIR=%s)\n", TEST_DATA_DIR);
    fail();
  }
  for (std::size_t i = 0; i < f.rows.size(); ++i) {
    f.got = msn::auth::challenge_response(f.rows[i].challenge);
    if (f.got != f.rows[i].expected) {
      print_error("row %zu challenge [%s]: expected %s got %s\n", i + 1,
                  f.rows[i].challenge.c_str(), f.rows[i].expected.c_str(), f.got.c_str());
      fail();
    }
  }
  print_message("checked %zu challenge rows\n", f.rows.size());
}

void test_documented_example(void** state) {
  Fixture& f = fx(state);
  f.got = msn::auth::challenge_response("22210219642164014968");
  assert_bytes_equal(f.got, "a400af809ac86fbdf6deec7286fc06b8");
}

// Lengths around the 8-byte padding boundary, empty, binary and very long challenges must
// all produce 32 lower-case hex characters (and run clean under the sanitizers).
void test_any_length_is_safe(void** state) {
  Fixture& f = fx(state);
  for (std::size_t len = 0; len <= 40; ++len) {
    f.input.assign(len, '7');
    f.got = msn::auth::challenge_response(f.input);
    assert_int_equal(f.got.size(), 32);
    assert_true(is_lower_hex(f.got));
  }
  f.input.assign(1 << 20, '\xff');
  f.got = msn::auth::challenge_response(f.input);
  assert_int_equal(f.got.size(), 32);
  f.input = std::string("\0\x01\x80\xfe", 4);
  f.got = msn::auth::challenge_response(f.input);
  assert_int_equal(f.got.size(), 32);
  assert_true(is_lower_hex(f.got));
}

void test_product_pair_matters(void** state) {
  Fixture& f = fx(state);
  f.got = msn::auth::challenge_response("22210219642164014968", "PROD0119GSJUC$18", "other-key");
  assert_true(f.got != "a400af809ac86fbdf6deec7286fc06b8");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_every_vector_row, setup, teardown),
      cmocka_unit_test_setup_teardown(test_documented_example, setup, teardown),
      cmocka_unit_test_setup_teardown(test_any_length_is_safe, setup, teardown),
      cmocka_unit_test_setup_teardown(test_product_pair_matters, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
