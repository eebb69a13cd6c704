// SPDX-License-Identifier: GPL-2.0-or-later
#include "crypto/crypto.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sys/random.h>

#include <array>
#include <cerrno>
#include <climits>
#include <cstdint>

#include "core/unique_c.h"

namespace msn::crypto {
namespace {

constexpr std::size_t kDes3KeySize = 24;
constexpr std::size_t kDes3BlockSize = 8;

// OpenSSL wants non-null pointers even for empty inputs, and an empty string_view may
// hold nullptr.
const unsigned char* bytes_of(std::string_view data) {
  static const unsigned char kNothing = 0;
  return data.empty() ? &kNothing : reinterpret_cast<const unsigned char*>(data.data());
}

std::string digest(const EVP_MD* md, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int out_len = 0;
  if (EVP_Digest(bytes_of(data), data.size(), out.data(), &out_len, md, nullptr) != 1) return {};
  return std::string(reinterpret_cast<const char*>(out.data()), out_len);
}

Result<std::string> des3_cbc(bool encrypt, std::string_view key24, std::string_view iv8,
                             std::string_view data) {
  if (key24.size() != kDes3KeySize || iv8.size() != kDes3BlockSize)
    return make_error(Errc::kInvalidArgument, "3DES needs a 24-byte key and an 8-byte IV");
  if (data.size() % kDes3BlockSize != 0)
    return make_error(Errc::kInvalidArgument, "3DES input is not a multiple of 8 bytes");
  if (data.size() > static_cast<std::size_t>(INT_MAX - static_cast<int>(kDes3BlockSize)))
    return make_error(Errc::kLimit, "3DES input too large");

  EvpCipherCtxPtr ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return make_error(Errc::kLimit, "EVP_CIPHER_CTX_new failed");
  const int enc = encrypt ? 1 : 0;
  if (EVP_CipherInit_ex(ctx.get(), EVP_des_ede3_cbc(), nullptr, bytes_of(key24), bytes_of(iv8),
                        enc) != 1 ||
      EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
    return make_error(Errc::kInvalidArgument, "3DES initialisation failed");

  // No padding: the output is exactly as long as the input (plus slack OpenSSL may touch).
  std::string out(data.size() + kDes3BlockSize, '\0');
  auto* out_bytes = reinterpret_cast<unsigned char*>(out.data());
  int written = 0;
  int final_written = 0;
  if (EVP_CipherUpdate(ctx.get(), out_bytes, &written, bytes_of(data),
                       static_cast<int>(data.size())) != 1 ||
      EVP_CipherFinal_ex(ctx.get(), out_bytes + written, &final_written) != 1)
    return make_error(Errc::kInvalidArgument, "3DES operation failed");
  out.resize(static_cast<std::size_t>(written) + static_cast<std::size_t>(final_written));
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

std::string md5(std::string_view data) { return digest(EVP_md5(), data); }

std::string sha1(std::string_view data) { return digest(EVP_sha1(), data); }

std::string hmac_sha1(std::string_view key, std::string_view data) {
  if (key.size() > static_cast<std::size_t>(INT_MAX)) return {};
  std::array<unsigned char, EVP_MAX_MD_SIZE> out{};
  unsigned int out_len = 0;
  if (HMAC(EVP_sha1(), bytes_of(key), static_cast<int>(key.size()), bytes_of(data), data.size(),
           out.data(), &out_len) == nullptr)
    return {};
  return std::string(reinterpret_cast<const char*>(out.data()), out_len);
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
