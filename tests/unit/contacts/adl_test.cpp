// SPDX-License-Identifier: GPL-2.0-or-later
// The <ml> documents (wire/adl.h): the initial ADL of the vectors, batching by count and by
// bytes, domain grouping across payloads, the AL+BL rule, FQY, and server ADL/RML parsing.
#include "wire/adl.h"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "contacts_test_util.h"
#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::ListBits;
using msn::Network;
using msn::Result;
using msn::wire::MlContact;
using msn::wire::MlLimits;
namespace wire = msn::wire;

using namespace msn::test::list_bits;

struct Fixture {
  std::vector<MlContact> contacts;
  std::vector<std::string> payloads, addresses;
  std::optional<Result<std::vector<MlContact>>> parsed;
  std::string text;
};

// CMocka fixtures through the shared owned_setup / owned_teardown / fixture templates.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;

Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

std::size_t count_of(std::string_view text, std::string_view needle) {
  std::size_t n = 0;
  for (std::size_t pos = text.find(needle); pos != std::string_view::npos;
       pos = text.find(needle, pos + 1))
    ++n;
  return n;
}

const std::vector<MlContact>& parse_ok(Fixture& f, std::string_view payload) {
  f.parsed = wire::parse_ml(payload);
  if (!f.parsed->is_ok()) {
    print_error("parse_ml failed: %s\n", f.parsed->error().detail.c_str());
    fail();
  }
  return f.parsed->value();
}

// Every payload within the limits and well-formed, no domain opened twice in one payload;
// returns address -> l of everything announced.
std::map<std::string, unsigned> check_payloads(Fixture& f, const MlLimits& limits,
                                               std::string_view root) {
  std::map<std::string, unsigned> seen;
  for (const std::string& payload : f.payloads) {
    assert_true(payload.size() <= limits.max_bytes);
    assert_true(payload.rfind(root, 0) == 0);
    assert_true(count_of(payload, "<c ") <= limits.max_contacts);
    std::set<std::string> domains;
    for (std::size_t pos = payload.find("<d n=\""); pos != std::string::npos;
         pos = payload.find("<d n=\"", pos + 1)) {
      const std::size_t end = payload.find('"', pos + 6);
      assert_true(domains.insert(payload.substr(pos + 6, end - pos - 6)).second);
    }
    for (const MlContact& c : parse_ok(f, payload))
      assert_true(seen.emplace(msn::ascii::to_lower(c.address), msn::to_int(c.lists)).second);
  }
  return seen;
}

void test_vector_initial_adl(void** state) {
  Fixture& f = fx(state);
  // The merge of the two vectors (docs/protocol/contact-list.md and transcript 1 §4).
  f.contacts = {{"dave@example.com", RL | PL, Network::kPassport, {}},
                {"mallory@example.org", BL | RL, Network::kPassport, {}},
                {"carol@example.net", FL | AL | RL, Network::kPassport, {}},
                {"bob@example.com", FL | AL | RL, Network::kPassport, {}}};
  f.payloads = wire::build_initial_adl(f.contacts);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], msn::test::kVectorInitialAdl);
  assert_int_equal(f.payloads[0].size(), 165);  // "ADL 6 165" in the transcript
}

void test_empty_lists(void** state) {
  Fixture& f = fx(state);
  f.payloads = wire::build_initial_adl(f.contacts);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], "<ml l=\"1\"></ml>");
  // Nothing announceable is the same as nothing at all.
  f.contacts = {{"dave@example.com", RL | PL, Network::kPassport, {}},
                {"messenger@microsoft.com", FL | AL, Network::kPassport, {}}};
  f.payloads = wire::build_initial_adl(f.contacts);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], "<ml l=\"1\"></ml>");
  // A later change with nothing to say sends nothing.
  assert_true(wire::build_list_change(f.contacts).empty());
}

void test_list_bits_rules(void** state) {
  Fixture& f = fx(state);
  f.contacts = {{"both@x.example", AL | BL, Network::kPassport, {}},
                {"all@x.example", FL | AL | BL | RL | PL, Network::kPassport, {}},
                {"rl@x.example", RL, Network::kPassport, {}},
                {"Messenger@Microsoft.COM", FL | AL, Network::kPassport, {}},
                {"yo@yahoo.example", FL | AL, Network::kYahoo, {}},
                {"unknown@x.example", FL | AL, Network::kUnknown, {}},
                {"invalid", FL, Network::kPassport, {}},
                {"a b@x.example", FL, Network::kPassport, {}}};
  f.payloads = wire::build_list_change(f.contacts);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0],
                     "<ml><d n=\"x.example\"><c n=\"all\" l=\"5\" t=\"1\" />"
                     "<c n=\"both\" l=\"4\" t=\"1\" /></d><d n=\"yahoo.example\">"
                     "<c n=\"yo\" l=\"3\" t=\"32\" /></d></ml>");
}

void test_duplicates_case_and_escaping(void** state) {
  Fixture& f = fx(state);
  f.contacts = {{"Bob@Example.com", FL, Network::kPassport, {}},
                {"bob@example.COM", AL, Network::kPassport, {}},
                {"o'neil&co@example.com", FL, Network::kPassport, {}}};
  f.payloads = wire::build_list_change(f.contacts);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0],
                     "<ml><d n=\"Example.com\"><c n=\"Bob\" l=\"3\" t=\"1\" />"
                     "<c n=\"o&apos;neil&amp;co\" l=\"1\" t=\"1\" /></d></ml>");
  const std::vector<MlContact>& back = parse_ok(f, f.payloads[0]);
  assert_int_equal(back.size(), 2);
  // The domain is written once, as first spelled; addresses compare case-insensitively.
  assert_bytes_equal(back[1].address, "o'neil&co@Example.com");
}

void test_batches_of_150(void** state) {
  Fixture& f = fx(state);
  for (int i = 0; i < 400; ++i)
    f.contacts.push_back(
        {"u" + std::to_string(i) + "@example.com", FL | AL, Network::kPassport, {}});
  f.payloads = wire::build_initial_adl(f.contacts);
  assert_int_equal(f.payloads.size(), 3);
  assert_int_equal(count_of(f.payloads[0], "<c "), 150);
  assert_int_equal(count_of(f.payloads[1], "<c "), 150);
  assert_int_equal(count_of(f.payloads[2], "<c "), 100);
  // The one domain is reopened in every payload, and every payload is an initial one.
  for (const std::string& p : f.payloads) {
    assert_true(p.rfind("<ml l=\"1\"><d n=\"example.com\">", 0) == 0);
    assert_true(p.size() > 12 && p.compare(p.size() - 9, 9, "</d></ml>") == 0);
  }
  const auto seen = check_payloads(f, MlLimits{}, "<ml l=\"1\">");
  assert_int_equal(seen.size(), 400);
}

void test_byte_limit_and_domains_across_batches(void** state) {
  Fixture& f = fx(state);
  // 60-character local parts: 150 of them would be ~11 KB, past the 7500-byte limit.
  for (int i = 0; i < 1000; ++i) {
    std::string local = "person-" + std::to_string(i) + "-" + std::string(50, 'x');
    std::string domain = "d" + std::to_string(i % 7) + ".example";
    f.contacts.push_back({local + "@" + domain, i % 5 == 0 ? BL : FL | AL, Network::kPassport, {}});
  }
  f.payloads = wire::build_initial_adl(f.contacts);
  assert_true(f.payloads.size() >= 10);
  const MlLimits limits;
  const auto seen = check_payloads(f, limits, "<ml l=\"1\">");
  assert_int_equal(seen.size(), 1000);
  for (const MlContact& c : f.contacts)
    assert_int_equal(seen.at(msn::ascii::to_lower(c.address)), msn::to_int(c.lists));
  // Payloads are filled: all but the last are within one contact of the limit.
  for (std::size_t i = 0; i + 1 < f.payloads.size(); ++i)
    assert_true(f.payloads[i].size() > limits.max_bytes - 150);
  // Sorted by domain, so each domain spans consecutive payloads only.
  std::string previous;
  for (const std::string& p : f.payloads)
    for (const MlContact& c : parse_ok(f, p)) {
      const std::string domain = c.address.substr(c.address.find('@') + 1);
      assert_true(domain >= previous);
      previous = domain;
    }
}

void test_custom_limits(void** state) {
  Fixture& f = fx(state);
  f.contacts = {{"a@one.example", FL, Network::kPassport, {}},
                {"b@one.example", FL, Network::kPassport, {}},
                {"c@two.example", FL, Network::kPassport, {}}};
  f.payloads = wire::build_list_change(f.contacts, MlLimits{.max_contacts = 2});
  assert_int_equal(f.payloads.size(), 2);
  assert_bytes_equal(f.payloads[0],
                     "<ml><d n=\"one.example\"><c n=\"a\" l=\"1\" t=\"1\" />"
                     "<c n=\"b\" l=\"1\" t=\"1\" /></d></ml>");
  assert_bytes_equal(f.payloads[1],
                     "<ml><d n=\"two.example\"><c n=\"c\" l=\"1\" t=\"1\" /></d></ml>");
  // Exactly one contact per payload by bytes: a one-contact payload is 55 bytes.
  assert_int_equal(f.payloads[1].size(), 55);
  f.payloads = wire::build_list_change(f.contacts, MlLimits{.max_bytes = 55});
  assert_int_equal(f.payloads.size(), 3);
  for (const std::string& p : f.payloads) assert_true(p.size() <= 55);
  f.payloads = wire::build_list_change(f.contacts, MlLimits{.max_bytes = 77});
  assert_int_equal(f.payloads.size(), 3);  // a second <c> (23 bytes) would make 78
  f.payloads = wire::build_list_change(f.contacts, MlLimits{.max_bytes = 78});
  assert_int_equal(f.payloads.size(), 2);
  // A contact that cannot fit even alone is left out rather than sent oversized.
  f.payloads = wire::build_list_change(f.contacts, MlLimits{.max_bytes = 40});
  assert_true(f.payloads.empty());
  f.payloads = wire::build_initial_adl(f.contacts, MlLimits{.max_bytes = 40});
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0], "<ml l=\"1\"></ml>");
}

void test_fqy(void** state) {
  Fixture& f = fx(state);
  f.addresses = {"yo@yahoo.com", "bob@example.com", "YO@yahoo.com", "bad", "amy@example.com"};
  f.payloads = wire::build_fqy(f.addresses);
  assert_int_equal(f.payloads.size(), 1);
  assert_bytes_equal(f.payloads[0],
                     "<ml><d n=\"example.com\"><c n=\"amy\" /><c n=\"bob\" /></d>"
                     "<d n=\"yahoo.com\"><c n=\"yo\" /></d></ml>");
  f.addresses.clear();
  assert_true(wire::build_fqy(f.addresses).empty());
}

void test_parse_server_adl_and_rml(void** state) {
  Fixture& f = fx(state);
  // Transcript 1 §5: erin added us.
  {
    const std::vector<MlContact>& c = parse_ok(
        f, "<ml l=\"1\"><d n=\"example.com\"><c n=\"erin\" l=\"8\" t=\"1\" f=\"Erin\" /></d></ml>");
    assert_int_equal(c.size(), 1);
    assert_bytes_equal(c[0].address, "erin@example.com");
    assert_int_equal(msn::to_int(c[0].lists), 8);
    assert_int_equal(msn::to_int(c[0].network), 1);
    assert_bytes_equal(c[0].friendly_name, "Erin");
  }
  {
    const std::vector<MlContact>& c =
        parse_ok(f,
                 "<ml>\n <d n='example.com'>\n  <c n='a' l='24' t='32' f='Erin%20%26%20Co' />\n"
                 "  <c n='b' l='72' f='x&amp;y' />\n  <c l='8' />\n  <c n='' l='8' />\n </d>\n"
                 " <c n='orphan' l='8' />\n <d n='example.net'><c n='z' l='8' t='nope'/></d></ml>");
    assert_int_equal(c.size(), 3);
    assert_bytes_equal(c[0].address, "a@example.com");
    assert_int_equal(msn::to_int(c[0].lists), msn::to_int(RL | PL));
    assert_int_equal(msn::to_int(c[0].network), 32);
    assert_bytes_equal(c[0].friendly_name, "Erin & Co");
    assert_int_equal(msn::to_int(c[1].lists), 8);    // unknown bit 64 dropped
    assert_int_equal(msn::to_int(c[1].network), 1);  // no t: Passport
    assert_bytes_equal(c[1].friendly_name, "x&y");
    assert_bytes_equal(c[2].address, "z@example.net");
    assert_int_equal(msn::to_int(c[2].network), 1);
  }
  // An FQY reply.
  {
    const std::vector<MlContact>& c =
        parse_ok(f, "<ml><d n=\"yahoo.com\"><c n=\"yo\" t=\"32\" /></d></ml>");
    assert_int_equal(c.size(), 1);
    assert_int_equal(msn::to_int(c[0].network), 32);
    assert_int_equal(msn::to_int(c[0].lists), 0);
  }
  // Round trip of a built payload.
  f.contacts = {{"bob@example.com", FL | AL, Network::kPassport, {}},
                {"yo@yahoo.com", BL, Network::kYahoo, {}}};
  f.payloads = wire::build_initial_adl(f.contacts);
  const std::vector<MlContact>& back = parse_ok(f, f.payloads[0]);
  assert_int_equal(back.size(), 2);
  assert_true(back[0] == f.contacts[0]);
  assert_true(back[1] == f.contacts[1]);
}

void test_parse_bad_payloads(void** state) {
  Fixture& f = fx(state);
  for (const char* bad :
       {"", "<ml>", "<ml><d n=\"x\"></ml>", "<notml/>", "garbage",
        "<!DOCTYPE ml [<!ENTITY e \"x\">]><ml><d n=\"a.b\"><c n=\"&e;\"/></d></ml>",
        "<ml><d n=\"a.b\"><c n=\"&e;\"/></d></ml>"}) {
    f.parsed = wire::parse_ml(bad);
    assert_false(f.parsed->is_ok());
    assert_int_equal(static_cast<int>(f.parsed->error().code), static_cast<int>(Errc::kProtocol));
  }
  // An empty list is fine.
  assert_int_equal(parse_ok(f, "<ml l=\"1\"></ml>").size(), 0);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_vector_initial_adl, setup, teardown),
      cmocka_unit_test_setup_teardown(test_empty_lists, setup, teardown),
      cmocka_unit_test_setup_teardown(test_list_bits_rules, setup, teardown),
      cmocka_unit_test_setup_teardown(test_duplicates_case_and_escaping, setup, teardown),
      cmocka_unit_test_setup_teardown(test_batches_of_150, setup, teardown),
      cmocka_unit_test_setup_teardown(test_byte_limit_and_domains_across_batches, setup, teardown),
      cmocka_unit_test_setup_teardown(test_custom_limits, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fqy, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parse_server_adl_and_rml, setup, teardown),
      cmocka_unit_test_setup_teardown(test_parse_bad_payloads, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
