// SPDX-License-Identifier: GPL-2.0-or-later
// msn::EventSink that turns engine events into libpurple calls: progress, the connected
// state, connection errors (via error_text) and debug lines under the "msnp" category here;
// the contact list (buddy_list_sync), presence (presence_glue), authorization prompts
// (auth_requests) and conversations (conversations_glue) in their own files.
#pragma once

#include <connection.h>

#include <cstddef>
#include <deque>
#include <memory>
#include <string>
#include <unordered_map>

#include "glib_handles.h"
#include "runtime/ports.h"
#include "session/event.h"

namespace msn::plugin {

class Account;
class ContactListSync;

class PurpleEventSink final : public EventSink {
 public:
  PurpleEventSink(PurpleConnection* gc, Account& account);
  ~PurpleEventSink() override;
  PurpleEventSink(const PurpleEventSink&) = delete;
  PurpleEventSink& operator=(const PurpleEventSink&) = delete;

  // Re-entrancy: never destroys the Account; purple_connection_error_reason only schedules
  // the disconnect, which libpurple carries out from the main loop later.
  void on_event(Event event) override;

  // From now on a Disconnected event is not reported and nothing is shown to the user:
  // libpurple itself is closing the connection, and an error on it now would be wrong (and is
  // not allowed).
  // A contact-list sync still running is dropped; events held behind it are handled (as
  // closing allows) at once.
  void mute_disconnect();

 private:
  void dispatch(Event& event);
  // Keeps an event back while a list sync runs. Presence and personal-message events are
  // coalesced per contact (only the newest matters); every other event is kept in order. Past
  // kMaxHeldEvents of those, the sync is completed at once rather than let the queue grow.
  void hold(Event event);
  bool coalesce(Event& event);
  void complete_list_sync_now();
  // The contact list is applied over several main-loop iterations (see ContactListSync);
  // every event after it waits, so that presence, privacy and "connected" find it complete.
  static gboolean on_sync_slice(gpointer data) noexcept;
  void run_sync_slice();
  void drop_list_sync();
  // Handles held events in order, until none is left or one starts another list sync.
  void release_held(bool skip_lists);

  void handle(const ev::SignInProgress& progress);
  void handle(const ev::SignedIn& signed_in);
  void handle(const ev::Disconnected& disconnected);
  void handle(const ev::Log& log);
  void handle(ev::ContactListLoaded& loaded);
  void handle(const ev::ContactChanged& changed);
  void handle(const ev::ContactRemoved& removed);
  void handle(const ev::GroupChanged& changed);
  void handle(const ev::GroupRemoved& removed);
  void handle(const ev::AuthorizationRequested& request);
  void handle(const ev::ListOperationFailed& failed);
  void handle(const ev::ContactCacheUpdated& cache);
  void handle(const ev::PresenceChanged& changed);
  void handle(const ev::StatusMessageChanged& changed);
  void handle(const ev::ContactPictureChanged& changed);
  void handle(const ev::ContactPictureReceived& received);
  void handle(const ev::OwnDisplayNameChanged& changed);
  void handle(const ev::MessageReceived& message);
  void handle(const ev::ConversationTyping& typing);
  void handle(const ev::ConversationNudge& nudge);
  void handle(const ev::InkReceived& ink);
  void handle(const ev::WinkReceived& wink);
  void handle(const ev::VoiceClipReceived& clip);
  void handle(const ev::MediaUnavailable& unavailable);
  void handle(const ev::MessageFailed& failed);
  void handle(const ev::MessageStoredOffline& stored);
  void handle(const ev::ChatStarted& started);
  void handle(const ev::ChatParticipantJoined& joined);
  void handle(const ev::ChatParticipantLeft& left);
  void handle(const ev::ChatInviteFailed& failed);
  void handle(const ev::OfflineMessagesUnavailable& unavailable);
  // File transfers: the account's XferTable.
  void handle(const ev::FileOffered& event);
  void handle(const ev::FileDataWanted& event);
  void handle(const ev::FileData& event);
  void handle(const ev::FileProgress& event);
  void handle(const ev::FileCompleted& event);
  void handle(const ev::FileEnded& event);
  void handle(const ev::EmoticonAnnounced& event);
  void handle(const ev::ObjectReceived& event);
  void handle(const ev::ObjectFetchFailed& event);

  PurpleConnection* gc_;
  Account& account_;
  bool closing_ = false;
  std::size_t sync_slice_ = 1;
  std::unique_ptr<ContactListSync> list_sync_;
  TimeoutHandle sync_timer_;
  std::deque<Event> held_;
  // The newest presence / personal message of each contact while a sync runs, by kind and
  // lower-cased address: bounded by the contact list, since the engine reports only contacts.
  std::unordered_map<std::string, Event> coalesced_;
  bool releasing_ = false;
};

}  // namespace msn::plugin
