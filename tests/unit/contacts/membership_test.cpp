// SPDX-License-Identifier: GPL-2.0-or-later
// The Sharing service (soap/membership.h): FindMembership parsing against
// tests/data/vectors/findmembership-response.xml and variants, faults, hostile documents and
// the FindMembership / AddMember / DeleteMember request builders.
#include "soap/membership.h"

#include <chrono>
#include <map>
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
using msn::ListBits;
using msn::Network;
using msn::Result;
using msn::soap::AbFault;
using msn::soap::Member;
using msn::soap::MembershipResult;
namespace soap = msn::soap;
namespace t = msn::test;

constexpr std::string_view kVector = "vectors/findmembership-response.xml";
constexpr std::string_view kAbNs = "xmlns=\"http://www.msn.com/webservices/AddressBook\"";

struct Fixture {
  std::string xml, text;
  std::optional<Result<MembershipResult>> result;
  std::optional<Result<soap::SoapRequest>> request;
  std::optional<Result<soap::XmlDocument>> doc;
  std::optional<Result<soap::OperationResult>> operation;
};

// CMocka fixtures through the shared owned_setup / owned_teardown / fixture templates.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;

Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

const MembershipResult& parse_ok(Fixture& f) {
  f.result = soap::parse_find_membership(f.xml);
  if (!f.result->is_ok()) {
    print_error("parse failed: %s\n", f.result->error().detail.c_str());
    fail();
  }
  return f.result->value();
}

void expect_error(Fixture& f, Errc code) {
  f.result = soap::parse_find_membership(f.xml);
  if (f.result->is_ok()) {
    print_error("expected error %d, parsed fine\n", static_cast<int>(code));
    fail();
  }
  if (f.result->error().code != code)
    print_error("got error %d: %s\n", static_cast<int>(f.result->error().code),
                f.result->error().detail.c_str());
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(code));
}

const Member* find(const MembershipResult& r, std::string_view address) {
  for (const Member& m : r.members)
    if (msn::ascii::to_lower(m.address) == msn::ascii::to_lower(address)) return &m;
  return nullptr;
}

void expect_member(const MembershipResult& r, std::string_view address, ListBits lists,
                   Network network = Network::kPassport) {
  const Member* m = find(r, address);
  if (m == nullptr) {
    print_error("no member %.*s\n", static_cast<int>(address.size()), address.data());
    fail();
  }
  if (m->lists != lists)
    print_error("%.*s: lists [%s], expected [%s]\n", static_cast<int>(address.size()),
                address.data(), t::lists_string(m->lists).c_str(), t::lists_string(lists).c_str());
  assert_int_equal(msn::to_int(m->lists), msn::to_int(lists));
  assert_int_equal(msn::to_int(m->network), msn::to_int(network));
}

// A Messenger service holding `memberships` (already-built <Membership> elements).
std::string membership_doc(std::string_view memberships, std::string_view last_change = "X") {
  return t::soap_envelope(
      "<FindMembershipResponse " + std::string(kAbNs) +
      "><FindMembershipResult><Services><Service><Memberships>" + std::string(memberships) +
      "</Memberships><Info><Handle><Id>1</Id><Type>Messenger</Type></Handle></Info><LastChange>" +
      std::string(last_change) + "</LastChange></Service></Services></FindMembershipResult>" +
      "</FindMembershipResponse>");
}

std::string membership(std::string_view role, std::string_view members) {
  return "<Membership><MemberRole>" + std::string(role) + "</MemberRole><Members>" +
         std::string(members) + "</Members></Membership>";
}

std::string passport_member(std::string_view address, std::string_view extra = {}) {
  return "<Member xsi:type=\"PassportMember\"><Type>Passport</Type><PassportName>" +
         std::string(address) + "</PassportName>" + std::string(extra) + "</Member>";
}

// ---- the vector --------------------------------------------------------------------------

void test_vector_lists(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  const MembershipResult& r = parse_ok(f);
  // vectors/README.md: Allow {bob, carol}; Block {mallory}; Reverse {bob, carol, mallory,
  // dave}; Pending {dave}; all network 1.
  assert_int_equal(r.members.size(), 4);
  expect_member(r, "bob@example.com", ListBits::kAllow | ListBits::kReverse);
  expect_member(r, "carol@example.net", ListBits::kAllow | ListBits::kReverse);
  expect_member(r, "mallory@example.org", ListBits::kBlock | ListBits::kReverse);
  expect_member(r, "dave@example.com", ListBits::kReverse | ListBits::kPending);
  for (const Member& m : r.members) assert_int_equal(msn::to_int(m.deleted_lists), 0);
  assert_true(r.notes.empty());
}

void test_vector_ids_and_headers(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  const MembershipResult& r = parse_ok(f);
  assert_bytes_equal(r.last_change, "2008-06-01T12:00:00Z");
  assert_bytes_equal(r.header.cache_key, "12r3:CACHEKEY_sample_0123456789");
  assert_true(r.header.cache_key_changed);
  assert_bytes_equal(r.header.preferred_host_name, "contacts.msn.com");
  assert_bytes_equal(r.header.version, "12.03.1527.0001");
  const Member* dave = find(r, "dave@example.com");
  assert_bytes_equal(dave->membership_ids.pending, "Pending/aaaaaaaa-0000-0000-0000-000000000004");
  assert_bytes_equal(dave->membership_ids.reverse, "Reverse/aaaaaaaa-0000-0000-0000-000000000004");
  assert_true(dave->membership_ids.allow.empty());
  const Member* bob = find(r, "bob@example.com");
  assert_bytes_equal(bob->membership_ids.allow, "Allow/aaaaaaaa-0000-0000-0000-000000000001");
  assert_bytes_equal(bob->address, "bob@example.com");
}

void test_compact_and_pretty_agree(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  const MembershipResult pretty = parse_ok(f);
  f.xml = t::compact(f.xml);
  assert_true(f.xml.find("\n\t") == std::string::npos);
  const MembershipResult& small = parse_ok(f);
  assert_int_equal(small.members.size(), pretty.members.size());
  for (std::size_t i = 0; i < small.members.size(); ++i) {
    assert_bytes_equal(small.members[i].address, pretty.members[i].address);
    assert_int_equal(msn::to_int(small.members[i].lists), msn::to_int(pretty.members[i].lists));
    assert_true(small.members[i].membership_ids == pretty.members[i].membership_ids);
  }
  assert_bytes_equal(small.last_change, pretty.last_change);
}

void test_other_prefixes(void** state) {
  Fixture& f = fx(state);
  // soap: -> S:, and the address book namespace bound to a prefix instead of the default.
  f.xml = msn::test::read_data_file(kVector);
  f.xml = t::replace_all(f.xml, "soap:", "S:");
  f.xml = t::replace_all(f.xml,
                         "<FindMembershipResponse xmlns=", "<q0:FindMembershipResponse xmlns:q0=");
  f.xml = t::replace_all(f.xml, "</FindMembershipResponse>", "</q0:FindMembershipResponse>");
  f.xml = t::replace_all(f.xml, "<Member xsi:type=\"PassportMember\">",
                         "<Member xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\" "
                         "i:type=\"q0:PassportMember\">");
  const MembershipResult& r = parse_ok(f);
  assert_int_equal(r.members.size(), 4);
  expect_member(r, "mallory@example.org", ListBits::kBlock | ListBits::kReverse);
}

// ---- member shapes -----------------------------------------------------------------------

void test_email_members_and_networks(void** state) {
  Fixture& f = fx(state);
  f.xml = membership_doc(membership(
      "Allow",
      "<Member xsi:type=\"EmailMember\"><Type>Email</Type><Email>yo@yahoo.com</Email>"
      "<Annotations><Annotation><Name>MSN.IM.BuddyType</Name><Value>32:</Value></Annotation>"
      "</Annotations></Member>"
      "<Member xsi:type=\"EmailMember\"><Type>Email</Type><Email>fed@corp.example</Email>"
      "<Annotations><Annotation><Name>MSN.IM.BuddyType</Name><Value>02:YAHOO</Value>"
      "</Annotation></Annotations></Member>"
      "<Member xsi:type=\"EmailMember\"><Type>Email</Type><Email>plain@mail.example</Email>"
      "</Member>"
      "<Member xsi:type=\"PhoneMember\"><Type>Phone</Type><PhoneNumber>5551234</PhoneNumber>"
      "</Member>"
      "<Member xsi:type=\"CircleMember\"><Type>Circle</Type><CircleId>1</CircleId></Member>"));
  const MembershipResult& r = parse_ok(f);
  assert_int_equal(r.members.size(), 3);
  expect_member(r, "yo@yahoo.com", ListBits::kAllow, Network::kYahoo);
  expect_member(r, "fed@corp.example", ListBits::kAllow, Network::kCommunicator);
  expect_member(r, "plain@mail.example", ListBits::kAllow, Network::kUnknown);
  // PhoneMember silently; the unknown member type with a note.
  assert_int_equal(r.notes.size(), 1);
  assert_true(r.notes[0].find("CircleMember") != std::string::npos);
}

void test_unknown_roles_invalid_addresses_duplicates(void** state) {
  Fixture& f = fx(state);
  f.xml = membership_doc(
      membership("ProfileExpanded", passport_member("someone@example.com")) +
      membership("Allow",
                 passport_member("Bob@Example.com") + passport_member("not-an-address") +
                     passport_member("two@@example.com") + passport_member("") +
                     passport_member("bob@example.COM", "<MembershipId>7</MembershipId>")) +
      membership("Block", passport_member("bob@example.com")) +
      membership("Reverse", passport_member("  carol@example.net  ")));
  const MembershipResult& r = parse_ok(f);
  assert_int_equal(r.members.size(), 2);
  expect_member(r, "bob@example.com", ListBits::kAllow | ListBits::kBlock);
  assert_bytes_equal(find(r, "bob@example.com")->address, "Bob@Example.com");  // first spelling
  assert_bytes_equal(find(r, "bob@example.com")->membership_ids.allow, "7");
  expect_member(r, "carol@example.net", ListBits::kReverse);  // surrounding space trimmed
  assert_null(find(r, "someone@example.com"));
  assert_int_equal(r.notes.size(), 3);  // three invalid addresses, each with a note
  assert_true(r.notes[0].find("not-an-address") != std::string::npos);
}

void test_role_after_members_and_pending_details(void** state) {
  Fixture& f = fx(state);
  f.xml = membership_doc(
      "<Membership><Members>" +
      passport_member("erin@example.com",
                      "<MembershipId>42</MembershipId><DisplayName>Erin &amp; Co</DisplayName>"
                      "<Annotations><Annotation><Name>MSN.IM.InviteMessage</Name>"
                      "<Value>Add me &lt;3</Value></Annotation></Annotations>") +
      "</Members><MemberRole>Pending</MemberRole></Membership>");
  const MembershipResult& r = parse_ok(f);
  expect_member(r, "erin@example.com", ListBits::kPending);
  const Member* erin = find(r, "erin@example.com");
  assert_bytes_equal(erin->membership_ids.pending, "42");
  assert_bytes_equal(erin->display_name, "Erin & Co");
  assert_bytes_equal(erin->invite_message, "Add me <3");
}

// A member's display name is bounded like a friendly name from the notification server.
void test_display_name_bounded(void** state) {
  Fixture& f = fx(state);
  std::string long_name;
  for (int i = 0; i < 300; ++i) long_name += "\xc3\xa9";  // é, two bytes each
  f.xml = membership_doc(membership(
      "Pending",
      passport_member("erin@example.com", "<DisplayName>" + long_name + "</DisplayName>")));
  const MembershipResult& r = parse_ok(f);
  const Member* erin = find(r, "erin@example.com");
  assert_non_null(erin);
  assert_bytes_equal(erin->display_name, long_name.substr(0, 2 * msn::wire::kMaxFriendlyNameChars));
}

void test_delta_deleted_members(void** state) {
  Fixture& f = fx(state);
  f.xml = membership_doc(
      membership("Allow", passport_member("bob@example.com", "<Deleted>true</Deleted>") +
                              passport_member("carol@example.net", "<Deleted>false</Deleted>")) +
          membership("Block", passport_member("bob@example.com")),
      "2008-06-03T00:00:00Z");
  const MembershipResult& r = parse_ok(f);
  const Member* bob = find(r, "bob@example.com");
  assert_int_equal(msn::to_int(bob->lists), msn::to_int(ListBits::kBlock));
  assert_int_equal(msn::to_int(bob->deleted_lists), msn::to_int(ListBits::kAllow));
  expect_member(r, "carol@example.net", ListBits::kAllow);
  assert_bytes_equal(r.last_change, "2008-06-03T00:00:00Z");
}

void test_only_the_messenger_service_counts(void** state) {
  Fixture& f = fx(state);
  const std::string other = "<Service><Memberships>" +
                            membership("Allow", passport_member("space@example.com")) +
                            "</Memberships><Info><Handle><Type>Space</Type></Handle></Info>"
                            "<LastChange>1999</LastChange></Service>";
  f.xml = t::replace_all(membership_doc(membership("Allow", passport_member("bob@example.com"))),
                         "<Services>", "<Services>" + other);
  const MembershipResult& r = parse_ok(f);
  assert_int_equal(r.members.size(), 1);
  expect_member(r, "bob@example.com", ListBits::kAllow);
  assert_bytes_equal(r.last_change, "X");
  // No Messenger service at all: an empty (valid) result.
  f.xml = t::soap_envelope("<FindMembershipResponse><FindMembershipResult><Services>" + other +
                           "</Services></FindMembershipResult></FindMembershipResponse>");
  assert_int_equal(parse_ok(f).members.size(), 0);
  f.xml = t::soap_envelope("<FindMembershipResponse/>");
  assert_int_equal(parse_ok(f).members.size(), 0);
}

// Members are merged per service as they are read; a second Messenger service (not seen from
// real servers, but legal) adds its roles to the first one's members.
void test_two_messenger_services_are_merged(void** state) {
  Fixture& f = fx(state);
  const std::string second = "<Service><Memberships>" +
                             membership("Reverse", passport_member("bob@example.com") +
                                                       passport_member("carol@example.com")) +
                             "</Memberships><Info><Handle><Type>Messenger</Type></Handle></Info>"
                             "<LastChange>Y</LastChange></Service>";
  f.xml =
      t::replace_all(membership_doc(membership("Allow", passport_member("bob@example.com") +
                                                            passport_member("BOB@example.com"))),
                     "</Service></Services>", "</Service>" + second + "</Services>");
  const MembershipResult& r = parse_ok(f);
  assert_int_equal(r.members.size(), 2);
  expect_member(r, "bob@example.com", ListBits::kAllow | ListBits::kReverse);
  expect_member(r, "carol@example.com", ListBits::kReverse);
  assert_bytes_equal(r.last_change, "Y");
}

// ---- faults and hostile input ------------------------------------------------------------

void expect_fault(Fixture& f, Errc code, AbFault kind) {
  expect_error(f, code);
  assert_int_equal(static_cast<int>(soap::ab_fault(f.result->error())), static_cast<int>(kind));
}

void test_faults(void** state) {
  Fixture& f = fx(state);
  f.xml = t::soap_fault("q0:BadContextToken", "Invalid context token");
  expect_fault(f, Errc::kAuth, AbFault::kTicketExpired);
  assert_true(f.result->error().detail.find("BadContextToken") != std::string::npos);
  f.xml = t::soap_fault("soap:Client", "Auth failed", "AuthenticationFailed");
  expect_fault(f, Errc::kAuth, AbFault::kTicketExpired);
  f.xml = t::soap_fault("soap:Client", "Address book does not exist", "ABDoesNotExist");
  expect_fault(f, Errc::kSoap, AbFault::kAbDoesNotExist);
  f.xml = t::soap_fault("soap:Client", "Full sync required.  Details: Delta syncs disabled.",
                        "FullSyncRequired");
  expect_fault(f, Errc::kSoap, AbFault::kFullSyncRequired);
  f.xml = t::soap_fault("soap:Server", "Internal error\nat line 3", "InternalError");
  expect_fault(f, Errc::kSoap, AbFault::kOther);
  const std::string& detail = f.result->error().detail;
  assert_true(detail.find("faultcode=soap:Server") != std::string::npos);
  assert_true(detail.find("errorcode=InternalError") != std::string::npos);
  assert_true(detail.find("Internal error at line 3") != std::string::npos);  // one line
  f.xml = t::soap_fault("soap:Client", "exists", "MemberAlreadyExists");
  expect_fault(f, Errc::kSoap, AbFault::kAlreadyExists);
  // Errors that are not faults.
  f.xml = "<not-soap/>";
  expect_fault(f, Errc::kSoap, AbFault::kNone);
  f.xml = t::soap_envelope("<ABFindAllResponse/>");
  expect_fault(f, Errc::kSoap, AbFault::kNone);
}

void test_fault_detail_is_bounded(void** state) {
  Fixture& f = fx(state);
  f.xml = t::soap_fault("soap:Client", std::string(5000, 'x'), "Whatever");
  expect_error(f, Errc::kSoap);
  assert_true(f.result->error().detail.size() < 400);
}

void test_truncated_at_every_point(void** state) {
  Fixture& f = fx(state);
  const std::string full = t::compact(msn::test::read_data_file(kVector));
  // Every cut of the compact vector must fail cleanly (or, at the very end, parse).
  for (std::size_t cut = 0; cut < full.size(); cut += 7) {
    f.xml = full.substr(0, cut);
    f.result = soap::parse_find_membership(f.xml);
    assert_false(f.result->is_ok());
    assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kSoap));
  }
}

void test_malformed_documents(void** state) {
  Fixture& f = fx(state);
  for (const char* bad : {"", "   ", "<", "<a>", "<a></b>", "just text", "<?xml version=\"1.0\"?>",
                          "<soap:Envelope><soap:Body></soap:Envelope>",
                          "<Envelope><Body>&unknown;</Body></Envelope>", "\xff\xfe<\x00"}) {
    f.xml = bad;
    expect_error(f, Errc::kSoap);
  }
}

void test_dtd_and_entity_attacks(void** state) {
  Fixture& f = fx(state);
  const std::string laughs =
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
      "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">]>"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Body>"
      "<FindMembershipResponse>&lol4;</FindMembershipResponse></soap:Body></soap:Envelope>";
  const auto start = std::chrono::steady_clock::now();
  f.xml = laughs;
  expect_error(f, Errc::kSoap);
  assert_true(f.result->error().detail.find("document type") != std::string::npos);
  f.xml =
      "<?xml version=\"1.0\"?><!DOCTYPE x SYSTEM \"file:///etc/passwd\">"
      "<x>&xxe;</x>";
  expect_error(f, Errc::kSoap);
  f.xml =
      "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
      "<soap:Envelope><soap:Body><FindMembershipResponse>&xxe;</FindMembershipResponse>"
      "</soap:Body></soap:Envelope>";
  expect_error(f, Errc::kSoap);
  assert_true(f.result->error().detail.find("root:") == std::string::npos);
  assert_true(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

void test_limits(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_bytes = 1000});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_items = 3});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  // Counted as written (8 Member elements), before duplicates merge into 4.
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_items = 7});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_items = 8});
  assert_true(f.result->is_ok());
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_depth = 6});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  f.result = soap::parse_find_membership(f.xml, soap::ParseLimits{.max_text_bytes = 16});
  assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(Errc::kLimit));
  // The text of elements the parser does not read (PassportId, CID) is not kept, but it is
  // still bounded and still checked, streamed or not.
  const std::string vector = f.xml;
  for (const auto& [from, to, code] :
       {std::tuple{"<PassportId>", "<PassportId>" + std::string(2000, 'p'), Errc::kLimit},
        std::tuple{"<CID>", std::string("<CID>&undeclared;"), Errc::kSoap},
        std::tuple{"<CID>", std::string("<CID><"), Errc::kSoap}}) {
    const std::string xml = t::replace_all(vector, from, to);
    // (Past a malformed spot the whole-document parser hands the rest over as text: only
    // the text limit case has a low limit.)
    const soap::ParseLimits limits{.max_text_bytes = code == Errc::kLimit ? 1000u : 1u << 20};
    f.result = soap::parse_find_membership(xml, limits);
    assert_false(f.result->is_ok());
    assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(code));
    soap::FindMembershipParser streamed(limits);
    msn::Status fed = msn::Status::ok();
    for (std::size_t at = 0; at < xml.size() && fed.is_ok(); at += 100)
      fed = streamed.feed(std::string_view(xml).substr(at, 100));
    f.result = fed.is_ok() ? streamed.finish() : Result<MembershipResult>(fed.error());
    assert_false(f.result->is_ok());
    assert_int_equal(static_cast<int>(f.result->error().code), static_cast<int>(code));
  }
  // Deep nesting well past libxml2's own guard costs nothing and fails cleanly.
  f.xml.clear();
  for (int i = 0; i < 5000; ++i) f.xml += "<a>";
  expect_error(f, Errc::kLimit);
}

// ---- requests ----------------------------------------------------------------------------

const soap::XmlDocument& parse_request(Fixture& f, const soap::SoapRequest& request) {
  f.doc = soap::XmlDocument::parse(request.body);
  if (!f.doc->is_ok()) {
    print_error("request does not parse: %s\n", f.doc->error().detail.c_str());
    fail();
  }
  return f.doc->value();
}

const msn::soap::AbCredentials kCreds{"t=tick&et<1>&p=pp\"", "12r1:KEY&"};

void test_find_membership_request(void** state) {
  Fixture& f = fx(state);
  const soap::SoapRequest full =
      soap::build_find_membership(kCreds, soap::PartnerScenario::kInitial);
  assert_bytes_equal(full.path, "/abservice/SharingService.asmx");
  assert_bytes_equal(full.soap_action, "http://www.msn.com/webservices/AddressBook/FindMembership");
  const soap::XmlDocument& doc = parse_request(f, full);
  f.text = t::text_at(doc, {"Header", "ABAuthHeader", "TicketToken"});
  assert_bytes_equal(f.text, "t=tick&et<1>&p=pp\"");
  assert_true(full.body.find("t=tick&amp;et&lt;1&gt;&amp;p=pp&quot;") != std::string::npos);
  f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "PartnerScenario"});
  assert_bytes_equal(f.text, "Initial");
  f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "CacheKey"});
  assert_bytes_equal(f.text, "12r1:KEY&");
  f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "ApplicationId"});
  assert_bytes_equal(f.text, "CFE80F9D-180F-4399-82AB-413F33A1FA11");
  xmlNode* types = soap::path(doc.root(), {"Body", "FindMembership", "serviceFilter", "Types"});
  assert_int_equal(soap::children(types, "ServiceType").size(), 5);
  assert_null(soap::path(doc.root(), {"Body", "FindMembership", "deltasOnly"}));

  const soap::SoapRequest delta = soap::build_find_membership(
      {"t=x&p=y", ""}, soap::PartnerScenario::kMessengerPendingList, "2008-06-01T12:00:00Z");
  const soap::XmlDocument& ddoc = parse_request(f, delta);
  f.text = t::text_at(ddoc, {"Body", "FindMembership", "lastChange"});
  assert_bytes_equal(f.text, "2008-06-01T12:00:00Z");
  f.text = t::text_at(ddoc, {"Body", "FindMembership", "deltasOnly"});
  assert_bytes_equal(f.text, "true");
  f.text = t::text_at(ddoc, {"Body", "FindMembership", "View"});
  assert_bytes_equal(f.text, "Full");
  f.text = t::text_at(ddoc, {"Header", "ABApplicationHeader", "PartnerScenario"});
  assert_bytes_equal(f.text, "MessengerPendingList");
  assert_null(soap::path(ddoc.root(), {"Header", "ABApplicationHeader", "CacheKey"}));
}

void test_add_and_delete_member_requests(void** state) {
  Fixture& f = fx(state);
  f.request = soap::build_add_member(kCreds, ListBits::kBlock, {.address = "bob&co@example.com"});
  assert_true(f.request->is_ok());
  assert_bytes_equal(f.request->value().soap_action,
                     "http://www.msn.com/webservices/AddressBook/AddMember");
  assert_bytes_equal(f.request->value().path, "/abservice/SharingService.asmx");
  {
    const soap::XmlDocument& doc = parse_request(f, f.request->value());
    xmlNode* ms = soap::path(doc.root(), {"Body", "AddMember", "memberships", "Membership"});
    f.text = soap::text(soap::child(ms, "MemberRole"));
    assert_bytes_equal(f.text, "Block");
    xmlNode* member = soap::path(ms, {"Members", "Member"});
    assert_bytes_equal(soap::attribute(member, "type"), "PassportMember");
    f.text = soap::text(soap::child(member, "PassportName"));
    assert_bytes_equal(f.text, "bob&co@example.com");
    f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "PartnerScenario"});
    assert_bytes_equal(f.text, "BlockUnblock");
    f.text = t::text_at(doc, {"Body", "AddMember", "serviceHandle", "Type"});
    assert_bytes_equal(f.text, "Messenger");
  }
  // A Yahoo member: EmailMember with the BuddyType annotation.
  f.request = soap::build_add_member(kCreds, ListBits::kAllow,
                                     {.address = "yo@yahoo.com", .network = Network::kYahoo});
  {
    const soap::XmlDocument& doc = parse_request(f, f.request->value());
    xmlNode* member = soap::find_descendant(doc.root(), "Member");
    assert_bytes_equal(soap::attribute(member, "type"), "EmailMember");
    f.text = soap::text(soap::child(member, "Email"));
    assert_bytes_equal(f.text, "yo@yahoo.com");
    f.text = soap::text(soap::path(member, {"Annotations", "Annotation", "Value"}));
    assert_bytes_equal(f.text, "32:");
  }
  // Accepting: Reverse by ContactMsgrAPI; deleting Pending by membership id.
  f.request = soap::build_add_member(kCreds, ListBits::kReverse, {.address = "dave@example.com"});
  {
    const soap::XmlDocument& doc = parse_request(f, f.request->value());
    f.text = t::text_at(doc, {"Header", "ABApplicationHeader", "PartnerScenario"});
    assert_bytes_equal(f.text, "ContactMsgrAPI");
  }
  f.request = soap::build_delete_member(
      kCreds, ListBits::kPending, {.address = "dave@example.com", .membership_id = "Pending/4"});
  {
    const soap::XmlDocument& doc = parse_request(f, f.request->value());
    assert_bytes_equal(f.request->value().soap_action,
                       "http://www.msn.com/webservices/AddressBook/DeleteMember");
    xmlNode* member = soap::find_descendant(doc.root(), "Member");
    f.text = soap::text(soap::child(member, "MembershipId"));
    assert_bytes_equal(f.text, "Pending/4");
    assert_null(soap::child(member, "PassportName"));
    f.text = t::text_at(doc, {"Body", "DeleteMember", "memberships", "Membership", "MemberRole"});
    assert_bytes_equal(f.text, "Pending");
  }
  // Invalid requests.
  f.request = soap::build_add_member(kCreds, ListBits::kForward, {.address = "bob@example.com"});
  assert_int_equal(static_cast<int>(f.request->error().code),
                   static_cast<int>(Errc::kInvalidArgument));
  f.request = soap::build_add_member(kCreds, ListBits::kAllow | ListBits::kBlock,
                                     {.address = "bob@example.com"});
  assert_false(f.request->is_ok());
  f.request = soap::build_add_member(kCreds, ListBits::kAllow, {.address = "bob"});
  assert_false(f.request->is_ok());
  f.request = soap::build_add_member(kCreds, ListBits::kAllow,
                                     {.address = "", .membership_id = "5"});  // ids: delete only
  assert_false(f.request->is_ok());
}

void test_member_change_responses(void** state) {
  Fixture& f = fx(state);
  f.xml =
      t::soap_envelope("<AddMemberResponse xmlns=\"http://www.msn.com/webservices/AddressBook\"/>",
                       "<ServiceHeader><CacheKey>k2</CacheKey><CacheKeyChanged>true"
                       "</CacheKeyChanged></ServiceHeader>");
  f.operation = soap::parse_operation_response(f.xml, "AddMember");
  assert_true(f.operation->is_ok());
  assert_bytes_equal(f.operation->value().header.cache_key, "k2");
  assert_true(f.operation->value().guid.empty());
  f.operation = soap::parse_operation_response(f.xml, "DeleteMember");
  assert_false(f.operation->is_ok());
  f.xml = t::soap_fault("soap:Client", "Member already exists", "MemberAlreadyExists");
  f.operation = soap::parse_operation_response(f.xml, "AddMember");
  assert_int_equal(static_cast<int>(soap::ab_fault(f.operation->error())),
                   static_cast<int>(AbFault::kAlreadyExists));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_vector_lists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_display_name_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vector_ids_and_headers, setup, teardown),
      cmocka_unit_test_setup_teardown(test_compact_and_pretty_agree, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_prefixes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_email_members_and_networks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_roles_invalid_addresses_duplicates, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_role_after_members_and_pending_details, setup, teardown),
      cmocka_unit_test_setup_teardown(test_delta_deleted_members, setup, teardown),
      cmocka_unit_test_setup_teardown(test_only_the_messenger_service_counts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_two_messenger_services_are_merged, setup, teardown),
      cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fault_detail_is_bounded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_truncated_at_every_point, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed_documents, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dtd_and_entity_attacks, setup, teardown),
      cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_find_membership_request, setup, teardown),
      cmocka_unit_test_setup_teardown(test_add_and_delete_member_requests, setup, teardown),
      cmocka_unit_test_setup_teardown(test_member_change_responses, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
