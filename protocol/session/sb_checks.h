// SPDX-License-Identifier: GPL-2.0-or-later
// What the switchboard session's files (switchboard_session.cpp, sb_*.cpp) check in the text a
// peer or the server gives them: addresses, display names, Message-IDs. Private to those files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn::sb_checks {

// A Message-ID longer than this is no id we or any client made: treated as absent.
inline constexpr std::size_t kMaxMessageIdBytes = 128;

inline char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

inline bool same_address(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// An address we are willing to put on a command line: no blanks, no control bytes.
// Addresses reach the UI (participant lists, window titles) like any other peer text, so they
// must be UTF-8 too.
inline bool usable_address(std::string_view email) {
  if (email.empty() || email.size() > 256) return false;
  return std::none_of(email.begin(), email.end(),
                      [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; }) &&
         wire::is_valid_utf8(email);
}

inline std::string display_name(std::string_view encoded) {
  return wire::bounded_utf8(wire::url_decode(encoded), wire::kMaxFriendlyNameChars);
}

// A header value we are willing to carry or believe: bounded, printable, one line.
inline bool usable_message_id(std::string_view id) {
  if (id.empty() || id.size() > kMaxMessageIdBytes) return false;
  return std::none_of(id.begin(), id.end(),
                      [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace msn::sb_checks
