// SPDX-License-Identifier: GPL-2.0-or-later
// A lenient notification server for tests that are about what happens after sign-in: whatever
// sign-in command the Client sends, the usual answer (no checks of the exact script, which
// tests/unit/session/notification_session_test.cpp does). Plus the small wire helpers such
// tests share.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/http_reply.h"

namespace msn::test {

inline std::string hotmail_msg(std::string_view payload) {
  return "MSG Hotmail Hotmail " + std::to_string(payload.size()) + "\r\n" + std::string(payload);
}

inline std::string first_line(const std::string& bytes) {
  return bytes.substr(0, bytes.find("\r\n"));
}

inline std::vector<std::string> words(const std::string& line) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= line.size()) {
    const auto end = line.find(' ', start);
    parts.push_back(line.substr(start, end - start));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return parts;
}

// The server's answer to one command the Client sent its notification server during sign-in
// (`sent` holds at least the command line), or empty when none is due.
inline std::string lenient_sign_in_answer(const std::string& sent) {
  const std::string line = first_line(sent);
  const auto parts = words(line);
  const std::string& verb = parts[0];
  const std::string trid = parts.size() > 1 ? parts[1] : "0";
  if (verb == "VER") return "VER " + trid + " MSNP15\r\n";
  if (verb == "CVR")
    return "CVR " + trid + " 8.5.1302 8.5.1302 8.5.1302 http://x.example http://x.example\r\n";
  if (verb == "USR" && parts.size() > 3 && parts[3] == "I")
    return "USR " + trid + " SSO S MBI_KEY_OLD " + std::string(kSignInNonce) + "\r\n";
  if (verb == "USR")
    return "USR " + trid + " OK alice@example.com 1 0\r\n" +
           hotmail_msg(
               "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
               "LoginTime: 1212321600\r\n\r\n");
  if (verb == "ADL") return "ADL " + trid + " OK\r\n";
  if (verb == "UUX") return "UUX " + trid + " 0\r\n";
  if (verb == "BLP" || verb == "CHG" || verb == "PRP") return line + "\r\n";
  return {};
}

}  // namespace msn::test
