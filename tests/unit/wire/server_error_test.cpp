// SPDX-License-Identifier: GPL-2.0-or-later
// Classification of MSN numeric errors (docs/protocol/notification-server.md, "Error codes").
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <sstream>

#include "cmocka_cpp.h"
#include "wire/server_error.h"

namespace {

using msn::Errc;
using msn::wire::classify_server_error;
using msn::wire::server_error;
using msn::wire::ServerErrorClass;

void expect_class(std::initializer_list<int> codes, ServerErrorClass want) {
  for (int code : codes) {
    if (classify_server_error(code) != want) {
      print_error("code %d: class %d, expected %d\n", code,
                  static_cast<int>(classify_server_error(code)), static_cast<int>(want));
      fail();
    }
  }
}

void test_authentication(void** /*state*/) {
  expect_class({911, 917, 923, 924, 927, 928}, ServerErrorClass::kAuthentication);
}

void test_busy(void** /*state*/) {
  expect_class({500, 501, 600, 601, 602, 603, 604, 605,
                910, 912, 914, 915, 916, 918, 919, 921, 922},
               ServerErrorClass::kBusy);
}

void test_request_level(void** /*state*/) {
  expect_class({201, 203, 204, 205, 206, 207, 208, 209, 210, 215, 216, 217, 218, 219, 223, 224, 225,
                229, 230, 231, 240, 241, 280, 281, 502, 713, 800, 913},
               ServerErrorClass::kRequest);
}

void test_fatal(void** /*state*/) {
  expect_class({0, -1, 100, 200, 242, 300, 302, 510, 520, 540, 707, 710, 711, 712, 714, 715, 717,
                731, 920, 999, 1000},
               ServerErrorClass::kFatal);
}

void test_server_error_values(void** /*state*/) {
  {
    const msn::Error auth = server_error(911, "USR SSO S");
    assert_int_equal(static_cast<int>(auth.code), static_cast<int>(Errc::kAuth));
    assert_int_equal(auth.server_code, 911);
    assert_bytes_equal(auth.detail, "USR SSO S: server error 911");
  }
  {
    const msn::Error busy = server_error(600, "");
    assert_int_equal(static_cast<int>(busy.code), static_cast<int>(Errc::kServer));
    assert_int_equal(busy.server_code, 600);
    assert_bytes_equal(busy.detail, "server error 600");
  }
  {
    const msn::Error request = server_error(241, "ADL");
    assert_int_equal(static_cast<int>(request.code), static_cast<int>(Errc::kServer));
    assert_int_equal(request.server_code, 241);
  }
  {
    const msn::Error fatal = server_error(540, "QRY");
    assert_int_equal(static_cast<int>(fatal.code), static_cast<int>(Errc::kServer));
    assert_int_equal(fatal.server_code, 540);
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_authentication),
      cmocka_unit_test(test_busy),
      cmocka_unit_test(test_request_level),
      cmocka_unit_test(test_fatal),
      cmocka_unit_test(test_server_error_values),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
