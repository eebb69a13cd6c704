// SPDX-License-Identifier: GPL-2.0-or-later
// A growable byte buffer for bodies that can reach tens of megabytes (an address book's
// answer). It grows with realloc, which for large blocks remaps pages instead of copying them:
// a std::string doubling from 32 to 64 MB copies 32 MB and faults in fresh pages inside one
// main-loop callback, long enough to freeze the UI. Read it as a std::string_view.
#pragma once

#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace msn {

class ByteBuffer {
 public:
  ByteBuffer() = default;
  explicit ByteBuffer(std::string_view bytes) { append(bytes); }
  ByteBuffer(const ByteBuffer& other) : ByteBuffer(other.view()) {}
  ByteBuffer(ByteBuffer&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)),
        size_(std::exchange(other.size_, 0)),
        capacity_(std::exchange(other.capacity_, 0)) {}
  ByteBuffer& operator=(ByteBuffer other) noexcept {
    swap(other);
    return *this;
  }
  ByteBuffer& operator=(std::string_view bytes) {
    ByteBuffer copy(bytes);
    swap(copy);
    return *this;
  }
  ~ByteBuffer() { release(data_); }

  void swap(ByteBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
    std::swap(capacity_, other.capacity_);
  }

  // Throws std::bad_alloc like a std::string would when memory runs out.
  void append(std::string_view bytes) {
    if (bytes.empty()) return;
    if (bytes.size() > capacity_ - size_) grow(size_ + bytes.size());
    std::memcpy(data_ + size_, bytes.data(), bytes.size());
    size_ += bytes.size();
  }

  std::string_view view() const { return {data_ != nullptr ? data_ : "", size_}; }
  operator std::string_view() const { return view(); }  // NOLINT: used where text is read
  std::string str() const { return std::string(view()); }
  const char* data() const { return view().data(); }
  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t find(std::string_view needle, std::size_t from = 0) const {
    return view().find(needle, from);
  }

  friend bool operator==(const ByteBuffer& a, std::string_view b) { return a.view() == b; }
  friend bool operator==(const ByteBuffer& a, const ByteBuffer& b) { return a.view() == b.view(); }

 private:
  // Out of line, with the destructor's free: GCC 12 mistakes a realloc'd block for one
  // from operator new when both are inlined into one caller (-Wmismatched-new-delete).
  void grow(std::size_t needed);
  static void release(char* data) noexcept;

  char* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
};

}  // namespace msn
