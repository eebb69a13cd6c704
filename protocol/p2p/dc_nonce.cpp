// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct connections".
#include "p2p/dc_nonce.h"

#include <algorithm>

#include "core/ascii.h"
#include "crypto/crypto.h"

namespace msn::p2p::dc {
namespace {

// Text positions of the 16 bytes in "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX", in wire order: the
// first three groups are little-endian numbers, so their bytes are written back to front.
constexpr std::array<std::size_t, kNonceSize> kTextOffset = {6,  4,  2,  0,  11, 9,  16, 14,
                                                             19, 21, 24, 26, 28, 30, 32, 34};
constexpr std::size_t kGuidTextSize = 36;

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "dc: " + detail); }

bool is_dash_position(std::size_t at) { return at == 8 || at == 13 || at == 18 || at == 23; }

Nonce hash_prefix(const Nonce& secret, std::size_t prefix) {
  const std::string digest =
      crypto::sha1(std::string_view(reinterpret_cast<const char*>(secret.bytes.data()), prefix));
  return nonce_from_bytes(digest);
}

std::uint64_t nonce_word(const Nonce& nonce, std::size_t at, std::size_t size) {
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < size; ++i)
    value |= static_cast<std::uint64_t>(nonce.bytes[at + i]) << (8 * i);
  return value;
}

void put_word(Nonce& nonce, std::size_t at, std::size_t size, std::uint64_t value) {
  for (std::size_t i = 0; i < size; ++i)
    nonce.bytes[at + i] = static_cast<std::uint8_t>((value >> (8 * i)) & 0xFF);
}

}  // namespace

bool Nonce::is_zero() const {
  return std::all_of(bytes.begin(), bytes.end(), [](std::uint8_t b) { return b == 0; });
}

Result<Nonce> parse_guid(std::string_view text) {
  if (text.size() == kGuidTextSize + 2 && text.front() == '{' && text.back() == '}')
    text = text.substr(1, kGuidTextSize);
  if (text.size() != kGuidTextSize) return malformed("nonce is not a GUID");
  for (std::size_t at = 0; at < text.size(); ++at) {
    const bool ok = is_dash_position(at) ? text[at] == '-' : ascii::is_hex(text[at]);
    if (!ok) return malformed("nonce is not a GUID");
  }
  Nonce nonce;
  for (std::size_t i = 0; i < kNonceSize; ++i) {
    const std::size_t at = kTextOffset[i];
    nonce.bytes[i] =
        static_cast<std::uint8_t>(ascii::hex_value(text[at]) * 16 + ascii::hex_value(text[at + 1]));
  }
  return nonce;
}

std::string guid_text(const Nonce& nonce) {
  constexpr char kHex[] = "0123456789ABCDEF";
  std::string text(kGuidTextSize, '-');
  for (std::size_t i = 0; i < kNonceSize; ++i) {
    text[kTextOffset[i]] = kHex[nonce.bytes[i] >> 4];
    text[kTextOffset[i] + 1] = kHex[nonce.bytes[i] & 0x0F];
  }
  return "{" + text + "}";
}

Nonce nonce_from_bytes(std::string_view random) {
  Nonce nonce;
  for (std::size_t i = 0; i < kNonceSize && i < random.size(); ++i)
    nonce.bytes[i] = static_cast<std::uint8_t>(random[i]);
  return nonce;
}

Nonce hash_nonce(const Nonce& secret) { return hash_prefix(secret, kNonceSize); }

bool matches_hash(const Nonce& received, const Nonce& advertised) {
  for (const std::size_t prefix : {kNonceSize, std::size_t{8}, std::size_t{4}}) {
    if (hash_prefix(received, prefix) == advertised) return true;
  }
  return false;
}

Header handshake_header(std::uint32_t identifier, const Nonce& nonce) {
  Header header;
  header.identifier = identifier;
  header.flags = flags::kDirectHandshake;
  header.ack_id = static_cast<std::uint32_t>(nonce_word(nonce, 0, 4));
  header.ack_unique_id = static_cast<std::uint32_t>(nonce_word(nonce, 4, 4));
  header.ack_size = nonce_word(nonce, 8, 8);
  return header;
}

Nonce nonce_of(const Header& header) {
  Nonce nonce;
  put_word(nonce, 0, 4, header.ack_id);
  put_word(nonce, 4, 4, header.ack_unique_id);
  put_word(nonce, 8, 8, header.ack_size);
  return nonce;
}

}  // namespace msn::p2p::dc
