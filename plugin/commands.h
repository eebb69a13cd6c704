// SPDX-License-Identifier: GPL-2.0-or-later
// Conversation commands of this protocol (typed in Pidgin's and Finch's message entry):
// "/nudge". Registered while the plugin is loaded.
#pragma once

namespace msn::plugin {

// PurplePluginInfo::load and ::unload call these.
void register_commands();
void unregister_commands();

}  // namespace msn::plugin
