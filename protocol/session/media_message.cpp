// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/media_message.h"

#include <utility>

#include "core/ascii.h"
#include "wire/mime_message.h"

namespace msn {

namespace {

std::uint32_t expected_type(wire::DatacastKind kind) {
  return kind == wire::DatacastKind::kWink ? p2p::object_type::kWink : p2p::object_type::kVoiceClip;
}

// The offset of ` stamp="` (any case) in `text`, or npos.
std::size_t find_stamp(std::string_view text) {
  constexpr std::string_view kName = " stamp=\"";
  if (text.size() < kName.size()) return std::string_view::npos;
  for (std::size_t at = 0; at + kName.size() <= text.size(); ++at) {
    if (ascii::iequals(text.substr(at, kName.size()), kName)) return at;
  }
  return std::string_view::npos;
}

}  // namespace

std::string without_stamp(std::string_view msnobj) {
  const std::size_t at = find_stamp(msnobj);
  if (at == std::string_view::npos) return std::string(msnobj);
  const std::size_t value = at + std::string_view(" stamp=\"").size();
  const std::size_t end = msnobj.find('"', value);
  if (end == std::string_view::npos) return std::string(msnobj);  // malformed: parsing refuses it
  std::string out(msnobj.substr(0, at));
  out += msnobj.substr(end + 1);
  return out;
}

Result<MediaDatacast> read_media_datacast(std::string_view from, std::string_view body) {
  auto datacast = wire::parse_datacast(body);
  if (!datacast) return datacast.error();
  MediaDatacast out;
  out.kind = datacast->kind;
  out.id = datacast->id;
  if (out.kind == wire::DatacastKind::kAction) {
    out.text = wire::sanitize_utf8(datacast->data);
    return out;
  }
  if (out.kind != wire::DatacastKind::kWink && out.kind != wire::DatacastKind::kVoiceClip)
    return out;
  out.msnobj = without_stamp(datacast->data);
  auto object = p2p::parse_msn_object(out.msnobj);
  if (!object) return object.error();
  if (object->type != expected_type(out.kind))
    return make_error(Errc::kProtocol, "the msnobj's Type is not the datacast's kind");
  if (!ascii::iequals(object->creator, from))
    return make_error(Errc::kProtocol, "the object's Creator is not its sender");
  out.object = std::move(*object);
  return out;
}

}  // namespace msn
