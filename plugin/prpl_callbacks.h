// SPDX-License-Identifier: GPL-2.0-or-later
// The prpl's C entry points. Each is noexcept and funnels its body through guard_callback, so
// no exception reaches libpurple. They reach the engine through the connection's Account
// (Account::act); an intent the engine refuses at once is reported to the user right there.
// Implemented in prpl_callbacks.cpp (account, status, profile, buddy texts),
// prpl_buddies.cpp (contact list and privacy) and prpl_conversations.cpp (IMs and chats).
#pragma once

#include <blist.h>
#include <connection.h>
#include <conversation.h>
#include <notify.h>
#include <status.h>

namespace msn::plugin {

// ---- account, status, profile (prpl_callbacks.cpp) ---------------------------------------
const char* prpl_list_icon(PurpleAccount* account, PurpleBuddy* buddy) noexcept;
GList* prpl_status_types(PurpleAccount* account) noexcept;
void prpl_login(PurpleAccount* account) noexcept;
void prpl_close(PurpleConnection* gc) noexcept;
void prpl_set_status(PurpleAccount* account, PurpleStatus* status) noexcept;
void prpl_set_idle(PurpleConnection* gc, int idle_seconds) noexcept;
void prpl_set_public_alias(PurpleConnection* gc, const char* alias,
                           PurpleSetPublicAliasSuccessCallback success_cb,
                           PurpleSetPublicAliasFailureCallback failure_cb) noexcept;
void prpl_get_public_alias(PurpleConnection* gc, PurpleGetPublicAliasSuccessCallback success_cb,
                           PurpleGetPublicAliasFailureCallback failure_cb) noexcept;
const char* prpl_normalize(const PurpleAccount* account, const char* who) noexcept;
char* prpl_status_text(PurpleBuddy* buddy) noexcept;
void prpl_tooltip_text(PurpleBuddy* buddy, PurpleNotifyUserInfo* info, gboolean full) noexcept;
GList* prpl_blist_node_menu(PurpleBlistNode* node) noexcept;
gboolean prpl_offline_message(const PurpleBuddy* buddy) noexcept;
// Get Info (user_info.cpp).
void prpl_get_info(PurpleConnection* gc, const char* who) noexcept;

// ---- contact list and privacy (prpl_buddies.cpp) -----------------------------------------
void prpl_add_buddy(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group) noexcept;
void prpl_add_buddy_with_invite(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group,
                                const char* message) noexcept;
void prpl_remove_buddy(PurpleConnection* gc, PurpleBuddy* buddy, PurpleGroup* group) noexcept;
void prpl_alias_buddy(PurpleConnection* gc, const char* who, const char* alias) noexcept;
void prpl_group_buddy(PurpleConnection* gc, const char* who, const char* old_group,
                      const char* new_group) noexcept;
void prpl_rename_group(PurpleConnection* gc, const char* old_name, PurpleGroup* group,
                       GList* moved_buddies) noexcept;
void prpl_remove_group(PurpleConnection* gc, PurpleGroup* group) noexcept;
void prpl_add_permit(PurpleConnection* gc, const char* who) noexcept;
void prpl_add_deny(PurpleConnection* gc, const char* who) noexcept;
void prpl_rem_permit(PurpleConnection* gc, const char* who) noexcept;
void prpl_rem_deny(PurpleConnection* gc, const char* who) noexcept;
void prpl_set_permit_deny(PurpleConnection* gc) noexcept;

// ---- conversations (prpl_conversations.cpp) -----------------------------------------------
int prpl_send_im(PurpleConnection* gc, const char* who, const char* message,
                 PurpleMessageFlags flags) noexcept;
unsigned int prpl_send_typing(PurpleConnection* gc, const char* who,
                              PurpleTypingState state) noexcept;
gboolean prpl_send_attention(PurpleConnection* gc, const char* who, guint type) noexcept;
GList* prpl_get_attention_types(PurpleAccount* account) noexcept;
void prpl_convo_closed(PurpleConnection* gc, const char* who) noexcept;
GList* prpl_chat_info(PurpleConnection* gc) noexcept;
GHashTable* prpl_chat_info_defaults(PurpleConnection* gc, const char* chat_name) noexcept;
void prpl_join_chat(PurpleConnection* gc, GHashTable* components) noexcept;
char* prpl_get_chat_name(GHashTable* components) noexcept;
void prpl_chat_invite(PurpleConnection* gc, int id, const char* message, const char* who) noexcept;
void prpl_chat_leave(PurpleConnection* gc, int id) noexcept;
int prpl_chat_send(PurpleConnection* gc, int id, const char* message,
                   PurpleMessageFlags flags) noexcept;

// Starts a group chat with `address` and opens its window (the buddy menu's "Initiate Chat"
// and join_chat).
void start_chat_with(PurpleConnection* gc, const char* address) noexcept;

}  // namespace msn::plugin
