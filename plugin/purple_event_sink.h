// SPDX-License-Identifier: GPL-2.0-or-later
// msn::EventSink that turns engine events into libpurple calls: progress, the connected
// state, connection errors (via error_text) and debug lines under the "msnp" category.
#pragma once

#include <connection.h>

#include "runtime/ports.h"
#include "session/event.h"

namespace msn::plugin {

class PurpleEventSink final : public EventSink {
 public:
  explicit PurpleEventSink(PurpleConnection* gc) : gc_(gc) {}

  // Re-entrancy: never destroys the Account; purple_connection_error_reason only schedules
  // the disconnect, which libpurple carries out from the main loop later.
  void on_event(const Event& event) override;

  // From now on a Disconnected event is not reported: libpurple itself is closing the
  // connection, and an error on it now would be wrong (and is not allowed).
  void mute_disconnect() { closing_ = true; }

 private:
  void handle(const ev::SignInProgress& progress);
  void handle(const ev::SignedIn& signed_in);
  void handle(const ev::Disconnected& disconnected);
  void handle(const ev::Log& log);
  // TEMPORARY until the contact-list and conversation glue lands: every other event is only
  // logged. Remove this so that the compiler insists on a handler for each event.
  template <typename Other>
  void handle(const Other&) {}

  PurpleConnection* gc_;
  bool closing_ = false;
};

}  // namespace msn::plugin
