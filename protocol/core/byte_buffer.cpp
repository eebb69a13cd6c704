// SPDX-License-Identifier: GPL-2.0-or-later
#include "core/byte_buffer.h"

#include <cstdlib>
#include <limits>
#include <new>

namespace msn {

void ByteBuffer::grow(std::size_t needed) {
  std::size_t capacity = capacity_ < 256 ? 256 : capacity_;
  while (capacity < needed)
    capacity = capacity > std::numeric_limits<std::size_t>::max() / 2 ? needed : capacity * 2;
  // realloc moves the pages of a large block instead of copying them.
  void* grown = std::realloc(data_, capacity);
  if (grown == nullptr) throw std::bad_alloc();
  data_ = static_cast<char*>(grown);
  capacity_ = capacity;
}

void ByteBuffer::release(char* data) noexcept { std::free(data); }

}  // namespace msn
