// SPDX-License-Identifier: GPL-2.0-or-later
// Readers for the P2P known answers in tests/data: the `key=value` blocks of
// vectors/p2p-header.hex and vectors/msnobject.txt, and the MSG blocks of the annotated
// transcripts (header hex, decoded fields, SLP text, footer).
#pragma once

#include <cstdint>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cmocka_cpp.h"
#include "p2p/header.h"

namespace msn::test {

// "SessionID=0 Identifier=168820736 ... Flags=0x20 ..." -> a header (and the footer if named).
inline p2p::Header decoded_header(std::string_view text, std::uint32_t* footer = nullptr) {
  std::map<std::string, std::uint64_t> v;
  std::istringstream in{std::string(text)};
  std::string token;
  while (in >> token) {
    const std::size_t eq = token.find('=');
    if (eq == std::string::npos) continue;
    v[token.substr(0, eq)] = std::stoull(token.substr(eq + 1), nullptr, 0);
  }
  p2p::Header h;
  h.session_id = static_cast<std::uint32_t>(v["SessionID"]);
  h.identifier = static_cast<std::uint32_t>(v["Identifier"]);
  h.offset = v["Offset"];
  h.total_size = v["TotalSize"];
  h.length = static_cast<std::uint32_t>(v["Length"]);
  h.flags = static_cast<std::uint32_t>(v["Flags"]);
  h.ack_id = static_cast<std::uint32_t>(v["AckID"]);
  h.ack_unique_id = static_cast<std::uint32_t>(v["AckUID"]);
  h.ack_size = v["AckSize"];
  if (footer != nullptr)
    *footer =
        static_cast<std::uint32_t>(v.count("Footer") ? v["Footer"] : v["Footer(AppID,big-endian)"]);
  return h;
}

// Blocks of `key=value` lines (and one `decoded: ...` line). A block starts at a `[name]` line
// or at a `first_key=` line when the current block has one already; the last `#` comment
// before it is kept as its "comment".
struct KeyValueBlock {
  std::map<std::string, std::string> values;
};

inline std::vector<KeyValueBlock> read_blocks(std::string_view file, std::string_view first_key) {
  std::vector<KeyValueBlock> blocks;
  std::istringstream in(read_data_file(file));
  std::string line;
  std::string comment;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    if (line[0] == '#') {
      comment = line;
      continue;
    }
    if (line[0] == '[') {
      blocks.emplace_back();
      blocks.back().values["comment"] = line;
      continue;
    }
    const bool first = line.rfind(std::string(first_key) + "=", 0) == 0;
    if (first && (blocks.empty() || blocks.back().values.count(std::string(first_key)) != 0)) {
      blocks.emplace_back();
      blocks.back().values["comment"] = comment;
    }
    if (blocks.empty()) continue;
    const std::size_t sep = line.find(line.rfind("decoded:", 0) == 0 ? ':' : '=');
    if (sep == std::string::npos) continue;
    blocks.back().values[line.substr(0, sep)] = line.substr(sep + 1);
  }
  return blocks;
}

// "MIME-Version: 1.0\r\n..." as the vector files write it -> the bytes.
inline std::string unescape_crlf(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && (text[i + 1] == 'r' || text[i + 1] == 'n')) {
      out.push_back(text[i + 1] == 'r' ? '\r' : '\n');
      ++i;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// One MSG of an annotated transcript.
struct TranscriptMsg {
  bool outgoing = false;       // ">>>"
  std::size_t msg_length = 0;  // the length on the MSG line
  std::string dest;            // P2P-Dest
  std::string header_hex;
  std::string decoded;  // "SessionID=... AckSize=..."
  std::string text;     // the SLP text with CRLF line ends and its NUL, if any
  std::string data;     // binary data, if any
  std::string footer_hex;
};

// The lines of a text body are shown one per line, its final NUL as "\0": joined with CRLF
// they give the bytes.
inline std::vector<TranscriptMsg> read_transcript(std::string_view file) {
  std::vector<TranscriptMsg> msgs;
  std::istringstream in(read_data_file(file));
  std::string line;
  bool in_text = false;
  std::vector<std::string> text_lines;
  while (std::getline(in, line)) {
    const std::string trimmed = line.substr(std::min(line.find_first_not_of(' '), line.size()));
    if (line.rfind(">>> MSG", 0) == 0 || line.rfind("<<< MSG", 0) == 0) {
      msgs.emplace_back();
      msgs.back().outgoing = line[0] == '>';
      msgs.back().msg_length = std::stoul(line.substr(line.rfind(' ') + 1));
      continue;
    }
    if (msgs.empty()) continue;
    TranscriptMsg& m = msgs.back();
    if (in_text) {
      if (trimmed == "\\0") {
        for (std::size_t i = 0; i < text_lines.size(); ++i)
          m.text += text_lines[i] + (i + 1 < text_lines.size() ? "\r\n" : "");
        m.text.push_back('\0');
        in_text = false;
        text_lines.clear();
      } else {
        text_lines.push_back(line.size() > 6 ? line.substr(6) : std::string());
      }
      continue;
    }
    if (trimmed.rfind("P2P-Dest: ", 0) == 0) m.dest = trimmed.substr(10);
    if (trimmed.rfind("header ", 0) == 0) m.header_hex = trimmed.substr(7);
    if (trimmed.rfind("SessionID=", 0) == 0) m.decoded = trimmed;
    if (trimmed.rfind("footer ", 0) == 0) m.footer_hex = trimmed.substr(7, 8);
    if (trimmed.rfind("body (text", 0) == 0) in_text = true;
    if (trimmed.rfind("body: ", 0) == 0 && trimmed.find(" bytes (") != std::string::npos) {
      // "body: 256 bytes (0001020304050607...)": zeros or the ramp 00 01 02 ...
      const std::size_t count = std::stoul(trimmed.substr(6));
      const bool zeros = trimmed.find("(00000000") != std::string::npos;
      for (std::size_t i = 0; i < count; ++i)
        m.data.push_back(zeros ? '\0' : static_cast<char>(i & 0xFF));
    }
  }
  return msgs;
}

}  // namespace msn::test
