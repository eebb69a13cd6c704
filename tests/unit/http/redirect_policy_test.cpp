// SPDX-License-Identifier: GPL-2.0-or-later
// is_same_service: which redirects may carry a request (password, tickets) on.
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <string>
#include <string_view>

#include "cmocka_cpp.h"
#include "http/url.h"

namespace {

using msn::http::is_same_service;
using msn::http::parse_url;
using msn::http::resolve_location;

struct Case {
  std::string_view origin;    // the configured service URL
  std::string_view location;  // what the service answered with (Location or psf:redirectUrl)
  bool follow;
};

// A location that does not even resolve is refused as well.
bool follows(const Case& c) {
  auto origin = parse_url(c.origin);
  if (!origin.is_ok()) return false;
  auto target = resolve_location(origin.value(), c.location);
  return target.is_ok() && is_same_service(origin.value(), target.value());
}

void check(const Case* cases, std::size_t count) {
  int wrong = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const Case& c = cases[i];
    if (follows(c) != c.follow) {
      print_error("%.*s -> %.*s: expected %s\n", static_cast<int>(c.origin.size()), c.origin.data(),
                  static_cast<int>(c.location.size()), c.location.data(),
                  c.follow ? "followed" : "refused");
      ++wrong;
    }
  }
  assert_int_equal(wrong, 0);
}

void test_historic_login_service(void** /*state*/) {
  constexpr Case kCases[] = {
      {"https://login.live.com/RST.srf", "https://login.live.com/RST2.srf", true},
      {"https://login.live.com/RST.srf", "https://msnia.login.live.com/pp550/RST.srf", true},
      {"https://login.live.com/RST.srf", "https://MSNIA.Login.Live.COM/pp550/RST.srf", true},
      {"https://login.live.com/RST.srf", "/RST2.srf", true},
      {"https://login.live.com/RST.srf", "RST2.srf", true},
      {"https://login.live.com/RST.srf", "//msnia.login.live.com/RST.srf", true},
      // Another host, a look-alike, a parent domain, a suffix without a dot boundary.
      {"https://login.live.com/RST.srf", "https://evil.example/RST.srf", false},
      {"https://login.live.com/RST.srf", "https://login.live.com.evil.example/RST.srf", false},
      {"https://login.live.com/RST.srf", "https://live.com/RST.srf", false},
      {"https://login.live.com/RST.srf", "https://evillogin.live.com/RST.srf", false},
      {"https://login.live.com/RST.srf", "//evil.example/RST.srf", false},
      // Down to plain text, even on the same host.
      {"https://login.live.com/RST.srf", "http://login.live.com/RST.srf", false},
      {"https://login.live.com/RST.srf", "http://msnia.login.live.com/RST.srf", false},
      // User-info tricks: the host is what follows '@', and user-info is refused anyway.
      {"https://login.live.com/RST.srf", "https://login.live.com@evil.example/", false},
      {"https://login.live.com/RST.srf", "https://login.live.com:443@evil.example/", false},
      {"https://login.live.com/RST.srf", "https://evil.example#@login.live.com/", false},
      {"https://login.live.com/RST.srf", "https://evil.example\\@login.live.com/", false},
      // Another port on the right host is another service.
      {"https://login.live.com/RST.srf", "https://login.live.com:8443/RST.srf", false},
      {"https://login.live.com/RST.srf", "https://login.live.com:443/RST.srf", true},
      // Other schemes.
      {"https://login.live.com/RST.srf", "ftp://login.live.com/RST.srf", false},
      {"https://login.live.com/RST.srf", "javascript:alert(1)", false},
  };
  check(kCases, std::size(kCases));
}

void test_configured_revival_service(void** /*state*/) {
  constexpr Case kCases[] = {
      {"https://msn.example.net:8443/RST.srf", "https://msn.example.net:8443/RST2.srf", true},
      {"https://msn.example.net:8443/RST.srf", "/login/RST.srf", true},
      {"https://msn.example.net:8443/RST.srf", "https://login.msn.example.net:8443/RST.srf", true},
      {"https://msn.example.net:8443/RST.srf", "https://msn.example.net/RST.srf", false},
      {"https://msn.example.net:8443/RST.srf", "https://example.net:8443/RST.srf", false},
      {"https://msn.example.net:8443/RST.srf", "https://login.live.com/RST.srf", false},
      {"https://Msn.Example.Net:8443/RST.srf", "https://MSN.EXAMPLE.NET:8443/x", true},
  };
  check(kCases, std::size(kCases));
}

void test_ip_literals(void** /*state*/) {
  constexpr Case kCases[] = {
      {"https://127.0.0.1:8443/RST.srf", "https://127.0.0.1:8443/RST2.srf", true},
      {"https://127.0.0.1:8443/RST.srf", "/RST2.srf", true},
      {"https://127.0.0.1:8443/RST.srf", "https://localhost:8443/RST2.srf", false},
      {"https://127.0.0.1:8443/RST.srf", "https://127.0.0.2:8443/RST2.srf", false},
      {"https://127.0.0.1:8443/RST.srf", "https://10.127.0.0.1:8443/RST2.srf", false},
      {"https://127.0.0.1:8443/RST.srf", "https://x.127.0.0.1:8443/RST2.srf", false},
      {"https://[::1]:8443/RST.srf", "https://[::1]:8443/RST2.srf", true},
      {"https://[::1]:8443/RST.srf", "https://[0::1]:8443/RST2.srf", false},
      {"https://[::1]:8443/RST.srf", "https://127.0.0.1:8443/RST2.srf", false},
      {"https://localhost:8443/RST.srf", "https://127.0.0.1:8443/RST2.srf", false},
  };
  check(kCases, std::size(kCases));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_historic_login_service),
      cmocka_unit_test(test_configured_revival_service),
      cmocka_unit_test(test_ip_literals),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
