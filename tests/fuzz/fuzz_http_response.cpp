// SPDX-License-Identifier: GPL-2.0-or-later
// Fuzzes http::ResponseParser. Input layout: byte 0 picks the limits and whether finish() is
// called, byte 1 seeds the sizes of the pieces the rest is fed in. The same bytes fed whole,
// in pieces and one byte at a time must give the same result. Any broken invariant aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "http/http_message.h"

using msn::fuzz::check;

namespace {

using msn::http::Response;
using msn::http::ResponseLimits;
using msn::http::ResponseParser;

struct Outcome {
  bool done = false;
  std::optional<msn::Errc> error;
  Response response;
};

bool is_token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

void check_response(const Response& r, const ResponseLimits& limits) {
  check(r.status >= 200 && r.status <= 599);
  check(r.body.size() <= limits.max_body_bytes);
  if (r.status == 204 || r.status == 304)
    check(r.body.empty());
  std::size_t head = 0;
  for (const auto& [name, value] : r.headers) {
    check(!name.empty());
    for (char c : name)
      check(is_token_char(c));
    for (char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      check(byte >= 0x20 || byte == '\t');
      check(byte != 0x7F);
    }
    check(value.empty() || (value.front() != ' ' && value.back() != ' '));
    head += name.size() + value.size();
  }
  check(head <= limits.max_header_bytes);
  const auto length = r.header("Content-Length");
  if (length && !r.header("Transfer-Encoding") && r.status != 204 && r.status != 304) {
    // A single agreed value; the body is exactly that long.
    const std::string_view v = *length;
    const std::string_view first = v.substr(0, v.find(','));
    std::size_t n = 0;
    for (char c : first) {
      if (c >= '0' && c <= '9')
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    check(r.body.size() == n);
  }
}

template <typename NextSize>
Outcome run(std::string_view input, const ResponseLimits& limits, bool close, NextSize next_size) {
  ResponseParser parser(limits);
  Outcome outcome;
  while (!input.empty() && !outcome.error) {
    const std::size_t n = std::min(input.size(), next_size());
    msn::Status status = parser.feed(input.substr(0, n));
    input.remove_prefix(n);
    if (!status.is_ok())
      outcome.error = status.error().code;
  }
  if (close && !outcome.error) {
    msn::Status status = parser.finish();
    if (!status.is_ok())
      outcome.error = status.error().code;
  }
  if (outcome.error) {
    const msn::Errc code = *outcome.error;
    check(code == msn::Errc::kProtocol || code == msn::Errc::kLimit ||
          code == msn::Errc::kTransport);
    check(!parser.done());
    // Sticky: later calls report the same error.
    msn::Status again = parser.feed("HTTP/1.1 200 OK\r\n\r\n");
    check(!again.is_ok() && again.error().code == code);
    msn::Status finished = parser.finish();
    check(!finished.is_ok() && finished.error().code == code);
  }
  outcome.done = parser.done();
  if (outcome.done) {
    outcome.response = parser.take();
    check_response(outcome.response, limits);
  }
  return outcome;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.done == b.done && a.error == b.error && a.response.status == b.response.status &&
         a.response.reason == b.response.reason && a.response.headers == b.response.headers &&
         a.response.body == b.response.body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2)
    return 0;
  const std::uint8_t mode = data[0];
  std::uint32_t rng = 0x9E3779B9u ^ data[1];
  const std::string_view input(reinterpret_cast<const char*>(data + 2), size - 2);

  ResponseLimits limits;
  if (mode & 1) {
    // Small limits so the fuzzer reaches them with short inputs.
    limits.max_header_bytes = 16 + (mode >> 2) * 4;
    limits.max_body_bytes = (mode >> 2) * 8;
  }
  const bool close = (mode & 2) != 0;
  const std::size_t max_piece = 1 + (mode >> 4) * 4;

  const Outcome whole = run(input, limits, close, [&] { return input.size(); });
  const Outcome pieces = run(input, limits, close, [&] {
    rng ^= rng << 13;
    rng ^= rng >> 17;
    rng ^= rng << 5;
    return 1 + rng % max_piece;
  });
  const Outcome bytes = run(input, limits, close, [] { return std::size_t{1}; });
  check(same(whole, pieces));
  check(same(whole, bytes));
  return 0;
}
