// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/notification-server.md. Every intermediate fits in an unsigned 64-bit value: the
// factors are below 2^31 (masked MD5 words) and 2^32 (challenge words), so no product overflows.
#include "auth/challenge.h"

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/crypto.h"

namespace msn::auth {
namespace {

constexpr std::uint64_t kModulus = 0x7FFFFFFF;
constexpr std::uint64_t kMultiplier = 0x0E79A9C1;

std::uint32_t read_le32(std::string_view bytes, std::size_t offset) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i)
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[offset + i])) << (8 * i);
  return v;
}

void append_le32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>(v >> (8 * i) & 0xFF);
}

}  // namespace

std::string challenge_response(std::string_view challenge, std::string_view product_id,
                               std::string_view product_key) {
  std::string keyed(challenge);
  keyed += product_key;
  const std::string digest = crypto::md5(keyed);
  if (digest.size() != 16) return {};  // only if OpenSSL itself failed

  std::array<std::uint32_t, 4> h{};
  std::array<std::uint64_t, 4> m{};
  for (std::size_t i = 0; i < 4; ++i) {
    h[i] = read_le32(digest, 4 * i);
    m[i] = h[i] & kModulus;
  }

  // Pad with ASCII '0' to whole 8-byte pairs of words.
  std::string s(challenge);
  s += product_id;
  s.append((8 - s.size() % 8) % 8, '0');

  std::uint64_t hi = 0;
  std::uint64_t lo = 0;
  for (std::size_t offset = 0; offset < s.size(); offset += 8) {
    const std::uint64_t c0 = read_le32(s, offset);
    const std::uint64_t c1 = read_le32(s, offset + 4);
    std::uint64_t t = (kMultiplier * c0) % kModulus;
    t = (m[0] * (t + hi) + m[1]) % kModulus;
    lo += t;  // deliberately not reduced here (as the reference algorithm does)
    hi = (m[2] * ((c1 + t) % kModulus) + m[3]) % kModulus;
    lo += hi;
  }
  hi = (hi + m[1]) % kModulus;
  lo = (lo + m[3]) % kModulus;

  const auto hi32 = static_cast<std::uint32_t>(hi);
  const auto lo32 = static_cast<std::uint32_t>(lo);
  std::string out;
  append_le32(out, h[0] ^ hi32);
  append_le32(out, h[1] ^ lo32);
  append_le32(out, h[2] ^ hi32);
  append_le32(out, h[3] ^ lo32);
  return crypto::hex_encode(out);
}

}  // namespace msn::auth
