// SPDX-License-Identifier: GPL-2.0-or-later
// Owning wrappers for GLib and libpurple handles, so no exit path can leak a string or leave
// an event source pointing at freed memory.
#pragma once

#include <eventloop.h>
#include <glib.h>

#include <memory>
#include <utility>

namespace msn::plugin {

struct GFreeDeleter {
  void operator()(gpointer p) const noexcept { g_free(p); }
};
using GCharPtr = std::unique_ptr<gchar, GFreeDeleter>;

struct GErrorDeleter {
  void operator()(GError* e) const noexcept { g_error_free(e); }
};
using GErrorPtr = std::unique_ptr<GError, GErrorDeleter>;

// One libpurple event-loop source id (purple_input_add / purple_timeout_add). Destroying or
// resetting the handle removes the source, so a callback can never run after its owner died.
// Timeouts and inputs are removed through different libpurple calls, hence the parameter.
//
// Example:
//   TimeoutHandle timer_;
//   timer_.reset(purple_timeout_add(ms, &on_timeout, this));
//   ...in on_timeout: timer_.release(); return FALSE;  // the source ends by itself
template <gboolean (*Remove)(guint)>
class SourceHandle {
 public:
  SourceHandle() = default;
  explicit SourceHandle(guint id) noexcept : id_(id) {}
  ~SourceHandle() { reset(); }
  SourceHandle(const SourceHandle&) = delete;
  SourceHandle& operator=(const SourceHandle&) = delete;
  SourceHandle(SourceHandle&& other) noexcept : id_(std::exchange(other.id_, 0)) {}
  SourceHandle& operator=(SourceHandle&& other) noexcept {
    if (this != &other)
      reset(std::exchange(other.id_, 0));
    return *this;
  }

  // Removes the current source (if any) and holds `id` instead.
  void reset(guint id = 0) noexcept {
    if (id_ != 0)
      Remove(id_);
    id_ = id;
  }
  // Forgets the id without removing it: for a source whose callback is returning FALSE.
  void release() noexcept { id_ = 0; }
  explicit operator bool() const noexcept { return id_ != 0; }

 private:
  guint id_ = 0;
};

using TimeoutHandle = SourceHandle<&purple_timeout_remove>;
using InputHandle = SourceHandle<&purple_input_remove>;

}  // namespace msn::plugin
