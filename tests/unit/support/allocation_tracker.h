// SPDX-License-Identifier: GPL-2.0-or-later
// Replaces the global operator new/delete to record the largest single allocation, so a test can
// show that a size declared by the peer never turns into an allocation. malloc/free underneath
// keep the sanitizers' bookkeeping intact.
//
// Include from exactly ONE translation unit per test executable: replacement allocation
// functions may not be inline, so these are ordinary definitions and a second copy in the same
// program would be a duplicate definition.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace msn::test {

inline std::atomic<std::size_t> g_largest_allocation{0};

// Forgets what was recorded so far; call it right before the code under test.
inline void reset_largest_allocation() { g_largest_allocation = 0; }

// The largest single operator new / new[] request since the last reset.
inline std::size_t largest_allocation() { return g_largest_allocation.load(); }

}  // namespace msn::test

void* operator new(std::size_t size) {
  std::size_t seen = msn::test::g_largest_allocation.load();
  while (size > seen && !msn::test::g_largest_allocation.compare_exchange_weak(seen, size)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size))
    return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t size) { return operator new(size); }
// Not inlined: GCC would otherwise see new's pointer reach free() and warn about a mismatch.
[[gnu::noinline]] void operator delete(void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete(void* p, std::size_t) noexcept { std::free(p); }
[[gnu::noinline]] void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
