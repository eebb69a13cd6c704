// SPDX-License-Identifier: GPL-2.0-or-later
// The table between libpurple status ids and MSN presence states. Adding a state means adding
// one row to kStatusTable in status_map.cpp. The ids are the ones the old MSN prpl used, so
// saved statuses of users coming from it keep working.
#pragma once

#include <glib.h>
#include <status.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "session/presence.h"

namespace msn::plugin {

// The attribute every non-offline status type carries: the personal message (PSM).
inline constexpr const char* kMessageAttr = "message";
// The independent status type for current media (what the contact is listening to).
inline constexpr const char* kTuneStatusId = "tune";

struct StatusEntry {
  const char* purple_id;             // the PurpleStatusType id, e.g. "available"
  PresenceStatus presence;           // the MSN state (NLN, BSY, ...)
  PurpleStatusPrimitive primitive;
  const char* name;                  // untranslated (N_); nullptr: libpurple's primitive name
  bool user_settable;                // false: only ever shown for contacts (idle)
};

std::span<const StatusEntry> status_entries();

// nullptr when unknown.
const StatusEntry* find_status_by_purple_id(std::string_view purple_id);
// Every PresenceStatus has a row.
const StatusEntry& find_status_by_presence(PresenceStatus presence);

// The list the prpl's status_types callback returns (libpurple takes ownership): one type per
// row (with a "message" attribute unless offline) and the independent "tune" type.
GList* make_status_types();

// What the user's tune status says, as MSN's CurrentMedia ("Music", "{0} - {1}", title,
// artist, album); nullopt when there is no title.
std::optional<CurrentMedia> media_from_tune(std::string_view title, std::string_view artist,
                                            std::string_view album);

}  // namespace msn::plugin
