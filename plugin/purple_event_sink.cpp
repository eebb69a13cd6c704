// SPDX-License-Identifier: GPL-2.0-or-later
#include "purple_event_sink.h"

#include <debug.h>

#include <string>
#include <variant>

#include "error_text.h"
#include "glib_handles.h"

namespace msn::plugin {
namespace {

// Engine log lines quote what a server sent; a hostile server could send bytes that are not
// UTF-8, which libpurple's debug UIs expect.
std::string printable(const std::string& text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr))
    return text;
  GCharPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return valid.get();
}

}  // namespace

void PurpleEventSink::on_event(const Event& event) {
  std::visit([this](const auto& e) { handle(e); }, event);
}

void PurpleEventSink::handle(const ev::SignInProgress& progress) {
  purple_connection_update_progress(gc_, sign_in_step_text(progress.step),
                                    static_cast<std::size_t>(progress.step),
                                    static_cast<std::size_t>(kSignInSteps));
}

void PurpleEventSink::handle(const ev::SignedIn&) {
  purple_debug_info("msnp", "signed in\n");
  purple_connection_set_state(gc_, PURPLE_CONNECTED);
}

void PurpleEventSink::handle(const ev::Disconnected& disconnected) {
  const Error& error = disconnected.error;
  purple_debug_info("msnp", "disconnected: %s (server code %d)\n", printable(error.detail).c_str(),
                    error.server_code);
  if (closing_)
    return;
  ConnectionErrorText text = describe_error(error);
  purple_connection_error_reason(gc_, text.reason, text.message.c_str());
}

void PurpleEventSink::handle(const ev::Log& log) {
  // The engine's log lines never contain secrets; only their encoding is made safe.
  const std::string text = printable(log.text);
  switch (log.level) {
    case LogLevel::kDebug:
      purple_debug_misc("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kInfo:
      purple_debug_info("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kWarning:
      purple_debug_warning("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kError:
      purple_debug_error("msnp", "%s\n", text.c_str());
      break;
  }
}

}  // namespace msn::plugin
