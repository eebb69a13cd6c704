// SPDX-License-Identifier: GPL-2.0-or-later
#include "server_log.h"

#include <fstream>

namespace harness {
namespace {

bool is_problem(const std::string& line) {
  for (const char* level : {"WARNING ", "ERROR ", "CRITICAL "}) {
    if (line.rfind(level, 0) == 0) return true;
  }
  return false;
}

bool is_allowed(const std::string& line, const std::vector<std::string>& allowed) {
  for (const std::string& text : allowed) {
    if (line.find(text) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

std::vector<std::string> unexpected_server_problems(const std::string& path,
                                                    const std::vector<std::string>& allowed) {
  std::ifstream in(path);
  if (!in) return {"cannot read the server's log " + path};
  std::vector<std::string> problems;
  std::string line;
  while (std::getline(in, line)) {
    if (is_problem(line) && !is_allowed(line, allowed))
      problems.push_back("the server logged: " + line);
  }
  return problems;
}

}  // namespace harness
