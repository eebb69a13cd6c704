// SPDX-License-Identifier: GPL-2.0-or-later
// The contact list saved between sign-ins (for the delta sync). The engine stays sans-I/O:
// it hands a snapshot out as ev::ContactCacheUpdated and gets it back in
// Settings::contact_cache; this file turns a ContactList into that text and back.
//
// Format, version 1: UTF-8 lines ending in '\n', fields separated by tabs, every text field
// percent-encoded (wire::url_encode) so it holds no tab, newline or control byte:
//   MSNPCACHE 1
//   account {address}            the account it belongs to (compared case-blind)
//   ab {lastChange}              ABFindAll ab/lastChange
//   membership {LastChange}      FindMembership's Messenger LastChange
//   cachekey {key}               the last ServiceHeader CacheKey
//   owner {name}                 own display name (the address book's Me contact)
//   group {id} {name}            one per group
//   contact {address} {network} {lists} {contactId} {displayName} {nickname}
//           {groupIds, comma-separated} {allowId} {blockId} {reverseId} {pendingId} {invite}
//   end {groups} {contacts}      the counts, so that a cut-off blob is recognised
// Anything else (another version, a bad number, a missing line, trailing data) makes the whole
// blob unusable: the sign-in then fetches the whole list, which is always safe.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "session/contact_list.h"
#include "soap/address_book.h"
#include "soap/membership.h"

namespace msn {

// Bounds for reading a blob that may have been damaged or tampered with.
struct ContactCacheLimits {
  std::size_t max_bytes = 64 * 1024 * 1024;
  std::size_t max_contacts = 100'000;
  std::size_t max_groups = 10'000;
  std::size_t max_line_bytes = 64 * 1024;
  std::size_t max_groups_per_contact = 1'000;
};

// serialize_contact_cache a part at a time, for a big list: the header and groups at once, then
// step() writes up to `max_contacts` more contacts (looked up afresh each time, so the list
// may change in between; a contact gone by then is left out) until it returns true, and
// take() hands the blob over.
class ContactCacheWriter {
 public:
  ContactCacheWriter(std::string_view account, const ContactList& list);
  bool step(const ContactList& list, std::size_t max_contacts);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  ContactWalk walk_;  // where the last step stopped, in address order
  std::size_t groups_ = 0;
  std::size_t written_ = 0;
};

// The snapshot of `list` for `account`.
std::string serialize_contact_cache(std::string_view account, const ContactList& list);

// parse_contact_cache a part at a time, for a big list: read_header() reads the lines before the
// first group or contact (all the delta requests need), then step() reads up to `max_lines`
// more until it returns true, after the end line checked out; take_membership() and
// take_address_book() then hand over what ContactList::load (or its steps) takes. Errors as
// parse_contact_cache's; after one the reader reads no further.
class ContactCacheReader {
 public:
  ContactCacheReader(std::string blob, std::string account, const ContactCacheLimits& limits = {});
  ContactCacheReader(ContactCacheReader&&) noexcept;
  ContactCacheReader& operator=(ContactCacheReader&&) noexcept;
  ~ContactCacheReader();

  Status read_header();
  Result<bool> step(std::size_t max_lines);

  // Read by read_header.
  const std::string& address_book_last_change() const;
  const std::string& membership_last_change() const;
  const std::string& cache_key() const;
  std::size_t contacts_read() const;
  std::size_t lines_read() const;

  soap::MembershipResult take_membership();
  soap::AddressBookResult take_address_book();

 private:
  struct State;
  Result<bool> read_lines(std::size_t max_lines, bool header_only);
  std::unique_ptr<State> state_;
};

// Rebuilds the list. Errors: Errc::kInvalidArgument when the blob belongs to another account,
// Errc::kLimit past `limits`, Errc::kProtocol for anything malformed (the detail names the
// line number, never its content).
Result<ContactList> parse_contact_cache(std::string_view blob, std::string_view account,
                                        const ContactCacheLimits& limits = {});

}  // namespace msn
