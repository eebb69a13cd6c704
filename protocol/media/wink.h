// SPDX-License-Identifier: GPL-2.0-or-later
// A received wink package (docs/protocol/media.md, "Winks"): a cabinet holding content.xml, a
// Flash animation and a still image. Without a Flash player, the thumbnail and the name are what
// a client can show.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"
#include "media/cab.h"

namespace msn::media {

enum class ImageType { kPng, kJpeg, kGif };

struct Wink {
  std::string name;       // content.xml's wink:name, else the animation's file stem; may be empty
  std::string thumbnail;  // the still image's bytes
  ImageType thumbnail_type = ImageType::kPng;  // from the bytes' signature, not the file name
  std::string thumbnail_file;                  // its name inside the cabinet
  std::string animation_file;                  // the .swf's name inside the cabinet; may be empty
  std::string animation;  // the .swf's bytes, for a caller that can play or save it
  int width = 0;          // wink:sizex / wink:sizey when given, else 0
  int height = 0;
};

struct WinkLimits {
  CabLimits cab{};
  std::size_t max_content_xml_bytes = 64 * 1024;
};

// Unpacks a wink cabinet, or a .mco package (a cabinet whose content.xml names an inner wink
// cabinet) one level deep. Errc::kLimit past a bound; Errc::kProtocol when the cabinet is
// malformed, content.xml is missing or malformed (a DTD is refused outright, entities are
// never expanded, nothing is fetched), or the thumbnail is missing or not PNG, JPEG or GIF.
Result<Wink> unpack_wink(std::string_view cab, const WinkLimits& limits = {});

// The image type from its first bytes, if it is one a conversation can show.
Result<ImageType> sniff_image(std::string_view bytes);

}  // namespace msn::media
