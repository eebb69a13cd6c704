// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire/command_writer.h"

#include <limits>

#include "core/ascii.h"

namespace msn::wire {

namespace {

// A CR, LF or other control byte in a verb or argument would end the line early and let the
// rest be read as a second command (command injection through, say, a friendly name that a
// caller forgot to encode). Such bytes are written percent-encoded instead; well-formed input
// is copied unchanged.
void append_token(std::string& out, std::string_view token) {
  for (char c : token) {
    if (ascii::is_control(c))
      ascii::append_percent_encoded(out, c);
    else
      out.push_back(c);
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

// RFC 3986 unreserved characters.
bool is_unreserved(char c) {
  return ascii::is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
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
  append_url_encoded(out, text);
  return out;
}

void append_url_encoded(std::string& out, std::string_view text) {
  // Runs that need no encoding (most text is one) are copied whole, not a byte at a time.
  std::size_t run = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (is_unreserved(text[i])) continue;
    out.append(text.substr(run, i - run));
    ascii::append_percent_encoded(out, text[i]);
    run = i + 1;
  }
  out.append(text.substr(run));
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && ascii::is_hex(text[i + 1]) &&
        ascii::is_hex(text[i + 2])) {
      out.push_back(
          static_cast<char>(ascii::hex_value(text[i + 1]) * 16 + ascii::hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace msn::wire
