// SPDX-License-Identifier: GPL-2.0-or-later
// The file-transfer Context (docs/protocol/p2p.md, "File transfer"): vectors/ft-context.txt
// byte for byte, the v0/v2/v3 forms, a preview, the bounds; and the name sanitiser.
#include <string>

#include "crypto/crypto.h"
#include "p2p/file_context.h"
#include "p2p_test_util.h"

namespace {

using msn::p2p::build_file_context;
using msn::p2p::parse_file_context;
using msn::p2p::sanitize_file_name;

std::string vector_bytes() {
  const auto blocks = msn::test::read_blocks("vectors/ft-context.txt", "name");
  assert_int_equal(blocks.size(), 1);
  auto decoded = msn::crypto::base64_decode(blocks[0].values.at("base64"));
  assert_true(decoded.is_ok());
  assert_int_equal(decoded->size(), std::stoul(blocks[0].values.at("length")));
  assert_bytes_equal(decoded->substr(0, 32),
                     msn::test::unhex(blocks[0].values.at("first_32_bytes_hex")));
  return *decoded;
}

void test_vector_byte_for_byte(void** /*state*/) {
  std::string expected = vector_bytes();
  // The vector carries type 0 as the plugin writes it; we send 1 (no preview), the only change.
  expected[16] = '\x01';
  assert_bytes_equal(build_file_context("a.txt", 1234), expected);
}

void test_vector_parses(void** /*state*/) {
  auto parsed = parse_file_context(vector_bytes());
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->version, 2);
  assert_int_equal(parsed->size, 1234);
  assert_int_equal(parsed->type, 0);
  assert_string_equal(parsed->name.c_str(), "a.txt");
  assert_true(parsed->preview.empty());
}

void test_round_trip_utf8_and_size(void** /*state*/) {
  const std::string name =
      "Gr\xC3\xBC\xC3\x9F"
      "e \xF0\x9F\x98\x80.txt";  // Grüße 😀.txt
  auto parsed = parse_file_context(build_file_context(name, 0x123456789AULL));
  assert_true(parsed.is_ok());
  assert_string_equal(parsed->name.c_str(), name.c_str());
  assert_int_equal(parsed->size, 0x123456789AULL);
  assert_int_equal(parsed->type, 1);
}

void test_long_name_cut_with_nul(void** /*state*/) {
  const std::string built = build_file_context(std::string(400, 'x'), 1);
  assert_int_equal(built.size(), 574);
  auto parsed = parse_file_context(built);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->name.size(), 259);
  // A surrogate pair at the edge is left out whole, never split.
  auto emoji =
      parse_file_context(build_file_context(std::string(258, 'y') + "\xF0\x9F\x98\x80", 1));
  assert_true(emoji.is_ok());
  assert_string_equal(emoji->name.c_str(), std::string(258, 'y').c_str());
}

void test_versions_and_preview(void** /*state*/) {
  std::string v3 = build_file_context("b.png", 7);
  v3[0] = '\x7E';
  v3[4] = '\x03';
  v3[16] = '\0';  // a preview follows
  v3 += std::string(64, '\0') + "PNGDATA";
  auto parsed = parse_file_context(v3);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->version, 3);
  assert_string_equal(parsed->preview.c_str(), "PNGDATA");
  // v2 with a larger length field (MSNPSharp adds the preview's length): the preview still
  // starts after the fixed part.
  std::string v2 = build_file_context("c.png", 7);
  v2[0] = '\x45';
  v2[16] = '\0';
  v2 += "IMG";
  parsed = parse_file_context(v2);
  assert_true(parsed.is_ok());
  assert_string_equal(parsed->preview.c_str(), "IMG");
  // v0: 540 bytes, no marker.
  std::string v0 = build_file_context("old.txt", 9).substr(0, 540);
  v0[0] = '\x1C';
  v0[4] = '\0';
  parsed = parse_file_context(v0);
  assert_true(parsed.is_ok());
  assert_string_equal(parsed->name.c_str(), "old.txt");
}

void test_refused(void** /*state*/) {
  const std::string ok = build_file_context("a", 1);
  assert_false(parse_file_context(ok.substr(0, 539)).is_ok());
  assert_false(parse_file_context(ok.substr(0, 573)).is_ok());  // v2 shorter than 574
  std::string v3_wrong = ok;
  v3_wrong[4] = '\x03';  // v3 must say 638
  assert_false(parse_file_context(v3_wrong).is_ok());
  std::string v9 = ok;
  v9[4] = '\x09';
  assert_false(parse_file_context(v9).is_ok());
  std::string short_len = ok;
  short_len[0] = '\x10';
  short_len[1] = '\0';
  assert_false(parse_file_context(short_len).is_ok());
  assert_false(parse_file_context(ok + std::string(64 * 1024, 'p')).is_ok());
}

void test_invalid_utf16_replaced(void** /*state*/) {
  std::string ctx = build_file_context("ab", 1);
  ctx[20] = '\x00';
  ctx[21] = '\xD8';  // a lone high surrogate, then 'b'
  auto parsed = parse_file_context(ctx);
  assert_true(parsed.is_ok());
  assert_string_equal(parsed->name.c_str(),
                      "\xEF\xBF\xBD"
                      "b");
}

void test_sanitize(void** /*state*/) {
  assert_string_equal(sanitize_file_name("report.pdf").c_str(), "report.pdf");
  assert_string_equal(sanitize_file_name("../../etc/passwd").c_str(), "_._etc_passwd");
  assert_string_equal(sanitize_file_name("..\\..\\boot.ini").c_str(), "_._boot.ini");
  assert_string_equal(sanitize_file_name("/abs/path").c_str(), "_abs_path");
  assert_string_equal(sanitize_file_name(".hidden").c_str(), "hidden");
  assert_string_equal(sanitize_file_name("a..b").c_str(), "a.b");
  assert_string_equal(sanitize_file_name("tab\there\nnew").c_str(), "tab_here_new");
  assert_string_equal(sanitize_file_name("").c_str(), "file");
  assert_string_equal(sanitize_file_name("..").c_str(), "file");
  assert_string_equal(sanitize_file_name(" . ").c_str(), "file");
  assert_string_equal(sanitize_file_name("name. ").c_str(), "name");
  assert_string_equal(sanitize_file_name("bad\xFFutf").c_str(), "bad\xEF\xBF\xBDutf");
  const std::string long_name = sanitize_file_name(std::string(150, 'a') + std::string(60, '\xC3'));
  assert_true(long_name.size() <= msn::p2p::kMaxNameBytes);
  std::string umlauts;
  for (int i = 0; i < 150; ++i) umlauts += "\xC3\xBC";
  const std::string cut = sanitize_file_name(umlauts);
  assert_int_equal(cut.size(), 200);
  assert_true(cut.substr(198) == "\xC3\xBC");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vector_byte_for_byte),
      cmocka_unit_test(test_vector_parses),
      cmocka_unit_test(test_round_trip_utf8_and_size),
      cmocka_unit_test(test_long_name_cut_with_nul),
      cmocka_unit_test(test_versions_and_preview),
      cmocka_unit_test(test_refused),
      cmocka_unit_test(test_invalid_utf16_replaced),
      cmocka_unit_test(test_sanitize),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
