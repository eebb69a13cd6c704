// SPDX-License-Identifier: GPL-2.0-or-later
// The account's menu (Pidgin's Accounts > account, Finch's account actions): "Set Friendly
// Name..." and "Set Personal Message...", as libpurple plugin actions.
#pragma once

#include <glib.h>
#include <plugin.h>

namespace msn::plugin {

// PurplePluginInfo::actions: `context` is the PurpleConnection. libpurple frees the list.
GList* account_actions(PurplePlugin* plugin, gpointer context) noexcept;

}  // namespace msn::plugin
