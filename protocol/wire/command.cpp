// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire/command.h"

#include <limits>

#include "core/ascii.h"

namespace msn::wire {

std::optional<std::uint32_t> parse_u32(std::string_view text) {
  if (text.empty())
    return std::nullopt;
  std::uint64_t value = 0;
  for (char c : text) {
    if (!ascii::is_digit(c))
      return std::nullopt;
    value = value * 10 + static_cast<std::uint64_t>(c - '0');
    // Checked per digit so leading zeros are fine and no input length can overflow.
    if (value > std::numeric_limits<std::uint32_t>::max())
      return std::nullopt;
  }
  return static_cast<std::uint32_t>(value);
}

bool Command::is_error() const {
  return verb.size() == 3 && ascii::is_digit(verb[0]) && ascii::is_digit(verb[1]) &&
         ascii::is_digit(verb[2]);
}

int Command::error_code() const {
  if (!is_error())
    return 0;
  return (verb[0] - '0') * 100 + (verb[1] - '0') * 10 + (verb[2] - '0');
}

std::optional<TrId> Command::trid() const {
  if (args.empty())
    return std::nullopt;
  return parse_u32(args[0]);
}

std::string_view Command::arg(std::size_t i) const {
  if (i >= args.size())
    return {};
  return args[i];
}

}  // namespace msn::wire
