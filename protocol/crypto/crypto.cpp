// SPDX-License-Identifier: GPL-2.0-or-later
#include "crypto/crypto.h"

// OpenSSL 3 marks the algorithms' own functions (SHA1_Init, DES_ede3_cbc_encrypt, ...)
// deprecated in favour of EVP, which looks every algorithm up in its provider tables; the first
// lookup of a process builds those tables, about 4 ms of CPU: a fifth of a whole sign-in
// without contacts, for a handful of hashes and one 3DES block. The algorithms here are fixed,
// so they are called directly (the same implementations EVP's default provider runs).
#define OPENSSL_SUPPRESS_DEPRECATED

#include <openssl/des.h>
#include <openssl/md5.h>
#include <openssl/sha.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>
#include <initializer_list>

namespace msn::crypto {
namespace {

constexpr std::size_t kDes3KeySize = 24;
constexpr std::size_t kDes3BlockSize = 8;

constexpr std::size_t kSha1BlockSize = 64;  // HMAC pads its key to this

// OpenSSL wants non-null pointers even for empty inputs, and an empty string_view may
// hold nullptr.
const unsigned char* bytes_of(std::string_view data) {
  static const unsigned char kNothing = 0;
  return data.empty() ? &kNothing : reinterpret_cast<const unsigned char*>(data.data());
}

template <std::size_t N>
std::string string_of(const std::array<unsigned char, N>& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), N);
}

// SHA-1 over the concatenation of `parts` (HMAC hashes a pad and the data without joining them).
std::string sha1_of(std::initializer_list<std::string_view> parts) {
  SHA_CTX ctx;
  SHA1_Init(&ctx);
  for (const std::string_view part : parts) SHA1_Update(&ctx, bytes_of(part), part.size());
  std::array<unsigned char, SHA_DIGEST_LENGTH> out{};
  SHA1_Final(out.data(), &ctx);
  return string_of(out);
}

Result<std::string> des3_cbc(bool encrypt, std::string_view key24, std::string_view iv8,
                             std::string_view data) {
  if (key24.size() != kDes3KeySize || iv8.size() != kDes3BlockSize)
    return make_error(Errc::kInvalidArgument, "3DES needs a 24-byte key and an 8-byte IV");
  if (data.size() % kDes3BlockSize != 0)
    return make_error(Errc::kInvalidArgument, "3DES input is not a multiple of 8 bytes");
  if (data.size() > static_cast<std::size_t>(LONG_MAX))
    return make_error(Errc::kLimit, "3DES input too large");

  // Three independent DES keys; parity bits ignored, as EVP's DES-EDE3-CBC does.
  std::array<DES_key_schedule, 3> schedules{};
  for (std::size_t i = 0; i < schedules.size(); ++i) {
    DES_cblock key{};
    std::memcpy(key, key24.data() + i * kDes3BlockSize, kDes3BlockSize);
    DES_set_key_unchecked(&key, &schedules[i]);
  }
  DES_cblock iv{};
  std::memcpy(iv, iv8.data(), kDes3BlockSize);  // advanced in place by the call below
  std::string out(data.size(), '\0');
  DES_ede3_cbc_encrypt(bytes_of(data), reinterpret_cast<unsigned char*>(out.data()),
                       static_cast<long>(data.size()), &schedules[0], &schedules[1], &schedules[2],
                       &iv, encrypt ? DES_ENCRYPT : DES_DECRYPT);
  return out;
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// Maps a base64 character to its 6-bit value; -1 for anything else.
int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::uint32_t byte_at(std::string_view data, std::size_t i) {
  return static_cast<unsigned char>(data[i]);
}

bool is_base64_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

}  // namespace

std::string md5(std::string_view data) {
  MD5_CTX ctx;
  MD5_Init(&ctx);
  MD5_Update(&ctx, bytes_of(data), data.size());
  std::array<unsigned char, MD5_DIGEST_LENGTH> out{};
  MD5_Final(out.data(), &ctx);
  return string_of(out);
}

std::string sha1(std::string_view data) { return sha1_of({data}); }

// RFC 2104: H((K ^ opad) || H((K ^ ipad) || data)), K hashed first when longer than a block.
std::string hmac_sha1(std::string_view key, std::string_view data) {
  std::string block = key.size() > kSha1BlockSize ? sha1(key) : std::string(key);
  block.resize(kSha1BlockSize, '\0');
  std::string inner_pad = block;
  std::string outer_pad = block;
  for (std::size_t i = 0; i < kSha1BlockSize; ++i) {
    inner_pad[i] = static_cast<char>(inner_pad[i] ^ 0x36);
    outer_pad[i] = static_cast<char>(outer_pad[i] ^ 0x5C);
  }
  return sha1_of({outer_pad, sha1_of({inner_pad, data})});
}

Result<std::string> des3_cbc_encrypt(std::string_view key24, std::string_view iv8,
                                     std::string_view data) {
  return des3_cbc(true, key24, iv8, data);
}

Result<std::string> des3_cbc_decrypt(std::string_view key24, std::string_view iv8,
                                     std::string_view data) {
  return des3_cbc(false, key24, iv8, data);
}

Result<std::string> random_bytes(std::size_t count) {
  if (count > static_cast<std::size_t>(INT_MAX))
    return make_error(Errc::kInvalidArgument, "random_bytes: count too large");
  std::string out(count, '\0');
  // The kernel's generator rather than RAND_bytes: the first RAND_bytes of a process sets up
  // OpenSSL's DRBG, about a third of the CPU a sign-in without contacts takes, for the few
  // bytes a session needs. getrandom blocks only before the kernel pool is first seeded.
  std::size_t filled = 0;
  while (filled < count) {
    const ssize_t got = getrandom(out.data() + filled, count - filled, 0);
    if (got < 0) {
      if (errno == EINTR) continue;
      return make_error(Errc::kLimit, "getrandom failed (entropy source unavailable)");
    }
    filled += static_cast<std::size_t>(got);
  }
  return out;
}

std::string base64_encode(std::string_view data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const std::uint32_t v =
        byte_at(data, i) << 16 | byte_at(data, i + 1) << 8 | byte_at(data, i + 2);
    out += kBase64Alphabet[v >> 18 & 0x3F];
    out += kBase64Alphabet[v >> 12 & 0x3F];
    out += kBase64Alphabet[v >> 6 & 0x3F];
    out += kBase64Alphabet[v & 0x3F];
  }
  const std::size_t rest = data.size() - i;
  if (rest > 0) {
    std::uint32_t v = byte_at(data, i) << 16;
    if (rest == 2) v |= byte_at(data, i + 1) << 8;
    out += kBase64Alphabet[v >> 18 & 0x3F];
    out += kBase64Alphabet[v >> 12 & 0x3F];
    out += rest == 2 ? kBase64Alphabet[v >> 6 & 0x3F] : '=';
    out += '=';
  }
  return out;
}

// Strict: only the standard alphabet, length a multiple of 4 once whitespace is removed, and
// '=' only as the last one or two characters. Non-zero bits in the last partial group are
// tolerated (RFC 4648 §3.5 leaves that to the decoder; some encoders emit them).
Result<std::string> base64_decode(std::string_view text) {
  std::string clean;
  clean.reserve(text.size());
  for (const char c : text)
    if (!is_base64_space(c)) clean += c;
  if (clean.size() % 4 != 0) return make_error(Errc::kProtocol, "base64: truncated input");

  std::size_t padding = 0;
  if (!clean.empty() && clean.back() == '=') padding = clean[clean.size() - 2] == '=' ? 2 : 1;
  const std::size_t data_chars = clean.size() - padding;

  std::string out;
  out.reserve(clean.size() / 4 * 3);
  std::uint32_t acc = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const int v = base64_value(clean[i]);  // also rejects '=' before the final padding
    if (v < 0) return make_error(Errc::kProtocol, "base64: invalid character");
    acc = acc << 6 | static_cast<std::uint32_t>(v);
    if (i % 4 == 3) {
      out += static_cast<char>(acc >> 16 & 0xFF);
      out += static_cast<char>(acc >> 8 & 0xFF);
      out += static_cast<char>(acc & 0xFF);
      acc = 0;
    }
  }
  // The final group holds 2 (one byte) or 3 (two bytes) characters of data.
  if (padding == 2) {
    out += static_cast<char>(acc >> 4 & 0xFF);
  } else if (padding == 1) {
    out += static_cast<char>(acc >> 10 & 0xFF);
    out += static_cast<char>(acc >> 2 & 0xFF);
  }
  return out;
}

std::string hex_encode(std::string_view data) {
  static constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (const char c : data) {
    const auto b = static_cast<unsigned char>(c);
    out += kDigits[b >> 4];
    out += kDigits[b & 0x0F];
  }
  return out;
}

}  // namespace msn::crypto
