// SPDX-License-Identifier: GPL-2.0-or-later
#include "account.h"

#include <debug.h>

#include <algorithm>
#include <string>

#include "glib_handles.h"

namespace msn::plugin {
namespace {

constexpr int kMaxReplyTimeoutSeconds = 3600;

// An account string setting with surrounding blanks removed (pasted URLs often carry some).
std::string string_option(PurpleAccount* account, const char* key, const char* fallback) {
  const char* value = purple_account_get_string(account, key, fallback);
  GCharPtr copy(g_strdup(value != nullptr ? value : ""));
  return g_strstrip(copy.get());
}

}  // namespace

Result<Settings> settings_from_account(PurpleConnection* gc) {
  PurpleAccount* account = purple_connection_get_account(gc);
  Settings settings;
  const char* username = purple_account_get_username(account);
  settings.account = username != nullptr ? username : "";
  const char* password = purple_connection_get_password(gc);
  settings.password = password != nullptr ? password : "";

  settings.server = string_option(account, kOptionServer, kDefaultServer);
  if (settings.server.empty())
    settings.server = kDefaultServer;

  int port = purple_account_get_int(account, kOptionPort, kDefaultPort);
  if (port < 1 || port > 65535)
    return make_error(Errc::kInvalidArgument, "port out of range: " + std::to_string(port));
  settings.port = static_cast<std::uint16_t>(port);

  settings.web_services_url = string_option(account, kOptionWebServicesUrl, "");

  int reply = purple_account_get_int(account, kOptionReplyTimeout, kDefaultReplyTimeoutSeconds);
  if (reply <= 0)
    reply = kDefaultReplyTimeoutSeconds;
  reply = std::min(reply, kMaxReplyTimeoutSeconds);
  settings.timeouts.ns_reply = seconds(reply);
  settings.timeouts.web_request = seconds(2 * reply);
  return settings;
}

Account::Account(PurpleConnection* gc, Settings settings)
    : transport_(gc),
      scheduler_(gc),
      sink_(gc),
      driver_(std::move(settings), transport_, scheduler_, sink_) {
  transport_.bind(driver_);
  scheduler_.bind(driver_);
}

Account::~Account() = default;

void Account::start() { driver_.start(); }

void Account::close() {
  sink_.mute_disconnect();
  driver_.sign_out();
}

}  // namespace msn::plugin
