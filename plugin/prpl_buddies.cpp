// SPDX-License-Identifier: GPL-2.0-or-later
// Contact-list and privacy callbacks: the user's buddy-list edits -> Client intents. libpurple
// has already changed its own list when these run; the server's answer (or a refusal followed
// by the server's state) comes back as events.
#include "prpl_callbacks.h"

#include <blist.h>
#include <debug.h>
#include <privacy.h>

#include <string>

#include "account.h"
#include "buddy_list_sync.h"
#include "core/ascii.h"
#include "prpl_common.h"

namespace msn::plugin {
namespace {

const char* group_name(PurpleGroup* group) {
  return group != nullptr ? purple_group_get_name(group) : nullptr;
}

// Runs a Status intent; a refusal is reported as the failed list operation.
template <typename Intent>
void list_intent(Account& account, ev::ListOperation operation, const std::string& subject,
                 Intent&& intent) {
  Status status = account.act(std::forward<Intent>(intent));
  if (!status.is_ok())
    notify_list_failure(account.connection(), operation, subject, status.error());
}

// The add was refused before reaching the server: take the buddy libpurple already put in the
// list out again, once libpurple's add is over (it may still use the buddy right after us).
void undo_local_add(Account& account, const std::string& address, const std::string& group) {
  account.defer([&account, address, group] {
    PurpleGroup* purple_group = purple_find_group(group.c_str());
    PurpleBuddy* buddy =
        purple_group != nullptr
            ? purple_find_buddy_in_group(account.purple_account(), address.c_str(), purple_group)
            : nullptr;
    if (buddy == nullptr)
      return;
    Account::EchoGuard guard(account);
    purple_blist_remove_buddy(buddy);
  });
}

// An alias typed in the add-buddy dialog becomes the contact's private alias on the server.
// One that is only the address, or the friendly name an authorization request showed (Pidgin
// fills the dialog with it after "Authorize"), is not chosen by the user: kept as an alias it
// would hide the contact's own friendly name for good. Such an alias is dropped, and the name
// is shown as the contact's own until the server's presence notices update it.
void keep_chosen_alias(Account& account, PurpleBuddy* buddy, const std::string& address) {
  const char* alias = purple_buddy_get_local_buddy_alias(buddy);
  if (alias == nullptr || *alias == '\0') return;
  const bool is_address = ascii::iequals(alias, address);
  if (is_address || account.auth_requests().is_offered_name(address, alias)) {
    const std::string name = alias;
    purple_blist_alias_buddy(buddy, nullptr);
    if (!is_address) purple_blist_server_alias_buddy(buddy, name.c_str());
    return;
  }
  account.pending_aliases()[ascii::to_lower(address)] = alias;
}

void add_buddy(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group, const char* message) {
  with_account(gc, "add_buddy", [&](Account& account) {
    const std::string address = purple_buddy_get_name(buddy);
    if (group == nullptr)
      group = purple_buddy_get_group(buddy);
    const std::string purple_group = text_or_empty(group_name(group));
    const std::string server_group = server_group_for(account, group_name(group));
    const std::string invite = text_or_empty(message);
    Status status = account.act([&](Client& client, TimePoint now) {
      return client.add_contact(address, server_group, invite, now);
    });
    if (status.is_ok()) {
      keep_chosen_alias(account, buddy, address);
      return;
    }
    notify_list_failure(gc, ev::ListOperation::kAddContact, address, status.error());
    if (!purple_group.empty())
      undo_local_add(account, address, purple_group);
  });
}

void privacy_intent(PurpleConnection* gc, const char* where, const char* who,
                    ev::ListOperation operation,
                    Status (Client::*intent)(std::string_view, TimePoint)) {
  with_account(gc, where, [&](Account& account) {
    const std::string address = text_or_empty(who);
    list_intent(account, operation, address, [&](Client& client, TimePoint now) {
      return (client.*intent)(address, now);
    });
  });
}

}  // namespace

void prpl_add_buddy(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group) noexcept {
  add_buddy(gc, buddy, group, nullptr);
}

void prpl_add_buddy_with_invite(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group,
                                const char* message) noexcept {
  add_buddy(gc, buddy, group, message);
}

void prpl_remove_buddy(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group) noexcept {
  with_account(gc, "remove_buddy", [&](Account& account) {
    const std::string address = purple_buddy_get_name(buddy);
    if (group == nullptr)
      group = purple_buddy_get_group(buddy);
    const std::string server_group = server_group_for(account, group_name(group));
    list_intent(account, ev::ListOperation::kRemoveContact, address,
                [&](Client& client, TimePoint now) {
                  return client.remove_contact(address, server_group, now);
                });
  });
}

void prpl_alias_buddy(PurpleConnection* gc, const char* who, const char* alias) noexcept {
  with_account(gc, "alias_buddy", [&](Account& account) {
    const std::string address = text_or_empty(who);
    const std::string nickname = text_or_empty(alias);
    list_intent(account, ev::ListOperation::kAliasContact, address,
                [&](Client& client, TimePoint now) {
                  return client.set_contact_alias(address, nickname, now);
                });
  });
}

void prpl_group_buddy(PurpleConnection* gc, const char* who, const char* old_group,
                      const char* new_group) noexcept {
  with_account(gc, "group_buddy", [&](Account& account) {
    const std::string address = text_or_empty(who);
    const std::string from = server_group_for(account, old_group);
    const std::string to = server_group_for(account, new_group);
    if (from == to)
      return;
    list_intent(account, ev::ListOperation::kMoveContact, address,
                [&](Client& client, TimePoint now) {
                  return client.move_contact(address, from, to, now);
                });
  });
}

void prpl_rename_group(PurpleConnection* gc, const char* old_name, PurpleGroup* group,
                       GList* moved_buddies) noexcept {
  with_account(gc, "rename_group", [&](Account& account) {
    const std::string from = server_group_for(account, old_name);
    const std::string to = server_group_for(account, group_name(group));
    if (from == to)
      return;
    // A plain rename of a server group, unless libpurple merged it into a group the server
    // already has or the default group was renamed: then each buddy moves (the target group is
    // created by the first move if needed) and an emptied server group is removed.
    if (!from.empty() && !to.empty() && !account.server_groups().contains(to)) {
      list_intent(account, ev::ListOperation::kRenameGroup, from,
                  [&](Client& client, TimePoint now) {
                    return client.rename_group(from, to, now);
                  });
      return;
    }
    for (GList* it = moved_buddies; it != nullptr; it = it->next) {
      const std::string address = purple_buddy_get_name(static_cast<PurpleBuddy*>(it->data));
      list_intent(account, ev::ListOperation::kMoveContact, address,
                  [&](Client& client, TimePoint now) {
                    return client.move_contact(address, from, to, now);
                  });
    }
    if (!from.empty())
      list_intent(account, ev::ListOperation::kRemoveGroup, from,
                  [&](Client& client, TimePoint now) { return client.remove_group(from, now); });
  });
}

void prpl_remove_group(PurpleConnection* gc, PurpleGroup* group) noexcept {
  with_account(gc, "remove_group", [&](Account& account) {
    const std::string name = server_group_for(account, group_name(group));
    // The default group and groups of other accounts are not on the server.
    if (name.empty() || !account.server_groups().contains(name))
      return;
    list_intent(account, ev::ListOperation::kRemoveGroup, name,
                [&](Client& client, TimePoint now) { return client.remove_group(name, now); });
  });
}

void prpl_add_permit(PurpleConnection* gc, const char* who) noexcept {
  privacy_intent(gc, "add_permit", who, ev::ListOperation::kUnblock, &Client::allow);
}

void prpl_add_deny(PurpleConnection* gc, const char* who) noexcept {
  privacy_intent(gc, "add_deny", who, ev::ListOperation::kBlock, &Client::block);
}

void prpl_rem_permit(PurpleConnection* gc, const char* who) noexcept {
  privacy_intent(gc, "rem_permit", who, ev::ListOperation::kBlock, &Client::disallow);
}

void prpl_rem_deny(PurpleConnection* gc, const char* who) noexcept {
  privacy_intent(gc, "rem_deny", who, ev::ListOperation::kUnblock, &Client::unblock);
}

void prpl_set_permit_deny(PurpleConnection* gc) noexcept {
  with_account(gc, "set_permit_deny", [&](Account& account) {
    // MSN knows two modes (BLP): unlisted people may reach us, or they may not. As the old
    // MSN prpl did: "allow all" and "block the deny list" are the first, the rest the second.
    PurplePrivacyType type = purple_account_get_privacy_type(account.purple_account());
    const bool allow_unlisted =
        type == PURPLE_PRIVACY_ALLOW_ALL || type == PURPLE_PRIVACY_DENY_USERS;
    const Client::Privacy privacy =
        allow_unlisted ? Client::Privacy::kAllowUnlisted : Client::Privacy::kBlockUnlisted;
    list_intent(account, ev::ListOperation::kSetPrivacy, std::string(),
                [&](Client& client, TimePoint now) { return client.set_privacy(privacy, now); });
  });
}

}  // namespace msn::plugin
