// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: arbitrary bytes as a FindMembership response (docs/protocol/contact-list.md),
// then merged into a contact list (full and as a delta) and announced; also as an AddMember answer.
// Any broken invariant aborts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "session/contact_list.h"
#include "soap/membership.h"
#include "wire/adl.h"

using msn::fuzz::check;

namespace {

void check_adl(const msn::ContactList& list) {
  const auto payloads = list.initial_adl();
  check(!payloads.empty());
  for (const std::string& payload : payloads) {
    check(payload.size() <= 7500);
    const auto parsed = msn::wire::parse_ml(payload);
    check(parsed.is_ok() && parsed->size() <= 150);
    for (const msn::wire::MlContact& c : *parsed) {
      const msn::Contact* contact = list.find(c.address);
      check(contact != nullptr);
      // Never RL/PL, never AL together with BL.
      check((msn::to_int(c.lists) & ~7u) == 0 && msn::to_int(c.lists) != 0);
      check(!(msn::has_any(c.lists, msn::ListBits::kAllow) &&
              msn::has_any(c.lists, msn::ListBits::kBlock)));
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto result = msn::soap::parse_find_membership(input);
  if (result.is_ok()) {
    for (const msn::soap::Member& m : result->members) {
      check(msn::is_valid_address(m.address));
      check(m.lists != msn::ListBits::kNone || m.deleted_lists != msn::ListBits::kNone);
    }
    msn::ContactList list;
    list.load(*result, msn::soap::AddressBookResult{});
    for (const msn::Contact* c : list.contacts()) check(c->lists != msn::ListBits::kNone);
    check_adl(list);
    (void)list.apply_membership_delta(*result);
    for (const msn::Contact* c : list.contacts()) check(c->lists != msn::ListBits::kNone);
    check_adl(list);
  } else {
    (void)msn::soap::ab_fault(result.error());
  }
  (void)msn::soap::parse_operation_response(input, "AddMember");
  return 0;
}
