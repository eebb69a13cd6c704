// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: ink as it arrives (session/ink_message.h). The first byte picks the
// carrier: even, a switchboard MSG payload (MIME headers, body "base64:..."); odd, the
// UTF-16LE data of a P2P SessionID 64 message. Checked: errors are only the documented codes,
// and an image is a GIF (as checked) or a PNG, never empty, within the image bound.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "session/ink_message.h"
#include "wire/mime_message.h"

using msn::fuzz::check;

namespace {

using namespace msn;

void check_image(const Result<InkImage>& image, const InkLimits& limits) {
  if (!image) {
    const Errc code = image.error().code;
    check(code == Errc::kProtocol || code == Errc::kLimit || code == Errc::kInvalidArgument);
    return;
  }
  check(!image->data.empty());
  if (image->mime_type == "image/gif") {
    check(image->data.size() <= limits.max_image_bytes);
    check(image->data.starts_with("GIF87a") || image->data.starts_with("GIF89a"));
  } else {
    check(image->mime_type == "image/png");
    check(image->data.starts_with("\x89PNG\r\n\x1a\n"));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
  InkLimits limits;
  limits.max_image_bytes = 64 * 1024;  // keeps each run short; the code paths are the same
  limits.max_p2p_blob_bytes = 256 * 1024;
  if ((data[0] & 1) == 0) {
    auto message = wire::parse_mime_message(input);
    if (!message) return 0;
    if (wire::classify(*message) != wire::MessageKind::kInk) {
      check(!ink_image(*message, limits).is_ok());
      return 0;
    }
    check_image(ink_image(*message, limits), limits);
    return 0;
  }
  auto message = parse_p2p_ink(input, limits);
  if (!message) {
    check(message.error().code == Errc::kProtocol || message.error().code == Errc::kLimit);
    return 0;
  }
  check_image(ink_image(*message, limits), limits);
  return 0;
}
