// SPDX-License-Identifier: GPL-2.0-or-later
// Work spread over main-loop steps must also spread the cost of freeing what it freed.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <utility>

namespace msn {

// glibc sets small freed blocks aside and merges them all at the next allocation or free of a
// large block (64 KiB or more). After a big contact list's hundreds of thousands of strings that
// merge takes tens of milliseconds, in whichever step happens to touch the next large block.
// Work that frees many small blocks a step at a time calls this at the end of each step, so
// that each step pays for its own. With another allocator it is one cheap allocation.
inline void merge_freed_blocks() {
  constexpr std::size_t kLargeBlock = 80 * 1024;    // over the 64 KiB threshold, under mmap's
  void* volatile block = std::malloc(kLargeBlock);  // volatile: not optimised away
  std::free(block);
}

// merge_freed_blocks() when the scope ends, however it is left.
class MergeFreedBlocksAtExit {
 public:
  MergeFreedBlocksAtExit() = default;
  MergeFreedBlocksAtExit(const MergeFreedBlocksAtExit&) = delete;
  MergeFreedBlocksAtExit& operator=(const MergeFreedBlocksAtExit&) = delete;
  ~MergeFreedBlocksAtExit() { merge_freed_blocks(); }
};

// Frees what `value` holds, leaving it empty. (Assigning {} would not: a string keeps its
// buffer when given a short value.)
template <typename T>
void free_contents(T& value) {
  [[maybe_unused]] const T gone = std::move(value);
}

}  // namespace msn
