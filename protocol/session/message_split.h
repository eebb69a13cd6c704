// SPDX-License-Identifier: GPL-2.0-or-later
// Splitting long texts into switchboard-sized pieces (docs/protocol/switchboard.md: a whole MSG
// payload, headers and body, is at most 1664 bytes).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn {

inline constexpr std::size_t kMaxMsgPayload = 1664;

// Splits `text` into pieces of at most `max_piece_bytes` bytes. Cuts fall only between UTF-8
// code points and never inside a CRLF; within the last quarter of a piece a cut after a space
// or line break is preferred, so words stay whole where that costs little. No piece is empty;
// the pieces concatenated equal `text`; an empty text gives no pieces. Invalid bytes count as
// one-byte characters (so a valid input gives valid pieces). Errc::kInvalidArgument when
// max_piece_bytes < 4, as a character might then not fit.
// Example: split_utf8("héllo wörld", 8) -> {"héllo ", "wörld"}
Result<std::vector<std::string>> split_utf8(std::string_view text, std::size_t max_piece_bytes);

// Splits a message text so that each MSG payload, `header_bytes` (the serialized headers and
// the empty line) plus its piece, stays within `max_payload`. Errc::kLimit when the headers
// leave no room for text.
Result<std::vector<std::string>> split_message_text(std::string_view text, std::size_t header_bytes,
                                                    std::size_t max_payload = kMaxMsgPayload);

}  // namespace msn
