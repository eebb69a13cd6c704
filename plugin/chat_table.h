// SPDX-License-Identifier: GPL-2.0-or-later
// Engine ConversationIds (64-bit, engine-wide) <-> libpurple chat ids (int, per connection).
// Plain C++ without libpurple, so it is unit-tested on its own.
#pragma once

#include <climits>
#include <cstdint>
#include <map>
#include <optional>

#include "session/event.h"

namespace msn::plugin {

class ChatTable {
 public:
  // The purple id of `conversation`, assigning the next free one the first time.
  int open(ConversationId conversation) {
    if (auto known = purple_id(conversation))
      return *known;
    int id = next_free_id();
    by_conversation_[conversation] = id;
    by_purple_id_[id] = conversation;
    return id;
  }

  std::optional<int> purple_id(ConversationId conversation) const {
    auto it = by_conversation_.find(conversation);
    if (it == by_conversation_.end())
      return std::nullopt;
    return it->second;
  }

  std::optional<ConversationId> conversation(int purple_id) const {
    auto it = by_purple_id_.find(purple_id);
    if (it == by_purple_id_.end())
      return std::nullopt;
    return it->second;
  }

  // Forgets a chat (the user left it); its purple id is not handed out again soon.
  void close(int purple_id) {
    auto it = by_purple_id_.find(purple_id);
    if (it == by_purple_id_.end())
      return;
    by_conversation_.erase(it->second);
    by_purple_id_.erase(it);
  }

  std::size_t size() const { return by_purple_id_.size(); }

 private:
  // Counts up from 1 and wraps before INT_MAX, skipping ids still in use, so a closed chat's
  // late events can never land in a newer chat that reused its id within a session.
  int next_free_id() {
    for (;;) {
      int id = next_;
      next_ = next_ == INT_MAX ? 1 : next_ + 1;
      if (!by_purple_id_.contains(id))
        return id;
    }
  }

  std::map<ConversationId, int> by_conversation_;
  std::map<int, ConversationId> by_purple_id_;
  int next_ = 1;
};

}  // namespace msn::plugin
