// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "File transfer".
#include "p2p/file_context.h"

#include <algorithm>

#include "wire/mime_message.h"

namespace msn::p2p {
namespace {

using wire::append_utf8;

using namespace file_context;

constexpr char32_t kReplacement = 0xFFFD;
constexpr std::size_t kNameOffset = 20;
constexpr std::size_t kNameBytes = kNameChars * 2;
constexpr std::size_t kMarkerOffset = 570;

void put_u32(std::string& out, std::size_t at, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

void put_u64(std::string& out, std::size_t at, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out[at + i] = static_cast<char>((value >> (8 * i)) & 0xFF);
}

std::uint64_t get_le(std::string_view in, std::size_t at, int bytes) {
  std::uint64_t value = 0;
  for (int i = bytes - 1; i >= 0; --i)
    value = (value << 8) | static_cast<unsigned char>(in[at + static_cast<std::size_t>(i)]);
  return value;
}

// One code point of UTF-8 at `i` (advanced past it); anything malformed, overlong, a
// surrogate or beyond U+10FFFF is one byte of U+FFFD.
char32_t next_utf8(std::string_view s, std::size_t& i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  std::size_t len = 0;
  char32_t cp = 0;
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    cp = b0 & 0x07;
  } else {
    ++i;
    return kReplacement;
  }
  if (s.size() - i < len) {
    ++i;
    return kReplacement;
  }
  for (std::size_t k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) {
      ++i;
      return kReplacement;
    }
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
    ++i;
    return kReplacement;
  }
  i += len;
  return cp;
}

// The name field: UTF-16LE up to the first NUL code unit, lone surrogates as U+FFFD.
std::string name_from_utf16(std::string_view field) {
  std::string name;
  for (std::size_t i = 0; i + 1 < field.size(); i += 2) {
    const auto unit = static_cast<char32_t>(get_le(field, i, 2));
    if (unit == 0) break;
    if (unit >= 0xD800 && unit <= 0xDBFF && i + 3 < field.size()) {
      const auto low = static_cast<char32_t>(get_le(field, i + 2, 2));
      if (low >= 0xDC00 && low <= 0xDFFF) {
        append_utf8(name, 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00));
        i += 2;
        continue;
      }
    }
    append_utf8(name, (unit >= 0xD800 && unit <= 0xDFFF) ? kReplacement : unit);
  }
  return name;
}

// The fixed part's length for a version and length field, or 0 when not acceptable.
std::size_t fixed_length(std::uint32_t version, std::uint64_t length) {
  switch (version) {
    case 0:
      return length == kLengthV0 ? kLengthV0 : 0;
    case 2:
      return length >= kLengthV2 ? kLengthV2 : 0;
    case 3:
      return length == kLengthV3 ? kLengthV3 : 0;
    default:
      return 0;
  }
}

bool unsafe_in_name(char32_t cp) {
  return cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == '/' || cp == '\\' ||
         cp == 0x2028 || cp == 0x2029;
}

}  // namespace

std::string build_file_context(std::string_view name, std::uint64_t size) {
  std::string out(kLengthV2, '\0');
  put_u32(out, 0, kLengthV2);
  put_u32(out, 4, 2);
  put_u64(out, 8, size);
  put_u32(out, 16, kTypeNoPreview);
  std::size_t units = 0;
  for (std::size_t i = 0; i < name.size();) {
    const char32_t cp = next_utf8(name, i);
    const std::size_t need = cp >= 0x10000 ? 2 : 1;
    if (units + need > kNameChars - 1) break;  // the last unit stays NUL
    if (need == 2) {
      const char32_t v = cp - 0x10000;
      out[kNameOffset + 2 * units] = static_cast<char>((0xD800 + (v >> 10)) & 0xFF);
      out[kNameOffset + 2 * units + 1] = static_cast<char>((0xD800 + (v >> 10)) >> 8);
      ++units;
      out[kNameOffset + 2 * units] = static_cast<char>((0xDC00 + (v & 0x3FF)) & 0xFF);
      out[kNameOffset + 2 * units + 1] = static_cast<char>((0xDC00 + (v & 0x3FF)) >> 8);
    } else {
      out[kNameOffset + 2 * units] = static_cast<char>(cp & 0xFF);
      out[kNameOffset + 2 * units + 1] = static_cast<char>(cp >> 8);
    }
    ++units;
  }
  put_u32(out, kMarkerOffset, 0xFFFFFFFFu);
  return out;
}

Result<FileContext> parse_file_context(std::string_view bytes) {
  if (bytes.size() > kMaxBytes) return make_error(Errc::kProtocol, "file context too long");
  if (bytes.size() < kLengthV0) return make_error(Errc::kProtocol, "file context too short");
  FileContext context;
  const std::uint64_t length = get_le(bytes, 0, 4);
  context.version = static_cast<std::uint32_t>(get_le(bytes, 4, 4));
  const std::size_t fixed = fixed_length(context.version, length);
  if (fixed == 0) return make_error(Errc::kProtocol, "file context of unknown version or length");
  if (bytes.size() < fixed)
    return make_error(Errc::kProtocol, "file context shorter than its length");
  context.size = get_le(bytes, 8, 8);
  context.type = static_cast<std::uint32_t>(get_le(bytes, 16, 4));
  context.name = name_from_utf16(bytes.substr(kNameOffset, kNameBytes));
  if (context.type == kTypePreview) context.preview = std::string(bytes.substr(fixed));
  return context;
}

std::string sanitize_file_name(std::string_view name) {
  std::string cleaned;
  for (std::size_t i = 0; i < name.size();) {
    char32_t cp = next_utf8(name, i);
    if (unsafe_in_name(cp)) cp = '_';
    // A run of dots is one dot: no ".." survives, wherever a separator used to be.
    if (cp == '.' && !cleaned.empty() && cleaned.back() == '.') continue;
    append_utf8(cleaned, cp);
  }
  const std::size_t first = cleaned.find_first_not_of(". ");
  if (first == std::string::npos) return "file";
  cleaned.erase(0, first);
  if (cleaned.size() > kMaxNameBytes) {
    std::size_t cut = kMaxNameBytes;
    while (cut > 0 && (static_cast<unsigned char>(cleaned[cut]) & 0xC0) == 0x80) --cut;
    cleaned.resize(cut);
  }
  while (!cleaned.empty() && (cleaned.back() == '.' || cleaned.back() == ' ')) cleaned.pop_back();
  return cleaned.empty() ? "file" : cleaned;
}

}  // namespace msn::p2p
