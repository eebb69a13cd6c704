// SPDX-License-Identifier: GPL-2.0-or-later
// parse_url, resolve_location, join_service_url.
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <sstream>
#include <string>

#include "cmocka_cpp.h"
#include "http/url.h"

namespace {

using msn::Errc;
using msn::http::join_service_url;
using msn::http::parse_url;
using msn::http::resolve_location;
using msn::http::Url;

// parse_url(text) must succeed with these parts and print back as `printed`.
bool parses_to(std::string_view text, bool tls, std::string_view host, std::uint16_t port,
               std::string_view path, std::string_view printed) {
  auto url = parse_url(text);
  if (!url.is_ok()) {
    print_error("%.*s: %s\n", static_cast<int>(text.size()), text.data(),
                url.error().detail.c_str());
    return false;
  }
  const bool ok = url->tls == tls && url->host == host && url->port == port && url->path == path &&
                  url->to_string() == printed;
  if (!ok)
    print_error("%.*s -> %s (host %s, port %u, path %s)\n", static_cast<int>(text.size()),
                text.data(), url->to_string().c_str(), url->host.c_str(), url->port,
                url->path.c_str());
  return ok;
}

bool rejected(std::string_view text) {
  auto url = parse_url(text);
  if (url.is_ok()) {
    print_error("accepted %.*s\n", static_cast<int>(text.size()), text.data());
    return false;
  }
  return url.error().code == Errc::kInvalidArgument;
}

void test_default_ports(void** /*state*/) {
  assert_true(parses_to("https://login.live.com/RST.srf", true, "login.live.com", 443, "/RST.srf",
                        "https://login.live.com/RST.srf"));
  assert_true(parses_to("http://messenger.hotmail.com", false, "messenger.hotmail.com", 80, "/",
                        "http://messenger.hotmail.com/"));
  assert_true(parses_to("HTTPS://Omega.Contacts.MSN.com/abservice/abservice.asmx", true,
                        "omega.contacts.msn.com", 443, "/abservice/abservice.asmx",
                        "https://omega.contacts.msn.com/abservice/abservice.asmx"));
  assert_true(parses_to("https://example.net:443/x", true, "example.net", 443, "/x",
                        "https://example.net/x"));
  assert_true(parses_to("http://example.net:80", false, "example.net", 80, "/",
                        "http://example.net/"));
}

void test_explicit_ports_and_queries(void** /*state*/) {
  assert_true(parses_to("https://127.0.0.1:8443/RST.srf", true, "127.0.0.1", 8443, "/RST.srf",
                        "https://127.0.0.1:8443/RST.srf"));
  assert_true(parses_to("http://example.net:443/", false, "example.net", 443, "/",
                        "http://example.net:443/"));
  assert_true(parses_to("https://example.net:65535?a=b&c=d", true, "example.net", 65535,
                        "/?a=b&c=d", "https://example.net:65535/?a=b&c=d"));
  assert_true(parses_to("https://example.net/a/b?x=1#frag", true, "example.net", 443, "/a/b?x=1",
                        "https://example.net/a/b?x=1"));
  assert_true(parses_to("https://example.net/a/./b/../c", true, "example.net", 443, "/a/c",
                        "https://example.net/a/c"));
  assert_true(parses_to("https://example.net/Zo\xc3\xab", true, "example.net", 443, "/Zo%C3%AB",
                        "https://example.net/Zo%C3%AB"));
}

void test_ipv6_literals(void** /*state*/) {
  assert_true(parses_to("https://[::1]/RST.srf", true, "::1", 443, "/RST.srf",
                        "https://[::1]/RST.srf"));
  assert_true(parses_to("http://[2001:DB8::7]:1863/x", false, "2001:db8::7", 1863, "/x",
                        "http://[2001:db8::7]:1863/x"));
  assert_true(parses_to("https://[::ffff:192.0.2.1]", true, "::ffff:192.0.2.1", 443, "/",
                        "https://[::ffff:192.0.2.1]/"));
  assert_true(rejected("https://[::1/x"));
  assert_true(rejected("https://[]/x"));
  assert_true(rejected("https://[example.net]/x"));
  assert_true(rejected("https://[::1]x/"));
  assert_true(rejected("https://[fe80::1%25eth0]/"));
  assert_true(rejected("https://::1/"));
}

void test_rejected_urls(void** /*state*/) {
  assert_true(rejected(""));
  assert_true(rejected("login.live.com/RST.srf"));
  assert_true(rejected("/RST.srf"));
  assert_true(rejected("ftp://example.net/"));
  assert_true(rejected("javascript://x"));
  assert_true(rejected("https:/example.net"));
  assert_true(rejected("https://"));
  assert_true(rejected("https:///path"));
  assert_true(rejected("https://:443/"));
  assert_true(rejected("https://user:pass@example.net/"));
  assert_true(rejected("https://user@example.net/"));
  assert_true(rejected("https://example.net:/"));
  assert_true(rejected("https://example.net:0/"));
  assert_true(rejected("https://example.net:65536/"));
  assert_true(rejected("https://example.net:99999999999999999999/"));
  assert_true(rejected("https://example.net:-1/"));
  assert_true(rejected("https://example.net:8a/"));
  assert_true(rejected("https://example.net:443:443/"));
  assert_true(rejected("https://exa mple.net/"));
  assert_true(rejected("https://example.net/a b"));
  assert_true(rejected("https://example.net/a\r\nHost: evil"));
  assert_true(rejected(std::string_view("https://example.net/\0", 21)));
  assert_true(rejected("https://example.net/\x7f"));
  assert_true(rejected("https://ex\xc3\xa4mple.net/"));
}

void test_resolve_location(void** /*state*/) {
  auto base = parse_url("https://login.live.com/ppsecure/RST.srf?x=1");
  assert_true(base.is_ok());
  struct Case {
    const char* location;
    const char* want;
  };
  const Case cases[] = {
      {"https://login.live.com:8443/RST2.srf", "https://login.live.com:8443/RST2.srf"},
      {"http://other.example/", "http://other.example/"},
      {"//msnia.login.live.com/pp800/RST.srf", "https://msnia.login.live.com/pp800/RST.srf"},
      {"/pp800/RST.srf", "https://login.live.com/pp800/RST.srf"},
      {"RST2.srf", "https://login.live.com/ppsecure/RST2.srf"},
      {"../RST2.srf?y=2", "https://login.live.com/RST2.srf?y=2"},
      {"./a/../b", "https://login.live.com/ppsecure/b"},
      {"?y=2", "https://login.live.com/ppsecure/RST.srf?y=2"},
      {"#frag", "https://login.live.com/ppsecure/RST.srf?x=1"},
      {"/a/../../../b", "https://login.live.com/b"},
  };
  for (const Case& c : cases) {
    auto url = resolve_location(*base, c.location);
    if (!url.is_ok() || url->to_string() != c.want) {
      print_error("%s -> %s\n", c.location, url.is_ok() ? url->to_string().c_str() : "error");
      fail();
    }
  }
  for (const char* bad : {"", "ftp://example.net/", "mailto:x@example.net", "/a b",
                          "https://user@example.net/", "/x\r\nSet-Cookie: a=b"}) {
    auto url = resolve_location(*base, bad);
    assert_false(url.is_ok());
    assert_int_equal(static_cast<int>(url.error().code), static_cast<int>(Errc::kInvalidArgument));
  }
}

void test_join_service_url(void** /*state*/) {
  struct Case {
    const char* base;
    const char* path;
    const char* want;
  };
  const Case cases[] = {
      {"https://msn.example.net", "/RST.srf", "https://msn.example.net/RST.srf"},
      {"https://msn.example.net/", "/RST.srf", "https://msn.example.net/RST.srf"},
      {"https://msn.example.net", "RST.srf", "https://msn.example.net/RST.srf"},
      {"https://msn.example.net/prefix", "/RST.srf", "https://msn.example.net/prefix/RST.srf"},
      {"https://msn.example.net/prefix/", "/RST.srf", "https://msn.example.net/prefix/RST.srf"},
      {"https://msn.example.net/prefix//", "//RST.srf", "https://msn.example.net/prefix/RST.srf"},
      {"http://127.0.0.1:8080/p/", "abservice/abservice.asmx",
       "http://127.0.0.1:8080/p/abservice/abservice.asmx"},
      {"https://[::1]:8443", "/storage", "https://[::1]:8443/storage"},
  };
  for (const Case& c : cases) {
    auto url = join_service_url(c.base, c.path);
    if (!url.is_ok() || url->to_string() != c.want) {
      print_error("%s + %s -> %s\n", c.base, c.path,
                  url.is_ok() ? url->to_string().c_str() : url.error().detail.c_str());
      fail();
    }
  }
  for (const auto& [base, path] : {std::pair{"msn.example.net", "/RST.srf"},
                                   std::pair{"https://msn.example.net?x", "/RST.srf"},
                                   std::pair{"https://msn.example.net", "/a b"},
                                   std::pair{"https://u@msn.example.net", "/RST.srf"}}) {
    auto url = join_service_url(base, path);
    assert_false(url.is_ok());
    assert_int_equal(static_cast<int>(url.error().code), static_cast<int>(Errc::kInvalidArgument));
  }
}

void test_to_string_of_a_default_url(void** /*state*/) {
  Url url;
  url.host = "example.net";
  assert_bytes_equal(url.to_string(), "https://example.net/");
  url.tls = false;
  assert_bytes_equal(url.to_string(), "http://example.net:443/");
  url.port = 80;
  assert_bytes_equal(url.to_string(), "http://example.net/");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_ports),
      cmocka_unit_test(test_explicit_ports_and_queries),
      cmocka_unit_test(test_ipv6_literals),
      cmocka_unit_test(test_rejected_urls),
      cmocka_unit_test(test_resolve_location),
      cmocka_unit_test(test_join_service_url),
      cmocka_unit_test(test_to_string_of_a_default_url),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
