// SPDX-License-Identifier: GPL-2.0-or-later
// The MBI blob against every case of tests/data/vectors/mbi.txt
// (docs/protocol/notification-server.md).
#include "auth/mbi.h"
#include "crypto/crypto.h"

#include <cstdint>
#include <fstream>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Result;
namespace crypto = msn::crypto;

constexpr std::string_view kHashLabel = "WS-SecureConversationSESSION KEY HASH";
constexpr std::string_view kEncryptionLabel = "WS-SecureConversationSESSION KEY ENCRYPTION";
// The 28 header bytes fix the first 37 base64 characters; the 38th already carries the top
// four bits of the IV (the reference quotes 38 characters, true only for IVs below 0x10...; see
// docs/protocol/notification-server.md, "MBI answer").
constexpr std::string_view kBlobPrefix = "HAAAAAEAAAADZgAABIAAAAgAAAAUAAAASAAAA";

using Case = std::map<std::string, std::string>;

struct Fixture {
  std::vector<Case> cases;
  std::string secret, iv, got, nonce;
  std::optional<Result<std::string>> blob, raw, plain;
};

constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

// "[case N]" sections of key=value lines.
std::vector<Case> read_cases() {
  std::vector<Case> cases;
  std::istringstream in(msn::test::read_data_file("vectors/mbi.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.rfind("[case", 0) == 0) {
      cases.emplace_back();
      continue;
    }
    const std::size_t eq = line.find('=');
    if (cases.empty() || eq == std::string::npos) continue;
    cases.back()[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return cases;
}

std::uint32_t le32_at(const std::string& s, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(s[offset + i])) << (8 * i);
  return v;
}

void test_every_vector_case(void** state) {
  Fixture& f = fx(state);
  f.cases = read_cases();
  if (f.cases.empty()) {
    print_error("no cases read from vectors/mbi.txt (TEST_DATA_DIR=%s)\n", TEST_DATA_DIR);
    fail();
  }
  for (std::size_t i = 0; i < f.cases.size(); ++i) {
    Case& c = f.cases[i];
    print_message("case %zu\n", i + 1);
    f.raw = crypto::base64_decode(c["binary_secret_b64"]);
    assert_true(f.raw->is_ok());
    f.secret = f.raw->value();
    f.iv = msn::test::unhex(c["iv_hex"]);
    assert_int_equal(f.secret.size(), 24);
    assert_int_equal(f.iv.size(), 8);

    f.got = crypto::hex_encode(msn::auth::derive_key(f.secret, kHashLabel));
    assert_bytes_equal(f.got, c["key_hash_24_hex"]);
    f.got = crypto::hex_encode(msn::auth::derive_key(f.secret, kEncryptionLabel));
    assert_bytes_equal(f.got, c["key_encrypt_24_hex"]);

    f.blob = msn::auth::mbi_blob(f.secret, c["nonce"], f.iv);
    assert_true(f.blob->is_ok());
    assert_bytes_equal(f.blob->value(), c["expected_blob_b64"]);
    assert_true(f.blob->value().rfind(kBlobPrefix, 0) == 0);
  }
}

// A nonce of any length 1..1024 gives a blob whose header matches its parts and whose
// cipher decrypts back to the nonce (padded to whole blocks).
void test_blob_structure_for_other_nonce_lengths(void** state) {
  Fixture& f = fx(state);
  f.secret = std::string(24, '\x42');
  f.iv = "\x01\x02\x03\x04\x05\x06\x07\x08";
  for (const std::size_t len : {1u, 7u, 8u, 63u, 64u, 65u, 100u, 1024u}) {
    f.nonce.assign(len, 'n');
    f.blob = msn::auth::mbi_blob(f.secret, f.nonce, f.iv);
    assert_true(f.blob->is_ok());
    f.raw = crypto::base64_decode(f.blob->value());
    assert_true(f.raw->is_ok());
    const std::string& raw = f.raw->value();
    const std::size_t cipher_len = (len / 8 + 1) * 8;  // equals len + 8 for whole blocks
    assert_int_equal(raw.size(), 28 + 8 + 20 + cipher_len);
    assert_int_equal(le32_at(raw, 0), 28);
    assert_int_equal(le32_at(raw, 4), 1);
    assert_int_equal(le32_at(raw, 8), 0x6603);
    assert_int_equal(le32_at(raw, 12), 0x8004);
    assert_int_equal(le32_at(raw, 16), 8);
    assert_int_equal(le32_at(raw, 20), 20);
    assert_int_equal(le32_at(raw, 24), cipher_len);
    assert_true(raw.compare(28, 8, f.iv) == 0);
    f.got = crypto::hmac_sha1(msn::auth::derive_key(f.secret, kHashLabel), f.nonce);
    assert_true(raw.compare(36, 20, f.got) == 0);
    f.plain = crypto::des3_cbc_decrypt(msn::auth::derive_key(f.secret, kEncryptionLabel), f.iv,
                                       raw.substr(56));
    assert_true(f.plain->is_ok());
    assert_true(f.plain->value().compare(0, len, f.nonce) == 0);
    const auto pad = static_cast<char>(cipher_len - len);
    assert_true(f.plain->value().substr(len) == std::string(cipher_len - len, pad));
  }
}

void expect_error(Fixture& f, Errc code) {
  assert_false(f.blob->is_ok());
  assert_int_equal(static_cast<int>(f.blob->error().code), static_cast<int>(code));
}

void test_rejects_invalid_inputs(void** state) {
  Fixture& f = fx(state);
  f.nonce.assign(64, 'n');
  f.iv.assign(8, 'i');
  f.blob = msn::auth::mbi_blob(std::string(23, 's'), f.nonce, f.iv);
  expect_error(f, Errc::kAuth);
  f.blob = msn::auth::mbi_blob(std::string(25, 's'), f.nonce, f.iv);
  expect_error(f, Errc::kAuth);
  f.blob = msn::auth::mbi_blob("", f.nonce, f.iv);
  expect_error(f, Errc::kAuth);
  f.blob = msn::auth::mbi_blob(std::string(24, 's'), f.nonce, "1234567");
  expect_error(f, Errc::kInvalidArgument);
  f.blob = msn::auth::mbi_blob(std::string(24, 's'), f.nonce, "123456789");
  expect_error(f, Errc::kInvalidArgument);
  f.blob = msn::auth::mbi_blob(std::string(24, 's'), "", f.iv);
  expect_error(f, Errc::kProtocol);
  f.nonce.assign(1025, 'n');
  f.blob = msn::auth::mbi_blob(std::string(24, 's'), f.nonce, f.iv);
  expect_error(f, Errc::kProtocol);
}

void test_derive_key_is_24_bytes(void** state) {
  Fixture& f = fx(state);
  f.got = msn::auth::derive_key("", "");
  assert_int_equal(f.got.size(), 24);
  f.got = msn::auth::derive_key(std::string(200, 'k'), std::string(300, 'l'));
  assert_int_equal(f.got.size(), 24);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_every_vector_case, setup, teardown),
      cmocka_unit_test_setup_teardown(test_blob_structure_for_other_nonce_lengths, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_rejects_invalid_inputs, setup, teardown),
      cmocka_unit_test_setup_teardown(test_derive_key_is_24_bytes, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
