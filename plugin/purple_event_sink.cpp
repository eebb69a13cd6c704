// SPDX-License-Identifier: GPL-2.0-or-later
#include "purple_event_sink.h"

#include <debug.h>
#include <notify.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <variant>

#include "account.h"
#include "buddy_list_sync.h"
#include "callback_guard.h"
#include "contact_cache_file.h"
#include "conversations_glue.h"
#include "core/ascii.h"
#include "error_text.h"
#include "glib_handles.h"
#include "i18n.h"
#include "ink_glue.h"
#include "media_glue.h"
#include "picture_glue.h"
#include "presence_glue.h"

namespace msn::plugin {
namespace {

// Main-loop time one slice of the contact list sync may take: well under the 100 ms after
// which a UI feels stuck, leaving room for the other sources of the same iteration.
constexpr gint64 kSyncSliceBudgetUs = 20'000;
// Events kept back behind a running sync, besides the coalesced presence (see hold()).
constexpr std::size_t kMaxHeldEvents = 20'000;

// Engine log lines quote what a server sent; a hostile server could send bytes that are not
// UTF-8, which libpurple's debug UIs expect.
std::string printable(const std::string& text) {
  if (g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr))
    return text;
  GCharPtr valid(g_utf8_make_valid(text.data(), static_cast<gssize>(text.size())));
  return valid.get();
}

}  // namespace

PurpleEventSink::PurpleEventSink(PurpleConnection* gc, Account& account)
    : gc_(gc), account_(account) {}

PurpleEventSink::~PurpleEventSink() = default;

void PurpleEventSink::on_event(Event event) {
  if (list_sync_ != nullptr && std::holds_alternative<ev::Disconnected>(event)) {
    // The session is over: the rest of the list no longer matters, what waited does.
    drop_list_sync();
    release_held(/*skip_lists=*/true);
  }
  if (list_sync_ != nullptr || releasing_) {
    hold(std::move(event));
    return;
  }
  dispatch(event);
}

void PurpleEventSink::hold(Event event) {
  if (coalesce(event)) return;
  if (const auto* removed = std::get_if<ev::ContactRemoved>(&event)) {
    // Its presence must not be applied after it left the list.
    const std::string key = ascii::to_lower(removed->address);
    coalesced_.erase("p" + key);
    coalesced_.erase("s" + key);
  }
  held_.push_back(std::move(event));
  if (list_sync_ != nullptr && held_.size() >= kMaxHeldEvents) {
    // Only a server flooding us gets here; nothing it sent is dropped, the main loop pays once.
    purple_debug_warning("msnp",
                         "%zu events waiting behind the contact list sync; applying the rest of "
                         "the list at once\n",
                         held_.size());
    complete_list_sync_now();
  }
}

bool PurpleEventSink::coalesce(Event& event) {
  // Appended rather than `"p" + ascii::to_lower(...)`, which GCC 12 at -O2 warns about
  // (-Wrestrict, a false positive) in a release build.
  std::string key;
  const auto keyed = [&key](char kind, std::string_view address) {
    key = kind;
    key += ascii::to_lower(address);
  };
  if (const auto* presence = std::get_if<ev::PresenceChanged>(&event))
    keyed('p', presence->address);
  else if (const auto* message = std::get_if<ev::StatusMessageChanged>(&event))
    keyed('s', message->address);
  else
    return false;
  coalesced_.insert_or_assign(std::move(key), std::move(event));
  return true;
}

void PurpleEventSink::complete_list_sync_now() {
  sync_timer_.reset();
  while (!list_sync_->step(static_cast<std::size_t>(-1), G_MAXINT64 / 2)) {
  }
  list_sync_.reset();
  if (!releasing_) release_held(/*skip_lists=*/false);
}

void PurpleEventSink::mute_disconnect() {
  closing_ = true;
  drop_list_sync();
  if (!releasing_) release_held(/*skip_lists=*/true);
}

void PurpleEventSink::drop_list_sync() {
  sync_timer_.reset();
  list_sync_.reset();
}

void PurpleEventSink::release_held(bool skip_lists) {
  releasing_ = true;
  while (list_sync_ == nullptr && !held_.empty()) {
    Event event = std::move(held_.front());
    held_.pop_front();
    if ((skip_lists || closing_) && std::holds_alternative<ev::ContactListLoaded>(event)) {
      purple_debug_info("msnp", "a contact list that came as the session ended is not applied\n");
      continue;
    }
    dispatch(event);
  }
  // The newest presence of each contact, now that the list they refer to is in place.
  while (list_sync_ == nullptr && !coalesced_.empty()) {
    auto node = coalesced_.extract(coalesced_.begin());
    dispatch(node.mapped());
  }
  releasing_ = false;
}

gboolean PurpleEventSink::on_sync_slice(gpointer data) noexcept {
  auto* self = static_cast<PurpleEventSink*>(data);
  self->sync_timer_.release();  // this source ends here; each slice adds the next one
  guard_callback(self->gc_, "contact list sync", [self] { self->run_sync_slice(); });
  return FALSE;
}

void PurpleEventSink::run_sync_slice() {
  if (list_sync_ == nullptr) return;
  if (!list_sync_->step(sync_slice_, kSyncSliceBudgetUs)) {
    sync_timer_.reset(purple_timeout_add(0, &PurpleEventSink::on_sync_slice, this));
    return;
  }
  list_sync_.reset();
  release_held(/*skip_lists=*/false);
}

void PurpleEventSink::dispatch(Event& event) {
  // While libpurple closes the connection (sign_out from prpl_close) nothing may open windows
  // or dialogs any more; only logging, saving the contact-list snapshot and telling an open
  // conversation which of its messages never left go on.
  if (closing_) {
    if (const auto* failed = std::get_if<ev::MessageFailed>(&event)) {
      apply_message_failed(account_, *failed, /*closing=*/true);
      return;
    }
    if (!std::holds_alternative<ev::Log>(event) &&
        !std::holds_alternative<ev::Disconnected>(event) &&
        !std::holds_alternative<ev::ContactCacheUpdated>(event))
      return;
  }
  std::visit([this](auto& e) { handle(e); }, event);
}

void PurpleEventSink::handle(const ev::SignInProgress& progress) {
  purple_connection_update_progress(gc_, sign_in_step_text(progress.step),
                                    static_cast<std::size_t>(progress.step),
                                    static_cast<std::size_t>(kSignInSteps));
}

void PurpleEventSink::handle(const ev::SignedIn&) {
  purple_debug_info("msnp", "signed in\n");
  purple_connection_set_state(gc_, PURPLE_CONNECTED);
}

void PurpleEventSink::handle(const ev::Disconnected& disconnected) {
  const Error& error = disconnected.error;
  purple_debug_info("msnp", "disconnected: %s (server code %d)\n", printable(error.detail).c_str(),
                    error.server_code);
  if (closing_)
    return;
  ConnectionErrorText text = describe_error(error);
  purple_connection_error_reason(gc_, text.reason, text.message.c_str());
}

void PurpleEventSink::handle(const ev::Log& log) {
  // The engine's log lines never contain secrets; only their encoding is made safe.
  const std::string text = printable(log.text);
  switch (log.level) {
    case LogLevel::kDebug:
      purple_debug_misc("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kInfo:
      purple_debug_info("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kWarning:
      purple_debug_warning("msnp", "%s\n", text.c_str());
      break;
    case LogLevel::kError:
      purple_debug_error("msnp", "%s\n", text.c_str());
      break;
  }
}

void PurpleEventSink::handle(ev::ContactListLoaded& loaded) {
  const int slice = purple_account_get_int(purple_connection_get_account(gc_),
                                           kOptionContactSyncSlice, kDefaultContactSyncSlice);
  sync_slice_ = static_cast<std::size_t>(std::max(slice, 1));
  auto sync = std::make_unique<ContactListSync>(account_, std::move(loaded));
  if (sync->step(sync_slice_, kSyncSliceBudgetUs)) return;
  list_sync_ = std::move(sync);
  sync_timer_.reset(purple_timeout_add(0, &PurpleEventSink::on_sync_slice, this));
}

void PurpleEventSink::handle(const ev::ContactChanged& changed) {
  apply_contact_changed(account_, changed);
}

void PurpleEventSink::handle(const ev::ContactRemoved& removed) {
  apply_contact_removed(account_, removed);
}

void PurpleEventSink::handle(const ev::GroupChanged& changed) {
  apply_group_changed(account_, changed);
}

void PurpleEventSink::handle(const ev::GroupRemoved& removed) {
  apply_group_removed(account_, removed);
}

void PurpleEventSink::handle(const ev::AuthorizationRequested& request) {
  account_.auth_requests().request(request);
}

void PurpleEventSink::handle(const ev::ListOperationFailed& failed) {
  if (failed.operation == ev::ListOperation::kAddContact)
    account_.pending_aliases().erase(ascii::to_lower(failed.subject));
  notify_list_failure(gc_, failed.operation, failed.subject, failed.error);
}

void PurpleEventSink::handle(const ev::ContactCacheUpdated& cache) {
  // Handed back in Settings at the next sign-in (contact_cache_file.h).
  store_contact_cache(purple_connection_get_account(gc_), cache.blob);
}

void PurpleEventSink::handle(const ev::PresenceChanged& changed) {
  apply_presence(account_, changed);
}

void PurpleEventSink::handle(const ev::StatusMessageChanged& changed) {
  apply_status_message(account_, changed);
}

void PurpleEventSink::handle(const ev::ContactPictureChanged& changed) {
  apply_picture_changed(account_, changed);
}

void PurpleEventSink::handle(const ev::ContactPictureReceived& received) {
  apply_picture_received(account_, received);
}

void PurpleEventSink::handle(const ev::OwnDisplayNameChanged& changed) {
  apply_own_display_name(account_, changed);
}

void PurpleEventSink::handle(const ev::EmoticonAnnounced& event) {
  apply_emoticon_announced(account_, event);
}

void PurpleEventSink::handle(const ev::ObjectReceived& event) {
  apply_object_received(account_, event);
}

void PurpleEventSink::handle(const ev::ObjectFetchFailed& event) {
  apply_object_failed(account_, event);
}

void PurpleEventSink::handle(const ev::MessageReceived& message) {
  apply_message_received(account_, message);
}

void PurpleEventSink::handle(const ev::ConversationTyping& typing) {
  apply_typing(account_, typing);
}

void PurpleEventSink::handle(const ev::ConversationNudge& nudge) { apply_nudge(account_, nudge); }

void PurpleEventSink::handle(const ev::InkReceived& ink) { apply_ink_received(account_, ink); }

void PurpleEventSink::handle(const ev::WinkReceived& wink) { apply_wink_received(account_, wink); }

void PurpleEventSink::handle(const ev::VoiceClipReceived& clip) {
  apply_voice_clip_received(account_, clip);
}

void PurpleEventSink::handle(const ev::MediaUnavailable& unavailable) {
  apply_media_unavailable(account_, unavailable);
}

void PurpleEventSink::handle(const ev::MessageFailed& failed) {
  apply_message_failed(account_, failed);
}

void PurpleEventSink::handle(const ev::MessageStoredOffline& stored) {
  apply_message_stored_offline(account_, stored);
}

void PurpleEventSink::handle(const ev::ChatStarted& started) {
  apply_chat_started(account_, started);
}

void PurpleEventSink::handle(const ev::ChatParticipantJoined& joined) {
  apply_chat_joined(account_, joined);
}

void PurpleEventSink::handle(const ev::ChatParticipantLeft& left) {
  apply_chat_left(account_, left);
}

void PurpleEventSink::handle(const ev::ChatInviteFailed& failed) {
  apply_chat_invite_failed(account_, failed);
}

void PurpleEventSink::handle(const ev::OfflineMessagesUnavailable&) {
  purple_notify_warning(gc_, _("MSN"), _("Offline messages are waiting for you"),
                        _("The server holds offline messages for you, but their list could not "
                          "be fetched. They stay on the server; signing in again later tries "
                          "once more."));
}

}  // namespace msn::plugin

namespace msn::plugin {

void PurpleEventSink::handle(const ev::FileOffered& event) { account_.xfers().handle(event); }
void PurpleEventSink::handle(const ev::FileDataWanted& event) { account_.xfers().handle(event); }
void PurpleEventSink::handle(const ev::FileData& event) { account_.xfers().handle(event); }
void PurpleEventSink::handle(const ev::FileProgress& event) { account_.xfers().handle(event); }
void PurpleEventSink::handle(const ev::FileCompleted& event) { account_.xfers().handle(event); }
void PurpleEventSink::handle(const ev::FileEnded& event) { account_.xfers().handle(event); }

}  // namespace msn::plugin
