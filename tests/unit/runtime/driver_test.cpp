// SPDX-License-Identifier: GPL-2.0-or-later
// The Driver against fake ports: outputs reach the transport before events reach the sink,
// the single timer follows the engine's deadline, and a sink that destroys the Driver from
// inside an event is safe.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "runtime/driver.h"
#include "cmocka_cpp.h"

namespace {

struct Fixture;

class FakeTransport : public msn::Transport {
 public:
  void connect(const msn::out::Connect& request) override { log.push_back("connect " + request.host); }
  void send(msn::ConnectionId, std::string_view bytes) override {
    if (throw_on_send) throw std::runtime_error("send failed");
    log.push_back("send " + std::string(bytes));
  }
  void close(msn::ConnectionId) override { log.push_back("close"); }
  std::vector<std::string> log;
  bool throw_on_send = false;
};

class ManualScheduler : public msn::Scheduler {
 public:
  msn::TimePoint now() override { return now_; }
  void arm(std::optional<msn::TimePoint> deadline) override { armed = deadline; }
  msn::TimePoint now_{};
  std::optional<msn::TimePoint> armed;
};

class RecordingSink : public msn::EventSink {
 public:
  void on_event(msn::Event event) override {
    if (throw_once) {
      throw_once = false;
      throw std::runtime_error("sink failed");
    }
    if (std::holds_alternative<msn::ev::Disconnected>(event)) {
      disconnected = true;
      if (on_disconnect) on_disconnect();
    }
  }
  bool disconnected = false;
  std::function<void()> on_disconnect;
  bool throw_once = false;
};

msn::Settings settings() {
  msn::Settings s;
  s.account = "alice@example.com";
  s.password = "pw";
  s.server = "ns.example.net";
  return s;
}

struct Fixture {
  FakeTransport transport;
  ManualScheduler scheduler;
  RecordingSink sink;
  std::unique_ptr<msn::Driver> driver =
      std::make_unique<msn::Driver>(settings(), transport, scheduler, sink);
};

// Owned through *state (CMocka fixture rule): a fresh Fixture per test.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture* fx(void** state) { return &msn::test::fixture<Fixture>(state); }

void test_start_connects_and_arms_timer(void** state) {
  Fixture* f = fx(state);
  f->driver->start();
  assert_int_equal(f->transport.log.size(), 1);
  assert_bytes_equal(f->transport.log[0], "connect ns.example.net");
  assert_true(f->scheduler.armed.has_value());  // the connect timeout
  f->driver->connected(1);
  assert_bytes_equal(f->transport.log.back(), "send VER 1 MSNP15 CVR0\r\n");
}

void test_timer_fires_timeout(void** state) {
  Fixture* f = fx(state);
  f->driver->start();
  f->scheduler.now_ = *f->scheduler.armed;
  f->driver->timer_fired();
  assert_true(f->sink.disconnected);
  assert_bytes_equal(f->transport.log.back(), "close");
  assert_false(f->scheduler.armed.has_value());
}

void test_sink_may_destroy_driver(void** state) {
  Fixture* f = fx(state);
  f->sink.on_disconnect = [f] { f->driver.reset(); };
  f->driver->start();
  f->driver->connected(1);
  f->driver->received(1, "OUT OTH\r\nVER 1 MSNP15\r\n");  // the rest after OUT is never read
  assert_true(f->sink.disconnected);
  assert_null(f->driver.get());
}

void test_late_reports_are_ignored(void** state) {
  Fixture* f = fx(state);
  f->driver->start();
  f->driver->connected(1);
  f->driver->closed(1, msn::make_error(msn::Errc::kTransport, "eof"));
  assert_true(f->sink.disconnected);
  const auto sent = f->transport.log.size();
  f->driver->received(1, "VER 1 MSNP15\r\n");
  f->driver->closed(1, msn::make_error(msn::Errc::kTransport, "eof"));
  f->driver->received(77, "garbage");
  assert_int_equal(f->transport.log.size(), sent);
}

// An exception escaping the sink (the plugin turns it into a disconnect) must leave the Driver
// usable: the sign-out that follows still reaches the engine and closes the connection.
void test_exception_leaves_driver_usable(void** state) {
  Fixture* f = fx(state);
  f->sink.throw_once = true;
  bool thrown = false;
  try {
    f->driver->start();  // connects, and tells the sink how far the sign-in is
  } catch (const std::runtime_error&) {
    thrown = true;
  }
  assert_true(thrown);
  assert_bytes_equal(f->transport.log.back(), "connect ns.example.net");
  f->driver->sign_out();
  assert_bytes_equal(f->transport.log.back(), "close");
}

// The same when a port throws while the engine's outputs are carried out.
void test_exception_from_transport_leaves_driver_usable(void** state) {
  Fixture* f = fx(state);
  f->transport.throw_on_send = true;
  f->driver->start();
  bool thrown = false;
  try {
    f->driver->connected(1);  // sends VER
  } catch (const std::runtime_error&) {
    thrown = true;
  }
  assert_true(thrown);
  f->transport.throw_on_send = false;
  f->driver->sign_out();
  assert_bytes_equal(f->transport.log.back(), "close");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_start_connects_and_arms_timer, setup, teardown),
      cmocka_unit_test_setup_teardown(test_timer_fires_timeout, setup, teardown),
      cmocka_unit_test_setup_teardown(test_sink_may_destroy_driver, setup, teardown),
      cmocka_unit_test_setup_teardown(test_late_reports_are_ignored, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exception_leaves_driver_usable, setup, teardown),
      cmocka_unit_test_setup_teardown(test_exception_from_transport_leaves_driver_usable, setup,
                                      teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
