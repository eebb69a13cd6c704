// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/emoticons.md, "Announcement".
#include "p2p/emoticon_announcement.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn::p2p {
namespace {

bool usable_shortcut(std::string_view shortcut, const EmoticonAnnouncementLimits& limits) {
  if (shortcut.empty() || shortcut.size() > limits.max_shortcut_bytes) return false;
  // A control character would reach the UI's message matching and its smiley table.
  if (std::any_of(shortcut.begin(), shortcut.end(), [](char c) { return ascii::is_control(c); }))
    return false;
  return wire::is_valid_utf8(shortcut);
}

// The next TAB-separated field of `rest` (which then starts after the TAB).
std::string_view next_field(std::string_view& rest) {
  const std::size_t tab = rest.find('\t');
  const std::string_view field = rest.substr(0, tab);
  rest.remove_prefix(tab == std::string_view::npos ? rest.size() : tab + 1);
  return field;
}

}  // namespace

Result<EmoticonAnnouncement> parse_emoticon_announcement(std::string_view body,
                                                         EmoticonAnnouncementLimits limits) {
  if (body.size() > limits.max_body_bytes)
    return make_error(Errc::kLimit, "emoticon announcement longer than the limit");
  // Some clients end the body with CRLF after the last TAB.
  while (!body.empty() && (body.back() == '\r' || body.back() == '\n')) body.remove_suffix(1);
  EmoticonAnnouncement result;
  std::string_view rest = body;
  while (!rest.empty()) {
    const std::string_view shortcut = next_field(rest);
    const std::string_view encoded = next_field(rest);
    if (result.emoticons.size() >= limits.max_emoticons || !usable_shortcut(shortcut, limits)) {
      ++result.rejected;
      continue;
    }
    // The plugin and aMSN send the msnobj raw, others URL-encoded: decoding a raw one changes
    // nothing, as an msnobj holds no '%'.
    std::string msnobj = wire::url_decode(encoded);
    auto object = parse_msn_object(msnobj);
    const bool repeated =
        std::any_of(result.emoticons.begin(), result.emoticons.end(),
                    [&](const AnnouncedEmoticon& e) { return e.shortcut == shortcut; });
    if (!object || object->type != object_type::kEmoticon || repeated) {
      ++result.rejected;
      continue;
    }
    result.emoticons.push_back(
        AnnouncedEmoticon{std::string(shortcut), std::move(msnobj), std::move(*object)});
  }
  if (result.emoticons.empty())
    return make_error(Errc::kProtocol, "emoticon announcement without a usable pair");
  return result;
}

std::string make_emoticon_announcement(
    const std::vector<std::pair<std::string, std::string>>& shortcut_and_msnobj) {
  std::string body;
  for (const auto& [shortcut, msnobj] : shortcut_and_msnobj) {
    body += shortcut;
    body += '\t';
    body += msnobj;
    body += '\t';
  }
  return body;
}

}  // namespace msn::p2p
