// SPDX-License-Identifier: GPL-2.0-or-later
// Framing decisions (see also command_parser.h):
//  * A line ends with LF; one CR right before the LF is dropped. Real servers always send CRLF,
//    but a bare LF costs nothing to accept and cannot be confused with anything else because
//    command lines never contain control bytes. A CR anywhere else in a line is kProtocol.
//  * Control bytes (0x00-0x1F except the terminator, and 0x7F) in a line are kProtocol; bytes
//    from 0x80 up are kept as they are (some servers send raw UTF-8 in free-text arguments).
//  * An empty line is skipped: some servers send a stray CRLF after a payload, and an empty
//    line carries nothing that could be misread.
//  * Tokens are separated by single spaces and empty tokens are kept, so argument positions stay
//    what the server meant (the same as the original plugin's g_strsplit(" ")).
//  * The verb must be three upper-case letters or three digits. A garbage verb almost always
//    means a payload length was wrong and the stream is out of step, so it is kProtocol.
//  * Every limit is checked on bytes as they are scanned, so an error is reported at the same
//    byte whatever the split of the input; a declared payload length is checked against
//    max_payload when its line is parsed and never used to reserve memory.
#include "wire/command_parser.h"

#include <array>

#include "core/ascii.h"

namespace msn::wire {

namespace {

// Keep at most this much buffer capacity when idle, so one large payload does not pin memory
// for the rest of a long session.
constexpr std::size_t kIdleCapacity = 64 * 1024;

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
      if (!is_digit(c))
        return {};
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
};

Result<PayloadSpec> checked_length(const LengthToken& token, bool required,
                                   const ParserLimits& limits, std::string_view verb) {
  switch (token.kind) {
    case TokenKind::kNotNumber:
      if (required)
        return make_error(Errc::kProtocol, std::string(verb) + ": missing payload length");
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
    if (cmd.args.size() < 2)
      return make_error(Errc::kProtocol, std::string(verb) + ": missing payload length");
    return checked_length(classify_length(cmd.args.back()), true, limits, verb);
  }
  if (contains(kMaybePayload, verb)) {
    if (cmd.args.size() < 2)
      return PayloadSpec{};
    return checked_length(classify_length(cmd.args.back()), false, limits, verb);
  }
  if (contains(kLengthOnly, verb)) {
    if (cmd.args.size() != 1)
      return make_error(Errc::kProtocol, std::string(verb) + ": expected a single length");
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

Result<Command> parse_line(std::string_view line) {
  Command cmd;
  std::size_t start = 0;
  bool first = true;
  while (true) {
    const std::size_t space = line.find(' ', start);
    const std::string_view token = line.substr(
        start, space == std::string_view::npos ? std::string_view::npos : space - start);
    if (first) {
      if (!is_valid_verb(token))
        return make_error(Errc::kProtocol, "malformed command verb");
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

Result<std::optional<std::size_t>> CommandParser::find_line_end() {
  // Bytes before scanned_ belong to the current line and were checked by an earlier feed.
  for (std::size_t i = scanned_; i < buffer_.size(); ++i) {
    const auto byte = static_cast<unsigned char>(buffer_[i]);
    const std::size_t pos = i - consumed_;
    if (byte == '\n') {
      scanned_ = i + 1;
      return std::optional<std::size_t>(i);
    }
    if (pos > 0 && buffer_[i - 1] == '\r')
      return make_error(Errc::kProtocol, "CR not followed by LF in a command line");
    // pos == max_line is the terminator's place: only the CR of a CRLF may be there.
    if (pos > limits_.max_line || (pos == limits_.max_line && byte != '\r'))
      return make_error(Errc::kLimit, "command line over the limit");
    if (byte != '\r' && ascii::is_control(buffer_[i]))
      return make_error(Errc::kProtocol, "control byte in a command line");
  }
  scanned_ = buffer_.size();
  return std::optional<std::size_t>();
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
    auto line_end = find_line_end();
    if (!line_end.is_ok())
      return line_end.error();
    if (!line_end->has_value())
      return Status::ok();
    std::size_t end = **line_end;
    const std::size_t next_start = end + 1;
    if (end > consumed_ && buffer_[end - 1] == '\r')
      --end;
    const std::string_view line(buffer_.data() + consumed_, end - consumed_);
    if (line.empty()) {
      consumed_ = next_start;
      continue;
    }
    auto cmd = parse_line(line);
    if (!cmd.is_ok())
      return cmd.error();
    auto spec = payload_spec(*cmd, limits_);
    if (!spec.is_ok())
      return spec.error();
    consumed_ = next_start;
    scanned_ = consumed_;
    if (!spec->present) {
      ready_.push_back(std::move(cmd).value());
      continue;
    }
    cmd->has_payload = true;
    pending_ = std::move(cmd).value();
    pending_len_ = spec->length;
  }
}

}  // namespace msn::wire
