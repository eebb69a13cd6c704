// SPDX-License-Identifier: GPL-2.0-or-later
// The saved contact list (session/contact_cache.h): round trips of a generated book with every
// kind of name, and the refusals of damaged, foreign or oversized blobs.
#include "session/contact_cache.h"

#include <algorithm>
#include <string>

#include "book_generator.h"
#include "soap/address_book.h"
#include "soap/membership.h"
#include "cmocka_cpp.h"

namespace {

namespace t = msn::test;
using msn::ContactList;
using msn::Errc;

ContactList generated_list(std::size_t n) {
  const t::GenBook book = t::make_book(n);
  auto membership = msn::soap::parse_find_membership(t::find_membership_xml(book, false));
  auto address_book = msn::soap::parse_ab_find_all(t::ab_find_all_xml(book, false));
  assert_true(membership.is_ok() && address_book.is_ok());
  ContactList list;
  list.load(*membership, *address_book);
  return list;
}

void assert_same(const ContactList& a, const ContactList& b) {
  assert_int_equal(a.size(), b.size());
  assert_int_equal(a.group_count(), b.group_count());
  for (const msn::Contact* contact : a.contacts()) {
    const msn::Contact* other = b.find(contact->passport);
    assert_non_null(other);
    assert_true(*contact == *other);
  }
  for (const msn::Group* group : a.groups()) assert_true(*b.find_group(group->id) == *group);
  assert_bytes_equal(a.address_book_last_change(), b.address_book_last_change());
  assert_bytes_equal(a.membership_last_change(), b.membership_last_change());
  assert_bytes_equal(a.cache_key(), b.cache_key());
  assert_bytes_equal(a.own_display_name(), b.own_display_name());
}

void test_round_trip(void** /*state*/) {
  const ContactList list = generated_list(600);
  const std::string blob = msn::serialize_contact_cache("alice@example.com", list);
  auto restored = msn::parse_contact_cache(blob, "ALICE@example.com");
  assert_true(restored.is_ok());
  assert_same(list, *restored);
  // Serialising the restored list gives the same text: nothing drifts between sign-ins.
  assert_bytes_equal(msn::serialize_contact_cache("alice@example.com", *restored), blob);
}

void test_names_with_separators_round_trip(void** /*state*/) {
  ContactList list = generated_list(3);
  const std::string odd = "tab\there\nnewline %41 \xE2\x98\x85 ,comma";
  assert_true(list.add_to_lists("odd@example.com", msn::Network::kYahoo, msn::ListBits::kAllow, odd));
  list.add_group(msn::Group{"g-odd", odd});
  list.set_own_display_name(odd);
  auto restored = msn::parse_contact_cache(msn::serialize_contact_cache("alice@example.com", list), "alice@example.com");
  assert_true(restored.is_ok());
  assert_bytes_equal(restored->find("odd@example.com")->display_name, odd);
  assert_int_equal(restored->find("odd@example.com")->network, msn::Network::kYahoo);
  assert_bytes_equal(restored->find_group("g-odd")->name, odd);
  assert_bytes_equal(restored->own_display_name(), odd);
}

void test_damaged_blobs_are_refused(void** /*state*/) {
  const std::string blob = msn::serialize_contact_cache("alice@example.com", generated_list(40));
  // Every cut-off prefix is refused (a half-written cache must never load half a list).
  for (std::size_t cut = 0; cut < blob.size(); cut += 7) {
    auto parsed = msn::parse_contact_cache(blob.substr(0, cut), "alice@example.com");
    assert_false(parsed.is_ok());
  }
  assert_int_equal(msn::parse_contact_cache(blob, "bob@example.com").error().code, Errc::kInvalidArgument);
  std::string other_version = blob;
  other_version.replace(0, 11, "MSNPCACHE\t2");
  assert_int_equal(msn::parse_contact_cache(other_version, "alice@example.com").error().code, Errc::kProtocol);
  assert_false(msn::parse_contact_cache(blob + "group\tx\ty\n", "alice@example.com").is_ok());
  std::string bad_bits = blob;
  const auto at = bad_bits.find("\ncontact\t");
  const auto bits = bad_bits.find('\t', bad_bits.find('\t', bad_bits.find('\t', at + 1) + 1) + 1) + 1;
  bad_bits.replace(bits, bad_bits.find('\t', bits) - bits, "99");
  assert_int_equal(msn::parse_contact_cache(bad_bits, "alice@example.com").error().code, Errc::kProtocol);
  assert_false(msn::parse_contact_cache(std::string("\x00\xff\n", 3), "alice@example.com").is_ok());
}

void test_limits(void** /*state*/) {
  const std::string blob = msn::serialize_contact_cache("alice@example.com", generated_list(40));
  assert_int_equal(msn::parse_contact_cache(blob, "alice@example.com", {.max_bytes = 100}).error().code, Errc::kLimit);
  assert_int_equal(msn::parse_contact_cache(blob, "alice@example.com", {.max_contacts = 10}).error().code, Errc::kLimit);
  assert_int_equal(msn::parse_contact_cache(blob, "alice@example.com", {.max_groups = 3}).error().code, Errc::kLimit);
  assert_int_equal(msn::parse_contact_cache(std::string(70'000, 'a') + "\n", "alice@example.com").error().code,
                   Errc::kLimit);
}

// The reader in small steps: the header alone first (the stamps a returning sign-in asks
// with), then the rest, giving what the one-call parse gives.
void test_read_in_steps(void** /*state*/) {
  const ContactList list = generated_list(600);
  const std::string blob = msn::serialize_contact_cache("alice@example.com", list);
  msn::ContactCacheReader reader{blob, "alice@example.com"};
  assert_true(reader.read_header().is_ok());
  assert_int_equal(reader.contacts_read(), 0);
  assert_bytes_equal(reader.address_book_last_change(), list.address_book_last_change());
  assert_bytes_equal(reader.membership_last_change(), list.membership_last_change());
  assert_bytes_equal(reader.cache_key(), list.cache_key());
  const std::size_t header_lines = reader.lines_read();
  std::size_t steps = 0;
  for (;;) {
    const std::size_t before = reader.lines_read();
    auto ended = reader.step(7);
    assert_true(ended.is_ok());
    assert_true(reader.lines_read() - before <= 7);
    ++steps;
    if (*ended) break;
  }
  const auto lines = static_cast<std::size_t>(std::count(blob.begin(), blob.end(), '\n'));
  assert_int_equal(reader.lines_read(), lines);
  assert_true(steps >= (lines - header_lines) / 7);
  assert_true(reader.step(7).is_ok());  // nothing more to read: still ended
  ContactList restored;
  restored.load(reader.take_membership(), reader.take_address_book());
  assert_same(list, restored);
}

// A header that is incomplete is refused by read_header; a line found bad later by the step
// that reads it, and by every step after.
void test_reader_refusals(void** /*state*/) {
  const std::string blob = msn::serialize_contact_cache("alice@example.com", generated_list(40));
  const std::size_t first_group = blob.find("\ngroup\t") + 1;
  const std::string no_owner =
      blob.substr(0, blob.find("\nowner\t") + 1) + blob.substr(first_group);
  msn::ContactCacheReader headless{no_owner, "alice@example.com"};
  assert_int_equal(headless.read_header().error().code, Errc::kProtocol);
  assert_false(headless.step(1000).is_ok());

  std::string damaged = blob;
  damaged.insert(damaged.rfind("\nend\t") + 1, "contact\tnot-an-address\n");
  msn::ContactCacheReader reader{damaged, "alice@example.com"};
  assert_true(reader.read_header().is_ok());
  assert_true(reader.step(10).is_ok());
  auto failed = reader.step(1000);
  assert_false(failed.is_ok());
  assert_int_equal(failed.error().code, Errc::kProtocol);
  assert_int_equal(reader.step(1000).error().code, Errc::kProtocol);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_names_with_separators_round_trip),
      cmocka_unit_test(test_damaged_blobs_are_refused),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_read_in_steps),
      cmocka_unit_test(test_reader_refusals),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
