// SPDX-License-Identifier: GPL-2.0-or-later
// The MSNObject (docs/protocol/p2p.md, "MSNObject"): every case of vectors/msnobject.txt
// (SHA1D, SHA1C, the string form, its URL-encoded and Context forms), attribute order, and
// malformed objects refused.
#include <string>
#include <vector>

#include "p2p/msn_object.h"
#include "p2p_test_util.h"

namespace {

using msn::Errc;
using msn::p2p::MsnObject;

std::vector<msn::test::KeyValueBlock> cases() {
  auto blocks = msn::test::read_blocks("vectors/msnobject.txt", "data_hex");
  if (blocks.size() != 3) {
    print_error("expected 3 msnobject cases, read %zu\n", blocks.size());
    fail();
  }
  return blocks;
}

std::string case_data(const msn::test::KeyValueBlock& block) {
  const std::string& hex = block.values.at("data_hex");
  if (hex[0] != '(') return msn::test::unhex(hex);
  std::string ramp;
  for (int i = 0; i < 256; ++i) ramp.push_back(static_cast<char>(i));
  return ramp;
}

void test_every_case(void** /*state*/) {
  for (const auto& c : cases()) {
    const std::string data = case_data(c);
    assert_int_equal(data.size(), std::stoul(c.values.at("size")));
    assert_string_equal(msn::p2p::compute_sha1d(data).c_str(), c.values.at("sha1d").c_str());
    const MsnObject built = msn::p2p::make_msn_object(
        c.values.at("creator"), static_cast<std::uint32_t>(std::stoul(c.values.at("type"))),
        c.values.at("location"), c.values.at("friendly"), data);
    assert_string_equal(built.sha1c.c_str(), c.values.at("sha1c").c_str());
    assert_bytes_equal(msn::p2p::serialize(built), c.values.at("msnobj"));
    auto parsed = msn::p2p::parse_msn_object(c.values.at("msnobj"));
    assert_true(parsed.is_ok());
    assert_true(*parsed == built);
    assert_string_equal(msn::p2p::compute_sha1c(*parsed).c_str(), c.values.at("sha1c").c_str());
    assert_true(msn::p2p::matches_data(*parsed, data));
    assert_false(msn::p2p::matches_data(*parsed, data.substr(1)));
    assert_string_equal(msn::p2p::cache_key(*parsed).c_str(), c.values.at("sha1c").c_str());
  }
}

void test_encoded_forms_of_case_1(void** /*state*/) {
  const auto blocks = cases();
  const std::string msnobj = blocks[0].values.at("msnobj");
  const std::string* encoded = nullptr;
  const std::string* context = nullptr;
  for (const auto& b : blocks) {
    if (b.values.count("msnobj_urlencoded")) encoded = &b.values.at("msnobj_urlencoded");
    if (b.values.count("context_b64")) context = &b.values.at("context_b64");
  }
  assert_non_null(encoded);
  assert_non_null(context);
  auto from_line = msn::p2p::parse_url_encoded_msn_object(*encoded);
  assert_true(from_line.is_ok());
  assert_bytes_equal(msn::p2p::serialize(*from_line), msnobj);
  assert_bytes_equal(msn::p2p::encode_context(msnobj), *context);
  assert_bytes_equal(*msn::p2p::decode_context(*context), msnobj);
  // The NUL some clients encode too is taken off.
  const std::string with_nul = msn::p2p::encode_context(msnobj, true);
  assert_true(with_nul != *context);
  assert_bytes_equal(*msn::p2p::decode_context(with_nul), msnobj);
  assert_int_equal(msn::p2p::decode_context("not base64!").error().code, Errc::kProtocol);
}

void test_any_order_and_extras(void** /*state*/) {
  const std::string shuffled =
      "  <msnobj SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" Type=\"2\" Size=\"256\" Friendly=\"AAA=\" "
      "contenttype=\"D\" Location=\"TFR1A.tmp\" Creator=\"bob@example.com\" stamp='x' "
      "Url1=\"http://example.com/a.png\"/> ";
  auto parsed = msn::p2p::parse_msn_object(shuffled);
  assert_true(parsed.is_ok());
  assert_true(parsed->sha1c.empty());
  assert_string_equal(parsed->url1.c_str(), "http://example.com/a.png");
  assert_string_equal(msn::p2p::cache_key(*parsed).c_str(), "SRbWvbf3jmgDaYyrMtFYbqRX38g=");
  parsed->sha1c = msn::p2p::compute_sha1c(*parsed);
  assert_string_equal(parsed->sha1c.c_str(), "BdMSdjVia6MouvN464y0jnollFI=");  // case 3
  // Values are kept as written and escaped when we build them.
  const MsnObject odd = msn::p2p::make_msn_object("a&b@example.com", 3, "x\"y", "AAA=", "d");
  assert_string_equal(odd.creator.c_str(), "a&amp;b@example.com");
  auto back = msn::p2p::parse_msn_object(msn::p2p::serialize(odd));
  assert_true(back.is_ok());
  assert_string_equal(back->location.c_str(), "x&quot;y");
}

void expect_refused(const std::string& text, Errc code) {
  auto parsed = msn::p2p::parse_msn_object(text);
  if (parsed.is_ok() || parsed.error().code != code) {
    print_error("not refused as expected: [%s]\n", text.c_str());
    fail();
  }
}

std::string with(std::string text, const std::string& from, const std::string& to) {
  text.replace(text.find(from), from.size(), to);
  return text;
}

void test_malformed_refused(void** /*state*/) {
  const std::string ok = cases()[1].values.at("msnobj");
  assert_true(msn::p2p::parse_msn_object(ok).is_ok());
  expect_refused("", Errc::kProtocol);
  expect_refused(with(ok, "<msnobj", "<msnobject"), Errc::kProtocol);
  expect_refused(with(ok, "/>", ">"), Errc::kProtocol);
  expect_refused(with(ok, " Creator=\"bob@example.com\"", ""), Errc::kProtocol);
  expect_refused(with(ok, " Friendly=\"AAA=\"", ""), Errc::kProtocol);
  expect_refused(with(ok, "Size=\"256\"", "Size=\"256\" Size=\"1\""), Errc::kProtocol);
  expect_refused(with(ok, "Size=\"256\"", "Size=\"-1\""), Errc::kProtocol);
  expect_refused(with(ok, "Size=\"256\"", "Size=\"99999999999999999999\""), Errc::kProtocol);
  expect_refused(with(ok, "Type=\"3\"", "Type=\"4294967296\""), Errc::kProtocol);
  expect_refused(with(ok, "SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\"", "SHA1D=\"AAA=\""),
                 Errc::kProtocol);
  expect_refused(with(ok, "SHA1C=\"5soaKaS5PrYAzVEOp/433VU30HE=\"", "SHA1C=\"@@\""),
                 Errc::kProtocol);
  expect_refused(with(ok, "Location=\"0\"", "Location=\"0\x01\""), Errc::kProtocol);
  expect_refused(with(ok, "Location=\"0\"", "Location=\"\xc3\""), Errc::kProtocol);
  expect_refused(with(ok, "Location=\"0\"", "Location=\"0"), Errc::kProtocol);
  expect_refused(with(ok, "Location=\"0\"", "Location=0"), Errc::kProtocol);
  expect_refused(with(ok, "\" Type", "\"Type"), Errc::kProtocol);
  expect_refused(ok + std::string(2100, ' '), Errc::kLimit);
  std::string many = ok;
  for (int i = 0; i < 12; ++i) many = with(many, "/>", " x=\"1\"/>");
  expect_refused(many, Errc::kLimit);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_case),
      cmocka_unit_test(test_encoded_forms_of_case_1),
      cmocka_unit_test(test_any_order_and_extras),
      cmocka_unit_test(test_malformed_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
