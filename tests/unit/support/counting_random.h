// SPDX-License-Identifier: GPL-2.0-or-later
// A predictable "random" source for the P2P managers' tests: each byte follows from a counter,
// so two managers started at different counts never draw the same ids.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "session/picture_manager.h"

namespace msn::test {

inline PictureRandom counter(unsigned start) {
  auto next = std::make_shared<unsigned>(start);
  return [next](std::size_t n) -> Result<std::string> {
    std::string out;
    for (std::size_t i = 0; i < n; ++i) out.push_back(static_cast<char>((*next)++ * 37 + 11));
    return out;
  };
}

}  // namespace msn::test
