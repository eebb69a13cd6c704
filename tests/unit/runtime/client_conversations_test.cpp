// SPDX-License-Identifier: GPL-2.0-or-later
// The Client with conversations wired in: XFR SB on the notification server (and its
// deadline), RNG, switchboard connections routed to the conversation manager, offline-message
// web calls routed back to it, and undelivered messages reported at sign-out and on a lost
// connection; and the contact-list lookup the plugin reads (the reverse list). The sign-in is
// answered leniently (whatever the NS asks, the usual answer), so these tests are about
// conversations, not about the exact sign-in script.
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "runtime/client.h"
#include "support/event_queue.h"
#include "support/fake_clock.h"
#include "support/lenient_sign_in.h"
#include "cmocka_cpp.h"

namespace {

using msn::ConnectionId;
using msn::Errc;
namespace ev = msn::ev;
namespace out = msn::out;
using msn::test::first_line;
using msn::test::hotmail_msg;
using msn::test::http_response;
using msn::test::words;

constexpr std::string_view kCookie = "1719378131.1225456";

msn::Settings test_settings() {
  msn::Settings settings;
  settings.account = "alice@example.com";
  settings.password = "s3cr3t-Passw0rd";
  settings.server = "dispatch.example.net";
  settings.web_services_url = "https://msn.example.net";
  return settings;
}


std::string peer_text(std::string_view text) {
  const std::string payload = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n" + std::string(text);
  return "MSG bob@example.com Bob " + std::to_string(payload.size()) + "\r\n" + payload;
}


class Harness : public msn::test::EventQueue<msn::Event>, public msn::test::OutputQueue {
 public:
  Harness() : client_(test_settings()) {
    client_.set_random_source([](std::size_t n) -> msn::Result<std::string> { return std::string(n, '\x07'); });
  }

  msn::Client& client() { return client_; }
  msn::TimePoint now() const { return now_; }

  // Signs in, answering every NS command and web call of the sign-in the usual way.
  void sign_in() {
    client_.start(now_);
    collect();
    for (int step = 0; step < 400 && !signed_in_; ++step) {
      if (!has_output()) fail_msg("sign-in stalled");
      serve(pop());
    }
    if (!signed_in_) fail_msg("not signed in");
    // Whatever the sign-in still wrote after going online is answered too.
    while (has_output()) serve(pop());
  }

  void feed(ConnectionId conn, std::string_view bytes) {
    client_.on_data(conn, bytes, now_);
    collect();
  }
  void connected(ConnectionId conn) {
    client_.on_connected(conn, now_);
    collect();
  }
  void closed(ConnectionId conn) {
    client_.on_closed(conn, msn::make_error(Errc::kTransport, "test"), now_);
    collect();
  }
  void advance(msn::Duration by) {
    msn::test::advance_clock(client_, now_, by);
    collect();
  }

  ConnectionId ns() const { return ns_; }

  ConnectionId expect_connect(std::string_view host, bool tls) {
    const out::Connect connect = expect_connect_to(host);
    assert_int_equal(connect.tls, tls);
    return connect.conn;
  }
  // The NS's next line must be "XFR n SB"; returns n.
  std::string expect_xfr() {
    const auto parts = words(first_line(expect_send(ns_)));
    assert_int_equal(parts.size(), 3);
    assert_bytes_equal(parts[0], "XFR");
    assert_bytes_equal(parts[2], "SB");
    return parts[1];
  }
  // A web call: connect, take the request, answer it; returns the request.
  std::string web_exchange(int status, std::string_view body) {
    const ConnectionId web = expect_connect("msn.example.net", true);
    connected(web);
    std::string request = expect_send(web);
    feed(web, http_response(status, body));
    expect_close(web);
    return request;
  }

  // Tests that call the Client directly collect what it produced themselves.
  void collect() {
    keep_outputs(client_.take_outputs());
    auto events = client_.take_events();
    for (const auto& event : events) {
      if (std::holds_alternative<ev::SignedIn>(event)) signed_in_ = true;
      if (auto* log = std::get_if<ev::Log>(&event)) failure_note_ += log->text + "\n";
    }
    keep_events(std::move(events));
  }

 private:
  void serve(msn::Output output) {
    if (auto* connect = std::get_if<out::Connect>(&output)) {
      if (!connect->tls) ns_ = connect->conn;
      connected(connect->conn);
      return;
    }
    auto* send = std::get_if<out::Send>(&output);
    if (send == nullptr) return;  // a Close
    if (send->conn != ns_) return serve_web(send->conn, send->bytes);
    const std::string answer = msn::test::lenient_sign_in_answer(send->bytes);
    if (!answer.empty()) feed(ns_, answer);
  }

  void serve_web(ConnectionId conn, const std::string& request) {
    std::string body;
    if (request.find("POST /RST.srf") == 0) {
      body = msn::test::read_data_file("vectors/rst-response.xml");
    } else if (request.find("ABFindAll") != std::string::npos) {
      body = msn::test::read_data_file("vectors/abfindall-response.xml");
    } else if (request.find("FindMembership") != std::string::npos) {
      body = msn::test::read_data_file("vectors/findmembership-response.xml");
    } else {
      fail_msg("unexpected web request during sign-in: %s", first_line(request).c_str());
    }
    feed(conn, http_response(200, body));
  }

  msn::Client client_;
  msn::TimePoint now_{};
  ConnectionId ns_ = 0;
  bool signed_in_ = false;
};

using msn::test::fixture;
Harness& fx(void** state) { return fixture<Harness>(state); }

void bob_online(Harness& h) { h.feed(h.ns(), "NLN NLN bob@example.com 1 Bob 0\r\n"); }

// A message typed to Bob and the switchboard request it caused.
struct TypedMessage {
  msn::ConversationId conversation;
  std::string xfr_trid;
};

// The start every sending test shares: signed in, Bob online, no event pending, a message to
// Bob typed; the engine has just asked the NS for a switchboard.
TypedMessage sign_in_and_message_bob(Harness& h, std::string_view text) {
  h.sign_in();
  bob_online(h);
  h.take_all();
  auto id = h.client().send_message("bob@example.com", text, h.now());
  h.collect();
  assert_true(id.is_ok());
  return {id.value(), h.expect_xfr()};
}

void test_message_over_a_switchboard_from_xfr(void** state) {
  auto& h = fx(state);
  const TypedMessage typed = sign_in_and_message_bob(h, "Hi Bob!");
  h.feed(h.ns(), "XFR " + typed.xfr_trid + " SB 198.51.100.20:1863 CKI " + std::string(kCookie) + " U messenger.msn.com 1\r\n");
  const ConnectionId sb = h.expect_connect("198.51.100.20", false);
  h.connected(sb);
  assert_bytes_equal(h.expect_send(sb), "USR 1 alice@example.com " + std::string(kCookie) + "\r\n");
  h.feed(sb, "USR 1 OK alice@example.com Alice\r\n");
  assert_bytes_equal(h.expect_send(sb), "CAL 2 bob@example.com\r\n");
  h.feed(sb, "CAL 2 RINGING 11752013\r\nJOI bob@example.com Bob 0\r\n");
  const std::string msg = h.expect_send(sb);
  assert_true(msg.rfind("MSG 3 A ", 0) == 0);
  assert_true(msg.find("\r\n\r\nHi Bob!") != std::string::npos);
  h.feed(sb, "ACK 3\r\n");
  h.feed(sb, peer_text("hello!!"));
  const auto received = h.take<ev::MessageReceived>();
  assert_int_equal(received.size(), 1);
  assert_int_equal(received[0].conversation, typed.conversation);
  assert_bytes_equal(received[0].html, "hello!!");
  assert_true(h.take<ev::MessageFailed>().empty());
  assert_true(h.all_logs().find(std::string(kCookie)) == std::string::npos);
}

void test_unanswered_xfr_times_out_without_ending_the_session(void** state) {
  auto& h = fx(state);
  sign_in_and_message_bob(h, "hello?");
  h.advance(msn::seconds(31));  // the NS never answers: the request times out, and is asked again
  h.expect_xfr();
  assert_true(h.take<ev::MessageFailed>().empty());
  h.advance(msn::seconds(31));
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kTimedOut);
  assert_bytes_equal(failed[0].html, "hello?");
  assert_true(h.take<ev::Disconnected>().empty());
  assert_false(h.client().finished());
  // An answer that comes after all is not used.
  h.drop_outputs();
  h.feed(h.ns(), "XFR 99 SB 198.51.100.20:1863 CKI abc U messenger.msn.com 1\r\n");
  assert_false(h.has_output());
}

void test_refused_xfr_is_retried_then_reported(void** state) {
  auto& h = fx(state);
  const TypedMessage typed = sign_in_and_message_bob(h, "x");
  h.feed(h.ns(), "913 " + typed.xfr_trid + "\r\n");
  h.feed(h.ns(), "913 " + h.expect_xfr() + "\r\n");
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].error.server_code, 913);
  assert_false(h.client().finished());
}

void test_invitation_from_the_ns(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.take_all();
  h.feed(h.ns(), "RNG 11752013 198.51.100.20:1863 CKI 849102291.520491113 bob@example.com Bob U messenger.msn.com 1\r\n");
  const ConnectionId sb = h.expect_connect("198.51.100.20", false);
  h.connected(sb);
  assert_bytes_equal(h.expect_send(sb), "ANS 1 alice@example.com 849102291.520491113 11752013\r\n");
  h.feed(sb, "IRO 1 1 1 bob@example.com Bob 0\r\nANS 1 OK\r\n");
  h.feed(sb, peer_text("hey"));
  const auto received = h.take<ev::MessageReceived>();
  assert_int_equal(received.size(), 1);
  assert_bytes_equal(received[0].from, "bob@example.com");
  assert_true(h.all_logs().find("849102291") == std::string::npos);
}

void test_sign_out_reports_pending_messages(void** state) {
  auto& h = fx(state);
  sign_in_and_message_bob(h, "never sent");
  h.client().sign_out(h.now());
  h.collect();
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kSignedOut);
  assert_bytes_equal(failed[0].html, "never sent");
}

void test_lost_connection_reports_before_disconnected(void** state) {
  auto& h = fx(state);
  sign_in_and_message_bob(h, "in flight");
  h.closed(h.ns());
  const auto events = h.take_all();
  int failed_at = -1;
  int disconnected_at = -1;
  for (int i = 0; i < static_cast<int>(events.size()); ++i) {
    if (auto* f = std::get_if<ev::MessageFailed>(&events[i])) {
      assert_int_equal(f->reason, ev::DeliveryFailure::kConnectionLost);
      failed_at = i;
    }
    if (std::holds_alternative<ev::Disconnected>(events[i])) disconnected_at = i;
  }
  assert_true(failed_at >= 0);
  assert_true(disconnected_at > failed_at);
}

// The keep-alive finds the notification server gone in the same tick in which the message's
// switchboard gives up connecting: the message is reported as lost with the connection, not
// as refused by the dead session it would otherwise be retried against.
void test_message_waiting_when_ns_dies_is_connection_lost(void** state) {
  auto& h = fx(state);
  h.sign_in();
  bob_online(h);
  h.advance(msn::seconds(51));  // the keep-alive PNG goes out; the server will not answer it
  h.take_all();
  h.drop_outputs();
  auto id = h.client().send_message("bob@example.com", "lost?", h.now());
  h.collect();
  assert_true(id.is_ok());
  const std::string trid = h.expect_xfr();
  h.feed(h.ns(), "XFR " + trid + " SB 198.51.100.20:1863 CKI " + std::string(kCookie) +
                     " U messenger.msn.com 1\r\n");
  h.expect_connect("198.51.100.20", false);  // never completes
  h.advance(msn::seconds(45));  // no QNG: the session ends; the switchboard connect timed out
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kConnectionLost);
  assert_int_equal(h.take<ev::Disconnected>().size(), 1);
}

// Get Info's "has you on their contact list": the reverse list from FindMembership, then the
// server's ADL 0 / RML 0 (someone added or removed us) as they come.
void test_reverse_list_lookup(void** state) {
  auto& h = fx(state);
  h.sign_in();
  assert_true(h.client().has_us_on_their_list("bob@example.com"));
  assert_true(h.client().has_us_on_their_list("Carol@Example.NET"));
  assert_false(h.client().has_us_on_their_list("erin@example.com"));  // on no list
  assert_false(h.client().has_us_on_their_list(""));
  h.feed(h.ns(),
         "ADL 0 73\r\n<ml l=\"1\"><d n=\"example.com\"><c n=\"erin\" l=\"8\" t=\"1\" f=\"Erin\" "
         "/></d></ml>");
  assert_true(h.client().has_us_on_their_list("erin@example.com"));
  // carol removed us: still on our forward list, no longer on the reverse list.
  h.feed(h.ns(), "RML 0 59\r\n<ml><d n=\"example.net\"><c n=\"carol\" l=\"8\" t=\"1\" /></d></ml>");
  assert_false(h.client().has_us_on_their_list("carol@example.net"));
}

}  // namespace

int main() {
#define CASE(name) MSN_OWNED_TEST(name, Harness)
  const struct CMUnitTest tests[] = {
      CASE(test_message_over_a_switchboard_from_xfr),
      CASE(test_unanswered_xfr_times_out_without_ending_the_session),
      CASE(test_refused_xfr_is_retried_then_reported),
      CASE(test_invitation_from_the_ns),
      CASE(test_sign_out_reports_pending_messages),
      CASE(test_lost_connection_reports_before_disconnected),
      CASE(test_message_waiting_when_ns_dies_is_connection_lost),
      CASE(test_reverse_list_lookup),
  };
#undef CASE
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
