// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/notification-server.md: the Windows CryptoAPI-style blob answering "USR SSO S
// {policy} {nonce}".
#include "auth/mbi.h"

#include <cstddef>
#include <cstdint>

#include "crypto/crypto.h"

namespace msn::auth {
namespace {

constexpr std::size_t kSecretSize = 24;
constexpr std::size_t kIvSize = 8;
constexpr std::size_t kHashSize = 20;
constexpr std::size_t kBlockSize = 8;
// Real servers send 64 characters; the bound only keeps hostile input from growing the blob.
constexpr std::size_t kMaxNonceSize = 1024;

constexpr std::uint32_t kHeaderSize = 28;
constexpr std::uint32_t kCryptModeCbc = 1;
constexpr std::uint32_t kCalg3Des = 0x6603;
constexpr std::uint32_t kCalgSha1 = 0x8004;

constexpr std::string_view kHashLabel = "WS-SecureConversationSESSION KEY HASH";
constexpr std::string_view kEncryptionLabel = "WS-SecureConversationSESSION KEY ENCRYPTION";

void append_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i) & 0xFF);
}

// nonce || n bytes of value n, n in 1..8, making whole 3DES blocks. For the 64-byte nonces
// servers send this is the reference's "nonce || 08 x 8" (len(nonce) + 8 bytes); for other
// lengths it is the PKCS#5 padding CryptEncrypt would apply, where "+ 8" could not be
// encrypted without padding at all.
std::string pad_nonce(std::string_view nonce) {
  const std::size_t pad = kBlockSize - nonce.size() % kBlockSize;
  std::string padded(nonce);
  padded.append(pad, static_cast<char>(pad));
  return padded;
}

}  // namespace

std::string derive_key(std::string_view key, std::string_view label) {
  const std::string h1 = crypto::hmac_sha1(key, label);
  const std::string h2 = crypto::hmac_sha1(key, h1 + std::string(label));
  const std::string h3 = crypto::hmac_sha1(key, h1);
  const std::string h4 = crypto::hmac_sha1(key, h3 + std::string(label));
  return h2 + h4.substr(0, 4);
}

Result<std::string> mbi_blob(std::string_view secret, std::string_view nonce, std::string_view iv) {
  if (secret.size() != kSecretSize)
    return make_error(Errc::kAuth, "MBI: the messengerclear proof key is not 24 bytes");
  if (iv.size() != kIvSize) return make_error(Errc::kInvalidArgument, "MBI: the IV is not 8 bytes");
  if (nonce.empty() || nonce.size() > kMaxNonceSize)
    return make_error(Errc::kProtocol, "MBI: nonce length " + std::to_string(nonce.size()) +
                                           " outside 1.." + std::to_string(kMaxNonceSize));

  const std::string key_hash = derive_key(secret, kHashLabel);
  const std::string key_encrypt = derive_key(secret, kEncryptionLabel);
  const std::string hash = crypto::hmac_sha1(key_hash, nonce);
  if (key_hash.size() != kSecretSize || key_encrypt.size() != kSecretSize ||
      hash.size() != kHashSize)
    return make_error(Errc::kAuth, "MBI: HMAC-SHA1 failed");

  auto cipher = crypto::des3_cbc_encrypt(key_encrypt, iv, pad_nonce(nonce));
  if (!cipher) return make_error(Errc::kAuth, "MBI: " + cipher.error().detail);

  std::string blob;
  blob.reserve(kHeaderSize + kIvSize + kHashSize + cipher->size());
  append_le32(blob, kHeaderSize);
  append_le32(blob, kCryptModeCbc);
  append_le32(blob, kCalg3Des);
  append_le32(blob, kCalgSha1);
  append_le32(blob, static_cast<std::uint32_t>(kIvSize));
  append_le32(blob, static_cast<std::uint32_t>(kHashSize));
  append_le32(blob, static_cast<std::uint32_t>(cipher->size()));
  blob += iv;
  blob += hash;
  blob += *cipher;
  return crypto::base64_encode(blob);
}

}  // namespace msn::auth
