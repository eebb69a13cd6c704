// SPDX-License-Identifier: GPL-2.0-or-later
// What the fake web services and notification server of the unit tests answer, shared so every
// test builds them the same way.
#pragma once

#include <string>
#include <string_view>

namespace msn::test {

// The nonce of transcript 01's "USR 3 SSO S MBI_KEY_OLD {nonce}".
inline constexpr std::string_view kSignInNonce =
    "8CLhG/xfgYZ7TyRQ/jIAWyDmd/w4R4GF2yKLS6tYrnjzi4cFag/Nr+hxsfg5zlCf";

// A web-service answer that closes its connection, as in the transcripts, so every web call
// shows its own Connect and Close (keep-alive reuse has its own tests).
inline std::string http_response(int status, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(status) +
         " X\r\nConnection: close\r\nContent-Type: text/xml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

}  // namespace msn::test
