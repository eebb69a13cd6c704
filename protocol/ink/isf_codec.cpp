// SPDX-License-Identifier: GPL-2.0-or-later
#include "ink/isf_codec.h"

#include <array>
#include <bit>
#include <cmath>
#include <string>

namespace msn::ink {

namespace {

Error malformed(std::string detail) { return Error{Errc::kProtocol, "ISF: " + std::move(detail)}; }

// Reads bits most significant first, taking bytes from the cursor only when they are needed, so
// a block ends on the byte holding its last bit.
class BitReader {
 public:
  explicit BitReader(ByteCursor& in) : in_(in) {}

  Result<bool> bit() {
    if (left_ == 0) {
      auto next = in_.byte();
      if (!next) return next.error();
      current_ = *next;
      left_ = 8;
    }
    --left_;
    return ((current_ >> left_) & 1u) != 0;
  }

  Result<std::uint64_t> bits(unsigned count) {
    std::uint64_t value = 0;
    for (unsigned i = 0; i < count; ++i) {
      auto b = bit();
      if (!b) return b.error();
      value = (value << 1) | (*b ? 1u : 0u);
    }
    return value;
  }

 private:
  ByteCursor& in_;
  std::uint8_t current_ = 0;
  unsigned left_ = 0;
};

// The eight code tables: entry k is the number of bits that follow a prefix of k one-bits
// (entry 0: a lone 0 bit means the value 0). From the ISF specification, as used by both
// decoders that checked tests/data/vectors/isf-ink.txt.
constexpr std::size_t kMaxCodeLength = 10;
struct CodeTable {
  std::array<std::uint8_t, kMaxCodeLength> bits;
  std::size_t size;
};
constexpr std::array<CodeTable, 8> kCodeTables{{
    {{0, 1, 2, 4, 6, 8, 12, 16, 24, 32}, 10},
    {{0, 1, 1, 2, 4, 8, 12, 16, 24, 32}, 10},
    {{0, 1, 1, 1, 2, 4, 8, 14, 22, 32}, 10},
    {{0, 2, 2, 3, 5, 8, 12, 16, 24, 32}, 10},
    {{0, 3, 4, 5, 8, 12, 16, 24, 32}, 9},
    {{0, 4, 6, 8, 12, 16, 24, 32}, 8},
    {{0, 6, 8, 12, 16, 24, 32}, 7},
    {{0, 7, 8, 12, 16, 24, 32}, 7},
}};

// The smallest magnitude of each prefix length: prefix k covers 2^(bits[k]-1) magnitudes
// starting where prefix k-1's range ended.
std::array<std::int64_t, kMaxCodeLength> code_bases(const CodeTable& table) {
  std::array<std::int64_t, kMaxCodeLength> bases{};
  std::int64_t base = 1;
  for (std::size_t k = 1; k < table.size; ++k) {
    bases[k] = base;
    base += std::int64_t{1} << (table.bits[k] - 1);
  }
  return bases;
}

bool in_range(std::int64_t v) { return v <= kMaxCoordinate && v >= -kMaxCoordinate; }

}  // namespace

Result<std::uint8_t> ByteCursor::byte() {
  if (pos_ >= bytes_.size()) return malformed("truncated");
  return static_cast<std::uint8_t>(bytes_[pos_++]);
}

Result<std::uint64_t> ByteCursor::mbuint() {
  std::uint64_t value = 0;
  for (unsigned shift = 0;; shift += 7) {
    auto b = byte();
    if (!b) return b.error();
    const std::uint64_t group = *b & 0x7Fu;
    // A 64-bit value needs at most ten groups, the tenth holding one bit.
    if (shift > 63 || (shift == 63 && group > 1)) return malformed("multi-byte integer too long");
    value |= group << shift;
    if ((*b & 0x80u) == 0) return value;
  }
}

Result<std::int64_t> ByteCursor::mbsint() {
  auto u = mbuint();
  if (!u) return u.error();
  const auto magnitude = static_cast<std::int64_t>(*u >> 1);
  return (*u & 1u) != 0 ? -magnitude : magnitude;
}

Result<float> ByteCursor::float32() {
  if (remaining() < 4) return malformed("truncated float");
  std::uint32_t raw = 0;
  for (unsigned i = 0; i < 4; ++i) {
    raw |= std::uint32_t{static_cast<std::uint8_t>(bytes_[pos_ + i])} << (8 * i);
  }
  pos_ += 4;
  const auto value = std::bit_cast<float>(raw);
  if (!std::isfinite(value)) return malformed("float is not finite");
  return value;
}

Status ByteCursor::skip(std::uint64_t count) {
  if (count > remaining()) return malformed("size beyond the input");
  pos_ += static_cast<std::size_t>(count);
  return Status::ok();
}

Result<ByteCursor> ByteCursor::take(std::uint64_t count) {
  if (count > remaining()) return malformed("size beyond the input");
  ByteCursor part(bytes_.substr(pos_, static_cast<std::size_t>(count)));
  pos_ += static_cast<std::size_t>(count);
  return part;
}

Status decode_huffman(ByteCursor& in, unsigned index, std::size_t count,
                      std::vector<std::int64_t>& out) {
  if (index >= kCodeTables.size()) return malformed("Huffman index beyond the tables");
  const CodeTable& table = kCodeTables[index];
  const auto bases = code_bases(table);
  BitReader bits(in);
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t prefix = 0;
    for (;;) {
      auto b = bits.bit();
      if (!b) return b.error();
      if (!*b) break;
      // The longest prefix would announce a 64-bit value, which no coordinate needs.
      if (++prefix >= table.size) return malformed("Huffman prefix too long");
    }
    if (prefix == 0) {
      out.push_back(0);
      continue;
    }
    auto offset = bits.bits(table.bits[prefix]);
    if (!offset) return offset.error();
    const std::int64_t magnitude = bases[prefix] + static_cast<std::int64_t>(*offset >> 1);
    const std::int64_t value = (*offset & 1u) != 0 ? -magnitude : magnitude;
    if (!in_range(value)) return malformed("packet value out of range");
    out.push_back(value);
  }
  return Status::ok();
}

Status decode_bit_packed(ByteCursor& in, unsigned width, std::size_t count,
                         std::vector<std::int64_t>& out) {
  if (width == 0 || width > 32) return malformed("bit width out of range");
  BitReader bits(in);
  const std::uint64_t sign = std::uint64_t{1} << (width - 1);
  for (std::size_t i = 0; i < count; ++i) {
    auto raw = bits.bits(width);
    if (!raw) return raw.error();
    const auto value = static_cast<std::int64_t>(*raw ^ sign) - static_cast<std::int64_t>(sign);
    out.push_back(value);
  }
  return Status::ok();
}

Status undo_delta_delta(std::vector<std::int64_t>& values) {
  std::int64_t previous = 0;
  std::int64_t before = 0;
  for (auto& v : values) {
    // Each term is within kMaxCoordinate, so this sum cannot overflow 64 bits.
    const std::int64_t x = v + 2 * previous - before;
    if (!in_range(x)) return malformed("coordinate out of range");
    before = previous;
    previous = x;
    v = x;
  }
  return Status::ok();
}

Status decode_packet_block(ByteCursor& in, std::size_t count, std::vector<std::int64_t>& out) {
  auto algorithm = in.byte();
  if (!algorithm) return algorithm.error();
  out.clear();
  // Every value takes at least one bit: refuse a count the remaining bytes cannot hold before
  // reserving room for it.
  if (count > in.remaining() * 8) return malformed("packet count beyond the input");
  out.reserve(count);
  const unsigned kind = *algorithm & 0xC0u;
  if (kind == 0x80u || kind == 0xC0u) {
    if (auto s = decode_huffman(in, *algorithm & 0x1Fu, count, out); !s) return s;
    return undo_delta_delta(out);
  }
  if (kind == 0x00u) {
    const unsigned width = (*algorithm & 0x1Fu) == 0 ? 32u : (*algorithm & 0x1Fu);
    if (auto s = decode_bit_packed(in, width, count, out); !s) return s;
    if ((*algorithm & 0x20u) != 0) return undo_delta_delta(out);
    return Status::ok();
  }
  return malformed("unsupported packet compression");
}

}  // namespace msn::ink
