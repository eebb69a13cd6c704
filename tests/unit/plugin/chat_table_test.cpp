// SPDX-License-Identifier: GPL-2.0-or-later
// ChatTable: engine conversation ids <-> libpurple chat ids.
#include "chat_table.h"

#include "cmocka_cpp.h"

namespace {

using msn::plugin::ChatTable;

void first_chats_get_ids_from_one(void**) {
  ChatTable table;
  assert_int_equal(table.open(900), 1);
  assert_int_equal(table.open(17), 2);
  assert_int_equal(table.size(), 2);
}

void opening_a_known_conversation_keeps_its_id(void**) {
  ChatTable table;
  const int id = table.open(0xFFFFFFFFFFull);
  assert_int_equal(table.open(5), id + 1);
  assert_int_equal(table.open(0xFFFFFFFFFFull), id);
  assert_int_equal(table.size(), 2);
}

void both_directions_agree(void**) {
  ChatTable table;
  const int a = table.open(41);
  const int b = table.open(42);
  assert_true(table.conversation(a) == std::optional<msn::ConversationId>(41));
  assert_true(table.conversation(b) == std::optional<msn::ConversationId>(42));
  assert_true(table.purple_id(42) == std::optional<int>(b));
  assert_false(table.purple_id(43).has_value());
  assert_false(table.conversation(b + 1).has_value());
}

void a_closed_chat_is_forgotten_and_its_id_not_reused(void**) {
  ChatTable table;
  const int first = table.open(7);
  table.close(first);
  assert_false(table.purple_id(7).has_value());
  assert_false(table.conversation(first).has_value());
  assert_int_equal(table.size(), 0);
  // The same conversation coming back (a late message) gets a new id, not the old one.
  const int again = table.open(7);
  assert_int_not_equal(again, first);
  // Closing an unknown id changes nothing.
  table.close(12345);
  assert_true(table.conversation(again) == std::optional<msn::ConversationId>(7));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(first_chats_get_ids_from_one),
      cmocka_unit_test(opening_a_known_conversation_keeps_its_id),
      cmocka_unit_test(both_directions_agree),
      cmocka_unit_test(a_closed_chat_is_forgotten_and_its_id_not_reused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
