// SPDX-License-Identifier: GPL-2.0-or-later
#include "status_map.h"

#include <array>

#include "i18n.h"

namespace msn::plugin {
namespace {

// Saveable, settable rows in the order the status selector lists them.
constexpr std::array kStatusTable{
    StatusEntry{"available", "NLN", PURPLE_STATUS_AVAILABLE, nullptr, true},
    StatusEntry{"offline", "FLN", PURPLE_STATUS_OFFLINE, nullptr, true},
};

}  // namespace

std::span<const StatusEntry> status_entries() { return kStatusTable; }

const StatusEntry* find_status_by_purple_id(std::string_view purple_id) {
  for (const StatusEntry& entry : kStatusTable) {
    if (purple_id == entry.purple_id)
      return &entry;
  }
  return nullptr;
}

const StatusEntry* find_status_by_msn_code(std::string_view msn_code) {
  for (const StatusEntry& entry : kStatusTable) {
    if (msn_code == entry.msn_code)
      return &entry;
  }
  return nullptr;
}

GList* make_status_types() {
  GList* types = nullptr;
  for (const StatusEntry& entry : kStatusTable) {
    const char* name = entry.name != nullptr ? _(entry.name) : nullptr;
    PurpleStatusType* type = purple_status_type_new_full(
        entry.primitive, entry.purple_id, name, /*saveable=*/TRUE,
        entry.user_settable ? TRUE : FALSE, /*independent=*/FALSE);
    types = g_list_append(types, type);
  }
  return types;
}

}  // namespace msn::plugin
