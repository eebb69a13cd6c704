// SPDX-License-Identifier: GPL-2.0-or-later
// File transfers between the engine and libpurple's PurpleXfer: "Send File..." offers a file
// (read a few chunks at a time with purple_xfer_read_file as the engine asks), an offer from a
// contact becomes libpurple's accept dialog (purple_xfer_request), received bytes go to the
// chosen file with purple_xfer_write_file, and cancelling from either side reaches the other.
//
// Ownership: a PurpleXfer is refcounted by libpurple (purple_xfer_end and the cancel
// functions each drop one reference). The XferTable holds one more reference to every xfer it
// knows, together with its engine id, and drops it exactly once: when the engine reports the
// end (FileCompleted / FileEnded), when libpurple calls our cancel, end or request_denied op,
// or when the account closes. After that the xfer's data is null and our ops ignore it.
//
// A denial is followed by two unrefs inside libpurple (purple_xfer_request_denied and the
// dialog callback that called it). Finch 2.14's save dialog calls its cancel callback again
// when it closes, after the OK or Cancel callback already ran: a second denial of an accepted
// transfer, or a second denial of a denied one. Both would drop references nobody took; the
// table absorbs them (see op_request_denied) so the file still arrives and nothing is freed
// twice.
#pragma once

#include <connection.h>
#include <ft.h>

#include <map>
#include <memory>
#include <optional>

#include "session/event.h"

namespace msn::plugin {

class Account;

class XferTable {
 public:
  explicit XferTable(Account& account) : account_(account) {}
  ~XferTable();
  XferTable(const XferTable&) = delete;
  XferTable& operator=(const XferTable&) = delete;

  // The account signs out: every transfer is cancelled (the engine is told while it can
  // still send the BYEs) and forgotten.
  void close_all();

  // prpl new_xfer: an outgoing transfer, not offered until libpurple's init op.
  PurpleXfer* new_outgoing(const char* who);

  void handle(const ev::FileOffered& offered);
  void handle(const ev::FileDataWanted& wanted);
  void handle(const ev::FileData& data);
  void handle(const ev::FileProgress& progress);
  void handle(const ev::FileCompleted& completed);
  void handle(const ev::FileEnded& ended);

 private:
  struct Entry {
    XferTable* table = nullptr;
    PurpleXfer* xfer = nullptr;
    std::optional<ev::FileTransferId> id;
    bool started = false;           // purple_xfer_start ran (the local file is open)
    std::uint64_t next_offset = 0;  // sending: where the last read of the file ended
    bool engine_done = false;       // the engine forgot the id: nothing more goes to it
    bool accepted = false;          // receiving: the user chose where to save it (init ran)
    bool denied = false;            // request_denied ran
    int spare_refs = 0;             // taken for a repeated denial's unrefs until the next idle
    guint release_source = 0;       // drops spare_refs and forgets the entry
  };

  Entry& adopt(PurpleXfer* xfer, std::optional<ev::FileTransferId> id);
  Entry* find(ev::FileTransferId id);
  bool seek(Entry& entry, std::uint64_t offset);
  void forget(Entry& entry);
  void tell_engine_cancel(Entry& entry);
  bool start(Entry& entry);
  void offer(Entry& entry);

  static Entry* entry_of(PurpleXfer* xfer);
  static void op_init(PurpleXfer* xfer) noexcept;
  static void op_cancel(PurpleXfer* xfer) noexcept;
  static void op_end(PurpleXfer* xfer) noexcept;
  static void op_request_denied(PurpleXfer* xfer) noexcept;
  static gboolean release_denied(gpointer entry) noexcept;
  void deny(Entry& entry);

  Account& account_;
  std::map<PurpleXfer*, std::unique_ptr<Entry>> entries_;
};

// prpl callbacks.
gboolean prpl_can_receive_file(PurpleConnection* gc, const char* who) noexcept;
void prpl_send_file(PurpleConnection* gc, const char* who, const char* file) noexcept;
PurpleXfer* prpl_new_xfer(PurpleConnection* gc, const char* who) noexcept;

}  // namespace msn::plugin
