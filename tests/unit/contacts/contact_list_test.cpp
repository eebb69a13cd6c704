// SPDX-License-Identifier: GPL-2.0-or-later
// The account's contact list (session/contact_list.h): the merge of the two vectors and its
// initial ADL, generated 100- and 5,000-contact books (pretty and compact) checked against the
// generator's truth, deltas, server ADL/RML and local changes.
#include "session/contact_list.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "book_generator.h"
#include "contacts_test_util.h"
#include "soap/address_book.h"
#include "soap/membership.h"
#include "wire/adl.h"
#include "cmocka_cpp.h"

namespace {

using msn::Contact;
using msn::ContactList;
using msn::Group;
using msn::ListBits;
using msn::ListChanges;
using msn::Network;
using msn::Result;
namespace soap = msn::soap;
namespace wire = msn::wire;
namespace t = msn::test;

using namespace msn::test::list_bits;

constexpr std::string_view kFriends = "7bd6a7a1-5f3e-4f7a-9a61-0c2f6a1d0e01";

struct Fixture {
  ContactList list;
  std::optional<Result<soap::MembershipResult>> membership;
  std::optional<Result<soap::AddressBookResult>> book;
  std::optional<Result<std::vector<wire::MlContact>>> parsed;
  std::vector<std::string> payloads;
  t::GenBook gen;
  std::string xml, text;
  ListChanges changes;
};

// CMocka fixtures through the shared owned_setup / owned_teardown / fixture templates.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;

Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

void parse_both(Fixture& f, std::string_view membership_xml, std::string_view book_xml) {
  f.membership = soap::parse_find_membership(membership_xml);
  if (!f.membership->is_ok()) {
    print_error("FindMembership: %s\n", f.membership->error().detail.c_str());
    fail();
  }
  f.book = soap::parse_ab_find_all(book_xml);
  if (!f.book->is_ok()) {
    print_error("ABFindAll: %s\n", f.book->error().detail.c_str());
    fail();
  }
}

void load_vectors(Fixture& f) {
  parse_both(f, msn::test::read_data_file("vectors/findmembership-response.xml"),
             msn::test::read_data_file("vectors/abfindall-response.xml"));
  f.list.load(f.membership->value(), f.book->value());
}

const Contact& expect_contact(const ContactList& list, std::string_view address, ListBits lists) {
  const Contact* c = list.find(address);
  if (c == nullptr) {
    print_error("no contact %.*s\n", static_cast<int>(address.size()), address.data());
    fail();
  }
  if (c->lists != lists)
    print_error("%.*s: [%s], expected [%s]\n", static_cast<int>(address.size()), address.data(),
                t::lists_string(c->lists).c_str(), t::lists_string(lists).c_str());
  assert_int_equal(msn::to_int(c->lists), msn::to_int(lists));
  return *c;
}

bool contains(const std::vector<std::string>& values, std::string_view value) {
  for (const std::string& v : values)
    if (v == value) return true;
  return false;
}

// ---- the vectors -------------------------------------------------------------------------

void test_vectors_merge(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  assert_int_equal(f.list.size(), 4);
  const Contact& bob = expect_contact(f.list, "bob@example.com", FL | AL | RL);
  assert_bytes_equal(bob.contact_id, "aaaaaaaa-0000-0000-0000-000000000001");
  assert_bytes_equal(bob.display_name, "Bob");
  assert_int_equal(bob.group_ids.size(), 1);
  assert_bytes_equal(bob.group_ids[0], kFriends);
  const Contact& carol = expect_contact(f.list, "carol@example.net", FL | AL | RL);
  assert_true(carol.group_ids.empty());
  expect_contact(f.list, "mallory@example.org", BL | RL);
  const Contact& dave = expect_contact(f.list, "dave@example.com", RL | PL);
  assert_true(dave.contact_id.empty());
  assert_bytes_equal(dave.membership_ids.pending, "Pending/aaaaaaaa-0000-0000-0000-000000000004");
  assert_int_equal(f.list.group_count(), 1);
  assert_bytes_equal(f.list.find_group(kFriends)->name, "Friends");
  assert_bytes_equal(f.list.find_group_by_name("Friends")->id, kFriends);
  assert_bytes_equal(f.list.find_by_contact_id("AAAAAAAA-0000-0000-0000-000000000002")->passport,
                     "carol@example.net");
  assert_bytes_equal(f.list.membership_last_change(), "2008-06-01T12:00:00Z");
  assert_bytes_equal(f.list.address_book_last_change(), "2008-06-01T12:00:00Z");
  assert_bytes_equal(f.list.cache_key(), "12r3:CACHEKEY_sample_0123456789");
  assert_bytes_equal(f.list.preferred_host(), "contacts.msn.com");
  assert_true(f.list.unknown_network_addresses().empty());
}

void test_vectors_initial_adl(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  f.payloads = f.list.initial_adl();
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], t::kVectorInitialAdl);
}

void test_empty_account(void** state) {
  Fixture& f = fx(state);
  parse_both(f, t::soap_envelope("<FindMembershipResponse/>"),
             t::soap_envelope("<ABFindAllResponse/>"));
  f.list.load(f.membership->value(), f.book->value());
  assert_int_equal(f.list.size(), 0);
  f.payloads = f.list.initial_adl();
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], "<ml l=\"1\"></ml>");
}

// ---- generated books ---------------------------------------------------------------------

unsigned announced(ListBits lists) {
  unsigned l = msn::to_int(lists) & 7u;
  if (l & 4u) l &= ~2u;
  return l;
}

// Everything the generator put in the book is in the list, exactly.
void check_against_truth(Fixture& f) {
  const t::GenBook& gen = f.gen;
  assert_int_equal(f.list.size(), gen.contacts.size());
  assert_int_equal(f.list.group_count(), gen.groups.size());
  assert_bytes_equal(f.list.own_display_name(), gen.owner_display_name);
  for (const Group& g : gen.groups) {
    const Group* got = f.list.find_group(g.id);
    assert_non_null(got);
    assert_bytes_equal(got->name, g.name);
  }
  std::size_t multi_group = 0;
  for (const t::GenContact& want : gen.contacts) {
    const Contact& got = expect_contact(f.list, want.address, want.lists);
    assert_bytes_equal(got.passport, want.address);
    assert_int_equal(msn::to_int(got.network), msn::to_int(want.network));
    assert_bytes_equal(got.display_name, t::gen_bounded_name(want.display_name));
    assert_bytes_equal(got.nickname, t::gen_bounded_name(want.nickname));
    assert_bytes_equal(got.contact_id, want.contact_id);
    assert_int_equal(got.group_ids.size(), want.group_ids.size());
    for (std::size_t i = 0; i < want.group_ids.size(); ++i)
      assert_bytes_equal(got.group_ids[i], want.group_ids[i]);
    if (want.group_ids.size() > 1) ++multi_group;
    if (!want.contact_id.empty()) assert_true(f.list.find_by_contact_id(want.contact_id) == &got);
  }
  assert_true(multi_group > 0 || gen.contacts.size() < 4);

  // The initial ADL announces exactly the FL/AL/BL bits (AL dropped under BL), in batches
  // within the limits.
  f.payloads = f.list.initial_adl();
  std::map<std::string, unsigned> seen;
  for (const std::string& payload : f.payloads) {
    assert_true(payload.size() <= 7500);
    f.parsed = wire::parse_ml(payload);
    assert_true(f.parsed->is_ok());
    assert_true(f.parsed->value().size() <= 150);
    for (const wire::MlContact& c : f.parsed->value()) {
      assert_int_equal(msn::to_int(c.network), msn::to_int(f.list.find(c.address)->network));
      assert_true(seen.emplace(msn::ascii::to_lower(c.address), msn::to_int(c.lists)).second);
    }
  }
  std::size_t expected = 0;
  for (const t::GenContact& want : gen.contacts) {
    const unsigned l = announced(want.lists);
    if (l == 0) continue;
    ++expected;
    const auto it = seen.find(msn::ascii::to_lower(want.address));
    assert_true(it != seen.end());
    assert_int_equal(it->second, l);
  }
  assert_int_equal(seen.size(), expected);
}

void load_generated(Fixture& f, std::size_t n, bool pretty) {
  f.gen = t::make_book(n);
  f.xml = t::find_membership_xml(f.gen, pretty);
  f.text = t::ab_find_all_xml(f.gen, pretty);
  parse_both(f, f.xml, f.text);
  f.list.load(f.membership->value(), f.book->value());
}

void test_generated_small_pretty_and_compact(void** state) {
  Fixture& f = fx(state);
  load_generated(f, 100, true);
  check_against_truth(f);
  // The non-Messenger service's member is not on any list.
  assert_null(f.list.find("space-only@example.com"));
  assert_bytes_equal(f.list.membership_last_change(), "2008-06-02T10:00:00.5-07:00");
  assert_bytes_equal(f.list.address_book_last_change(), "2008-06-02T10:00:01.25-07:00");
  const std::vector<std::string> pretty_adl = f.list.initial_adl();
  load_generated(f, 100, false);
  check_against_truth(f);
  assert_true(f.list.initial_adl() == pretty_adl);
}

void test_generated_5000(void** state) {
  Fixture& f = fx(state);
  const auto start = std::chrono::steady_clock::now();
  load_generated(f, 5000, true);
  f.payloads = f.list.initial_adl();
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // Generous for sanitizer builds; tests/bench measures the real cost.
  assert_true(elapsed < std::chrono::seconds(10));
  assert_true(f.payloads.size() >= 5000 * 9 / 10 / 150);
  check_against_truth(f);
  std::size_t blocked = 0, pending = 0, yahoo = 0;
  for (const Contact* c : f.list.contacts()) {
    blocked += c->on(BL) ? 1 : 0;
    pending += c->on(PL) ? 1 : 0;
    yahoo += c->network == Network::kYahoo ? 1 : 0;
  }
  assert_int_equal(blocked, 1000);
  assert_int_equal(pending, 100);
  assert_int_equal(yahoo, 200);
  assert_true(f.membership->value().notes.empty());
  assert_true(f.book->value().notes.empty());
}

// ---- deltas ------------------------------------------------------------------------------

std::string ab_delta(std::string_view groups, std::string_view contacts) {
  return t::soap_envelope("<ABFindAllResponse><ABFindAllResult><groups>" + std::string(groups) +
                          "</groups><contacts>" + std::string(contacts) +
                          "</contacts><ab><lastChange>L2</lastChange></ab></ABFindAllResult>"
                          "</ABFindAllResponse>");
}

std::string membership_delta(std::string_view memberships) {
  return t::soap_envelope(
      "<FindMembershipResponse><FindMembershipResult><Services><Service><Memberships>" +
      std::string(memberships) +
      "</Memberships><Info><Handle><Type>Messenger</Type></Handle></Info><LastChange>M2"
      "</LastChange></Service></Services></FindMembershipResult></FindMembershipResponse>");
}

std::string role(std::string_view name, std::string_view address, bool deleted = false) {
  return "<Membership><MemberRole>" + std::string(name) +
         "</MemberRole><Members>"
         "<Member xsi:type=\"PassportMember\"><PassportName>" +
         std::string(address) + "</PassportName><Deleted>" + (deleted ? "true" : "false") +
         "</Deleted></Member></Members></Membership>";
}

void apply_ab(Fixture& f, const std::string& xml) {
  f.book = soap::parse_ab_find_all(xml);
  if (!f.book->is_ok()) {
    print_error("ABFindAll: %s\n", f.book->error().detail.c_str());
    fail();
  }
  f.changes = f.list.apply_address_book_delta(f.book->value());
}

void apply_membership(Fixture& f, const std::string& xml) {
  f.membership = soap::parse_find_membership(xml);
  if (!f.membership->is_ok()) {
    print_error("FindMembership: %s\n", f.membership->error().detail.c_str());
    fail();
  }
  f.changes = f.list.apply_membership_delta(f.membership->value());
}

// The lower-cased addresses of `contacts`, in their order.
std::vector<std::string> keys_of(const std::vector<const Contact*>& contacts) {
  std::vector<std::string> keys;
  for (const Contact* c : contacts) keys.push_back(msn::ascii::to_lower(c->passport));
  return keys;
}

// A walk a few contacts at a time meets every contact once, in address order, while contacts
// come and go between the parts: those removed ahead of it (the one it stopped on included)
// are left out, those added ahead of it are met in their place, those added behind it are not.
void test_walk_in_parts_with_changes(void** state) {
  Fixture& f = fx(state);
  load_generated(f, 500, true);
  const std::vector<std::string> before = keys_of(f.list.contacts());
  assert_int_equal(before.size(), f.list.size());
  assert_true(std::is_sorted(before.begin(), before.end()));
  assert_true(std::adjacent_find(before.begin(), before.end()) == before.end());

  msn::ContactWalk walk;
  std::vector<std::string> met;
  std::set<std::string> removed_ahead, added_ahead;
  std::size_t parts = 0;
  while (!walk.finished) {
    const std::vector<std::string> part = keys_of(f.list.next_contacts(walk, 7));
    assert_true(part.size() <= 7);
    met.insert(met.end(), part.begin(), part.end());
    if (++parts % 5 != 0 || walk.finished) continue;
    // Behind the walk: added, and one already met removed (it stays met).
    const std::string behind = "aaa" + std::to_string(parts) + "@behind.example";
    assert_true(f.list.add_to_lists(behind, Network::kPassport, RL));
    // The contact the walk stopped on (met already) and the next one of the book: removed.
    assert_true(f.list.remove_from_lists(walk.last, f.list.find(walk.last)->lists));
    const auto ahead = std::upper_bound(before.begin(), before.end(), walk.last);
    if (ahead != before.end() && f.list.find(*ahead) != nullptr) {
      assert_true(f.list.remove_from_lists(*ahead, f.list.find(*ahead)->lists));
      removed_ahead.insert(*ahead);
    }
    // Ahead of the walk: added, right after where it stopped.
    const std::string added = walk.last + "x";
    if (f.list.find(added) == nullptr && msn::is_valid_address(added)) {
      assert_true(f.list.add_to_lists(added, Network::kPassport, FL));
      added_ahead.insert(added);
    }
  }
  assert_true(parts > 500 / 7);
  assert_true(std::is_sorted(met.begin(), met.end()));
  assert_true(std::adjacent_find(met.begin(), met.end()) == met.end());
  std::vector<std::string> expected;
  for (const std::string& key : before)
    if (removed_ahead.count(key) == 0) expected.push_back(key);
  expected.insert(expected.end(), added_ahead.begin(), added_ahead.end());
  std::sort(expected.begin(), expected.end());
  assert_false(removed_ahead.empty());
  assert_false(added_ahead.empty());
  assert_true(met == expected);
  // A finished walk stays finished; the next walk sees the list as it is now.
  assert_true(f.list.next_contacts(walk, 7).empty());
  msn::ContactWalk again;
  assert_true(keys_of(f.list.next_contacts(again, f.list.size())) == keys_of(f.list.contacts()));
  assert_true(again.finished);
}

// A copy has an index of its own: it walks its own contacts after the original is gone.
void test_copy_walks_its_own_contacts(void** state) {
  Fixture& f = fx(state);
  load_generated(f, 100, true);
  const std::vector<std::string> keys = keys_of(f.list.contacts());
  auto original = std::make_unique<ContactList>(f.list);
  ContactList copy = *original;
  ContactList assigned;
  assigned = *original;
  original.reset();
  for (const ContactList* list : {&copy, &assigned}) {
    msn::ContactWalk walk;
    std::vector<std::string> met;
    while (!walk.finished) {
      const std::vector<std::string> part = keys_of(list->next_contacts(walk, 9));
      met.insert(met.end(), part.begin(), part.end());
    }
    assert_true(met == keys);
  }
}

void test_address_book_delta(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  apply_ab(
      f,
      ab_delta("<Group><groupId>W1</groupId><groupInfo><name>Work</name></groupInfo></Group>"
               "<Group><groupId>" +
                   std::string(kFriends) + "</groupId><fDeleted>true</fDeleted></Group>",
               // erin is new, in Work; bob changed name, nickname and groups; carol deleted.
               "<Contact><contactId>E1</contactId><contactInfo><passportName>erin@example.com"
               "</passportName><displayName>Erin</displayName><groupIds><guid>W1</"
               "guid><guid>nogroup</guid>"
               "</groupIds></contactInfo></Contact>"
               "<Contact><contactId>aaaaaaaa-0000-0000-0000-000000000001</contactId><contactInfo>"
               "<passportName>bob@example.com</passportName><displayName>Bobby</displayName>"
               "<annotations><Annotation><Name>AB.NickName</Name><Value>B</Value></Annotation>"
               "</annotations><groupIds><guid>" +
                   std::string(kFriends) +
                   "</guid><guid>w1</guid>"
                   "</groupIds></contactInfo></Contact>"
                   "<Contact><contactId>aaaaaaaa-0000-0000-0000-000000000002</contactId>"
                   "<fDeleted>true</fDeleted></Contact>"));
  const Contact& erin = expect_contact(f.list, "erin@example.com", FL);
  assert_int_equal(erin.group_ids.size(), 1);
  assert_bytes_equal(erin.group_ids[0], "W1");
  const Contact& bob = expect_contact(f.list, "bob@example.com", FL | AL | RL);
  assert_bytes_equal(bob.display_name, "Bobby");
  assert_bytes_equal(bob.nickname, "B");
  assert_int_equal(bob.group_ids.size(), 1);  // Friends is gone
  assert_bytes_equal(bob.group_ids[0], "w1");
  // carol left the address book but stays allowed (and on RL).
  const Contact& carol = expect_contact(f.list, "carol@example.net", AL | RL);
  assert_true(carol.contact_id.empty());
  assert_null(f.list.find_by_contact_id("aaaaaaaa-0000-0000-0000-000000000002"));
  assert_null(f.list.find_group(kFriends));
  assert_non_null(f.list.find_group("w1"));
  assert_bytes_equal(f.list.address_book_last_change(), "L2");
  assert_true(contains(f.changes.contacts_changed, "erin@example.com"));
  assert_true(contains(f.changes.contacts_changed, "bob@example.com"));
  assert_true(contains(f.changes.contacts_changed, "carol@example.net"));
  assert_false(contains(f.changes.contacts_changed, "mallory@example.org"));
  assert_true(f.changes.contacts_removed.empty());
  assert_true(contains(f.changes.groups_changed, "W1"));
  assert_true(contains(f.changes.groups_removed, std::string(kFriends)));
  // The ADL after the delta reflects it.
  f.payloads = f.list.initial_adl();
  assert_bytes_equal(f.payloads[0],
                     "<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\" />"
                     "<c n=\"erin\" l=\"1\" t=\"1\" /></d><d n=\"example.net\">"
                     "<c n=\"carol\" l=\"2\" t=\"1\" /></d><d n=\"example.org\">"
                     "<c n=\"mallory\" l=\"4\" t=\"1\" /></d></ml>");

  // erin leaves the address book: she was only on FL, so she is gone.
  apply_ab(f,
           ab_delta("", "<Contact><contactId>e1</contactId><fDeleted>true</fDeleted></Contact>"));
  assert_null(f.list.find("erin@example.com"));
  assert_true(contains(f.changes.contacts_removed, "erin@example.com"));
  // An unchanged repeat reports nothing.
  apply_ab(f, ab_delta("", ""));
  assert_true(f.changes.empty());
}

void test_membership_delta(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  apply_membership(f, membership_delta(role("Block", "mallory@example.org", true) +
                                       role("Pending", "dave@example.com", true) +
                                       role("Allow", "dave@example.com") +
                                       role("Reverse", "frank@example.com")));
  expect_contact(f.list, "mallory@example.org", RL);
  const Contact& dave = expect_contact(f.list, "dave@example.com", AL | RL);
  assert_true(dave.membership_ids.pending.empty());
  expect_contact(f.list, "frank@example.com", RL);
  assert_bytes_equal(f.list.membership_last_change(), "M2");
  assert_true(contains(f.changes.contacts_changed, "mallory@example.org"));
  assert_true(contains(f.changes.contacts_changed, "frank@example.com"));
  // Everything removed: the contact goes.
  apply_membership(f, membership_delta(role("Reverse", "frank@example.com", true) +
                                       role("Reverse", "mallory@example.org", true)));
  assert_null(f.list.find("frank@example.com"));
  assert_null(f.list.find("mallory@example.org"));
  assert_true(contains(f.changes.contacts_removed, "frank@example.com"));
  assert_true(contains(f.changes.contacts_removed, "mallory@example.org"));
}

void test_address_change_by_contact_id(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  // carol's contact id now carries another address: the old entry leaves FL.
  apply_ab(f, ab_delta("",
                       "<Contact><contactId>aaaaaaaa-0000-0000-0000-000000000002</contactId>"
                       "<contactInfo><passportName>caroline@example.net</passportName>"
                       "</contactInfo></Contact>"));
  expect_contact(f.list, "carol@example.net", AL | RL);
  expect_contact(f.list, "caroline@example.net", FL);
  assert_bytes_equal(f.list.find_by_contact_id("aaaaaaaa-0000-0000-0000-000000000002")->passport,
                     "caroline@example.net");
}

void test_changes_report_the_final_state(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  apply_ab(f,
           ab_delta("<Group><groupId>W1</groupId><groupInfo><name>Work</name></groupInfo></Group>",
                    "<Contact><contactId>E1</contactId><contactInfo><passportName>erin@example.com"
                    "</passportName></contactInfo></Contact>"));
  assert_true(contains(f.changes.contacts_changed, "erin@example.com"));
  // In one update erin is renamed, then her contact id moves to another address: she ends up
  // removed, and is reported only as removed. A group renamed and deleted at once is removed.
  apply_ab(f,
           ab_delta("<Group><groupId>W1</groupId><groupInfo><name>Work 2</name></groupInfo>"
                    "</Group><Group><groupId>w1</groupId><fDeleted>true</fDeleted></Group>",
                    "<Contact><contactId>E1</contactId><contactInfo><passportName>erin@example.com"
                    "</passportName><displayName>Erin 2</displayName></contactInfo></Contact>"
                    "<Contact><contactId>E1</contactId><contactInfo><passportName>"
                    "erin2@example.com</passportName></contactInfo></Contact>"));
  assert_null(f.list.find("erin@example.com"));
  expect_contact(f.list, "erin2@example.com", FL);
  assert_true(contains(f.changes.contacts_removed, "erin@example.com"));
  assert_false(contains(f.changes.contacts_changed, "erin@example.com"));
  assert_true(contains(f.changes.contacts_changed, "erin2@example.com"));
  assert_true(contains(f.changes.groups_removed, "w1"));
  assert_true(f.changes.groups_changed.empty());
  assert_null(f.list.find_group("W1"));
}

// ---- single changes ----------------------------------------------------------------------

void test_server_adl_rml_and_local_changes(void** state) {
  Fixture& f = fx(state);
  load_vectors(f);
  // ADL 0: erin added us.
  f.parsed = wire::parse_ml(
      "<ml l=\"1\"><d n=\"example.com\"><c n=\"erin\" l=\"8\" t=\"1\" f=\"Erin\" /></d></ml>");
  for (const wire::MlContact& c : f.parsed->value())
    assert_true(f.list.add_to_lists(c.address, c.network, c.lists, c.friendly_name));
  const Contact& erin = expect_contact(f.list, "ERIN@example.com", RL);
  assert_bytes_equal(erin.display_name, "Erin");
  assert_false(f.list.add_to_lists("erin@example.com", Network::kPassport, RL));  // no change
  assert_false(f.list.add_to_lists("bad", Network::kPassport, RL));
  // Accept: FL and AL.
  assert_true(f.list.add_to_lists("erin@example.com", Network::kPassport, FL | AL));
  assert_true(f.list.set_contact_id("erin@example.com", "E-ID"));
  assert_bytes_equal(f.list.find_by_contact_id("e-id")->passport, "erin@example.com");
  assert_true(f.list.add_contact_to_group("erin@example.com", kFriends));
  assert_true(f.list.add_contact_to_group("erin@example.com", kFriends));  // idempotent
  assert_int_equal(f.list.find("erin@example.com")->group_ids.size(), 1);
  assert_false(f.list.add_contact_to_group("erin@example.com", "no-such-group"));
  assert_true(f.list.set_nickname("erin@example.com", "E"));
  assert_true(f.list.set_display_name("erin@example.com", "Erin E."));
  assert_false(f.list.set_nickname("nobody@example.com", "x"));
  // Block bob: RML AL, ADL BL.
  assert_true(f.list.remove_from_lists("bob@example.com", AL));
  assert_true(f.list.add_to_lists("bob@example.com", Network::kPassport, BL));
  expect_contact(f.list, "bob@example.com", FL | BL | RL);
  // Delete carol from FL: she loses her address book data but stays allowed.
  assert_true(f.list.remove_from_lists("carol@example.net", FL));
  const Contact& carol = expect_contact(f.list, "carol@example.net", AL | RL);
  assert_true(carol.contact_id.empty() && carol.group_ids.empty());
  assert_null(f.list.find_by_contact_id("aaaaaaaa-0000-0000-0000-000000000002"));
  // RML 0: dave removed us; nothing else keeps him.
  assert_true(f.list.remove_from_lists("dave@example.com", RL | PL));
  assert_null(f.list.find("dave@example.com"));
  assert_false(f.list.remove_from_lists("dave@example.com", RL));
  // Groups.
  f.list.add_group(Group{"G2", "Two"});
  f.list.add_group(Group{"g2", "Two renamed"});
  assert_int_equal(f.list.group_count(), 2);
  assert_bytes_equal(f.list.find_group("G2")->name, "Two renamed");
  assert_true(f.list.remove_contact_from_group("bob@example.com", kFriends));
  assert_false(f.list.remove_contact_from_group("bob@example.com", kFriends));
  assert_true(f.list.remove_group(kFriends));
  assert_true(f.list.find("erin@example.com")->group_ids.empty());
  assert_false(f.list.remove_group(kFriends));
  // The ADL reflects all of it, deterministic and sorted.
  f.payloads = f.list.initial_adl();
  assert_bytes_equal(f.payloads[0],
                     "<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"5\" t=\"1\" />"
                     "<c n=\"erin\" l=\"3\" t=\"1\" /></d><d n=\"example.net\">"
                     "<c n=\"carol\" l=\"2\" t=\"1\" /></d><d n=\"example.org\">"
                     "<c n=\"mallory\" l=\"4\" t=\"1\" /></d></ml>");
  // contacts() is sorted by lower-cased address.
  const std::vector<const Contact*> all = f.list.contacts();
  assert_int_equal(all.size(), 4);
  assert_bytes_equal(all[0]->passport, "bob@example.com");
  assert_bytes_equal(all[3]->passport, "mallory@example.org");
}

void test_unknown_networks_and_headers(void** state) {
  Fixture& f = fx(state);
  parse_both(f,
             membership_delta("<Membership><MemberRole>Allow</MemberRole><Members>"
                              "<Member xsi:type=\"EmailMember\"><Email>fed@corp.example</Email>"
                              "</Member><Member xsi:type=\"EmailMember\"><Email>yo@yahoo.com"
                              "</Email><Annotations><Annotation><Name>MSN.IM.BuddyType</Name>"
                              "<Value>32:</Value></Annotation></Annotations></Member></Members>"
                              "</Membership>"),
             ab_delta("",
                      "<Contact><contactId>Y</contactId><contactInfo><emails><ContactEmail>"
                      "<email>yo@yahoo.com</email><isMessengerEnabled>true</isMessengerEnabled>"
                      "</ContactEmail></emails></contactInfo></Contact>"));
  f.list.load(f.membership->value(), f.book->value());
  // yo: the address book did not know the network, the membership did.
  expect_contact(f.list, "yo@yahoo.com", FL | AL);
  assert_int_equal(msn::to_int(f.list.find("yo@yahoo.com")->network), 32);
  assert_int_equal(msn::to_int(f.list.find("fed@corp.example")->network), 0);
  const std::vector<std::string> unknown = f.list.unknown_network_addresses();
  assert_int_equal(unknown.size(), 1);
  assert_bytes_equal(unknown[0], "fed@corp.example");
  f.payloads = f.list.initial_adl();
  assert_bytes_equal(f.payloads[0],
                     "<ml l=\"1\"><d n=\"yahoo.com\"><c n=\"yo\" l=\"3\" t=\"32\" /></d></ml>");
  // Service headers: a key that did not change is not taken.
  f.list.note_service_header({.cache_key = "ignored", .cache_key_changed = false});
  assert_true(f.list.cache_key().empty());
  f.list.note_service_header({.cache_key = "k1",
                              .cache_key_changed = true,
                              .preferred_host_name = "byrdr.omega.contacts.msn.com"});
  assert_bytes_equal(f.list.cache_key(), "k1");
  assert_bytes_equal(f.list.preferred_host(), "byrdr.omega.contacts.msn.com");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_vectors_merge, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vectors_initial_adl, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_account, setup, teardown),
      cmocka_unit_test_setup_teardown(test_generated_small_pretty_and_compact, setup, teardown),
      cmocka_unit_test_setup_teardown(test_generated_5000, setup, teardown),
      cmocka_unit_test_setup_teardown(test_walk_in_parts_with_changes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_copy_walks_its_own_contacts, setup, teardown),
      cmocka_unit_test_setup_teardown(test_address_book_delta, setup, teardown),
      cmocka_unit_test_setup_teardown(test_membership_delta, setup, teardown),
      cmocka_unit_test_setup_teardown(test_address_change_by_contact_id, setup, teardown),
      cmocka_unit_test_setup_teardown(test_changes_report_the_final_state, setup, teardown),
      cmocka_unit_test_setup_teardown(test_server_adl_rml_and_local_changes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_networks_and_headers, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
