// SPDX-License-Identifier: GPL-2.0-or-later
// The body of a text/x-mms-emoticon (or text/x-mms-animemoticon) switchboard message
// (docs/protocol/emoticons.md): `shortcut TAB msnobj` pairs, separated by TAB, with or without
// a trailing TAB. It comes before the text that uses the shortcuts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "p2p/msn_object.h"

namespace msn::p2p {

struct AnnouncedEmoticon {
  std::string shortcut;
  std::string msnobj;  // URL-decoded, exactly as the INVITE's Context must carry it
  MsnObject object;
};

struct EmoticonAnnouncementLimits {
  // aMSN sends at most 5 and WLM is said to ignore more; a few more are taken from clients
  // that send more, the rest dropped.
  std::size_t max_emoticons = 10;
  std::size_t max_shortcut_bytes = 32;
  std::size_t max_body_bytes = 8 * 1024;
};

struct EmoticonAnnouncement {
  std::vector<AnnouncedEmoticon> emoticons;
  std::size_t rejected = 0;  // pairs left out (bad shortcut, unusable msnobj, over the count)
};

// Every usable pair of the body. A pair whose shortcut is empty, too long, not UTF-8 or holds
// a control character, or whose msnobj does not parse or is not Type 2, is left out (counted in
// `rejected`); so is a repeated shortcut. Errc::kLimit when the body is over max_body_bytes,
// Errc::kProtocol when it holds no usable pair at all.
Result<EmoticonAnnouncement> parse_emoticon_announcement(std::string_view body,
                                                         EmoticonAnnouncementLimits limits = {});

// The body we send: pairs separated by TAB, with the trailing TAB aMSN and WLM write.
std::string make_emoticon_announcement(
    const std::vector<std::pair<std::string, std::string>>& shortcut_and_msnobj);

}  // namespace msn::p2p
