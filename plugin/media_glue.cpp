// SPDX-License-Identifier: GPL-2.0-or-later
// The offered file is a PurpleXfer of our own whose bytes are already here: when the user
// accepts, libpurple opens the chosen file (purple_xfer_start without a socket) and, on the
// next main-loop turn, the bytes go in at once (purple_xfer_write_file) and the transfer ends.
// The bytes live in the xfer's data until it ends, is cancelled or declined; an offer nobody
// answers keeps them until exit.
#include "media_glue.h"

#include <conversation.h>
#include <core.h>
#include <debug.h>
#include <ft.h>
#include <imgstore.h>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <string>

#include "account.h"
#include "callback_guard.h"
#include "conversations_glue.h"
#include "error_text.h"
#include "i18n.h"

namespace msn::plugin {
namespace {

// Finch (libgnt) strips every tag from a message, <img> included.
bool ui_shows_images() {
  const char* ui = purple_core_get_ui();
  return ui == nullptr || std::strcmp(ui, "gnt-purple") != 0;
}

// ---- the offered file -------------------------------------------------------------------------

struct Offer {
  std::string bytes;
  bool accepted = false;
  bool denied = false;
  int spare_refs = 0;        // references taken for a repeated denial's unrefs
  guint release_source = 0;  // the idle callback that lets a denied offer go
};

Offer* offer_of(PurpleXfer* xfer) { return static_cast<Offer*>(xfer->data); }

void release(PurpleXfer* xfer) {
  delete offer_of(xfer);
  xfer->data = nullptr;
}

// Holds a reference taken in op_init, so the xfer is still there.
gboolean finish(gpointer data) noexcept {
  auto* xfer = static_cast<PurpleXfer*>(data);
  guard_callback(nullptr, "media file", [xfer] {
    Offer* offer = offer_of(xfer);
    if (offer == nullptr || purple_xfer_is_canceled(xfer) || purple_xfer_is_completed(xfer)) return;
    const std::string& bytes = offer->bytes;
    // On failure libpurple cancels the transfer itself (op_cancel releases the bytes).
    if (!purple_xfer_write_file(xfer, reinterpret_cast<const guchar*>(bytes.data()), bytes.size()))
      return;
    purple_xfer_set_completed(xfer, TRUE);
    purple_xfer_end(xfer);  // op_end releases the bytes
  });
  purple_xfer_unref(xfer);
  return G_SOURCE_REMOVE;
}

void op_init(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "media file init", [xfer] {
    Offer* offer = offer_of(xfer);
    if (offer == nullptr) return;
    offer->accepted = true;
    purple_xfer_ref(xfer);                    // for finish()
    purple_xfer_start(xfer, -1, nullptr, 0);  // opens the chosen file; on failure cancels
    if (purple_xfer_is_canceled(xfer)) {
      purple_xfer_unref(xfer);
      return;
    }
    // Not from inside the accept callback: libpurple still uses the xfer when init returns.
    g_idle_add(&finish, xfer);
  });
}

void op_done(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "media file end", [xfer] {
    // A denied offer waits for its idle callback, which also returns the spare references.
    if (Offer* offer = offer_of(xfer); offer != nullptr && offer->release_source != 0) return;
    release(xfer);
  });
}

// Holds the reference deny() took for it, besides the spare ones it returns.
gboolean release_denied(gpointer data) noexcept {
  auto* xfer = static_cast<PurpleXfer*>(data);
  guard_callback(nullptr, "media file denied", [xfer] {
    Offer* offer = offer_of(xfer);
    if (offer == nullptr) return;
    int spare = offer->spare_refs;
    release(xfer);
    for (; spare > 0; --spare) purple_xfer_unref(xfer);
  });
  purple_xfer_unref(xfer);
  return G_SOURCE_REMOVE;
}

// The user declined. Finch's save dialog may deny once more when it closes, and libpurple then
// drops two more references: the offer stays until the next idle with two spare ones for that.
void deny(PurpleXfer* xfer, Offer& offer) {
  offer.denied = true;
  offer.bytes = std::string();
  purple_xfer_ref(xfer);  // for release_denied
  purple_xfer_ref(xfer);
  purple_xfer_ref(xfer);
  offer.spare_refs = 2;
  offer.release_source = g_idle_add(&release_denied, xfer);
}

// As XferTable's: Finch's save dialog denies again when it closes after OK. The transfer
// goes on, and the two references libpurple drops next are taken here.
void op_request_denied(PurpleXfer* xfer) noexcept {
  guard_callback(nullptr, "media file denied", [xfer] {
    Offer* offer = offer_of(xfer);
    if (offer == nullptr) return;
    if (offer->denied) {  // the same dialog denying again: its unrefs take the spare references
      offer->spare_refs = std::max(0, offer->spare_refs - 2);
      return;
    }
    if (!offer->accepted) return deny(xfer, *offer);
    purple_debug_info("msnp", "media file denied after it was accepted; ignored\n");
    xfer->status = PURPLE_XFER_STATUS_STARTED;
    purple_xfer_ref(xfer);
    purple_xfer_ref(xfer);
  });
}

void offer_file(Account& account, const std::string& from, const std::string& name,
                const std::string& bytes, const std::string& thumbnail,
                const std::string& thumbnail_mime) {
  PurpleXfer* xfer = purple_xfer_new(account.purple_account(), PURPLE_XFER_RECEIVE, from.c_str());
  if (xfer == nullptr) return;
  xfer->data = new Offer{bytes};
  purple_xfer_set_init_fnc(xfer, &op_init);
  purple_xfer_set_end_fnc(xfer, &op_done);
  purple_xfer_set_cancel_recv_fnc(xfer, &op_done);
  purple_xfer_set_request_denied_fnc(xfer, &op_request_denied);
  purple_xfer_set_filename(xfer, name.c_str());
  purple_xfer_set_size(xfer, bytes.size());
  if (!thumbnail.empty())
    purple_xfer_set_thumbnail(xfer, thumbnail.data(), thumbnail.size(), thumbnail_mime.c_str());
  purple_xfer_request(xfer);  // Pidgin's and Finch's accept dialog
}

// ---- the line in the conversation -------------------------------------------------------------

PurpleConversation* conversation_for(Account& account, ConversationId id, bool chat,
                                     const std::string& from) {
  if (chat) return open_chat(account, id);
  PurpleAccount* purple = account.purple_account();
  PurpleConversation* conv =
      purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, from.c_str(), purple);
  return conv != nullptr ? conv
                         : purple_conversation_new(PURPLE_CONV_TYPE_IM, purple, from.c_str());
}

void write_line(Account& account, ConversationId id, bool chat, const std::string& from,
                const std::string& html) {
  if (PurpleConversation* conv = conversation_for(account, id, chat, from))
    purple_conversation_write(conv, nullptr, html.c_str(), PURPLE_MESSAGE_SYSTEM,
                              std::time(nullptr));
}

// The image store takes ownership of a g_malloc'ed copy; the id holds one reference.
int store_image(const std::string& bytes, const std::string& mime) {
  gpointer copy = g_malloc(bytes.size());
  std::memcpy(copy, bytes.data(), bytes.size());
  const char* name = mime == "image/gif"    ? "wink.gif"
                     : mime == "image/jpeg" ? "wink.jpg"
                                            : "wink.png";
  return purple_imgstore_add_with_id(copy, bytes.size(), name);
}

std::string wink_text(const std::string& who, const std::string& wink_name) {
  if (wink_name.empty()) return printf_string(_("%s sent you a wink"), who.c_str());
  return printf_string(_("%s sent you a wink: %s"), who.c_str(), wink_name.c_str());
}

}  // namespace

void apply_wink_received(Account& account, const ev::WinkReceived& event) {
  const std::string who = escape_markup(display_name_of(account, event.from));
  std::string html = wink_text(who, escape_markup(event.name));
  int image = 0;
  // In a 1:1 conversation libpurple's own "is offering to send file" line, written right
  // after this one, shows the thumbnail; it writes nothing into a group chat.
  if (event.chat && ui_shows_images() && !event.thumbnail.empty()) {
    image = store_image(event.thumbnail, event.thumbnail_mime);
    if (image != 0) html += printf_string("<br><img id=\"%d\">", image);
  }
  write_line(account, event.conversation, event.chat, event.from, html);
  // The conversation took its own reference when it showed the image (or never will).
  if (image != 0) purple_imgstore_unref_by_id(image);
  offer_file(account, event.from, event.file_name, event.cab, event.thumbnail,
             event.thumbnail_mime);
}

void apply_voice_clip_received(Account& account, const ev::VoiceClipReceived& event) {
  const std::string who = escape_markup(display_name_of(account, event.from));
  const auto seconds = static_cast<unsigned>(event.seconds);
  write_line(account, event.conversation, event.chat, event.from,
             printf_string(_("%s sent you a voice clip (%u s)"), who.c_str(), seconds));
  offer_file(account, event.from, event.file_name, event.wav, {}, {});
}

void apply_media_unavailable(Account& account, const ev::MediaUnavailable& event) {
  const std::string who = escape_markup(display_name_of(account, event.from));
  const char* format = event.kind == ev::MediaKind::kWink
                           ? _("%s sent you a wink that could not be shown")
                           : _("%s sent you a voice clip that could not be played");
  write_line(account, event.conversation, event.chat, event.from,
             printf_string(format, who.c_str()));
}

}  // namespace msn::plugin
