// SPDX-License-Identifier: GPL-2.0-or-later
// The ISF samples of tests/data/vectors/isf-ink.txt, and small streams built by hand.
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "crypto/crypto.h"
#include "ink/isf.h"

namespace msn::test {

struct IsfSample {
  std::string name;
  std::string text;   // the sample's lines
  std::string bytes;  // the ISF stream
};

// The value after "key=" on the sample's line that starts with it ("" when absent).
inline std::string sample_field(const IsfSample& s, const std::string& key) {
  std::smatch m;
  const std::regex line("(^|\n)" + key + "=([^\n]*)");
  return std::regex_search(s.text, m, line) ? m[2].str() : std::string{};
}

inline std::vector<IsfSample> isf_samples() {
  const std::string file = read_data_file("vectors/isf-ink.txt");
  std::vector<IsfSample> samples;
  // Each sample runs from its "[sample X]" header to the next one (or the end of the file).
  for (auto at = file.find("\n[sample "); at != std::string::npos;) {
    const auto next = file.find("\n[sample ", at + 1);
    const std::string text = file.substr(at + 1, next == std::string::npos ? next : next - at - 1);
    samples.push_back({text.substr(1, text.find(']') - 1), text, {}});
    at = next;
  }
  for (auto& s : samples) {
    std::smatch m;
    const std::regex hex(R"(isf_bytes\(\d+\)=([0-9a-f]+))");
    if (std::regex_search(s.text, m, hex)) {
      s.bytes = unhex(m[1].str());
    } else {
      auto decoded = crypto::base64_decode(sample_field(s, "isf_base64"));
      if (decoded) s.bytes = *decoded;
    }
  }
  return samples;
}

// "(1,2) (3,4)" -> the points.
inline std::vector<ink::Point> parse_points(const std::string& list) {
  std::vector<ink::Point> points;
  const std::regex point(R"(\((-?\d+),(-?\d+)\))");
  for (std::sregex_iterator it(list.begin(), list.end(), point), end; it != end; ++it) {
    points.push_back({std::stoll((*it)[1].str()), std::stoll((*it)[2].str())});
  }
  return points;
}

// An ISF stream: the header around `tags`.
inline std::string isf_stream(const std::string& tags) {
  std::string out(1, '\0');
  std::size_t size = tags.size();
  do {
    auto group = static_cast<unsigned char>(size & 0x7F);
    size >>= 7;
    if (size != 0) group |= 0x80;
    out += static_cast<char>(group);
  } while (size != 0);
  return out + tags;
}

}  // namespace msn::test
