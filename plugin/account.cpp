// SPDX-License-Identifier: GPL-2.0-or-later
#include "account.h"

#include <debug.h>

#include <algorithm>
#include <string>

#include "callback_guard.h"
#include "contact_cache_file.h"
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

// A hidden seconds setting: unset (or not positive) keeps the engine's own default.
Duration hidden_seconds(PurpleAccount* account, const char* key, Duration fallback) {
  const int value = purple_account_get_int(account, key, 0);
  if (value <= 0) return fallback;
  return seconds(std::min(value, kMaxReplyTimeoutSeconds));
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

  settings.web_services_url =
      string_option(account, kOptionWebServicesUrl,
                    settings.server == kDefaultServer ? kDefaultWebServicesUrl : "");
  // The engine checks the snapshot itself and ignores one it cannot use.
  settings.contact_cache = load_contact_cache(account);
  settings.direct_connections = purple_account_get_bool(account, kOptionDirectConnections, TRUE);

  int reply = purple_account_get_int(account, kOptionReplyTimeout, kDefaultReplyTimeoutSeconds);
  if (reply <= 0)
    reply = kDefaultReplyTimeoutSeconds;
  reply = std::min(reply, kMaxReplyTimeoutSeconds);
  settings.timeouts.ns_reply = seconds(reply);
  settings.timeouts.web_request = seconds(2 * reply);
  settings.timeouts.message_ack =
      hidden_seconds(account, kOptionMessageAckTimeout, settings.timeouts.message_ack);
  settings.timeouts.default_ping =
      hidden_seconds(account, kOptionKeepAliveInterval, settings.timeouts.default_ping);
  return settings;
}

Account::Account(PurpleConnection* gc, Settings settings)
    : gc_(gc),
      auth_requests_(*this),
      transport_(gc),
      scheduler_(gc),
      sink_(gc, *this),
      driver_(std::move(settings), transport_, scheduler_, sink_) {
  transport_.bind(driver_);
  scheduler_.bind(driver_);
}

Account::~Account() = default;

void Account::start() { driver_.start(); }

void Account::close() {
  sink_.mute_disconnect();
  // Before signing out: an answer to a prompt must not reach a session that is ending.
  auth_requests_.close_all();
  deferred_timer_.reset();
  deferred_.clear();
  // While the engine still runs: each transfer's BYE goes out before the sign-out.
  xfers_.close_all();
  driver_.sign_out();
}

void Account::defer(std::function<void()> task) {
  deferred_.push_back(std::move(task));
  if (!deferred_timer_)
    deferred_timer_.reset(purple_timeout_add(0, &Account::on_deferred, this));
}

gboolean Account::on_deferred(gpointer data) noexcept {
  auto* self = static_cast<Account*>(data);
  self->deferred_timer_.release();
  guard_callback(self->gc_, "deferred task", [self] {
    // A task may defer more; those run on the next round.
    std::vector<std::function<void()>> tasks = std::move(self->deferred_);
    self->deferred_.clear();
    for (auto& task : tasks)
      task();
  });
  return FALSE;
}

Account* account_of(PurpleConnection* gc) {
  return gc != nullptr ? static_cast<Account*>(purple_connection_get_protocol_data(gc)) : nullptr;
}

Account* account_of(PurpleAccount* account) {
  return account != nullptr ? account_of(purple_account_get_connection(account)) : nullptr;
}

}  // namespace msn::plugin
