// SPDX-License-Identifier: GPL-2.0-or-later
#include "prpl_callbacks.h"

#include <debug.h>
#include <sslconn.h>

#include <memory>

#include "account.h"
#include "callback_guard.h"
#include "error_text.h"
#include "i18n.h"
#include "status_map.h"

namespace msn::plugin {

const char* prpl_list_icon(PurpleAccount*, PurpleBuddy*) noexcept { return "msnp"; }

GList* prpl_status_types(PurpleAccount*) noexcept {
  return guard_callback_or<GList*>(nullptr, "status_types", nullptr,
                                   [] { return make_status_types(); });
}

void prpl_login(PurpleAccount* account) noexcept {
  PurpleConnection* gc = purple_account_get_connection(account);
  guard_callback(gc, "login", [gc] {
    // The web login is HTTPS only: without an SSL plugin the sign-in cannot even start.
    if (!purple_ssl_is_supported()) {
      purple_connection_error_reason(gc, PURPLE_CONNECTION_ERROR_NO_SSL_SUPPORT,
                                     _("SSL support is not available in libpurple"));
      return;
    }
    Result<Settings> settings = settings_from_account(gc);
    if (!settings) {
      purple_debug_error("msnp", "unusable settings: %s\n", settings.error().detail.c_str());
      ConnectionErrorText text = describe_error(settings.error());
      purple_connection_error_reason(gc, text.reason, text.message.c_str());
      return;
    }
    auto owner = std::make_unique<Account>(gc, std::move(settings).value());
    Account* account_state = owner.get();
    // From here libpurple's connection holds the only owning pointer; prpl_close reclaims it.
    purple_connection_set_protocol_data(gc, owner.release());
    account_state->start();
  });
}

void prpl_close(PurpleConnection* gc) noexcept {
  std::unique_ptr<Account> owner(static_cast<Account*>(purple_connection_get_protocol_data(gc)));
  purple_connection_set_protocol_data(gc, nullptr);
  if (!owner)
    return;
  // The connection is being destroyed: an error here is only logged, never reported on it.
  guard_callback(nullptr, "close", [&owner] { owner->close(); });
  owner.reset();
}

}  // namespace msn::plugin
