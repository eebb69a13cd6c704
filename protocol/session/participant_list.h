// SPDX-License-Identifier: GPL-2.0-or-later
// Lookups in a list of switchboard participants, as the conversation manager's files
// (conversation_manager.cpp, conv_*.cpp) need them. Private to those files.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"
#include "session/switchboard_session.h"

namespace msn {

inline std::vector<std::string> emails_of(const std::vector<Participant>& participants) {
  std::vector<std::string> emails;
  for (const auto& p : participants) emails.push_back(p.email);
  return emails;
}

inline bool contains(const std::vector<Participant>& participants, std::string_view email) {
  return std::any_of(participants.begin(), participants.end(),
                     [&](const Participant& p) { return ascii::iequals(p.email, email); });
}

}  // namespace msn
