// SPDX-License-Identifier: GPL-2.0-or-later
#include "account_actions.h"

#include <account.h>
#include <connection.h>
#include <request.h>
#include <status.h>
#include <util.h>

#include <string>

#include "callback_guard.h"
#include "glib_handles.h"
#include "i18n.h"
#include "status_map.h"

namespace msn::plugin {
namespace {

// The dialog may be answered after the connection went away (signed out meanwhile).
bool still_connected(PurpleConnection* gc) {
  return g_list_find(purple_connections_get_all(), gc) != nullptr;
}

void on_friendly_name_entered(PurpleConnection* gc, const char* name) noexcept {
  guard_callback(nullptr, "set_friendly_name", [&] {
    if (!still_connected(gc)) return;
    // Through libpurple, as the account editor does: the prpl's set_public_alias sends it
    // (PRP MFN and the address book), and reports a refusal itself.
    purple_account_set_public_alias(purple_connection_get_account(gc), name != nullptr ? name : "",
                                    nullptr, nullptr);
  });
}

void on_set_friendly_name(PurplePluginAction* action) noexcept {
  guard_callback(nullptr, "set_friendly_name", [action] {
    auto* gc = static_cast<PurpleConnection*>(action->context);
    if (gc == nullptr || !still_connected(gc)) return;
    purple_request_input(gc, _("Set Friendly Name"), _("Your friendly name"),
                         _("This is the name your MSN contacts see."),
                         purple_connection_get_display_name(gc), /*multiline=*/FALSE,
                         /*masked=*/FALSE, nullptr, _("OK"), G_CALLBACK(&on_friendly_name_entered),
                         _("Cancel"), nullptr, purple_connection_get_account(gc), nullptr, nullptr,
                         gc);
  });
}

// The personal message is the active status's message: setting it there keeps libpurple's
// status (and Pidgin's status box) and what contacts see the same. The status message is
// markup, the dialog's text is plain.
void on_personal_message_entered(PurpleConnection* gc, const char* text) noexcept {
  guard_callback(nullptr, "set_personal_message", [&] {
    if (!still_connected(gc)) return;
    PurpleAccount* account = purple_connection_get_account(gc);
    PurpleStatus* active = purple_account_get_active_status(account);
    if (active == nullptr) return;
    GCharPtr markup(g_markup_escape_text(text != nullptr ? text : "", -1));
    purple_account_set_status(account, purple_status_get_id(active), TRUE, kMessageAttr,
                              markup.get(), nullptr);
  });
}

void on_set_personal_message(PurplePluginAction* action) noexcept {
  guard_callback(nullptr, "set_personal_message", [action] {
    auto* gc = static_cast<PurpleConnection*>(action->context);
    if (gc == nullptr || !still_connected(gc)) return;
    PurpleStatus* active = purple_account_get_active_status(purple_connection_get_account(gc));
    const char* message =
        active != nullptr ? purple_status_get_attr_string(active, kMessageAttr) : nullptr;
    GCharPtr current(message != nullptr ? purple_markup_strip_html(message) : nullptr);
    purple_request_input(gc, _("Set Personal Message"), _("Your personal message"),
                         _("Your MSN contacts see it next to your name."), current.get(),
                         /*multiline=*/FALSE, /*masked=*/FALSE, nullptr, _("OK"),
                         G_CALLBACK(&on_personal_message_entered), _("Cancel"), nullptr,
                         purple_connection_get_account(gc), nullptr, nullptr, gc);
  });
}

}  // namespace

GList* account_actions(PurplePlugin*, gpointer) noexcept {
  return guard_callback_or<GList*>(nullptr, "actions", nullptr, [] {
    GList* actions = nullptr;
    actions = g_list_append(
        actions, purple_plugin_action_new(_("Set Friendly Name..."), &on_set_friendly_name));
    actions = g_list_append(
        actions, purple_plugin_action_new(_("Set Personal Message..."), &on_set_personal_message));
    return actions;
  });
}

}  // namespace msn::plugin
