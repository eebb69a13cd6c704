// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: wink packages, i.e. cabinet extraction (libmspack over memory) and
// content.xml. The input is a cabinet. Checked: failures are kProtocol or kLimit, and what
// extracts keeps within the limits (file count, total size, plain names).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "media/cab.h"
#include "media/wink.h"

using msn::fuzz::check;

using namespace msn;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  media::WinkLimits limits;
  limits.cab.max_extracted_bytes = 256 * 1024;  // keeps each run fast; the bound is what matters
  auto files = media::extract_cab(input, limits.cab);
  if (!files) {
    check(files.error().code == Errc::kProtocol || files.error().code == Errc::kLimit);
  } else {
    std::size_t total = 0;
    check(!files->empty() && files->size() <= limits.cab.max_files);
    for (const auto& f : *files) {
      check(!f.name.empty() && f.name.find('/') == std::string::npos &&
            f.name.find('\\') == std::string::npos);
      total += f.data.size();
    }
    check(total <= limits.cab.max_extracted_bytes);
  }
  auto wink = media::unpack_wink(input, limits);
  if (!wink) {
    check(wink.error().code == Errc::kProtocol || wink.error().code == Errc::kLimit);
    return 0;
  }
  check(media::sniff_image(wink->thumbnail).is_ok());
  check(wink->thumbnail.size() + wink->animation.size() <= limits.cab.max_extracted_bytes);
  return 0;
}
