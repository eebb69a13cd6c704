// SPDX-License-Identifier: GPL-2.0-or-later
// The address book service (soap/address_book.h): ABFindAll parsing against
// tests/data/vectors/abfindall-response.xml and variants (own contact, non-messenger
// contacts, e-mail contacts, nicknames, duplicates, deltas, faults) and every request builder.
#include "soap/address_book.h"

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "cmocka_cpp.h"
#include "contacts_test_util.h"
#include "soap/xml.h"
#include "wire/mime_message.h"

namespace {

using msn::Errc;
using msn::Network;
using msn::Result;
using msn::soap::AbContact;
using msn::soap::AbFault;
using msn::soap::AddressBookResult;
namespace soap = msn::soap;
namespace t = msn::test;

constexpr std::string_view kVector = "vectors/abfindall-response.xml";
constexpr std::string_view kFriends = "7bd6a7a1-5f3e-4f7a-9a61-0c2f6a1d0e01";

struct Fixture {
  std::string xml, text;
  std::optional<Result<AddressBookResult>> result;
  std::optional<Result<soap::SoapRequest>> request;
  std::optional<Result<soap::XmlDocument>> doc;
  std::optional<Result<soap::OperationResult>> operation;
};

// CMocka fixtures through the shared owned_setup / owned_teardown / fixture templates.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;

Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

const AddressBookResult& parse_ok(Fixture& f) {
  f.result = soap::parse_ab_find_all(f.xml);
  if (!f.result->is_ok()) {
    print_error("parse failed: %s\n", f.result->error().detail.c_str());
    fail();
  }
  return f.result->value();
}

const AbContact* find(const AddressBookResult& r, std::string_view address) {
  for (const AbContact& c : r.contacts)
    if (msn::ascii::to_lower(c.address) == msn::ascii::to_lower(address)) return &c;
  return nullptr;
}

const AbContact& expect_contact(const AddressBookResult& r, std::string_view address) {
  const AbContact* c = find(r, address);
  if (c == nullptr) {
    print_error("no contact %.*s\n", static_cast<int>(address.size()), address.data());
    fail();
  }
  return *c;
}

// An ABFindAll response with these <Group>/<Contact> elements (and optionally an <ab>).
std::string book_doc(std::string_view groups, std::string_view contacts,
                     std::string_view ab = "<ab><lastChange>L1</lastChange></ab>") {
  return t::soap_envelope(
      "<ABFindAllResponse xmlns=\"http://www.msn.com/webservices/AddressBook\"><ABFindAllResult>"
      "<groups>" +
      std::string(groups) + "</groups><contacts>" + std::string(contacts) + "</contacts>" +
      std::string(ab) + "</ABFindAllResult></ABFindAllResponse>");
}

std::string contact(std::string_view id, std::string_view info, std::string_view after = {}) {
  return "<Contact><contactId>" + std::string(id) + "</contactId><contactInfo>" +
         std::string(info) + "</contactInfo>" + std::string(after) + "</Contact>";
}

// ---- the vector --------------------------------------------------------------------------

void test_vector(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  const AddressBookResult& r = parse_ok(f);
  // vectors/README.md: group Friends; contacts bob (in Friends) and carol (no group).
  assert_int_equal(r.groups.size(), 1);
  assert_bytes_equal(r.groups[0].id, kFriends);
  assert_bytes_equal(r.groups[0].name, "Friends");
  assert_int_equal(r.contacts.size(), 2);
  const AbContact& bob = expect_contact(r, "bob@example.com");
  assert_bytes_equal(bob.contact_id, "aaaaaaaa-0000-0000-0000-000000000001");
  assert_bytes_equal(bob.display_name, "Bob");
  assert_bytes_equal(bob.contact_type, "Regular");
  assert_int_equal(bob.group_ids.size(), 1);
  assert_bytes_equal(bob.group_ids[0], kFriends);
  assert_int_equal(msn::to_int(bob.network), 1);
  assert_true(bob.nickname.empty());
  const AbContact& carol = expect_contact(r, "carol@example.net");
  assert_bytes_equal(carol.contact_id, "aaaaaaaa-0000-0000-0000-000000000002");
  assert_true(carol.group_ids.empty());
  assert_bytes_equal(r.last_change, "2008-06-01T12:00:00Z");
  assert_bytes_equal(r.dynamic_item_last_changed, "0001-01-01T00:00:00");
  assert_bytes_equal(r.header.cache_key, "12r3:CACHEKEY_sample_0123456789");
  assert_false(r.has_owner);  // the revival template has no contactType Me entry
  assert_true(r.removed_contact_ids.empty());
  assert_true(r.deleted_group_ids.empty());
  assert_true(r.notes.empty());
}

void test_vector_compact_and_prefixed(void** state) {
  Fixture& f = fx(state);
  f.xml = t::compact(msn::test::read_data_file(kVector));
  {
    const AddressBookResult& r = parse_ok(f);
    assert_int_equal(r.contacts.size(), 2);
    assert_int_equal(expect_contact(r, "bob@example.com").group_ids.size(), 1);
    assert_bytes_equal(r.last_change, "2008-06-01T12:00:00Z");
  }
  f.xml = t::replace_all(msn::test::read_data_file(kVector), "soap:", "SOAP-ENV:");
  f.xml = t::replace_all(f.xml, "<ABFindAllResponse xmlns=", "<ab:ABFindAllResponse xmlns:ab=");
  f.xml = t::replace_all(f.xml, "</ABFindAllResponse>", "</ab:ABFindAllResponse>");
  const AddressBookResult& r = parse_ok(f);
  assert_int_equal(r.contacts.size(), 2);
}

// ---- contact shapes ----------------------------------------------------------------------

void test_owner_and_non_messenger_contacts(void** state) {
  Fixture& f = fx(state);
  f.xml = book_doc(
      "", contact("me-id",
                  "<contactType>Me</contactType><passportName>alice@example.com"
                  "</passportName><displayName>Alice &amp; Co</displayName>") +
              contact("id-1",
                      "<passportName>bob@example.com</passportName>"
                      "<isMessengerUser>false</isMessengerUser>") +
              contact("id-2",
                      "<passportName>carol@example.net</passportName>"
                      "<isMessengerUser>true</isMessengerUser>") +
              contact("id-3", "<passportName>dave@example.com</passportName>"));  // default: yes
  const AddressBookResult& r = parse_ok(f);
  assert_true(r.has_owner);
  assert_bytes_equal(r.owner_display_name, "Alice & Co");
  assert_int_equal(r.contacts.size(), 2);
  assert_null(find(r, "alice@example.com"));
  assert_null(find(r, "bob@example.com"));
  assert_non_null(find(r, "carol@example.net"));
  assert_non_null(find(r, "dave@example.com"));
  assert_int_equal(r.removed_contact_ids.size(), 1);
  assert_bytes_equal(r.removed_contact_ids[0], "id-1");
}

void test_email_contacts(void** state) {
  Fixture& f = fx(state);
  const auto email = [](std::string_view type, std::string_view address, bool enabled,
                        std::string_view capability) {
    std::string out = "<ContactEmail><contactEmailType>" + std::string(type) +
                      "</contactEmailType><email>" + std::string(address) +
                      "</email><isMessengerEnabled>" + (enabled ? "true" : "false") +
                      "</isMessengerEnabled>";
    if (!capability.empty()) out += "<Capability>" + std::string(capability) + "</Capability>";
    return out + "</ContactEmail>";
  };
  f.xml = book_doc(
      "",
      contact("y1", "<emails>" + email("ContactEmailPersonal", "home@yahoo.com", false, "") +
                        email("Messenger2", "yo@yahoo.com", true, "32") + "</emails>") +
          contact("y2", "<emails>" + email("Messenger2", "yo2@yahoo.com", true, "") + "</emails>") +
          contact("o1",
                  "<emails>" + email("Messenger3", "boss@corp.example", true, "2") + "</emails>") +
          contact("u1", "<emails>" + email("ContactEmailOther", "who@mail.example", true, "") +
                            "</emails>") +
          contact("n1", "<emails>" +
                            email("ContactEmailPersonal", "nomsn@mail.example", false, "") +
                            "</emails>") +
          // passportName wins over any e-mail.
          contact("p1", "<emails>" + email("Messenger2", "other@yahoo.com", true, "32") +
                            "</emails><passportName>pat@example.com</passportName>"));
  const AddressBookResult& r = parse_ok(f);
  assert_int_equal(r.contacts.size(), 5);
  assert_int_equal(msn::to_int(expect_contact(r, "yo@yahoo.com").network), 32);
  assert_int_equal(msn::to_int(expect_contact(r, "yo2@yahoo.com").network), 32);
  assert_int_equal(msn::to_int(expect_contact(r, "boss@corp.example").network), 2);
  assert_int_equal(msn::to_int(expect_contact(r, "who@mail.example").network), 0);
  assert_int_equal(msn::to_int(expect_contact(r, "pat@example.com").network), 1);
  assert_null(find(r, "home@yahoo.com"));
  assert_null(find(r, "other@yahoo.com"));
  assert_int_equal(r.notes.size(), 1);  // n1: no messenger address
}

void test_nicknames_groups_and_duplicates(void** state) {
  Fixture& f = fx(state);
  f.xml = book_doc(
      "<Group><groupId>G1</groupId><groupInfo><annotations><Annotation><Name>AB.NickName</Name>"
      "<Value>not a nickname</Value></Annotation></annotations><name>One</name></groupInfo>"
      "</Group><Group><groupId>G2</groupId><groupInfo><name>Two &lt;2&gt;</name></groupInfo>"
      "</Group><Group><groupId>g1</groupId><groupInfo><name>One again</name></groupInfo></Group>"
      "<Group><groupInfo><name>no id</name></groupInfo></Group>",
      contact("c1",
              "<annotations><Annotation><Name>MSN.IM.Display</Name><Value>1</Value>"
              "</Annotation><Annotation><Name>AB.NickName</Name><Value>Bobby &amp; me"
              "</Value></Annotation></annotations><groupIds><guid>G1</guid></groupIds>"
              "<passportName>bob@example.com</passportName><displayName>Bob</displayName>") +
          contact("c1b",
                  "<groupIds><guid>G2</guid><guid>g1</guid></groupIds>"
                  "<passportName>BOB@example.com</passportName>"
                  "<displayName>Robert</displayName>") +
          contact("c2", "<passportName>bad address@example.com</passportName>") +
          contact("c3", "<passportName>" + std::string(400, 'x') + "@example.com</passportName>"));
  const AddressBookResult& r = parse_ok(f);
  assert_int_equal(r.groups.size(), 2);
  assert_bytes_equal(r.groups[0].name, "One");
  assert_bytes_equal(r.groups[1].name, "Two <2>");
  assert_int_equal(r.contacts.size(), 1);
  const AbContact& bob = r.contacts[0];
  assert_bytes_equal(bob.nickname, "Bobby & me");
  assert_bytes_equal(bob.display_name, "Bob");  // the first entry wins
  assert_bytes_equal(bob.contact_id, "c1");
  assert_int_equal(bob.group_ids.size(), 2);  // G1, G2 (g1 is G1)
  assert_bytes_equal(bob.group_ids[0], "G1");
  assert_bytes_equal(bob.group_ids[1], "G2");
  assert_int_equal(r.notes.size(), 3);  // the group without id, two invalid addresses
}

// Names from the service are bounded like the notification server's friendly names: at most
// kMaxFriendlyNameChars characters (counted as UTF-8 characters, not bytes), and valid UTF-8.
void test_names_bounded(void** state) {
  Fixture& f = fx(state);
  std::string long_name;
  for (int i = 0; i < 300; ++i) long_name += "\xc3\xa9";  // é, two bytes each
  f.xml = book_doc(
      "<Group><groupId>G1</groupId><groupInfo><name>" + long_name + "</name></groupInfo></Group>",
      contact("c1", "<annotations><Annotation><Name>AB.NickName</Name><Value>" + long_name +
                        "</Value></Annotation></annotations><groupIds><guid>G1</guid>"
                        "</groupIds><passportName>bob@example.com</passportName>"
                        "<displayName>" +
                        long_name + "</displayName>") +
          contact("me",
                  "<contactType>Me</contactType><displayName>" + long_name + "</displayName>"));
  const AddressBookResult& r = parse_ok(f);
  const std::string bounded = long_name.substr(0, 2 * msn::wire::kMaxFriendlyNameChars);
  assert_int_equal(r.groups.size(), 1);
  assert_bytes_equal(r.groups[0].name, bounded);
  const AbContact& bob = expect_contact(r, "bob@example.com");
  assert_bytes_equal(bob.display_name, bounded);
  assert_bytes_equal(bob.nickname, bounded);
  assert_true(r.has_owner);
  assert_bytes_equal(r.owner_display_name, bounded);
}

void test_delta_document(void** state) {
  Fixture& f = fx(state);
  f.xml = book_doc(
      "<Group><groupId>G9</groupId><groupInfo><name>Gone</name></groupInfo>"
      "<fDeleted>true</fDeleted></Group>"
      "<Group><groupId>G1</groupId><groupInfo><name>Renamed</name></groupInfo>"
      "<propertiesChanged>GroupName</propertiesChanged><fDeleted>false</fDeleted></Group>",
      contact("c1",
              "<passportName>bob@example.com</passportName><displayName>Bob 2"
              "</displayName>",
              "<propertiesChanged>DisplayName</propertiesChanged>"
              "<fDeleted>false</fDeleted>") +
          "<Contact><contactId>c2</contactId><fDeleted>true</fDeleted></Contact>" +
          contact("c3", "<passportName>carol@example.net</passportName>",
                  "<fDeleted>true</fDeleted>") +
          "<Contact><contactId>c4</contactId><propertiesChanged/></Contact>",
      "<ab><lastChange>2008-06-04T00:00:00Z</lastChange></ab>");
  const AddressBookResult& r = parse_ok(f);
  assert_int_equal(r.deleted_group_ids.size(), 1);
  assert_bytes_equal(r.deleted_group_ids[0], "G9");
  assert_int_equal(r.groups.size(), 1);
  assert_bytes_equal(r.groups[0].name, "Renamed");
  assert_int_equal(r.contacts.size(), 1);
  assert_bytes_equal(r.contacts[0].display_name, "Bob 2");
  assert_int_equal(r.removed_contact_ids.size(), 2);
  assert_bytes_equal(r.removed_contact_ids[0], "c2");
  assert_bytes_equal(r.removed_contact_ids[1], "c3");
  assert_bytes_equal(r.last_change, "2008-06-04T00:00:00Z");
}

void test_empty_and_minimal_books(void** state) {
  Fixture& f = fx(state);
  f.xml = t::soap_envelope("<ABFindAllResponse><ABFindAllResult/></ABFindAllResponse>");
  const AddressBookResult& r = parse_ok(f);
  assert_true(r.contacts.empty() && r.groups.empty() && r.last_change.empty());
  f.xml = book_doc("", "", "");
  assert_true(parse_ok(f).contacts.empty());
}

void test_faults_and_errors(void** state) {
  Fixture& f = fx(state);
  // As the revival server sends it (Fault.fullsync.xml).
  f.xml = t::soap_fault("soap:Client", "Full sync required.  Details: Delta syncs disabled.",
                        "FullSyncRequired");
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())),
                   static_cast<int>(AbFault::kFullSyncRequired));
  f.xml = t::soap_fault("soap:Client", "ABDoesNotExist", "ABDoesNotExist");
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())),
                   static_cast<int>(AbFault::kAbDoesNotExist));
  f.xml = t::soap_fault("q0:BadContextToken", "bad token");
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kAuth));
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())),
                   static_cast<int>(AbFault::kTicketExpired));
  // A SOAP 1.2 shaped fault.
  f.xml = t::soap_envelope(
      "<soap:Fault><soap:Code><soap:Value>soap:Sender</soap:Value><soap:Subcode><soap:Value>"
      "q0:BadContextToken</soap:Value></soap:Subcode></soap:Code><soap:Reason><soap:Text>x"
      "</soap:Text></soap:Reason></soap:Fault>");
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())),
                   static_cast<int>(AbFault::kTicketExpired));
  // Not an ABFindAll response.
  f.xml = msn::test::read_data_file("vectors/findmembership-response.xml");
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kSoap));
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())),
                   static_cast<int>(AbFault::kNone));
  // Truncated anywhere.
  const std::string full = msn::test::read_data_file(kVector);
  for (std::size_t cut = 0; cut < full.size(); cut += 11) {
    f.result = soap::parse_ab_find_all(std::string_view(full).substr(0, cut));
    assert_false(f.result->is_ok());
  }
  // Limits.
  f.result = soap::parse_ab_find_all(full, soap::ParseLimits{.max_items = 1});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  f.xml = book_doc("", contact("c",
                               "<groupIds><guid>a</guid><guid>b</guid><guid>c</guid>"
                               "</groupIds><passportName>b@example.com</passportName>"));
  f.result = soap::parse_ab_find_all(f.xml, soap::ParseLimits{.max_groups_per_contact = 2});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  // The text of elements the parser does not read (quickName, puid) is not kept, but it is
  // still bounded and still checked, streamed or not.
  assert_true(soap::parse_ab_find_all(full).is_ok());
  for (const auto& [from, to, code] :
       {std::tuple{"<quickName>", "<quickName>" + std::string(2000, 'q'), Errc::kLimit},
        std::tuple{"<puid>0", std::string("<puid>0 &undeclared;"), Errc::kSoap},
        std::tuple{"<puid>0", std::string("<puid>0 <"), Errc::kSoap}}) {
    f.xml = t::replace_all(full, from, to);
    // (Past a malformed spot the whole-document parser hands the rest over as text: only
    // the text limit case has a low limit.)
    const soap::ParseLimits limits{.max_text_bytes = code == Errc::kLimit ? 1000u : 1u << 20};
    f.result = soap::parse_ab_find_all(f.xml, limits);
    assert_false(f.result->is_ok());
    assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(code));
    soap::AbFindAllParser streamed(limits);
    msn::Status fed = msn::Status::ok();
    for (std::size_t at = 0; at < f.xml.size() && fed.is_ok(); at += 100)
      fed = streamed.feed(std::string_view(f.xml).substr(at, 100));
    f.result = fed.is_ok() ? streamed.finish() : Result<AddressBookResult>(fed.error());
    assert_false(f.result->is_ok());
    assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(code));
  }
  // An entity declared in a DTD never reaches a display name.
  f.xml =
      "<!DOCTYPE x [<!ENTITY e \"EVIL\">]>" +
      book_doc(
          "",
          contact("c", "<passportName>b@example.com</passportName><displayName>&e;</displayName>"));
  f.result = soap::parse_ab_find_all(f.xml);
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kSoap));
}

// ---- requests ----------------------------------------------------------------------------

const soap::AbCredentials kCreds{"t=T&p=P", ""};

const soap::XmlDocument& parse_request(Fixture& f, const soap::SoapRequest& request) {
  f.doc = soap::XmlDocument::parse(request.body);
  if (!f.doc->is_ok()) {
    print_error("request does not parse: %s\n", f.doc->error().detail.c_str());
    fail();
  }
  return f.doc->value();
}

// Checks path, action and scenario; returns the operation element.
xmlNode* expect_request(Fixture& f, std::string_view operation, std::string_view scenario) {
  if (!f.request->is_ok()) {
    print_error("builder failed: %s\n", f.request->error().detail.c_str());
    fail();
  }
  const soap::SoapRequest& request = f.request->value();
  assert_bytes_equal(request.path, "/abservice/abservice.asmx");
  assert_bytes_equal(request.soap_action,
                     "http://www.msn.com/webservices/AddressBook/" + std::string(operation));
  const soap::XmlDocument& doc = parse_request(f, request);
  f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "PartnerScenario"});
  assert_bytes_equal(f.text, scenario);
  f.text = t::text_at(doc, {"Header", "ABAuthHeader", "TicketToken"});
  assert_bytes_equal(f.text, "t=T&p=P");
  xmlNode* op = soap::path(doc.root(), {"Body", operation});
  assert_non_null(op);
  return op;
}

void expect_invalid(Fixture& f) {
  assert_false(f.request->is_ok());
  assert_int_equal(static_cast<int>(f.request->error().code),
                   static_cast<int>(Errc::kInvalidArgument));
}

void test_find_all_requests(void** state) {
  Fixture& f = fx(state);
  f.request = soap::build_ab_find_all(kCreds);
  xmlNode* op = expect_request(f, "ABFindAll", "Initial");
  assert_bytes_equal(soap::text(soap::child(op, "abId")), "00000000-0000-0000-0000-000000000000");
  assert_bytes_equal(soap::text(soap::child(op, "abView")), "Full");
  assert_null(soap::child(op, "deltasOnly"));
  f.request =
      soap::build_ab_find_all(kCreds, soap::PartnerScenario::kTimer, "2008-06-01T12:00:00Z");
  op = expect_request(f, "ABFindAll", "Timer");
  assert_bytes_equal(soap::text(soap::child(op, "deltasOnly")), "true");
  assert_bytes_equal(soap::text(soap::child(op, "lastChange")), "2008-06-01T12:00:00Z");
}

void test_contact_requests(void** state) {
  Fixture& f = fx(state);
  f.request = soap::build_ab_contact_add(kCreds, {.address = "bob@example.com"});
  xmlNode* op = expect_request(f, "ABContactAdd", "ContactSave");
  xmlNode* info = soap::path(op, {"contacts", "Contact", "contactInfo"});
  assert_bytes_equal(soap::text(soap::child(info, "passportName")), "bob@example.com");
  assert_bytes_equal(soap::text(soap::child(info, "isMessengerUser")), "true");
  assert_null(soap::child(info, "MessengerMemberInfo"));
  assert_bytes_equal(soap::text(soap::path(op, {"options", "EnableAllowListManagement"})), "true");

  f.request = soap::build_ab_contact_add(kCreds, {.address = "yo@yahoo.com",
                                                  .network = Network::kYahoo,
                                                  .invite_message = "Hi <there> & \x01welcome",
                                                  .own_display_name = "Alice"});
  op = expect_request(f, "ABContactAdd", "ContactSave");
  info = soap::path(op, {"contacts", "Contact", "contactInfo"});
  assert_null(soap::child(info, "passportName"));
  xmlNode* email = soap::path(info, {"emails", "ContactEmail"});
  assert_bytes_equal(soap::text(soap::child(email, "email")), "yo@yahoo.com");
  assert_bytes_equal(soap::text(soap::child(email, "contactEmailType")), "Messenger2");
  assert_bytes_equal(soap::text(soap::child(email, "Capability")), "32");
  xmlNode* invite = soap::child(info, "MessengerMemberInfo");
  f.text = soap::text(soap::path(invite, {"PendingAnnotations", "Annotation", "Value"}));
  assert_bytes_equal(f.text, "Hi <there> & welcome");  // escaped; the control byte dropped
  assert_bytes_equal(soap::text(soap::path(invite, {"PendingAnnotations", "Annotation", "Name"})),
                     "MSN.IM.InviteMessage");
  assert_bytes_equal(soap::text(soap::child(invite, "DisplayName")), "Alice");

  f.request = soap::build_ab_contact_add(kCreds, {.address = "<bob>"});
  expect_invalid(f);

  f.request = soap::build_ab_contact_delete(kCreds, "aaaaaaaa-0000-0000-0000-000000000001");
  op = expect_request(f, "ABContactDelete", "Timer");
  assert_bytes_equal(soap::text(soap::path(op, {"contacts", "Contact", "contactId"})),
                     "aaaaaaaa-0000-0000-0000-000000000001");
  f.request = soap::build_ab_contact_delete(kCreds, "");
  expect_invalid(f);

  f.request = soap::build_ab_contact_update_nickname(kCreds, "cid", "Bobby & \"B\"");
  op = expect_request(f, "ABContactUpdate", "Timer");
  xmlNode* c = soap::path(op, {"contacts", "Contact"});
  assert_bytes_equal(soap::text(soap::child(c, "contactId")), "cid");
  assert_bytes_equal(
      soap::text(soap::path(c, {"contactInfo", "annotations", "Annotation", "Name"})),
      "AB.NickName");
  assert_bytes_equal(
      soap::text(soap::path(c, {"contactInfo", "annotations", "Annotation", "Value"})),
      "Bobby & \"B\"");
  assert_bytes_equal(soap::text(soap::child(c, "propertiesChanged")), "Annotation");
  f.request = soap::build_ab_contact_update_nickname(kCreds, " ", "x");
  expect_invalid(f);

  f.request = soap::build_ab_contact_update_display_name(kCreds, "Alice \xE2\x98\x85 <A>");
  op = expect_request(f, "ABContactUpdate", "Timer");
  c = soap::path(op, {"contacts", "Contact"});
  assert_bytes_equal(soap::text(soap::path(c, {"contactInfo", "contactType"})), "Me");
  assert_bytes_equal(soap::text(soap::path(c, {"contactInfo", "displayName"})),
                     "Alice \xE2\x98\x85 <A>");
  assert_bytes_equal(soap::text(soap::child(c, "propertiesChanged")), "DisplayName");
}

void test_group_requests(void** state) {
  Fixture& f = fx(state);
  f.request = soap::build_ab_group_add(kCreds, "Work & Play");
  xmlNode* op = expect_request(f, "ABGroupAdd", "GroupSave");
  xmlNode* info = soap::path(op, {"groupInfo", "GroupInfo"});
  assert_bytes_equal(soap::text(soap::child(info, "name")), "Work & Play");
  assert_bytes_equal(soap::text(soap::child(info, "groupType")),
                     "C8529CE2-6EAD-434d-881F-341E17DB3FF8");
  assert_bytes_equal(soap::text(soap::child(info, "fMessenger")), "false");
  assert_bytes_equal(soap::text(soap::path(info, {"annotations", "Annotation", "Name"})),
                     "MSN.IM.Display");
  assert_bytes_equal(soap::text(soap::path(op, {"groupAddOptions", "fRenameOnMsgrConflict"})),
                     "false");
  f.request = soap::build_ab_group_add(kCreds, "  ");
  expect_invalid(f);

  f.request = soap::build_ab_group_delete(kCreds, "G1");
  op = expect_request(f, "ABGroupDelete", "Timer");
  assert_bytes_equal(soap::text(soap::path(op, {"groupFilter", "groupIds", "guid"})), "G1");

  f.request = soap::build_ab_group_update(kCreds, "G1", "New <name>");
  op = expect_request(f, "ABGroupUpdate", "Timer");
  xmlNode* g = soap::path(op, {"groups", "Group"});
  assert_bytes_equal(soap::text(soap::child(g, "groupId")), "G1");
  assert_bytes_equal(soap::text(soap::path(g, {"groupInfo", "name"})), "New <name>");
  assert_bytes_equal(soap::text(soap::child(g, "propertiesChanged")), "GroupName");
  f.request = soap::build_ab_group_update(kCreds, "", "x");
  expect_invalid(f);

  f.request = soap::build_ab_group_contact_add(kCreds, "G1", "C1");
  op = expect_request(f, "ABGroupContactAdd", "ContactSave");
  assert_bytes_equal(soap::text(soap::path(op, {"groupFilter", "groupIds", "guid"})), "G1");
  assert_bytes_equal(soap::text(soap::path(op, {"contacts", "Contact", "contactId"})), "C1");
  assert_bytes_equal(
      soap::text(soap::path(op, {"groupContactAddOptions", "fGenerateMissingQuickName"})), "true");

  f.request = soap::build_ab_group_contact_add_new(kCreds, "G1", {.address = "new@example.com"});
  op = expect_request(f, "ABGroupContactAdd", "ContactSave");
  assert_bytes_equal(
      soap::text(soap::path(op, {"contacts", "Contact", "contactInfo", "passportName"})),
      "new@example.com");
  f.request = soap::build_ab_group_contact_add_new(kCreds, "G1", {.address = "new"});
  expect_invalid(f);

  f.request = soap::build_ab_group_contact_delete(kCreds, "G1", "C1");
  op = expect_request(f, "ABGroupContactDelete", "Timer");
  assert_bytes_equal(soap::text(soap::path(op, {"contacts", "Contact", "contactId"})), "C1");
  assert_bytes_equal(soap::text(soap::path(op, {"groupFilter", "groupIds", "guid"})), "G1");
  f.request = soap::build_ab_group_contact_delete(kCreds, "G1", "");
  expect_invalid(f);

  f.request = soap::build_ab_add(kCreds, "alice@example.com");
  op = expect_request(f, "ABAdd", "Initial");
  assert_bytes_equal(soap::text(soap::path(op, {"abInfo", "ownerEmail"})), "alice@example.com");
  assert_bytes_equal(soap::text(soap::path(op, {"abInfo", "fDefault"})), "true");
  assert_non_null(soap::path(op, {"abInfo", "name"}));
}

void test_operation_responses(void** state) {
  Fixture& f = fx(state);
  f.xml = t::soap_envelope(
      "<ABContactAddResponse xmlns=\"http://www.msn.com/webservices/AddressBook\">"
      "<ABContactAddResult><guid>new-contact-id</guid></ABContactAddResult>"
      "</ABContactAddResponse>");
  f.operation = soap::parse_operation_response(f.xml, "ABContactAdd");
  assert_true(f.operation->is_ok());
  assert_bytes_equal(f.operation->value().guid, "new-contact-id");
  f.xml = t::soap_envelope(
      "<ABGroupAddResponse><ABGroupAddResult><guid> g-id </guid></ABGroupAddResult>"
      "</ABGroupAddResponse>");
  f.operation = soap::parse_operation_response(f.xml, "ABGroupAdd");
  assert_bytes_equal(f.operation->value().guid, "g-id");
  f.xml = t::soap_envelope("<ABAddResponse><ABAddResult>ab-id</ABAddResult></ABAddResponse>");
  f.operation = soap::parse_operation_response(f.xml, "ABAdd");
  assert_bytes_equal(f.operation->value().guid, "ab-id");
  f.xml = t::soap_envelope("<ABGroupDeleteResponse/>");
  f.operation = soap::parse_operation_response(f.xml, "ABGroupDelete");
  assert_true(f.operation->is_ok());
  f.xml = t::soap_fault("soap:Client", "Contact already exists", "ContactAlreadyExists");
  f.operation = soap::parse_operation_response(f.xml, "ABContactAdd");
  assert_int_equal(static_cast<int>(soap::ab_fault(f.operation->error())),
                   static_cast<int>(AbFault::kAlreadyExists));
  f.xml = t::soap_fault("soap:Client", "no such group", "GroupDoesNotExist");
  f.operation = soap::parse_operation_response(f.xml, "ABGroupDelete");
  assert_int_equal(static_cast<int>(soap::ab_fault(f.operation->error())),
                   static_cast<int>(AbFault::kNotFound));
  // The forward-list limit: a limit the user is told about, nothing to retry.
  f.xml = t::soap_fault("soap:Client", "Contact limit reached", "QuotaLimitReached");
  f.operation = soap::parse_operation_response(f.xml, "ABContactAdd");
  assert_int_equal(static_cast<int>(f.operation->error().code), static_cast<int>(Errc::kLimit));
  assert_int_equal(static_cast<int>(soap::ab_fault(f.operation->error())),
                   static_cast<int>(AbFault::kNone));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_vector, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vector_compact_and_prefixed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_owner_and_non_messenger_contacts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_email_contacts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nicknames_groups_and_duplicates, setup, teardown),
      cmocka_unit_test_setup_teardown(test_names_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delta_document, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_and_minimal_books, setup, teardown),
      cmocka_unit_test_setup_teardown(test_faults_and_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_find_all_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_contact_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_group_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_operation_responses, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
