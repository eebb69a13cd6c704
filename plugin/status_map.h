// SPDX-License-Identifier: GPL-2.0-or-later
// The table between libpurple status ids and MSN presence codes. Adding a status (busy, idle,
// be right back, ...) means adding one row to kStatusTable in status_map.cpp.
#pragma once

#include <glib.h>
#include <status.h>

#include <span>
#include <string_view>

namespace msn::plugin {

struct StatusEntry {
  const char* purple_id;             // the PurpleStatusType id, e.g. "available"
  const char* msn_code;              // the MSNP15 presence code, e.g. "NLN"
  PurpleStatusPrimitive primitive;
  const char* name;                  // untranslated (N_); nullptr: libpurple's primitive name
  bool user_settable;
};

std::span<const StatusEntry> status_entries();

// nullptr when unknown.
const StatusEntry* find_status_by_purple_id(std::string_view purple_id);
const StatusEntry* find_status_by_msn_code(std::string_view msn_code);

// The list the prpl's status_types callback returns (libpurple takes ownership).
GList* make_status_types();

}  // namespace msn::plugin
