// SPDX-License-Identifier: GPL-2.0-or-later
// Winks and voice clips a contact sent, fetched and decoded (session/media_receiver.h): what
// the user interface shows. Part of session/event.h's Event.
#pragma once

#include <cstdint>
#include <string>

namespace msn {

using ConversationId = std::uint64_t;

namespace ev {

enum class MediaKind { kWink, kVoiceClip };

// A wink: its still image to show inline and the cabinet as received, to offer as a file.
// `file_name` is made here from the data's hash, never from anything the peer wrote.
struct WinkReceived {
  ConversationId conversation;
  bool chat = false;
  std::string from;
  std::string name;            // content.xml's name, may be empty; peer text (escape it)
  std::string thumbnail;       // PNG, JPEG or GIF bytes
  std::string thumbnail_mime;  // image/png, image/jpeg or image/gif
  std::string cab;
  std::string file_name;  // "wink-<hex>.cab"
};

// A voice clip: a plain PCM WAV when this build decodes Siren (`decoded`), otherwise the
// Siren WAV as received (or when decoding failed), to offer as a file.
struct VoiceClipReceived {
  ConversationId conversation;
  bool chat = false;
  std::string from;
  std::uint32_t seconds = 0;  // rounded, at least 1
  std::string wav;
  bool decoded = false;
  std::string file_name;  // "voice-clip-<hex>.wav"
};

// A wink or voice clip was announced but could not be fetched or is not readable.
struct MediaUnavailable {
  ConversationId conversation;
  bool chat = false;
  std::string from;
  MediaKind kind = MediaKind::kWink;
};

}  // namespace ev
}  // namespace msn
