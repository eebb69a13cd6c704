// SPDX-License-Identifier: GPL-2.0-or-later
// "Someone added you" prompts (ev::AuthorizationRequested -> purple_account_request_
// authorization) and their answers (-> Client::authorize). The prompts live no longer than the
// Account: closing it closes them, so an answer can never reach a gone session; the server asks
// again at the next sign-in while the request is pending.
#pragma once

#include <connection.h>  // libpurple's account.h (plugin/account.h shadows <account.h>)

#include <list>
#include <map>
#include <string>
#include <string_view>

#include "session/event.h"

namespace msn::plugin {

class Account;

class AuthRequests {
 public:
  explicit AuthRequests(Account& account) : account_(account) {}
  ~AuthRequests() { close_all(); }
  AuthRequests(const AuthRequests&) = delete;
  AuthRequests& operator=(const AuthRequests&) = delete;

  // Shows the prompt, once per address while one is open.
  void request(const ev::AuthorizationRequested& event);
  // Closes every open prompt unanswered (the connection is closing).
  void close_all();

  std::size_t open_count() const { return entries_.size(); }

  // True if `name` is the friendly name a request from `address` showed: an alias that is
  // only that name (as the add-buddy dialog after "Authorize" fills it in) is no alias.
  bool is_offered_name(std::string_view address, std::string_view name) const;

 private:
  // The user data libpurple hands back to the answer callbacks; list nodes never move.
  struct Entry {
    AuthRequests* owner;
    std::string address;
  };

  static void on_authorize(void* data) noexcept;
  static void on_deny(void* data) noexcept;
  void answer(Entry* entry, bool accept);

  Account& account_;
  std::list<Entry> entries_;
  std::map<std::string, std::string> offered_names_;  // lower-case address -> name shown
};

}  // namespace msn::plugin
