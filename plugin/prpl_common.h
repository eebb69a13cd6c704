// SPDX-License-Identifier: GPL-2.0-or-later
// Shared plumbing of the prpl callback files (not a public interface of the plugin).
#pragma once

#include <connection.h>

#include <string>
#include <utility>

#include "account.h"
#include "callback_guard.h"

namespace msn::plugin {

// Runs `body(Account&)` guarded, when the connection has an Account and the call is not
// libpurple echoing a change the plugin itself is applying from the server.
template <typename Body>
void with_account(PurpleConnection* gc, const char* where, Body&& body) noexcept {
  guard_callback(gc, where, [&] {
    Account* account = account_of(gc);
    if (account == nullptr || account->applying_server_state())
      return;
    std::forward<Body>(body)(*account);
  });
}

// As with_account, for callbacks that return a value: `fallback` when there is no Account.
template <typename T, typename Body>
T with_account_or(PurpleConnection* gc, const char* where, T fallback, Body&& body) noexcept {
  return guard_callback_or<T>(gc, where, fallback, [&]() -> T {
    Account* account = account_of(gc);
    if (account == nullptr || account->applying_server_state())
      return fallback;
    return std::forward<Body>(body)(*account);
  });
}

inline std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

}  // namespace msn::plugin
