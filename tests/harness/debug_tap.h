// SPDX-License-Identifier: GPL-2.0-or-later
// Collects the plugin's debug lines ("msnp") while a scenario needs to see them.
#pragma once

#include <debug.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace harness {

// The plugin's debug lines while installed (forwarded to the UI's own ops as before): where a
// scenario sees what the user does not, such as a connection started and not yet completed.
class DebugTap {
 public:
  DebugTap() : previous_(purple_debug_get_ui_ops()) {
    if (previous_ != nullptr) ops_ = *previous_;
    ops_.print = &DebugTap::print;
    current_ = this;
    purple_debug_set_ui_ops(&ops_);
  }
  ~DebugTap() {
    purple_debug_set_ui_ops(previous_);
    current_ = nullptr;
  }
  DebugTap(const DebugTap&) = delete;
  DebugTap& operator=(const DebugTap&) = delete;

  // Lines seen since the last clear() that contain all of `needles`.
  std::size_t count(std::initializer_list<std::string_view> needles) const {
    std::size_t n = 0;
    for (const std::string& line : lines_) {
      bool all = true;
      for (std::string_view needle : needles) all = all && line.find(needle) != std::string::npos;
      n += all ? 1 : 0;
    }
    return n;
  }
  void clear() { lines_.clear(); }

 private:
  static void print(PurpleDebugLevel level, const char* category, const char* text) {
    DebugTap* self = current_;
    if (self == nullptr) return;
    if (category != nullptr && std::strcmp(category, "msnp") == 0 && text != nullptr)
      self->lines_.emplace_back(text);
    if (self->previous_ != nullptr && self->previous_->print != nullptr)
      self->previous_->print(level, category, text);
  }

  static inline DebugTap* current_ = nullptr;
  PurpleDebugUiOps* previous_;
  PurpleDebugUiOps ops_{};
  std::vector<std::string> lines_;
};

}  // namespace harness
