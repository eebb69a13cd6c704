// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: URLs and redirects. parse_url, resolve_location and join_service_url on
// arbitrary text, and an HttpExchange that follows whatever redirects the fuzzer answers with.
// Checked: a parsed URL prints to a string that parses back to the same URL; a redirect never
// goes from https to plain http; the number of hops stays within the limit.
//
// Input: the base URL, then "\n" and the Location (for the plain URL functions), then "\n" and
// up to four raw HTTP responses separated by "~~~" for the exchange.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "http/url.h"
#include "session/http_exchange.h"

using msn::fuzz::check;

namespace {

using namespace msn;

void check_round_trip(const http::Url& url) {
  auto again = http::parse_url(url.to_string());
  check(again.is_ok());
  check(again->tls == url.tls && again->host == url.host && again->port == url.port &&
        again->path == url.path);
}

std::string_view next_line(std::string_view& input) {
  const std::size_t lf = input.find('\n');
  const std::string_view line = input.substr(0, lf);
  input = lf == std::string_view::npos ? std::string_view() : input.substr(lf + 1);
  return line;
}

void run_exchange(std::string_view start_url, std::string_view responses) {
  constexpr int kMaxRedirects = 3;
  ConnectionIds ids;
  HttpExchange exchange(WebCall{1, std::string(start_url), "action", "<body/>"}, ids, kMaxRedirects,
                        seconds(30));
  TimePoint now{};
  exchange.start(now);
  bool tls_seen = false;
  int connects = 0;
  for (int hop = 0; hop < 8 && !exchange.done(); ++hop) {
    ConnectionId conn = 0;
    for (auto& output : exchange.take_outputs()) {
      if (const auto* connect = std::get_if<out::Connect>(&output)) {
        check(!(tls_seen && !connect->tls));  // never from https down to http
        tls_seen = tls_seen || connect->tls;
        conn = connect->conn;
        ++connects;
      }
    }
    check(connects <= kMaxRedirects + 1);
    if (conn == 0) break;
    exchange.on_connected(conn, now);
    exchange.take_outputs();
    const std::size_t end = responses.find("~~~");
    const std::string_view answer = responses.substr(0, end);
    responses = end == std::string_view::npos ? std::string_view() : responses.substr(end + 3);
    exchange.on_data(conn, answer, now);
    if (!exchange.done()) exchange.on_closed(conn, make_error(Errc::kTransport, "fuzz"), now);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const std::string_view base_text = next_line(input);
  const std::string_view location = next_line(input);
  auto base = http::parse_url(base_text);
  if (base) {
    check_round_trip(*base);
    auto next = http::resolve_location(*base, location);
    if (next) check_round_trip(*next);
  }
  auto joined = http::join_service_url(base_text, location);
  if (joined) check_round_trip(*joined);
  run_exchange(base_text, input);
  return 0;
}
