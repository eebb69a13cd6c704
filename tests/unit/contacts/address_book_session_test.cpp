// SPDX-License-Identifier: GPL-2.0-or-later
// The address book SOAP client on its own (session/address_book_session.h), fed web results
// directly: URLs, parsing, the ticket renewal and ABAdd recoveries, "already exists".
#include "session/address_book_session.h"

#include <string>

#include "book_generator.h"
#include "contacts_test_util.h"
#include "cmocka_cpp.h"

namespace {

namespace t = msn::test;
namespace soap = msn::soap;
using msn::AbCallKind;
using msn::AbRequest;
using msn::AddressBookSession;
using msn::Errc;

msn::Settings settings_with(std::string url) {
  msn::Settings settings;
  settings.account = "alice@example.com";
  settings.web_services_url = std::move(url);
  return settings;
}

AbRequest group_add(std::string name) {
  return AbRequest{AbCallKind::kOperation, "ABGroupAdd", [name](const soap::AbCredentials& credentials) {
                     return soap::build_ab_group_add(credentials, name);
                   }};
}

msn::http::Response response(int status, std::string body) {
  msn::http::Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

std::string group_added(std::string_view guid, std::string_view header = {}) {
  return t::soap_envelope("<ABGroupAddResponse xmlns=\"http://www.msn.com/webservices/AddressBook\"><ABGroupAddResult>"
                          "<guid>" + std::string(guid) + "</guid></ABGroupAddResult></ABGroupAddResponse>",
                          header);
}

struct Fx {
  msn::Settings settings = settings_with("https://msn.example.net/base/");
  std::uint32_t next_id = 10;
  AddressBookSession session{settings, next_id};
};

void test_call_and_answer(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.session.set_ticket("t=abc&p=");
  fx.session.submit(group_add("Work"), 42);
  auto calls = fx.session.take_web_calls();
  assert_int_equal(calls.size(), 1);
  assert_int_equal(calls[0].id, 10);
  assert_bytes_equal(calls[0].url, "https://msn.example.net/base/abservice/abservice.asmx");
  assert_bytes_equal(calls[0].soap_action, "http://www.msn.com/webservices/AddressBook/ABGroupAdd");
  assert_true(calls[0].body.find("<TicketToken>t=abc&amp;p=</TicketToken>") != std::string::npos);
  assert_true(fx.session.owns(10));
  const std::string header =
      "<ServiceHeader xmlns=\"http://www.msn.com/webservices/AddressBook\"><CacheKey>12r1:KEY</CacheKey>"
      "<CacheKeyChanged>true</CacheKeyChanged></ServiceHeader>";
  fx.session.on_web_result(10, response(200, group_added("g-1", header)));
  assert_false(fx.session.owns(10));
  auto done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].tag, 42);
  assert_true(done[0].result.is_ok());
  assert_bytes_equal(std::get<soap::OperationResult>(done[0].result.value()).guid, "g-1");
  // The next request carries the new cache key.
  fx.session.submit(group_add("Play"), 43);
  assert_true(fx.session.take_web_calls()[0].body.find("<CacheKey>12r1:KEY</CacheKey>") != std::string::npos);
  assert_true(fx.session.take_logs().size() >= 2);
}

AbRequest find_all() {
  return AbRequest{AbCallKind::kFindAll, "ABFindAll", [](const soap::AbCredentials& c) {
                     return msn::Result<soap::SoapRequest>(
                         soap::build_ab_find_all(c, soap::PartnerScenario::kInitial, {}));
                   }};
}

// A big answer is read a piece at a time: the first piece as it arrives, each further one
// from work(), and the completion comes with the last; the result is the whole book.
void test_big_answer_read_in_pieces(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  const t::GenBook book = t::make_book(3000);
  const std::string xml = t::ab_find_all_xml(book, true);
  const std::size_t pieces =
      (xml.size() + AddressBookSession::kParsePiece - 1) / AddressBookSession::kParsePiece;
  assert_true(pieces >= 3);
  fx.session.submit(find_all(), 5);
  fx.session.on_web_result(fx.session.take_web_calls()[0].id, response(200, xml));
  std::size_t works = 0;
  while (fx.session.has_work()) {
    assert_true(fx.session.take_completions().empty());
    assert_false(fx.session.idle());
    fx.session.work();
    ++works;
  }
  assert_int_equal(works, pieces - 1);
  auto done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].tag, 5);
  assert_true(done[0].result.is_ok());
  const auto& result = std::get<soap::AddressBookResult>(done[0].result.value());
  const auto whole = soap::parse_ab_find_all(xml);
  assert_true(whole.is_ok());
  assert_int_equal(result.contacts.size(), whole->contacts.size());
  assert_int_equal(result.groups.size(), whole->groups.size());
  for (std::size_t i = 0; i < result.contacts.size(); ++i) {
    assert_bytes_equal(result.contacts[i].address, whole->contacts[i].address);
    assert_bytes_equal(result.contacts[i].display_name, whole->contacts[i].display_name);
  }
  assert_true(fx.session.idle());

  // Malformed from the start: the error comes with the first piece, nothing waits.
  fx.session.submit(find_all(), 6);
  fx.session.on_web_result(fx.session.take_web_calls()[0].id, response(200, "<a><b></a>" + xml));
  assert_false(fx.session.has_work());
  done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].result.error().code, Errc::kSoap);

  // Cut short: the error comes once the last piece is read.
  fx.session.submit(find_all(), 7);
  fx.session.on_web_result(fx.session.take_web_calls()[0].id,
                           response(200, xml.substr(0, xml.size() / 2)));
  while (fx.session.has_work()) fx.session.work();
  done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].result.error().code, Errc::kSoap);
}

void test_historic_host(void** /*state*/) {
  const msn::Settings settings = settings_with("");
  std::uint32_t id = 1;
  AddressBookSession session(settings, id);
  session.submit(AbRequest{AbCallKind::kFindMembership, "FindMembership",
                           [](const soap::AbCredentials& c) {
                             return msn::Result<soap::SoapRequest>(
                                 soap::build_find_membership(c, soap::PartnerScenario::kInitial));
                           }},
                 1);
  assert_bytes_equal(session.take_web_calls()[0].url, "https://omega.contacts.msn.com/abservice/SharingService.asmx");
}

void test_ticket_renewal_retries_once(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.session.set_ticket("t=old&p=");
  fx.session.submit(group_add("Work"), 7);
  const auto first = fx.session.take_web_calls();
  const std::string fault = t::soap_fault("q0:BadContextToken", "expired", "BadContextToken");
  fx.session.on_web_result(first[0].id, response(500, fault));
  assert_true(fx.session.take_completions().empty());
  assert_true(fx.session.take_ticket_request());
  assert_false(fx.session.take_ticket_request());  // asked once
  assert_true(fx.session.take_web_calls().empty());  // waits for the ticket
  fx.session.ticket_renewed("t=new&p=");
  const auto second = fx.session.take_web_calls();
  assert_int_equal(second.size(), 1);
  assert_true(second[0].body.find("t=new&amp;p=") != std::string::npos);
  fx.session.on_web_result(second[0].id, response(500, fault));
  assert_false(fx.session.take_ticket_request());
  auto done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].result.error().code, Errc::kAuth);
  assert_int_equal(soap::ab_fault(done[0].result.error()), soap::AbFault::kTicketExpired);

  // A renewal that fails fails the waiting calls.
  fx.session.submit(group_add("Other"), 8);
  fx.session.on_web_result(fx.session.take_web_calls()[0].id, response(500, fault));
  assert_true(fx.session.take_ticket_request());
  fx.session.ticket_renewal_failed(msn::make_error(Errc::kAuth, "wrong password"));
  done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].tag, 8);
  assert_int_equal(done[0].result.error().code, Errc::kAuth);
}

void test_missing_address_book_is_created(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.session.submit(group_add("Work"), 1);
  fx.session.submit(group_add("Play"), 2);
  auto calls = fx.session.take_web_calls();
  const std::string missing = t::soap_fault("soap:Client", "no book", "ABDoesNotExist");
  fx.session.on_web_result(calls[0].id, response(500, missing));
  fx.session.on_web_result(calls[1].id, response(500, missing));
  auto add = fx.session.take_web_calls();
  assert_int_equal(add.size(), 1);  // one ABAdd for both
  assert_bytes_equal(add[0].soap_action, "http://www.msn.com/webservices/AddressBook/ABAdd");
  assert_true(add[0].body.find("alice@example.com") != std::string::npos);
  fx.session.on_web_result(add[0].id, response(200, t::soap_envelope(
      "<ABAddResponse xmlns=\"http://www.msn.com/webservices/AddressBook\"><ABAddResult>"
      "00000000-0000-0000-0000-000000000000</ABAddResult></ABAddResponse>")));
  auto retried = fx.session.take_web_calls();
  assert_int_equal(retried.size(), 2);
  fx.session.on_web_result(retried[0].id, response(200, group_added("g-1")));
  fx.session.on_web_result(retried[1].id, response(500, missing));  // again: not retried twice
  auto done = fx.session.take_completions();
  assert_int_equal(done.size(), 2);
  assert_true(done[0].result.is_ok());
  assert_int_equal(soap::ab_fault(done[1].result.error()), soap::AbFault::kAbDoesNotExist);
  assert_true(fx.session.idle());
}

void test_already_exists_and_errors(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  for (int i = 0; i < 4; ++i) fx.session.submit(group_add("G"), static_cast<std::uint64_t>(i));
  auto calls = fx.session.take_web_calls();
  fx.session.on_web_result(calls[0].id, response(500, t::soap_fault("soap:Client", "dup", "GroupAlreadyExists")));
  fx.session.on_web_result(calls[1].id, response(503, "<html>busy</html>"));
  fx.session.on_web_result(calls[2].id, msn::make_error(Errc::kTransport, "reset"));
  fx.session.on_web_result(calls[3].id, response(500, t::soap_fault("soap:Client", "bad", "BadArgument")));
  fx.session.on_web_result(999, response(200, "ignored: not ours"));
  auto done = fx.session.take_completions();
  assert_int_equal(done.size(), 4);
  assert_true(done[0].result.is_ok());
  assert_true(std::get<soap::OperationResult>(done[0].result.value()).guid.empty());
  assert_int_equal(done[1].result.error().code, Errc::kHttp);
  assert_int_equal(done[1].result.error().server_code, 503);
  assert_int_equal(done[2].result.error().code, Errc::kTransport);
  assert_int_equal(soap::ab_fault(done[3].result.error()), soap::AbFault::kOther);
  // A request that cannot be built completes at once with its error.
  fx.session.submit(group_add(""), 9);
  assert_true(fx.session.take_web_calls().empty());
  done = fx.session.take_completions();
  assert_int_equal(done.size(), 1);
  assert_int_equal(done[0].result.error().code, Errc::kInvalidArgument);
}

}  // namespace

#define FX_TEST(name) MSN_OWNED_TEST(name, Fx)

int main() {
  const struct CMUnitTest tests[] = {
      FX_TEST(test_call_and_answer),
      cmocka_unit_test(test_historic_host),
      FX_TEST(test_big_answer_read_in_pieces),
      FX_TEST(test_ticket_renewal_retries_once),
      FX_TEST(test_missing_address_book_is_created),
      FX_TEST(test_already_exists_and_errors),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
