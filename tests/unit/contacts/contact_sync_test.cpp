// SPDX-License-Identifier: GPL-2.0-or-later
// The contact list, presence and profile in the whole engine (Client): the sign-in's list
// fetch (both calls at once, a generated 5,000-contact book, deltas against the cache, the
// fallbacks), every kind of intent with its SOAP calls, ADL/RML and events, faults and ticket
// renewal, the server's notices and error replies.
#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "session/contact_cache.h"
#include "runtime/client.h"
#include "soap/address_book.h"
#include "soap/membership.h"
#include "wire/adl.h"
#include "book_generator.h"
#include "contacts_session.h"
#include "contacts_test_util.h"

namespace {

using msn::ConnectionId;
using msn::Errc;
using msn::ListBits;
using msn::PresenceStatus;
namespace ev = msn::ev;
namespace t = msn::test;

using namespace msn::test::list_bits;

constexpr std::string_view kNs = "http://www.msn.com/webservices/AddressBook";
constexpr std::string_view kFriendsId = "7bd6a7a1-5f3e-4f7a-9a61-0c2f6a1d0e01";

std::string op_response(std::string_view operation, std::string_view guid = {}) {
  std::string inner;
  if (!guid.empty())
    inner = "<" + std::string(operation) + "Result><guid>" + std::string(guid) + "</guid></" +
            std::string(operation) + "Result>";
  return t::soap_envelope("<" + std::string(operation) + "Response xmlns=\"" + std::string(kNs) + "\">" + inner +
                          "</" + std::string(operation) + "Response>");
}

std::string expired_ticket_fault() {
  return t::soap_fault("q0:BadContextToken", "Invalid ticket", "BadContextToken");
}

std::string membership_doc(std::string_view memberships, std::string_view last_change) {
  return t::soap_envelope("<FindMembershipResponse xmlns=\"" + std::string(kNs) +
                          "\"><FindMembershipResult><Services><Service><Memberships>" + std::string(memberships) +
                          "</Memberships><Info><Handle><Id>1</Id><Type>Messenger</Type></Handle></Info><LastChange>" +
                          std::string(last_change) + "</LastChange></Service></Services></FindMembershipResult>"
                          "</FindMembershipResponse>");
}

std::string pending_member(std::string_view address, std::string_view name, std::string_view invite) {
  return "<Membership><MemberRole>Pending</MemberRole><Members><Member xsi:type=\"PassportMember\">"
         "<MembershipId>77</MembershipId><Type>Passport</Type><Annotations><Annotation>"
         "<Name>MSN.IM.InviteMessage</Name><Value>" +
         std::string(invite) + "</Value></Annotation></Annotations><State>Accepted</State><Deleted>false</Deleted>"
         "<PassportName>" + std::string(address) + "</PassportName><DisplayName>" + std::string(name) +
         "</DisplayName></Member></Members></Membership>";
}

std::string ab_doc(std::string_view contacts, std::string_view last_change) {
  return t::soap_envelope("<ABFindAllResponse xmlns=\"" + std::string(kNs) + "\"><ABFindAllResult><groups/><contacts>" +
                          std::string(contacts) + "</contacts><ab><abId>00000000-0000-0000-0000-000000000000</abId>"
                          "<lastChange>" + std::string(last_change) + "</lastChange></ab></ABFindAllResult>"
                          "</ABFindAllResponse>");
}

// "VERB args len\r\npayload" with the length counted here.
std::string with_payload(std::string_view line, std::string_view payload) {
  return std::string(line) + " " + std::to_string(payload.size()) + "\r\n" + std::string(payload);
}

std::string vector_membership() { return t::read_data_file("vectors/findmembership-response.xml"); }
std::string vector_address_book() { return t::read_data_file("vectors/abfindall-response.xml"); }

// The NS line of the vectors' initial ADL, TrId 6, with its length as the engine must count it.
std::string vector_adl_line() { return "ADL 6 165\r\n" + std::string(t::kVectorInitialAdl); }

// One engine under test; the fixture owns it so a failing assertion frees it.
struct Fx {
  std::unique_ptr<t::ScriptedClient> s;
  ConnectionId ns = 0;
  t::ScriptedClient& operator*() { return *s; }
};

// Answers a list fetch with the transcript's vectors (membership first) and checks the BLP and
// the initial ADL the engine writes for them.
void answer_fetch_with_vectors(Fx& fx, const t::ListFetch& fetch) {
  t::answer_web(*fx, fetch.membership, vector_membership());
  t::answer_web(*fx, fetch.address_book, vector_address_book());
  fx.s->expect_send(fx.ns, "BLP 5 AL\r\n");
  fx.s->expect_send(fx.ns, vector_adl_line());
}

// Signs in with the transcript's vectors (bob FL AL RL in Friends, carol FL AL RL, mallory BL
// RL, dave RL PL) and settles at the first free TrId, 8.
void sign_in_with_vectors(Fx& fx, msn::Settings settings = t::contacts_settings()) {
  fx.s = std::make_unique<t::ScriptedClient>(std::move(settings));
  fx.ns = t::sign_in_until_contacts(*fx);
  answer_fetch_with_vectors(fx, t::open_list_fetch(*fx));
  fx.s->feed(fx.ns, "BLP 5 AL\r\nADL 6 OK\r\n");
  fx.s->expect_send(fx.ns, "CHG 7 NLN 2147483692\r\n");
  fx.s->feed(fx.ns, "CHG 7 NLN 2147483692\r\n");
  assert_int_equal(fx.s->take<ev::SignedIn>().size(), 1);
  fx.s->expect_no_output();
}

// The NS line of an ADL/RML for one contact, as the engine must write it.
std::string list_line(std::string_view verb, int trid, std::string_view local, std::string_view domain, int bits) {
  const std::string payload = "<ml><d n=\"" + std::string(domain) + "\"><c n=\"" + std::string(local) + "\" l=\"" +
                              std::to_string(bits) + "\" t=\"1\" /></d></ml>";
  return std::string(verb) + " " + std::to_string(trid) + " " + std::to_string(payload.size()) + "\r\n" + payload;
}

// Runs an intent and collects what the client produced (ScriptedClient collects after its own
// calls only).
msn::Status act(Fx& fx, const msn::Status& status) {
  fx.s->advance(msn::milliseconds(0));
  return status;
}

const ev::ContactView* find_view(const std::vector<ev::ContactView>& views, std::string_view address) {
  for (const auto& view : views)
    if (msn::ascii::iequals(view.address, address)) return &view;
  return nullptr;
}

ev::ContactView last_change_of(t::ScriptedClient& s, std::string_view address) {
  auto changes = s.take<ev::ContactChanged>();
  for (auto it = changes.rbegin(); it != changes.rend(); ++it)
    if (it->contact.address == address) return it->contact;
  fail_msg("no ContactChanged for %s", std::string(address).c_str());
  return {};
}

// ---- sign-in -------------------------------------------------------------------------------

void test_vector_sign_in_loads_the_list(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);  // both requests out before any answer
  assert_true(fetch.membership.has("<TicketToken>t=t0k3n"));
  assert_true(fetch.membership.path() == "/abservice/SharingService.asmx");
  assert_true(fetch.address_book.path() == "/abservice/abservice.asmx");
  assert_false(fetch.membership.has("deltasOnly"));
  // Answers in the other order: nothing is announced until both are in.
  t::answer_web(*fx, fetch.address_book, vector_address_book());
  fx.s->expect_no_output();
  t::answer_web(*fx, fetch.membership, vector_membership());
  fx.s->expect_send(fx.ns, "BLP 5 AL\r\n");
  fx.s->expect_send(fx.ns, vector_adl_line());

  auto loaded = fx.s->take<ev::ContactListLoaded>();
  assert_int_equal(loaded.size(), 1);
  assert_true(loaded[0].groups == std::vector<std::string>{"Friends"});
  assert_int_equal(loaded[0].contacts.size(), 4);
  const auto* bob = find_view(loaded[0].contacts, "bob@example.com");
  assert_non_null(bob);
  assert_true(bob->groups == std::vector<std::string>{"Friends"});
  assert_int_equal(bob->lists, FL | AL | RL);
  assert_bytes_equal(bob->display_name, "Bob");
  assert_int_equal(find_view(loaded[0].contacts, "mallory@example.org")->lists, BL | RL);
  assert_int_equal(find_view(loaded[0].contacts, "dave@example.com")->lists, RL | PL);

  // Dave waits for a decision: asked once the account is online, not before.
  fx.s->feed(fx.ns, "BLP 5 AL\r\nADL 6 OK\r\n");
  fx.s->expect_send(fx.ns, "CHG 7 NLN 2147483692\r\n");
  assert_true(fx.s->take<ev::AuthorizationRequested>().empty());
  assert_true(fx.s->take<ev::SignedIn>().empty());
  fx.s->feed(fx.ns, "CHG 7 NLN 2147483692\r\n");
  assert_int_equal(fx.s->take<ev::SignedIn>().size(), 1);
  auto asked = fx.s->take<ev::AuthorizationRequested>();
  assert_int_equal(asked.size(), 1);
  assert_bytes_equal(asked[0].address, "dave@example.com");
  auto caches = fx.s->take<ev::ContactCacheUpdated>();
  assert_int_equal(caches.size(), 1);
  auto restored = msn::parse_contact_cache(caches[0].blob, "alice@example.com");
  assert_true(restored.is_ok());
  assert_int_equal(restored->size(), 4);
  const std::string logs = fx.s->all_logs();
  assert_true(logs.find("t0k3n") == std::string::npos);
}

// The expected announcement of a generated book: address -> l bits.
std::map<std::string, int> expected_announcement(const t::GenBook& book) {
  std::map<std::string, int> expected;
  for (const auto& c : book.contacts) {
    ListBits bits = c.lists & (FL | AL | BL);
    if (msn::has_any(bits, BL)) bits &= ~AL;
    if (bits != ListBits::kNone) expected[msn::ascii::to_lower(c.address)] = msn::to_int(bits);
  }
  return expected;
}

// Signs in and answers the sign-in's list fetch with `book`'s two documents.
void sign_in_and_answer_list(Fx& fx, const t::GenBook& book) {
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);
  t::answer_web(*fx, fetch.membership, t::find_membership_xml(book, true));
  t::answer_web(*fx, fetch.address_book, t::ab_find_all_xml(book, false));
}

void test_large_book_sign_in(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  const t::GenBook book = t::make_book(5000);
  sign_in_and_answer_list(fx, book);
  // A book this big is read and put in place in bounded steps, each from a timer that is due
  // at once, never in the one call that brought the answer.
  fx.s->expect_no_output();
  assert_true(fx.s->take<ev::ContactListLoaded>().empty());
  const std::size_t steps = fx.s->run_due_work();
  assert_true(steps >= 5000 / msn::NotificationSession::kListStep);
  fx.s->expect_send(fx.ns, "BLP 5 AL\r\n");

  // Every batch goes out at once; together they announce exactly FL/AL/BL, within limits.
  const auto expected = expected_announcement(book);
  std::map<std::string, int> announced;
  std::vector<msn::wire::TrId> trids;
  std::size_t contacts_seen = 0;
  while (contacts_seen < expected.size()) {
    const std::string sent = fx.s->expect_send(fx.ns);
    assert_true(sent.rfind("ADL ", 0) == 0);
    const std::string payload = sent.substr(sent.find("\r\n") + 2);
    assert_true(payload.size() <= 7500);
    assert_true(payload.rfind("<ml l=\"1\">", 0) == 0);
    auto entries = msn::wire::parse_ml(payload);
    assert_true(entries.is_ok());
    assert_true(entries->size() <= 150 && !entries->empty());
    for (const auto& entry : *entries) {
      assert_true(announced.emplace(msn::ascii::to_lower(entry.address), msn::to_int(entry.lists)).second);
      const bool yahoo = entry.address.find("@yahoo") != std::string::npos;
      assert_int_equal(msn::to_int(entry.network), yahoo ? 32 : 1);
    }
    contacts_seen += entries->size();
    trids.push_back(static_cast<msn::wire::TrId>(std::stoul(sent.substr(4))));
  }
  assert_true(announced == expected);
  fx.s->expect_no_output();

  // ContactListLoaded is the whole book: names, nicknames, lists and group names.
  auto loaded = fx.s->take<ev::ContactListLoaded>();
  assert_int_equal(loaded.size(), 1);
  assert_int_equal(loaded[0].groups.size(), 24);
  assert_int_equal(loaded[0].contacts.size(), book.contacts.size());
  std::map<std::string, std::string> group_names;
  for (const auto& group : book.groups) group_names[group.id] = group.name;
  for (const auto& c : book.contacts) {
    const ev::ContactView* view = find_view(loaded[0].contacts, c.address);
    assert_non_null(view);
    assert_int_equal(view->lists, c.lists);
    assert_bytes_equal(view->display_name, t::gen_bounded_name(c.display_name));
    assert_bytes_equal(view->nickname, t::gen_bounded_name(c.nickname));
    std::multiset<std::string> want, got(view->groups.begin(), view->groups.end());
    for (const auto& id : c.group_ids) want.insert(group_names[id]);
    assert_true(want == got);
  }
  auto own = fx.s->take<ev::OwnDisplayNameChanged>();
  assert_int_equal(own.size(), 1);
  assert_bytes_equal(own[0].display_name, book.owner_display_name);

  // CHG only after the last OK.
  for (std::size_t i = 0; i < trids.size(); ++i) {
    fx.s->expect_no_output();
    fx.s->feed(fx.ns, "ADL " + std::to_string(trids[i]) + " OK\r\n");
  }
  const std::string chg = fx.s->expect_send(fx.ns);
  assert_true(chg.rfind("CHG ", 0) == 0 && chg.find(" NLN 2147483692\r\n") != std::string::npos);
  fx.s->feed(fx.ns, chg);
  assert_int_equal(fx.s->take<ev::SignedIn>().size(), 1);
  std::size_t pending = 0;
  for (const auto& c : book.contacts) pending += c.on(PL) ? 1 : 0;
  assert_true(pending > 0);
  assert_int_equal(fx.s->take<ev::AuthorizationRequested>().size(), pending);
}

// Put in place and announced a step at a time, the list comes out whole and in address order,
// and server notices that change it between the announcement's steps (a contact ahead of it
// leaving every list, a new one appearing) leave the announcement whole and unrepeated.
void test_large_book_in_steps_with_changes_between(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  const t::GenBook book = t::make_book(5000);
  sign_in_and_answer_list(fx, book);
  std::vector<ev::ContactListLoaded> loaded;
  std::size_t steps = 0;
  while (loaded.empty()) {
    assert_true(fx.s->run_one_step());
    ++steps;
    loaded = fx.s->take<ev::ContactListLoaded>();
  }
  assert_true(steps > 5000 / msn::NotificationSession::kListStep);
  std::vector<std::string> order;
  for (const auto& view : loaded[0].contacts) order.push_back(msn::ascii::to_lower(view.address));
  assert_int_equal(order.size(), book.contacts.size());
  assert_true(std::adjacent_find(order.begin(), order.end(), std::greater_equal<>()) ==
              order.end());

  // The pending-only contact last in address order: ahead of the announcement, which has at
  // most one step's worth of contacts out.
  std::string last_pending;
  for (const auto& c : book.contacts)
    if (c.lists == (RL | PL))
      last_pending = std::max(last_pending, msn::ascii::to_lower(c.address));
  assert_false(last_pending.empty());
  const std::size_t at = last_pending.find('@');
  const std::string gone = "<ml><d n=\"" + last_pending.substr(at + 1) + "\"><c n=\"" +
                           last_pending.substr(0, at) + "\" l=\"24\" t=\"1\" /></d></ml>";
  const std::string added = "<ml><d n=\"zz.example\"><c n=\"zed\" l=\"8\" t=\"1\" /></d></ml>";
  fx.s->feed(fx.ns, with_payload("RML 0", gone));
  fx.s->feed(fx.ns, with_payload("ADL 0", added));
  assert_int_equal(fx.s->take<ev::ContactRemoved>().size(), 1);
  while (fx.s->run_one_step()) {
  }

  // The announcement, among what else went out (the membership refresh the ADL 0 asked for).
  const auto expected = expected_announcement(book);
  std::map<std::string, int> announced;
  bool blp = false;
  while (fx.s->has_output()) {
    auto output = fx.s->pop();
    const auto* send = std::get_if<msn::out::Send>(&output);
    if (send == nullptr || send->conn != fx.ns) continue;
    const std::string& sent = send->bytes;
    blp = blp || sent == "BLP 5 AL\r\n";
    if (sent.rfind("ADL ", 0) != 0) continue;
    assert_true(blp);
    auto entries = msn::wire::parse_ml(sent.substr(sent.find("\r\n") + 2));
    assert_true(entries.is_ok() && !entries->empty());
    for (const auto& entry : *entries)
      assert_true(
          announced.emplace(msn::ascii::to_lower(entry.address), msn::to_int(entry.lists)).second);
  }
  assert_true(announced == expected);
}

// A later sign-in with the cache of an earlier one asks only for changes.
void test_delta_sign_in_with_cache(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  auto caches = fx.s->take<ev::ContactCacheUpdated>();
  assert_int_equal(caches.size(), 1);
  msn::Settings settings = t::contacts_settings();
  settings.contact_cache = caches.back().blob;

  fx.s = std::make_unique<t::ScriptedClient>(settings);
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);
  for (const auto* request : {&fetch.membership, &fetch.address_book}) {
    assert_true(request->has("<deltasOnly>true</deltasOnly>"));
    assert_true(request->has("<lastChange>2008-06-01T12:00:00Z</lastChange>"));
    assert_true(request->has("<CacheKey>12r3:CACHEKEY_sample_0123456789</CacheKey>"));
  }
  // The cached list is read by now and the session waits for the answers, with no work due.
  assert_false(fx.s->run_one_step());
  t::answer_web(*fx, fetch.membership, membership_doc("", "2008-06-02T00:00:00Z"));
  const std::string erin =
      "<Contact><contactId>cccccccc-0000-0000-0000-000000000005</contactId><contactInfo><groupIds><guid>" +
      std::string(kFriendsId) +
      "</guid></groupIds><contactType>Regular</contactType><passportName>erin@example.com</passportName>"
      "<displayName>Erin</displayName><isMessengerUser>true</isMessengerUser></contactInfo><fDeleted>false</fDeleted>"
      "</Contact>";
  t::answer_web(*fx, fetch.address_book, ab_doc(erin, "2008-06-02T00:00:00Z"));
  fx.s->expect_send(fx.ns, "BLP 5 AL\r\n");
  const std::string adl = fx.s->expect_send(fx.ns);
  assert_true(adl.find("<c n=\"erin\" l=\"1\" t=\"1\" />") != std::string::npos);
  assert_true(adl.find("<c n=\"bob\" l=\"3\" t=\"1\" />") != std::string::npos);
  assert_true(adl.find("<c n=\"mallory\" l=\"4\" t=\"1\" />") != std::string::npos);
  auto loaded = fx.s->take<ev::ContactListLoaded>();
  assert_int_equal(loaded.size(), 1);
  assert_int_equal(loaded[0].contacts.size(), 5);
  assert_true(find_view(loaded[0].contacts, "erin@example.com")->groups == std::vector<std::string>{"Friends"});
}

// The saved snapshot of `book` as a sign-in with it would have left it.
std::string cache_of(const t::GenBook& book) {
  auto membership = msn::soap::parse_find_membership(t::find_membership_xml(book, true));
  auto address_book = msn::soap::parse_ab_find_all(t::ab_find_all_xml(book, false));
  assert_true(membership.is_ok() && address_book.is_ok());
  msn::ContactList list;
  list.load(*membership, *address_book);
  assert_false(list.address_book_last_change().empty() || list.membership_last_change().empty());
  return msn::serialize_contact_cache(t::contacts_settings().account, list);
}

// Signs in with `cache` and checks that the changes since it were asked for at once.
t::ListFetch sign_in_with_cache(Fx& fx, std::string cache) {
  msn::Settings settings = t::contacts_settings();
  settings.contact_cache = std::move(cache);
  fx.s = std::make_unique<t::ScriptedClient>(settings);
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);
  assert_true(fetch.membership.has("<deltasOnly>true</deltasOnly>"));
  assert_true(fetch.address_book.has("<deltasOnly>true</deltasOnly>"));
  return fetch;
}

// Runs due steps until ContactListLoaded; -> it, and the number of steps in `steps`.
ev::ContactListLoaded run_until_loaded(Fx& fx, std::size_t& steps) {
  for (steps = 0;; ++steps) {
    auto loaded = fx.s->take<ev::ContactListLoaded>();
    if (!loaded.empty()) return std::move(loaded.back());
    if (!fx.s->run_one_step()) fail_msg("the list never loaded (%zu steps)", steps);
  }
}

// Signs in with `cache` of `book` and answers the requests for the changes (a new pending
// contact) either as soon as they are out or only once the session waits for them; -> the
// loaded list, after checking that the cache was read a part at a time.
ev::ContactListLoaded sign_in_with_big_cache(Fx& fx, const t::GenBook& book, bool answers_early) {
  const std::string cache = cache_of(book);
  const auto fetch = sign_in_with_cache(fx, cache);
  const auto answer = [&] {
    t::answer_web(
        *fx, fetch.membership,
        membership_doc(pending_member("zed@example.com", "Zed", "hi"), "2030-01-01T00:00:00Z"));
    t::answer_web(*fx, fetch.address_book, ab_doc("", "2030-01-01T00:00:00Z"));
  };
  if (answers_early) answer();
  std::size_t steps = 0;
  std::vector<ev::ContactListLoaded> loaded;
  while (loaded.empty() && fx.s->run_one_step()) {
    ++steps;
    loaded = fx.s->take<ev::ContactListLoaded>();
  }
  // Each of the cache's lines, members and address book contacts is a contact's worth of a
  // step's budget: nothing is read or put in place all at once.
  std::size_t members = 0, contacts = 0;
  for (const auto& c : book.contacts) {
    members += c.on(AL) || c.on(BL) || c.on(RL) || c.on(PL) ? 1 : 0;
    contacts += c.on(FL) ? 1 : 0;
  }
  const auto lines = static_cast<std::size_t>(std::count(cache.begin(), cache.end(), '\n'));
  assert_true(steps >= (lines + members + contacts) / msn::NotificationSession::kListStep);
  if (answers_early) {
    assert_int_equal(loaded.size(), 1);
    return std::move(loaded.back());
  }
  assert_true(loaded.empty());
  // Waiting for the answers, with nothing due meanwhile.
  assert_false(fx.s->run_one_step());
  answer();
  return run_until_loaded(fx, steps);
}

// A big cached list is read a part at a time, after the requests for the changes went out;
// answers that come before it is read wait for it and are applied after, like later ones.
void test_big_cache_read_in_steps(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  const t::GenBook book = t::make_book(5000);
  for (const bool answers_early : {true, false}) {
    const ev::ContactListLoaded loaded = sign_in_with_big_cache(fx, book, answers_early);
    assert_int_equal(loaded.contacts.size(), book.contacts.size() + 1);
    const ev::ContactView* zed = find_view(loaded.contacts, "zed@example.com");
    assert_non_null(zed);
    assert_int_equal(zed->lists, PL);
    for (const auto& c : book.contacts) assert_non_null(find_view(loaded.contacts, c.address));
  }
}

// A cache found damaged only at its end (after the requests for the changes went out) is
// dropped for the whole list; the abandoned requests' late answers change nothing.
void test_cache_damaged_at_its_end_means_full_fetch(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  const t::GenBook book = t::make_book(5000);
  std::string cache = cache_of(book);
  const std::size_t end = cache.rfind("\nend\t");
  assert_true(end != std::string::npos);
  cache.insert(end + 1, "contact\tnot-an-address\n");
  const auto delta = sign_in_with_cache(fx, std::move(cache));
  std::size_t steps = 0;
  while (fx.s->run_one_step()) ++steps;
  assert_true(steps >= 5000 / msn::NotificationSession::kListStep);
  assert_true(fx.s->all_logs().find("cached contact list is not usable") != std::string::npos);
  const auto full = t::open_list_fetch(*fx);
  assert_false(full.membership.has("deltasOnly"));
  assert_false(full.address_book.has("deltasOnly"));
  t::answer_web(
      *fx, delta.membership,
      membership_doc(pending_member("zed@example.com", "Zed", "x"), "2030-01-01T00:00:00Z"));
  t::answer_web(*fx, delta.address_book, ab_doc("", "2030-01-01T00:00:00Z"));
  t::answer_web(*fx, full.membership, t::find_membership_xml(book, true));
  t::answer_web(*fx, full.address_book, t::ab_find_all_xml(book, false));
  const ev::ContactListLoaded loaded = run_until_loaded(fx, steps);
  assert_int_equal(loaded.contacts.size(), book.contacts.size());
  assert_null(find_view(loaded.contacts, "zed@example.com"));
}

void test_full_sync_required_falls_back(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  msn::Settings settings = t::contacts_settings();
  settings.contact_cache = fx.s->take<ev::ContactCacheUpdated>().back().blob;

  fx.s = std::make_unique<t::ScriptedClient>(settings);
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto delta = t::open_list_fetch(*fx);
  t::answer_web(*fx, delta.address_book, t::soap_fault("soap:Client", "Full sync required", "FullSyncRequired"));
  const auto full = t::open_list_fetch(*fx);
  assert_false(full.membership.has("deltasOnly"));
  assert_false(full.address_book.has("deltasOnly"));
  // The abandoned delta's late answer changes nothing.
  t::answer_web(*fx, delta.membership, membership_doc(pending_member("zed@example.com", "Zed", "x"), "2009-01-01T00:00:00Z"));
  answer_fetch_with_vectors(fx, full);
  auto loaded = fx.s->take<ev::ContactListLoaded>();
  assert_int_equal(loaded.size(), 1);
  assert_int_equal(loaded[0].contacts.size(), 4);
  assert_null(find_view(loaded[0].contacts, "zed@example.com"));
}

void test_corrupt_cache_means_full_fetch(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  for (const std::string& blob : {std::string("MSNPCACHE\t1\naccount\talice%40example.com\n"),
                                 std::string("garbage\x01\n"), std::string("MSNPCACHE\t9\n")}) {
    msn::Settings settings = t::contacts_settings();
    settings.contact_cache = blob;
    fx.s = std::make_unique<t::ScriptedClient>(settings);
    fx.ns = t::sign_in_until_contacts(*fx);
    const auto fetch = t::open_list_fetch(*fx);
    assert_false(fetch.membership.has("deltasOnly"));
    assert_false(fetch.address_book.has("deltasOnly"));
    assert_true(fx.s->all_logs().find("cached contact list is not usable") != std::string::npos);
  }
}

void test_fetch_failure_ends_sign_in(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);
  t::answer_web(*fx, fetch.membership, "<html>oops</html>", 503);
  fx.s->expect_close(fx.ns);
  const auto error = fx.s->expect_disconnected();
  assert_int_equal(error.code, Errc::kHttp);
  assert_int_equal(error.server_code, 503);
}

// An expired ticket at sign-in: RST.srf again (no new USR), then the call once more.
void test_ticket_expiry_at_sign_in_renews(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  fx.ns = t::sign_in_until_contacts(*fx);
  const auto fetch = t::open_list_fetch(*fx);
  t::answer_web(*fx, fetch.membership, expired_ticket_fault(), 500);
  const auto rst = t::open_web(*fx);
  assert_bytes_equal(rst.path(), "/RST.srf");
  assert_true(rst.has("<wsse:Password>s3cr3t-Passw0rd</wsse:Password>"));
  t::answer_web(*fx, rst, t::rst_document());
  const auto retried = t::open_web(*fx);
  assert_bytes_equal(retried.operation(), "FindMembership");
  t::answer_web(*fx, retried, vector_membership());
  t::answer_web(*fx, fetch.address_book, vector_address_book());
  fx.s->expect_send(fx.ns, "BLP 5 AL\r\n");
  fx.s->expect_send(fx.ns, vector_adl_line());
  assert_true(fx.s->all_logs().find("s3cr3t") == std::string::npos);
}

// ---- intents -------------------------------------------------------------------------------

void test_block_with_ticket_renewal_retries_once(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  fx.s->take<ev::ContactChanged>();
  assert_true(act(fx, fx.s->client().block("carol@example.net", fx.s->now())).is_ok());
  auto remove_allow = t::open_web(*fx);
  assert_bytes_equal(remove_allow.operation(), "DeleteMember");
  assert_true(remove_allow.has("<MemberRole>Allow</MemberRole>") && remove_allow.has("carol@example.net"));
  t::answer_web(*fx, remove_allow, expired_ticket_fault(), 500);
  const auto rst = t::open_web(*fx);
  assert_bytes_equal(rst.path(), "/RST.srf");
  t::answer_web(*fx, rst, t::rst_document());
  remove_allow = t::open_web(*fx);
  assert_bytes_equal(remove_allow.operation(), "DeleteMember");
  t::answer_web(*fx, remove_allow, op_response("DeleteMember"));
  fx.s->expect_send(fx.ns, list_line("RML", 8, "carol", "example.net", 2));
  // The Block half: expired, renewed, expired again -> reported, not retried forever.
  auto add_block = t::open_web(*fx);
  assert_bytes_equal(add_block.operation(), "AddMember");
  assert_true(add_block.has("<MemberRole>Block</MemberRole>"));
  t::answer_web(*fx, add_block, expired_ticket_fault(), 500);
  t::answer_web(*fx, t::open_web(*fx), t::rst_document());
  add_block = t::open_web(*fx);
  t::answer_web(*fx, add_block, expired_ticket_fault(), 500);
  fx.s->expect_no_output();
  auto failed = fx.s->take<ev::ListOperationFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].operation, ev::ListOperation::kBlock);
  assert_bytes_equal(failed[0].subject, "carol@example.net");
  assert_int_equal(failed[0].error.code, Errc::kAuth);
  // The UI goes back to what the server holds: off Allow, not blocked.
  assert_int_equal(last_change_of(*fx, "carol@example.net").lists, FL | RL);
  assert_true(fx.s->take<ev::Disconnected>().empty());
}

// Signs in and blocks local@domain, answering its first half (off Allow, RML 8); the Block half
// (AddMember) is the caller's. For the tests about what follows a block.
void sign_in_and_start_block(Fx& fx, std::string_view local, std::string_view domain) {
  sign_in_with_vectors(fx);
  const std::string address = std::string(local) + "@" + std::string(domain);
  assert_true(act(fx, fx.s->client().block(address, fx.s->now())).is_ok());
  t::answer_web(*fx, t::open_web(*fx), op_response("DeleteMember"));
  fx.s->expect_send(fx.ns, list_line("RML", 8, local, domain, 2));
}

void test_block_and_unblock(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_and_start_block(fx, "bob", "example.com");
  const auto add = t::open_web(*fx);
  assert_true(add.has("<MemberRole>Block</MemberRole>") && add.has("<PartnerScenario>BlockUnblock</PartnerScenario>"));
  t::answer_web(*fx, add, op_response("AddMember"));
  fx.s->expect_send(fx.ns, list_line("ADL", 9, "bob", "example.com", 4));
  fx.s->expect_no_output();
  assert_int_equal(last_change_of(*fx, "bob@example.com").lists, FL | BL | RL);
  fx.s->feed(fx.ns, "RML 8 OK\r\nADL 9 OK\r\n");

  assert_true(act(fx, fx.s->client().unblock("bob@example.com", fx.s->now())).is_ok());
  const auto remove = t::open_web(*fx);
  assert_true(remove.has("<MemberRole>Block</MemberRole>"));
  // Already gone from Block on the server: that is what was wanted.
  t::answer_web(*fx, remove, t::soap_fault("soap:Client", "Member does not exist", "MemberDoesNotExist"), 500);
  fx.s->expect_send(fx.ns, list_line("RML", 10, "bob", "example.com", 4));
  t::answer_web(*fx, t::open_web(*fx), op_response("AddMember"));
  fx.s->expect_send(fx.ns, list_line("ADL", 11, "bob", "example.com", 2));
  assert_int_equal(last_change_of(*fx, "bob@example.com").lists, FL | AL | RL);
  assert_true(fx.s->take<ev::ListOperationFailed>().empty());
  assert_false(fx.s->take<ev::ContactCacheUpdated>().empty());
}

void test_add_contact_into_new_group(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  assert_int_equal(act(fx, fx.s->client().add_contact("not an address", "", "", fx.s->now())).error().code,
                   Errc::kInvalidArgument);
  assert_true(act(fx, fx.s->client().add_contact("erin@example.com", "Work", "Hi, it's Alice", fx.s->now())).is_ok());
  const auto group_add = t::open_web(*fx);
  assert_bytes_equal(group_add.operation(), "ABGroupAdd");
  assert_true(group_add.has("<name>Work</name>"));
  t::answer_web(*fx, group_add, op_response("ABGroupAdd", "99999999-0000-0000-0000-000000000009"));
  auto groups = fx.s->take<ev::GroupChanged>();
  assert_int_equal(groups.size(), 1);
  assert_bytes_equal(groups[0].name, "Work");
  assert_true(groups[0].old_name.empty());
  const auto contact_add = t::open_web(*fx);
  assert_bytes_equal(contact_add.operation(), "ABGroupContactAdd");
  assert_true(contact_add.has("99999999-0000-0000-0000-000000000009") && contact_add.has("erin@example.com") &&
              contact_add.has("Hi, it&apos;s Alice"));
  t::answer_web(*fx, contact_add, op_response("ABGroupContactAdd", "cccccccc-0000-0000-0000-000000000005"));
  fx.s->expect_send(fx.ns, list_line("ADL", 8, "erin", "example.com", 3));
  const auto erin = last_change_of(*fx, "erin@example.com");
  assert_int_equal(erin.lists, FL | AL);
  assert_true(erin.groups == std::vector<std::string>{"Work"});

  // Then bob into the new group: only ABGroupContactAdd with his id, no ADL.
  assert_true(act(fx, fx.s->client().add_contact("bob@example.com", "Work", "", fx.s->now())).is_ok());
  const auto bob_add = t::open_web(*fx);
  assert_bytes_equal(bob_add.operation(), "ABGroupContactAdd");
  assert_true(bob_add.has("aaaaaaaa-0000-0000-0000-000000000001"));
  t::answer_web(*fx, bob_add, op_response("ABGroupContactAdd"));
  fx.s->expect_no_output();
  const auto bob = last_change_of(*fx, "bob@example.com");
  assert_true(bob.groups == (std::vector<std::string>{"Friends", "Work"}));
}

void test_add_contact_fault_restores(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  assert_true(act(fx, fx.s->client().add_contact("erin@example.com", "", "", fx.s->now())).is_ok());
  const auto add = t::open_web(*fx);
  assert_bytes_equal(add.operation(), "ABContactAdd");
  t::answer_web(*fx, add, t::soap_fault("soap:Client", "Invalid passport", "InvalidPassportUser"), 500);
  fx.s->expect_no_output();  // no ADL for a contact the service refused
  auto failed = fx.s->take<ev::ListOperationFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].operation, ev::ListOperation::kAddContact);
  assert_int_equal(failed[0].error.code, Errc::kSoap);
  assert_int_equal(msn::soap::ab_fault(failed[0].error), msn::soap::AbFault::kNoSuchAccount);
  auto removed = fx.s->take<ev::ContactRemoved>();
  assert_int_equal(removed.size(), 1);
  assert_bytes_equal(removed[0].address, "erin@example.com");
}

void test_remove_contact(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  assert_int_equal(act(fx, fx.s->client().remove_contact("mallory@example.org", "", fx.s->now())).error().code,
                   Errc::kInvalidArgument);
  // Out of his only group: off the address book and FL.
  assert_true(act(fx, fx.s->client().remove_contact("bob@example.com", "Friends", fx.s->now())).is_ok());
  const auto del = t::open_web(*fx);
  assert_bytes_equal(del.operation(), "ABContactDelete");
  assert_true(del.has("<contactId>aaaaaaaa-0000-0000-0000-000000000001</contactId>"));
  t::answer_web(*fx, del, op_response("ABContactDelete"));
  fx.s->expect_send(fx.ns, list_line("RML", 8, "bob", "example.com", 1));
  const auto bob = last_change_of(*fx, "bob@example.com");
  assert_int_equal(bob.lists, AL | RL);
  assert_true(bob.groups.empty());
}

void test_groups_and_alias(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  // A rename the service refuses puts the old name back.
  assert_true(act(fx, fx.s->client().rename_group("Friends", "Pals", fx.s->now())).is_ok());
  const auto update = t::open_web(*fx);
  assert_bytes_equal(update.operation(), "ABGroupUpdate");
  t::answer_web(*fx, update, t::soap_fault("soap:Client", "nope", "GroupDoesNotExist"), 500);
  auto failed = fx.s->take<ev::ListOperationFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].operation, ev::ListOperation::kRenameGroup);
  auto back = fx.s->take<ev::GroupChanged>();
  assert_int_equal(back.size(), 1);
  assert_bytes_equal(back[0].old_name, "Pals");
  assert_bytes_equal(back[0].name, "Friends");

  assert_true(act(fx, fx.s->client().set_contact_alias("carol@example.net", "C <3", fx.s->now())).is_ok());
  const auto alias = t::open_web(*fx);
  assert_bytes_equal(alias.operation(), "ABContactUpdate");
  assert_true(alias.has("AB.NickName") && alias.has("C &lt;3"));
  t::answer_web(*fx, alias, op_response("ABContactUpdate"));
  assert_bytes_equal(last_change_of(*fx, "carol@example.net").nickname, "C <3");

  assert_true(act(fx, fx.s->client().remove_group("Friends", fx.s->now())).is_ok());
  t::answer_web(*fx, t::open_web(*fx), op_response("ABGroupDelete"));
  auto removed = fx.s->take<ev::GroupRemoved>();
  assert_int_equal(removed.size(), 1);
  assert_bytes_equal(removed[0].name, "Friends");
  assert_true(last_change_of(*fx, "bob@example.com").groups.empty());
  fx.s->expect_no_output();
}

void test_authorize_accept_and_deny(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  assert_int_equal(act(fx, fx.s->client().authorize("bob@example.com", true, fx.s->now())).error().code,
                   Errc::kInvalidArgument);
  assert_true(act(fx, fx.s->client().authorize("dave@example.com", true, fx.s->now())).is_ok());
  const auto allow = t::open_web(*fx);
  assert_true(allow.operation() == "AddMember" && allow.has("<MemberRole>Allow</MemberRole>"));
  t::answer_web(*fx, allow, t::soap_fault("soap:Client", "exists", "MemberAlreadyExists"), 500);
  fx.s->expect_send(fx.ns, list_line("ADL", 8, "dave", "example.com", 2));
  // Dave is on RL already: no AddMember Reverse; Pending goes.
  const auto pending = t::open_web(*fx);
  assert_true(pending.operation() == "DeleteMember" && pending.has("<MemberRole>Pending</MemberRole>"));
  t::answer_web(*fx, pending, op_response("DeleteMember"));
  fx.s->expect_no_output();
  assert_int_equal(last_change_of(*fx, "dave@example.com").lists, AL | RL);
  assert_true(fx.s->take<ev::ListOperationFailed>().empty());
}

// ---- presence and profile ------------------------------------------------------------------

void test_presence_wishes_before_sign_in(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  auto& client = fx.s->client();
  assert_true(act(fx, client.set_presence(PresenceStatus::kBusy, fx.s->now())).is_ok());
  assert_true(act(fx, client.set_personal_message("Writing a protocol engine", std::nullopt, fx.s->now())).is_ok());
  fx.ns = t::sign_in_until_contacts(*fx);
  answer_fetch_with_vectors(fx, t::open_list_fetch(*fx));
  fx.s->feed(fx.ns, "ADL 6 OK\r\n");
  fx.s->expect_send(fx.ns, "CHG 7 BSY 2147483692\r\n");
  fx.s->feed(fx.ns, "CHG 7 BSY 2147483692\r\n");
  fx.s->expect_send(fx.ns,
                    "UUX 8 105\r\n<Data><PSM>Writing a protocol engine</PSM><CurrentMedia></CurrentMedia>"
                    "<MachineGuid></MachineGuid></Data>");
  fx.s->feed(fx.ns, "UUX 8 0\r\n");
  // Idle shows as IDL only over Available.
  assert_true(act(fx, client.set_idle(true, fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "CHG 9 BSY 2147483692\r\n");
  assert_true(act(fx, client.set_presence(PresenceStatus::kOnline, fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "CHG 10 IDL 2147483692\r\n");
  assert_true(act(fx, client.set_idle(false, fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "CHG 11 NLN 2147483692\r\n");
  assert_true(act(fx, client.set_presence(PresenceStatus::kHidden, fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "CHG 12 HDN 2147483692\r\n");
  assert_int_equal(act(fx, client.set_presence(PresenceStatus::kOffline, fx.s->now())).error().code, Errc::kInvalidArgument);
}

void test_set_display_name(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  auto& client = fx.s->client();
  assert_int_equal(act(fx, client.set_display_name(std::string(400, 'x'), fx.s->now())).error().code, Errc::kInvalidArgument);
  assert_true(act(fx, client.set_display_name("Alice Example", fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "PRP 8 MFN Alice%20Example\r\n");
  const auto update = t::open_web(*fx);
  assert_bytes_equal(update.operation(), "ABContactUpdate");
  assert_true(update.has("Alice Example"));
  fx.s->feed(fx.ns, "PRP 8 MFN Alice%20Example\r\n");
  auto named = fx.s->take<ev::OwnDisplayNameChanged>();
  assert_int_equal(named.size(), 1);
  assert_bytes_equal(named[0].display_name, "Alice Example");
  t::answer_web(*fx, update, op_response("ABContactUpdate"));
  assert_true(fx.s->take<ev::ListOperationFailed>().empty());

  // A name the server refuses (209): reported, and the old name comes back.
  assert_true(act(fx, client.set_display_name("Bad Word", fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "PRP 9 MFN Bad%20Word\r\n");
  const auto second = t::open_web(*fx);
  fx.s->feed(fx.ns, "209 9\r\n");
  auto failed = fx.s->take<ev::ListOperationFailed>();
  assert_int_equal(failed.size(), 1);
  assert_int_equal(failed[0].operation, ev::ListOperation::kSetDisplayName);
  assert_int_equal(failed[0].error.server_code, 209);
  named = fx.s->take<ev::OwnDisplayNameChanged>();
  assert_int_equal(named.size(), 1);
  assert_bytes_equal(named[0].display_name, "Alice Example");
  t::answer_web(*fx, second, op_response("ABContactUpdate"));
  assert_true(fx.s->take<ev::Disconnected>().empty());
}

void test_presence_notices(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  fx.s->feed(fx.ns,
             "ILN 7 AWY bob@example.com 1 Bob 2789003324 %3Cmsnobj%20Creator%3D%22bob%40example.com%22%2F%3E\r\n" +
                 with_payload("UBX bob@example.com 1", "<Data><PSM>On holiday</PSM><CurrentMedia></CurrentMedia></Data>") +
                 "NLN NLN carol@example.net 1 Carol%20C 1342177280\r\n" +
                 with_payload("UBX carol@example.net 1",
                              "<Data><PSM></PSM><CurrentMedia>WMP\\0Music\\01\\0{0} - {1}\\0Song\\0Artist\\0Album\\0"
                              "</CurrentMedia></Data>") +
                 "FLN bob@example.com 1\r\n");
  auto presence = fx.s->take<ev::PresenceChanged>();
  assert_int_equal(presence.size(), 3);
  assert_bytes_equal(presence[0].address, "bob@example.com");
  assert_int_equal(presence[0].status, PresenceStatus::kAway);
  assert_bytes_equal(presence[0].display_name, "Bob");
  assert_int_equal(presence[0].capabilities, 2789003324u);
  assert_bytes_equal(presence[0].msn_object, "<msnobj Creator=\"bob@example.com\"/>");
  assert_int_equal(presence[1].status, PresenceStatus::kOnline);
  assert_bytes_equal(presence[1].display_name, "Carol C");
  assert_int_equal(presence[2].status, PresenceStatus::kOffline);
  auto messages = fx.s->take<ev::StatusMessageChanged>();
  assert_int_equal(messages.size(), 2);
  assert_bytes_equal(messages[0].personal_message, "On holiday");
  assert_bytes_equal(messages[1].current_media, "Song - Artist");

  // Malformed but well-framed notices are logged and ignored.
  fx.s->feed(fx.ns, "NLN XYZ bob@example.com 1 Bob 0\r\nILN 7 NLN not-an-address 1 X 0\r\nFLN\r\n" +
                        with_payload("UBX bob@example.com 1", "<Data>") + with_payload("ADL 0", "<ml>x") +
                        with_payload("RML 0", "abc"));
  assert_true(fx.s->take<ev::PresenceChanged>().empty());
  assert_true(fx.s->take<ev::StatusMessageChanged>().empty());
  assert_true(fx.s->take<ev::Disconnected>().empty());
  fx.s->expect_no_output();
  fx.s->feed(fx.ns, "NLN BSY bob@example.com 1 Bob 0\r\n");
  assert_int_equal(fx.s->take<ev::PresenceChanged>().size(), 1);
}

// ---- the server's notices and refusals -----------------------------------------------------

void test_server_adl_twice_one_request(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_with_vectors(fx);
  fx.s->take<ev::AuthorizationRequested>();  // dave, at sign-in
  const std::string notice =
      "ADL 0 73\r\n<ml l=\"1\"><d n=\"example.com\"><c n=\"erin\" l=\"8\" t=\"1\" f=\"Erin\" /></d></ml>";
  const std::string delta = membership_doc(pending_member("erin@example.com", "Erin", "Hi Alice"), "2008-06-03T00:00:00Z");
  for (int round = 0; round < 2; ++round) {
    fx.s->feed(fx.ns, notice);
    const auto refresh = t::open_web(*fx);
    assert_bytes_equal(refresh.operation(), "FindMembership");
    assert_true(refresh.has("<PartnerScenario>MessengerPendingList</PartnerScenario>"));
    assert_true(refresh.has("<deltasOnly>true</deltasOnly>"));
    t::answer_web(*fx, refresh, delta);
  }
  auto asked = fx.s->take<ev::AuthorizationRequested>();
  assert_int_equal(asked.size(), 1);
  assert_bytes_equal(asked[0].address, "erin@example.com");
  assert_bytes_equal(asked[0].display_name, "Erin");
  assert_bytes_equal(asked[0].invite_message, "Hi Alice");
  assert_int_equal(last_change_of(*fx, "erin@example.com").lists, RL | PL);

  // They take it back: RML 0 clears RL and PL, and the contact leaves.
  fx.s->feed(fx.ns, with_payload("RML 0", "<ml><d n=\"example.com\"><c n=\"erin\" l=\"24\" t=\"1\" /></d></ml>"));
  auto removed = fx.s->take<ev::ContactRemoved>();
  assert_int_equal(removed.size(), 1);
  assert_bytes_equal(removed[0].address, "erin@example.com");
  fx.s->expect_no_output();
}

void test_list_error_replies_do_not_disconnect(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  sign_in_and_start_block(fx, "carol", "example.net");
  t::answer_web(*fx, t::open_web(*fx), op_response("AddMember"));
  fx.s->expect_send(fx.ns, list_line("ADL", 9, "carol", "example.net", 4));
  fx.s->take<ev::ContactChanged>();
  const std::string offending = "<ml><d n=\"example.net\"><c n=\"carol\" l=\"4\" t=\"1\" /></d></ml>";
  fx.s->feed(fx.ns, "210 8\r\n241 9 " + std::to_string(offending.size()) + "\r\n" + offending);
  auto failed = fx.s->take<ev::ListOperationFailed>();
  assert_int_equal(failed.size(), 2);
  assert_int_equal(failed[0].error.code, Errc::kServer);
  assert_int_equal(failed[0].error.server_code, 210);
  assert_int_equal(failed[1].error.server_code, 241);
  assert_int_equal(failed[1].operation, ev::ListOperation::kBlock);
  assert_bytes_equal(failed[1].subject, "carol@example.net");
  assert_false(fx.s->take<ev::ContactChanged>().empty());
  assert_true(fx.s->take<ev::Disconnected>().empty());
  fx.s->expect_no_output();
  // Still online: the privacy setting goes out.
  assert_true(act(fx, fx.s->client().set_privacy(msn::Client::Privacy::kBlockUnlisted, fx.s->now())).is_ok());
  fx.s->expect_send(fx.ns, "BLP 10 BL\r\n");
}

void test_intents_before_sign_in_are_refused(void** state) {
  Fx& fx = t::fixture<Fx>(state);
  fx.s = std::make_unique<t::ScriptedClient>(t::contacts_settings());
  auto& client = fx.s->client();
  assert_int_equal(act(fx, client.add_contact("bob@example.com", "", "", fx.s->now())).error().code, Errc::kInvalidArgument);
  assert_int_equal(act(fx, client.block("bob@example.com", fx.s->now())).error().code, Errc::kInvalidArgument);
  assert_int_equal(act(fx, client.add_group("G", fx.s->now())).error().code, Errc::kInvalidArgument);
  fx.s->expect_no_output();
}

}  // namespace

#define FX_TEST(name) MSN_OWNED_TEST(name, Fx)

int main() {
  const struct CMUnitTest tests[] = {
      FX_TEST(test_vector_sign_in_loads_the_list),
      FX_TEST(test_large_book_sign_in),
      FX_TEST(test_large_book_in_steps_with_changes_between),
      FX_TEST(test_delta_sign_in_with_cache),
      FX_TEST(test_big_cache_read_in_steps),
      FX_TEST(test_cache_damaged_at_its_end_means_full_fetch),
      FX_TEST(test_full_sync_required_falls_back),
      FX_TEST(test_corrupt_cache_means_full_fetch),
      FX_TEST(test_fetch_failure_ends_sign_in),
      FX_TEST(test_ticket_expiry_at_sign_in_renews),
      FX_TEST(test_block_with_ticket_renewal_retries_once),
      FX_TEST(test_block_and_unblock),
      FX_TEST(test_add_contact_into_new_group),
      FX_TEST(test_add_contact_fault_restores),
      FX_TEST(test_remove_contact),
      FX_TEST(test_groups_and_alias),
      FX_TEST(test_authorize_accept_and_deny),
      FX_TEST(test_presence_wishes_before_sign_in),
      FX_TEST(test_set_display_name),
      FX_TEST(test_presence_notices),
      FX_TEST(test_server_adl_twice_one_request),
      FX_TEST(test_list_error_replies_do_not_disconnect),
      FX_TEST(test_intents_before_sign_in_are_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
