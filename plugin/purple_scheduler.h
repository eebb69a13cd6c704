// SPDX-License-Identifier: GPL-2.0-or-later
// msn::Scheduler over libpurple's event loop: one purple_timeout_add source at a time, and
// std::chrono::steady_clock as the engine's clock.
#pragma once

#include <connection.h>

#include "glib_handles.h"
#include "runtime/driver.h"
#include "runtime/ports.h"

namespace msn::plugin {

class PurpleScheduler final : public Scheduler {
 public:
  explicit PurpleScheduler(PurpleConnection* gc) : gc_(gc) {}
  PurpleScheduler(const PurpleScheduler&) = delete;
  PurpleScheduler& operator=(const PurpleScheduler&) = delete;

  // The Driver is built after its ports, so it is attached afterwards.
  void bind(Driver& driver) { driver_ = &driver; }

  TimePoint now() override;
  void arm(std::optional<TimePoint> deadline) override;

 private:
  // Re-entrancy: runs from the main loop only; the Driver may re-arm from inside timer_fired.
  static gboolean on_timeout(gpointer data) noexcept;

  PurpleConnection* gc_;
  Driver* driver_ = nullptr;
  TimeoutHandle timer_;
};

}  // namespace msn::plugin
