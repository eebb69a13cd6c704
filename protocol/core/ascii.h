// SPDX-License-Identifier: GPL-2.0-or-later
// ASCII character classes and case folding for protocol text (commands, HTTP, URLs, MIME).
// Locale-independent on purpose: <cctype> follows the host's locale (libpurple sets it), where
// e.g. a Turkish locale lower-cases 'I' to a dotless i, but protocol tokens are plain ASCII.
#pragma once

#include <string>
#include <string_view>

namespace msn::ascii {

constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr bool is_alpha(char c) { return is_upper(c) || is_lower(c); }
constexpr bool is_alnum(char c) { return is_alpha(c) || is_digit(c); }

// The value of a hexadecimal digit (either case), or -1 for any other byte.
constexpr int hex_value(char c) {
  if (is_digit(c))
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

constexpr bool is_hex(char c) { return hex_value(c) >= 0; }

// C0 controls (0x00-0x1F) and DEL; bytes from 0x80 up are not controls here.
constexpr bool is_control(char c) {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

constexpr char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

inline std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    c = to_lower(c);
  return out;
}

constexpr bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size())
    return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (to_lower(a[i]) != to_lower(b[i]))
      return false;
  }
  return true;
}

// Appends "%XX" for one byte, with upper-case hex digits (RFC 3986 §2.1).
inline void append_percent_encoded(std::string& out, char c) {
  constexpr char kHexDigits[] = "0123456789ABCDEF";
  const auto byte = static_cast<unsigned char>(c);
  out.push_back('%');
  out.push_back(kHexDigits[byte >> 4]);
  out.push_back(kHexDigits[byte & 0x0F]);
}

}  // namespace msn::ascii
