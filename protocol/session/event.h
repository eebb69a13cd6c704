// SPDX-License-Identifier: GPL-2.0-or-later
// What the engine tells the user interface. Events carry data, never user-facing text: the
// plugin turns them into purple calls and translated messages.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "model/contact.h"
#include "session/media_events.h"
#include "session/presence.h"

namespace msn {

enum class SignInStep {
  kConnecting,      // opening the notification server connection
  kNegotiating,     // VER / CVR
  kRedirected,      // XFR NS followed to another server
  kWebLogin,        // RST.srf exchange with the login service
  kAuthenticating,  // USR SSO S with ticket and MBI answer
  kSyncing,         // profile received, announcing lists and presence
};
inline constexpr int kSignInSteps = 6;

// Identifies a conversation across the switchboards that carry it over time. 1:1
// conversations are also known by the peer's address; group chats only by this id.
using ConversationId = std::uint64_t;

enum class LogLevel { kDebug, kInfo, kWarning, kError };

namespace ev {

struct SignInProgress {
  SignInStep step;
};

// Sign-in completed: the account is online and Available.
struct SignedIn {
  std::string account;
};

// The session ended. `error` says why (Errc::kOtherSignIn for OUT OTH, ...).
// Nothing follows this event.
struct Disconnected {
  Error error;
};

// A debug line. Never contains passwords, tickets, MBI answers or cookies.
struct Log {
  LogLevel level;
  std::string text;
};


// ---- contact list ------------------------------------------------------------------------

// One contact as the user interface shows it. Contacts on FL are buddies (in each group of
// `groups`, or in no group: the UI's default group); AL/BL are the permit/deny lists;
// RL/PL only tell who has us on their list.
struct ContactView {
  std::string address;             // as the server spelled it
  Network network = Network::kPassport;
  std::string display_name;        // the contact's own friendly name (purple: server alias)
  std::string nickname;            // the private alias the owner set (purple: alias)
  std::vector<std::string> groups; // group names (not ids); empty: not in any group
  ListBits lists = ListBits::kNone;
};

// The whole list as the server holds it, once per sign-in before SignedIn. The UI makes its
// list equal to this one: adds what is missing, moves what moved, removes buddies and
// permit/deny entries that are not here, renames nothing by itself.
struct ContactListLoaded {
  std::vector<std::string> groups;  // every group name, including empty groups
  std::vector<ContactView> contacts;
};

// A contact was added or changed (lists, groups, names). Carries the whole new state.
struct ContactChanged {
  ContactView contact;
};

// A contact left every list.
struct ContactRemoved {
  std::string address;
};

// A group appeared (old_name empty) or was renamed.
struct GroupChanged {
  std::string old_name;
  std::string name;
};

struct GroupRemoved {
  std::string name;
};

// Someone added us and waits for a decision (PL). Answer with Client::authorize().
struct AuthorizationRequested {
  std::string address;
  std::string display_name;
  std::string invite_message;  // may be empty
};

// What a ListOperationFailed event is about.
enum class ListOperation {
  kAddContact,
  kRemoveContact,
  kMoveContact,
  kAliasContact,
  kAddGroup,
  kRenameGroup,
  kRemoveGroup,
  kBlock,
  kUnblock,
  kAuthorize,
  kDeny,
  kSetDisplayName,
  kSetPrivacy,
};

// A change the user asked for did not happen on the server. `error` says why (a SOAP fault,
// a server error code in server_code such as 210 "list full", an invalid address...). The
// engine follows it with ContactChanged/ContactRemoved/GroupChanged events that put the UI
// back to what the server holds.
struct ListOperationFailed {
  ListOperation operation;
  std::string subject;  // the address or group name
  Error error;
};

// A snapshot of the contact list and its sync state (session/contact_cache.h), after sign-in and
// after each change. The UI stores `blob` with the account and hands it back in
// Settings::contact_cache at the next sign-in; it holds no secrets.
struct ContactCacheUpdated {
  std::string blob;
};

// ---- presence and profile ------------------------------------------------------------------

// A contact's presence changed (ILN, NLN, FLN). kOffline for FLN.
struct PresenceChanged {
  std::string address;
  PresenceStatus status = PresenceStatus::kOffline;
  std::string display_name;  // friendly name from the notice; empty for FLN
  std::uint32_t capabilities = 0;
  std::string msn_object;    // display picture descriptor, kept for later; may be empty
};

// A contact's personal message or current media changed (UBX).
struct StatusMessageChanged {
  std::string address;
  std::string personal_message;
  std::string current_media;  // formatted ("Artist - Title"), empty when none is playing
};

// A contact's display picture is (now) the object with this SHA1D, or they have none (clear
// the icon). The UI asks Client::fetch_display_picture() unless it already holds that picture
// (its checksum is the SHA1D), so nothing is fetched twice, across sign-ins too.
struct ContactPictureChanged {
  std::string address;
  std::optional<std::string> sha1d;
};

// A contact's display picture arrived, checked against its SHA1D and still their current one.
struct ContactPictureReceived {
  std::string address;
  std::string sha1d;
  std::string data;  // the image bytes as the contact sent them (PNG, GIF, JPEG, ...)
};

// Custom emoticons and other MSN objects (docs/protocol/emoticons.md). A contact announced
// that `shortcut` in their next message means the emoticon `msnobj` (its SHA1D given apart).
// The UI shows it from its cache, or asks Client::fetch_object(from, msnobj), which ends in
// ObjectReceived or ObjectFetchFailed.
struct EmoticonAnnounced {
  ConversationId conversation;
  bool chat = false;
  std::string from;
  std::string shortcut;
  std::string sha1d;
  std::string msnobj;
};

// An MSN object arrived, checked against its SHA1D and size.
struct ObjectReceived {
  std::string peer;
  std::string sha1d;
  std::uint32_t type = 0;
  std::string data;
};

// The object could not be fetched (declined, wrong data, no answer in 60 s, switchboard gone).
struct ObjectFetchFailed {
  std::string peer;
  std::string sha1d;
};

// Our own friendly name as the server holds it (at sign-in and after each change).
struct OwnDisplayNameChanged {
  std::string display_name;
};

// ---- conversations ----------------------------------------------------------------------

// A message for the user. `html` is purple's HTML (already converted from the MSN format and
// escaped). For offline messages `sent_at` is the original time (Unix seconds).
struct MessageReceived {
  ConversationId conversation;
  bool chat = false;  // true: a group chat (see ChatStarted), false: a 1:1 conversation
  std::string from;
  std::string from_name;
  std::string html;
  std::optional<std::int64_t> sent_at;
  bool offline = false;  // came from the offline message store
};

// A contact is typing to us (MSN sends a notice every few seconds while they type; the UI
// clears the state itself after a pause).
struct ConversationTyping {
  ConversationId conversation;
  bool chat = false;
  std::string from;
};

struct ConversationNudge {
  ConversationId conversation;
  bool chat = false;
  std::string from;
};

// A handwritten message (ink) to show inline: `image` is GIF or PNG bytes (`mime_type` says
// which); both are empty when the ink could not be read (the UI says so, the log says why).
struct InkReceived {
  ConversationId conversation;
  bool chat = false;
  std::string from;
  std::string image;
  std::string mime_type;
};

// Why a message the user sent did not reach its recipient, after the one resend.
enum class DeliveryFailure {
  kRejected,        // the server refused it
  kTimedOut,        // no acknowledgement
  kConnectionLost,  // the conversation's connection dropped
  kUnavailable,     // the recipient cannot be reached and no offline message was possible
  kOfflineFailed,   // the offline message store refused it
  kSignedOut,       // the account signed out before it was sent
  kUnconfirmed,     // it was sent, but the account signed out before the server confirmed it
};

// A message the user sent was not delivered (the engine already resent it once). `html` is what the user typed (the part that
// was not delivered).
struct MessageFailed {
  ConversationId conversation;
  bool chat = false;
  std::string to;  // the peer (1:1) or empty (chat)
  std::string html;
  DeliveryFailure reason;
  Error error;
};

// A message the user sent to someone offline was stored as an offline message.
struct MessageStoredOffline {
  ConversationId conversation;
  std::string to;
};

// A 1:1 conversation became a group chat (a third person joined, or we were invited into a
// conversation of several people). The UI opens a chat with these participants.
struct ChatStarted {
  ConversationId conversation;
  std::vector<std::string> participants;  // everyone but us
};

struct ChatParticipantJoined {
  ConversationId conversation;
  std::string address;
  std::string display_name;
};

struct ChatParticipantLeft {
  ConversationId conversation;
  std::string address;
};

// An invitation into a chat failed (the person is offline, ...).
struct ChatInviteFailed {
  ConversationId conversation;
  std::string address;
  Error error;
};

// ---- file transfers (session/file_transfer_manager.h) -----------------------------------
using FileTransferId = std::uint32_t;

// A contact offers us a file: Client::accept_file() or decline_file(). `name` is already
// sanitised (p2p::sanitize_file_name): a name to suggest, never a path.
struct FileOffered {
  FileTransferId id;
  std::string peer;
  std::string name;
  std::uint64_t size = 0;
  std::optional<std::string> preview;  // image bytes (PNG) when the sender gave one
};
// The engine wants bytes of a file we send: answer with Client::provide_file_data(id, bytes),
// at most `max_len` bytes from `offset` (fewer only at the end of the file).
struct FileDataWanted {
  FileTransferId id;
  std::uint64_t offset = 0;
  std::size_t max_len = 0;
};
// Bytes of a file we receive, in order, each exactly once.
struct FileData {
  FileTransferId id;
  std::uint64_t offset = 0;
  std::string bytes;
};
// Bytes done so far: received, or sent and taken by the switchboard. Coalesced (every 64 KiB
// and at the end), so that a large file does not make a UI call per chunk.
struct FileProgress {
  FileTransferId id;
  std::uint64_t bytes_done = 0;
};
struct FileCompleted {
  FileTransferId id;
};
// Why a transfer ended without completing.
enum class FileEndReason {
  kDeclined,         // the peer declined our offer
  kCancelledByPeer,  // the peer cancelled
  kCancelledByUs,    // cancel_file() / decline_file()
  kTimeout,          // no answer or no progress for 60 s
  kConnectionLost,   // the switchboard closed, or the contact went offline
  kBadData,          // the peer sent more or other bytes than announced
  kPeerError,        // the peer reported an error for the session
  kLimit,            // too many transfers at once
};
// Every transfer the UI knows of ends with exactly one FileCompleted or FileEnded.
struct FileEnded {
  FileTransferId id;
  FileEndReason reason;
};

// Offline messages wait on the server, but the list of them could not be fetched: they stay
// there unseen (a later sign-in tries again).
struct OfflineMessagesUnavailable {};

}  // namespace ev

using Event =
    std::variant<ev::SignInProgress, ev::SignedIn, ev::Disconnected, ev::Log, ev::ContactListLoaded,
                 ev::ContactChanged, ev::ContactRemoved, ev::GroupChanged, ev::GroupRemoved,
                 ev::AuthorizationRequested, ev::ListOperationFailed, ev::PresenceChanged,
                 ev::StatusMessageChanged, ev::OwnDisplayNameChanged, ev::ContactPictureChanged,
                 ev::ContactPictureReceived, ev::ContactCacheUpdated, ev::MessageReceived,
                 ev::ConversationTyping, ev::ConversationNudge, ev::MessageFailed,
                 ev::MessageStoredOffline, ev::ChatStarted, ev::ChatParticipantJoined,
                 ev::ChatParticipantLeft, ev::ChatInviteFailed, ev::OfflineMessagesUnavailable,
                 ev::FileOffered, ev::FileDataWanted, ev::FileData, ev::FileProgress,
                 ev::FileCompleted, ev::FileEnded, ev::EmoticonAnnounced, ev::ObjectReceived,
                 ev::ObjectFetchFailed, ev::InkReceived, ev::WinkReceived, ev::VoiceClipReceived,
                 ev::MediaUnavailable>;

}  // namespace msn
