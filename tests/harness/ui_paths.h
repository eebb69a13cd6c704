// SPDX-License-Identifier: GPL-2.0-or-later
// Scenarios that take the paths Pidgin and Finch take rather than the direct API: saved
// statuses, the formatting the conversation window allows, account actions, commands, the
// authorization and add-buddy dialogs, rejoining chats after a reconnect, Get Info.
#pragma once

#include <vector>

#include "integration.h"

namespace harness {

std::vector<IntegrationScenario> ui_path_scenarios();

}  // namespace harness
