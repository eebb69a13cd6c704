// SPDX-License-Identifier: GPL-2.0-or-later
#include "auth_requests.h"

#include <debug.h>

#include <algorithm>

#include "account.h"
#include "buddy_list_sync.h"
#include "callback_guard.h"
#include "core/ascii.h"

namespace msn::plugin {

void AuthRequests::request(const ev::AuthorizationRequested& event) {
  const bool already_open = std::any_of(entries_.begin(), entries_.end(), [&](const Entry& e) {
    return ascii::iequals(e.address, event.address);
  });
  if (already_open)
    return;
  Entry& entry = entries_.emplace_back(Entry{this, event.address});
  PurpleAccount* account = account_.purple_account();
  const gboolean on_list = purple_find_buddy(account, event.address.c_str()) != nullptr;
  // The UIs show "address (alias) wants to add you": a friendly name that is only the address
  // again (what the server reports when the contact set none) would show it twice. The name
  // shown is remembered: Pidgin's add-buddy dialog then offers it as the alias.
  const bool named =
      !event.display_name.empty() && !ascii::iequals(event.display_name, event.address);
  if (named) offered_names_[ascii::to_lower(event.address)] = event.display_name;
  // The answer may come back synchronously (a plugin deciding on the signal), which is fine:
  // `entry` is in place and answer() erases it.
  purple_account_request_authorization(
      account, event.address.c_str(), nullptr, named ? event.display_name.c_str() : nullptr,
      event.invite_message.empty() ? nullptr : event.invite_message.c_str(), on_list,
      &AuthRequests::on_authorize, &AuthRequests::on_deny, &entry);
}

bool AuthRequests::is_offered_name(std::string_view address, std::string_view name) const {
  auto it = offered_names_.find(ascii::to_lower(address));
  return it != offered_names_.end() && it->second == name;
}

void AuthRequests::close_all() {
  if (entries_.empty())
    return;
  // libpurple closes the prompts without calling either answer callback.
  purple_account_request_close_with_account(account_.purple_account());
  entries_.clear();
}

void AuthRequests::on_authorize(void* data) noexcept {
  auto* entry = static_cast<Entry*>(data);
  AuthRequests& self = *entry->owner;
  guard_callback(self.account_.connection(), "authorize",
                 [&] { self.answer(entry, /*accept=*/true); });
}

void AuthRequests::on_deny(void* data) noexcept {
  auto* entry = static_cast<Entry*>(data);
  AuthRequests& self = *entry->owner;
  guard_callback(self.account_.connection(), "deny", [&] { self.answer(entry, /*accept=*/false); });
}

void AuthRequests::answer(Entry* entry, bool accept) {
  const std::string address = entry->address;
  entries_.remove_if([entry](const Entry& e) { return &e == entry; });
  Status status = account_.act([&](Client& client, TimePoint now) {
    return client.authorize(address, accept, now);
  });
  if (!status.is_ok())
    notify_list_failure(account_.connection(),
                        accept ? ev::ListOperation::kAuthorize : ev::ListOperation::kDeny, address,
                        status.error());
}

}  // namespace msn::plugin
