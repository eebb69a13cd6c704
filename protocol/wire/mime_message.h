// SPDX-License-Identifier: GPL-2.0-or-later
// The MIME-like payload of an MSG command (docs/protocol/presence.md, switchboard.md): header lines
// "Name: Value", an empty line, then the body. Parsing is bounded and never fails on a peer's text:
// bytes that are not UTF-8 are replaced, never passed on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::wire {

struct MimeHeader {
  std::string name;   // as received; compared case-insensitively
  std::string value;  // leading and trailing blanks removed, folded lines joined with a space
};

struct MimeLimits {
  std::size_t max_headers = 64;               // header lines (and body fields) per message
  std::size_t max_header_bytes = 16 * 1024;   // the whole header block, line ends included
};

// One MSG payload.
// Example:
//   MimeMessage m;
//   m.set_header("MIME-Version", "1.0");
//   m.set_header("Content-Type", "text/x-msnmsgr-datacast");
//   m.body = "ID: 1\r\n";
//   m.serialize();  // "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n"
struct MimeMessage {
  std::vector<MimeHeader> headers;  // in order of appearance
  std::string body;                 // raw bytes after the empty line

  // The value of the first header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  // Replaces the first header with this name, or appends it.
  void set_header(std::string_view name, std::string_view value);
  // The media type of Content-Type, lower-cased, without parameters ("text/plain").
  std::string media_type() const;
  // A Content-Type parameter ("charset"), unquoted; the name is case-insensitive.
  std::optional<std::string> content_type_parameter(std::string_view name) const;
  // The headers as CRLF lines, an empty line, then the body.
  std::string serialize() const;
  // The byte count of serialize() without the body.
  std::size_t header_bytes() const;
};

// Splits a payload into headers and body. A payload without an empty line is all headers.
// Line ends may be CRLF or LF; lines that start with a blank continue the previous header;
// lines without a colon are skipped. Errc::kLimit when a bound in `limits` is exceeded.
Result<MimeMessage> parse_mime_message(std::string_view payload, MimeLimits limits = {});

// "Key: Value" lines of a body (datacast "ID: 1", Hotmail notifications' "Mail-Data: ..."),
// parsed as header lines are. Errc::kLimit when more than limits.max_headers lines are found.
Result<std::vector<MimeHeader>> parse_body_fields(std::string_view body, MimeLimits limits = {});

// The value of a field in a list parsed as above (case-insensitive name).
std::optional<std::string_view> find_field(const std::vector<MimeHeader>& fields, std::string_view name);

// What a switchboard message is, from its Content-Type (and body for datacasts).
enum class MessageKind {
  kText,        // text/plain
  kTyping,      // text/x-msmsgscontrol with TypingUser
  kControl,     // any other text/x-msmsgscontrol
  kNudge,       // text/x-msnmsgr-datacast, ID 1
  kDatacast,    // any other datacast (wink 2, voice clip 3, action 4, ...)
  kClientCaps,  // text/x-clientcaps
  kEmoticon,    // text/x-mms-emoticon, text/x-mms-animemoticon
  kInvitation,  // text/x-msmsgsinvite (legacy invitations)
  kP2p,         // application/x-msnmsgrp2p
  kInk,         // image/gif, application/x-ms-ink (handwriting)
  kUnknown,
};

MessageKind classify(const MimeMessage& message);

// The datacast ID of a text/x-msnmsgr-datacast body, if it has one.
std::optional<std::uint32_t> datacast_id(const MimeMessage& message);

// The body of a text message as UTF-8 for display: decoded from its charset (UTF-8; ISO-8859-1
// or windows-1252; no charset: UTF-8 if it is valid UTF-8, windows-1252 otherwise), with invalid
// sequences replaced by U+FFFD and NUL bytes removed (C callers would cut the text there).
std::string text_body(const MimeMessage& message);

// Payload builders for what the client sends (docs/protocol/switchboard.md, "Message payloads").
MimeMessage make_text_message(std::string_view format_header, std::string_view text);
MimeMessage make_typing_message(std::string_view account);
MimeMessage make_nudge_message();
// The answer to a legacy invitation we cannot handle (Invitation-Command: CANCEL).
MimeMessage make_invitation_cancel(std::string_view cookie);

// UTF-8 helpers. Valid means shortest forms only, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text);
// Replaces each maximal invalid subsequence with U+FFFD (the Unicode-recommended practice).
std::string sanitize_utf8(std::string_view text);
// Servers refuse friendly names past 387 URL-encoded bytes, i.e. 129 characters; a peer's name
// is cut there before it reaches the UI.
inline constexpr std::size_t kMaxFriendlyNameChars = 129;
// sanitize_utf8() cut after at most `max_chars` code points (never inside one). Work and output
// are bounded by `max_chars`, not by the input: for peer text that reaches the UI.
std::string bounded_utf8(std::string_view text, std::size_t max_chars);
// Converts ISO-8859-1 (or windows-1252, whose 0x80-0x9F are printable) to UTF-8.
std::string latin1_to_utf8(std::string_view text, bool windows_1252 = true);
// Appends a code point as UTF-8; surrogates and values above U+10FFFF become U+FFFD.
void append_utf8(std::string& out, std::uint32_t code_point);
// The length of the UTF-8 sequence starting at text[0] if it is valid, 0 otherwise.
std::size_t utf8_sequence_length(std::string_view text);

}  // namespace msn::wire
