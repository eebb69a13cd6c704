// SPDX-License-Identifier: GPL-2.0-or-later
// Known answers for the OpenSSL-backed primitives (RFC 1321, FIPS 180, RFC 2202, RFC 4648).
#include "crypto/crypto.h"

#include <array>
#include <fstream>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them
#include <optional>
#include <sstream>
#include <string>

#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Result;
namespace crypto = msn::crypto;

// Owns everything a test allocates, so a failing assertion (a longjmp) skips no destructor;
// cmocka runs the teardown after failures too.
struct Fixture {
  std::string a, b, c;
  std::optional<Result<std::string>> r1, r2;
};

constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

void test_md5_known_answers(void** state) {
  Fixture& f = fx(state);
  f.a = crypto::hex_encode(crypto::md5(""));
  assert_bytes_equal(f.a, "d41d8cd98f00b204e9800998ecf8427e");
  f.a = crypto::hex_encode(crypto::md5("abc"));
  assert_bytes_equal(f.a, "900150983cd24fb0d6963f7d28e17f72");
  f.a = crypto::hex_encode(crypto::md5("message digest"));
  assert_bytes_equal(f.a, "f96b697d7cb7938d525a2f31aaf161d0");
}

void test_sha1_known_answers(void** state) {
  Fixture& f = fx(state);
  f.a = crypto::hex_encode(crypto::sha1(""));
  assert_bytes_equal(f.a, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  f.a = crypto::hex_encode(crypto::sha1("abc"));
  assert_bytes_equal(f.a, "a9993e364706816aba3e25717850c26c9cd0d89d");
  f.a = crypto::hex_encode(
      crypto::sha1("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
  assert_bytes_equal(f.a, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
}

// RFC 2202 §3, HMAC-SHA1 test cases 1, 2, 3, 6 and 7, plus the empty key and message.
void test_hmac_sha1_rfc2202(void** state) {
  Fixture& f = fx(state);
  f.a = crypto::hex_encode(crypto::hmac_sha1(std::string(20, '\x0b'), "Hi There"));
  assert_bytes_equal(f.a, "b617318655057264e28bc0b6fb378c8ef146be00");
  f.a = crypto::hex_encode(crypto::hmac_sha1("Jefe", "what do ya want for nothing?"));
  assert_bytes_equal(f.a, "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
  f.a = crypto::hex_encode(crypto::hmac_sha1(std::string(20, '\xaa'), std::string(50, '\xdd')));
  assert_bytes_equal(f.a, "125d7342b9ac11cd91a39af48aa17b4f63f175d3");
  f.a = crypto::hex_encode(crypto::hmac_sha1(
      std::string(80, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"));
  assert_bytes_equal(f.a, "aa4ae5e15272d00e95705637ce8a3b55ed402112");
  f.a = crypto::hex_encode(crypto::hmac_sha1(
      std::string(80, '\xaa'),
      "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data"));
  assert_bytes_equal(f.a, "e8e99d0f45237d786d6bbaa7965c7808bbff1a91");
  f.a = crypto::hex_encode(crypto::hmac_sha1("", ""));
  assert_bytes_equal(f.a, "fbdb1d1b18aa6c08324b7d64b71fb76370690e1d");
}

// RFC 4648 §10.
void test_base64_rfc4648_vectors(void** state) {
  Fixture& f = fx(state);
  static constexpr std::array<std::array<const char*, 2>, 7> kVectors = {{
      {"", ""},
      {"f", "Zg=="},
      {"fo", "Zm8="},
      {"foo", "Zm9v"},
      {"foob", "Zm9vYg=="},
      {"fooba", "Zm9vYmE="},
      {"foobar", "Zm9vYmFy"},
  }};
  for (const auto& [plain, encoded] : kVectors) {
    f.a = crypto::base64_encode(plain);
    assert_bytes_equal(f.a, encoded);
    f.r1 = crypto::base64_decode(encoded);
    assert_true(f.r1->is_ok());
    assert_bytes_equal(f.r1->value(), plain);
  }
}

void test_base64_round_trips_all_lengths(void** state) {
  Fixture& f = fx(state);
  for (std::size_t len = 0; len <= 70; ++len) {
    f.a.clear();
    for (std::size_t i = 0; i < len; ++i) f.a += static_cast<char>((i * 37 + len) & 0xFF);
    f.b = crypto::base64_encode(f.a);
    assert_int_equal(f.b.size() % 4, 0);
    f.r1 = crypto::base64_decode(f.b);
    assert_true(f.r1->is_ok());
    assert_true(f.r1->value() == f.a);
  }
  f.a = std::string("\x00\xff\xfe\x80\x7f", 5);
  f.r1 = crypto::base64_decode(crypto::base64_encode(f.a));
  assert_true(f.r1->is_ok());
  assert_true(f.r1->value() == f.a);
}

void test_base64_ignores_whitespace(void** state) {
  Fixture& f = fx(state);
  f.r1 = crypto::base64_decode("  Zm9v\r\n YmFy\t\n");
  assert_true(f.r1->is_ok());
  assert_bytes_equal(f.r1->value(), "foobar");
  f.r1 = crypto::base64_decode("Zm9vYg =\n=");
  assert_true(f.r1->is_ok());
  assert_bytes_equal(f.r1->value(), "foob");
  f.r1 = crypto::base64_decode(" \r\n");
  assert_true(f.r1->is_ok());
  assert_true(f.r1->value().empty());
}

void test_base64_rejects_invalid(void** state) {
  Fixture& f = fx(state);
  static constexpr std::array<const char*, 14> kInvalid = {
      "Zm9",        // truncated
      "Zm9vY",      // truncated
      "Zm9v=",      // padding without a group
      "Z===",       // three pads
      "====",       // only padding
      "Zm=v",       // padding inside a group
      "Zg==Zg==",   // data after padding
      "Zg=",        // short padded group
      "Zm9v*mFy",   // character outside the alphabet
      "Zm9v-_Fy",   // URL-safe alphabet is not standard base64
      "Zm9v\x01mFy",
      "Zm9v\xc3\xa9mFy",
      "=Zm9",
      "Zm9vYmFy=",
  };
  for (const char* text : kInvalid) {
    f.r1 = crypto::base64_decode(text);
    if (f.r1->is_ok()) {
      print_error("accepted invalid base64 [%s]\n", text);
      fail();
    }
    assert_int_equal(static_cast<int>(f.r1->error().code), static_cast<int>(Errc::kProtocol));
  }
}

void test_hex_encode(void** state) {
  Fixture& f = fx(state);
  f.a = crypto::hex_encode(std::string("\x00\x01\x7f\x80\xab\xff", 6));
  assert_bytes_equal(f.a, "00017f80abff");
  f.a = crypto::hex_encode("");
  assert_bytes_equal(f.a, "");
}

// Known answer produced with `openssl enc -des-ede3-cbc -nopad`.
void test_des3_known_answer_and_round_trip(void** state) {
  Fixture& f = fx(state);
  f.a = msn::test::unhex("0123456789abcdef23456789abcdef01456789abcdef0123");  // key
  f.b = msn::test::unhex("1234567890abcdef");                                  // iv
  f.c = "0123456789abcdefFEDCBA9876543210";
  f.r1 = crypto::des3_cbc_encrypt(f.a, f.b, f.c);
  assert_true(f.r1->is_ok());
  f.r2 = crypto::des3_cbc_decrypt(f.a, f.b, f.r1->value());
  assert_true(f.r2->is_ok());
  assert_bytes_equal(f.r2->value(), f.c);
  f.c = crypto::hex_encode(f.r1->value());
  assert_bytes_equal(f.c, "7579f4286492ede4dc47bb1abc3127f8177eef2e044c8bacb1d8f6ba4c0f3331");

  // No padding: empty in, empty out.
  f.r1 = crypto::des3_cbc_encrypt(f.a, f.b, "");
  assert_true(f.r1->is_ok());
  assert_true(f.r1->value().empty());
}

void test_des3_rejects_bad_sizes(void** state) {
  Fixture& f = fx(state);
  f.a = std::string(24, 'k');
  f.b = std::string(8, 'i');
  f.r1 = crypto::des3_cbc_encrypt(f.a, f.b, "1234567");
  assert_false(f.r1->is_ok());
  assert_int_equal(static_cast<int>(f.r1->error().code),
                   static_cast<int>(Errc::kInvalidArgument));
  f.r1 = crypto::des3_cbc_decrypt(f.a, f.b, "123456789");
  assert_false(f.r1->is_ok());
  f.r1 = crypto::des3_cbc_encrypt(std::string(16, 'k'), f.b, "12345678");
  assert_false(f.r1->is_ok());
  f.r1 = crypto::des3_cbc_encrypt(f.a, std::string(7, 'i'), "12345678");
  assert_false(f.r1->is_ok());
}

void test_random_bytes(void** state) {
  Fixture& f = fx(state);
  f.r1 = crypto::random_bytes(32);
  f.r2 = crypto::random_bytes(32);
  assert_true(f.r1->is_ok());
  assert_true(f.r2->is_ok());
  assert_int_equal(f.r1->value().size(), 32);
  assert_true(f.r1->value() != f.r2->value());  // 2^-256 chance of a false failure
  f.r1 = crypto::random_bytes(0);
  assert_true(f.r1->is_ok());
  assert_true(f.r1->value().empty());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_md5_known_answers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sha1_known_answers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hmac_sha1_rfc2202, setup, teardown),
      cmocka_unit_test_setup_teardown(test_base64_rfc4648_vectors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_base64_round_trips_all_lengths, setup, teardown),
      cmocka_unit_test_setup_teardown(test_base64_ignores_whitespace, setup, teardown),
      cmocka_unit_test_setup_teardown(test_base64_rejects_invalid, setup, teardown),
      cmocka_unit_test_setup_teardown(test_hex_encode, setup, teardown),
      cmocka_unit_test_setup_teardown(test_des3_known_answer_and_round_trip, setup, teardown),
      cmocka_unit_test_setup_teardown(test_des3_rejects_bad_sizes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
