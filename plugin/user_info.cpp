// SPDX-License-Identifier: GPL-2.0-or-later
// "Get Info": what is known of a contact, from the buddy list the plugin keeps equal to the
// server's (name, groups, permit/deny), the engine's reverse list (whether they have us) and
// the presence it applied (status, personal message, current media, client capabilities).
// Every value goes in as plain text (purple_notify_user_info_add_pair_plaintext escapes it):
// contacts choose their names and messages, and they are never markup here.
#include <blist.h>
#include <notify.h>
#include <status.h>

#include <string>
#include <vector>

#include "account.h"
#include "capability_text.h"
#include "core/ascii.h"
#include "i18n.h"
#include "prpl_callbacks.h"
#include "prpl_common.h"

namespace msn::plugin {
namespace {

void add_pair(PurpleNotifyUserInfo* info, const char* label, const std::string& value) {
  if (!value.empty()) purple_notify_user_info_add_pair_plaintext(info, label, value.c_str());
}

const char* yes_no(bool yes) { return yes ? _("Yes") : _("No"); }

std::string join(const std::vector<std::string>& parts) {
  std::string text;
  for (const std::string& part : parts) text += (text.empty() ? "" : ", ") + part;
  return text;
}

void add_presence(PurpleNotifyUserInfo* info, Account& account, const std::string& address) {
  PurpleBuddy* buddy = purple_find_buddy(account.purple_account(), address.c_str());
  PurplePresence* presence = buddy != nullptr ? purple_buddy_get_presence(buddy) : nullptr;
  PurpleStatus* status =
      presence != nullptr ? purple_presence_get_active_status(presence) : nullptr;
  const bool online = status != nullptr && purple_status_is_online(status);
  add_pair(info, _("Status"), online ? purple_status_get_name(status) : _("Offline"));
  if (buddy != nullptr) {
    const char* alias = purple_buddy_get_local_buddy_alias(buddy);
    if (alias != nullptr) add_pair(info, _("Your alias"), alias);
  }
  if (!online) return;
  if (const ContactStatusText* text = account.presence_cache().find(address)) {
    add_pair(info, _("Personal message"), text->personal_message);
    add_pair(info, _("Now playing"), text->current_media);
  }
  add_pair(info, _("Client"),
           describe_capabilities(account.presence_cache().capabilities(address)));
}

// The lists as libpurple holds them (the plugin keeps them equal to the server's): the groups
// the buddy is in, and the permit and deny lists.
bool on_privacy_list(GSList* list, const std::string& address) {
  for (GSList* item = list; item != nullptr; item = item->next) {
    if (ascii::iequals(static_cast<const char*>(item->data), address)) return true;
  }
  return false;
}

void add_lists(PurpleNotifyUserInfo* info, Account& owner, const std::string& address) {
  PurpleAccount* account = owner.purple_account();
  std::vector<std::string> groups;
  GSList* buddies = purple_find_buddies(account, address.c_str());
  for (GSList* item = buddies; item != nullptr; item = item->next) {
    PurpleGroup* group = purple_buddy_get_group(static_cast<PurpleBuddy*>(item->data));
    if (group != nullptr) groups.emplace_back(purple_group_get_name(group));
  }
  const bool listed = buddies != nullptr;
  g_slist_free(buddies);
  add_pair(info, _("On your contact list"), yes_no(listed));
  if (listed) add_pair(info, _("Groups"), join(groups));
  std::string access;
  if (on_privacy_list(account->deny, address))
    access = _("Blocked");
  else if (on_privacy_list(account->permit, address))
    access = _("Allowed");
  else
    access = _("Not decided (your privacy setting applies)");
  add_pair(info, _("May see you and message you"), access);
  // The reverse list only the engine knows: libpurple has no place for it.
  const bool has_us = owner.client().has_us_on_their_list(address);
  add_pair(info, _("Has you on their contact list"), yes_no(has_us));
}

}  // namespace

void prpl_get_info(PurpleConnection* gc, const char* who) noexcept {
  with_account(gc, "get_info", [&](Account& account) {
    const std::string address = ascii::to_lower(text_or_empty(who));
    if (address.empty()) return;
    PurpleBuddy* buddy = purple_find_buddy(account.purple_account(), address.c_str());
    const char* server_alias = buddy != nullptr ? purple_buddy_get_server_alias(buddy) : nullptr;
    const std::string name = text_or_empty(server_alias);
    PurpleNotifyUserInfo* info = purple_notify_user_info_new();
    add_pair(info, _("Friendly name"), name.empty() ? address : name);
    add_pair(info, _("Address"), address);
    add_presence(info, account, address);
    add_lists(info, account, address);
    purple_notify_userinfo(gc, address.c_str(), info, nullptr, nullptr);
    purple_notify_user_info_destroy(info);
  });
}

}  // namespace msn::plugin
