// SPDX-License-Identifier: GPL-2.0-or-later
#include "callback_guard.h"

#include <debug.h>

#include "i18n.h"

namespace msn::plugin {

void on_escaped_exception(PurpleConnection* gc, const char* where, const char* what) noexcept {
  purple_debug_error("msnp", "internal error in %s: %s\n", where, what);
  if (gc == nullptr)
    return;
  // OTHER_ERROR is fatal for libpurple: reconnecting into the same bug would loop.
  purple_connection_error_reason(gc, PURPLE_CONNECTION_ERROR_OTHER_ERROR,
                                 _("Internal error in the MSN plugin"));
}

}  // namespace msn::plugin
