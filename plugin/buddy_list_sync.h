// SPDX-License-Identifier: GPL-2.0-or-later
// The server's contact list -> libpurple's buddy list and privacy lists.
//
// Mapping: a contact on the forward list (FL) is one PurpleBuddy in each of its groups; a
// contact in no group is a buddy in the default group "Other Contacts" (the old MSN prpl's
// name for it). The contact's nickname (the private alias the owner set) is the buddy's alias,
// its own friendly name the server alias. The allow list (AL) is the account's permit list,
// the block list (BL) its deny list. Every change is applied locally only (echo suppressed),
// so nothing the server said travels back to it.
#pragma once

#include <connection.h>

#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/status.h"
#include "session/event.h"

namespace msn::plugin {

class Account;

// The group contacts in no server group are shown in (translated).
const char* default_group_name();

// The server group a purple group stands for: "" (no group) for the default group, unless the
// server really has a group of that name.
std::string server_group_for(Account& account, const char* purple_group_name);

// A group's last contact this sync appended, by address (see ContactListSync).
using GroupTails = std::unordered_map<std::string, std::string>;

// One notice for the UI about a privacy list entry.
struct PrivacyChange {
  std::string name;
  bool permit;  // the permit list, else the deny list
  bool added;
};

// The whole-list sync (ContactListLoaded) applied a slice at a time, so that a big address
// book never holds the main loop for long: the caller runs step() from successive main-loop
// iterations and holds back every later event until it returns true. Each slice is bounded by
// a number of contacts and by time; the whole sync is linear in the book. No libpurple pointer
// is kept between slices.
class ContactListSync {
 public:
  // Records the server's groups and creates them in the buddy list.
  ContactListSync(Account& account, ev::ContactListLoaded event);
  ContactListSync(const ContactListSync&) = delete;
  ContactListSync& operator=(const ContactListSync&) = delete;

  // Applies up to `max_contacts` more contacts, stopping early once `budget_us` has passed
  // (always at least one; the first slice notes the buddies the account has before that).
  // After the last contact, later slices remove the buddies on no server list, set the privacy
  // lists, tell the UI about the privacy changes and free what the sync held. True when the buddy
  // list matches the server's and the sync is spent.
  bool step(std::size_t max_contacts, gint64 budget_us);

 private:
  enum class Phase {
    kListBuddies,
    kContacts,
    kFindStale,
    kRemoveStale,
    kPrivacy,
    kNotify,
    kRelease
  };

  void apply_contacts(PurpleAccount* purple, std::size_t max_contacts, gint64 slice_end);
  void list_buddies(PurpleAccount* purple);
  void find_stale(gint64 slice_end);
  void remove_stale(PurpleAccount* purple, gint64 slice_end);
  void sync_privacy(PurpleAccount* purple, gint64 slice_end);
  void notify_privacy(PurpleAccount* purple, gint64 slice_end);
  bool release(gint64 slice_end);

  Account& account_;
  ev::ContactListLoaded event_;
  std::size_t contact_count_;
  Phase phase_ = Phase::kListBuddies;
  std::size_t next_ = 0;
  std::vector<std::string> buddy_names_;  // the account's buddies before the sync
  std::size_t next_buddy_ = 0;
  std::vector<std::string> stale_;  // buddies on no server list, by name
  std::size_t next_stale_ = 0;
  int privacy_list_ = 0;  // 0 permit, 1 deny
  bool privacy_pruned_ = false;
  bool privacy_dirty_ = false;
  std::unordered_set<std::string> privacy_have_;
  std::unordered_set<std::string>::const_iterator privacy_next_;
  std::unordered_set<std::string> seen_;
  std::unordered_set<std::string> permit_;
  std::unordered_set<std::string> deny_;
  GroupTails tails_;
  std::vector<PrivacyChange> privacy_changes_;
  std::size_t notified_ = 0;
  std::size_t slices_ = 0;
  gint64 started_us_;
  gint64 busy_us_ = 0;
  gint64 longest_slice_us_ = 0;
};
void apply_contact_changed(Account& account, const ev::ContactChanged& event);
void apply_contact_removed(Account& account, const ev::ContactRemoved& event);
void apply_group_changed(Account& account, const ev::GroupChanged& event);
void apply_group_removed(Account& account, const ev::GroupRemoved& event);

// Tells the user a contact-list change did not happen (an error dialog).
void notify_list_failure(PurpleConnection* gc, ev::ListOperation operation,
                         const std::string& subject, const Error& error);

}  // namespace msn::plugin
