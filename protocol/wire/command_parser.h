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
#include <vector>

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
// Framing: a line ends with CRLF or a bare LF; empty lines are skipped.
// Tolerance: a line that cannot be a command (control bytes or a stray CR in it, a verb that is
// not three upper-case letters or three digits, MSG/UBX/UBN/UBM/NOT/IPG without a length) is
// skipped, and so is a line over max_line, whose bytes are dropped as they arrive; each skip
// leaves a note for take_skipped(). Only a length that cannot be trusted ends the stream: a
// signed one is kProtocol, one over max_payload (or over 32 bits) is kLimit. Commands framed
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

  // What was skipped since the last call, one note per line (at most a few, then a count),
  // for the log.
  std::vector<std::string> take_skipped();
  // Lines skipped so far.
  std::size_t lines_skipped() const { return lines_skipped_; }

 private:
  struct LineEnd {
    enum Kind { kNeedMore, kLine, kOverLong } kind;
    std::size_t at;  // kLine: the LF; kOverLong: the first byte past max_line
  };

  Status frame_available();
  // Where the line that starts at consumed_ ends, as far as the buffer tells.
  LineEnd find_line_end();
  // Drops buffered bytes of an over-long line; true once its LF went past.
  bool discard_through_line_end();
  void note_skipped(std::string_view why);
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
  const char* line_problem_ = nullptr;  // why the line being scanned will be skipped
  bool discarding_ = false;             // inside an over-long line
  std::vector<std::string> notes_;
  std::size_t notes_dropped_ = 0;
  std::size_t lines_skipped_ = 0;
};

// True if `verb` can carry a payload when received from a server.
bool verb_may_carry_payload(std::string_view verb);

}  // namespace msn::wire
