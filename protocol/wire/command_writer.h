// SPDX-License-Identifier: GPL-2.0-or-later
// Formats client-to-server commands and allocates transaction ids (one counter per connection).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include "wire/command.h"

namespace msn::wire {

struct Written {
  TrId trid;          // 0 for commands without a TrId (PNG, OUT)
  std::string bytes;  // the exact bytes to send
};

class CommandWriter {
 public:
  // "VER 1 MSNP15 CVR0\r\n": verb, the next TrId, then args.
  Written command(std::string_view verb, std::initializer_list<std::string_view> args = {});
  // "QRY 10 PROD0119GSJUC$18 32\r\n{payload}": as command(), with the payload's byte length
  // appended as the last argument and the payload after the CRLF.
  Written payload_command(std::string_view verb, std::initializer_list<std::string_view> args,
                          std::string_view payload);
  // "PNG\r\n", "OUT\r\n": no TrId.
  static std::string untracked(std::string_view verb);

  // Restart numbering at 1 (a new connection).
  void reset() { next_ = 1; }
  TrId peek_next() const { return next_; }

 private:
  TrId next_ = 1;
};

// Percent-encodes everything except unreserved characters (A-Z a-z 0-9 - _ . ~).
std::string url_encode(std::string_view text);
// url_encode(text) appended to `out`, with no string of its own.
void append_url_encoded(std::string& out, std::string_view text);
// Decodes %XX escapes; malformed escapes are kept literally (never fails, never grows input).
std::string url_decode(std::string_view text);

}  // namespace msn::wire
