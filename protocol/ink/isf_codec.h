// SPDX-License-Identifier: GPL-2.0-or-later
// The low-level pieces of the Ink Serialized Format (docs/protocol/ink.md): a bounded byte
// cursor with the multi-byte integers and floats, and the packet-data codecs (Huffman-style
// prefix codes, "Gorilla" bit packing, the delta-delta transform).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::ink {

// Reads forwards through a byte string; never past its end. Every read fails with kProtocol
// when the bytes are not there.
class ByteCursor {
 public:
  explicit ByteCursor(std::string_view bytes) : bytes_(bytes) {}

  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return bytes_.size() - pos_; }
  bool at_end() const { return pos_ == bytes_.size(); }

  Result<std::uint8_t> byte();
  // MBUINT: 7 bits per byte, least significant group first, high bit = more bytes follow.
  Result<std::uint64_t> mbuint();
  // MBSINT: an MBUINT whose bit 0 is the sign.
  Result<std::int64_t> mbsint();
  // 4-byte IEEE float, little-endian; NaN and infinities are refused.
  Result<float> float32();
  // Skips `count` bytes; fails without moving when fewer remain.
  Status skip(std::uint64_t count);
  // The next `count` bytes as their own cursor; this one moves past them.
  Result<ByteCursor> take(std::uint64_t count);

 private:
  std::string_view bytes_;
  std::size_t pos_ = 0;
};

// Decodes one packet property's block (algorithm byte + data) of `count` values, leaving the
// cursor on the byte after the block. Values whose magnitude would pass kMaxCoordinate are
// refused, so later arithmetic on them cannot overflow.
inline constexpr std::int64_t kMaxCoordinate = std::int64_t{1} << 31;
Status decode_packet_block(ByteCursor& in, std::size_t count, std::vector<std::int64_t>& out);

// The Huffman-style code with table `index` (0..7): `count` signed numbers, bits read most
// significant first. Exposed for tests.
Status decode_huffman(ByteCursor& in, unsigned index, std::size_t count,
                      std::vector<std::int64_t>& out);
// `count` two's-complement numbers of `width` bits (1..32) each. Exposed for tests.
Status decode_bit_packed(ByteCursor& in, unsigned width, std::size_t count,
                         std::vector<std::int64_t>& out);
// x[i] = d[i] + 2*x[i-1] - x[i-2], starting from x[-1] = x[-2] = 0, in place.
Status undo_delta_delta(std::vector<std::int64_t>& values);

}  // namespace msn::ink
