// SPDX-License-Identifier: GPL-2.0-or-later
// Presence on the notification server (docs/protocol/presence.md): status codes, client
// capabilities, the ILN/NLN/FLN/UBX notices about contacts and the UUX payload about ourselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/contact.h"
#include "wire/command.h"

namespace msn {

enum class PresenceStatus {
  kOnline,       // NLN
  kBusy,         // BSY
  kIdle,         // IDL
  kBeRightBack,  // BRB
  kAway,         // AWY
  kOnThePhone,   // PHN
  kOutToLunch,   // LUN
  kHidden,       // HDN: appear offline (own status only)
  kOffline,      // FLN: only ever received
};

// "NLN" -> kOnline ...; nullopt for anything else (codes are upper case on the wire).
std::optional<PresenceStatus> parse_presence_status(std::string_view code);
// kOnline -> "NLN" ...
std::string_view presence_code(PresenceStatus status);

// Client capability flags (the CHG/ILN/NLN client id): feature bits low, MSNC version in the
// top byte.
namespace caps {
inline constexpr std::uint32_t kWindowsMobile = 0x1;
inline constexpr std::uint32_t kInkGif = 0x4;
inline constexpr std::uint32_t kInkIsf = 0x8;
inline constexpr std::uint32_t kWebcam = 0x10;
inline constexpr std::uint32_t kP2pPackets = 0x20;
inline constexpr std::uint32_t kMsnMobileDevice = 0x40;
inline constexpr std::uint32_t kMsnDirectDevice = 0x80;
inline constexpr std::uint32_t kWebMessenger = 0x200;
inline constexpr std::uint32_t kTabletGateway = 0x800;
inline constexpr std::uint32_t kSpace = 0x1000;
inline constexpr std::uint32_t kMediaCenter = 0x2000;
inline constexpr std::uint32_t kDirectIm = 0x4000;
inline constexpr std::uint32_t kWinks = 0x8000;
inline constexpr std::uint32_t kSharedSearch = 0x10000;
inline constexpr std::uint32_t kBot = 0x20000;
inline constexpr std::uint32_t kVoiceIm = 0x40000;
inline constexpr std::uint32_t kSecureChannel = 0x80000;
inline constexpr std::uint32_t kSipInvite = 0x100000;
inline constexpr std::uint32_t kSharedDrive = 0x400000;
inline constexpr std::uint32_t kOneCare = 0x1000000;
inline constexpr std::uint32_t kP2pTurn = 0x2000000;
inline constexpr std::uint32_t kP2pBootstrapViaUun = 0x4000000;

// MSNC versions (top byte).
inline constexpr std::uint32_t kMsnc1 = 0x10u << 24;  // 6.0
inline constexpr std::uint32_t kMsnc4 = 0x40u << 24;  // 7.0
inline constexpr std::uint32_t kMsnc7 = 0x70u << 24;  // 8.1
inline constexpr std::uint32_t kMsnc8 = 0x80u << 24;  // 8.5
inline constexpr std::uint32_t kVersionMask = 0xFFu << 24;
}  // namespace caps

// What we advertise: only what works. P2P packets and the MSNC version say we speak MSNP2P
// (display pictures work: session/picture_manager.h); the reference calls MSNC 8.5 with 0x20
// accurate for an MSNP15 client with P2Pv1 (the old plugin sent MSNC4, WLM 8.5 sends MSNC8).
// Ink arrives as GIF or ISF and is shown (session/ink_message.h), so both ink bits are set.
// Every other feature bit (files, voice, winks, webcam, direct connections) makes peers start
// sessions this client declines (603), so none is set. Plain messages, typing and nudges need
// no bit.
inline constexpr std::uint32_t kClientCapabilities =
    caps::kMsnc8 | caps::kP2pPackets | caps::kInkGif | caps::kInkIsf;

// A personal message or song title past a few hundred characters is not something a real
// client sends; anything longer only costs memory and UI time.
inline constexpr std::size_t kMaxStatusTextChars = 512;

// A contact's presence from ILN (initial, after our first CHG) or NLN (a change).
struct ContactPresence {
  PresenceStatus status = PresenceStatus::kOnline;
  std::string address;
  Network network = Network::kPassport;
  std::string friendly_name;  // URL-decoded, at most wire::kMaxFriendlyNameChars
  std::uint32_t capabilities = 0;
  std::string msn_object;  // URL-decoded <msnobj .../>; empty when absent or "0"
};

// ILN {trid} {status} {email} {network} {friendly} {caps} [{msnobj}]
// NLN {status} {email} {network} {friendly} {caps} [{msnobj}]
// Errc::kProtocol for another verb, missing arguments, an unknown status code, an invalid
// address or a non-numeric network (the caller logs and ignores the line). An unparsable
// capability number reads as 0.
Result<ContactPresence> parse_presence(const wire::Command& command);

// FLN {email} [{network}]: the contact went offline (close any P2P state with it).
struct ContactOffline {
  std::string address;
  Network network = Network::kPassport;
};
Result<ContactOffline> parse_fln(const wire::Command& command);

// The CurrentMedia string: `App\0Type\0Enabled\0Format\0Arg0\0Arg1...` where "\0" is the two
// characters backslash and zero.
struct CurrentMedia {
  std::string application;  // "WMP"
  std::string type;         // "Music", "Games", "Office"
  bool enabled = false;
  std::string format;  // "{0} - {1}"
  std::vector<std::string> arguments;

  // The format with each {N} replaced by arguments[N] ({N} past the end stays as written),
  // valid UTF-8 of at most kMaxStatusTextChars characters: the expansion stops there, so a
  // format repeating {0} cannot blow up.
  std::string formatted() const;
  bool operator==(const CurrentMedia&) const = default;
};
// nullopt for an empty string or one with fewer than four fields.
std::optional<CurrentMedia> parse_current_media(std::string_view text);
// The wire string, ending with "\0" as WLM writes it.
std::string format_current_media(const CurrentMedia& media);

// A UBX / UUX payload: <Data><PSM/><CurrentMedia/><MachineGuid/></Data>.
struct PersonalStatus {
  std::string personal_message;               // PSM, entities decoded, kMaxStatusTextChars
  std::string current_media_text;             // CurrentMedia as sent
  std::optional<CurrentMedia> current_media;  // set when it parses and is enabled
  std::string machine_guid;
};

// An empty payload is an empty PersonalStatus; unknown children are ignored. Errc::kProtocol
// for a payload that is not a well-formed <Data> document.
Result<PersonalStatus> parse_ubx_payload(std::string_view payload);

// UBX {email} {network} {len} + payload.
struct ContactStatusMessage {
  std::string address;
  Network network = Network::kPassport;
  PersonalStatus status;
};
Result<ContactStatusMessage> parse_ubx(const wire::Command& command);

// The UUX payload: `<Data><PSM>..</PSM><CurrentMedia>..</CurrentMedia><MachineGuid>..
// </MachineGuid></Data>` with every value XML-escaped and control bytes dropped. The caller
// strips any HTML from the message first.
// Example: build_uux_payload("Writing a protocol engine") ->
//   "<Data><PSM>Writing a protocol engine</PSM><CurrentMedia></CurrentMedia>"
//   "<MachineGuid></MachineGuid></Data>"
std::string build_uux_payload(std::string_view personal_message,
                              const CurrentMedia* media = nullptr,
                              std::string_view machine_guid = {});

}  // namespace msn
