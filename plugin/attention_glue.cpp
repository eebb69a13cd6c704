// SPDX-License-Identifier: GPL-2.0-or-later
#include "attention_glue.h"

#include <blist.h>
#include <conversation.h>
#include <server.h>
#include <signals.h>

#include <ctime>

#include "account.h"
#include "conversations_glue.h"
#include "error_text.h"
#include "i18n.h"

namespace msn::plugin {

void show_nudge(Account& account, const std::string& from, std::optional<int> chat_id) {
  PurpleConnection* gc = account.connection();
  PurpleAccount* purple = account.purple_account();
  // The name libpurple would use (the contact's alias, else the address), escaped.
  PurpleBuddy* buddy = purple_find_buddy(purple, from.c_str());
  const char* alias = buddy != nullptr ? purple_buddy_get_contact_alias(buddy) : nullptr;
  const std::string name = escape_markup(alias != nullptr && *alias != '\0' ? alias : from);
  const std::string line = printf_string(_("%s has nudged you!"), name.c_str());
  const auto flags = static_cast<PurpleMessageFlags>(PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_NOTIFY |
                                                     PURPLE_MESSAGE_RECV);
  const time_t now = std::time(nullptr);
  if (chat_id) {
    serv_got_chat_in(gc, *chat_id, from.c_str(), flags, line.c_str(), now);
    return;
  }
  serv_got_im(gc, from.c_str(), line.c_str(), flags, now);
  PurpleConversation* conv =
      purple_find_conversation_with_account(PURPLE_CONV_TYPE_ANY, from.c_str(), purple);
  if (conv != nullptr)
    purple_signal_emit(purple_conversations_get_handle(), "got-attention", purple, from.c_str(),
                       conv, kNudgeAttention);
}

}  // namespace msn::plugin
