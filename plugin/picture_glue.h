// SPDX-License-Identifier: GPL-2.0-or-later
// Display pictures between the engine and libpurple's buddy icons: contacts' pictures fetched
// only when the stored icon's checksum is not their SHA1D, received ones stored under it, and
// the account icon sent as our picture.
#pragma once

#include <connection.h>
#include <imgstore.h>

#include "account.h"
#include "session/event.h"

namespace msn::plugin {

void apply_picture_changed(Account& account, const ev::ContactPictureChanged& changed);
void apply_picture_received(Account& account, const ev::ContactPictureReceived& received);
// The account's icon (Pidgin's "Use this buddy icon for this account") as our picture; at
// sign-in, before the first CHG.
void send_account_icon(Account& account);
// prpl set_buddy_icon: the user chose another icon (or none: `image` null).
void prpl_set_buddy_icon(PurpleConnection* gc, PurpleStoredImage* image) noexcept;

}  // namespace msn::plugin
