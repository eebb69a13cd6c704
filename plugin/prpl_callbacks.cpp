// SPDX-License-Identifier: GPL-2.0-or-later
// Account, status, profile and buddy-text callbacks.
#include "prpl_callbacks.h"

#include <debug.h>
#include <notify.h>
#include <sslconn.h>
#include <util.h>

#include <memory>
#include <optional>
#include <string>

#include "account.h"
#include "buddy_list_sync.h"
#include "callback_guard.h"
#include "core/ascii.h"
#include "error_text.h"
#include "glib_handles.h"
#include "i18n.h"
#include "picture_glue.h"
#include "presence_glue.h"
#include "prpl_common.h"
#include "status_map.h"

namespace msn::plugin {
namespace {

// A status attribute as plain text: the status editor stores HTML.
std::string plain_attr(PurpleStatus* status, const char* attr) {
  const char* value = status != nullptr ? purple_status_get_attr_string(status, attr) : nullptr;
  if (value == nullptr || *value == '\0')
    return {};
  GCharPtr plain(purple_markup_strip_html(value));
  return plain ? std::string(plain.get()) : std::string();
}

// The personal message (the active status's message) and the current media (the tune status)
// the account's statuses describe, sent as one UUX.
Status push_personal_message(Account& account) {
  PurplePresence* presence = purple_account_get_presence(account.purple_account());
  PurpleStatus* active = purple_presence_get_active_status(presence);
  std::string message = plain_attr(active, kMessageAttr);
  std::optional<CurrentMedia> media;
  PurpleStatus* tune = purple_presence_get_status(presence, kTuneStatusId);
  if (tune != nullptr && purple_status_is_active(tune))
    media = media_from_tune(plain_attr(tune, PURPLE_TUNE_TITLE),
                            plain_attr(tune, PURPLE_TUNE_ARTIST),
                            plain_attr(tune, PURPLE_TUNE_ALBUM));
  return account.act([&](Client& client, TimePoint now) {
    return client.set_personal_message(message, std::move(media), now);
  });
}

// The state of an exclusive status, then the personal message that goes with it. Statuses the
// user cannot choose (idle) and offline (libpurple disconnects by itself) change nothing.
Status push_status(Account& account, PurpleStatus* status) {
  const StatusEntry* entry = find_status_by_purple_id(purple_status_get_id(status));
  if (entry == nullptr || !entry->user_settable || entry->presence == PresenceStatus::kOffline)
    return Status::ok();
  MSN_TRY(account.act([&](Client& client, TimePoint now) {
    return client.set_presence(entry->presence, now);
  }));
  return push_personal_message(account);
}

void notify_status_failure(Account& account, const Error& error) {
  purple_debug_warning("msnp", "status change refused: %s\n", error.detail.c_str());
  const std::string reason = describe_reason(error);
  purple_notify_error(account.connection(), _("MSN"), _("Could not change your status"),
                      reason.c_str());
}

// Before the sign-in: the engine records the account's chosen status and message and signs
// in with them. Refusals are only logged; the user has not asked for anything yet.
void apply_initial_status(Account& account) {
  PurplePresence* presence = purple_account_get_presence(account.purple_account());
  Status status = push_status(account, purple_presence_get_active_status(presence));
  if (!status.is_ok())
    purple_debug_info("msnp", "initial status not applied: %s\n", status.error().detail.c_str());
}

// Before the sign-in, so that every conversation window opened on this connection offers the
// formatting the engine can send (html_to_msn). (libpurple 2 has no setter: the field is the
// API.)
// HTML: the toolbar's bold, italic, underline, strikethrough, font and colour are enabled and
// the message reaches send_im as markup. MSN formats a whole message at once
// (FORMATTING_WBFO) with one font and colour, but no background colour or font size; link
// texts go out as text with the URL after them (NO_URLDESC); inline images have no path here.
// Custom smileys are sent and received (ALLOW_CUSTOM_SMILEY: Pidgin offers them).
constexpr PurpleConnectionFlags kConnectionFlags = static_cast<PurpleConnectionFlags>(
    PURPLE_CONNECTION_HTML | PURPLE_CONNECTION_FORMATTING_WBFO | PURPLE_CONNECTION_NO_BGCOLOR |
    PURPLE_CONNECTION_NO_FONTSIZE | PURPLE_CONNECTION_NO_URLDESC | PURPLE_CONNECTION_NO_IMAGES |
    PURPLE_CONNECTION_ALLOW_CUSTOM_SMILEY);

void on_initiate_chat(PurpleBlistNode* node, gpointer) noexcept {
  if (node == nullptr || !PURPLE_BLIST_NODE_IS_BUDDY(node))
    return;
  auto* buddy = reinterpret_cast<PurpleBuddy*>(node);
  PurpleConnection* gc = purple_account_get_connection(purple_buddy_get_account(buddy));
  start_chat_with(gc, purple_buddy_get_name(buddy));
}

}  // namespace

const char* prpl_list_icon(PurpleAccount*, PurpleBuddy*) noexcept { return "msnp"; }

GList* prpl_status_types(PurpleAccount*) noexcept {
  return guard_callback_or<GList*>(nullptr, "status_types", nullptr,
                                   [] { return make_status_types(); });
}

void prpl_login(PurpleAccount* account) noexcept {
  PurpleConnection* gc = purple_account_get_connection(account);
  guard_callback(gc, "login", [gc] {
    // The web login is HTTPS only: without an SSL plugin the sign-in cannot even start.
    if (!purple_ssl_is_supported()) {
      purple_connection_error_reason(gc, PURPLE_CONNECTION_ERROR_NO_SSL_SUPPORT,
                                     _("SSL support is not available in libpurple"));
      return;
    }
    Result<Settings> settings = settings_from_account(gc);
    if (!settings) {
      purple_debug_error("msnp", "unusable settings: %s\n", settings.error().detail.c_str());
      ConnectionErrorText text = describe_error(settings.error());
      purple_connection_error_reason(gc, text.reason, text.message.c_str());
      return;
    }
    gc->flags = static_cast<PurpleConnectionFlags>(gc->flags | kConnectionFlags);
    auto owner = std::make_unique<Account>(gc, std::move(settings).value());
    Account* account_state = owner.get();
    // From here libpurple's connection holds the only owning pointer; prpl_close reclaims it.
    purple_connection_set_protocol_data(gc, owner.release());
    apply_initial_status(*account_state);
    send_account_icon(*account_state);
    account_state->start();
  });
}

void prpl_close(PurpleConnection* gc) noexcept {
  std::unique_ptr<Account> owner(static_cast<Account*>(purple_connection_get_protocol_data(gc)));
  purple_connection_set_protocol_data(gc, nullptr);
  if (!owner)
    return;
  // The connection is being destroyed: an error here is only logged, never reported on it.
  guard_callback(nullptr, "close", [&owner] { owner->close(); });
  owner.reset();
}

void prpl_set_status(PurpleAccount* account, PurpleStatus* status) noexcept {
  PurpleConnection* gc = purple_account_get_connection(account);
  with_account(gc, "set_status", [status](Account& state) {
    const bool tune = g_strcmp0(purple_status_get_id(status), kTuneStatusId) == 0;
    Status result = tune ? push_personal_message(state) : push_status(state, status);
    if (!result.is_ok())
      notify_status_failure(state, result.error());
  });
}

void prpl_set_idle(PurpleConnection* gc, int idle_seconds) noexcept {
  with_account(gc, "set_idle", [idle_seconds](Account& state) {
    Status result = state.act([&](Client& client, TimePoint now) {
      return client.set_idle(idle_seconds > 0, now);
    });
    // libpurple sets idleness by itself: a refusal is not worth a dialog.
    if (!result.is_ok())
      purple_debug_info("msnp", "idle state not sent: %s\n", result.error().detail.c_str());
  });
}

void prpl_set_public_alias(PurpleConnection* gc, const char* alias,
                           PurpleSetPublicAliasSuccessCallback success_cb,
                           PurpleSetPublicAliasFailureCallback failure_cb) noexcept {
  with_account(gc, "set_public_alias", [&](Account& state) {
    const std::string name = text_or_empty(alias);
    Status result = state.act([&](Client& client, TimePoint now) {
      return client.set_display_name(name, now);
    });
    // Accepted means sent: the server's answer arrives as OwnDisplayNameChanged, a refusal as
    // ListOperationFailed(kSetDisplayName).
    if (result.is_ok()) {
      if (success_cb != nullptr)
        success_cb(state.purple_account(), name.c_str());
      return;
    }
    const std::string reason = describe_reason(result.error());
    if (failure_cb != nullptr)
      failure_cb(state.purple_account(), reason.c_str());
    else
      notify_list_failure(gc, ev::ListOperation::kSetDisplayName, name, result.error());
  });
}

void prpl_get_public_alias(PurpleConnection* gc, PurpleGetPublicAliasSuccessCallback success_cb,
                           PurpleGetPublicAliasFailureCallback failure_cb) noexcept {
  with_account(gc, "get_public_alias", [&](Account& state) {
    const char* name = purple_connection_get_display_name(gc);
    if (name != nullptr && *name != '\0') {
      if (success_cb != nullptr)
        success_cb(state.purple_account(), name);
    } else if (failure_cb != nullptr) {
      failure_cb(state.purple_account(), _("Your display name is not known yet"));
    }
  });
}

const char* prpl_normalize(const PurpleAccount*, const char* who) noexcept {
  // libpurple copies the result before the next call; one buffer per thread is its contract.
  thread_local std::string normalized;
  return guard_callback_or<const char*>(nullptr, "normalize", who, [who]() -> const char* {
    if (who == nullptr)
      return nullptr;
    normalized = ascii::to_lower(who);
    return normalized.c_str();
  });
}

char* prpl_status_text(PurpleBuddy* buddy) noexcept {
  return guard_callback_or<char*>(nullptr, "status_text", nullptr,
                                  [buddy] { return buddy_status_text(buddy); });
}

void prpl_tooltip_text(PurpleBuddy* buddy, PurpleNotifyUserInfo* info, gboolean) noexcept {
  guard_callback(nullptr, "tooltip_text", [&] { buddy_tooltip_text(buddy, info); });
}

GList* prpl_blist_node_menu(PurpleBlistNode* node) noexcept {
  return guard_callback_or<GList*>(nullptr, "blist_node_menu", nullptr, [node]() -> GList* {
    if (node == nullptr || !PURPLE_BLIST_NODE_IS_BUDDY(node))
      return nullptr;
    PurpleMenuAction* action = purple_menu_action_new(
        _("Initiate Chat"), PURPLE_CALLBACK(&on_initiate_chat), nullptr, nullptr);
    return g_list_append(nullptr, action);
  });
}

gboolean prpl_offline_message(const PurpleBuddy*) noexcept {
  // Messages to offline contacts are stored on the server (offline messages).
  return TRUE;
}

}  // namespace msn::plugin
