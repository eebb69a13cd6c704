// SPDX-License-Identifier: GPL-2.0-or-later
// A received nudge, shown as libpurple's purple_prpl_got_attention would show it, but with the
// sender's name escaped: libpurple formats that line with the buddy's alias as raw HTML, and
// the alias is the peer's own friendly name, so a name like "<a href=...>" would plant a link.
#pragma once

#include <optional>
#include <string>

namespace msn::plugin {

class Account;

// The attention type index of "Nudge" in prpl_get_attention_types.
inline constexpr unsigned kNudgeAttention = 0;

// Writes "NAME has nudged you!" into the IM with `from` (or the purple chat `chat_id`) with the
// flags libpurple uses for attention (the UI flashes the window as for its own line), and
// emits "got-attention" for an IM as libpurple does.
void show_nudge(Account& account, const std::string& from, std::optional<int> chat_id);

}  // namespace msn::plugin
