// SPDX-License-Identifier: GPL-2.0-or-later
// The Context of a file-transfer INVITE (docs/protocol/p2p.md, "File transfer"): a little-endian
// binary block with the file's size and UTF-16LE name, and optionally a preview image. Also the
// one place that turns a peer's file name into something safe to suggest to the user.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::p2p {

namespace file_context {
inline constexpr std::size_t kLengthV0 = 540;   // old Mac clients: no reserved bytes, no marker
inline constexpr std::size_t kLengthV2 = 574;   // what we send
inline constexpr std::size_t kLengthV3 = 638;   // WLM 2009: 64 more (zero) bytes
inline constexpr std::size_t kNameChars = 260;  // UTF-16 code units in the name field
inline constexpr std::uint32_t kTypePreview = 0;
inline constexpr std::uint32_t kTypeNoPreview = 1;
// Largest Context accepted (base64-decoded): the fixed part and a small preview image. An INVITE
// is SLP text, itself capped at 64 KiB.
inline constexpr std::size_t kMaxBytes = 48 * 1024;
}  // namespace file_context

struct FileContext {
  std::uint32_t version = 2;
  std::uint64_t size = 0;
  std::uint32_t type = file_context::kTypeNoPreview;
  std::string name;     // UTF-8, as the peer wrote it (not sanitised: see sanitize_file_name)
  std::string preview;  // image bytes when type is 0 and any follow the fixed part
};

// The v2 Context we send: type 1 (no preview), the name as UTF-16LE cut to 259 code units (a
// NUL always ends it; a surrogate pair is never split), the FF FF FF FF marker. `name` must be
// UTF-8; invalid bytes become U+FFFD.
std::string build_file_context(std::string_view name, std::uint64_t size);

// Reads a Context (already base64-decoded). Accepted: v0 with length 540, v2 with any length
// from 574 (the plugin notes its length field is unreliable), v3 with 638; anything shorter
// than its length says, a length or version that is none of these, or more than kMaxBytes is
// Errc::kProtocol. The name ends at the first NUL; invalid UTF-16 becomes U+FFFD. A preview is
// whatever follows the fixed part when type is 0.
Result<FileContext> parse_file_context(std::string_view bytes);

// A peer's file name as a name to suggest in the save dialog, never as a path we open: path
// separators and control characters become '_', runs of dots one dot, leading dots and
// spaces and trailing dots and spaces go, at most kMaxNameBytes bytes of UTF-8 (cut at a
// character boundary); nothing left gives "file". Invalid UTF-8 becomes U+FFFD.
inline constexpr std::size_t kMaxNameBytes = 200;
std::string sanitize_file_name(std::string_view name);

}  // namespace msn::p2p
