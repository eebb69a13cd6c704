// SPDX-License-Identifier: GPL-2.0-or-later
// File transfers as a libpurple UI sees them, for the file scenarios: every PurpleXfer made,
// and the accept dialog answered as the scenario says (accept, then a save path in the
// download directory, as Pidgin's dialogs do through purple_xfer_choose_file and
// purple_xfer_request_accepted; or cancel; or left open).
#pragma once

#include <ft.h>
#include <request.h>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace harness {

// kCancelSave accepts the offer, then cancels the save dialog.
enum class XferAnswer { kAccept, kDecline, kHold, kCancelSave };

struct XferUi {
  XferAnswer answer = XferAnswer::kAccept;
  std::string download_dir;  // where accepted files are saved
  // The save dialog behaves as Finch 2.14's (finch/gntrequest.c): its OK or Cancel button runs
  // the callback and closes the dialog, and closing runs the cancel callback once more.
  bool finch_file_dialog = false;
  // Every xfer made, in order, with a reference that is never dropped: like Pidgin's transfer
  // window the harness keeps them to look at, and libpurple's own teardown at exit would
  // otherwise run after the core is gone.
  std::vector<PurpleXfer*> xfers;
};

XferUi& xfer_ui();
void install_xfer_ui_ops();

// The accept dialog of a file offer (purple_xfer_ask_recv's request_accept_cancel, whose
// user data is the xfer): the index of the action to answer with (0 accept, 1 cancel), -1 to
// leave it open, nullopt when `user_data` is no receiving xfer of ours.
std::optional<int> xfer_request_choice(void* user_data, std::size_t action_count);
// The save dialog (purple_xfer_choose_file): a path in the download directory.
void* request_xfer_file(const char* title, const char* filename, gboolean savedialog,
                        GCallback ok_cb, GCallback cancel_cb, PurpleAccount* account,
                        const char* who, PurpleConversation* conv, void* user_data);
bool close_xfer_file_request(void* handle);

// The xfers of `account` of one direction, in the order made.
std::vector<PurpleXfer*> xfers_of(PurpleAccount* account, PurpleXferType type);

}  // namespace harness
