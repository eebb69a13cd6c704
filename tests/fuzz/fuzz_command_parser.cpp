// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzzes wire::CommandParser. Input layout: byte 0 picks the limits, byte 1 seeds the sizes of
// the pieces the rest is fed in. The same bytes are also fed whole and one byte at a time; all
// three must frame identically. Any broken invariant aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "wire/command.h"
#include "wire/command_parser.h"

using msn::fuzz::check;

namespace {

using msn::wire::Command;
using msn::wire::CommandParser;
using msn::wire::ParserLimits;

struct Outcome {
  std::vector<Command> commands;
  std::optional<msn::Errc> error;
};

// The argument that must hold the payload length, per command_parser.h.
std::string_view length_argument(const Command& cmd) {
  if (cmd.is_error())
    return cmd.arg(1);
  if (cmd.verb == "NOT" || cmd.verb == "IPG")
    return cmd.arg(0);
  return cmd.args.empty() ? std::string_view() : std::string_view(cmd.args.back());
}

void check_command(const Command& cmd, const ParserLimits& limits) {
  check(cmd.verb.size() == 3);
  for (char c : cmd.verb)
    check((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
  std::size_t line = cmd.verb.size();
  for (const std::string& arg : cmd.args) {
    line += 1 + arg.size();
    for (char c : arg) {
      const auto byte = static_cast<unsigned char>(c);
      check(byte >= 0x20 && byte != 0x7F && byte != ' ');
    }
  }
  check(line <= limits.max_line);
  if (cmd.has_payload) {
    check(msn::wire::verb_may_carry_payload(cmd.verb));
    const auto declared = msn::wire::parse_u32(length_argument(cmd));
    check(declared.has_value() && *declared == cmd.payload.size());
    check(cmd.payload.size() <= limits.max_payload);
  } else {
    check(cmd.payload.empty());
  }
}

// Feeds `input` in pieces whose sizes come from `next_size`, draining after every feed.
template <typename NextSize>
Outcome run(std::string_view input, const ParserLimits& limits, NextSize next_size) {
  CommandParser parser(limits);
  Outcome outcome;
  while (!input.empty()) {
    const std::size_t n = std::min(input.size(), next_size());
    msn::Status status = parser.feed(input.substr(0, n));
    input.remove_prefix(n);
    while (auto cmd = parser.next()) {
      check(!outcome.error);
      check_command(*cmd, limits);
      outcome.commands.push_back(std::move(*cmd));
    }
    if (!status.is_ok()) {
      const msn::Errc code = status.error().code;
      check(code == msn::Errc::kProtocol || code == msn::Errc::kLimit);
      check(!outcome.error || *outcome.error == code);  // sticky, and the same error
      outcome.error = code;
      check(parser.buffered() == 0);
    } else {
      check(!outcome.error);
      check(parser.buffered() <= limits.max_line + 2 + limits.max_payload);
    }
  }
  // After an error, more bytes change nothing.
  if (outcome.error) {
    check(!parser.feed("VER 1 MSNP15\r\n").is_ok());
    check(!parser.next().has_value());
  }
  return outcome;
}

bool same(const Outcome& a, const Outcome& b) {
  if (a.error != b.error || a.commands.size() != b.commands.size())
    return false;
  for (std::size_t i = 0; i < a.commands.size(); ++i) {
    const Command& x = a.commands[i];
    const Command& y = b.commands[i];
    if (x.verb != y.verb || x.args != y.args || x.payload != y.payload ||
        x.has_payload != y.has_payload)
      return false;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const std::uint8_t mode = data[0];
  std::uint32_t rng = 0x9E3779B9u ^ data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  ParserLimits limits;
  if (mode & 1) {
    // Small limits so the fuzzer reaches them with short inputs.
    limits.max_line = 8 + (mode >> 1) % 64;
    limits.max_payload = (mode >> 1) % 128;
  }
  const std::size_t max_piece = 1 + (mode >> 4) * 4;

  const Outcome whole = run(input, limits, [&] { return input.size(); });
  const Outcome pieces = run(input, limits, [&] {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return 1 + rng % max_piece;
  });
  const Outcome bytes = run(input, limits, [] { return std::size_t{1}; });
  check(same(whole, pieces));
  check(same(whole, bytes));
  return 0;
}
