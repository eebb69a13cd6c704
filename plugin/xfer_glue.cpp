// SPDX-License-Identifier: GPL-2.0-or-later
#include "xfer_glue.h"

#include <debug.h>
#include <request.h>

#include <sys/types.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "glib_handles.h"
#include "i18n.h"
#include "prpl_common.h"

namespace msn::plugin {
namespace {

// Why the engine ended a transfer, as the user reads it.
const char* end_text(ev::FileEndReason reason) {
  switch (reason) {
    case ev::FileEndReason::kDeclined:
      return _("The contact declined the file.");
    case ev::FileEndReason::kTimeout:
      return _("The file transfer timed out.");
    case ev::FileEndReason::kConnectionLost:
      return _("The connection to the contact was lost during the file transfer.");
    case ev::FileEndReason::kBadData:
      return _("The contact sent data that does not belong to the file.");
    case ev::FileEndReason::kPeerError:
      return _("The contact's client reported an error.");
    case ev::FileEndReason::kLimit:
      return _("Too many file transfers at once.");
    case ev::FileEndReason::kCancelledByPeer:
    case ev::FileEndReason::kCancelledByUs:
      break;
  }
  return nullptr;
}

}  // namespace

XferTable::~XferTable() {
  // The engine is gone by now (close_all ran while it lived); only libpurple's side remains.
  while (!entries_.empty()) forget(*entries_.begin()->second);
}

void XferTable::close_all() {
  std::vector<PurpleXfer*> xfers;
  for (auto& [xfer, entry] : entries_) xfers.push_back(xfer);
  for (PurpleXfer* xfer : xfers) {
    const auto it = entries_.find(xfer);
    if (it == entries_.end()) continue;
    Entry& entry = *it->second;
    tell_engine_cancel(entry);
    // The accept dialog may still be open: it must not answer for an xfer we let go of.
    purple_request_close_with_handle(xfer);
    // Our ref keeps the xfer alive through the cancel, which calls op_cancel (forget).
    purple_xfer_ref(xfer);
    if (purple_xfer_is_canceled(xfer) || purple_xfer_is_completed(xfer)) {
      forget(entry);
    } else {
      purple_xfer_cancel_local(xfer);
    }
    purple_xfer_unref(xfer);
  }
}

XferTable::Entry& XferTable::adopt(PurpleXfer* xfer, std::optional<ev::FileTransferId> id) {
  auto entry = std::make_unique<Entry>();
  entry->table = this;
  entry->xfer = xfer;
  entry->id = id;
  purple_xfer_ref(xfer);  // ours, dropped in forget()
  xfer->data = entry.get();
  purple_xfer_set_init_fnc(xfer, &XferTable::op_init);
  purple_xfer_set_cancel_send_fnc(xfer, &XferTable::op_cancel);
  purple_xfer_set_cancel_recv_fnc(xfer, &XferTable::op_cancel);
  purple_xfer_set_end_fnc(xfer, &XferTable::op_end);
  purple_xfer_set_request_denied_fnc(xfer, &XferTable::op_request_denied);
  return *entries_.emplace(xfer, std::move(entry)).first->second;
}

XferTable::Entry* XferTable::find(ev::FileTransferId id) {
  for (auto& [xfer, entry] : entries_) {
    if (entry->id == id && !entry->engine_done) return entry.get();
  }
  return nullptr;
}

void XferTable::forget(Entry& entry) {
  PurpleXfer* xfer = entry.xfer;
  if (entry.release_source != 0) g_source_remove(entry.release_source);
  for (; entry.spare_refs > 0; --entry.spare_refs) purple_xfer_unref(xfer);
  xfer->data = nullptr;
  entries_.erase(xfer);  // `entry` is gone from here on
  purple_xfer_unref(xfer);
}

void XferTable::tell_engine_cancel(Entry& entry) {
  if (entry.engine_done || !entry.id) return;
  entry.engine_done = true;
  const ev::FileTransferId id = *entry.id;
  (void)account_.act([id](Client& client, TimePoint now) { return client.cancel_file(id, now); });
}

// ---- sending --------------------------------------------------------------------------------

PurpleXfer* XferTable::new_outgoing(const char* who) {
  PurpleXfer* xfer = purple_xfer_new(account_.purple_account(), PURPLE_XFER_SEND, who);
  if (xfer == nullptr) return nullptr;
  adopt(xfer, std::nullopt);
  return xfer;
}

// The user chose the file: offer it. The file opens when the contact accepts (the first
// FileDataWanted).
void XferTable::offer(Entry& entry) {
  PurpleXfer* xfer = entry.xfer;
  const std::string who = text_or_empty(purple_xfer_get_remote_user(xfer));
  const std::string name = text_or_empty(purple_xfer_get_filename(xfer));
  const auto size = static_cast<std::uint64_t>(purple_xfer_get_size(xfer));
  auto id = account_.act(
      [&](Client& client, TimePoint now) { return client.send_file(who, name, size, now); });
  if (!id.is_ok()) {
    purple_xfer_error(PURPLE_XFER_SEND, account_.purple_account(), who.c_str(),
                      id.error().code == Errc::kLimit ? _("Too many file transfers at once.")
                                                      : _("The file could not be offered."));
    entry.engine_done = true;
    purple_xfer_cancel_local(xfer);
    return;
  }
  entry.id = *id;
}

bool XferTable::start(Entry& entry) {
  if (entry.started) return true;
  entry.started = true;
  PurpleXfer* xfer = entry.xfer;
  purple_xfer_ref(xfer);
  purple_xfer_start(xfer, -1, nullptr, 0);  // opens the local file; on failure cancels
  const bool ok = !purple_xfer_is_canceled(xfer);
  purple_xfer_unref(xfer);
  return ok;
}

// The engine goes back to where the receiver is after a broken direct connection. Only a file
// libpurple reads itself can go back; a UI that feeds the bytes (ui_read) cannot.
bool XferTable::seek(Entry& entry, std::uint64_t offset) {
  FILE* file = entry.xfer->dest_fp;
  if (file == nullptr || offset > static_cast<std::uint64_t>(G_MAXINT64) ||
      fseeko(file, static_cast<off_t>(offset), SEEK_SET) != 0) {
    purple_debug_warning("msnp", "cannot go back to byte %" G_GUINT64_FORMAT " of the file\n",
                         static_cast<guint64>(offset));
    return false;
  }
  entry.next_offset = offset;
  return true;
}

void XferTable::handle(const ev::FileDataWanted& wanted) {
  Entry* entry = find(wanted.id);
  if (entry == nullptr || !start(*entry)) return;
  if (wanted.offset != entry->next_offset && !seek(*entry, wanted.offset)) {
    purple_xfer_cancel_local(entry->xfer);
    return;
  }
  std::string bytes(wanted.max_len, '\0');
  const gssize got =
      purple_xfer_read_file(entry->xfer, reinterpret_cast<guchar*>(bytes.data()), bytes.size());
  if (got <= 0) {
    // purple_xfer_read_file cancelled a failed read itself (op_cancel told the engine).
    if (find(wanted.id) != nullptr) purple_xfer_cancel_local(entry->xfer);
    return;
  }
  bytes.resize(static_cast<std::size_t>(got));
  entry->next_offset = wanted.offset + bytes.size();
  const ev::FileTransferId id = wanted.id;
  const Status status = account_.act([&](Client& client, TimePoint now) {
    return client.provide_file_data(id, std::move(bytes), now);
  });
  if (!status.is_ok())
    purple_debug_warning("msnp", "file data not taken: %s\n", status.error().detail.c_str());
}

// ---- receiving ------------------------------------------------------------------------------

void XferTable::handle(const ev::FileOffered& offered) {
  PurpleXfer* xfer =
      purple_xfer_new(account_.purple_account(), PURPLE_XFER_RECEIVE, offered.peer.c_str());
  if (xfer == nullptr) return;
  adopt(xfer, offered.id);
  purple_xfer_set_filename(xfer, offered.name.c_str());
  purple_xfer_set_size(xfer, static_cast<size_t>(offered.size));
  if (offered.preview)
    purple_xfer_set_thumbnail(xfer, offered.preview->data(), offered.preview->size(), "image/png");
  purple_xfer_request(xfer);  // Pidgin's and Finch's accept dialog
}

void XferTable::handle(const ev::FileData& data) {
  Entry* entry = find(data.id);
  if (entry == nullptr || !start(*entry)) return;
  // On failure it cancels locally, which tells the engine (op_cancel).
  (void)purple_xfer_write_file(entry->xfer, reinterpret_cast<const guchar*>(data.bytes.data()),
                               data.bytes.size());
}

// ---- both -----------------------------------------------------------------------------------

void XferTable::handle(const ev::FileProgress& progress) {
  Entry* entry = find(progress.id);
  if (entry == nullptr) return;
  if (purple_xfer_get_type(entry->xfer) == PURPLE_XFER_SEND)
    purple_xfer_set_bytes_sent(entry->xfer, static_cast<size_t>(progress.bytes_done));
  purple_xfer_update_progress(entry->xfer);
}

void XferTable::handle(const ev::FileCompleted& completed) {
  Entry* entry = find(completed.id);
  if (entry == nullptr) return;
  entry->engine_done = true;
  PurpleXfer* xfer = entry->xfer;
  if (purple_xfer_get_type(xfer) == PURPLE_XFER_SEND)
    purple_xfer_set_bytes_sent(xfer, purple_xfer_get_size(xfer));
  purple_xfer_set_completed(xfer, TRUE);
  purple_xfer_end(xfer);  // calls op_end (forget)
}

void XferTable::handle(const ev::FileEnded& ended) {
  Entry* entry = find(ended.id);
  if (entry == nullptr) return;  // we ended it ourselves
  entry->engine_done = true;
  PurpleXfer* xfer = entry->xfer;
  if (const char* text = end_text(ended.reason)) {
    GCharPtr message(g_strdup(text));
    purple_xfer_conversation_write(xfer, message.get(), TRUE);
  }
  purple_xfer_cancel_remote(xfer);  // calls op_cancel (forget)
}

// ---- libpurple's ops ------------------------------------------------------------------------

XferTable::Entry* XferTable::entry_of(PurpleXfer* xfer) {
  return xfer != nullptr ? static_cast<Entry*>(xfer->data) : nullptr;
}

void XferTable::op_init(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "xfer init", [xfer] {
    Entry* entry = entry_of(xfer);
    if (entry == nullptr) return;
    if (purple_xfer_get_type(xfer) == PURPLE_XFER_SEND) return entry->table->offer(*entry);
    if (entry->engine_done || !entry->id) return;
    entry->accepted = true;
    const ev::FileTransferId id = *entry->id;
    XferTable* table = entry->table;
    const Status status = table->account_.act(
        [id](Client& client, TimePoint now) { return client.accept_file(id, now); });
    if (!status.is_ok()) {
      // The offer is gone (the contact cancelled meanwhile, or the switchboard closed).
      if (Entry* still = table->find(id)) {
        still->engine_done = true;
        purple_xfer_cancel_remote(xfer);
      }
      return;
    }
    if (Entry* still = table->find(id)) table->start(*still);
  });
}

void XferTable::op_cancel(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "xfer cancel", [xfer] {
    Entry* entry = entry_of(xfer);
    if (entry == nullptr) return;
    XferTable* table = entry->table;
    table->tell_engine_cancel(*entry);
    // tell_engine_cancel may have run events that already let the xfer go.
    if (Entry* still = entry_of(xfer)) table->forget(*still);
  });
}

void XferTable::op_end(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "xfer end", [xfer] {
    if (Entry* entry = entry_of(xfer)) entry->table->forget(*entry);
  });
}

void XferTable::op_request_denied(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "xfer denied", [xfer] {
    Entry* entry = entry_of(xfer);
    if (entry == nullptr) return;
    if (entry->accepted && !entry->denied) {
      // Finch's save dialog closing after its OK button: the user did accept. Keep receiving,
      // undo the cancelled status libpurple set, and take the two references it drops next.
      purple_debug_info("msnp", "file transfer denied after it was accepted; ignored\n");
      xfer->status = entry->started ? PURPLE_XFER_STATUS_STARTED : PURPLE_XFER_STATUS_ACCEPTED;
      purple_xfer_ref(xfer);
      purple_xfer_ref(xfer);
      return;
    }
    if (entry->denied) {
      // The same dialog denying again (Finch): its unrefs use the references kept for it.
      entry->spare_refs = std::max(0, entry->spare_refs - 2);
      return;
    }
    entry->table->deny(*entry);
  });
}

// The user declined: the engine answers the contact. The entry stays until the next idle so a
// repeated denial from the same dialog finds it and its unrefs have references to take.
void XferTable::deny(Entry& entry) {
  entry.denied = true;
  if (!entry.engine_done && entry.id) {
    entry.engine_done = true;
    const ev::FileTransferId id = *entry.id;
    (void)account_.act(
        [id](Client& client, TimePoint now) { return client.decline_file(id, now); });
  }
  PurpleXfer* xfer = entry.xfer;
  Entry* still = entry_of(xfer);  // the engine's events may have let it go meanwhile
  if (still == nullptr || still->release_source != 0) return;
  purple_xfer_ref(xfer);
  purple_xfer_ref(xfer);
  still->spare_refs = 2;
  still->release_source = g_idle_add(&XferTable::release_denied, still);
}

gboolean XferTable::release_denied(gpointer data) noexcept {
  auto* entry = static_cast<Entry*>(data);
  entry->release_source = 0;
  guard_callback(nullptr, "xfer denied", [entry] { entry->table->forget(*entry); });
  return G_SOURCE_REMOVE;
}

// ---- prpl -----------------------------------------------------------------------------------

gboolean prpl_can_receive_file(PurpleConnection* gc, const char* who) noexcept {
  return with_account_or<gboolean>(gc, "can_receive_file", FALSE, [who](Account& account) {
    if (who == nullptr) return FALSE;
    PurpleBuddy* buddy = purple_find_buddy(account.purple_account(), who);
    return buddy != nullptr && PURPLE_BUDDY_IS_ONLINE(buddy) ? TRUE : FALSE;
  });
}

PurpleXfer* prpl_new_xfer(PurpleConnection* gc, const char* who) noexcept {
  return with_account_or<PurpleXfer*>(gc, "new_xfer", nullptr, [who](Account& account) {
    return who != nullptr ? account.xfers().new_outgoing(who) : nullptr;
  });
}

void prpl_send_file(PurpleConnection* gc, const char* who, const char* file) noexcept {
  with_account(gc, "send_file", [who, file](Account& account) {
    if (who == nullptr) return;
    PurpleXfer* xfer = account.xfers().new_outgoing(who);
    if (xfer == nullptr) return;
    if (file != nullptr && *file != '\0') {
      purple_xfer_request_accepted(xfer, file);
    } else {
      purple_xfer_request(xfer);
    }
  });
}

}  // namespace msn::plugin
