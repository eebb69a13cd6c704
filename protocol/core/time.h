// SPDX-License-Identifier: GPL-2.0-or-later
// Time as the engine sees it: values handed in by its caller. The engine never reads a clock.
#pragma once

#include <chrono>

namespace msn {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::milliseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

}  // namespace msn
