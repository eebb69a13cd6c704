// SPDX-License-Identifier: GPL-2.0-or-later
// Scenarios of the delivery promises (reliability.cpp), part of the integration table.
#pragma once

#include <vector>

#include "integration.h"

namespace harness {

// What a user is told when the server drops the notification connection (LC_ALL=C).
inline constexpr const char* kLostConnectionText =
    "The server closed the connection or could not be reached";

std::vector<IntegrationScenario> reliability_scenarios();

}  // namespace harness
