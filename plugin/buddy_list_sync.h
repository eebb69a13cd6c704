// SPDX-License-Identifier: GPL-2.0-or-later
// The server's contact list -> libpurple's buddy list and privacy lists.
//
// Mapping: a contact on the forward list (FL) is one PurpleBuddy in each of its groups; a
// contact in no group is a buddy in the default group "Other Contacts" (the old MSN prpl's
// name for it). The contact's nickname (the private alias the owner set) is the buddy's alias,
// its own friendly name the server alias. The allow list (AL) is the account's permit list,
// the block list (BL) its deny list. Every change is applied locally only (echo suppressed),
// so nothing the server said travels back to it.
#pragma once

#include <connection.h>

#include <string>

#include "core/status.h"
#include "session/event.h"

namespace msn::plugin {

class Account;

// The group contacts in no server group are shown in (translated).
const char* default_group_name();

// The server group a purple group stands for: "" (no group) for the default group, unless the
// server really has a group of that name.
std::string server_group_for(Account& account, const char* purple_group_name);

void apply_contact_list(Account& account, const ev::ContactListLoaded& event);
void apply_contact_changed(Account& account, const ev::ContactChanged& event);
void apply_contact_removed(Account& account, const ev::ContactRemoved& event);
void apply_group_changed(Account& account, const ev::GroupChanged& event);
void apply_group_removed(Account& account, const ev::GroupRemoved& event);

// Tells the user a contact-list change did not happen (an error dialog).
void notify_list_failure(PurpleConnection* gc, ev::ListOperation operation,
                         const std::string& subject, const Error& error);

}  // namespace msn::plugin
