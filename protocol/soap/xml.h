// SPDX-License-Identifier: GPL-2.0-or-later
// Safe libxml2 parsing and namespace-blind navigation for SOAP documents.
// Servers use any prefix (soap:, S:, q0:...), so every lookup matches local names only.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/unique_c.h"

namespace msn::soap {

struct XmlLimits {
  std::size_t max_bytes = 64 * 1024 * 1024;
};

// A parsed document. Parsing never touches the network, never loads or expands external
// entities, and rejects any document that carries a DTD (SOAP never does), which rules out
// entity-expansion attacks. Errc::kSoap with a detail on malformed input (the detail is the
// parser's complaint and line: names at most, never character data); Errc::kLimit when the
// text is longer than limits.max_bytes.
class XmlDocument {
 public:
  static Result<XmlDocument> parse(std::string_view text, XmlLimits limits = {});
  xmlNode* root() const;

 private:
  explicit XmlDocument(XmlDocPtr doc) : doc_(std::move(doc)) {}
  XmlDocPtr doc_;
};

// First element child of `parent` with this local name, or nullptr (parent may be nullptr).
xmlNode* child(const xmlNode* parent, std::string_view local_name);
// Follows a path of local names: path(root, {"Body", "Fault"}).
xmlNode* path(const xmlNode* from, std::initializer_list<std::string_view> local_names);
// Every element child with this local name.
std::vector<xmlNode*> children(const xmlNode* parent, std::string_view local_name);
// First element anywhere below `from` (depth first, `from` included) with this local name.
xmlNode* find_descendant(const xmlNode* from, std::string_view local_name);
// Concatenated text content with entities decoded; empty for nullptr.
std::string text(const xmlNode* node);
// An attribute's value by local name, empty if absent.
std::string attribute(const xmlNode* node, std::string_view local_name);
// True if the element's local name equals `local_name`.
bool is_named(const xmlNode* node, std::string_view local_name);

// Escapes & < > " ' for element text and attribute values.
std::string escape(std::string_view text);

}  // namespace msn::soap
