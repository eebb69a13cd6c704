// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers for the media tests: the build-time samples, a minimal cabinet writer written apart
// from the server's (so hostile directories are easy to make) and a Siren WAV container writer.
#pragma once

#include <cstdint>
#include <fstream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "cmocka_cpp.h"

namespace msn::test {

inline std::string read_sample(const std::string& name) {
  std::ifstream in(std::string(MEDIA_SAMPLES_DIR) + "/" + name, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline void put16(std::string& out, std::uint32_t v) {
  out.push_back(static_cast<char>(v & 0xFF));
  out.push_back(static_cast<char>((v >> 8) & 0xFF));
}

inline void put32(std::string& out, std::uint32_t v) {
  put16(out, v & 0xFFFF);
  put16(out, v >> 16);
}

using CabEntries = std::vector<std::pair<std::string, std::string>>;

// One stored (uncompressed) folder, CFDATA checksums left at 0 ("not computed").
// declared_length, when set, replaces every file's size in the directory.
inline std::string make_cab(const CabEntries& files, std::uint32_t declared_length = 0) {
  std::string entries;
  std::string payload;
  for (const auto& [name, data] : files) {
    put32(entries,
          declared_length != 0 ? declared_length : static_cast<std::uint32_t>(data.size()));
    put32(entries, static_cast<std::uint32_t>(payload.size()));
    put16(entries, 0);       // folder 0
    put16(entries, 0x3A21);  // date
    put16(entries, 0x6000);  // time
    put16(entries, 0x20);    // archive
    entries += name;
    entries.push_back('\0');
    payload += data;
  }
  std::string blocks;
  std::uint32_t block_count = 0;
  for (std::size_t at = 0; at < payload.size() || block_count == 0; at += 32768) {
    const std::string chunk = payload.substr(at, 32768);
    put32(blocks, 0);
    put16(blocks, static_cast<std::uint32_t>(chunk.size()));
    put16(blocks, static_cast<std::uint32_t>(chunk.size()));
    blocks += chunk;
    ++block_count;
    if (payload.empty()) break;
  }
  const std::uint32_t files_offset = 36 + 8;
  const auto data_offset = static_cast<std::uint32_t>(files_offset + entries.size());
  std::string cab = "MSCF";
  put32(cab, 0);
  put32(cab, static_cast<std::uint32_t>(data_offset + blocks.size()));
  put32(cab, 0);
  put32(cab, files_offset);
  put32(cab, 0);
  cab.push_back(3);
  cab.push_back(1);
  put16(cab, 1);  // folders
  put16(cab, static_cast<std::uint32_t>(files.size()));
  put16(cab, 0);  // flags
  put16(cab, 0x1234);
  put16(cab, 0);
  put32(cab, data_offset);
  put16(cab, block_count);
  put16(cab, 0);  // stored
  return cab + entries + blocks;
}

struct WavFormat {
  std::uint16_t tag = 0x028E;
  std::uint16_t channels = 1;
  std::uint32_t rate = 16000;
  std::uint32_t byte_rate = 2000;
  std::uint16_t align = 40;
  std::uint16_t bits = 0;
  std::uint16_t extra_size = 2;
  std::uint16_t extra = 320;
};

inline std::string chunk(const std::string& id, const std::string& body) {
  std::string out = id;
  put32(out, static_cast<std::uint32_t>(body.size()));
  return out + body;
}

inline std::string riff(const std::string& chunks) {
  std::string out = "RIFF";
  put32(out, static_cast<std::uint32_t>(4 + chunks.size()));
  return out + "WAVE" + chunks;
}

inline std::string fmt_chunk(const WavFormat& f = {}) {
  std::string body;
  put16(body, f.tag);
  put16(body, f.channels);
  put32(body, f.rate);
  put32(body, f.byte_rate);
  put16(body, f.align);
  put16(body, f.bits);
  put16(body, f.extra_size);
  put16(body, f.extra);
  return chunk("fmt ", body);
}

inline std::string siren_wav(const std::string& frames, const WavFormat& f = {}) {
  std::string fact;
  put32(fact, static_cast<std::uint32_t>(frames.size() / 40 * 320));
  return riff(fmt_chunk(f) + chunk("fact", fact) + chunk("data", frames));
}

}  // namespace msn::test
