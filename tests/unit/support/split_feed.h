// SPDX-License-Identifier: GPL-2.0-or-later
// Parsegrind support: hands an input to a parser in pieces, as a socket might deliver it.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace msn::test {

// Calls feed(piece) for `input` cut at `cuts` (ascending offsets) and then for the rest, which
// may be empty. Stops after the first call that returns false (the parser failed).
template <typename Feed>
void feed_in_pieces(std::string_view input, const std::vector<std::size_t>& cuts, Feed&& feed) {
  std::size_t from = 0;
  for (std::size_t cut : cuts) {
    if (!feed(input.substr(from, cut - from)))
      return;
    from = cut;
  }
  feed(input.substr(from));
}

}  // namespace msn::test
