// SPDX-License-Identifier: GPL-2.0-or-later
// Microsoft cabinet extraction from memory (docs/protocol/media.md, "Cabinets"), for wink packages.
// libmspack reads and decompresses; this file gives it I/O over byte strings only, so nothing a
// peer sends is ever written to disk or named after a peer's file name.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::media {

struct CabLimits {
  std::size_t max_cab_bytes = 2 * 1024 * 1024;  // the cabinet as received
  std::size_t max_extracted_bytes =
      4 * 1024 * 1024;  // all files together, as declared and as written
  std::size_t max_files = 64;
  std::size_t max_name_bytes = 255;  // the format's own bound
};

struct CabFile {
  std::string name;  // as stored: a plain name, never a path (checked)
  std::string data;
};

// Every file of a single cabinet. Refuses, before decompressing anything, cabinets above the
// size bound, with more files than allowed, whose declared sizes add up past the bound, or with a
// file name that is empty, has a path separator, a drive colon, a control byte or is "." or "..".
// Errc::kLimit for the bounds, Errc::kProtocol for anything malformed, truncated or spanning
// several cabinets.
Result<std::vector<CabFile>> extract_cab(std::string_view cab, const CabLimits& limits = {});

// The file with this name, compared ASCII case-insensitively (clients disagree on the case of
// the names content.xml refers to), or nullptr.
const CabFile* find_cab_file(const std::vector<CabFile>& files, std::string_view name);

}  // namespace msn::media
