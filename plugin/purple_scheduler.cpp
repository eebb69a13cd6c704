// SPDX-License-Identifier: GPL-2.0-or-later
#include "purple_scheduler.h"

#include <algorithm>
#include <chrono>

#include "callback_guard.h"

namespace msn::plugin {

TimePoint PurpleScheduler::now() { return Clock::now(); }

void PurpleScheduler::arm(std::optional<TimePoint> deadline) {
  timer_.reset();
  if (!deadline)
    return;
  // Round up: a timer that fires a fraction of a millisecond early would find nothing due
  // and spin re-arming a zero timeout.
  auto delay = std::chrono::ceil<std::chrono::milliseconds>(*deadline - now()).count();
  delay = std::clamp<decltype(delay)>(delay, 0, G_MAXUINT);
  timer_.reset(purple_timeout_add(static_cast<guint>(delay), &PurpleScheduler::on_timeout, this));
}

gboolean PurpleScheduler::on_timeout(gpointer data) noexcept {
  auto* self = static_cast<PurpleScheduler*>(data);
  // The source ends with this callback; forget it before the Driver re-arms.
  self->timer_.release();
  guard_callback(self->gc_, "timer", [self] {
    if (self->driver_ != nullptr)
      self->driver_->timer_fired();
  });
  return FALSE;
}

}  // namespace msn::plugin
