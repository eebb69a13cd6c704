// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/presence.md: contacts' presence, and our own personal message.
#include "session/presence.h"

#include <array>
#include <charconv>
#include <utility>

#include "soap/envelope.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn {
namespace {

struct StatusCode {
  PresenceStatus status;
  std::string_view code;
};

constexpr std::array<StatusCode, 9> kStatusCodes = {{
    {PresenceStatus::kOnline, "NLN"},
    {PresenceStatus::kBusy, "BSY"},
    {PresenceStatus::kIdle, "IDL"},
    {PresenceStatus::kBeRightBack, "BRB"},
    {PresenceStatus::kAway, "AWY"},
    {PresenceStatus::kOnThePhone, "PHN"},
    {PresenceStatus::kOutToLunch, "LUN"},
    {PresenceStatus::kHidden, "HDN"},
    {PresenceStatus::kOffline, "FLN"},
}};

constexpr std::string_view kMediaSeparator = "\\0";
// A UBX payload is a few hundred bytes; the command parser already bounds it, this bounds
// the XML work on top.
constexpr std::size_t kMaxUbxPayload = 64 * 1024;

std::optional<std::uint32_t> parse_u32_arg(std::string_view text) {
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

Error bad(std::string_view verb, std::string_view why) {
  return make_error(Errc::kProtocol, std::string(verb) + ": " + std::string(why));
}

Result<Network> parse_network(std::string_view verb, std::string_view text) {
  const auto id = parse_u32_arg(text);
  if (!id) return bad(verb, "the network id is not a number");
  return network_from_int(*id);
}

class UbxHandler final : public soap::XmlStreamHandler {
 public:
  Status on_start(const soap::ElementPath& path, const soap::XmlAttributes& /*attrs*/) override {
    if (path.depth() == 1 && path.name() != "Data")
      return make_error(Errc::kProtocol, "UBX: the root element is not <Data>");
    return Status::ok();
  }

  Status on_end(const soap::ElementPath& path, std::string_view text) override {
    if (path.depth() != 2) return Status::ok();
    const std::string_view name = path.name();
    if (name == "PSM")
      status_.personal_message = text;
    else if (name == "CurrentMedia")
      status_.current_media_text = text;
    else if (name == "MachineGuid")
      status_.machine_guid = soap::trim(text);
    return Status::ok();
  }

  PersonalStatus take() { return std::move(status_); }

 private:
  PersonalStatus status_;
};

}  // namespace

std::optional<PresenceStatus> parse_presence_status(std::string_view code) {
  for (const StatusCode& entry : kStatusCodes)
    if (entry.code == code) return entry.status;
  return std::nullopt;
}

std::string_view presence_code(PresenceStatus status) {
  for (const StatusCode& entry : kStatusCodes)
    if (entry.status == status) return entry.code;
  return "NLN";
}

Result<ContactPresence> parse_presence(const wire::Command& command) {
  const std::string_view verb = command.verb;
  std::size_t first = 0;  // index of the status argument
  if (verb == "ILN") {
    first = 1;  // after the TrId of our CHG
  } else if (verb != "NLN") {
    return bad(verb, "not a presence notice");
  }
  // status, email, network, friendly name; capabilities and msnobj may be missing.
  if (command.args.size() < first + 4) return bad(verb, "too few arguments");
  const auto status = parse_presence_status(command.arg(first));
  if (!status) return bad(verb, "unknown status code");
  ContactPresence presence;
  presence.status = *status;
  presence.address = command.arg(first + 1);
  if (!is_valid_address(presence.address)) return bad(verb, "invalid address");
  auto network = parse_network(verb, command.arg(first + 2));
  if (!network) return network.error();
  presence.network = *network;
  presence.friendly_name =
      wire::bounded_utf8(wire::url_decode(command.arg(first + 3)), wire::kMaxFriendlyNameChars);
  presence.capabilities = parse_u32_arg(command.arg(first + 4)).value_or(0);
  std::string msn_object = wire::url_decode(command.arg(first + 5));
  if (msn_object != "0") presence.msn_object = std::move(msn_object);
  return presence;
}

Result<ContactOffline> parse_fln(const wire::Command& command) {
  if (command.verb != "FLN") return bad(command.verb, "not an offline notice");
  if (command.args.empty()) return bad("FLN", "no address");
  ContactOffline offline;
  offline.address = command.arg(0);
  if (!is_valid_address(offline.address)) return bad("FLN", "invalid address");
  if (command.args.size() > 1) {
    auto network = parse_network("FLN", command.arg(1));
    if (!network) return network.error();
    offline.network = *network;
  }
  return offline;
}

std::string CurrentMedia::formatted() const {
  // Bytes enough for kMaxStatusTextChars characters (and one more, so bounded_utf8 sees where a
  // character is cut); appending stops at this size, whatever the format repeats.
  constexpr std::size_t kMaxBytes = (kMaxStatusTextChars + 1) * 4;
  // "{" + at most 10 digits + "}": a '{' without a close brace that near is literal text, so
  // each '{' costs constant work.
  constexpr std::size_t kMaxPlaceholder = 12;
  std::string out;
  const auto append = [&out](std::string_view text) {
    out.append(text.substr(0, kMaxBytes - out.size()));
  };
  const std::string_view fmt = format;
  for (std::size_t i = 0; i < fmt.size() && out.size() < kMaxBytes;) {
    if (fmt[i] == '{') {
      const std::size_t close = fmt.substr(0, i + kMaxPlaceholder).find('}', i + 1);
      if (close != std::string_view::npos) {
        const auto index = parse_u32_arg(fmt.substr(i + 1, close - i - 1));
        if (index && *index < arguments.size()) {
          append(arguments[*index]);
          i = close + 1;
          continue;
        }
      }
    }
    append(fmt.substr(i++, 1));
  }
  return wire::bounded_utf8(out, kMaxStatusTextChars);
}

std::optional<CurrentMedia> parse_current_media(std::string_view text) {
  std::vector<std::string> fields;
  while (true) {
    const std::size_t sep = text.find(kMediaSeparator);
    fields.emplace_back(text.substr(0, sep));
    if (sep == std::string_view::npos) break;
    text.remove_prefix(sep + kMediaSeparator.size());
  }
  if (!fields.empty() && fields.back().empty()) fields.pop_back();  // the trailing "\0"
  if (fields.size() < 4) return std::nullopt;
  CurrentMedia media;
  media.application = std::move(fields[0]);
  media.type = std::move(fields[1]);
  media.enabled = fields[2] == "1";
  media.format = std::move(fields[3]);
  for (std::size_t i = 4; i < fields.size(); ++i) media.arguments.push_back(std::move(fields[i]));
  return media;
}

std::string format_current_media(const CurrentMedia& media) {
  std::string out = media.application;
  for (const std::string_view field :
       {std::string_view(media.type), std::string_view(media.enabled ? "1" : "0"),
        std::string_view(media.format)}) {
    out += kMediaSeparator;
    out += field;
  }
  for (const std::string& argument : media.arguments) {
    out += kMediaSeparator;
    out += argument;
  }
  out += kMediaSeparator;
  return out;
}

Result<PersonalStatus> parse_ubx_payload(std::string_view payload) {
  if (soap::trim(payload).empty()) return PersonalStatus{};
  UbxHandler handler;
  const Status status = soap::parse_xml_stream(
      payload, handler, soap::ParseLimits{.max_bytes = kMaxUbxPayload, .max_depth = 16});
  if (!status.is_ok()) {
    const Error& error = status.error();
    return make_error(error.code == Errc::kSoap ? Errc::kProtocol : error.code,
                      "UBX: " + error.detail);
  }
  PersonalStatus result = handler.take();
  result.personal_message = wire::bounded_utf8(result.personal_message, kMaxStatusTextChars);
  auto media = parse_current_media(result.current_media_text);
  if (media && media->enabled) result.current_media = std::move(media);
  return result;
}

Result<ContactStatusMessage> parse_ubx(const wire::Command& command) {
  if (command.verb != "UBX") return bad(command.verb, "not a personal status");
  if (command.args.size() < 2) return bad("UBX", "too few arguments");
  ContactStatusMessage message;
  message.address = command.arg(0);
  if (!is_valid_address(message.address)) return bad("UBX", "invalid address");
  auto network = parse_network("UBX", command.arg(1));
  if (!network) return network.error();
  message.network = *network;
  auto status = parse_ubx_payload(command.payload);
  if (!status) return status.error();
  message.status = std::move(status).value();
  return message;
}

std::string build_uux_payload(std::string_view personal_message, const CurrentMedia* media,
                              std::string_view machine_guid) {
  std::string out = "<Data><PSM>";
  out += soap::escape_value(personal_message);
  out += "</PSM><CurrentMedia>";
  if (media != nullptr) out += soap::escape_value(format_current_media(*media));
  out += "</CurrentMedia><MachineGuid>";
  out += soap::escape_value(machine_guid);
  out += "</MachineGuid></Data>";
  return out;
}

}  // namespace msn
