// SPDX-License-Identifier: GPL-2.0-or-later
// Readers for the direct-connection known answers: the blocks of vectors/dc-handshake.txt and
// the socket packets of transcripts/05-direct-connection.md ("A->B 30000000 <header hex> +
// 1352 data bytes"), whose data bytes the transcript does not spell out.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "p2p_test_util.h"

namespace msn::test {

inline std::vector<KeyValueBlock> dc_vectors() {
  auto blocks = read_blocks("vectors/dc-handshake.txt", "slp_body");
  if (blocks.size() != 3) {
    print_error("expected 3 cases in dc-handshake.txt, read %zu\n", blocks.size());
    fail();
  }
  return blocks;
}

// The value of `key=` on a line of its own before the first case (foo_packet=...).
inline std::string dc_vector_line(const std::string& key) {
  std::istringstream in(read_data_file("vectors/dc-handshake.txt"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  }
  print_error("no %s= line\n", key.c_str());
  fail();
  return {};
}

struct SocketPacket {
  bool from_alice = false;        // "A->B"
  std::string prefix_and_header;  // the bytes written out: length prefix and header (or "foo")
  std::size_t data_bytes = 0;     // "+ N data bytes" that follow them
  std::string decoded;            // "length=48 SessionID=..." or empty
};

inline std::vector<SocketPacket> transcript_05_socket() {
  std::vector<SocketPacket> packets;
  std::istringstream in(read_data_file("transcripts/05-direct-connection.md"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("A->B ", 0) == 0 || line.rfind("B->A ", 0) == 0) {
      SocketPacket p;
      p.from_alice = line[0] == 'A';
      std::istringstream words(line.substr(5));
      std::string word;
      while (words >> word) {
        if (word == "+") {
          words >> p.data_bytes;
          break;
        }
        p.prefix_and_header += unhex(word);
      }
      packets.push_back(p);
      continue;
    }
    const std::size_t at = line.find("length=");
    if (!packets.empty() && at != std::string::npos && packets.back().decoded.empty())
      packets.back().decoded = line.substr(at);
  }
  return packets;
}

}  // namespace msn::test
