// SPDX-License-Identifier: GPL-2.0-or-later
// Handwritten messages ("ink", MSNP15.md §11.9) as they arrive, turned into an image the UI can
// show: a GIF is passed on as it is, an ISF stream is decoded and rendered to PNG
// (protocol/ink/). Two carriers: a switchboard MSG (image/gif or application/x-ms-ink, body
// "base64:..."), and a P2P message on SessionID 64 whose data is the same MIME message in
// UTF-16LE. Everything here is bounded; docs/protocol/ink.md says how.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"
#include "wire/mime_message.h"

namespace msn {

// P2P SessionID reserved for ink; it never belongs to an SLP session.
inline constexpr std::uint32_t kInkSessionId = 64;

struct InkLimits {
  std::size_t max_image_bytes = 1024 * 1024;  // the decoded GIF or ISF
  // The UTF-16LE P2P blob: two bytes per base64 character plus the headers.
  std::size_t max_p2p_blob_bytes = 3 * 1024 * 1024;
};

// The base64 text of max_image_bytes, with the "base64:" prefix and some slack for line ends:
// the most a (joined) switchboard ink message may carry.
std::size_t max_ink_body_bytes(const InkLimits& limits = {});

// What to show for one ink message.
struct InkImage {
  std::string data;       // GIF or PNG bytes
  std::string mime_type;  // "image/gif" or "image/png"
};

// The image for an ink message (its media type says which kind). Errors: kProtocol for a body
// without the "base64:" prefix, bad base64, a "GIF" that is no GIF or an unreadable ISF;
// kLimit when a bound is passed; kInvalidArgument when the message is not ink at all.
Result<InkImage> ink_image(const wire::MimeMessage& message, const InkLimits& limits = {});

// The MIME message inside a P2P ink blob: UTF-16LE text, headers, an empty line, one U+0000,
// then "base64:..." and a final U+0000. Errors: kProtocol when the blob is not such text,
// kLimit past max_p2p_blob_bytes.
Result<wire::MimeMessage> parse_p2p_ink(std::string_view blob, const InkLimits& limits = {});

}  // namespace msn
