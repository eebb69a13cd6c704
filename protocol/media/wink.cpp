// SPDX-License-Identifier: GPL-2.0-or-later
#include "media/wink.h"

#include <charconv>
#include <optional>
#include <utility>
#include <vector>

#include "core/ascii.h"
#include "core/unique_c.h"

namespace msn::media {

namespace {

// What content.xml says, before the files it names are looked up.
struct Manifest {
  std::string name;
  std::string thumbnail_file;
  std::string animation_file;
  std::string inner_cab_file;  // .mco packages: the wink cabinet inside
  int width = 0;
  int height = 0;
};

// Neither network access nor entity substitution nor DTD loading: the options libxml2 needs to
// do any of that are left out, and a document that declares a DTD at all is refused below.
constexpr int kXmlOptions =
    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS;

std::string attribute(const xmlNode* node, const char* local_name) {
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (a->name == nullptr) continue;
    std::string_view name(reinterpret_cast<const char*>(a->name));
    // An undeclared "wink:" prefix leaves the whole qualified name in `name`.
    if (const auto colon = name.rfind(':'); colon != std::string_view::npos)
      name.remove_prefix(colon + 1);
    if (name != local_name) continue;
    XmlCharPtr value(xmlNodeListGetString(node->doc, a->children, 1));
    return value ? std::string(reinterpret_cast<const char*>(value.get())) : std::string();
  }
  return {};
}

int dimension(const std::string& text) {
  int value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0 || value > 4096) return 0;
  return value;
}

bool ends_with_cab(std::string_view name) {
  return name.size() > 4 && ascii::iequals(name.substr(name.size() - 4), ".cab");
}

// Items are matched by their type attribute ("thumbnail", "animation") or element name; the
// file attribute names the file. The walk is iterative and bounded by the document size.
void read_item(const xmlNode* node, Manifest& m) {
  const std::string type = ascii::to_lower(attribute(node, "type"));
  const std::string element = ascii::to_lower(reinterpret_cast<const char*>(node->name));
  const std::string file = attribute(node, "file");
  if (m.name.empty()) m.name = attribute(node, "name");
  if (m.width == 0) m.width = dimension(attribute(node, "sizex"));
  if (m.height == 0) m.height = dimension(attribute(node, "sizey"));
  if (file.empty()) return;
  if ((type == "thumbnail" || element == "thumbnail") && m.thumbnail_file.empty())
    m.thumbnail_file = file;
  else if ((type == "animation" || element == "animation") && m.animation_file.empty())
    m.animation_file = file;
  else if (ends_with_cab(file) && m.inner_cab_file.empty())
    m.inner_cab_file = file;
}

Result<Manifest> parse_manifest(std::string_view xml, const WinkLimits& limits) {
  if (xml.size() > limits.max_content_xml_bytes)
    return make_error(Errc::kLimit,
                      "wink: content.xml of " + std::to_string(xml.size()) + " bytes");
  XmlDocPtr doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "content.xml", nullptr, kXmlOptions));
  if (!doc) return make_error(Errc::kProtocol, "wink: content.xml is not well-formed");
  if (doc->intSubset != nullptr || doc->extSubset != nullptr)
    return make_error(Errc::kProtocol, "wink: content.xml declares a DTD");
  Manifest m;
  std::vector<const xmlNode*> pending{xmlDocGetRootElement(doc.get())};
  while (!pending.empty()) {
    const xmlNode* node = pending.back();
    pending.pop_back();
    for (; node != nullptr; node = node->next) {
      if (node->type != XML_ELEMENT_NODE) continue;
      read_item(node, m);
      if (node->children != nullptr) pending.push_back(node->children);
    }
  }
  return m;
}

std::string file_stem(std::string_view name) {
  const auto dot = name.rfind('.');
  return std::string(dot == std::string_view::npos || dot == 0 ? name : name.substr(0, dot));
}

Result<Wink> unpack(std::string_view cab, const WinkLimits& limits, int depth) {
  auto files = extract_cab(cab, limits.cab);
  if (!files) return files.error();
  const CabFile* content = find_cab_file(files.value(), "content.xml");
  if (content == nullptr) return make_error(Errc::kProtocol, "wink: no content.xml");
  auto manifest = parse_manifest(content->data, limits);
  if (!manifest) return manifest.error();
  Manifest& m = manifest.value();
  if (m.thumbnail_file.empty() && !m.inner_cab_file.empty() && depth == 0) {
    const CabFile* inner = find_cab_file(files.value(), m.inner_cab_file);
    if (inner == nullptr)
      return make_error(Errc::kProtocol, "wink: the package's inner cabinet is missing");
    return unpack(inner->data, limits, depth + 1);
  }
  const CabFile* thumb =
      m.thumbnail_file.empty() ? nullptr : find_cab_file(files.value(), m.thumbnail_file);
  if (thumb == nullptr) return make_error(Errc::kProtocol, "wink: no thumbnail");
  auto type = sniff_image(thumb->data);
  if (!type) return type.error();
  Wink wink;
  wink.thumbnail = thumb->data;
  wink.thumbnail_type = type.value();
  wink.thumbnail_file = thumb->name;
  if (const CabFile* anim =
          m.animation_file.empty() ? nullptr : find_cab_file(files.value(), m.animation_file)) {
    wink.animation_file = anim->name;
    wink.animation = anim->data;
  }
  wink.name = !m.name.empty() ? m.name : file_stem(wink.animation_file);
  wink.width = m.width;
  wink.height = m.height;
  return wink;
}

}  // namespace

Result<ImageType> sniff_image(std::string_view bytes) {
  if (bytes.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) return ImageType::kPng;
  if (bytes.substr(0, 3) == "\xFF\xD8\xFF") return ImageType::kJpeg;
  if (bytes.substr(0, 6) == "GIF87a" || bytes.substr(0, 6) == "GIF89a") return ImageType::kGif;
  return make_error(Errc::kProtocol, "wink: the thumbnail is not PNG, JPEG or GIF");
}

Result<Wink> unpack_wink(std::string_view cab, const WinkLimits& limits) {
  return unpack(cab, limits, 0);
}

}  // namespace msn::media
