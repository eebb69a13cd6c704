// SPDX-License-Identifier: GPL-2.0-or-later
// A text/x-msnmsgr-datacast message received on a switchboard, read for what it asks of us
// (docs/protocol/media.md, "Datacasts"): a wink or voice clip to fetch from its sender, an
// action message's text, or nothing.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"
#include "p2p/msn_object.h"
#include "wire/datacast.h"

namespace msn {

struct MediaDatacast {
  wire::DatacastKind kind = wire::DatacastKind::kOther;
  std::uint32_t id = 0;
  // Winks and voice clips: the msnobj to fetch, as the INVITE's Context will carry it (the
  // wink's `stamp` signature removed, as aMSN does), and the object it names.
  std::string msnobj;
  p2p::MsnObject object;
  std::string text;  // action messages: the text, sanitized UTF-8; may be empty
};

// Errc::kProtocol when the body is no datacast, the msnobj is unusable, its Type is not the
// one the ID says (8 for a wink, 11 for a voice clip) or its Creator is not `from` (we would
// ask a third party the sender chose); Errc::kLimit past the datacast's or msnobj's bounds.
Result<MediaDatacast> read_media_datacast(std::string_view from, std::string_view body);

// `msnobj` without its `stamp="..."` attribute (any case), or unchanged when it has none.
std::string without_stamp(std::string_view msnobj);

}  // namespace msn
