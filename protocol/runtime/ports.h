// SPDX-License-Identifier: GPL-2.0-or-later
// The seams between the engine's runtime and the outside world. The plugin implements these
// with libpurple's proxy, SSL and timer functions; tests implement them with fakes.
#pragma once

#include <optional>
#include <string_view>

#include "core/time.h"
#include "session/event.h"
#include "session/io.h"

namespace msn {

// Connections. Completion is reported back through Driver::connected / received / closed.
class Transport {
 public:
  virtual ~Transport() = default;
  virtual void connect(const out::Connect& request) = 0;
  virtual void send(ConnectionId conn, std::string_view bytes) = 0;
  // Closes without any further callback for this connection.
  virtual void close(ConnectionId conn) = 0;
  // Starts listening (out::Listen); false when this transport cannot listen at all.
  virtual bool listen(const out::Listen& /*request*/) { return false; }
};

// One timer and a monotonic clock.
class Scheduler {
 public:
  virtual ~Scheduler() = default;
  virtual TimePoint now() = 0;
  // Replaces the pending timer: Driver::timer_fired at `deadline`, or no timer for nullopt.
  virtual void arm(std::optional<TimePoint> deadline) = 0;
};

class EventSink {
 public:
  virtual ~EventSink() = default;
  // Re-entrancy: the sink may destroy the Driver from inside this call; the Driver notices.
  // The event is the sink's to keep: a whole contact list is moved, never copied.
  virtual void on_event(Event event) = 0;
};

}  // namespace msn
