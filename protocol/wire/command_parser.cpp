// SPDX-License-Identifier: GPL-2.0-or-later
// Framing decisions (see also command_parser.h):
//  * A line ends with LF; one CR right before the LF is dropped. Real servers always send CRLF,
//    but a bare LF costs nothing to accept and cannot be confused with anything else because
//    command lines never contain control bytes.
//  * Line framing survives anything inside a line, so a line that cannot be a command (control
//    bytes or a stray CR in it, a verb that is not three upper-case letters or three digits, a
//    payload verb without its length) is skipped with a note, and so is a line over max_line:
//    its bytes are dropped as they come, up to the next LF. Real servers send odd lines now and
//    then; one of them must not end the session.
//  * Bytes from 0x80 up are kept as they are (some servers send raw UTF-8 in free-text
//    arguments).
//  * An empty line is skipped silently: some servers send a stray CRLF after a payload.
//  * Tokens are separated by single spaces and empty tokens are kept, so argument positions stay
//    what the server meant (the same as the original plugin's g_strsplit(" ")).
//  * Only a payload length that cannot be trusted (signed, over 32 bits, over max_payload) is an
//    error: where the next command starts is then unknown, and guessing would misread the
//    payload as commands.
//  * Every limit is checked on bytes as they are scanned, so a line is judged the same whatever
//    the split of the input; a declared payload length is checked against max_payload when its
//    line is parsed and never used to reserve memory.
#include "wire/command_parser.h"

#include <array>
#include <utility>

#include "core/ascii.h"

namespace msn::wire {

namespace {

// Keep at most this much buffer capacity when idle, so one large payload does not pin memory
// for the rest of a long session.
constexpr std::size_t kIdleCapacity = 64 * 1024;
// Notes kept until take_skipped(); a flood of junk is summed up in one more.
constexpr std::size_t kMaxNotes = 16;

using ascii::is_digit;
using ascii::is_upper;

bool is_valid_verb(std::string_view verb) {
  if (verb.size() != 3)
    return false;
  const bool letters = is_upper(verb[0]) && is_upper(verb[1]) && is_upper(verb[2]);
  const bool digits = is_digit(verb[0]) && is_digit(verb[1]) && is_digit(verb[2]);
  return letters || digits;
}

bool is_numeric_verb(std::string_view verb) {
  return verb.size() == 3 && is_digit(verb[0]) && is_digit(verb[1]) && is_digit(verb[2]);
}

// Verbs whose server form always ends with a payload length.
constexpr std::array<std::string_view, 4> kAlwaysPayload = {"MSG", "UBX", "UBN", "UBM"};
// Verbs that carry a payload only when the last argument is a length ("ADL 6 OK" does not).
constexpr std::array<std::string_view, 5> kMaybePayload = {"ADL", "RML", "FQY", "UUX", "GCF"};
// Verbs whose only argument is the payload length.
constexpr std::array<std::string_view, 2> kLengthOnly = {"NOT", "IPG"};

template <std::size_t N>
bool contains(const std::array<std::string_view, N>& set, std::string_view verb) {
  for (std::string_view v : set) {
    if (v == verb)
      return true;
  }
  return false;
}

enum class TokenKind {
  kNotNumber,  // e.g. "OK": not a length at all
  kMalformed,  // "5x", "0x10": meant as a length, but unreadable
  kLength,     // digits that fit 32 bits
  kTooLarge,   // digits that do not fit 32 bits
  kSigned,     // "-5", "+5": looks like a length but cannot be one
};

struct LengthToken {
  TokenKind kind = TokenKind::kNotNumber;
  std::uint32_t value = 0;
};

LengthToken classify_length(std::string_view token) {
  if (token.empty())
    return {};
  if (is_digit(token[0])) {
    for (char c : token) {
      if (!is_digit(c)) return {TokenKind::kMalformed, 0};
    }
    auto value = parse_u32(token);
    if (!value)
      return {TokenKind::kTooLarge, 0};
    return {TokenKind::kLength, *value};
  }
  if ((token[0] == '-' || token[0] == '+') && token.size() > 1) {
    for (char c : token.substr(1)) {
      if (!is_digit(c))
        return {};
    }
    return {TokenKind::kSigned, 0};
  }
  return {};
}

// What a command line says about the payload that follows it.
struct PayloadSpec {
  bool present = false;
  std::size_t length = 0;
  const char* skip = nullptr;  // why the line is no usable command, when it is not
};

PayloadSpec skip_line(const char* why) { return PayloadSpec{false, 0, why}; }

Result<PayloadSpec> checked_length(const LengthToken& token, bool required,
                                   const ParserLimits& limits, std::string_view verb) {
  switch (token.kind) {
    case TokenKind::kNotNumber:
      if (required) return skip_line("a payload command without its length");
      return PayloadSpec{};
    case TokenKind::kMalformed:
      if (required)
        return make_error(Errc::kProtocol, std::string(verb) + ": unreadable payload length");
      return PayloadSpec{};
    case TokenKind::kSigned:
      return make_error(Errc::kProtocol, std::string(verb) + ": signed payload length");
    case TokenKind::kTooLarge:
      return make_error(Errc::kLimit, std::string(verb) + ": payload length does not fit 32 bits");
    case TokenKind::kLength:
      break;
  }
  if (token.value > limits.max_payload)
    return make_error(Errc::kLimit, std::string(verb) + ": payload length " +
                                        std::to_string(token.value) + " over the limit");
  return PayloadSpec{true, token.value};
}

// Applies the table in docs/protocol/notification-server.md, "Framing" to a parsed line.
Result<PayloadSpec> payload_spec(const Command& cmd, const ParserLimits& limits) {
  const std::string_view verb = cmd.verb;
  if (contains(kAlwaysPayload, verb)) {
    if (cmd.args.size() < 2) return skip_line("a payload command without its length");
    return checked_length(classify_length(cmd.args.back()), true, limits, verb);
  }
  if (contains(kMaybePayload, verb)) {
    if (cmd.args.size() < 2)
      return PayloadSpec{};
    return checked_length(classify_length(cmd.args.back()), false, limits, verb);
  }
  if (contains(kLengthOnly, verb)) {
    if (cmd.args.size() != 1) return skip_line("a payload command without its length");
    return checked_length(classify_length(cmd.args[0]), true, limits, verb);
  }
  if (is_numeric_verb(verb)) {
    // "{code} {trid} {len}": only the argument after the TrId can be a length.
    if (cmd.args.size() < 2)
      return PayloadSpec{};
    return checked_length(classify_length(cmd.args[1]), false, limits, verb);
  }
  return PayloadSpec{};
}

// nullopt for a line that is no command (the caller skips it).
std::optional<Command> parse_line(std::string_view line) {
  Command cmd;
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t space = line.find(' ', start);
    const std::string_view token = line.substr(
        start, space == std::string_view::npos ? std::string_view::npos : space - start);
    if (first) {
      if (!is_valid_verb(token)) return std::nullopt;
      cmd.verb.assign(token);
      first = false;
    } else {
      cmd.args.emplace_back(token);
    }
    if (space == std::string_view::npos)
      break;
    start = space + 1;
  }
  return cmd;
}

}  // namespace

bool verb_may_carry_payload(std::string_view verb) {
  return contains(kAlwaysPayload, verb) || contains(kMaybePayload, verb) ||
         contains(kLengthOnly, verb) || is_numeric_verb(verb);
}

CommandParser::CommandParser(ParserLimits limits) : limits_(limits) {}

Status CommandParser::feed(std::string_view bytes) {
  if (failed_)
    return *failed_;
  buffer_.append(bytes);
  Status status = frame_available();
  if (!status.is_ok()) {
    failed_ = status.error();
    // Nothing will be framed any more; drop what is buffered.
    std::string().swap(buffer_);
    consumed_ = 0;
    scanned_ = 0;
    pending_.reset();
    return status;
  }
  compact();
  return Status::ok();
}

std::optional<Command> CommandParser::next() {
  if (ready_.empty())
    return std::nullopt;
  Command cmd = std::move(ready_.front());
  ready_.pop_front();
  return cmd;
}

void CommandParser::compact() {
  // Each byte is moved at most once: after a command completes only the start of the next
  // command remains, and that one is at the front from then on.
  if (consumed_ > 0) {
    buffer_.erase(0, consumed_);
    scanned_ -= consumed_;
    consumed_ = 0;
  }
  if (buffer_.empty() && buffer_.capacity() > kIdleCapacity)
    std::string().swap(buffer_);
}

std::vector<std::string> CommandParser::take_skipped() {
  if (notes_dropped_ > 0) {
    notes_.push_back(std::to_string(notes_dropped_) + " more lines skipped");
    notes_dropped_ = 0;
  }
  return std::exchange(notes_, {});
}

void CommandParser::note_skipped(std::string_view why) {
  ++lines_skipped_;
  if (notes_.size() < kMaxNotes) {
    notes_.push_back("skipped " + std::string(why));
  } else {
    ++notes_dropped_;
  }
}

CommandParser::LineEnd CommandParser::find_line_end() {
  // Bytes before scanned_ belong to the current line and were checked by an earlier feed.
  for (std::size_t i = scanned_; i < buffer_.size(); ++i) {
    const auto byte = static_cast<unsigned char>(buffer_[i]);
    const std::size_t pos = i - consumed_;
    if (byte == '\n') {
      scanned_ = i + 1;
      return {LineEnd::kLine, i};
    }
    if (pos > 0 && buffer_[i - 1] == '\r' && line_problem_ == nullptr)
      line_problem_ = "a line with a CR inside";
    // pos == max_line is the terminator's place: only the CR of a CRLF may be there.
    if (pos > limits_.max_line || (pos == limits_.max_line && byte != '\r'))
      return {LineEnd::kOverLong, i};
    if (byte != '\r' && ascii::is_control(buffer_[i]) && line_problem_ == nullptr)
      line_problem_ = "a line with control bytes";
  }
  scanned_ = buffer_.size();
  return {LineEnd::kNeedMore, 0};
}

// Drops the rest of an over-long line as it arrives: nothing of it is kept.
bool CommandParser::discard_through_line_end() {
  const std::size_t lf = buffer_.find('\n', consumed_);
  if (lf == std::string::npos) {
    consumed_ = buffer_.size();
    scanned_ = consumed_;
    return false;
  }
  consumed_ = lf + 1;
  scanned_ = consumed_;
  discarding_ = false;
  note_skipped("a line over " + std::to_string(limits_.max_line) + " bytes");
  return true;
}

Status CommandParser::frame_available() {
  while (true) {
    if (pending_) {
      if (buffer_.size() - consumed_ < pending_len_)
        return Status::ok();
      pending_->payload.assign(buffer_, consumed_, pending_len_);
      consumed_ += pending_len_;
      scanned_ = consumed_;
      ready_.push_back(std::move(*pending_));
      pending_.reset();
      continue;
    }
    if (discarding_) {
      if (!discard_through_line_end()) return Status::ok();
      continue;
    }
    const LineEnd line_end = find_line_end();
    if (line_end.kind == LineEnd::kNeedMore) return Status::ok();
    if (line_end.kind == LineEnd::kOverLong) {
      consumed_ = line_end.at;
      scanned_ = consumed_;
      line_problem_ = nullptr;
      discarding_ = true;
      continue;
    }
    std::size_t end = line_end.at;
    const std::size_t next_start = end + 1;
    if (end > consumed_ && buffer_[end - 1] == '\r')
      --end;
    const std::string_view line(buffer_.data() + consumed_, end - consumed_);
    consumed_ = next_start;
    scanned_ = consumed_;
    if (const char* problem = std::exchange(line_problem_, nullptr)) {
      note_skipped(problem);
      continue;
    }
    if (line.empty()) continue;
    auto cmd = parse_line(line);
    if (!cmd) {
      note_skipped("a line that is no command");
      continue;
    }
    auto spec = payload_spec(*cmd, limits_);
    if (!spec.is_ok())
      return spec.error();
    if (spec->skip != nullptr) {
      note_skipped(std::string(spec->skip) + " (" + cmd->verb + ")");
      continue;
    }
    if (!spec->present) {
      ready_.push_back(std::move(*cmd));
      continue;
    }
    cmd->has_payload = true;
    pending_ = std::move(*cmd);
    pending_len_ = spec->length;
  }
}

}  // namespace msn::wire
