// SPDX-License-Identifier: GPL-2.0-or-later
// The fake clock of the scripted drivers: time moves only when the test moves it, and every
// engine part (Client, SwitchboardSession, ConversationManager) is told through on_timer().
#pragma once

#include <algorithm>

#include "core/time.h"

namespace msn::test {

// Moves `now` on by `by` and lets the engine part run its timers.
template <typename Engine>
void advance_clock(Engine& engine, TimePoint& now, Duration by) {
  now += by;
  engine.on_timer(now);
}

// Moves `now` to the engine part's next deadline (never backwards) and fires it; false if the
// engine part has no deadline, so a test can tell "nothing was waiting" from "it timed out".
template <typename Engine>
bool fire_next_deadline(Engine& engine, TimePoint& now) {
  const auto deadline = engine.next_deadline();
  if (!deadline) return false;
  now = std::max(now, *deadline);
  engine.on_timer(now);
  return true;
}

}  // namespace msn::test
