// SPDX-License-Identifier: GPL-2.0-or-later
// Text formatting between libpurple's HTML subset and MSN's X-MMS-IM-Format header
// (docs/protocol/switchboard.md). MSN formats a whole message at once: one font, one colour, one
// set of effects; the HTML side may be richer, and the first font and colour found win.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace msn {

struct TextFormat {
  std::string font;                  // font name, UTF-8; empty: the client's default
  bool bold = false;                 // EF contains B
  bool italic = false;               // I
  bool underline = false;            // U
  bool strikethrough = false;        // S
  std::optional<std::uint32_t> color;  // 0xRRGGBB; nullopt: default (black)
  std::uint32_t charset = 1;         // CS, hex on the wire (0 ANSI, 1 default)
  std::uint32_t pitch_family = 0;    // PF, decimal on the wire
  bool right_to_left = false;        // RL=1

  bool operator==(const TextFormat&) const = default;
};

// The font sent when a message names none (what WLM 8.5 uses).
inline constexpr std::string_view kDefaultFont = "Segoe UI";

// The X-MMS-IM-Format value. The colour goes out as BGR hex.
// Example: {font "Arial", bold, color 0xFF0000 (red)} -> "FN=Arial; EF=B; CO=0000ff; CS=1; PF=0"
//          {} -> "FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0"
std::string format_header(const TextFormat& format);

// Parses an X-MMS-IM-Format value leniently: unknown keys and bad values are ignored, never
// fatal. "CO=ff" is red (a short BGR value is zero-extended, as WLM writes it).
TextFormat parse_format_header(std::string_view header);

// A message ready for the wire: plain UTF-8 text with CRLF line breaks, and its format.
struct FormattedText {
  std::string text;
  TextFormat format;
};

// Converts purple's outgoing IM HTML: <b> <strong> <i> <em> <u> <s> <strike> <del>,
// <font face color>, <span style="font-weight/font-style/text-decoration/color/font-family">,
// <br> (CRLF), <a href> (the link text, followed by " (URL)" when the URL differs); every other
// tag is dropped; entities are decoded (named basics and numeric); a lone LF becomes CRLF.
// Never fails; malformed markup is kept as text.
FormattedText html_to_msn(std::string_view html);

// Renders a received message as purple HTML: text escaped, line breaks as <br>, the format as
// <font face color> and <b>/<i>/<u>/<s>. Default black and no font add nothing.
std::string msn_to_html(std::string_view text, const TextFormat& format);

// Escapes & < > " for HTML text or attribute values; CRLF, CR and LF become <br>.
std::string escape_html(std::string_view text);

}  // namespace msn
