// SPDX-License-Identifier: GPL-2.0-or-later
#include "wire/datacast.h"

#include <optional>
#include <utility>

#include "wire/command.h"
#include "wire/mime_message.h"

namespace msn::wire {

namespace {

DatacastKind kind_of(std::uint32_t id) {
  switch (id) {
    case 1:
      return DatacastKind::kNudge;
    case 2:
      return DatacastKind::kWink;
    case 3:
      return DatacastKind::kVoiceClip;
    case 4:
      return DatacastKind::kAction;
    default:
      return DatacastKind::kOther;
  }
}

}  // namespace

Result<Datacast> parse_datacast(std::string_view body, DatacastLimits limits) {
  if (body.size() > limits.max_body_bytes)
    return make_error(Errc::kLimit, "datacast: body of " + std::to_string(body.size()) + " bytes");
  MimeLimits field_limits;
  field_limits.max_header_bytes = limits.max_body_bytes;
  auto fields = parse_body_fields(body, field_limits);
  if (!fields) return fields.error();
  const auto id_text = find_field(fields.value(), "ID");
  const std::optional<std::uint32_t> id = id_text ? parse_u32(*id_text) : std::nullopt;
  if (!id) return make_error(Errc::kProtocol, "datacast: no decimal ID");
  Datacast cast;
  cast.id = *id;
  cast.kind = kind_of(*id);
  if (const auto data = find_field(fields.value(), "Data")) cast.data = std::string(*data);
  const bool needs_object =
      cast.kind == DatacastKind::kWink || cast.kind == DatacastKind::kVoiceClip;
  if (needs_object && cast.data.empty())
    return make_error(Errc::kProtocol, "datacast: ID " + std::to_string(*id) + " without Data");
  return cast;
}

}  // namespace msn::wire
