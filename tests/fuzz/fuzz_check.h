// SPDX-License-Identifier: GPL-2.0-or-later
// The one check every fuzz target makes of its invariants: a broken one aborts, which
// libFuzzer reports with the input. Apart from fuzz_support.h, which brings in the whole
// engine, so that the single-parser targets stay small.
#pragma once

#include <cstdlib>

namespace msn::fuzz {

inline void check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace msn::fuzz
