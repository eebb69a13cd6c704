// SPDX-License-Identifier: GPL-2.0-or-later
// The MSNObject: `<msnobj Creator=".." Size=".." Type=".." Location=".." Friendly=".."
// SHA1D=".." SHA1C=".."/>`, which names a display picture, emoticon, wink or voice clip
// (docs/protocol/p2p.md, "MSNObject").
//
// Attribute values are kept exactly as written between the quotes (entities not decoded):
// SHA1C hashes them so and an INVITE's Context echoes the string so. Location and Friendly are
// whatever the peer wrote; they are never a path or a file name (cache by sha1d/sha1c).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::p2p {

namespace object_type {
inline constexpr std::uint32_t kEmoticon = 2;
inline constexpr std::uint32_t kDisplayPicture = 3;
inline constexpr std::uint32_t kBackground = 5;
inline constexpr std::uint32_t kDynamicDisplayPicture = 7;
inline constexpr std::uint32_t kWink = 8;
inline constexpr std::uint32_t kVoiceClip = 11;
}  // namespace object_type

struct MsnObject {
  std::string creator;
  std::uint64_t size = 0;
  std::uint32_t type = 0;
  std::string location;
  std::string friendly;  // base64 of a UTF-16LE name; "AAA=" is empty
  std::string sha1d;     // base64 SHA-1 of the data
  std::string sha1c;     // empty when the object has none (newer clients omit it)
  std::string url1;      // optional HTTP location of the data; empty when absent
  bool operator==(const MsnObject&) const = default;
};

struct MsnObjectLimits {
  std::size_t max_bytes = 2048;     // the whole string; real ones are about 200 bytes
  std::size_t max_attributes = 16;  // newer clients add a few we ignore
};

// Parses the string form. Attributes may come in any order; unknown ones are skipped.
// Errc::kProtocol when Creator, Size, Type, Location, Friendly or SHA1D is missing or
// repeated, Size/Type are not decimal numbers, SHA1D/SHA1C are not base64 of 20 bytes, a
// value holds a control character, '<', '"' or invalid UTF-8, or the text is not one `<msnobj
// .../>` element. Errc::kLimit past a bound.
Result<MsnObject> parse_msn_object(std::string_view text, MsnObjectLimits limits = {});
// The same, from the URL-encoded form of CHG/NLN/ILN lines.
Result<MsnObject> parse_url_encoded_msn_object(std::string_view text, MsnObjectLimits limits = {});

// The string form, attributes in the canonical order (SHA1C only when present, Url1 never).
std::string serialize(const MsnObject& object);

// base64(SHA-1(data)).
std::string compute_sha1d(std::string_view data);
// base64(SHA-1("Creator" c "Size" n "Type" t "Location" l "Friendly" f "SHA1D" d)) over the
// values as written.
std::string compute_sha1c(const MsnObject& object);
// An object for our own data: Size, SHA1D and SHA1C computed. Creator, Location and Friendly
// are given as plain text and XML-escaped here.
MsnObject make_msn_object(std::string_view creator, std::uint32_t type, std::string_view location,
                          std::string_view friendly, std::string_view data);
// The most bytes we fetch or serve for an object of `type`; 0 for types nothing here handles.
// Emoticons are small images (19x19 to 50x50, animated GIFs larger); winks are cabinets with a
// Flash animation; voice clips at most about 15 s of Siren audio.
std::size_t max_object_bytes(std::uint32_t type);
// The AppID of our INVITE for an object of `type`: 11 for emoticons, as WLM and papyon (the
// plugin's 1 is accepted too); 1 for everything else, as the plugin asks for pictures and
// every client for winks and voice clips.
std::uint32_t request_app_id(std::uint32_t type);
// True when `data` is what the object names (its size and SHA1D).
bool matches_data(const MsnObject& object, std::string_view data);
// What a cache should file the data under: SHA1C if present, else SHA1D.
const std::string& cache_key(const MsnObject& object);

// The Context of an msnobj INVITE: base64 of the msnobj string. `with_nul` appends the C
// terminator before encoding, as some clients do; the plugin (and the reference transcript)
// do not.
std::string encode_context(std::string_view msnobj_string, bool with_nul = false);
// The msnobj string inside a Context, without a trailing NUL if one was encoded.
// Errc::kProtocol for invalid base64; Errc::kLimit for more than limits.max_bytes.
Result<std::string> decode_context(std::string_view context, MsnObjectLimits limits = {});

}  // namespace msn::p2p
