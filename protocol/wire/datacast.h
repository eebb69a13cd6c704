// SPDX-License-Identifier: GPL-2.0-or-later
// The body of a text/x-msnmsgr-datacast message (docs/protocol/media.md, "Datacasts"):
// "ID: n" and, for winks and voice clips, "Data: <msnobj .../>" naming the object to fetch.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::wire {

enum class DatacastKind {
  kNudge,      // ID 1
  kWink,       // ID 2, Data holds a Type 8 msnobj
  kVoiceClip,  // ID 3, Data holds a Type 11 msnobj
  kAction,     // ID 4, an action message (Data holds its text)
  kOther,      // any other ID: ignore it
};

struct Datacast {
  std::uint32_t id = 0;
  DatacastKind kind = DatacastKind::kOther;
  std::string data;  // the Data field as sent (an msnobj is not URL-encoded here); may be empty
};

struct DatacastLimits {
  // A wink's msnobj with its stamp is a few hundred bytes to 2 KiB; clients split long bodies
  // into chunks and the switchboard joins them before we see them.
  std::size_t max_body_bytes = 16 * 1024;
};

// Parses "ID: n\r\nData: ...\r\n" (LF line ends and extra fields tolerated, names compared
// case-insensitively). Errc::kProtocol without a decimal ID; Errc::kLimit past the bound.
// Winks and voice clips without Data are an error: there would be nothing to fetch.
Result<Datacast> parse_datacast(std::string_view body, DatacastLimits limits = {});

}  // namespace msn::wire
