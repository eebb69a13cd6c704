// SPDX-License-Identifier: GPL-2.0-or-later
#include "status_map.h"

#include <array>

#include "i18n.h"

namespace msn::plugin {
namespace {

// In the order the status selector lists them. Saved statuses (Pidgin's status box, Finch's
// status selector, auto-away) carry only a primitive, and libpurple takes the first type with
// it: so "away" comes before the other AWAY types and "busy" before the other UNAVAILABLE
// ones. Idle is shown for contacts only, so it comes last: the user's own idleness comes from
// libpurple's idle tracking (set_idle), never from the selector or a saved status.
constexpr std::array kStatusTable{
    StatusEntry{"available", PresenceStatus::kOnline, PURPLE_STATUS_AVAILABLE, nullptr, true},
    StatusEntry{"busy", PresenceStatus::kBusy, PURPLE_STATUS_UNAVAILABLE, N_("Busy"), true},
    StatusEntry{"away", PresenceStatus::kAway, PURPLE_STATUS_AWAY, nullptr, true},
    StatusEntry{"brb", PresenceStatus::kBeRightBack, PURPLE_STATUS_AWAY, N_("Be Right Back"), true},
    StatusEntry{"phone", PresenceStatus::kOnThePhone, PURPLE_STATUS_UNAVAILABLE, N_("On the Phone"),
                true},
    StatusEntry{"lunch", PresenceStatus::kOutToLunch, PURPLE_STATUS_AWAY, N_("Out to Lunch"), true},
    StatusEntry{"invisible", PresenceStatus::kHidden, PURPLE_STATUS_INVISIBLE, nullptr, true},
    StatusEntry{"offline", PresenceStatus::kOffline, PURPLE_STATUS_OFFLINE, nullptr, true},
    StatusEntry{"idle", PresenceStatus::kIdle, PURPLE_STATUS_AWAY, N_("Idle"), false},
};

PurpleValue* string_value() { return purple_value_new(PURPLE_TYPE_STRING); }

PurpleStatusType* make_type(const StatusEntry& entry) {
  const char* name = entry.name != nullptr ? _(entry.name) : nullptr;
  const gboolean settable = entry.user_settable ? TRUE : FALSE;
  // Translators: the status attribute that holds the personal message.
  const char* message_label = _("Message");
  if (entry.primitive == PURPLE_STATUS_OFFLINE)
    return purple_status_type_new_full(entry.primitive, entry.purple_id, name, /*saveable=*/TRUE,
                                       settable, /*independent=*/FALSE);
  // The "message" attribute is the personal message: libpurple's status editor fills it, and
  // contacts' personal messages are shown through it.
  return purple_status_type_new_with_attrs(entry.primitive, entry.purple_id, name,
                                           /*saveable=*/TRUE, settable, /*independent=*/FALSE,
                                           kMessageAttr, message_label, string_value(), nullptr);
}

PurpleStatusType* make_tune_type() {
  const char* artist_label = _("Tune Artist");
  const char* title_label = _("Tune Title");
  const char* album_label = _("Tune Album");
  return purple_status_type_new_with_attrs(
      PURPLE_STATUS_TUNE, kTuneStatusId, nullptr, /*saveable=*/FALSE, /*user_settable=*/TRUE,
      /*independent=*/TRUE, PURPLE_TUNE_ARTIST, artist_label, string_value(), PURPLE_TUNE_TITLE,
      title_label, string_value(), PURPLE_TUNE_ALBUM, album_label, string_value(), nullptr);
}

}  // namespace

std::span<const StatusEntry> status_entries() { return kStatusTable; }

const StatusEntry* find_status_by_purple_id(std::string_view purple_id) {
  for (const StatusEntry& entry : kStatusTable) {
    if (purple_id == entry.purple_id)
      return &entry;
  }
  return nullptr;
}

const StatusEntry& find_status_by_presence(PresenceStatus presence) {
  for (const StatusEntry& entry : kStatusTable) {
    if (entry.presence == presence)
      return entry;
  }
  // Unreachable while the table has a row per enumerator (the unit test checks it).
  return kStatusTable.back();
}

GList* make_status_types() {
  GList* types = nullptr;
  for (const StatusEntry& entry : kStatusTable)
    types = g_list_append(types, make_type(entry));
  return g_list_append(types, make_tune_type());
}

std::optional<CurrentMedia> media_from_tune(std::string_view title, std::string_view artist,
                                            std::string_view album) {
  if (title.empty())
    return std::nullopt;
  // As WLM writes it: "{0} - {1}" with title, artist (and album), each part only when known.
  CurrentMedia media;
  media.type = "Music";
  media.enabled = true;
  media.format = "{0}";
  if (!artist.empty())
    media.format += " - {1}";
  if (!album.empty())
    media.format += " ({2})";
  media.arguments = {std::string(title), std::string(artist), std::string(album)};
  return media;
}

}  // namespace msn::plugin
