// SPDX-License-Identifier: GPL-2.0-or-later
// MSNSLP: the SIP-like text messages in SessionID 0 that set P2P sessions up and close them
// (docs/protocol/p2p.md, "MSNSLP").
//
// Text that is not UTF-8 is refused, not repaired: every field is an address, a GUID, a
// number or base64, so a message with invalid UTF-8 is broken and gets no answer.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::p2p::slp {

namespace content_type {
inline constexpr std::string_view kSessionRequest = "application/x-msnmsgr-sessionreqbody";
inline constexpr std::string_view kTransportRequest = "application/x-msnmsgr-transreqbody";
inline constexpr std::string_view kTransportResponse = "application/x-msnmsgr-transrespbody";
inline constexpr std::string_view kSessionClose = "application/x-msnmsgr-sessionclosebody";
inline constexpr std::string_view kSessionFailure =
    "application/x-msnmsgr-session-failure-respbody";
}  // namespace content_type

namespace euf_guid {
inline constexpr std::string_view kMsnObject = "{A4268EEC-FEC5-49E5-95C3-F126696BDBF6}";
inline constexpr std::string_view kFileTransfer = "{5D3E02AB-6190-11D3-BBBB-00C04F795683}";
inline constexpr std::string_view kWebcam = "{4BD96FC0-AB17-4425-A14A-439185962DC8}";
inline constexpr std::string_view kWebcamRequest = "{1C9AA97E-9C05-4583-A3BD-908A196F1E92}";
}  // namespace euf_guid

struct Field {
  std::string name;
  std::string value;
  bool operator==(const Field&) const = default;
};

struct Message {
  // Requests: the method ("INVITE", "BYE") and the address of the request URI
  // ("MSNMSGR:{address}"). Responses: status_code (200, 603, 500...) and reason.
  std::string method;
  std::string uri_address;
  int status_code = 0;
  std::string reason;

  std::string to;      // address inside "<msnmsgr:...>"
  std::string from;    // address inside "<msnmsgr:...>"
  std::string branch;  // the Via branch, braces included: "{5E7A1C2B-...}"
  std::uint32_t cseq = 0;
  std::string call_id;  // braces included
  std::uint32_t max_forwards = 0;
  std::string content_type;
  std::vector<Field> body;  // the "Name: value" lines of the body, in order

  bool is_request() const { return status_code == 0; }
  // The value of the first body field with this name (case-insensitive).
  std::optional<std::string_view> field(std::string_view name) const;
  bool operator==(const Message&) const = default;
};

struct Limits {
  std::size_t max_bytes = 64 * 1024;   // the whole message
  std::size_t max_header_line = 1024;  // one line of the header block
  std::size_t max_headers = 32;
  std::size_t max_body_fields = 32;
};

// Parses the data of a SessionID 0 message. The header block ends at the first empty line;
// the body is Content-Length bytes after it (all the rest when the header is absent), its
// final NUL optional. Errc::kProtocol for a malformed start line, a missing To, From, Via
// branch, CSeq or Call-ID, a Content-Length past the data, a body line without a colon, a NUL
// or invalid UTF-8 in the text; Errc::kLimit past a bound in `limits`.
Result<Message> parse(std::string_view data, Limits limits = {});
// The text as the plugin writes it: start line, To, From, Via, CSeq, Call-ID, Max-Forwards,
// Content-Type, Content-Length, an empty line, the body fields, an empty line and a NUL
// (counted in Content-Length).
std::string serialize(const Message& message);

// An INVITE from `from` to `to`, CSeq 0.
Message make_invite(std::string_view to, std::string_view from, std::string_view branch,
                    std::string_view call_id, std::string_view type, std::vector<Field> body);
// The answer to `request`: To and From swapped, same branch and Call-ID, CSeq one more.
Message make_response(const Message& request, int status_code, std::string_view reason,
                      std::string_view type, std::vector<Field> body);
// A BYE closing the session of `call_id` (new branch, CSeq 0). papyon's body (the SessionID)
// when `session_id` is given, the plugin's empty body otherwise.
Message make_bye(std::string_view to, std::string_view from, std::string_view branch,
                 std::string_view call_id, std::optional<std::uint32_t> session_id);

// "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (upper case) from 16 random bytes, for branches and
// Call-IDs; the caller supplies the randomness.
std::string guid_from_bytes(std::string_view sixteen);

// The body of a session INVITE (content type sessionreqbody).
struct SessionRequest {
  std::string euf_guid;
  std::uint32_t session_id = 0;
  std::uint32_t app_id = 0;
  std::string context;  // base64 as received
  bool operator==(const SessionRequest&) const = default;
};
// Errc::kProtocol when EUF-GUID, SessionID or AppID is missing or not a number. Context may be
// absent (an empty string): the caller answers such an INVITE with 500.
Result<SessionRequest> parse_session_request(const Message& message);
std::vector<Field> session_request_body(const SessionRequest& request);
// The SessionID field of a 200 OK, 603 Decline or BYE body.
std::optional<std::uint32_t> session_id_field(const Message& message);

}  // namespace msn::p2p::slp
