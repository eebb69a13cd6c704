// SPDX-License-Identifier: GPL-2.0-or-later
// The dialogs a UI shows for the plugin's own requests, recorded for the scenarios: text
// input (the account actions' "Set Friendly Name..." and "Set Personal Message...") and user
// info ("Get Info"). The input requests wait for the scenario to answer them, as a person
// would. PurpleEnv installs these into its request and notify UI ops.
#pragma once

#include <notify.h>
#include <request.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace harness {

struct InputRequest {
  std::string title;
  std::string primary;
  std::string default_value;
  PurpleRequestInputCb ok = nullptr;
  PurpleRequestInputCb cancel = nullptr;
  void* user_data = nullptr;
  bool answered = false;
  bool closed = false;
};

struct UserInfoSeen {
  std::string who;
  std::vector<std::pair<std::string, std::string>> pairs;  // label, value (as the UI gets it)
};

struct UiRequests {
  std::vector<std::unique_ptr<InputRequest>> inputs;
  std::vector<UserInfoSeen> user_infos;
};

UiRequests& ui_requests();

// The UI ops (request_input, notify_userinfo) and close_request's share for input requests.
void* request_input(const char* title, const char* primary, const char* secondary,
                    const char* default_value, gboolean multiline, gboolean masked, gchar* hint,
                    const char* ok_text, GCallback ok_cb, const char* cancel_text,
                    GCallback cancel_cb, PurpleAccount* account, const char* who,
                    PurpleConversation* conv, void* user_data);
// True if `handle` was an input request (now marked closed).
bool close_input_request(void* handle);
void* notify_userinfo(PurpleConnection* gc, const char* who, PurpleNotifyUserInfo* user_info);

// Answers with OK and `text`; false if already answered or closed.
bool answer_input(InputRequest& request, const std::string& text);

}  // namespace harness
