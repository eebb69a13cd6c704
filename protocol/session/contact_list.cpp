// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/contact_list.h"

#include <algorithm>
#include <array>
#include <optional>
#include <utility>

namespace msn {
namespace {

constexpr ListBits kMemberRoles =
    ListBits::kAllow | ListBits::kBlock | ListBits::kReverse | ListBits::kPending;
constexpr std::array<ListBits, 4> kRoles = {ListBits::kAllow, ListBits::kBlock, ListBits::kReverse,
                                            ListBits::kPending};

void note(std::vector<std::string>* list, const std::string& value) {
  if (list != nullptr) list->push_back(value);
}

void sort_unique(std::vector<std::string>& values) {
  std::sort(values.begin(), values.end());
  values.erase(std::unique(values.begin(), values.end()), values.end());
}

// Each contact is reported once, by where it ended up: still listed = changed, gone =
// removed (a contact changed and then removed by the same update is removed, and one removed
// and then added again is changed); groups likewise.
void normalise(ListChanges& changes, const std::unordered_map<std::string, Contact>& contacts,
               const std::unordered_map<std::string, Group>& groups) {
  std::vector<std::string> touched = std::move(changes.contacts_changed);
  touched.insert(touched.end(), changes.contacts_removed.begin(), changes.contacts_removed.end());
  sort_unique(touched);
  changes.contacts_changed.clear();
  changes.contacts_removed.clear();
  for (std::string& key : touched)
    (contacts.count(key) != 0 ? changes.contacts_changed : changes.contacts_removed)
        .push_back(std::move(key));
  sort_unique(changes.groups_changed);
  sort_unique(changes.groups_removed);
  const auto exists = [&groups](const std::string& id) {
    return groups.count(ascii::to_lower(id)) != 0;
  };
  std::erase_if(changes.groups_changed, [&](const std::string& id) { return !exists(id); });
  std::erase_if(changes.groups_removed, exists);
}

bool contains_id(const std::vector<std::string>& ids, std::string_view id) {
  return std::any_of(ids.begin(), ids.end(),
                     [&](const std::string& g) { return ascii::iequals(g, id); });
}

}  // namespace

ContactList::ContactList(const ContactList& other)
    : contacts_(other.contacts_),
      by_contact_id_(other.by_contact_id_),
      groups_(other.groups_),
      membership_last_change_(other.membership_last_change_),
      address_book_last_change_(other.address_book_last_change_),
      cache_key_(other.cache_key_),
      preferred_host_(other.preferred_host_),
      own_display_name_(other.own_display_name_) {
  rebuild_index();
}

ContactList& ContactList::operator=(const ContactList& other) {
  if (this != &other) *this = ContactList(other);
  return *this;
}

// ---- full sync ---------------------------------------------------------------------------

void ContactList::load(const soap::MembershipResult& membership,
                       const soap::AddressBookResult& address_book) {
  begin_load(membership, address_book);
  for (const soap::Member& member : membership.members) load_member(member);
  for (const soap::AbContact& contact : address_book.contacts) load_ab_contact(contact);
  end_load(membership, address_book);
}

void ContactList::begin_load(const soap::MembershipResult& membership,
                             const soap::AddressBookResult& address_book) {
  contacts_.clear();
  by_address_.clear();
  by_contact_id_.clear();
  groups_.clear();
  contacts_.reserve(membership.members.size() + address_book.contacts.size());
  by_contact_id_.reserve(address_book.contacts.size());
  for (const Group& group : address_book.groups)
    groups_.insert_or_assign(ascii::to_lower(group.id), group);
}

void ContactList::end_load(const soap::MembershipResult& membership,
                           const soap::AddressBookResult& address_book) {
  // Roles that a full result lists only as deleted leave a contact on no list at all.
  for (auto it = contacts_.begin(); it != contacts_.end();) {
    const auto next = std::next(it);
    if (it->second.lists == ListBits::kNone) erase_contact(it);
    it = next;
  }

  membership_last_change_ = membership.last_change;
  address_book_last_change_ = address_book.last_change;
  if (address_book.has_owner) own_display_name_ = address_book.owner_display_name;
  note_service_header(membership.header);
  note_service_header(address_book.header);
}

void ContactList::merge_member(const soap::Member& member, bool apply_deletions,
                               ListChanges* changes) {
  const std::string key = ascii::to_lower(member.address);
  Contact& contact = upsert(key, member.address, member.network);
  // Only updates report changes; a full load skips the copy.
  std::optional<Contact> before;
  if (changes != nullptr) before = contact;
  if (apply_deletions) {
    contact.lists &= ~(member.deleted_lists & kMemberRoles);
    for (const ListBits role : kRoles)
      if (has_any(member.deleted_lists, role)) contact.membership_ids.for_role(role)->clear();
  }
  contact.lists |= member.lists & kMemberRoles;
  for (const ListBits role : kRoles) {
    const std::string& id = *member.membership_ids.for_role(role);
    if (!id.empty() && has_any(member.lists, role)) *contact.membership_ids.for_role(role) = id;
  }
  if (contact.display_name.empty()) contact.display_name = member.display_name;
  if (!member.invite_message.empty()) contact.invite_message = member.invite_message;
  if (contact.network == Network::kUnknown) contact.network = member.network;
  if (changes == nullptr) return;
  if (!erase_if_unlisted(key, changes) && !(*before == contact))
    note(&changes->contacts_changed, key);
}

void ContactList::merge_ab_contact(const soap::AbContact& ab, ListChanges* changes) {
  const std::string key = ascii::to_lower(ab.address);
  // The same contact id under another address: the address changed; the old entry leaves FL.
  if (!ab.contact_id.empty()) {
    const auto old = by_contact_id_.find(ascii::to_lower(ab.contact_id));
    if (old != by_contact_id_.end() && old->second != key) {
      const std::string old_key = old->second;
      drop_from_address_book(old_key, changes);
    }
  }
  Contact& contact = upsert(key, ab.address, ab.network);
  std::optional<Contact> before;
  if (changes != nullptr) before = contact;
  contact.lists |= ListBits::kForward;
  if (contact.network == Network::kUnknown) contact.network = ab.network;
  if (!ab.display_name.empty()) contact.display_name = ab.display_name;
  contact.nickname = ab.nickname;
  contact.group_ids = known_groups(ab.group_ids);
  contact.is_messenger_user = true;
  set_contact_id_index(contact, key, ab.contact_id);
  if (changes != nullptr && !(*before == contact)) note(&changes->contacts_changed, key);
}

// ---- deltas ------------------------------------------------------------------------------

ListChanges ContactList::apply_membership_delta(const soap::MembershipResult& delta) {
  ListChanges changes;
  for (const soap::Member& member : delta.members) merge_member(member, true, &changes);
  if (!delta.last_change.empty()) membership_last_change_ = delta.last_change;
  note_service_header(delta.header);
  normalise(changes, contacts_, groups_);
  return changes;
}

ListChanges ContactList::apply_address_book_delta(const soap::AddressBookResult& delta) {
  ListChanges changes;
  for (const Group& group : delta.groups) {
    const std::string key = ascii::to_lower(group.id);
    const auto it = groups_.find(key);
    if (it == groups_.end() || !(it->second == group)) note(&changes.groups_changed, group.id);
    groups_.insert_or_assign(key, group);
  }
  for (const std::string& id : delta.deleted_group_ids) {
    if (groups_.count(ascii::to_lower(id)) == 0) continue;
    for (auto& [key, contact] : contacts_)
      if (contains_id(contact.group_ids, id)) note(&changes.contacts_changed, key);
    remove_group(id);
    note(&changes.groups_removed, id);
  }
  for (const std::string& id : delta.removed_contact_ids) {
    const auto it = by_contact_id_.find(ascii::to_lower(id));
    if (it == by_contact_id_.end()) continue;
    const std::string key = it->second;
    drop_from_address_book(key, &changes);
  }
  for (const soap::AbContact& contact : delta.contacts) merge_ab_contact(contact, &changes);
  if (delta.has_owner) own_display_name_ = delta.owner_display_name;
  if (!delta.last_change.empty()) address_book_last_change_ = delta.last_change;
  note_service_header(delta.header);
  normalise(changes, contacts_, groups_);
  return changes;
}

void ContactList::drop_from_address_book(const std::string& key, ListChanges* changes) {
  const auto it = contacts_.find(key);
  if (it == contacts_.end()) return;
  Contact& contact = it->second;
  if (!contact.contact_id.empty()) by_contact_id_.erase(ascii::to_lower(contact.contact_id));
  contact.contact_id.clear();
  contact.group_ids.clear();
  contact.nickname.clear();
  contact.lists &= ~ListBits::kForward;
  if (!erase_if_unlisted(key, changes) && changes != nullptr) note(&changes->contacts_changed, key);
}

bool ContactList::erase_if_unlisted(const std::string& key, ListChanges* changes) {
  const auto it = contacts_.find(key);
  if (it == contacts_.end() || it->second.lists != ListBits::kNone) return false;
  if (!it->second.contact_id.empty()) by_contact_id_.erase(ascii::to_lower(it->second.contact_id));
  erase_contact(it);
  if (changes != nullptr) note(&changes->contacts_removed, key);
  return true;
}

// ---- single changes ----------------------------------------------------------------------

bool ContactList::add_to_lists(std::string_view address, Network network, ListBits lists,
                               std::string_view display_name) {
  if (!is_valid_address(address) || lists == ListBits::kNone) return false;
  const std::string key = ascii::to_lower(address);
  Contact& contact = upsert(key, address, network);
  const Contact before = contact;
  contact.lists |= lists;
  if (contact.network == Network::kUnknown) contact.network = network;
  if (contact.display_name.empty()) contact.display_name = display_name;
  return !(before == contact);
}

bool ContactList::remove_from_lists(std::string_view address, ListBits lists) {
  const std::string key = ascii::to_lower(address);
  const auto it = contacts_.find(key);
  if (it == contacts_.end() || !has_any(it->second.lists, lists)) return false;
  Contact& contact = it->second;
  contact.lists &= ~lists;
  for (const ListBits role : kRoles)
    if (has_any(lists, role)) contact.membership_ids.for_role(role)->clear();
  if (has_any(lists, ListBits::kForward)) {
    if (!contact.contact_id.empty()) by_contact_id_.erase(ascii::to_lower(contact.contact_id));
    contact.contact_id.clear();
    contact.group_ids.clear();
    contact.nickname.clear();
  }
  erase_if_unlisted(key, nullptr);
  return true;
}

bool ContactList::set_contact_id(std::string_view address, std::string_view contact_id) {
  Contact* contact = find_mutable(address);
  if (contact == nullptr) return false;
  set_contact_id_index(*contact, ascii::to_lower(address), contact_id);
  return true;
}

bool ContactList::set_nickname(std::string_view address, std::string_view nickname) {
  Contact* contact = find_mutable(address);
  if (contact == nullptr) return false;
  contact->nickname = nickname;
  return true;
}

bool ContactList::set_display_name(std::string_view address, std::string_view display_name) {
  Contact* contact = find_mutable(address);
  if (contact == nullptr) return false;
  contact->display_name = display_name;
  return true;
}

bool ContactList::add_contact_to_group(std::string_view address, std::string_view group_id) {
  Contact* contact = find_mutable(address);
  const Group* group = find_group(group_id);
  if (contact == nullptr || group == nullptr) return false;
  if (!contains_id(contact->group_ids, group_id)) contact->group_ids.push_back(group->id);
  return true;
}

bool ContactList::remove_contact_from_group(std::string_view address, std::string_view group_id) {
  Contact* contact = find_mutable(address);
  if (contact == nullptr) return false;
  const std::string wanted = ascii::to_lower(group_id);
  return std::erase_if(contact->group_ids,
                       [&](const std::string& id) { return ascii::to_lower(id) == wanted; }) > 0;
}

void ContactList::add_group(Group group) {
  std::string key = ascii::to_lower(group.id);
  groups_.insert_or_assign(std::move(key), std::move(group));
}

bool ContactList::remove_group(std::string_view group_id) {
  const std::string wanted = ascii::to_lower(group_id);
  if (groups_.erase(wanted) == 0) return false;
  for (auto& [key, contact] : contacts_)
    std::erase_if(contact.group_ids,
                  [&](const std::string& id) { return ascii::to_lower(id) == wanted; });
  return true;
}

// ---- lookups -----------------------------------------------------------------------------

const Contact* ContactList::find(std::string_view address) const {
  const auto it = contacts_.find(ascii::to_lower(address));
  return it == contacts_.end() ? nullptr : &it->second;
}

Contact* ContactList::find_mutable(std::string_view address) {
  const auto it = contacts_.find(ascii::to_lower(address));
  return it == contacts_.end() ? nullptr : &it->second;
}

const Contact* ContactList::find_by_contact_id(std::string_view contact_id) const {
  const auto it = by_contact_id_.find(ascii::to_lower(contact_id));
  if (it == by_contact_id_.end()) return nullptr;
  const auto contact = contacts_.find(it->second);
  return contact == contacts_.end() ? nullptr : &contact->second;
}

const Group* ContactList::find_group(std::string_view group_id) const {
  const auto it = groups_.find(ascii::to_lower(group_id));
  return it == groups_.end() ? nullptr : &it->second;
}

const Group* ContactList::find_group_by_name(std::string_view name) const {
  for (const auto& [key, group] : groups_)
    if (group.name == name) return &group;
  return nullptr;
}

std::vector<const Contact*> ContactList::contacts() const {
  std::vector<const Contact*> out;
  out.reserve(by_address_.size());
  for (const auto& entry : by_address_) out.push_back(entry.second);
  return out;
}

std::vector<const Contact*> ContactList::contacts_on(ListBits list) const {
  std::vector<const Contact*> out;
  for (const auto& entry : by_address_)
    if (entry.second->on(list)) out.push_back(entry.second);
  return out;
}

std::vector<std::string> ContactList::addresses() const {
  std::vector<std::string> out;
  out.reserve(by_address_.size());
  for (const auto& entry : by_address_) out.emplace_back(entry.first);
  return out;
}

std::vector<const Contact*> ContactList::next_contacts(ContactWalk& walk, std::size_t max) const {
  std::vector<const Contact*> out;
  if (walk.finished) return out;
  auto it = walk.started ? by_address_.upper_bound(walk.last) : by_address_.begin();
  walk.started = true;
  out.reserve(std::min(max, by_address_.size()));
  for (; it != by_address_.end() && out.size() < max; ++it) {
    out.push_back(it->second);
    walk.last = it->first;
  }
  walk.finished = it == by_address_.end();
  return out;
}

std::vector<const Group*> ContactList::groups() const {
  std::vector<std::pair<const std::string*, const Group*>> keyed;
  for (const auto& [key, group] : groups_) keyed.emplace_back(&key, &group);
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return *a.first < *b.first; });
  std::vector<const Group*> out;
  for (const auto& entry : keyed) out.push_back(entry.second);
  return out;
}

std::vector<std::string> ContactList::initial_adl(const wire::MlLimits& limits) const {
  std::vector<wire::MlContact> entries;
  entries.reserve(contacts_.size());
  for (const auto& [key, contact] : contacts_) {
    if (!has_any(contact.lists, kAnnouncedLists)) continue;
    entries.push_back(wire::MlContact{contact.passport, contact.lists, contact.network, {}});
  }
  return wire::build_initial_adl(entries, limits);
}

std::vector<std::string> ContactList::initial_adl_for(std::span<const std::string> addresses,
                                                      const wire::MlLimits& limits) const {
  std::vector<wire::MlContact> entries;
  entries.reserve(addresses.size());
  for (const std::string& key : addresses) {
    const auto it = contacts_.find(key);
    if (it == contacts_.end() || !has_any(it->second.lists, kAnnouncedLists)) continue;
    const Contact& contact = it->second;
    entries.push_back(wire::MlContact{contact.passport, contact.lists, contact.network, {}});
  }
  if (entries.empty()) return {};
  return wire::build_initial_adl(entries, limits);
}

std::vector<std::string> ContactList::initial_adl_for(std::span<const Contact* const> contacts,
                                                      const wire::MlLimits& limits) const {
  std::vector<wire::MlContact> entries;
  entries.reserve(contacts.size());
  for (const Contact* contact : contacts) {
    if (!has_any(contact->lists, kAnnouncedLists)) continue;
    entries.push_back(wire::MlContact{contact->passport, contact->lists, contact->network, {}});
  }
  if (entries.empty()) return {};
  return wire::build_initial_adl(entries, limits);
}

std::vector<std::string> ContactList::unknown_network_addresses() const {
  std::vector<std::string> out;
  for (const auto& [key, contact] : contacts_)
    if (contact.network == Network::kUnknown && has_any(contact.lists, kAnnouncedLists))
      out.push_back(contact.passport);
  std::sort(out.begin(), out.end());
  return out;
}

void ContactList::note_service_header(const soap::ServiceHeader& header) {
  if (header.cache_key_changed && !header.cache_key.empty()) cache_key_ = header.cache_key;
  if (!header.preferred_host_name.empty()) preferred_host_ = header.preferred_host_name;
}

// ---- internals ---------------------------------------------------------------------------

Contact& ContactList::upsert(const std::string& key, std::string_view address, Network network) {
  auto [it, inserted] = contacts_.try_emplace(key);
  if (inserted) {
    it->second.passport = std::string(address);
    it->second.network = network;
    by_address_.emplace(it->first, &it->second);
  }
  return it->second;
}

void ContactList::erase_contact(std::unordered_map<std::string, Contact>::iterator it) {
  by_address_.erase(it->first);
  contacts_.erase(it);
}

void ContactList::rebuild_index() {
  by_address_.clear();
  for (auto& [key, contact] : contacts_) by_address_.emplace(key, &contact);
}

void ContactList::set_contact_id_index(Contact& contact, const std::string& key,
                                       std::string_view id) {
  if (!contact.contact_id.empty()) by_contact_id_.erase(ascii::to_lower(contact.contact_id));
  contact.contact_id = std::string(id);
  if (!id.empty()) by_contact_id_[ascii::to_lower(id)] = key;
}

std::vector<std::string> ContactList::known_groups(const std::vector<std::string>& ids) const {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (const std::string& id : ids)
    if (groups_.count(ascii::to_lower(id)) != 0 && !contains_id(out, id)) out.push_back(id);
  return out;
}

}  // namespace msn
