// SPDX-License-Identifier: GPL-2.0-or-later
#include "ui_xfers.h"

#include <glib.h>

#include <algorithm>
#include <cstdio>
#include <set>

namespace harness {
namespace {

struct PendingFile {
  PurpleXfer* xfer = nullptr;
  GCallback ok = nullptr;
  GCallback cancel = nullptr;
  guint idle = 0;
};
std::set<PendingFile*> g_pending_files;

void new_xfer(PurpleXfer* xfer) {
  purple_xfer_ref(xfer);
  xfer_ui().xfers.push_back(xfer);
}

PurpleXferUiOps make_ops() {
  PurpleXferUiOps ops{};
  ops.new_xfer = new_xfer;
  return ops;
}
PurpleXferUiOps g_ops = make_ops();

using FileCallback = void (*)(void*, const char*);

gboolean save_file(gpointer data) {
  auto* pending = static_cast<PendingFile*>(data);
  pending->idle = 0;
  PurpleXfer* xfer = pending->xfer;
  const std::string path =
      xfer_ui().download_dir + "/" +
      (purple_xfer_get_filename(xfer) != nullptr ? purple_xfer_get_filename(xfer) : "file");
  const bool cancel = xfer_ui().answer == XferAnswer::kCancelSave;
  auto ok = reinterpret_cast<FileCallback>(pending->ok);
  auto cancelled = reinterpret_cast<FileCallback>(pending->cancel);
  if (xfer_ui().finch_file_dialog) {
    std::fprintf(stderr, "harness: Finch's save dialog: %s, then closed (cancel again)\n",
                 cancel ? "cancel" : path.c_str());
    if (cancel) {
      cancelled(xfer, nullptr);
    } else {
      ok(xfer, path.c_str());
    }
    purple_request_close(PURPLE_REQUEST_FILE, pending);
    cancelled(xfer, nullptr);
    return FALSE;
  }
  std::fprintf(stderr, "harness: save dialog: %s\n", cancel ? "cancel" : path.c_str());
  // Like Pidgin's dialog: it closes, then its button's callback runs.
  purple_request_close(PURPLE_REQUEST_FILE, pending);
  if (cancel) {
    cancelled(xfer, nullptr);
  } else {
    ok(xfer, path.c_str());
  }
  return FALSE;
}

}  // namespace

XferUi& xfer_ui() {
  static XferUi ui;
  return ui;
}

void install_xfer_ui_ops() { purple_xfers_set_ui_ops(&g_ops); }

std::optional<int> xfer_request_choice(void* user_data, std::size_t action_count) {
  auto& list = xfer_ui().xfers;
  auto* xfer = static_cast<PurpleXfer*>(user_data);
  if (std::find(list.begin(), list.end(), xfer) == list.end() ||
      purple_xfer_get_type(xfer) != PURPLE_XFER_RECEIVE || action_count < 2)
    return std::nullopt;
  switch (xfer_ui().answer) {
    case XferAnswer::kAccept:
    case XferAnswer::kCancelSave:
      return 0;
    case XferAnswer::kDecline:
      return 1;
    case XferAnswer::kHold:
      break;
  }
  return -1;
}

void* request_xfer_file(const char*, const char*, gboolean savedialog, GCallback ok_cb,
                        GCallback cancel_cb, PurpleAccount*, const char*, PurpleConversation*,
                        void* user_data) {
  auto& list = xfer_ui().xfers;
  auto* xfer = static_cast<PurpleXfer*>(user_data);
  if (!savedialog || std::find(list.begin(), list.end(), xfer) == list.end()) return nullptr;
  auto* pending = new PendingFile{xfer, ok_cb, cancel_cb, 0};
  g_pending_files.insert(pending);
  pending->idle = g_timeout_add(20, &save_file, pending);
  return pending;
}

bool close_xfer_file_request(void* handle) {
  auto* pending = static_cast<PendingFile*>(handle);
  if (g_pending_files.erase(pending) == 0) return false;
  if (pending->idle != 0) g_source_remove(pending->idle);
  delete pending;
  return true;
}

std::vector<PurpleXfer*> xfers_of(PurpleAccount* account, PurpleXferType type) {
  std::vector<PurpleXfer*> out;
  for (PurpleXfer* xfer : xfer_ui().xfers) {
    if (purple_xfer_get_account(xfer) == account && purple_xfer_get_type(xfer) == type)
      out.push_back(xfer);
  }
  return out;
}

}  // namespace harness
