// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui_requests.h"

#include <algorithm>
#include <cstdio>

namespace harness {
namespace {

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

}  // namespace

UiRequests& ui_requests() {
  static UiRequests requests;
  return requests;
}

void* request_input(const char* title, const char* primary, const char*, const char* default_value,
                    gboolean, gboolean, gchar*, const char*, GCallback ok_cb, const char*,
                    GCallback cancel_cb, PurpleAccount*, const char*, PurpleConversation*,
                    void* user_data) {
  auto request = std::make_unique<InputRequest>();
  request->title = text_or_empty(title);
  request->primary = text_or_empty(primary);
  request->default_value = text_or_empty(default_value);
  request->ok = reinterpret_cast<PurpleRequestInputCb>(ok_cb);
  request->cancel = reinterpret_cast<PurpleRequestInputCb>(cancel_cb);
  request->user_data = user_data;
  std::fprintf(stderr, "harness: input request \"%s\": %s [%s]\n", request->title.c_str(),
               request->primary.c_str(), request->default_value.c_str());
  InputRequest* handle = request.get();
  // Owned until the process ends: libpurple may hold the handle until it closes it.
  ui_requests().inputs.push_back(std::move(request));
  return handle;
}

bool close_input_request(void* handle) {
  for (auto& request : ui_requests().inputs) {
    if (request.get() == handle) {
      request->closed = true;
      return true;
    }
  }
  return false;
}

void* notify_userinfo(PurpleConnection*, const char* who, PurpleNotifyUserInfo* user_info) {
  UserInfoSeen seen;
  seen.who = text_or_empty(who);
  for (GList* item = purple_notify_user_info_get_entries(user_info); item != nullptr;
       item = item->next) {
    auto* entry = static_cast<PurpleNotifyUserInfoEntry*>(item->data);
    seen.pairs.emplace_back(text_or_empty(purple_notify_user_info_entry_get_label(entry)),
                            text_or_empty(purple_notify_user_info_entry_get_value(entry)));
    std::fprintf(stderr, "harness: user info %s: %s = %s\n", seen.who.c_str(),
                 seen.pairs.back().first.c_str(), seen.pairs.back().second.c_str());
  }
  ui_requests().user_infos.push_back(std::move(seen));
  return nullptr;
}

bool answer_input(InputRequest& request, const std::string& text) {
  if (request.answered || request.closed) return false;
  request.answered = true;
  // As a UI does: the callback, then the request is closed.
  if (request.ok != nullptr) request.ok(request.user_data, text.c_str());
  purple_request_close(PURPLE_REQUEST_INPUT, &request);
  return true;
}

}  // namespace harness
