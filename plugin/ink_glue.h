// SPDX-License-Identifier: GPL-2.0-or-later
// Handwritten messages (ink) shown in conversations: the image goes into libpurple's image
// store and the message carries <img id="N">, as libpurple UIs expect inline images. UIs that
// cannot show images (Finch) get a line of text instead.
#pragma once

#include "session/event.h"

namespace msn::plugin {

class Account;

void apply_ink_received(Account& account, const ev::InkReceived& event);

}  // namespace msn::plugin
