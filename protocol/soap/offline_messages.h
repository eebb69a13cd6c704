// SPDX-License-Identifier: GPL-2.0-or-later
// Offline messages (OIM, docs/protocol/offline-messages.md): request builders and response parsers
// for the Store2 service (sending, with the LockKey handshake) and the rsi service (GetMetadata,
// GetMessage, DeleteMessages), plus the Mail-Data list the NS sends. No HTTP in here: the
// caller posts the bodies with the SOAP actions below and hands back the response text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::soap {

// Historic endpoints (host + path); a revival server keeps the paths under its own base URL.
inline constexpr std::string_view kOimStoreUrl = "https://ows.messenger.msn.com/OimWS/oim.asmx";
inline constexpr std::string_view kOimStorePath = "/OimWS/oim.asmx";
inline constexpr std::string_view kOimStoreAction = "http://messenger.live.com/ws/2006/09/oim/Store2";
inline constexpr std::string_view kRsiUrl = "https://rsi.hotmail.com/rsi/rsi.asmx";
inline constexpr std::string_view kRsiPath = "/rsi/rsi.asmx";
inline constexpr std::string_view kGetMetadataAction = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/GetMetadata";
inline constexpr std::string_view kGetMessageAction = "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/GetMessage";
inline constexpr std::string_view kDeleteMessagesAction =
    "http://www.hotmail.msn.com/ws/2004/09/oim/rsi/DeleteMessages";

// Bounds on what a server can make us hold.
inline constexpr std::size_t kMaxMailDataEntries = 1000;
inline constexpr std::size_t kMaxOimMailBytes = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Encodings

// "=?utf-8?B?{base64}?=" (vectors/oim.txt [friendly-name]).
std::string rfc2047_encode(std::string_view text);
// Decodes RFC 2047 encoded words (B or Q; utf-8, iso-8859-1, windows-1252, us-ascii; others
// are read as UTF-8); text between encoded words is kept, blanks between two encoded words are
// dropped. The result is valid UTF-8. Never fails: malformed words stay as they are.
std::string rfc2047_decode(std::string_view text);
// "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" from 16 random bytes (upper-case hex), for the
// X-OIM-Run-Id that stays the same for a whole sign-in.
std::string make_run_id(std::string_view random16);
// Seconds since 1970 from an RFC 2822 date ("Sun, 01 Jun 2008 04:00:00 -0800"); nullopt when
// it cannot be read.
std::optional<std::int64_t> parse_rfc2822_date(std::string_view text);
// Seconds since 1970 from "2008-06-01T11:00:00Z" (fractions and offsets accepted).
std::optional<std::int64_t> parse_iso8601(std::string_view text);

// ---------------------------------------------------------------------------------------------
// Sending: Store2

// The <Content> text: MIME headers, the base64 of the UTF-8 text wrapped at 76 characters, LF
// line ends and no final LF (exactly vectors/oim.txt). `run_id` gets braces if it has none.
std::string build_oim_content(std::string_view text, std::string_view run_id, std::uint32_t sequence);

struct OimStoreRequest {
  std::string from_account;
  std::string friendly_name;  // UTF-8; sent RFC 2047-encoded
  std::string to_account;
  std::string ticket;     // messengersecure.live.com "t=...&p=..." (secret: never logged)
  std::string lock_key;   // empty until the service has sent a LockKeyChallenge
  std::string run_id;
  std::uint32_t sequence = 1;
  std::string text;       // UTF-8
};

// The Store2 SOAP envelope (docs/protocol/offline-messages.md, "Sending (Store2)").
std::string build_store_request(const OimStoreRequest& request);

enum class StoreResult {
  kStored,                // no fault
  kLockKeyChallenge,      // fault with detail/LockKeyChallenge: answer it and resend
  kAuthenticationFailed,  // AuthenticationFailed without a challenge
  kTicketExpired,         // detail/RequiredAuthPolicy or BadContextToken: renew the ticket
  kRecipientUnavailable,  // SystemUnavailable (blocked or no such account)
  kThrottled,             // SenderThrottleLimitExceeded
  kInvalidContent,        // InvalidContent
  kOtherFault,
};

struct StoreOutcome {
  StoreResult result = StoreResult::kStored;
  std::string lock_key_challenge;  // for kLockKeyChallenge
  std::string fault_code;          // local name, without prefix ("AuthenticationFailed")
};

// Reads a Store2 answer (200 or 500: faults come with either). Errc::kSoap when it is no
// SOAP document.
Result<StoreOutcome> parse_store_response(std::string_view xml);

// The LockKey for a LockKeyChallenge: the CHL/QRY challenge function
// (docs/protocol/notification-server.md).
std::string lock_key_for(std::string_view challenge);

// The Store2 conversation of one sign-in: the run id, the sequence number and the lock key,
// and what to do after each answer (the LockKey handshake of docs/protocol/offline-messages.md).
// Example:
//   OimSender sender("alice@example.com", "Alice", make_run_id(random16));
//   body = sender.request("carol@example.net", "hi", ticket);   attempt = 1
//   post body; next = sender.on_answer(parse_store_response(reply), attempt)
//   kResend: build the request again (the lock key is now set) and post it, attempt + 1.
class OimSender {
 public:
  enum class Next {
    kStored,       // done; the sequence number has moved on
    kResend,       // post request() again
    kRenewTicket,  // get a new messengersecure.live.com ticket, then post again
    kFailed,       // give up on this message (the outcome says why)
  };
  static constexpr int kMaxAttempts = 3;

  OimSender(std::string from_account, std::string friendly_name, std::string run_id);

  std::string request(std::string_view to, std::string_view text, std::string_view ticket) const;
  // `attempt` counts the posts of this message so far (1 after the first).
  Next on_answer(const Result<StoreOutcome>& outcome, int attempt);

  const std::string& lock_key() const { return lock_key_; }
  std::uint32_t sequence() const { return sequence_; }

 private:
  std::string from_account_;
  std::string friendly_name_;
  std::string run_id_;
  std::string lock_key_;
  std::uint32_t sequence_ = 1;
};

// ---------------------------------------------------------------------------------------------
// Receiving: Mail-Data, GetMetadata, GetMessage, DeleteMessages

struct MailDataEntry {
  std::string sender;         // E
  std::string friendly_name;  // N, RFC 2047-decoded
  std::string message_id;     // I
  std::string received;       // RT, as sent
  std::optional<std::int64_t> received_time;  // RT parsed
  std::uint32_t size = 0;     // SZ
  std::uint32_t type = 0;     // T
};

struct MailData {
  bool too_large = false;  // the literal "too-large": fetch the list with GetMetadata
  std::vector<MailDataEntry> messages;
};

// "<MD>...</MD>" or "too-large". Entries without a sender or id are skipped; at most
// kMaxMailDataEntries are kept. Errc::kSoap on malformed XML.
Result<MailData> parse_mail_data(std::string_view text);
// The Mail-Data field of an NS "MSG Hotmail Hotmail" payload (initial mdata or OIM
// notification); Errc::kProtocol when it has none.
Result<MailData> parse_mail_data_notification(std::string_view payload);

// The rsi PassportCookie: the t and p of the messenger.msn.com ticket "t=...&p=...".
struct PassportCookie {
  std::string t;
  std::string p;
};
PassportCookie passport_cookie(std::string_view ticket);

// `<GetMetadata xmlns="..." />` as the official client sends it; `with_child` adds an empty
// <MD /> inside, for a revival server that cannot read a request element without children.
std::string build_get_metadata_request(const PassportCookie& cookie, bool with_child = false);
// Body/GetMetadataResponse/MD as elements, or the Mail-Data as escaped XML text inside
// GetMetadataResponse (or inside its MD), as a revival server sends it. Errc::kSoap for
// faults and malformed documents.
Result<MailData> parse_get_metadata_response(std::string_view xml);

std::string build_get_message_request(const PassportCookie& cookie, std::string_view message_id,
                                      bool mark_as_read = false);

struct OfflineMessage {
  std::string message_id;     // not in the mail: set by the caller from Mail-Data
  std::string sender;         // the address inside <...> of From
  std::string friendly_name;  // the rest of From, RFC 2047-decoded
  std::string text;           // UTF-8, line breaks as sent
  std::string date;           // Date header, as sent
  std::optional<std::int64_t> time;  // Date parsed
  std::optional<std::uint32_t> sequence;  // X-OIM-Sequence-Num
  std::string run_id;         // X-OIM-Run-Id
  bool from_phone = false;    // X-OIM-originatingSource "tel:+..."
};

// Body/GetMessageResponse/GetMessageResult. Errc::kSoap for faults (detail names the fault
// code) and documents without a result.
Result<OfflineMessage> parse_get_message_response(std::string_view xml);
// The RFC 822 mail inside GetMessageResult: LF or CRLF lines, folded headers, base64 /
// quoted-printable / 7bit / 8bit bodies, charsets as text bodies elsewhere, multipart with the
// first text/plain part taken. Errc::kProtocol when there is no sender; Errc::kLimit when
// the mail exceeds kMaxOimMailBytes.
Result<OfflineMessage> parse_oim_mail(std::string_view mail);

std::string build_delete_messages_request(const PassportCookie& cookie, const std::vector<std::string>& message_ids);

// Orders messages as they were sent: by Date, and by X-OIM-Sequence-Num within the same
// second; messages without a Date go last. Stable otherwise.
void sort_offline_messages(std::vector<OfflineMessage>& messages);

}  // namespace msn::soap
