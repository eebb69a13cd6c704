// SPDX-License-Identifier: GPL-2.0-or-later
// Offline messages with a refused ticket (docs/protocol/notification-server.md,
// offline-messages.md), through the whole Client: the Store2 or rsi call that finds the ticket
// expired waits for one RST.srf renewal by the notification session, then runs once more with the
// fresh ticket; a second refusal (or a failed renewal) ends it as before. The sign-in is answered
// leniently; every web request after it is answered by the test.
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/client.h"
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

constexpr std::string_view kWebHost = "msn.example.net";
constexpr std::string_view kCarol = "carol@example.net";  // on the list, reported offline
// Every ticket of the sign-in's RST document starts with kOldTicket; the renewal's document
// has them all start with kNewTicket instead.
constexpr std::string_view kOldTicket = "t0k3nAbCdEf";
constexpr std::string_view kNewTicket = "r3n3wAbCdEf";
constexpr std::string_view kStoreAction = "http://messenger.live.com/ws/2006/09/oim/Store2";
constexpr std::string_view kRsiNs = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi";
constexpr std::string_view kLockKey = "15afbac39c56a0b56001e32af423f912";  // of the challenge below

msn::Settings test_settings() {
  msn::Settings settings;
  settings.account = "alice@example.com";
  settings.password = "s3cr3t-Passw0rd";
  settings.server = "ns.example.net";
  settings.web_services_url = "https://msn.example.net";
  return settings;
}



std::string rst_document() { return msn::test::read_data_file("vectors/rst-response.xml"); }

std::string renewed_rst_document() {
  std::string doc = rst_document();
  for (auto at = doc.find(kOldTicket); at != std::string::npos; at = doc.find(kOldTicket, at))
    doc.replace(at, kOldTicket.size(), kNewTicket);
  return doc;
}

std::string envelope(const std::string& body) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>" +
         body + "</soap:Body></soap:Envelope>";
}

// The faults as the local server (tests/server/msnp_server/oim.py) sends them.
const std::string kExpiredStoreFault = envelope(
    "<soap:Fault><faultcode xmlns:q0=\"http://messenger.msn.com/ws/2004/09/oim/\">q0:AuthenticationFailed</faultcode>"
    "<faultstring>Exception of type 'System.Web.Services.Protocols.SoapException' was thrown.</faultstring>"
    "<faultactor>https://ows.messenger.msn.com/OimWS/oim.asmx</faultactor><detail>"
    "<TweenerChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">ct=1,rver=5.5.4177.0</TweenerChallenge>"
    "<RequiredAuthPolicy xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">MBI_SSL</RequiredAuthPolicy>"
    "</detail></soap:Fault>");
const std::string kLockKeyFault = envelope(
    "<soap:Fault><faultcode xmlns:q0=\"http://messenger.msn.com/ws/2004/09/oim/\">q0:AuthenticationFailed</faultcode>"
    "<faultstring>x</faultstring><detail>"
    "<TweenerChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">tw</TweenerChallenge>"
    "<LockKeyChallenge xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\">29409134351025259292</LockKeyChallenge>"
    "</detail></soap:Fault>");
const std::string kStored = envelope("<StoreResponse xmlns=\"http://messenger.msn.com/ws/2004/09/oim/\" />");
const std::string kExpiredRsiFault = envelope(
    "<soap:Fault><faultcode xmlns:q0=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\">q0:AuthenticationFailed"
    "</faultcode><faultstring>PassportCookie is not a valid messenger.msn.com ticket</faultstring></soap:Fault>");
const std::string kDeleted = envelope("<DeleteMessagesResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\" />");

// "Hello Alice" from Bob, as GetMessage returns it (the mail's < > are escaped in the XML).
const std::string kGetMessageAnswer = envelope(
    "<GetMessageResponse xmlns=\"http://www.hotmail.msn.com/ws/2004/09/oim/rsi\"><GetMessageResult>"
    "From: =?utf-8?B?Qm9i?= &lt;bob@example.com&gt;\nTo: alice@example.com\nMIME-Version: 1.0\n"
    "Content-Type: text/plain; charset=UTF-8\nContent-Transfer-Encoding: base64\n"
    "X-OIM-Run-Id: {6E1A0C3B-2D4F-4A5B-8C9D-0E1F2A3B4C5D}\nX-OIM-Sequence-Num: 1\n"
    "Date: 01 Jun 2008 04:00:00 -0800\n\nSGVsbG8gQWxpY2U=\n"
    "</GetMessageResult></GetMessageResponse>");

std::string oim_notification(std::string_view id) {
  return hotmail_msg(
      "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsoimnotification; charset=UTF-8\r\n\r\n"
      "Mail-Data: <MD><M><T>11</T><S>6</S><RT>2008-06-01T12:00:00Z</RT><RS>0</RS><SZ>880</SZ>"
      "<E>bob@example.com</E><I>" + std::string(id) + "</I><F>00000000-0000-0000-0000-000000000009</F>"
      "<N>=?utf-8?B?Qm9i?=</N></M></MD>\r\n");
}

// A web request the engine made after the sign-in.
struct WebRequest {
  ConnectionId conn = 0;
  std::string bytes;

  bool has(std::string_view text) const { return bytes.find(text) != std::string::npos; }
  bool is_rst() const { return bytes.rfind("POST /RST.srf ", 0) == 0; }
  bool is_store() const { return has(kStoreAction); }
  bool is_rsi(std::string_view operation) const { return has(std::string(kRsiNs) + "/" + std::string(operation)); }
  bool old_ticket() const { return has(kOldTicket) && !has(kNewTicket); }
  bool new_ticket() const { return has(kNewTicket) && !has(kOldTicket); }
};

class Harness {
 public:
  Harness() : client_(test_settings()) {
    client_.set_random_source([](std::size_t n) -> msn::Result<std::string> { return std::string(n, '\x07'); });
  }

  msn::Client& client() { return client_; }

  // Signs in, answering every NS command and web call of the sign-in the usual way.
  void sign_in() {
    client_.start(now_);
    collect();
    for (int step = 0; step < 400 && !signed_in_; ++step) {
      if (outputs_.empty()) fail_msg("sign-in stalled");
      serve(pop());
    }
    if (!signed_in_) fail_msg("not signed in");
    while (!outputs_.empty()) serve(pop());
    events_.clear();
  }

  void send_offline(std::string_view text) {
    // Only a known offline presence makes a message an offline message.
    feed_ns("FLN " + std::string(kCarol) + " 1\r\n");
    assert_true(client_.send_message(kCarol, text, now_).is_ok());
    collect();
  }
  void feed_ns(std::string_view bytes) { feed(ns_, bytes); }

  // Opens every web connection the engine asked for and returns the requests sent on them,
  // in order; the NS lines written meanwhile are dropped (there are none in these tests).
  std::vector<WebRequest> web_requests() {
    std::vector<WebRequest> requests;
    while (!outputs_.empty()) {
      msn::Output output = pop();
      if (auto* connect = std::get_if<out::Connect>(&output)) {
        assert_bytes_equal(connect->host, kWebHost);
        assert_true(connect->tls);
        connected(connect->conn);
      } else if (auto* send = std::get_if<out::Send>(&output)) {
        if (send->conn != ns_) requests.push_back(WebRequest{send->conn, send->bytes});
      }
    }
    return requests;
  }
  WebRequest one_request() {
    auto requests = web_requests();
    if (requests.size() != 1) fail_msg("expected one web request, got %zu", requests.size());
    return requests[0];
  }
  void answer(const WebRequest& request, int status, std::string_view body) {
    feed(request.conn, http_response(status, body));
  }

  template <typename T>
  std::vector<T> take() {
    std::vector<T> found;
    std::vector<msn::Event> rest;
    for (auto& event : events_) {
      if (auto* e = std::get_if<T>(&event)) {
        found.push_back(*e);
      } else {
        rest.push_back(std::move(event));
      }
    }
    events_ = std::move(rest);
    return found;
  }
  const std::string& logs() const { return logs_; }

 private:
  void feed(ConnectionId conn, std::string_view bytes) {
    client_.on_data(conn, bytes, now_);
    collect();
  }
  void connected(ConnectionId conn) {
    client_.on_connected(conn, now_);
    collect();
  }
  void collect() {
    for (auto& output : client_.take_outputs()) outputs_.push_back(std::move(output));
    for (auto& event : client_.take_events()) {
      if (std::holds_alternative<ev::SignedIn>(event)) signed_in_ = true;
      if (auto* log = std::get_if<ev::Log>(&event)) logs_ += log->text + "\n";
      events_.push_back(std::move(event));
    }
  }
  msn::Output pop() {
    if (outputs_.empty()) fail_msg("expected an output; log:\n%s", logs_.c_str());
    msn::Output output = std::move(outputs_.front());
    outputs_.pop_front();
    return output;
  }

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
    if (request.rfind("POST /RST.srf", 0) == 0) {
      body = rst_document();
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
  std::deque<msn::Output> outputs_;
  std::vector<msn::Event> events_;
  std::string logs_;
};

using msn::test::fixture;
Harness& fx(void** state) { return fixture<Harness>(state); }

// No ticket (old or new) in the debug log.
void assert_no_tickets_logged(const Harness& h) {
  assert_true(h.logs().find(kOldTicket) == std::string::npos);
  assert_true(h.logs().find(kNewTicket) == std::string::npos);
}

// The first Store2 gets the LockKey challenge, the answered one finds the ticket expired: one
// renewal, then the new ticket's own LockKey challenge, and the message is stored.
void test_expired_store_renews_and_retries(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.send_offline("see you later");
  const WebRequest first = h.one_request();
  assert_true(first.is_store());
  assert_true(first.old_ticket());
  assert_true(first.has("lockkey=\"\""));
  h.answer(first, 500, kLockKeyFault);
  const WebRequest keyed = h.one_request();
  assert_true(keyed.is_store() && keyed.old_ticket());
  assert_true(keyed.has("lockkey=\"" + std::string(kLockKey) + "\""));
  h.answer(keyed, 500, kExpiredStoreFault);
  // Not failed: renewing, with the same RST.srf request as at sign-in.
  const WebRequest rst = h.one_request();
  assert_true(rst.is_rst());
  assert_true(rst.has("s3cr3t-Passw0rd"));
  assert_true(h.take<ev::MessageFailed>().empty());
  assert_true(h.take<ev::MessageStoredOffline>().empty());
  h.answer(rst, 200, renewed_rst_document());
  const WebRequest retry = h.one_request();
  assert_true(retry.is_store());
  assert_true(retry.new_ticket());
  assert_true(retry.has("<MessageNumber>1</MessageNumber>"));
  h.answer(retry, 500, kLockKeyFault);  // a lock key belongs to its ticket
  const WebRequest last = h.one_request();
  assert_true(last.is_store() && last.new_ticket());
  assert_true(last.has("lockkey=\"" + std::string(kLockKey) + "\""));
  h.answer(last, 200, kStored);
  const auto stored = h.take<ev::MessageStoredOffline>();
  assert_int_equal(stored.size(), 1);
  assert_bytes_equal(stored[0].to, kCarol);
  assert_true(h.take<ev::MessageFailed>().empty());
  assert_int_equal(h.web_requests().size(), 0);
  // The next message goes with the fresh ticket and its lock key at once.
  h.send_offline("and again");
  const WebRequest next = h.one_request();
  assert_true(next.is_store() && next.new_ticket());
  assert_true(next.has("lockkey=\"" + std::string(kLockKey) + "\""));
  assert_true(next.has("<MessageNumber>2</MessageNumber>"));
  assert_no_tickets_logged(h);
}

// Refused with the fresh ticket too: reported as before, and no second renewal.
void test_store_expired_twice_fails(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.send_offline("not today");
  const WebRequest first = h.one_request();
  h.answer(first, 500, kExpiredStoreFault);
  const WebRequest rst = h.one_request();
  assert_true(rst.is_rst());
  h.answer(rst, 200, renewed_rst_document());
  const WebRequest retry = h.one_request();
  assert_true(retry.is_store() && retry.new_ticket());
  assert_true(h.take<ev::MessageFailed>().empty());
  h.answer(retry, 500, kExpiredStoreFault);
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kOfflineFailed);
  assert_int_equal(failed[0].error.code, Errc::kAuth);
  assert_bytes_equal(failed[0].html, "not today");
  assert_true(h.take<ev::MessageStoredOffline>().empty());
  assert_int_equal(h.web_requests().size(), 0);
  assert_false(h.client().finished());
  assert_no_tickets_logged(h);
}

// The renewal itself fails: the waiting message fails, the session goes on.
void test_failed_renewal_fails_the_store(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.send_offline("later");
  h.answer(h.one_request(), 500, kExpiredStoreFault);
  const WebRequest rst = h.one_request();
  assert_true(rst.is_rst());
  h.answer(rst, 500, "<html>down</html>");
  const auto failed = h.take<ev::MessageFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].reason, ev::DeliveryFailure::kOfflineFailed);
  assert_int_equal(h.web_requests().size(), 0);
  assert_false(h.client().finished());
}

// GetMessage refused: renewed, fetched again with the new cookie, shown, then deleted with it.
void test_expired_get_message_renews_then_shows_and_deletes(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.feed_ns(oim_notification("ID-1"));
  const WebRequest get = h.one_request();
  assert_true(get.is_rsi("GetMessage"));
  assert_true(get.old_ticket());
  h.answer(get, 500, kExpiredRsiFault);
  const WebRequest rst = h.one_request();
  assert_true(rst.is_rst());
  assert_true(h.take<ev::MessageReceived>().empty());
  h.answer(rst, 200, renewed_rst_document());
  const WebRequest retry = h.one_request();
  assert_true(retry.is_rsi("GetMessage"));
  assert_true(retry.has("<messageId>ID-1</messageId>"));
  assert_true(retry.new_ticket());
  h.answer(retry, 200, kGetMessageAnswer);
  const auto received = h.take<ev::MessageReceived>();
  assert_int_equal(received.size(), 1);
  assert_bytes_equal(received[0].from, "bob@example.com");
  assert_bytes_equal(received[0].html, "Hello Alice");
  assert_true(received[0].offline);
  const WebRequest del = h.one_request();
  assert_true(del.is_rsi("DeleteMessages"));
  assert_true(del.has("<messageId>ID-1</messageId>"));
  assert_true(del.new_ticket());
  h.answer(del, 200, kDeleted);
  assert_int_equal(h.web_requests().size(), 0);
  assert_no_tickets_logged(h);
}

// GetMessage refused twice: not shown, and so not deleted.
void test_get_message_expired_twice_is_left_on_the_server(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.feed_ns(oim_notification("ID-1"));
  h.answer(h.one_request(), 500, kExpiredRsiFault);
  const WebRequest rst = h.one_request();
  h.answer(rst, 200, renewed_rst_document());
  const WebRequest retry = h.one_request();
  assert_true(retry.is_rsi("GetMessage") && retry.new_ticket());
  h.answer(retry, 500, kExpiredRsiFault);
  assert_true(h.take<ev::MessageReceived>().empty());
  assert_int_equal(h.web_requests().size(), 0);  // neither a DeleteMessages nor a second RST
  assert_true(h.logs().find("left on the server") != std::string::npos);
}

// A Store2 and a GetMessage refused at the same time: one RST.srf request, both retried.
void test_concurrent_refusals_share_one_renewal(void** state) {
  auto& h = fx(state);
  h.sign_in();
  h.send_offline("offline hello");
  h.feed_ns(oim_notification("ID-7"));
  const auto requests = h.web_requests();
  assert_int_equal(requests.size(), 2);
  const WebRequest& store = requests[0].is_store() ? requests[0] : requests[1];
  const WebRequest& get = requests[0].is_store() ? requests[1] : requests[0];
  assert_true(store.is_store());
  assert_true(get.is_rsi("GetMessage"));
  h.answer(store, 500, kExpiredStoreFault);
  h.answer(get, 500, kExpiredRsiFault);
  const WebRequest rst = h.one_request();  // exactly one
  assert_true(rst.is_rst());
  h.answer(rst, 200, renewed_rst_document());
  const auto retries = h.web_requests();
  assert_int_equal(retries.size(), 2);
  int stores = 0;
  int gets = 0;
  for (const WebRequest& retry : retries) {
    assert_true(retry.new_ticket());
    if (retry.is_store()) {
      ++stores;
      h.answer(retry, 200, kStored);
    } else if (retry.is_rsi("GetMessage")) {
      ++gets;
      h.answer(retry, 200, kGetMessageAnswer);
    }
  }
  assert_int_equal(stores, 1);
  assert_int_equal(gets, 1);
  assert_int_equal(h.take<ev::MessageStoredOffline>().size(), 1);
  assert_int_equal(h.take<ev::MessageReceived>().size(), 1);
  assert_true(h.take<ev::MessageFailed>().empty());
  const WebRequest del = h.one_request();
  assert_true(del.is_rsi("DeleteMessages") && del.new_ticket());
}

}  // namespace

int main() {
  using msn::test::owned_setup;
  using msn::test::owned_teardown;
#define CASE(name) cmocka_unit_test_setup_teardown(name, owned_setup<Harness>, owned_teardown<Harness>)
  const struct CMUnitTest tests[] = {
      CASE(test_expired_store_renews_and_retries),
      CASE(test_store_expired_twice_fails),
      CASE(test_failed_renewal_fails_the_store),
      CASE(test_expired_get_message_renews_then_shows_and_deletes),
      CASE(test_get_message_expired_twice_is_left_on_the_server),
      CASE(test_concurrent_refusals_share_one_renewal),
  };
#undef CASE
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
