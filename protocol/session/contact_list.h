// SPDX-License-Identifier: GPL-2.0-or-later
// The account's contact list: contacts indexed by address and by address book id, groups by
// id, built from the FindMembership and ABFindAll results and kept current with their deltas
// and with the server's ADL/RML notices (docs/protocol/contact-list.md).
#pragma once

#include <cstddef>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "model/contact.h"
#include "soap/address_book.h"
#include "soap/membership.h"
#include "wire/adl.h"

namespace msn {

// What an update changed, so the user interface can refresh only those entries.
struct ListChanges {
  std::vector<std::string> contacts_changed;  // lower-cased addresses added or changed
  std::vector<std::string> contacts_removed;  // lower-cased addresses no longer on any list
  std::vector<std::string> groups_changed;    // ids of groups added or renamed
  std::vector<std::string> groups_removed;    // ids of groups deleted

  bool empty() const {
    return contacts_changed.empty() && contacts_removed.empty() && groups_changed.empty() &&
           groups_removed.empty();
  }
};

// Where a walk over the contacts in address order stopped (see ContactList::next_contacts).
struct ContactWalk {
  std::string last;  // the lower-cased address of the last contact returned
  bool started = false;
  bool finished = false;
};

class ContactList {
 public:
  ContactList() = default;
  // A copy gets an address index of its own (the index points into the contact table).
  ContactList(const ContactList& other);
  ContactList& operator=(const ContactList& other);
  ContactList(ContactList&&) = default;
  ContactList& operator=(ContactList&&) = default;

  // Full sync: replaces everything with the union of both results. A contact is kept when it
  // is on at least one list (address book contacts are on FL; dave, only on RL|PL, is kept
  // too). Address book names win over membership display names; group ids naming no group
  // are dropped. Also stores the lastChange values, the cache key and own display name.
  void load(const soap::MembershipResult& membership, const soap::AddressBookResult& address_book);
  // load() in steps, for a big book: begin_load, then every member and every address book
  // contact (in that order, in as many calls as wanted), then end_load.
  void begin_load(const soap::MembershipResult& membership,
                  const soap::AddressBookResult& address_book);
  void load_member(const soap::Member& member) { merge_member(member, false, nullptr); }
  void load_ab_contact(const soap::AbContact& contact) { merge_ab_contact(contact, nullptr); }
  void end_load(const soap::MembershipResult& membership,
                const soap::AddressBookResult& address_book);

  // A FindMembership deltasOnly result: roles left (Deleted) are cleared, roles joined set.
  ListChanges apply_membership_delta(const soap::MembershipResult& delta);
  // An ABFindAll deltasOnly result: changed contacts replace their address book fields,
  // removed ones leave FL, groups are added, renamed or deleted (and leave their contacts).
  ListChanges apply_address_book_delta(const soap::AddressBookResult& delta);

  // A list change confirmed by the server (ADL/RML 0, or a SOAP call that succeeded). Adding
  // creates the contact if needed; removing the last bit deletes it. True if anything changed.
  bool add_to_lists(std::string_view address, Network network, ListBits lists,
                    std::string_view display_name = {});
  bool remove_from_lists(std::string_view address, ListBits lists);

  // Address book changes confirmed by the service. False if the contact or group is unknown.
  bool set_contact_id(std::string_view address, std::string_view contact_id);
  bool set_nickname(std::string_view address, std::string_view nickname);
  bool set_display_name(std::string_view address, std::string_view display_name);
  bool add_contact_to_group(std::string_view address, std::string_view group_id);
  bool remove_contact_from_group(std::string_view address, std::string_view group_id);
  void add_group(Group group);  // adds or renames
  bool remove_group(std::string_view group_id);

  // Lookups (case-insensitive). Pointers stay valid until the list is next modified.
  const Contact* find(std::string_view address) const;
  const Contact* find_by_contact_id(std::string_view contact_id) const;
  const Group* find_group(std::string_view group_id) const;
  const Group* find_group_by_name(std::string_view name) const;  // exact name
  std::size_t size() const { return contacts_.size(); }
  std::size_t group_count() const { return groups_.size(); }
  // Every contact / group, ordered by lower-cased address / id (deterministic).
  std::vector<const Contact*> contacts() const;
  // The contacts on `list`, in address order.
  std::vector<const Contact*> contacts_on(ListBits list) const;
  // Every contact's lower-cased address, in the order of contacts().
  std::vector<std::string> addresses() const;
  // Up to `max` contacts in address order from where `walk` stopped (from the first one on a
  // new walk), moving it on: a big list is gone through a part at a time, each part costing
  // what it holds, with no sort of the whole list at once. The list may change between
  // calls: contacts removed or added ahead of the walk are left out or met in their place,
  // those added behind it are not met. `walk.finished` once the last contact is returned.
  std::vector<const Contact*> next_contacts(ContactWalk& walk, std::size_t max) const;
  std::vector<const Group*> groups() const;

  // The initial ADL payloads (at least one; see wire::build_initial_adl).
  std::vector<std::string> initial_adl(const wire::MlLimits& limits = {}) const;
  // The initial ADL payloads for some of the contacts (lower-cased addresses; unknown ones
  // skipped): a big list is announced a part at a time. Empty when none is to be announced.
  std::vector<std::string> initial_adl_for(std::span<const std::string> addresses,
                                           const wire::MlLimits& limits = {}) const;
  // The same for contacts of this list (pointers from next_contacts, still valid).
  std::vector<std::string> initial_adl_for(std::span<const Contact* const> contacts,
                                           const wire::MlLimits& limits = {}) const;
  // Contacts of unknown network to announce only after an FQY, sorted.
  std::vector<std::string> unknown_network_addresses() const;

  // Sync state for delta requests and the request header.
  const std::string& membership_last_change() const { return membership_last_change_; }
  const std::string& address_book_last_change() const { return address_book_last_change_; }
  const std::string& cache_key() const { return cache_key_; }
  const std::string& preferred_host() const { return preferred_host_; }
  const std::string& own_display_name() const { return own_display_name_; }
  // Our own name as the server confirmed it after a change (PRP MFN).
  void set_own_display_name(std::string name) { own_display_name_ = std::move(name); }
  // Keeps the CacheKey when the header says it changed, and the PreferredHostName.
  void note_service_header(const soap::ServiceHeader& header);

 private:
  Contact* find_mutable(std::string_view address);
  // The contact for `address`, created (on no list yet) if absent; `key` is its lower case.
  Contact& upsert(const std::string& key, std::string_view address, Network network);
  void merge_member(const soap::Member& member, bool apply_deletions, ListChanges* changes);
  void merge_ab_contact(const soap::AbContact& ab, ListChanges* changes);
  // Takes a contact off FL and out of the address book; erases it if no list is left.
  void drop_from_address_book(const std::string& key, ListChanges* changes);
  // Erases the contact if it is on no list; true if erased.
  bool erase_if_unlisted(const std::string& key, ListChanges* changes);
  void set_contact_id_index(Contact& contact, const std::string& key, std::string_view id);
  std::vector<std::string> known_groups(const std::vector<std::string>& ids) const;
  void erase_contact(std::unordered_map<std::string, Contact>::iterator it);
  void rebuild_index();

  std::unordered_map<std::string, Contact> contacts_;           // lower-cased address
  // contacts_ in address order, kept as contacts come and go, so that an ordered walk never
  // sorts the whole book in one go. Keys and values point into contacts_'s nodes, which stay
  // put when the table rehashes.
  std::map<std::string_view, Contact*> by_address_;
  std::unordered_map<std::string, std::string> by_contact_id_;  // lower-cased id -> address key
  std::unordered_map<std::string, Group> groups_;               // lower-cased id
  std::string membership_last_change_;
  std::string address_book_last_change_;
  std::string cache_key_;
  std::string preferred_host_;
  std::string own_display_name_;
};

}  // namespace msn
