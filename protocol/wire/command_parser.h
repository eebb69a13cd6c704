// SPDX-License-Identifier: GPL-2.0-or-later
// Incremental framing of server-to-client MSNP commands (h11 / Beast contract): feed bytes in
// any split, pull complete commands out. Every length is bounded; a peer can never make the
// parser allocate more than the limits below.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "core/status.h"
#include "wire/command.h"

namespace msn::wire {

struct ParserLimits {
  std::size_t max_line = 16 * 1024;         // bytes of one command line, CRLF excluded
  std::size_t max_payload = 4 * 1024 * 1024; // bytes of one payload
};

// Which verbs carry a payload (server to client), per docs/protocol/notification-server.md:
//  MSG, ADL, RML, FQY, UUX, UBX, GCF, UBN, UBM: payload length is the last argument when it
//    is decimal and there are at least two arguments ("ADL 6 OK" and "QRY 10" carry none).
//  NOT, IPG: a single argument that is the length.
//  A numeric error "{code} {trid} {len}": the second argument after the code is a length.
// A verb that always carries a payload without a valid length, or a signed length, is
// kProtocol; a length over max_payload (or over 32 bits) is kLimit.
// Framing: a line ends with CRLF or a bare LF; empty lines are skipped; control bytes in a line,
// or a verb that is not three upper-case letters or three digits, are kProtocol. Commands framed
// before an error are still returned by next(). Details in command_parser.cpp.
class CommandParser {
 public:
  explicit CommandParser(ParserLimits limits = {});

  // Appends bytes and frames every complete command. After an error the parser stays
  // failed: every later feed returns the same error and no more commands come out.
  Status feed(std::string_view bytes);

  // The next complete command, oldest first, or nullopt when more bytes are needed.
  std::optional<Command> next();

  // Bytes received but not yet framed into a command (for tests and diagnostics).
  std::size_t buffered() const { return buffer_.size() - consumed_; }

 private:
  Status frame_available();
  // The index of the LF ending the line that starts at consumed_, or nullopt if none yet.
  Result<std::optional<std::size_t>> find_line_end();
  // Drops framed bytes from the front of buffer_ and releases a large idle buffer.
  void compact();

  ParserLimits limits_;
  std::string buffer_;
  std::size_t consumed_ = 0;
  std::size_t scanned_ = 0;  // bytes of the current line already checked: never re-scanned
  std::optional<Command> pending_;  // a line whose payload is still arriving
  std::size_t pending_len_ = 0;
  std::deque<Command> ready_;
  std::optional<Error> failed_;
};

// True if `verb` can carry a payload when received from a server.
bool verb_may_carry_payload(std::string_view verb);

}  // namespace msn::wire
