// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire/command_writer.h"

#include <limits>

namespace msn::wire {

namespace {

constexpr char kHex[] = "0123456789ABCDEF";

void append_escaped_byte(std::string& out, unsigned char c) {
  out.push_back('%');
  out.push_back(kHex[c >> 4]);
  out.push_back(kHex[c & 0x0F]);
}

// A CR, LF or other control byte in a verb or argument would end the line early and let the
// rest be read as a second command (command injection through, say, a friendly name that a
// caller forgot to encode). Such bytes are written percent-encoded instead; well-formed input
// is copied unchanged.
void append_token(std::string& out, std::string_view token) {
  for (char ch : token) {
    const auto c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7F)
      append_escaped_byte(out, c);
    else
      out.push_back(ch);
  }
}

std::string format_line(std::string_view verb, TrId trid,
                        std::initializer_list<std::string_view> args) {
  std::string line;
  append_token(line, verb);
  line.push_back(' ');
  line.append(std::to_string(trid));
  for (std::string_view arg : args) {
    line.push_back(' ');
    append_token(line, arg);
  }
  return line;
}

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

}  // namespace

Written CommandWriter::command(std::string_view verb,
                               std::initializer_list<std::string_view> args) {
  const TrId trid = next_;
  // TrId 0 is what servers use for unsolicited commands, so numbering skips it on wrap-around.
  next_ = next_ == std::numeric_limits<TrId>::max() ? 1 : next_ + 1;
  std::string bytes = format_line(verb, trid, args);
  bytes.append("\r\n");
  return {trid, std::move(bytes)};
}

Written CommandWriter::payload_command(std::string_view verb,
                                       std::initializer_list<std::string_view> args,
                                       std::string_view payload) {
  Written written = command(verb, args);
  // Replace the CRLF that command() appended: the length goes last, counted in bytes.
  written.bytes.resize(written.bytes.size() - 2);
  written.bytes.push_back(' ');
  written.bytes.append(std::to_string(payload.size()));
  written.bytes.append("\r\n");
  written.bytes.append(payload);
  return written;
}

std::string CommandWriter::untracked(std::string_view verb) {
  std::string bytes;
  append_token(bytes, verb);
  bytes.append("\r\n");
  return bytes;
}

std::string url_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c))
      out.push_back(ch);
    else
      append_escaped_byte(out, c);
  }
  return out;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
        hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace msn::wire
