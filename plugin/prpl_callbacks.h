// SPDX-License-Identifier: GPL-2.0-or-later
// The prpl's C entry points. Each is noexcept and funnels its body through guard_callback, so
// no exception reaches libpurple.
#pragma once

#include <account.h>
#include <blist.h>
#include <connection.h>

namespace msn::plugin {

const char* prpl_list_icon(PurpleAccount* account, PurpleBuddy* buddy) noexcept;
GList* prpl_status_types(PurpleAccount* account) noexcept;
void prpl_login(PurpleAccount* account) noexcept;
void prpl_close(PurpleConnection* gc) noexcept;

}  // namespace msn::plugin
