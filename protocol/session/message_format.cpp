// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/message_format.h"

#include <cstdio>
#include <vector>

#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn {

namespace {

// Windows font names are at most 31 characters; anything much longer is not a font name.
constexpr std::size_t kMaxFontBytes = 128;
// Longest entity worth looking at ("&#x10FFFF;" and the named ones fit).
constexpr std::size_t kMaxEntity = 12;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string to_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = lower(c);
  return out;
}

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = lower(c);
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// A hexadecimal number of 1..max_digits digits.
std::optional<std::uint32_t> parse_hex(std::string_view text, std::size_t max_digits) {
  if (text.empty() || text.size() > max_digits) return std::nullopt;
  std::uint32_t value = 0;
  for (char c : text) {
    const int v = hex_value(c);
    if (v < 0) return std::nullopt;
    value = value * 16 + static_cast<std::uint32_t>(v);
  }
  return value;
}

std::string hex(std::uint32_t value) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%x", value);
  return buf;
}

// "#rrggbb" or "#rgb" (the # optional) as 0xRRGGBB.
std::optional<std::uint32_t> parse_html_color(std::string_view text) {
  text = trim(text);
  if (!text.empty() && text.front() == '#') text.remove_prefix(1);
  if (text.size() == 3) {
    auto v = parse_hex(text, 3);
    if (!v) return std::nullopt;
    const std::uint32_t r = (*v >> 8) & 0xF, g = (*v >> 4) & 0xF, b = *v & 0xF;
    return (r * 17) << 16 | (g * 17) << 8 | (b * 17);
  }
  if (text.size() != 6) return std::nullopt;
  return parse_hex(text, 6);
}

// A font name from a peer or from markup: UTF-8, no control bytes, bounded.
// The steps run in this order so that cleaning a clean name changes nothing.
std::string clean_font(std::string_view name) {
  std::string font = wire::sanitize_utf8(name);
  std::erase_if(font, [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  if (font.size() > kMaxFontBytes) {
    std::size_t cut = kMaxFontBytes;
    while (cut > 0 && (static_cast<unsigned char>(font[cut]) & 0xC0) == 0x80) --cut;
    font.resize(cut);
  }
  return std::string(trim(font));
}

// Decodes the entity at html[0] ('&'). Returns the bytes consumed, 0 if it is not an entity
// we know (the '&' is then kept as text).
std::size_t decode_entity(std::string_view html, std::string& out) {
  const auto semicolon = html.substr(0, kMaxEntity).find(';');
  if (semicolon == std::string_view::npos) return 0;
  const std::string_view name = html.substr(1, semicolon - 1);
  static constexpr std::pair<std::string_view, std::string_view> kNamed[] = {
      {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"}, {"nbsp", " "},
  };
  for (const auto& [entity, value] : kNamed) {
    if (to_lower(name) == entity) {
      out.append(value);
      return semicolon + 1;
    }
  }
  if (name.size() < 2 || name[0] != '#') return 0;
  std::uint64_t cp = 0;
  const bool is_hex = lower(name[1]) == 'x';
  const std::string_view digits = name.substr(is_hex ? 2 : 1);
  if (digits.empty() || digits.size() > 8) return 0;
  for (char c : digits) {
    const int v = is_hex ? hex_value(c) : (c >= '0' && c <= '9' ? c - '0' : -1);
    if (v < 0) return 0;
    cp = cp * (is_hex ? 16 : 10) + static_cast<std::uint64_t>(v);
  }
  if (cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  wire::append_utf8(out, static_cast<std::uint32_t>(cp));
  return semicolon + 1;
}

// The value of attribute `name` in the inside of a tag ("font face='Arial' color=#ff0000").
std::optional<std::string> tag_attribute(std::string_view tag, std::string_view name) {
  std::size_t i = 0;
  while (i < tag.size() && !is_blank(tag[i])) ++i;  // skip the tag name
  while (i < tag.size()) {
    while (i < tag.size() && (is_blank(tag[i]) || tag[i] == '/')) ++i;
    const std::size_t name_start = i;
    while (i < tag.size() && !is_blank(tag[i]) && tag[i] != '=' && tag[i] != '/') ++i;
    const std::string attr = to_lower(tag.substr(name_start, i - name_start));
    while (i < tag.size() && is_blank(tag[i])) ++i;
    std::string value;
    if (i < tag.size() && tag[i] == '=') {
      ++i;
      while (i < tag.size() && is_blank(tag[i])) ++i;
      if (i < tag.size() && (tag[i] == '"' || tag[i] == '\'')) {
        const char quote = tag[i++];
        const auto end = tag.find(quote, i);
        const std::size_t stop = end == std::string_view::npos ? tag.size() : end;
        value = std::string(tag.substr(i, stop - i));
        i = stop == tag.size() ? stop : stop + 1;
      } else {
        const std::size_t start = i;
        while (i < tag.size() && !is_blank(tag[i])) ++i;
        value = std::string(tag.substr(start, i - start));
      }
    }
    if (attr == name) {
      std::string decoded;
      for (std::size_t k = 0; k < value.size(); ++k) {
        const std::size_t used = value[k] == '&' ? decode_entity(std::string_view(value).substr(k), decoded) : 0;
        if (used == 0) {
          decoded.push_back(value[k]);
        } else {
          k += used - 1;
        }
      }
      return decoded;
    }
    if (attr.empty() && i < tag.size()) ++i;  // a stray character: step over it
  }
  return std::nullopt;
}

// Reads the CSS declarations purple writes into <span style="...">.
void apply_style(std::string_view style, TextFormat& format) {
  while (!style.empty()) {
    const auto semicolon = style.find(';');
    const std::string_view decl = style.substr(0, semicolon);
    style = semicolon == std::string_view::npos ? std::string_view{} : style.substr(semicolon + 1);
    const auto colon = decl.find(':');
    if (colon == std::string_view::npos) continue;
    const std::string property = to_lower(trim(decl.substr(0, colon)));
    const std::string value = to_lower(trim(decl.substr(colon + 1)));
    if (property == "font-weight" && (value == "bold" || value == "bolder" || value == "700")) {
      format.bold = true;
    } else if (property == "font-style" && (value == "italic" || value == "oblique")) {
      format.italic = true;
    } else if (property == "text-decoration") {
      if (value.find("underline") != std::string::npos) format.underline = true;
      if (value.find("line-through") != std::string::npos) format.strikethrough = true;
    } else if (property == "color" && !format.color) {
      format.color = parse_html_color(value);
    } else if (property == "font-family" && format.font.empty()) {
      std::string_view family = trim(decl.substr(colon + 1));
      family = family.substr(0, family.find(','));
      family = trim(family);
      if (family.size() >= 2 && (family.front() == '\'' || family.front() == '"')) family = family.substr(1, family.size() - 2);
      format.font = clean_font(family);
    }
  }
}

// State of one html_to_msn run.
struct HtmlReader {
  FormattedText result;
  std::optional<std::string> link;  // href of the open <a>
  std::size_t link_text_start = 0;

  void tag(std::string_view inside) {
    const bool closing = !inside.empty() && inside.front() == '/';
    if (closing) inside.remove_prefix(1);
    std::size_t n = 0;
    while (n < inside.size() && (is_alpha(inside[n]) || (n > 0 && inside[n] >= '0' && inside[n] <= '9'))) ++n;
    const std::string name = to_lower(inside.substr(0, n));
    TextFormat& f = result.format;
    if (name == "br") {
      result.text.append("\r\n");
    } else if (closing) {
      if (name == "a") close_link();
    } else if (name == "b" || name == "strong") {
      f.bold = true;
    } else if (name == "i" || name == "em") {
      f.italic = true;
    } else if (name == "u") {
      f.underline = true;
    } else if (name == "s" || name == "strike" || name == "del") {
      f.strikethrough = true;
    } else if (name == "font") {
      if (auto face = tag_attribute(inside, "face"); face && f.font.empty()) f.font = clean_font(*face);
      if (auto color = tag_attribute(inside, "color"); color && !f.color) f.color = parse_html_color(*color);
    } else if (name == "span") {
      if (auto style = tag_attribute(inside, "style")) apply_style(*style, f);
    } else if (name == "a") {
      close_link();
      link = tag_attribute(inside, "href");
      link_text_start = result.text.size();
    }
  }

  void close_link() {
    if (!link) return;
    const std::string shown = result.text.substr(link_text_start);
    std::string_view href = trim(*link);
    std::string_view bare = href;
    if (to_lower(bare.substr(0, 7)) == "mailto:") bare.remove_prefix(7);
    if (shown.empty()) {
      result.text.append(href);
    } else if (!href.empty() && shown != href && shown != bare) {
      result.text.append(" (").append(href).append(")");
    }
    link.reset();
  }
};

}  // namespace

std::string format_header(const TextFormat& format) {
  std::string effects;
  if (format.bold) effects.push_back('B');
  if (format.italic) effects.push_back('I');
  if (format.underline) effects.push_back('U');
  if (format.strikethrough) effects.push_back('S');
  std::string color = "0";
  if (format.color) {
    const std::uint32_t rgb = *format.color;
    char buf[8];
    // MSN colours are Windows COLORREFs: blue in the high byte, red in the low one.
    std::snprintf(buf, sizeof buf, "%02x%02x%02x", rgb & 0xFF, (rgb >> 8) & 0xFF, (rgb >> 16) & 0xFF);
    color = buf;
  }
  const std::string font = format.font.empty() ? std::string(kDefaultFont) : format.font;
  std::string header = "FN=" + wire::url_encode(font) + "; EF=" + effects + "; CO=" + color +
                       "; CS=" + hex(format.charset & 0xFF) + "; PF=" + hex(format.pitch_family & 0xFF);
  if (format.right_to_left) header += "; RL=1";
  return header;
}

TextFormat parse_format_header(std::string_view header) {
  TextFormat format;
  while (!header.empty()) {
    const auto semicolon = header.find(';');
    const std::string_view item = trim(header.substr(0, semicolon));
    header = semicolon == std::string_view::npos ? std::string_view{} : header.substr(semicolon + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string key = to_lower(trim(item.substr(0, eq)));
    const std::string_view value = trim(item.substr(eq + 1));
    if (key == "fn") {
      format.font = clean_font(wire::url_decode(value));
    } else if (key == "ef") {
      for (char c : value) {
        switch (lower(c)) {
          case 'b': format.bold = true; break;
          case 'i': format.italic = true; break;
          case 'u': format.underline = true; break;
          case 's': format.strikethrough = true; break;
          default: break;
        }
      }
    } else if (key == "co") {
      if (auto bgr = parse_hex(value, 6); bgr && *bgr != 0)
        format.color = (*bgr & 0xFF) << 16 | (*bgr & 0xFF00) | (*bgr >> 16 & 0xFF);
    } else if (key == "cs") {
      if (auto cs = parse_hex(value, 2)) format.charset = *cs;
    } else if (key == "pf") {
      if (auto pf = parse_hex(value, 2)) format.pitch_family = *pf;
    } else if (key == "rl") {
      format.right_to_left = value == "1";
    }
  }
  return format;
}

FormattedText html_to_msn(std::string_view html) {
  HtmlReader reader;
  std::string& out = reader.result.text;
  out.reserve(html.size());
  // Once a search for a comment's or a tag's end failed, none exists further on either: every
  // later "<!--" or "<a" is text without searching again, so the work stays linear.
  bool comment_ends_left = true;
  bool tag_ends_left = true;
  std::size_t i = 0;
  while (i < html.size()) {
    const char c = html[i];
    if (c == '<' && i + 1 < html.size() && html.substr(i, 4) == "<!--") {
      const auto end = comment_ends_left ? html.find("-->", i + 4) : std::string_view::npos;
      comment_ends_left = end != std::string_view::npos;
      if (end != std::string_view::npos) {
        i = end + 3;
        continue;
      }
    } else if (c == '<' && i + 1 < html.size() && (is_alpha(html[i + 1]) || html[i + 1] == '/')) {
      const auto end = tag_ends_left ? html.find('>', i + 1) : std::string_view::npos;
      tag_ends_left = end != std::string_view::npos;
      if (end != std::string_view::npos) {
        reader.tag(html.substr(i + 1, end - i - 1));
        i = end + 1;
        continue;
      }
    } else if (c == '&') {
      if (const std::size_t used = decode_entity(html.substr(i), out); used > 0) {
        i += used;
        continue;
      }
    } else if (c == '\r' || c == '\n') {
      out.append("\r\n");
      i += (c == '\r' && i + 1 < html.size() && html[i + 1] == '\n') ? 2 : 1;
      continue;
    }
    out.push_back(c);
    ++i;
  }
  reader.close_link();
  out = wire::sanitize_utf8(out);
  return std::move(reader.result);
}

std::string escape_html(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\r':
        out += "<br>";
        if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
        break;
      case '\n': out += "<br>"; break;
      default: out += c;
    }
  }
  return out;
}

std::string msn_to_html(std::string_view text, const TextFormat& format) {
  std::string open, close;
  std::string font_attrs;
  if (!format.font.empty()) font_attrs += " face=\"" + escape_html(format.font) + "\"";
  if (format.color && *format.color != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%06x", *format.color & 0xFFFFFF);
    font_attrs += std::string(" color=\"") + buf + "\"";
  }
  if (!font_attrs.empty()) {
    open += "<font" + font_attrs + ">";
    close.insert(0, "</font>");
  }
  const std::pair<bool, std::string_view> effects[] = {
      {format.bold, "b"}, {format.italic, "i"}, {format.underline, "u"}, {format.strikethrough, "s"}};
  for (const auto& [on, tag] : effects) {
    if (!on) continue;
    open.append("<").append(tag).append(">");  // not "<" + ...: GCC 12 -O2 warns, falsely
    close.insert(0, "</" + std::string(tag) + ">");
  }
  return open + escape_html(text) + close;
}

}  // namespace msn
