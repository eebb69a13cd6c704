// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: arbitrary bytes as a saved contact list (session/contact_cache.h). A blob
// that parses must give a list that serialises back to a blob parsing to the same list, whose
// contacts are all on some list and whose ADL respects the limits; read in steps, it must give
// the same list. Any broken invariant aborts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "session/contact_cache.h"
#include "wire/adl.h"

using msn::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const msn::ContactCacheLimits limits{.max_bytes = 1 << 20, .max_contacts = 2000, .max_groups = 200};
  auto parsed = msn::parse_contact_cache(input, "alice@example.com", limits);
  // Read in steps (of a size the input picks), the blob gives what the one-call parse gives.
  msn::ContactCacheReader reader{std::string(input), "alice@example.com", limits};
  const std::size_t step = size == 0 ? 1 : data[0] % 16 + 1;
  bool ended = false;
  std::size_t contacts = 0;
  if (reader.read_header().is_ok()) {
    for (;;) {
      const std::size_t before = reader.lines_read();
      auto read = reader.step(step);
      if (!read.is_ok()) break;
      check(reader.lines_read() - before <= step);
      if ((ended = *read)) break;
    }
    contacts = reader.contacts_read();
  }
  check(ended == parsed.is_ok());
  if (!parsed.is_ok()) return 0;
  msn::ContactList stepped;
  stepped.load(reader.take_membership(), reader.take_address_book());
  check(stepped.size() == parsed->size() && contacts >= parsed->size());
  for (const msn::Contact* c : parsed->contacts()) {
    check(c->lists != msn::ListBits::kNone);
    check(msn::is_valid_address(c->passport));
  }
  for (const std::string& payload : parsed->initial_adl()) check(payload.size() <= 7500);
  const std::string again = msn::serialize_contact_cache("alice@example.com", *parsed);
  auto reparsed = msn::parse_contact_cache(again, "alice@example.com");
  check(reparsed.is_ok());
  check(reparsed->size() == parsed->size());
  check(msn::serialize_contact_cache("alice@example.com", *reparsed) == again);
  return 0;
}
