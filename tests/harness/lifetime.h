// SPDX-License-Identifier: GPL-2.0-or-later
// Scenarios that end a session at an awkward moment (the account disabled, as Pidgin's account
// dialog does, or libpurple quitting) while a connection, a TLS handshake, a certificate prompt
// or a web request is still pending. They pass when nothing is touched after libpurple or the
// plugin freed it (the sanitizers or valgrind see to that), no error is reported for a sign-out
// the user asked for, and the account can sign in again afterwards.
#pragma once

#include <vector>

#include "integration.h"

namespace harness {

std::vector<IntegrationScenario> lifetime_scenarios();

}  // namespace harness
