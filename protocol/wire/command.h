// SPDX-License-Identifier: GPL-2.0-or-later
// One MSNP command as it travels on a notification or switchboard connection.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace msn::wire {

using TrId = std::uint32_t;

// A decoded command line plus its payload, if the verb carries one.
// Example: "MSG Hotmail Hotmail 5\r\nhello" -> verb "MSG", args {"Hotmail","Hotmail","5"},
// payload "hello", has_payload true.
struct Command {
  std::string verb;               // "VER", "MSG", or a three-digit error number such as "911"
  std::vector<std::string> args;  // every token after the verb, the TrId (if any) included
  std::string payload;            // bytes after the line when the verb carries a payload
  bool has_payload = false;

  // True if the verb is a three-digit server error number.
  bool is_error() const;
  // The error number for an error reply, 0 otherwise.
  int error_code() const;
  // args[0] as a TrId if it is a decimal number that fits 32 bits.
  std::optional<TrId> trid() const;
  // The argument at index i, or an empty view when there is none.
  std::string_view arg(std::size_t i) const;
};

// Parses a decimal TrId / length / number: digits only, no sign, fits 32 bits.
std::optional<std::uint32_t> parse_u32(std::string_view text);

}  // namespace msn::wire
