// SPDX-License-Identifier: GPL-2.0-or-later
// The whole engine for one account, still sans-I/O: owns the notification session, the
// conversation manager (switchboards, offline messages) and the web requests both make, routes
// connection reports to whichever owns the connection, and exposes one combined
// take_outputs() / take_events() / next_deadline().
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "session/conversation_manager.h"
#include "session/event.h"
#include "session/file_transfer_manager.h"
#include "session/http_exchange.h"
#include "session/io.h"
#include "session/notification_session.h"
#include "session/ns_access.h"
#include "session/media_receiver.h"
#include "session/object_manager.h"
#include "session/picture_manager.h"
#include "session/presence.h"
#include "session/settings.h"

namespace msn {

class Client {
 public:
  explicit Client(Settings settings);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // For tests: a fixed source of random bytes (the MBI IV, the offline messages' run id).
  void set_random_source(RandomSource random) {
    pictures_.set_random_source(random);
    files_.set_random_source(random);
    objects_.set_random_source(random);
    conversations_.set_random_source(random);
    ns_.set_random_source(std::move(random));
  }

  void start(TimePoint now);
  void sign_out(TimePoint now);

  // ---- user intents --------------------------------------------------------------------
  // Each returns an error at once for a request that cannot even be made (an invalid
  // address, an unknown group, not signed in yet); otherwise the outcome arrives as events:
  // on success the changed state (ContactChanged, GroupChanged, ...), on failure a
  // ListOperationFailed / MessageFailed followed by the state the server holds.

  // Contact list (client_contacts.cpp). Group names are the ones the user sees; an empty
  // group name means "no group".
  // Adds to the forward list (address book + ADL), into `group` (created if missing).
  Status add_contact(std::string_view address, std::string_view group,
                     std::string_view invite_message, TimePoint now);
  // Takes the contact out of `group`; out of the last group (or with an empty group), off the
  // forward list and the address book altogether.
  Status remove_contact(std::string_view address, std::string_view group, TimePoint now);
  Status move_contact(std::string_view address, std::string_view from_group,
                      std::string_view to_group, TimePoint now);
  // The private alias (AB.NickName); empty clears it.
  Status set_contact_alias(std::string_view address, std::string_view alias, TimePoint now);
  Status add_group(std::string_view name, TimePoint now);
  Status rename_group(std::string_view old_name, std::string_view new_name, TimePoint now);
  // Contacts in the group stay on the list, in no group.
  Status remove_group(std::string_view name, TimePoint now);
  // Block list (purple deny) and allow list (purple permit).
  Status block(std::string_view address, TimePoint now);
  Status unblock(std::string_view address, TimePoint now);
  Status allow(std::string_view address, TimePoint now);
  Status disallow(std::string_view address, TimePoint now);
  // Who may see and message us when on neither list (BLP).
  enum class Privacy { kAllowUnlisted /* BLP AL */, kBlockUnlisted /* BLP BL */ };
  Status set_privacy(Privacy privacy, TimePoint now);
  // Answers an AuthorizationRequested: accept puts them on AL (and RL), deny on BL; both take
  // them off PL.
  Status authorize(std::string_view address, bool accept, TimePoint now);
  // Whether `address` has us on their contact list: they are on our reverse list (RL), from
  // FindMembership's Reverse role at sign-in and the server's ADL 0 / RML 0 since. False for an
  // address we know nothing of (not signed in yet, or nobody on any of our lists).
  bool has_us_on_their_list(std::string_view address) const;

  // Presence and profile (client_contacts.cpp). Before sign-in completes these only record
  // the wish, which the sign-in then uses (CHG with that status, UUX, the name).
  Status set_presence(PresenceStatus status, TimePoint now);
  // Idle: shown as IDL while idle, the chosen status again afterwards.
  Status set_idle(bool idle, TimePoint now);
  Status set_personal_message(std::string_view text, std::optional<CurrentMedia> media, TimePoint now);
  Status set_display_name(std::string_view name, TimePoint now);

  // Conversations (client_conversations.cpp). `html` is purple's HTML. send_message and
  // chat_send fail at once with Errc::kLimit when too many messages of that conversation are
  // still waiting for delivery (tell the user), kInvalidArgument when not signed in or for an
  // unusable address. sign_out() reports every message not yet delivered as MessageFailed
  // {kSignedOut}; a lost connection as MessageFailed{kConnectionLost}, before Disconnected.
  // Sends to one contact over the 1:1 conversation with them (a switchboard opened as needed,
  // messages queued meanwhile), or as an offline message when they are offline. Returns that
  // conversation's id.
  Result<ConversationId> send_message(std::string_view to, std::string_view html, TimePoint now);
  Status send_typing(std::string_view to, TimePoint now);
  Status send_nudge(std::string_view to, TimePoint now);
  // The user closed the window of a 1:1 conversation: leave its switchboard politely.
  void close_conversation(std::string_view peer, TimePoint now);
  // Opens a group chat with one contact (more are invited with chat_invite).
  Result<ConversationId> start_chat(std::string_view first_invitee, TimePoint now);
  Status chat_invite(ConversationId chat, std::string_view address, TimePoint now);
  Status chat_send(ConversationId chat, std::string_view html, TimePoint now);
  void chat_leave(ConversationId chat, TimePoint now);

  // Display pictures (client_pictures.cpp). A ContactPictureChanged asks the UI whether it
  // holds that picture; if not, fetch_display_picture() gets it (ContactPictureReceived).
  // Errc::kInvalidArgument when the contact announced none.
  Status fetch_display_picture(std::string_view address, TimePoint now);
  // Our picture (image bytes; empty removes it): announced on CHG at sign-in, at once when
  // online, and served to contacts who ask for it. Errc::kLimit above 256 KiB.
  Status set_display_picture(std::string data, TimePoint now);

  // Custom emoticons (client_emoticons.cpp). An EmoticonAnnounced asks the UI whether it
  // holds that object (by SHA1D); if not, fetch_object() gets it from the contact
  // (ObjectReceived or ObjectFetchFailed). Errc::kInvalidArgument for an object that is not
  // theirs or not one we fetch, kLimit when too many wait.
  Status fetch_object(std::string_view peer, std::string_view msnobj, TimePoint now);
  // Our emoticons used in the next message to `to` (call just before send_message): announced
  // ahead of it, at most 5, and served to the contact when asked. Images over 128 KiB are left
  // out.
  struct OwnEmoticon {
    std::string shortcut;
    std::string data;       // the image (PNG; GIF when animated)
    bool animated = false;  // announced as text/x-mms-animemoticon
  };
  Status send_emoticons(std::string_view to, const std::vector<OwnEmoticon>& emoticons,
                        TimePoint now);
  // The same ahead of the next text in a group chat.
  Status send_chat_emoticons(ConversationId chat, const std::vector<OwnEmoticon>& emoticons,
                             TimePoint now);

  // File transfers (client_files.cpp; events FileOffered ... FileEnded in session/event.h).
  // Offers a file to an online contact over the switchboard; its bytes are asked for with
  // FileDataWanted as the switchboard takes them. Errc::kLimit over the caps (4 per contact,
  // 16 in all), kInvalidArgument when not signed in or for an unusable address.
  Result<ev::FileTransferId> send_file(std::string_view peer, std::string_view name,
                                       std::uint64_t size, TimePoint now);
  Status provide_file_data(ev::FileTransferId id, std::string bytes, TimePoint now);
  Status accept_file(ev::FileTransferId id, TimePoint now);
  Status decline_file(ev::FileTransferId id, TimePoint now);
  Status cancel_file(ev::FileTransferId id, TimePoint now);

  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  // A listening socket (out::Listen) is open, or could not be; a socket's writes are done
  // (client_files.cpp).
  void on_listening(ConnectionId conn, p2p::dc::ListenAddresses addresses, TimePoint now);
  void on_listen_failed(ConnectionId conn, TimePoint now);
  void on_drained(ConnectionId conn, TimePoint now);
  void on_timer(TimePoint now);

  std::vector<Output> take_outputs();
  std::vector<Event> take_events();
  std::optional<TimePoint> next_deadline() const;

  // True once Disconnected was emitted; nothing else happens after that.
  bool finished() const { return ns_.finished(); }

 private:
  // The notification session as the conversation manager sees it.
  class NsLink final : public NsAccess {
   public:
    explicit NsLink(NotificationSession& ns) : ns_(ns) {}
    bool online() const override { return ns_.online(); }
    Result<wire::TrId> request_switchboard(TimePoint now) override { return ns_.request_switchboard(now); }
    std::optional<PresenceStatus> presence_of(std::string_view address) const override {
      return ns_.presence_of(address);
    }
    const auth::RstTokens& tokens() const override { return ns_.tokens(); }
    Status renew_tokens(TimePoint now) override { return ns_.renew_tokens(now); }
    const std::string& own_display_name() const override { return ns_.own_display_name(); }

   private:
    NotificationSession& ns_;
  };

  static ConversationConfig conversation_config(const Settings& settings);
  void settle(TimePoint now);
  void drain_session(TimePoint now);
  void drain_conversations();
  // Starts a web call, or keeps it back while a connection to its origin is busy (see
  // WebConnections); start_waiting_web_calls starts those whose turn has come.
  void queue_web_call(WebCall call, TimePoint now);
  bool start_waiting_web_calls(TimePoint now);
  bool origin_busy(const std::string& origin) const;
  void start_web_call(WebCall call, TimePoint now);
  HttpExchange* exchange_for(ConnectionId conn);
  void cancel_web_requests();
  bool route_p2p(TimePoint now);
  static PictureConfig picture_config(const Settings& settings);
  static ObjectConfig object_config(const Settings& settings);
  std::vector<wire::MimeMessage> emoticon_announcements(const std::vector<OwnEmoticon>& emoticons);
  void pump_files(TimePoint now);
  // Winks and voice clips (client_media.cpp).
  bool route_media(TimePoint now);
  void object_events();

  Settings settings_;
  ConnectionIds ids_;
  NotificationSession ns_;
  NsLink ns_link_{ns_};
  ConversationManager conversations_;
  PictureManager pictures_;
  FileTransferManager files_;
  ObjectManager objects_;
  MediaReceiver media_;
  // Keyed by WebCall id: the session's count from 1, the conversation manager's from
  // ConversationConfig::first_call_id; a finished call goes back to whoever owns its id.
  std::map<std::uint32_t, std::unique_ptr<HttpExchange>> web_;
  WebConnections web_connections_;
  struct WaitingCall {
    WebCall call;
    std::string origin;
    TimePoint since;
  };
  std::vector<WaitingCall> waiting_calls_;  // in the order they were asked for
  std::vector<Output> outputs_;
  std::vector<Event> events_;
};

}  // namespace msn
