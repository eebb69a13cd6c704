// SPDX-License-Identifier: GPL-2.0-or-later
// Splitting texts for the 1664-byte MSG limit. Property checks over generated texts at every
// piece size, and at every boundary of the real limit: the pieces concatenate to the input,
// none is empty, each is valid UTF-8 and fits, and no cut falls inside CRLF.
#include <string>
#include <vector>

#include "session/message_format.h"
#include "session/message_split.h"
#include "wire/mime_message.h"
#include "cmocka_cpp.h"

namespace {

using msn::split_message_text;
using msn::split_utf8;

// Characters of every UTF-8 length, plus the separators the splitter cares about.
const char* const kAlphabet[] = {"a", "Z", " ", "\r\n", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\t", "."};

std::string generate(std::uint32_t& rng, std::size_t units) {
  std::string text;
  for (std::size_t i = 0; i < units; ++i) {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    text += kAlphabet[rng % (sizeof kAlphabet / sizeof kAlphabet[0])];
  }
  return text;
}

void check_pieces(const std::string& text, const std::vector<std::string>& pieces, std::size_t limit) {
  std::string joined;
  for (std::size_t i = 0; i < pieces.size(); ++i) {
    const std::string& piece = pieces[i];
    assert_false(piece.empty());
    assert_true(piece.size() <= limit);
    assert_true(msn::wire::is_valid_utf8(piece));
    // A CR at the end of a piece would mean the CRLF was cut.
    if (i + 1 < pieces.size()) assert_false(piece.back() == '\r' && pieces[i + 1].front() == '\n');
    joined += piece;
  }
  assert_bytes_equal(joined, text);
}

void test_property_every_piece_size(void** /*state*/) {
  std::uint32_t rng = 0xC0FFEE;
  for (int round = 0; round < 60; ++round) {
    const std::string text = generate(rng, 1 + rng % 200);
    for (std::size_t limit = 4; limit <= 70; ++limit) {
      auto pieces = split_utf8(text, limit);
      assert_true(pieces.is_ok());
      check_pieces(text, *pieces, limit);
      // Pieces are as full as the rules allow: never shorter than 3/4 of the limit minus a
      // character, except the last.
      for (std::size_t i = 0; i + 1 < pieces->size(); ++i) assert_true((*pieces)[i].size() + 4 >= limit - limit / 4);
    }
  }
}

void test_whole_payload_at_every_boundary(void** /*state*/) {
  msn::TextFormat styled;
  styled.font = "Comic Sans MS";
  styled.bold = true;
  styled.color = 0x336699;
  const msn::TextFormat formats[] = {{}, styled};
  for (const auto& format : formats) {
    const std::string header = msn::format_header(format);
    const std::size_t header_bytes = msn::wire::make_text_message(header, "").header_bytes();
    const std::size_t room = msn::kMaxMsgPayload - header_bytes;
    // Around one, two and three times the room, with a multi-byte character at every offset
    // relative to the boundary.
    for (std::size_t multiple = 1; multiple <= 3; ++multiple) {
      for (std::size_t length = multiple * room - 5; length <= multiple * room + 5; ++length) {
        for (const char* wide : {"\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\r\n"}) {
          for (std::size_t at = length > 8 ? length - 8 : 0; at < length; ++at) {
            std::string text(at, 'x');
            text += wide;
            text += std::string(length > at ? length - at : 0, 'y');
            auto pieces = split_message_text(text, header_bytes);
            assert_true(pieces.is_ok());
            check_pieces(text, *pieces, room);
            for (const auto& piece : *pieces)
              assert_true(msn::wire::make_text_message(header, piece).serialize().size() <= msn::kMaxMsgPayload);
            // No more pieces than needed plus one (a cut may back off a few bytes).
            assert_true(pieces->size() <= text.size() / room + 2);
          }
        }
      }
    }
  }
}

void test_exact_fit_is_one_piece(void** /*state*/) {
  const std::size_t header_bytes = msn::wire::make_text_message(msn::format_header({}), "").header_bytes();
  const std::string fits(msn::kMaxMsgPayload - header_bytes, 'a');
  auto pieces = split_message_text(fits, header_bytes);
  assert_int_equal(pieces->size(), 1);
  assert_int_equal(msn::wire::make_text_message(msn::format_header({}), fits).serialize().size(), msn::kMaxMsgPayload);
  auto two = split_message_text(fits + "b", header_bytes);
  assert_int_equal(two->size(), 2);
}

void test_prefers_word_breaks(void** /*state*/) {
  auto pieces = split_utf8("h\xC3\xA9llo w\xC3\xB6rld", 8);
  assert_int_equal(pieces->size(), 2);
  assert_bytes_equal((*pieces)[0], "h\xC3\xA9llo ");
  assert_bytes_equal((*pieces)[1], "w\xC3\xB6rld");
  // A long word is cut where it must be.
  auto word = split_utf8(std::string(10, 'a'), 4);
  assert_int_equal(word->size(), 3);
  // A break early in the piece is not worth a short piece.
  auto early = split_utf8("a bcdefghijklmnop", 8);
  assert_bytes_equal((*early)[0], "a bcdefg");
}

void test_edge_cases(void** /*state*/) {
  assert_true(split_utf8("", 10)->empty());
  assert_false(split_utf8("abc", 3).is_ok());
  assert_int_equal(split_utf8("abc", 3).error().code, msn::Errc::kInvalidArgument);
  auto no_room = split_message_text("abc", msn::kMaxMsgPayload - 2);
  assert_false(no_room.is_ok());
  assert_int_equal(no_room.error().code, msn::Errc::kLimit);
  // Invalid input: pieces still concatenate to it and are never empty.
  const std::string bad = "\xFF\xFE\x80\xC3\xE2\x82\xF0\x9F\x98 ok \xED\xA0\x80";
  for (std::size_t limit = 4; limit < 12; ++limit) {
    auto pieces = split_utf8(bad, limit);
    std::string joined;
    for (const auto& piece : *pieces) {
      assert_false(piece.empty());
      assert_true(piece.size() <= limit);
      joined += piece;
    }
    assert_bytes_equal(joined, bad);
  }
  // Only CRLFs: never split inside one.
  std::string lines;
  for (int i = 0; i < 50; ++i) lines += "\r\n";
  for (std::size_t limit = 4; limit < 12; ++limit) check_pieces(lines, *split_utf8(lines, limit), limit);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_property_every_piece_size),
      cmocka_unit_test(test_whole_payload_at_every_boundary),
      cmocka_unit_test(test_exact_fit_is_one_piece),
      cmocka_unit_test(test_prefers_word_breaks),
      cmocka_unit_test(test_edge_cases),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
