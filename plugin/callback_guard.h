// SPDX-License-Identifier: GPL-2.0-or-later
// The one place where C++ exceptions stop: every extern "C" entry point (prpl callbacks,
// libpurple I/O and timer callbacks) runs its body through guard_callback, so nothing ever
// unwinds into libpurple's C frames.
#pragma once

#include <connection.h>

#include <exception>
#include <utility>

namespace msn::plugin {

// Logs the escaped exception and, when `gc` is still usable, disconnects it with a generic
// internal-error message (the session's state can no longer be trusted).
void on_escaped_exception(PurpleConnection* gc, const char* where, const char* what) noexcept;

// Runs `body()`; an exception leaving it is logged and turns into a disconnect of `gc`
// (pass nullptr where the connection is already being torn down).
template <typename Body>
void guard_callback(PurpleConnection* gc, const char* where, Body&& body) noexcept {
  try {
    std::forward<Body>(body)();
  } catch (const std::exception& e) {
    on_escaped_exception(gc, where, e.what());
  } catch (...) {
    on_escaped_exception(gc, where, "unknown exception");
  }
}

// As guard_callback, for callbacks that return a value: `fallback` when the body throws.
template <typename T, typename Body>
T guard_callback_or(PurpleConnection* gc, const char* where, T fallback, Body&& body) noexcept {
  try {
    return std::forward<Body>(body)();
  } catch (const std::exception& e) {
    on_escaped_exception(gc, where, e.what());
  } catch (...) {
    on_escaped_exception(gc, where, "unknown exception");
  }
  return fallback;
}

}  // namespace msn::plugin
