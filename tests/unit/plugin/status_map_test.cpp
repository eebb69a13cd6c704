// SPDX-License-Identifier: GPL-2.0-or-later
// The status table between libpurple status ids and MSN presence states, the status types the
// prpl gives libpurple, and the tune -> CurrentMedia conversion.
#include "status_map.h"

#include <set>
#include <string>

#include "cmocka_cpp.h"

namespace {

using msn::PresenceStatus;
using namespace msn::plugin;

// Every PresenceStatus. The switch makes the build fail (-Werror=switch) when a state is added
// to the engine without being added here, and so to the table check below.
constexpr bool is_listed(PresenceStatus status) {
  switch (status) {
    case PresenceStatus::kOnline:
    case PresenceStatus::kBusy:
    case PresenceStatus::kIdle:
    case PresenceStatus::kBeRightBack:
    case PresenceStatus::kAway:
    case PresenceStatus::kOnThePhone:
    case PresenceStatus::kOutToLunch:
    case PresenceStatus::kHidden:
    case PresenceStatus::kOffline:
      return true;
  }
  return false;
}

constexpr PresenceStatus kAllStates[] = {
    PresenceStatus::kOnline,     PresenceStatus::kBusy,       PresenceStatus::kIdle,
    PresenceStatus::kBeRightBack, PresenceStatus::kAway,       PresenceStatus::kOnThePhone,
    PresenceStatus::kOutToLunch, PresenceStatus::kHidden,     PresenceStatus::kOffline,
};

void every_state_round_trips_through_its_purple_id(void**) {
  for (PresenceStatus state : kAllStates) {
    assert_true(is_listed(state));
    const StatusEntry& entry = find_status_by_presence(state);
    assert_true(entry.presence == state);
    const StatusEntry* back = find_status_by_purple_id(entry.purple_id);
    assert_non_null(back);
    assert_ptr_equal(back, &entry);
  }
  assert_int_equal(status_entries().size(), std::size(kAllStates));
}

void purple_ids_are_unique_and_match_the_old_msn_prpl(void**) {
  std::set<std::string> ids;
  for (const StatusEntry& entry : status_entries())
    assert_true(ids.insert(entry.purple_id).second);
  // Saved statuses from the old MSN prpl name these ids.
  for (const char* id : {"available", "busy", "brb", "away", "phone", "lunch", "invisible",
                         "offline"})
    assert_non_null(find_status_by_purple_id(id));
  assert_null(find_status_by_purple_id("tune"));
  assert_null(find_status_by_purple_id(""));
}

void primitives_and_settable_states(void**) {
  assert_int_equal(find_status_by_presence(PresenceStatus::kOnline).primitive,
                   PURPLE_STATUS_AVAILABLE);
  assert_int_equal(find_status_by_presence(PresenceStatus::kBusy).primitive,
                   PURPLE_STATUS_UNAVAILABLE);
  assert_int_equal(find_status_by_presence(PresenceStatus::kAway).primitive, PURPLE_STATUS_AWAY);
  assert_int_equal(find_status_by_presence(PresenceStatus::kHidden).primitive,
                   PURPLE_STATUS_INVISIBLE);
  assert_int_equal(find_status_by_presence(PresenceStatus::kOffline).primitive,
                   PURPLE_STATUS_OFFLINE);
  // Idle follows libpurple's idle tracking; every other state is in the selector.
  for (const StatusEntry& entry : status_entries())
    assert_int_equal(entry.user_settable, entry.presence != PresenceStatus::kIdle);
}

// Owned through the CMocka state (owned_setup/owned_teardown), so a failing check frees it.
struct StatusTypes {
  GList* types = make_status_types();
  StatusTypes() = default;
  StatusTypes(const StatusTypes&) = delete;
  StatusTypes& operator=(const StatusTypes&) = delete;
  ~StatusTypes() {
    g_list_free_full(types, [](gpointer t) {
      purple_status_type_destroy(static_cast<PurpleStatusType*>(t));
    });
  }

  PurpleStatusType* find(const char* id) const {
    return const_cast<PurpleStatusType*>(purple_status_type_find_with_id(types, id));
  }
};

void status_types_carry_the_personal_message(void** state) {
  const StatusTypes& types = msn::test::fixture<StatusTypes>(state);
  assert_int_equal(g_list_length(types.types), status_entries().size() + 1);
  for (const StatusEntry& entry : status_entries()) {
    PurpleStatusType* type = types.find(entry.purple_id);
    assert_non_null(type);
    assert_int_equal(purple_status_type_get_primitive(type), entry.primitive);
    assert_int_equal(purple_status_type_is_user_settable(type), entry.user_settable);
    assert_false(purple_status_type_is_independent(type));
    const bool has_message = purple_status_type_get_attr(type, kMessageAttr) != nullptr;
    assert_int_equal(has_message, entry.primitive != PURPLE_STATUS_OFFLINE);
  }
}

// What purple_account_get_status_type_with_primitive does with the account's status types:
// the first type with the primitive, in the order the prpl listed them.
PurpleStatusType* first_with_primitive(GList* types, PurpleStatusPrimitive primitive) {
  for (GList* item = types; item != nullptr; item = item->next) {
    auto* type = static_cast<PurpleStatusType*>(item->data);
    if (purple_status_type_get_primitive(type) == primitive) return type;
  }
  return nullptr;
}

// Saved statuses (Pidgin's status box, Finch's selector, auto-away) name only a primitive:
// each one a user can pick must land on a type the user may set, with a message, and the
// MSN state a contact should see.
void saved_status_primitives_pick_the_matching_state(void** state) {
  const StatusTypes& types = msn::test::fixture<StatusTypes>(state);
  const struct {
    PurpleStatusPrimitive primitive;
    PresenceStatus expected;
  } kSaved[] = {
      {PURPLE_STATUS_AVAILABLE, PresenceStatus::kOnline},
      {PURPLE_STATUS_AWAY, PresenceStatus::kAway},
      {PURPLE_STATUS_UNAVAILABLE, PresenceStatus::kBusy},
      {PURPLE_STATUS_INVISIBLE, PresenceStatus::kHidden},
  };
  for (const auto& saved : kSaved) {
    PurpleStatusType* type = first_with_primitive(types.types, saved.primitive);
    assert_non_null(type);
    const StatusEntry* entry = find_status_by_purple_id(purple_status_type_get_id(type));
    assert_non_null(entry);
    assert_true(entry->user_settable);
    assert_true(entry->presence == saved.expected);
    assert_non_null(purple_status_type_get_attr(type, kMessageAttr));
  }
}

void the_tune_type_is_independent_with_title_artist_album(void** state) {
  const StatusTypes& types = msn::test::fixture<StatusTypes>(state);
  PurpleStatusType* tune = types.find(kTuneStatusId);
  assert_non_null(tune);
  assert_int_equal(purple_status_type_get_primitive(tune), PURPLE_STATUS_TUNE);
  assert_true(purple_status_type_is_independent(tune));
  for (const char* attr : {PURPLE_TUNE_TITLE, PURPLE_TUNE_ARTIST, PURPLE_TUNE_ALBUM})
    assert_non_null(purple_status_type_get_attr(tune, attr));
}

void tune_becomes_current_media_as_wlm_writes_it(void**) {
  auto full = media_from_tune("Song", "Band", "Record");
  assert_true(full.has_value());
  assert_bytes_equal(full->type, "Music");
  assert_true(full->enabled);
  assert_bytes_equal(full->format, "{0} - {1} ({2})");
  assert_bytes_equal(full->formatted(), "Song - Band (Record)");

  auto title_only = media_from_tune("Song", "", "");
  assert_true(title_only.has_value());
  assert_bytes_equal(title_only->formatted(), "Song");

  auto no_album = media_from_tune("Song", "Band", "");
  assert_bytes_equal(no_album->formatted(), "Song - Band");

  // Without a title nothing is playing as far as MSN is concerned.
  assert_false(media_from_tune("", "Band", "Record").has_value());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_state_round_trips_through_its_purple_id),
      cmocka_unit_test(purple_ids_are_unique_and_match_the_old_msn_prpl),
      cmocka_unit_test(primitives_and_settable_states),
      cmocka_unit_test_setup_teardown(status_types_carry_the_personal_message,
                                      msn::test::owned_setup<StatusTypes>,
                                      msn::test::owned_teardown<StatusTypes>),
      cmocka_unit_test_setup_teardown(saved_status_primitives_pick_the_matching_state,
                                      msn::test::owned_setup<StatusTypes>,
                                      msn::test::owned_teardown<StatusTypes>),
      cmocka_unit_test_setup_teardown(the_tune_type_is_independent_with_title_artist_album,
                                      msn::test::owned_setup<StatusTypes>,
                                      msn::test::owned_teardown<StatusTypes>),
      cmocka_unit_test(tune_becomes_current_media_as_wlm_writes_it),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
