// SPDX-License-Identifier: GPL-2.0-or-later
// The nonce of a direct connection (docs/protocol/p2p.md, "Direct connections"): every case of
// vectors/dc-handshake.txt (GUID text to bytes and back, the Hashed-Nonce, the nonce packet
// byte for byte), the worked examples of MSNP15.md §11.7, the 2.7 plugin's truncated hash, and
// malformed GUID text refused.
#include <string>

#include "crypto/crypto.h"
#include "dc_test_util.h"
#include "p2p/dc_framing.h"
#include "p2p/dc_nonce.h"

namespace {

using msn::p2p::dc::Nonce;
using msn::test::unhex;
namespace dc = msn::p2p::dc;

std::string bytes_of(const Nonce& nonce) {
  return std::string(reinterpret_cast<const char*>(nonce.bytes.data()), nonce.bytes.size());
}

// "...Nonce: {GUID}\r\n..." -> "{GUID}"
std::string braced_field(const std::string& body, const std::string& name) {
  const std::size_t at = body.find(name + ": {");
  assert_true(at != std::string::npos);
  const std::size_t start = at + name.size() + 2;
  return body.substr(start, body.find('}', start) - start + 1);
}

Nonce parsed(const std::string& text) {
  auto nonce = dc::parse_guid(text);
  if (!nonce) {
    print_error("not parsed: %s\n", text.c_str());
    fail();
  }
  return *nonce;
}

void test_plain_cases(void** /*state*/) {
  int checked = 0;
  for (const auto& block : msn::test::dc_vectors()) {
    const auto& v = block.values;
    if (v.at("nonce_type") != "plain") continue;
    const Nonce nonce = parsed(braced_field(v.at("slp_body"), "Nonce"));
    assert_bytes_equal(bytes_of(nonce), unhex(v.at("nonce_bytes")));
    assert_string_equal(dc::guid_text(nonce).c_str(), ("{" + v.at("parsed_back") + "}").c_str());
    const auto identifier = static_cast<std::uint32_t>(std::stoul(v.at("identifier")));
    const msn::p2p::Header header = dc::handshake_header(identifier, nonce);
    assert_bytes_equal(msn::p2p::serialize_header(header), unhex(v.at("handshake_header")));
    assert_true(header == msn::test::decoded_header(v.at("decoded")));
    assert_bytes_equal(dc::nonce_packet(identifier, nonce), unhex(v.at("handshake_on_wire")));
    assert_true(dc::nonce_of(header) == nonce);
    const Nonce hashed = dc::hash_nonce(nonce);
    assert_string_equal(dc::guid_text(hashed).c_str(),
                        ("{" + v.at("hashed_nonce_of_this_nonce") + "}").c_str());
    ++checked;
  }
  assert_int_equal(checked, 2);
}

void test_hashed_case(void** /*state*/) {
  const auto blocks = msn::test::dc_vectors();
  const auto& v = blocks[2].values;
  assert_string_equal(v.at("nonce_type").c_str(), "sha1");
  const Nonce advertised = parsed(braced_field(v.at("slp_body"), "Hashed-Nonce"));
  // "a peer that advertised this value must send the plain nonce of case 2"
  const Nonce case2 = parsed(braced_field(blocks[1].values.at("slp_body"), "Nonce"));
  const Nonce case1 = parsed(braced_field(blocks[0].values.at("slp_body"), "Nonce"));
  assert_true(dc::matches_hash(case2, advertised));
  assert_false(dc::matches_hash(case1, advertised));
  assert_false(dc::matches_hash(advertised, advertised));
}

void test_spec_examples(void** /*state*/) {
  const Nonce nonce = parsed("{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
  assert_bytes_equal(bytes_of(nonce), unhex("4ebb9a8e7c5e1f4f9c5c1a2b3c4d5e6f"));
  const msn::p2p::Header h = dc::handshake_header(0, nonce);
  assert_int_equal(h.ack_id, 0x8E9ABB4E);
  assert_int_equal(h.ack_unique_id, 0x4F1F5E7C);
  assert_true(h.ack_size == 0x6F5E4D3C2B1A5C9CULL);
  assert_int_equal(h.flags, 0x100);
  assert_string_equal(
      dc::guid_text(dc::hash_nonce(parsed("{122D2937-5C86-4C7B-81F5-0E05017880C2}"))).c_str(),
      "{2B95F56D-9CA0-9A64-82CE-ADC1F3C55845}");
  // Without braces and in lower case, as the vector file and some peers write it.
  assert_true(parsed("8e9abb4e-5e7c-4f1f-9c5c-1a2b3c4d5e6f") == nonce);
  assert_bytes_equal(dc::foo_packet(), unhex(msn::test::dc_vector_line("foo_packet")));
}

// The 2.7 plugin advertised SHA-1 over sizeof(pointer) bytes of its nonce: 8 on 64-bit
// systems, 4 on 32-bit ones. Other prefixes are not accepted.
void test_truncated_hash_of_the_27_plugin(void** /*state*/) {
  const Nonce secret = parsed("{122D2937-5C86-4C7B-81F5-0E05017880C2}");
  const std::string raw = bytes_of(secret);
  for (std::size_t prefix : {4, 8}) {
    const Nonce advertised = dc::nonce_from_bytes(msn::crypto::sha1(raw.substr(0, prefix)));
    assert_true(dc::matches_hash(secret, advertised));
  }
  for (std::size_t prefix : {0, 1, 12, 15}) {
    const Nonce advertised = dc::nonce_from_bytes(msn::crypto::sha1(raw.substr(0, prefix)));
    assert_false(dc::matches_hash(secret, advertised));
  }
}

void test_malformed_guid_refused(void** /*state*/) {
  for (const char* text :
       {"", "{}", "{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6}",
        "{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F0}", "{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F",
        "8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}", "{8E9ABB4E5-E7C-4F1F-9C5C-1A2B3C4D5E6F}",
        "{8E9ABB4E05E7C-4F1F-9C5C-1A2B3C4D5E6F}", "{8E9ABB4G-5E7C-4F1F-9C5C-1A2B3C4D5E6F}",
        "{+E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}", "(8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F)"}) {
    auto nonce = dc::parse_guid(text);
    if (nonce.is_ok()) {
      print_error("accepted: %s\n", text);
      fail();
    }
    assert_int_equal(nonce.error().code, msn::Errc::kProtocol);
  }
  assert_true(parsed("{00000000-0000-0000-0000-000000000000}").is_zero());
  assert_false(parsed("{00000000-0000-0000-0000-000000000001}").is_zero());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_plain_cases),
      cmocka_unit_test(test_hashed_case),
      cmocka_unit_test(test_spec_examples),
      cmocka_unit_test(test_truncated_hash_of_the_27_plugin),
      cmocka_unit_test(test_malformed_guid_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
