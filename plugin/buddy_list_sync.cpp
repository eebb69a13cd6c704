// SPDX-License-Identifier: GPL-2.0-or-later
#include "buddy_list_sync.h"

#include <blist.h>
#include <debug.h>
#include <notify.h>
#include <privacy.h>
#include <signals.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "account.h"
#include "core/ascii.h"
#include "core/heap.h"
#include "error_text.h"
#include "i18n.h"

namespace msn::plugin {

const char* default_group_name() {
  // Translators: the buddy-list group of MSN contacts that are in no group (the old MSN
  // plugin's name for it).
  return _("Other Contacts");
}

namespace {

using Buddies = std::vector<PurpleBuddy*>;

Buddies buddies_of(PurpleAccount* account, const std::string& address) {
  Buddies buddies;
  GSList* found = purple_find_buddies(account, address.c_str());
  for (GSList* it = found; it != nullptr; it = it->next)
    buddies.push_back(static_cast<PurpleBuddy*>(it->data));
  g_slist_free(found);
  return buddies;
}

const char* group_name_of(PurpleBuddy* buddy) {
  PurpleGroup* group = purple_buddy_get_group(buddy);
  return group != nullptr ? purple_group_get_name(group) : "";
}

// Finds or creates groups by name, remembering them (and their last child) for the rest of
// one slice of a sync, or one change.
class Groups {
 public:
  // `tails`, when given, carries each group's last appended contact (by address) from one
  // slice to the next, so that finding the insertion point stays O(1) per slice.
  explicit Groups(PurpleAccount* account = nullptr, GroupTails* tails = nullptr)
      : account_(account), tails_(tails) {}
  Groups(const Groups&) = delete;
  Groups& operator=(const Groups&) = delete;
  ~Groups() {
    if (tails_ == nullptr) return;
    for (auto& [name, e] : known_)
      if (!e.last_address.empty()) (*tails_)[name] = std::move(e.last_address);
  }

  PurpleGroup* get(const std::string& name) { return entry(name).group; }

  // Puts `buddy` into the group as a contact of its own, at the end. libpurple's own "append"
  // walks the group's children each time, which for thousands of new buddies in one group
  // adds up; the last child is remembered here instead.
  void append(const std::string& name, PurpleBuddy* buddy) {
    Entry& e = entry(name);
    if (!e.last_known) {
      e.last = remembered_tail(name, e.group);
      if (e.last == nullptr) {
        for (PurpleBlistNode* child = purple_blist_node_get_first_child(node_of(e.group));
             child != nullptr; child = purple_blist_node_get_sibling_next(child))
          e.last = child;
      }
      e.last_known = true;
    }
    PurpleContact* contact = purple_contact_new();
    purple_blist_add_contact(contact, e.group, e.last);
    purple_blist_add_buddy(buddy, contact, e.group, nullptr);
    e.last = reinterpret_cast<PurpleBlistNode*>(contact);
    e.last_address = purple_buddy_get_name(buddy);
  }

 private:
  struct Entry {
    PurpleGroup* group;
    PurpleBlistNode* last = nullptr;
    bool last_known = false;
    std::string last_address = {};
  };

  static PurpleBlistNode* node_of(PurpleGroup* group) {
    return reinterpret_cast<PurpleBlistNode*>(group);
  }

  // The contact the previous slice appended last, looked up afresh (the user may have moved
  // or removed it since): a valid insertion point if it is still a contact of this group.
  // Whatever the user added after it meanwhile then simply stays after the new contacts.
  PurpleBlistNode* remembered_tail(const std::string& name, PurpleGroup* group) const {
    if (tails_ == nullptr || account_ == nullptr) return nullptr;
    auto it = tails_->find(name);
    if (it == tails_->end()) return nullptr;
    PurpleBuddy* buddy = purple_find_buddy_in_group(account_, it->second.c_str(), group);
    if (buddy == nullptr) return nullptr;
    auto* contact = reinterpret_cast<PurpleBlistNode*>(purple_buddy_get_contact(buddy));
    if (contact == nullptr || purple_blist_node_get_parent(contact) != node_of(group))
      return nullptr;
    return contact;
  }

  Entry& entry(const std::string& name) {
    auto it = known_.find(name);
    if (it != known_.end()) return it->second;
    PurpleGroup* group = purple_find_group(name.c_str());
    if (group == nullptr) {
      group = purple_group_new(name.c_str());
      purple_blist_add_group(group, nullptr);
    }
    return known_.emplace(name, Entry{group}).first->second;
  }

  PurpleAccount* account_;
  GroupTails* tails_;
  std::unordered_map<std::string, Entry> known_;
};

// The purple groups a contact belongs in: its server groups, or the default group.
std::vector<std::string> wanted_groups(const ev::ContactView& contact) {
  std::vector<std::string> wanted;
  for (const std::string& name : contact.groups) {
    if (!name.empty() && std::find(wanted.begin(), wanted.end(), name) == wanted.end())
      wanted.push_back(name);
  }
  if (wanted.empty()) wanted.emplace_back(default_group_name());
  return wanted;
}

enum class AliasMode {
  kIfSet,  // the whole-list sync: keep a local alias when the server has none
  kExact,  // a change: the server's nickname, an empty one clearing the alias
};

void apply_names(PurpleBuddy* buddy, const ev::ContactView& contact, AliasMode mode) {
  if (!contact.nickname.empty())
    purple_blist_alias_buddy(buddy, contact.nickname.c_str());
  else if (mode == AliasMode::kExact)
    purple_blist_alias_buddy(buddy, nullptr);
  if (!contact.display_name.empty())
    purple_blist_server_alias_buddy(buddy, contact.display_name.c_str());
}

// Makes the buddies of one contact match it: one buddy per wanted group. Buddies already in a
// wanted group stay (keeping their presence and settings), others are moved into the groups
// still missing, new ones are created for the rest, and leftovers are removed.
void sync_contact(PurpleAccount* account, Buddies have, const ev::ContactView& contact,
                  Groups& groups, AliasMode mode) {
  if (!has_any(contact.lists, ListBits::kForward)) {
    for (PurpleBuddy* buddy : have) purple_blist_remove_buddy(buddy);
    return;
  }
  const std::vector<std::string> wanted = wanted_groups(contact);
  std::vector<bool> placed(wanted.size(), false);
  Buddies kept;
  Buddies spare;
  for (PurpleBuddy* buddy : have) {
    const std::string_view group = group_name_of(buddy);
    std::size_t i = 0;
    while (i < wanted.size() && (placed[i] || wanted[i] != group)) ++i;
    if (i < wanted.size()) {
      placed[i] = true;
      kept.push_back(buddy);
    } else {
      spare.push_back(buddy);
    }
  }
  for (std::size_t i = 0; i < wanted.size(); ++i) {
    if (placed[i]) continue;
    PurpleBuddy* buddy;
    if (!spare.empty()) {
      buddy = spare.back();
      spare.pop_back();
    } else {
      buddy = purple_buddy_new(account, contact.address.c_str(), nullptr);
    }
    groups.append(wanted[i], buddy);
    kept.push_back(buddy);
  }
  for (PurpleBuddy* buddy : spare) purple_blist_remove_buddy(buddy);
  for (PurpleBuddy* buddy : kept) apply_names(buddy, contact, mode);
}

using PrivacyEdit = gboolean (*)(PurpleAccount*, const char*, gboolean);

// Tells the UI that `name` joined or left one privacy list, as libpurple's own
// purple_privacy_*_add/_remove would.
void notify_privacy_change(PurpleAccount* account, const PrivacyChange& change) {
  PurplePrivacyUiOps* ops = purple_privacy_get_ui_ops();
  if (ops != nullptr) {
    void (*changed)(PurpleAccount*, const char*) =
        change.permit ? (change.added ? ops->permit_added : ops->permit_removed)
                      : (change.added ? ops->deny_added : ops->deny_removed);
    if (changed != nullptr) changed(account, change.name.c_str());
  }
  if (PurpleBuddy* buddy = purple_find_buddy(account, change.name.c_str()); buddy != nullptr)
    purple_signal_emit(purple_blist_get_handle(), "buddy-privacy-changed", buddy);
}

// The first half of making one privacy list (`list` is the account's permit or deny field)
// equal to `wanted` (normalised names), locally only: drops the entries not wanted and the
// repeated ones, and returns the names kept; the second half (in ContactListSync::sync_privacy)
// adds the missing names a slice at a time. `changes` collects what the UI must be told.
// libpurple's purple_privacy_*_add/_remove search and append to the list for every name,
// which for a book of thousands of allowed contacts is quadratic (minutes at 50,000); here each
// entry costs one lookup, and the list is saved once at the end.
std::unordered_set<std::string> prune_privacy_list(GSList*& list,
                                                   const std::unordered_set<std::string>& wanted,
                                                   bool permit,
                                                   std::vector<PrivacyChange>& changes) {
  std::unordered_set<std::string> have;
  GSList* kept = nullptr;
  for (GSList* it = list; it != nullptr; it = it->next) {
    auto* name = static_cast<char*>(it->data);
    if (wanted.contains(name) && have.insert(name).second) {
      kept = g_slist_prepend(kept, name);
    } else {
      changes.push_back(PrivacyChange{name, permit, /*added=*/false});
      g_free(name);
    }
  }
  g_slist_free(list);
  list = g_slist_reverse(kept);
  return have;
}

void sync_privacy_entry(PurpleAccount* account, const std::string& address, bool on_list,
                        PrivacyEdit add, PrivacyEdit remove) {
  // Both return FALSE when there is nothing to do, which is fine here.
  if (on_list)
    add(account, address.c_str(), /*local_only=*/TRUE);
  else
    remove(account, address.c_str(), /*local_only=*/TRUE);
}

// The buddies of this account inside one group (collected first: moving them edits the tree).
Buddies account_buddies_in(PurpleGroup* group, PurpleAccount* account) {
  Buddies found;
  auto* group_node = reinterpret_cast<PurpleBlistNode*>(group);
  for (PurpleBlistNode* contact = purple_blist_node_get_first_child(group_node); contact != nullptr;
       contact = purple_blist_node_get_sibling_next(contact)) {
    if (!PURPLE_BLIST_NODE_IS_CONTACT(contact)) continue;
    for (PurpleBlistNode* node = purple_blist_node_get_first_child(contact); node != nullptr;
         node = purple_blist_node_get_sibling_next(node)) {
      if (PURPLE_BLIST_NODE_IS_BUDDY(node) &&
          purple_buddy_get_account(reinterpret_cast<PurpleBuddy*>(node)) == account)
        found.push_back(reinterpret_cast<PurpleBuddy*>(node));
    }
  }
  return found;
}

bool group_is_empty(PurpleGroup* group) {
  return purple_blist_node_get_first_child(reinterpret_cast<PurpleBlistNode*>(group)) == nullptr;
}

// True when no other account has anything in the group, so renaming it concerns us only.
bool group_is_ours_alone(PurpleGroup* group, PurpleAccount* account) {
  GSList* accounts = purple_group_get_accounts(group);
  bool alone = true;
  for (GSList* it = accounts; it != nullptr; it = it->next) alone = alone && it->data == account;
  g_slist_free(accounts);
  return alone;
}

}  // namespace

std::string server_group_for(Account& account, const char* purple_group_name) {
  const std::string name = purple_group_name != nullptr ? purple_group_name : "";
  if (name == default_group_name() && !account.server_groups().contains(name)) return {};
  return name;
}

ContactListSync::ContactListSync(Account& account, ev::ContactListLoaded event)
    : account_(account),
      event_(std::move(event)),
      contact_count_(event_.contacts.size()),
      started_us_(g_get_monotonic_time()) {
  account_.server_groups() = std::set<std::string>(event_.groups.begin(), event_.groups.end());
  account_.server_groups().erase(std::string());
  // Sized once: growing these sets contact by contact rehashes each of them a dozen times.
  seen_.reserve(contact_count_);
  permit_.reserve(contact_count_);
  Account::EchoGuard guard(account_);
  Groups groups;
  for (const std::string& name : event_.groups) {
    if (!name.empty()) (void)groups.get(name);
  }
}

bool ContactListSync::step(std::size_t max_contacts, gint64 budget_us) {
  const gint64 slice_started = g_get_monotonic_time();
  const gint64 slice_end = slice_started + budget_us;
  Account::EchoGuard guard(account_);
  PurpleAccount* purple = account_.purple_account();
  // The phases follow each other within one slice while it has time left, so a small list is
  // done in the first slice.
  bool done = false;
  auto has_time = [&] { return g_get_monotonic_time() < slice_end; };
  if (phase_ == Phase::kListBuddies) list_buddies(purple);
  if (phase_ == Phase::kContacts && has_time()) apply_contacts(purple, max_contacts, slice_end);
  if (phase_ == Phase::kFindStale && has_time()) find_stale(slice_end);
  if (phase_ == Phase::kRemoveStale && has_time()) remove_stale(purple, slice_end);
  if (phase_ == Phase::kPrivacy && has_time()) sync_privacy(purple, slice_end);
  if (phase_ == Phase::kNotify && has_time()) notify_privacy(purple, slice_end);
  if (phase_ == Phase::kRelease && has_time()) done = release(slice_end);
  // What this slice freed is merged now, not all at once in some later slice, with the next
  // big answer or when the sync is destroyed.
  merge_freed_blocks();
  ++slices_;
  const gint64 now = g_get_monotonic_time();
  busy_us_ += now - slice_started;
  longest_slice_us_ = std::max(longest_slice_us_, now - slice_started);
  if (done) {
    purple_debug_info("msnp",
                      "buddy list synchronised: %zu contacts, %zu groups in %zu slices, %lld ms "
                      "of work over %lld ms, longest slice %lld ms\n",
                      contact_count_, event_.groups.size(), slices_,
                      static_cast<long long>(busy_us_ / 1000),
                      static_cast<long long>((now - started_us_) / 1000),
                      static_cast<long long>(longest_slice_us_ / 1000));
  }
  return done;
}

void ContactListSync::apply_contacts(PurpleAccount* purple, std::size_t max_contacts,
                                     gint64 slice_end) {
  // Looked up afresh in every slice: between slices the user may have removed a group or a
  // buddy, so no libpurple pointer is kept from one slice to the next (tails_ holds names).
  Groups groups(purple, &tails_);
  const std::size_t end = next_ + std::min(max_contacts, event_.contacts.size() - next_);
  // At least one contact per slice, however slow, so that the sync always advances.
  for (std::size_t first = next_; next_ < end; ++next_) {
    if (next_ > first && g_get_monotonic_time() >= slice_end) break;
    const ev::ContactView& contact = event_.contacts[next_];
    std::string key = ascii::to_lower(contact.address);
    if (!seen_.insert(key).second) continue;  // a repeated entry: the first one decided
    if (has_any(contact.lists, ListBits::kAllow)) permit_.insert(key);
    if (has_any(contact.lists, ListBits::kBlock)) deny_.insert(std::move(key));
    sync_contact(purple, buddies_of(purple, contact.address), contact, groups, AliasMode::kIfSet);
  }
  if (next_ == event_.contacts.size()) phase_ = Phase::kFindStale;
}

// The buddies the account had before the sync, by name, in one pass (no libpurple pointer is
// kept between slices): only these can be stale, since every buddy the sync makes is on the
// server's list and one the user adds meanwhile is on its way there. On a first sign-in there
// are none, and a big book is not walked a second time. find_stale checks them against the
// server's list a slice at a time, and remove_stale removes the ones it has no more.
void ContactListSync::list_buddies(PurpleAccount* purple) {
  GSList* all = purple_find_buddies(purple, nullptr);
  for (GSList* it = all; it != nullptr; it = it->next)
    buddy_names_.emplace_back(purple_buddy_get_name(static_cast<PurpleBuddy*>(it->data)));
  g_slist_free(all);
  phase_ = Phase::kContacts;
}

void ContactListSync::find_stale(gint64 slice_end) {
  std::string key;  // one buffer for every lookup: no allocation per buddy
  for (std::size_t first = next_buddy_; next_buddy_ < buddy_names_.size(); ++next_buddy_) {
    if (next_buddy_ > first && g_get_monotonic_time() >= slice_end) return;
    std::string& name = buddy_names_[next_buddy_];
    key.assign(name);
    for (char& c : key) c = ascii::to_lower(c);
    if (!seen_.contains(key)) stale_.push_back(std::move(name));
  }
  phase_ = Phase::kRemoveStale;
}

void ContactListSync::remove_stale(PurpleAccount* purple, gint64 slice_end) {
  for (std::size_t first = next_stale_; next_stale_ < stale_.size(); ++next_stale_) {
    if (next_stale_ > first && g_get_monotonic_time() >= slice_end) return;
    // Every copy of it: a stale contact may be in several groups.
    for (PurpleBuddy* buddy : buddies_of(purple, stale_[next_stale_]))
      purple_blist_remove_buddy(buddy);
  }
  std::vector<std::string>().swap(stale_);
  phase_ = Phase::kPrivacy;
}

// The privacy lists: each pruned in one pass over what the account holds, then completed with
// the missing names a slice at a time; consistent after every slice.
void ContactListSync::sync_privacy(PurpleAccount* purple, gint64 slice_end) {
  for (; privacy_list_ < 2; ++privacy_list_) {
    const bool permit = privacy_list_ == 0;
    GSList*& list = permit ? purple->permit : purple->deny;
    const std::unordered_set<std::string>& wanted = permit ? permit_ : deny_;
    if (!privacy_pruned_) {
      const std::size_t changes_before = privacy_changes_.size();
      privacy_have_ = prune_privacy_list(list, wanted, permit, privacy_changes_);
      privacy_dirty_ = privacy_dirty_ || privacy_changes_.size() != changes_before;
      privacy_next_ = wanted.begin();
      privacy_pruned_ = true;
      if (g_get_monotonic_time() >= slice_end) return;
    }
    // `wanted` is ours and unchanged since the iterator was taken: resuming is safe.
    for (bool first = true; privacy_next_ != wanted.end(); ++privacy_next_, first = false) {
      if (!first && g_get_monotonic_time() >= slice_end) return;
      const std::string& name = *privacy_next_;
      if (privacy_have_.contains(name)) continue;
      list = g_slist_prepend(list, g_strdup(name.c_str()));
      privacy_changes_.push_back(PrivacyChange{name, permit, /*added=*/true});
      privacy_dirty_ = true;
    }
    std::unordered_set<std::string>().swap(privacy_have_);
    privacy_pruned_ = false;
  }
  if (privacy_dirty_) {
    PurpleBlistUiOps* blist_ops = purple_blist_get_ui_ops();
    if (blist_ops != nullptr && blist_ops->save_account != nullptr) blist_ops->save_account(purple);
  }
  phase_ = Phase::kNotify;
}

void ContactListSync::notify_privacy(PurpleAccount* purple, gint64 slice_end) {
  for (std::size_t first = notified_; notified_ < privacy_changes_.size(); ++notified_) {
    if (notified_ > first && g_get_monotonic_time() >= slice_end) return;
    notify_privacy_change(purple, privacy_changes_[notified_]);
  }
  phase_ = Phase::kRelease;
}

// What the sync held for a 50,000-contact book is a few hundred thousand strings: freed a
// slice at a time, so that destroying the sync costs nothing noticeable.
template <typename Container>
bool drain(Container& container, gint64 slice_end) {
  std::size_t freed = 0;
  while (!container.empty()) {
    if (++freed % 256 == 0 && g_get_monotonic_time() >= slice_end) return false;
    if constexpr (requires { container.pop_back(); })
      container.pop_back();
    else
      container.erase(container.begin());
  }
  return true;
}

bool ContactListSync::release(gint64 slice_end) {
  const bool empty = drain(event_.contacts, slice_end) && drain(buddy_names_, slice_end) &&
                     drain(seen_, slice_end) && drain(permit_, slice_end) &&
                     drain(deny_, slice_end) && drain(privacy_changes_, slice_end) &&
                     drain(tails_, slice_end);
  return empty;
}

namespace {

// The alias the user typed when adding this contact, now that the server has the contact:
// kept on the buddy and sent to the server. nullopt when there is none to apply.
std::optional<std::string> take_pending_alias(Account& account, const ev::ContactView& contact) {
  auto it = account.pending_aliases().find(ascii::to_lower(contact.address));
  if (it == account.pending_aliases().end() || !has_any(contact.lists, ListBits::kForward))
    return std::nullopt;
  std::string alias = std::move(it->second);
  account.pending_aliases().erase(it);
  if (!contact.nickname.empty())
    return std::nullopt;  // the server already has one (set elsewhere): it wins
  // From inside an event: the Driver queues what this produces behind the current events.
  Status sent = account.act([&](Client& client, TimePoint now) {
    return client.set_contact_alias(contact.address, alias, now);
  });
  if (!sent.is_ok())
    purple_debug_info("msnp", "alias of a new contact not sent: %s\n", sent.error().detail.c_str());
  return alias;
}

}  // namespace

void apply_contact_changed(Account& account, const ev::ContactChanged& event) {
  std::optional<std::string> pending_alias = take_pending_alias(account, event.contact);
  Account::EchoGuard guard(account);
  PurpleAccount* purple = account.purple_account();
  ev::ContactView contact = event.contact;
  if (pending_alias) contact.nickname = std::move(*pending_alias);
  for (const std::string& name : contact.groups) {
    if (!name.empty()) account.server_groups().insert(name);
  }
  Groups groups;
  sync_contact(purple, buddies_of(purple, contact.address), contact, groups, AliasMode::kExact);
  const std::string key = ascii::to_lower(contact.address);
  sync_privacy_entry(purple, key, has_any(contact.lists, ListBits::kAllow),
                     &purple_privacy_permit_add, &purple_privacy_permit_remove);
  sync_privacy_entry(purple, key, has_any(contact.lists, ListBits::kBlock),
                     &purple_privacy_deny_add, &purple_privacy_deny_remove);
}

void apply_contact_removed(Account& account, const ev::ContactRemoved& event) {
  Account::EchoGuard guard(account);
  PurpleAccount* purple = account.purple_account();
  for (PurpleBuddy* buddy : buddies_of(purple, event.address)) purple_blist_remove_buddy(buddy);
  const std::string key = ascii::to_lower(event.address);
  purple_privacy_permit_remove(purple, key.c_str(), /*local_only=*/TRUE);
  purple_privacy_deny_remove(purple, key.c_str(), /*local_only=*/TRUE);
  account.presence_cache().erase(event.address);
  account.pending_aliases().erase(key);
}

void apply_group_changed(Account& account, const ev::GroupChanged& event) {
  if (event.name.empty()) return;
  Account::EchoGuard guard(account);
  PurpleAccount* purple = account.purple_account();
  account.server_groups().insert(event.name);
  Groups groups;
  PurpleGroup* old_group =
      event.old_name.empty() ? nullptr : purple_find_group(event.old_name.c_str());
  if (!event.old_name.empty()) account.server_groups().erase(event.old_name);
  if (old_group == nullptr) {
    (void)groups.get(event.name);
    return;
  }
  if (group_is_ours_alone(old_group, purple) && purple_find_group(event.name.c_str()) == nullptr) {
    purple_blist_rename_group(old_group, event.name.c_str());
    return;
  }
  // The group is shared with other accounts (or the new name exists): move only our buddies.
  PurpleGroup* new_group = groups.get(event.name);
  for (PurpleBuddy* buddy : account_buddies_in(old_group, purple))
    purple_blist_add_buddy(buddy, nullptr, new_group, nullptr);
  if (group_is_empty(old_group)) purple_blist_remove_group(old_group);
}

void apply_group_removed(Account& account, const ev::GroupRemoved& event) {
  Account::EchoGuard guard(account);
  PurpleAccount* purple = account.purple_account();
  account.server_groups().erase(event.name);
  PurpleGroup* group = event.name.empty() ? nullptr : purple_find_group(event.name.c_str());
  if (group == nullptr) return;
  // Its contacts stay on the list: in their other groups, or in the default group. The engine
  // also sends ContactChanged for them; this keeps the list right whichever comes first.
  Groups groups;
  for (PurpleBuddy* buddy : account_buddies_in(group, purple)) {
    if (buddies_of(purple, purple_buddy_get_name(buddy)).size() > 1)
      purple_blist_remove_buddy(buddy);
    else
      purple_blist_add_buddy(buddy, nullptr, groups.get(default_group_name()), nullptr);
  }
  if (group_is_empty(group)) purple_blist_remove_group(group);
}

void notify_list_failure(PurpleConnection* gc, ev::ListOperation operation,
                         const std::string& subject, const Error& error) {
  purple_debug_warning("msnp", "contact list change failed (%s): %s (code %d)\n", subject.c_str(),
                       error.detail.c_str(), error.server_code);
  const std::string primary = list_operation_failure_text(operation, subject, error);
  const std::string secondary = describe_reason(error);
  purple_notify_error(gc, _("MSN contact list"), primary.c_str(), secondary.c_str());
}

}  // namespace msn::plugin
