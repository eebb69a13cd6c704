// SPDX-License-Identifier: GPL-2.0-or-later
// The local server's log file (msnp-server --log-file): one record per line, its level first.
// A WARNING or ERROR there means the server saw something a real server would refuse or a
// fault fired; every scenario fails on one it did not provoke on purpose.
#pragma once

#include <string>
#include <vector>

namespace harness {

inline constexpr const char* kServerLogName = "server.log";

// The WARNING/ERROR/CRITICAL lines of the log at `path` that contain none of `allowed`
// (substrings). A log that cannot be read is one problem line of its own.
std::vector<std::string> unexpected_server_problems(const std::string& path,
                                                    const std::vector<std::string>& allowed);

}  // namespace harness
