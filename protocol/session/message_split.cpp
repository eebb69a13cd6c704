// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/message_split.h"

#include "wire/mime_message.h"

namespace msn {

namespace {

constexpr std::size_t kMinPiece = 4;  // the longest UTF-8 character

// The length of the character (or invalid byte run) at text[0].
std::size_t unit_length(std::string_view text) {
  if (static_cast<unsigned char>(text[0]) < 0x80) return 1;
  const std::size_t valid = wire::utf8_sequence_length(text);
  if (valid > 0) return valid;
  // An invalid byte is a unit of its own, unless it is a lead byte followed by continuation
  // bytes that belong to nothing else: those stay together so no cut lands inside them.
  std::size_t n = 1;
  while (n < text.size() && n < kMinPiece && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80 &&
         static_cast<unsigned char>(text[0]) >= 0xC0)
    ++n;
  return n;
}

// Where the piece that starts at `start` ends (exclusive), at most `limit` bytes later.
std::size_t piece_end(std::string_view text, std::size_t start, std::size_t limit) {
  if (text.size() - start <= limit) return text.size();
  const std::size_t hard_limit = start + limit;
  const std::size_t soft_from = start + limit - limit / 4;
  std::size_t pos = start;
  std::size_t soft_cut = 0;
  while (pos < text.size()) {
    const std::size_t len = unit_length(text.substr(pos));
    if (pos + len > hard_limit) break;
    pos += len;
    const char last = text[pos - 1];
    if (pos >= soft_from && (last == ' ' || last == '\n' || last == '\t')) soft_cut = pos;
  }
  if (soft_cut != 0) return soft_cut;
  // Never between CR and LF: a receiver could show a stray line break.
  if (pos > start + 1 && pos < text.size() && text[pos - 1] == '\r' && text[pos] == '\n') --pos;
  return pos;
}

}  // namespace

Result<std::vector<std::string>> split_utf8(std::string_view text, std::size_t max_piece_bytes) {
  if (max_piece_bytes < kMinPiece)
    return make_error(Errc::kInvalidArgument, "a message piece must hold at least 4 bytes");
  std::vector<std::string> pieces;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = piece_end(text, start, max_piece_bytes);
    pieces.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return pieces;
}

Result<std::vector<std::string>> split_message_text(std::string_view text, std::size_t header_bytes,
                                                    std::size_t max_payload) {
  if (header_bytes + kMinPiece > max_payload)
    return make_error(Errc::kLimit, "the message headers leave no room for text");
  return split_utf8(text, max_payload - header_bytes);
}

}  // namespace msn
