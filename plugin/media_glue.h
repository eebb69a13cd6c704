// SPDX-License-Identifier: GPL-2.0-or-later
// Winks and voice clips shown in conversations: a line saying what arrived (a wink with its
// still image inline where the UI shows images), and the wink's cabinet or the clip's WAV
// offered as a received file through libpurple's transfer dialogs, from memory.
#pragma once

#include "session/event.h"

namespace msn::plugin {

class Account;

void apply_wink_received(Account& account, const ev::WinkReceived& event);
void apply_voice_clip_received(Account& account, const ev::VoiceClipReceived& event);
void apply_media_unavailable(Account& account, const ev::MediaUnavailable& event);

}  // namespace msn::plugin
