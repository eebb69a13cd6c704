// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/ink.md, "How ink arrives".
#include "session/ink_message.h"

#include <utility>

#include "crypto/crypto.h"
#include "ink/isf.h"
#include "ink/render.h"

namespace msn {

namespace {

constexpr std::string_view kBase64Prefix = "base64:";
constexpr std::string_view kGifType = "image/gif";
constexpr std::string_view kIsfType = "application/x-ms-ink";

bool is_gif(std::string_view data) {
  return data.starts_with("GIF87a") || data.starts_with("GIF89a");
}

// The bytes behind "base64:", bounded before anything is decoded.
Result<std::string> decode_body(std::string_view body, const InkLimits& limits) {
  if (!body.starts_with(kBase64Prefix))
    return make_error(Errc::kProtocol, "ink body without the base64: prefix");
  body.remove_prefix(kBase64Prefix.size());
  // Trailing NULs and line ends are what some senders leave after the text.
  while (!body.empty() && (body.back() == '\0' || body.back() == '\r' || body.back() == '\n'))
    body.remove_suffix(1);
  if (body.size() > max_ink_body_bytes(limits))
    return make_error(Errc::kLimit, "ink larger than the bound");
  auto bytes = crypto::base64_decode(body);
  if (!bytes) return make_error(Errc::kProtocol, "ink body is not base64");
  if (bytes->empty()) return make_error(Errc::kProtocol, "empty ink");
  if (bytes->size() > limits.max_image_bytes)
    return make_error(Errc::kLimit, "ink larger than the bound");
  return std::move(bytes.value());
}

Result<InkImage> render_isf(std::string_view isf) {
  auto ink = ink::parse_isf(isf);
  if (!ink) return make_error(ink.error().code, "ISF ink: " + ink.error().detail);
  auto png = ink::render_png(ink.value());
  if (!png) return make_error(png.error().code, "ISF ink: " + png.error().detail);
  return InkImage{std::move(png.value()), "image/png"};
}

}  // namespace

std::size_t max_ink_body_bytes(const InkLimits& limits) {
  return kBase64Prefix.size() + (limits.max_image_bytes + 2) / 3 * 4 + 64;
}

Result<InkImage> ink_image(const wire::MimeMessage& message, const InkLimits& limits) {
  const std::string type = message.media_type();
  if (type != kGifType && type != kIsfType)
    return make_error(Errc::kInvalidArgument, "not an ink message: " + type);
  auto bytes = decode_body(message.body, limits);
  if (!bytes) return bytes.error();
  if (type == kIsfType) return render_isf(bytes.value());
  if (!is_gif(bytes.value())) return make_error(Errc::kProtocol, "GIF ink that is not a GIF");
  return InkImage{std::move(bytes.value()), std::string(kGifType)};
}

// UTF-16LE to UTF-8: surrogate pairs joined, lone surrogates replaced (append_utf8), U+0000 kept
// so that the NULs around the body can be found afterwards.
Result<wire::MimeMessage> parse_p2p_ink(std::string_view blob, const InkLimits& limits) {
  if (blob.size() > limits.max_p2p_blob_bytes)
    return make_error(Errc::kLimit, "P2P ink larger than the bound");
  if (blob.size() % 2 != 0) return make_error(Errc::kProtocol, "P2P ink is not UTF-16");
  std::string text;
  text.reserve(blob.size() / 2);
  for (std::size_t i = 0; i < blob.size(); i += 2) {
    std::uint32_t unit = static_cast<std::uint8_t>(blob[i]) |
                         (static_cast<std::uint32_t>(static_cast<std::uint8_t>(blob[i + 1])) << 8);
    if (unit >= 0xD800 && unit < 0xDC00 && i + 3 < blob.size()) {
      const std::uint32_t low =
          static_cast<std::uint8_t>(blob[i + 2]) |
          (static_cast<std::uint32_t>(static_cast<std::uint8_t>(blob[i + 3])) << 8);
      if (low >= 0xDC00 && low < 0xE000) {
        unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
        i += 2;
      }
    }
    if (i == 0 && unit == 0xFEFF) continue;  // a byte order mark
    wire::append_utf8(text, unit);
  }
  const std::size_t blank = text.find("\r\n\r\n");
  if (blank == std::string::npos) return make_error(Errc::kProtocol, "P2P ink without headers");
  auto message = wire::parse_mime_message(std::string_view(text).substr(0, blank + 4));
  if (!message) return message.error();
  std::string_view body = std::string_view(text).substr(blank + 4);
  // One U+0000 separates the headers from the body (aMSN skips exactly one); the final NULs
  // are dropped with the body's trailing NULs in decode_body().
  if (body.starts_with('\0')) body.remove_prefix(1);
  message->body = std::string(body);
  return message;
}

}  // namespace msn
