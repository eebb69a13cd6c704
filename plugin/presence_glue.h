// SPDX-License-Identifier: GPL-2.0-or-later
// Contacts' presence and personal messages, and our own display name: engine events ->
// libpurple buddy presence (purple_prpl_got_user_status with the ids of status_map.h).
// Also the buddy texts libpurple asks the prpl for (status_text, tooltip_text).
#pragma once

#include <blist.h>
#include <notify.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "session/event.h"

namespace msn::plugin {

class Account;

// What a contact's last UBX said. Kept apart from the buddy's status because UBX and
// NLN arrive separately: each status change re-applies the personal message.
struct ContactStatusText {
  std::string personal_message;
  std::string current_media;  // formatted, empty when nothing is playing
};

// Keyed by the normalised (lower-case) address.
class PresenceCache {
 public:
  const ContactStatusText* find(std::string_view address) const;
  void set(std::string_view address, ContactStatusText text);
  void erase(std::string_view address);

  // The client capabilities of the contact's last presence notice (0: unknown or offline).
  std::uint32_t capabilities(std::string_view address) const;
  void set_capabilities(std::string_view address, std::uint32_t capabilities);

 private:
  std::unordered_map<std::string, ContactStatusText> texts_;
  std::unordered_map<std::string, std::uint32_t> capabilities_;
};

void apply_presence(Account& account, const ev::PresenceChanged& event);
void apply_status_message(Account& account, const ev::StatusMessageChanged& event);
void apply_own_display_name(Account& account, const ev::OwnDisplayNameChanged& event);

// The prpl's status_text: the personal message, else what is playing; nullptr for neither.
// Escaped markup, g_free'd by libpurple.
char* buddy_status_text(PurpleBuddy* buddy);
// The prpl's tooltip_text: status, personal message and current media.
void buddy_tooltip_text(PurpleBuddy* buddy, PurpleNotifyUserInfo* info);

}  // namespace msn::plugin
