// SPDX-License-Identifier: GPL-2.0-or-later
// What a libpurple UI is shown, recorded for the integration scenarios: every line written to
// a conversation (received, sent, system), typing notices, attention (nudges), authorization
// requests (held until the scenario answers them, as a person would), "you were added" notices,
// notifications and chats joined. One recorder per process; PurpleEnv installs its UI ops.
#pragma once

#include <account.h>
#include <conversation.h>
#include <notify.h>

#include <ctime>
#include <memory>
#include <string>
#include <vector>

namespace harness {

struct WrittenLine {
  PurpleAccount* account = nullptr;
  PurpleConversationType type = PURPLE_CONV_TYPE_IM;
  std::string conversation;  // the conversation's name (the peer's address for IMs)
  std::string who;           // the sender as passed to write_conv (may be empty)
  std::string html;
  PurpleMessageFlags flags = static_cast<PurpleMessageFlags>(0);
  time_t mtime = 0;
};

struct TypingSeen {
  PurpleAccount* account = nullptr;
  std::string who;
  bool typing = true;  // false: "buddy-typing-stopped"
};

struct AttentionSeen {
  PurpleAccount* account = nullptr;
  std::string who;
};

// One request_authorize call. The callbacks are libpurple's; they run once, when answered.
struct AuthorizationRequest {
  PurpleAccount* account = nullptr;
  std::string remote_user;
  std::string alias;
  std::string message;
  bool on_list = false;
  PurpleAccountRequestAuthorizationCb authorize = nullptr;
  PurpleAccountRequestAuthorizationCb deny = nullptr;
  void* user_data = nullptr;
  bool answered = false;
  bool closed = false;  // libpurple withdrew it (close_account_request)
};

struct AddRequest {
  PurpleAccount* account = nullptr;
  std::string remote_user;
  std::string alias;
  std::string message;
};

struct NotificationSeen {
  PurpleNotifyMsgType type = PURPLE_NOTIFY_MSG_INFO;
  std::string title;
  std::string primary;
  std::string secondary;
};

struct ChatJoinedSeen {
  PurpleAccount* account = nullptr;
  PurpleConversation* conversation = nullptr;  // valid while the chat is open
  std::string name;
  int id = 0;
};

// One chat_add_users call for people already there (not new arrivals): Finch prints
// "List of N users:" for each.
struct ChatListingSeen {
  PurpleAccount* account = nullptr;
  std::string conversation;
  std::size_t users = 0;
};

// One custom smiley a conversation was given (custom_smiley_add), with the data written to it
// and whether it was closed (complete, or given up without data).
struct CustomSmileySeen {
  PurpleAccount* account = nullptr;
  std::string conversation;
  std::string shortcut;
  std::string data;
  bool closed = false;
};

struct UiEvents {
  std::vector<WrittenLine> lines;
  std::vector<TypingSeen> typing;
  std::vector<AttentionSeen> attention;
  std::vector<std::unique_ptr<AuthorizationRequest>> authorizations;
  std::vector<AddRequest> add_requests;
  std::vector<NotificationSeen> notifications;
  std::vector<ChatJoinedSeen> chats_joined;
  std::vector<ChatListingSeen> chat_listings;
  std::vector<std::string> chat_invitations;  // "account: who invited to what"
  std::vector<CustomSmileySeen> smileys;
};

// The process's recorder (always present).
UiEvents& ui_events();

// Installed by PurpleEnv: the conversation and account UI ops and the conversation signals.
void install_ui_event_ops();
void connect_ui_event_signals(void* handle);

// Records a notification (called by PurpleEnv's notify_message).
void record_notification(PurpleNotifyMsgType type, const char* title, const char* primary,
                         const char* secondary);

// Answers a pending request: runs libpurple's authorize or deny callback. False if it was
// already answered or withdrawn.
bool answer_authorization(AuthorizationRequest& request, bool accept);

// A short description of everything recorded for `account` (for failure messages).
std::string describe_ui_events(PurpleAccount* account);

}  // namespace harness
