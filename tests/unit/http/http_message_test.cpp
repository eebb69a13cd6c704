// SPDX-License-Identifier: GPL-2.0-or-later
// serialize() and ResponseParser: every framing (Content-Length, chunked, until close), interim
// responses, every split point, truncation, limits and malformed input.
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "http/http_message.h"
// Records the largest single allocation, to show that declared sizes never become allocations.
#include "support/allocation_tracker.h"
#include "support/split_feed.h"
#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Status;
using msn::http::Headers;
using msn::http::Request;
using msn::http::Response;
using msn::http::ResponseLimits;
using msn::http::ResponseParser;

struct Outcome {
  bool done = false;
  std::optional<Errc> error;
  Response response;
};

// Feeds `input` cut at `cuts`, then (if `close`) reports the end of the connection.
Outcome run(std::string_view input, const std::vector<std::size_t>& cuts, bool close,
            ResponseLimits limits = {}) {
  ResponseParser parser(limits);
  Outcome outcome;
  msn::test::feed_in_pieces(input, cuts, [&](std::string_view piece) {
    Status status = parser.feed(piece);
    if (!status.is_ok())
      outcome.error = status.error().code;
    return status.is_ok();
  });
  if (close && !outcome.error) {
    Status status = parser.finish();
    if (!status.is_ok())
      outcome.error = status.error().code;
  }
  outcome.done = parser.done();
  if (outcome.done)
    outcome.response = parser.take();
  return outcome;
}

bool matches(const Outcome& got, const Response& want, const char* how) {
  if (got.error || !got.done) {
    print_error("%s: error %d, done %d\n", how, got.error ? static_cast<int>(*got.error) : -1,
                got.done);
    return false;
  }
  const Response& r = got.response;
  if (r.status != want.status || r.reason != want.reason || r.headers != want.headers ||
      r.body != want.body) {
    print_error("%s: got %d [%s], %zu headers, body [%s]\n", how, r.status, r.reason.c_str(),
                r.headers.size(), r.body.str().c_str());
    return false;
  }
  return true;
}

// Whole, byte by byte and split in two at every offset, each with and without finish().
bool parses_identically(std::string_view input, const Response& want, bool needs_close) {
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i)
    every_byte.push_back(i);
  for (bool close : {false, true}) {
    if (needs_close && !close)
      continue;
    if (!matches(run(input, {}, close), want, "whole") ||
        !matches(run(input, every_byte, close), want, "byte by byte"))
      return false;
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
      if (!matches(run(input, {cut}, close), want, "split")) {
        print_error("split at %zu\n", cut);
        return false;
      }
    }
  }
  return true;
}

// Every strict prefix of `input` followed by finish() must fail (the response is cut).
bool truncation_fails(std::string_view input, std::size_t complete_from) {
  for (std::size_t len = 0; len < complete_from; ++len) {
    const Outcome outcome = run(input.substr(0, len), {}, true);
    if (!outcome.error || outcome.done) {
      print_error("prefix of %zu bytes accepted\n", len);
      return false;
    }
    if (*outcome.error != Errc::kTransport) {
      print_error("prefix of %zu bytes: error %d\n", len, static_cast<int>(*outcome.error));
      return false;
    }
  }
  return true;
}

bool fails_with(std::string_view input, Errc code, ResponseLimits limits = {}, bool close = false) {
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i)
    every_byte.push_back(i);
  for (const auto& cuts : {std::vector<std::size_t>{}, every_byte}) {
    const Outcome outcome = run(input, cuts, close, limits);
    if (!outcome.error || *outcome.error != code) {
      print_error("%s: expected error %d, got %d\n", std::string(input.substr(0, 40)).c_str(),
                  static_cast<int>(code), outcome.error ? static_cast<int>(*outcome.error) : -1);
      return false;
    }
  }
  return true;
}

Response response(int status, std::string reason, Headers headers, std::string body) {
  Response r;
  r.status = status;
  r.reason = std::move(reason);
  r.headers = std::move(headers);
  r.body = std::move(body);
  return r;
}

const std::string kSoapBody =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
    "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body><ABFindAllResponse "
    "xmlns=\"http://www.msn.com/webservices/AddressBook\"/></soap:Body></soap:Envelope>";

// ---- serialize ----

void test_serialize(void** /*state*/) {
  Request request;
  request.url.host = "login.live.com";
  request.url.path = "/RST.srf";
  request.headers = {{"Content-Type", "text/xml; charset=utf-8"},
                     {"SOAPAction", "http://www.msn.com/webservices/AddressBook/ABFindAll"},
                     {"content-length", "999"},
                     {"Connection", "keep-alive"}};
  request.body = "<x/>";
  assert_bytes_equal(serialize(request),
                     "POST /RST.srf HTTP/1.1\r\n"
                     "Host: login.live.com\r\n"
                     "Content-Type: text/xml; charset=utf-8\r\n"
                     "SOAPAction: http://www.msn.com/webservices/AddressBook/ABFindAll\r\n"
                     "Content-Length: 4\r\n"
                     "Connection: close\r\n"
                     "\r\n"
                     "<x/>");
}

void test_serialize_ports_and_injection(void** /*state*/) {
  Request request;
  request.method = "GET";
  request.url.tls = false;
  request.url.host = "::1";
  request.url.port = 8080;
  request.url.path = "/a b?c";
  request.headers = {{"X-Name", "evil\r\nHost: other"}};
  assert_bytes_equal(serialize(request),
                     "GET /a%20b?c HTTP/1.1\r\n"
                     "Host: [::1]:8080\r\n"
                     "X-Name: evil  Host: other\r\n"
                     "Content-Length: 0\r\n"
                     "Connection: close\r\n"
                     "\r\n");
}

// ---- framings, at every split point ----

void test_content_length(void** /*state*/) {
  const std::string input = "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\n"
                            "Content-Length: " + std::to_string(kSoapBody.size()) +
                            "\r\n\r\n" + kSoapBody;
  const Response want = response(200, "OK",
                                 {{"Content-Type", "text/xml; charset=utf-8"},
                                  {"Content-Length", std::to_string(kSoapBody.size())}},
                                 kSoapBody);
  assert_true(parses_identically(input, want, false));
  assert_true(truncation_fails(input, input.size()));
}

void test_chunked_with_extensions_and_trailers(void** /*state*/) {
  const std::string input =
      "HTTP/1.1 500 Internal Server Error\r\n"
      "Transfer-Encoding: chunked\r\n"
      "\r\n"
      "19;name=value\r\n"
      "<soap:Fault>abcdefghijklm\r\n"
      "0A ; quoted=\"a b\";flag\r\n"
      "0123456789\r\n"
      "000\r\n"
      "X-Trailer: yes\r\n"
      "Expires: never\r\n"
      "\r\n";
  const Response want = response(500, "Internal Server Error", {{"Transfer-Encoding", "chunked"}},
                                 "<soap:Fault>abcdefghijklm0123456789");
  assert_true(parses_identically(input, want, false));
  assert_true(truncation_fails(input, input.size()));
}

void test_chunked_bare_lf_and_binary(void** /*state*/) {
  const std::string data("\r\n\0\n\xff", 5);
  const std::string input = "HTTP/1.1 200 OK\nTransfer-Encoding: Chunked\n\n5\n" + data +
                            "\n0\n\n";
  const Response want = response(200, "OK", {{"Transfer-Encoding", "Chunked"}}, data);
  assert_true(parses_identically(input, want, false));
}

void test_until_close(void** /*state*/) {
  const std::string input = "HTTP/1.0 200 OK\r\nServer: test\r\n\r\n" + kSoapBody;
  const Response want = response(200, "OK", {{"Server", "test"}}, kSoapBody);
  assert_true(parses_identically(input, want, true));
  // Without finish() the body is never complete.
  const Outcome open = run(input, {}, false);
  assert_false(open.done);
  assert_false(open.error.has_value());
  // Cut inside the head: finish() fails; cut inside the body: a shorter body.
  assert_true(truncation_fails(input, input.size() - kSoapBody.size()));
}

void test_interim_responses_are_skipped(void** /*state*/) {
  const std::string input =
      "HTTP/1.1 100 Continue\r\n\r\n"
      "HTTP/1.1 102 Processing\r\nX-Progress: 1\r\n\r\n"
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
  const Response want = response(200, "OK", {{"Content-Length", "5"}}, "hello");
  assert_true(parses_identically(input, want, false));
  assert_true(truncation_fails(input, input.size()));
}

void test_no_body_statuses(void** /*state*/) {
  // 204 and 304 end at the blank line, even with a Content-Length; later bytes are ignored.
  assert_true(parses_identically("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\nignored",
                                 response(204, "No Content", {{"Content-Length", "10"}}, ""),
                                 false));
  assert_true(parses_identically("HTTP/1.1 304 Not Modified\r\n\r\n",
                                 response(304, "Not Modified", {}, ""), false));
  assert_true(parses_identically("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
                                 response(200, "OK", {{"Content-Length", "0"}}, ""), false));
}

void test_status_line_forms(void** /*state*/) {
  const Response redirect = response(302, "", {{"Location", "/x"}, {"Content-Length", "0"}}, "");
  assert_true(parses_identically("HTTP/1.1 302\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n",
                                 redirect, false));
  assert_true(parses_identically("HTTP/1.1 200 \r\nContent-Length: 0\r\n\r\n",
                                 response(200, "", {{"Content-Length", "0"}}, ""), false));
  assert_true(parses_identically(
      "HTTP/1.1 404 Not  Found \xc3\xa4\r\nContent-Length: 0\r\n\r\n",
      response(404, "Not  Found \xc3\xa4", {{"Content-Length", "0"}}, ""), false));
}

void test_headers(void** /*state*/) {
  const std::string input =
      "HTTP/1.1 301 Moved\r\n"
      "LOCATION:   https://msnia.login.live.com/pp800/RST.srf \t\r\n"
      "Set-Cookie: a=1\r\n"
      "set-cookie: b=2\r\n"
      "X-Empty:\r\n"
      "content-length: 2, 2\r\n"
      "Content-Length: 2\r\n"
      "\r\n"
      "ok";
  Outcome outcome = run(input, {}, false);
  assert_true(outcome.done);
  const Response& r = outcome.response;
  assert_true(r.header("Location") == std::optional<std::string_view>(
                                          "https://msnia.login.live.com/pp800/RST.srf"));
  assert_true(r.header("location").has_value());
  assert_true(r.header("SET-COOKIE") == std::optional<std::string_view>("a=1"));
  assert_true(r.header("x-empty") == std::optional<std::string_view>(""));
  assert_false(r.header("X-Missing").has_value());
  assert_false(r.header("Locatio").has_value());
  assert_true(r.body == "ok");
  assert_int_equal(r.headers.size(), 6);
}

// ---- errors ----

void test_malformed_status_lines(void** /*state*/) {
  for (const char* head :
       {"HTTP/2 200 OK\r\n\r\n", "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n",
        "HTTP/1.1 099 Odd\r\n\r\n", "HTTP/1.1 600 Odd\r\n\r\n", "HTTP/1.1  200 OK\r\n\r\n",
        "http/1.1 200 OK\r\n\r\n", "HTTP/1.x 200 OK\r\n\r\n", "HTTP/1.1 2x0 OK\r\n\r\n",
        "HTTP/1.1 200 O\x01K\r\n\r\n", "HTTP/1.1 200 OK\rX\r\n\r\n", "\r\nHTTP/1.1 200 OK\r\n\r\n",
        "ICY 200 OK\r\n\r\n", "HTTP/1.1\r\n\r\n", "HTTP/1.1 101 Switching Protocols\r\n\r\n",
        "VER 1 MSNP15\r\n"}) {
    if (!fails_with(head, Errc::kProtocol)) {
      print_error("head: %s\n", head);
      fail();
    }
  }
}

void test_malformed_headers(void** /*state*/) {
  for (const char* head : {
           "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A: 1\r\n\tfolded\r\n\r\n",
           "HTTP/1.1 200 OK\r\nNo colon\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
           "HTTP/1.1 200 OK\r\n: 1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX(A): 1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A: 1\x01\r\n\r\n",
           "HTTP/1.1 200 OK\r\nX-A: 1\r2\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello",
           "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello",
           "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: +5\r\n\r\nhello",
           "HTTP/1.1 200 OK\r\nContent-Length: 0x5\r\n\r\nhello",
           "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
           "HTTP/1.1 200 OK\r\nContent-Length: 5,\r\n\r\nhello",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
           "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n0\r\n\r\n",
       }) {
    if (!fails_with(head, Errc::kProtocol)) {
      print_error("head: %s\n", head);
      fail();
    }
  }
}

void test_malformed_chunks(void** /*state*/) {
  const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (const char* chunks : {"\r\n", "x\r\n", "-1\r\n", "0x5\r\nhello\r\n0\r\n\r\n",
                             "5 5\r\nhello\r\n", "5\r\nhelloX\r\n0\r\n\r\n", "5\r\nhello\r\r\n",
                             "5;a\x01\r\nhello\r\n", "5\r\nhello\r\n0\r\nbad trailer\r\n\r\n",
                             "5\r\nhello\r\n0\r\n folded: x\r\n\r\n", " 5\r\nhello\r\n"}) {
    if (!fails_with(head + chunks, Errc::kProtocol)) {
      print_error("chunks: %s\n", chunks);
      fail();
    }
  }
}

void test_header_limit(void** /*state*/) {
  ResponseLimits limits;
  limits.max_header_bytes = 64;
  // 64 bytes of head in total is fine...
  const std::string head = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(17, 'p') +
                           "\r\nContent-Length: 0\r\n\r\n";
  assert_int_equal(head.size(), 64);
  {
    const Outcome ok = run(head, {}, false, limits);
    assert_true(ok.done);
  }
  // ...one more byte is not, found as soon as it arrives even without a line end.
  const std::string over = "HTTP/1.1 200 OK\r\nX-Pad: " + std::string(18, 'p') +
                           "\r\nContent-Length: 0\r\n\r\n";
  assert_true(fails_with(over, Errc::kLimit, limits));
  assert_true(
      fails_with("HTTP/1.1 200 OK\r\nX-Pad: " + std::string(100, 'p'), Errc::kLimit, limits));
  assert_true(fails_with(std::string(100, 'H'), Errc::kLimit, limits));
  // An endless stream of headers is stopped too, with the default limit.
  std::string many = "HTTP/1.1 200 OK\r\n";
  while (many.size() < 70 * 1024)
    many += "X-A: b\r\n";
  assert_true(fails_with(many, Errc::kLimit));
}

void test_body_limits(void** /*state*/) {
  ResponseLimits limits;
  limits.max_body_bytes = 10;
  {
    const Outcome at_limit =
        run("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", {}, false, limits);
    assert_true(at_limit.done);
  }
  assert_true(fails_with("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", Errc::kLimit, limits));
  limits.max_body_bytes = 3;  // a single digit above the limit
  assert_true(fails_with("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", Errc::kLimit, limits));
  assert_true(fails_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n", Errc::kLimit,
                         limits));
  limits.max_body_bytes = 10;
  assert_true(fails_with("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999999\r\n\r\n",
                         Errc::kLimit));
  assert_true(fails_with("HTTP/1.1 200 OK\r\n\r\n0123456789A", Errc::kLimit, limits));
  {
    const Outcome at_limit = run("HTTP/1.1 200 OK\r\n\r\n0123456789", {}, true, limits);
    assert_true(at_limit.done);
  }
  const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
  {
    const Outcome at_limit =
        run(chunked + "6\r\n012345\r\n4\r\n6789\r\n0\r\n\r\n", {}, false, limits);
    assert_true(at_limit.done);
  }
  // The running total counts: 6 + 5 is over 10 although each chunk alone is not.
  assert_true(fails_with(chunked + "6\r\n012345\r\n5\r\n", Errc::kLimit, limits));
  assert_true(fails_with(chunked + "b\r\n", Errc::kLimit, limits));
  assert_true(fails_with(chunked + "ffffffffffffffffffffffffffffffff\r\n", Errc::kLimit));
  // A chunk-size line or trailer section cannot grow without bound either.
  limits.max_header_bytes = 64;
  assert_true(fails_with(chunked + "5;" + std::string(100, 'e'), Errc::kLimit, limits));
  assert_true(fails_with(chunked + "0\r\nX-T: " + std::string(100, 't'), Errc::kLimit, limits));
}

void test_declared_sizes_are_not_allocated(void** /*state*/) {
  msn::test::reset_largest_allocation();
  bool ok = false;
  {
    ResponseParser big_length;
    ResponseParser big_chunk;
    ok = big_length.feed("HTTP/1.1 200 OK\r\nContent-Length: 60000000\r\n\r\nabc").is_ok() &&
         big_chunk.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3938700\r\nabc")
             .is_ok() &&
         !big_length.done() && !big_chunk.done();
  }
  assert_true(ok);
  assert_true(msn::test::largest_allocation() < 4096);
}

// Body bytes go straight into the body when no partial line is waiting: the line buffer (a
// std::string, so seen by the tracker) never holds a copy of a big body. Framed by length,
// by chunks and by the end of the connection.
void test_body_bypasses_the_line_buffer(void** /*state*/) {
  const std::string body(1 << 20, 'b');
  struct Case {
    std::string head;
    std::string tail;
    bool close;
  };
  const Case cases[] = {
      {"HTTP/1.1 200 OK\r\nContent-Length: 1048576\r\n\r\n", "", false},
      {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n100000\r\n", "\r\n0\r\n\r\n", false},
      {"HTTP/1.0 200 OK\r\n\r\n", "", true},
  };
  for (const Case& c : cases) {
    std::size_t largest = 0;
    bool ok = false;
    {
      ResponseParser parser;
      ok = parser.feed(c.head).is_ok();
      msn::test::reset_largest_allocation();
      // Two pieces, the way a transport hands over what each read returned.
      ok = ok && parser.feed(std::string_view(body).substr(0, 4096)).is_ok() &&
           parser.feed(std::string_view(body).substr(4096)).is_ok();
      largest = msn::test::largest_allocation();
      ok = ok && parser.feed(c.tail).is_ok() && (!c.close || parser.finish().is_ok()) &&
           parser.done() && parser.take().body == body;
    }
    assert_true(ok);
    assert_true(largest < 4096);
  }
}

void test_errors_are_sticky_and_later_bytes_ignored(void** /*state*/) {
  {
    ResponseParser parser;
    Status first = parser.feed("HTTP/1.1 200 OK\r\nbad header\r\n");
    assert_false(first.is_ok());
    Status again = parser.feed("\r\n");
    assert_false(again.is_ok());
    assert_int_equal(static_cast<int>(again.error().code), static_cast<int>(Errc::kProtocol));
    Status finished = parser.finish();
    assert_false(finished.is_ok());
    assert_false(parser.done());
  }
  {
    ResponseParser parser;
    assert_true(parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 500").is_ok());
    assert_true(parser.done());
    assert_true(parser.feed("garbage\x01\x02").is_ok());
    assert_true(parser.finish().is_ok());
    const Response r = parser.take();
    assert_true(r.body == "ok");
    assert_int_equal(r.status, 200);
  }
  {
    // finish() on a connection that closed before any byte.
    ResponseParser parser;
    Status status = parser.finish();
    assert_false(status.is_ok());
    assert_int_equal(static_cast<int>(status.error().code), static_cast<int>(Errc::kTransport));
  }
}

void test_many_small_feeds_stay_linear(void** /*state*/) {
  bool ok = true;
  std::size_t body_size = 0;
  {
    std::string input = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20000; ++i)
      input += "20;ext=1\r\n" + std::string(32, 'x') + "\r\n";
    input += "0\r\n\r\n";
    ResponseParser parser;
    for (char c : input) {
      if (!parser.feed(std::string_view(&c, 1)).is_ok()) {
        ok = false;
        break;
      }
    }
    ok = ok && parser.done();
    if (ok)
      body_size = parser.take().body.size();
  }
  assert_true(ok);
  assert_int_equal(body_size, 20000 * 32);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_serialize),
      cmocka_unit_test(test_serialize_ports_and_injection),
      cmocka_unit_test(test_content_length),
      cmocka_unit_test(test_chunked_with_extensions_and_trailers),
      cmocka_unit_test(test_chunked_bare_lf_and_binary),
      cmocka_unit_test(test_until_close),
      cmocka_unit_test(test_interim_responses_are_skipped),
      cmocka_unit_test(test_no_body_statuses),
      cmocka_unit_test(test_status_line_forms),
      cmocka_unit_test(test_headers),
      cmocka_unit_test(test_malformed_status_lines),
      cmocka_unit_test(test_malformed_headers),
      cmocka_unit_test(test_malformed_chunks),
      cmocka_unit_test(test_header_limit),
      cmocka_unit_test(test_body_limits),
      cmocka_unit_test(test_declared_sizes_are_not_allocated),
      cmocka_unit_test(test_body_bypasses_the_line_buffer),
      cmocka_unit_test(test_errors_are_sticky_and_later_bytes_ignored),
      cmocka_unit_test(test_many_small_feeds_stay_linear),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
