// SPDX-License-Identifier: GPL-2.0-or-later
// Cabinet extraction from memory: the server-made wink cabinet (with real CFDATA checksums),
// this file's own cabinets (several blocks, many files) and hostile ones: every truncation,
// corrupted data, huge declared sizes, too many files and names that look like paths.
#include <string>

#include "media/cab.h"
#include "media_test_util.h"

namespace {

using msn::Errc;
using msn::media::CabLimits;
using msn::media::extract_cab;
using msn::media::find_cab_file;
using msn::test::CabEntries;
using msn::test::make_cab;
using msn::test::read_sample;

void expect_error(const std::string& cab, Errc code, const CabLimits& limits = {}) {
  auto files = extract_cab(cab, limits);
  assert_false(files.is_ok());
  if (files.error().code != code) print_error("%s\n", files.error().detail.c_str());
  assert_int_equal(files.error().code, code);
}

void server_wink_cab_extracts(void**) {
  const std::string cab = read_sample("wink.cab");
  assert_true(cab.size() > 100);
  auto files = extract_cab(cab);
  if (!files) print_error("%s\n", files.error().detail.c_str());
  assert_true(files.is_ok());
  assert_int_equal(files->size(), 3);
  const auto* xml = find_cab_file(*files, "CONTENT.XML");  // any case
  assert_non_null(xml);
  assert_true(xml->data.find("type=\"thumbnail\"") != std::string::npos);
  const auto* png = find_cab_file(*files, "testwink.png");
  assert_non_null(png);
  assert_true(png->data.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  assert_null(find_cab_file(*files, "missing.png"));
}

void own_cab_round_trips_across_blocks(void**) {
  std::string big(70000, '\0');
  for (std::size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7 + i / 300);
  auto files = extract_cab(make_cab({{"a.txt", "hello"}, {"big.bin", big}, {"empty", ""}}));
  if (!files) print_error("%s\n", files.error().detail.c_str());
  assert_true(files.is_ok());
  assert_int_equal(files->size(), 3);
  assert_bytes_equal((*files)[0].data, "hello");
  assert_true((*files)[1].data == big);
  assert_true((*files)[2].data.empty());
}

void truncation_inside_a_later_block_is_refused(void**) {
  // Two whole blocks would be there: no partial file may come out.
  const std::string cab = make_cab({{"big.bin", std::string(80000, 'z')}});
  for (std::size_t cut : {cab.size() - 1, cab.size() - 5000, cab.size() - 14000}) {
    auto files = extract_cab(cab.substr(0, cut));
    assert_false(files.is_ok());
    assert_int_equal(files.error().code, Errc::kProtocol);
  }
}

void every_truncation_is_refused(void**) {
  const std::string cab = read_sample("wink.cab");
  for (std::size_t n = 0; n < cab.size(); ++n) {
    auto files = extract_cab(cab.substr(0, n));
    if (files) print_error("truncated to %zu bytes extracts\n", n);
    assert_false(files.is_ok());
  }
}

void corrupted_data_fails_its_checksum(void**) {
  std::string cab = read_sample("wink.cab");
  cab[cab.size() - 10] ^= 0x55;
  expect_error(cab, Errc::kProtocol);
}

void garbage_is_refused(void**) {
  expect_error("", Errc::kProtocol);
  expect_error("MSCF", Errc::kProtocol);
  expect_error(std::string(1000, 'x'), Errc::kProtocol);
  expect_error(make_cab({}), Errc::kProtocol);  // no files
}

void size_bounds(void**) {
  const std::string cab = make_cab({{"a", std::string(200, 'a')}});
  CabLimits small_cab;
  small_cab.max_cab_bytes = cab.size() - 1;
  expect_error(cab, Errc::kLimit, small_cab);
  CabLimits small_output;
  small_output.max_extracted_bytes = 199;
  expect_error(cab, Errc::kLimit, small_output);
  // A directory that declares far more than the data holds: refused before decompressing.
  expect_error(make_cab({{"a", "abc"}}, 0x7FFFFFFF), Errc::kLimit);
  expect_error(make_cab({{"a", "abc"}, {"b", "def"}}, 3 * 1024 * 1024), Errc::kLimit);
  // Declared longer than the folder but within the bound: the data runs out.
  expect_error(make_cab({{"a", "abc"}}, 4000), Errc::kProtocol);
}

void file_count_bound(void**) {
  CabEntries files;
  for (int i = 0; i < 64; ++i) files.emplace_back("f" + std::to_string(i), "x");
  assert_true(extract_cab(make_cab(files)).is_ok());
  files.emplace_back("one-more", "x");
  expect_error(make_cab(files), Errc::kLimit);
}

void path_like_names_are_refused(void**) {
  for (const char* name :
       {"../evil", "dir/file", "dir\\file", "C:file", "..", ".", "tab\tname", "/abs"}) {
    auto files = extract_cab(make_cab({{"ok.txt", "x"}, {name, "y"}}));
    if (files) print_error("name '%s' accepted\n", name);
    assert_false(files.is_ok());
    assert_int_equal(files.error().code, Errc::kProtocol);
  }
  assert_true(extract_cab(make_cab({{"caf\xc3\xa9.png", "x"}, {"..hidden", "y"}})).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(server_wink_cab_extracts),
      cmocka_unit_test(own_cab_round_trips_across_blocks),
      cmocka_unit_test(truncation_inside_a_later_block_is_refused),
      cmocka_unit_test(every_truncation_is_refused),
      cmocka_unit_test(corrupted_data_fails_its_checksum),
      cmocka_unit_test(garbage_is_refused),
      cmocka_unit_test(size_bounds),
      cmocka_unit_test(file_count_bound),
      cmocka_unit_test(path_like_names_are_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
