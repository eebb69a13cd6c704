// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: arbitrary bytes as an ABFindAll response (docs/protocol/contact-list.md), then
// through the contact list and the initial ADL; also as a change response and as the NS <ml> and
// UBX payloads that share the streaming XML reader. Any broken invariant aborts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "session/contact_list.h"
#include "session/presence.h"
#include "soap/address_book.h"
#include "wire/adl.h"

using msn::fuzz::check;

namespace {

void check_adl(const msn::ContactList& list) {
  for (const std::string& payload : list.initial_adl()) {
    check(payload.size() <= 7500);
    const auto parsed = msn::wire::parse_ml(payload);
    check(parsed.is_ok() && parsed->size() <= 150);
    for (const msn::wire::MlContact& c : *parsed) check(list.find(c.address) != nullptr);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto book = msn::soap::parse_ab_find_all(input);
  if (book.is_ok()) {
    for (const msn::soap::AbContact& c : book->contacts) check(msn::is_valid_address(c.address));
    for (const msn::Group& g : book->groups) check(!g.id.empty());
    check(book->notes.size() <= msn::soap::kMaxNotes);

    msn::ContactList list;
    list.load(msn::soap::MembershipResult{}, *book);
    check(list.size() <= book->contacts.size());
    check_adl(list);
    // The same document as a delta over a list that already holds other contacts.
    list.add_to_lists("someone@example.com", msn::Network::kPassport, msn::ListBits::kAllow);
    (void)list.apply_address_book_delta(*book);
    check(list.find("someone@example.com") != nullptr);
    check_adl(list);
  } else {
    (void)msn::soap::ab_fault(book.error());
  }
  (void)msn::soap::parse_operation_response(input, "ABContactAdd");
  (void)msn::wire::parse_ml(input);
  (void)msn::parse_ubx_payload(input);
  return 0;
}
