// SPDX-License-Identifier: GPL-2.0-or-later
// The table of integration scenarios: each theme's file contributes its own.
#include "integration.h"

#include "lifetime.h"
#include "reliability.h"
#include "ui_paths.h"

namespace harness {

// integration_ink.cpp. Declared here, not in integration.h: every scenario file includes that
// header, and a change there rebuilds them all.
std::vector<IntegrationScenario> ink_scenarios();
std::vector<IntegrationScenario> flood_scenarios();  // integration_flood.cpp
std::vector<IntegrationScenario> media_scenarios();  // integration_media.cpp

namespace {

std::vector<IntegrationScenario> build() {
  std::vector<IntegrationScenario> list;
  for (auto* part :
       {contact_scenarios, conversation_scenarios, ux_integration_scenarios, picture_scenarios,
        file_scenarios, emoticon_scenarios, ink_scenarios, media_scenarios, flood_scenarios,
        lifetime_scenarios, ui_path_scenarios, reliability_scenarios}) {
    for (IntegrationScenario& s : part()) list.push_back(std::move(s));
  }
  return list;
}

}  // namespace

IntegrationScenario make_scenario(std::string name, std::function<void(World&)> body,
                                  std::vector<std::string> server_args,
                                  std::vector<std::string> accounts) {
  IntegrationScenario s;
  s.name = std::move(name);
  s.body = std::move(body);
  s.server_args = std::move(server_args);
  s.accounts = std::move(accounts);
  return s;
}

const std::vector<IntegrationScenario>& integration_scenarios() {
  static const std::vector<IntegrationScenario> scenarios = build();
  return scenarios;
}

std::optional<IntegrationScenario> find_integration_scenario(std::string_view name) {
  for (const IntegrationScenario& s : integration_scenarios()) {
    if (s.name == name) return s;
  }
  return std::nullopt;
}

}  // namespace harness
