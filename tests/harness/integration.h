// SPDX-License-Identifier: GPL-2.0-or-later
// End-to-end scenarios of the contact list, presence and conversations: two
// or three accounts of one local server signed in through the plugin in one libpurple process,
// each step done through libpurple's API as a UI does it, each outcome checked where a user
// would see it (buddy list, statuses, conversation windows, prompts) and, for the lists, also
// against what the server holds.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "world.h"

namespace harness {

struct IntegrationScenario {
  std::string name;
  std::vector<std::string> accounts = {"alice", "bob"};
  std::vector<std::string> server_args;  // besides the accounts, state dir and ports
  int bound_seconds = 50;                // the whole scenario, sign-ins included
  bool trust_ca = true;                  // false: libpurple prompts for the server's certificate
  std::string ui_id = "msnp-harness";    // "gnt-purple": the plugin takes Finch's paths
  // Substrings of the server's WARNING/ERROR log lines this scenario provokes on purpose.
  std::vector<std::string> allowed_server_warnings;
  std::function<void(World&)> body;
};

// A scenario of `accounts` on a server started with `server_args` (besides the accounts).
IntegrationScenario make_scenario(std::string name, std::function<void(World&)> body,
                                  std::vector<std::string> server_args = {},
                                  std::vector<std::string> accounts = {"alice", "bob"});

// Every integration scenario: those of each theme's file below, and of lifetime.cpp,
// ui_paths.cpp and reliability.cpp.
const std::vector<IntegrationScenario>& integration_scenarios();
// Group chats (integration_chat.cpp): "Initiate Chat" on a buddy as Pidgin's menu does it, the
// chat `who` joined first, and a wait until `others` are in it.
bool start_chat(World& w, std::string_view who, std::string_view with);
PurpleConversation* chat_of(World& w, std::string_view who);
bool wait_in_chat(World& w, std::string_view who, const std::vector<std::string>& others);

std::vector<IntegrationScenario> contact_scenarios();         // integration_contacts.cpp
std::vector<IntegrationScenario> conversation_scenarios();    // integration_chat.cpp
std::vector<IntegrationScenario> ux_integration_scenarios();  // integration_ux.cpp
std::vector<IntegrationScenario> picture_scenarios();         // integration_pictures.cpp
std::vector<IntegrationScenario> emoticon_scenarios();        // integration_emoticons.cpp
std::vector<IntegrationScenario> file_scenarios();            // integration_files.cpp
std::optional<IntegrationScenario> find_integration_scenario(std::string_view name);

}  // namespace harness
