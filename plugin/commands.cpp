// SPDX-License-Identifier: GPL-2.0-or-later
#include "commands.h"

#include <cmds.h>
#include <connection.h>
#include <conversation.h>
#include <prpl.h>

#include <vector>

#include "callback_guard.h"
#include "i18n.h"

namespace msn::plugin {
namespace {

constexpr const char* kPluginId = "prpl-msnp";
// The attention type index of "Nudge" in prpl_get_attention_types.
constexpr guint kNudgeAttention = 0;

std::vector<PurpleCmdId> registered;

PurpleCmdRet nudge_command(PurpleConversation* conv, const gchar*, gchar**, gchar** error,
                           void*) noexcept {
  return guard_callback_or<PurpleCmdRet>(nullptr, "nudge", PURPLE_CMD_RET_FAILED, [&] {
    PurpleConnection* gc = purple_conversation_get_gc(conv);
    if (gc == nullptr || !PURPLE_CONNECTION_IS_CONNECTED(gc)) {
      *error = g_strdup(_("You are not signed in."));
      return PURPLE_CMD_RET_FAILED;
    }
    // Through libpurple, as the conversation menu's "Nudge" does: it shows "Nudging ..." and
    // the prpl sends it (or writes why it could not).
    purple_prpl_send_attention(gc, purple_conversation_get_name(conv), kNudgeAttention);
    return PURPLE_CMD_RET_OK;
  });
}

}  // namespace

void register_commands() {
  const auto flags = static_cast<PurpleCmdFlag>(PURPLE_CMD_FLAG_IM | PURPLE_CMD_FLAG_PRPL_ONLY);
  registered.push_back(
      purple_cmd_register("nudge", "", PURPLE_CMD_P_PRPL, flags, kPluginId, &nudge_command,
                          _("nudge: Nudge a contact to get their attention"), nullptr));
}

void unregister_commands() {
  for (PurpleCmdId id : registered) purple_cmd_unregister(id);
  registered.clear();
}

}  // namespace msn::plugin
