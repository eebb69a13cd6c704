// SPDX-License-Identifier: GPL-2.0-or-later
#include "presence_glue.h"

#include <prpl.h>
#include <status.h>

#include "account.h"
#include "core/ascii.h"
#include "glib_handles.h"
#include "i18n.h"
#include "status_map.h"

namespace msn::plugin {
namespace {

const char* non_empty_or_null(const std::string& text) {
  return text.empty() ? nullptr : text.c_str();
}

// Sets the contact's exclusive status with the personal message we hold for them.
void set_status(PurpleAccount* account, const std::string& address, const char* status_id,
                const ContactStatusText* text) {
  const char* message = text != nullptr ? non_empty_or_null(text->personal_message) : nullptr;
  if (message != nullptr)
    purple_prpl_got_user_status(account, address.c_str(), status_id, kMessageAttr, message,
                                nullptr);
  else
    purple_prpl_got_user_status(account, address.c_str(), status_id, nullptr);
}

void set_tune(PurpleAccount* account, const std::string& address, const ContactStatusText* text) {
  const char* media = text != nullptr ? non_empty_or_null(text->current_media) : nullptr;
  if (media != nullptr)
    purple_prpl_got_user_status(account, address.c_str(), kTuneStatusId, PURPLE_TUNE_TITLE, media,
                                nullptr);
  else
    purple_prpl_got_user_status_deactive(account, address.c_str(), kTuneStatusId);
}

void set_server_alias(PurpleAccount* account, const std::string& address,
                      const std::string& display_name) {
  GSList* buddies = purple_find_buddies(account, address.c_str());
  for (GSList* it = buddies; it != nullptr; it = it->next)
    purple_blist_server_alias_buddy(static_cast<PurpleBuddy*>(it->data), display_name.c_str());
  g_slist_free(buddies);
}

PurpleStatus* active_status(PurpleBuddy* buddy) {
  PurplePresence* presence = purple_buddy_get_presence(buddy);
  return presence != nullptr ? purple_presence_get_active_status(presence) : nullptr;
}

const char* tune_title(PurpleBuddy* buddy) {
  PurplePresence* presence = purple_buddy_get_presence(buddy);
  if (presence == nullptr)
    return nullptr;
  PurpleStatus* tune = purple_presence_get_status(presence, kTuneStatusId);
  if (tune == nullptr || !purple_status_is_active(tune))
    return nullptr;
  const char* title = purple_status_get_attr_string(tune, PURPLE_TUNE_TITLE);
  return title != nullptr && *title != '\0' ? title : nullptr;
}

const char* personal_message(PurpleBuddy* buddy) {
  PurpleStatus* status = active_status(buddy);
  if (status == nullptr)
    return nullptr;
  const char* message = purple_status_get_attr_string(status, kMessageAttr);
  return message != nullptr && *message != '\0' ? message : nullptr;
}

}  // namespace

const ContactStatusText* PresenceCache::find(std::string_view address) const {
  auto it = texts_.find(ascii::to_lower(address));
  return it == texts_.end() ? nullptr : &it->second;
}

void PresenceCache::set(std::string_view address, ContactStatusText text) {
  texts_[ascii::to_lower(address)] = std::move(text);
}

void PresenceCache::erase(std::string_view address) {
  texts_.erase(ascii::to_lower(address));
  capabilities_.erase(ascii::to_lower(address));
}

std::uint32_t PresenceCache::capabilities(std::string_view address) const {
  auto it = capabilities_.find(ascii::to_lower(address));
  return it == capabilities_.end() ? 0 : it->second;
}

void PresenceCache::set_capabilities(std::string_view address, std::uint32_t capabilities) {
  capabilities_[ascii::to_lower(address)] = capabilities;
}

void apply_presence(Account& account, const ev::PresenceChanged& event) {
  PurpleAccount* purple = account.purple_account();
  const std::string& address = event.address;
  if (event.status == PresenceStatus::kOffline) {
    // The next sign-in of the contact brings a fresh UBX; an old message must not linger.
    account.presence_cache().erase(address);
    purple_prpl_got_user_status_deactive(purple, address.c_str(), kTuneStatusId);
    purple_prpl_got_user_idle(purple, address.c_str(), FALSE, 0);
    purple_prpl_got_user_status(purple, address.c_str(),
                                find_status_by_presence(PresenceStatus::kOffline).purple_id,
                                nullptr);
    return;
  }
  account.presence_cache().set_capabilities(address, event.capabilities);
  const ContactStatusText* text = account.presence_cache().find(address);
  set_status(purple, address, find_status_by_presence(event.status).purple_id, text);
  set_tune(purple, address, text);
  // MSN gives no idle start time: -1 tells libpurple it is unknown.
  const bool idle = event.status == PresenceStatus::kIdle;
  purple_prpl_got_user_idle(purple, address.c_str(), idle ? TRUE : FALSE, idle ? -1 : 0);
  if (!event.display_name.empty())
    set_server_alias(purple, address, event.display_name);
}

void apply_status_message(Account& account, const ev::StatusMessageChanged& event) {
  PurpleAccount* purple = account.purple_account();
  account.presence_cache().set(event.address,
                               ContactStatusText{event.personal_message, event.current_media});
  PurpleBuddy* buddy = purple_find_buddy(purple, event.address.c_str());
  if (buddy == nullptr)
    return;
  PurpleStatus* status = active_status(buddy);
  // An offline contact shows the message once a presence notice says they are online.
  if (status == nullptr || !purple_status_is_online(status))
    return;
  const ContactStatusText* text = account.presence_cache().find(event.address);
  set_status(purple, event.address, purple_status_get_id(status), text);
  set_tune(purple, event.address, text);
}

void apply_own_display_name(Account& account, const ev::OwnDisplayNameChanged& event) {
  // Only the connection's display name: setting the account's public alias would call the
  // prpl's set_public_alias and send the name straight back to the server.
  purple_connection_set_display_name(account.connection(), event.display_name.c_str());
}

char* buddy_status_text(PurpleBuddy* buddy) {
  if (const char* message = personal_message(buddy))
    return g_markup_escape_text(message, -1);
  if (const char* title = tune_title(buddy)) {
    GCharPtr escaped(g_markup_escape_text(title, -1));
    // U+266B BEAMED EIGHTH NOTES, as WLM shows current media.
    return g_strdup_printf("\u266b %s", escaped.get());
  }
  return nullptr;
}

void buddy_tooltip_text(PurpleBuddy* buddy, PurpleNotifyUserInfo* info) {
  PurpleStatus* status = active_status(buddy);
  if (status != nullptr && purple_status_is_online(status))
    purple_notify_user_info_add_pair_plaintext(info, _("Status"), purple_status_get_name(status));
  if (const char* message = personal_message(buddy))
    purple_notify_user_info_add_pair_plaintext(info, _("Personal message"), message);
  if (const char* title = tune_title(buddy))
    purple_notify_user_info_add_pair_plaintext(info, _("Now playing"), title);
}

}  // namespace msn::plugin
