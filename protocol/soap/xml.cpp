// SPDX-License-Identifier: GPL-2.0-or-later
#include "soap/xml.h"

#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <climits>
#include <cstring>
#include <mutex>

namespace msn::soap {
namespace {

// What the SAX hooks learn while libxml2 parses; reached through ctxt->_private.
struct ParseState {
  bool saw_dtd = false;
  std::string first_error;
};

constexpr std::size_t kMaxErrorDetail = 160;

// Without NOENT/DTDLOAD nothing would be expanded or fetched anyway; NOERROR/NOWARNING keep
// libxml2 from printing to stderr should the per-context handler below ever be bypassed.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;

ParseState* state_of(void* ctx) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  return ctxt == nullptr ? nullptr : static_cast<ParseState*>(ctxt->_private);
}

// libxml2 2.12 made the error argument const.
#if LIBXML_VERSION >= 21200
using XmlErrorArg = const xmlError*;
#else
using XmlErrorArg = xmlErrorPtr;
#endif

// Keeps the first error for the detail; its message holds names at most, never text content.
void on_structured_error(void* ctx, XmlErrorArg error) {
  ParseState* state = state_of(ctx);
  if (state == nullptr || error == nullptr || !state->first_error.empty()) return;
  std::string message = error->message != nullptr ? error->message : "unknown error";
  if (message.size() > kMaxErrorDetail) {
    std::size_t cut = kMaxErrorDetail;  // back off to a UTF-8 character boundary
    while (cut > 0 && (static_cast<unsigned char>(message[cut]) & 0xC0) == 0x80) --cut;
    message.resize(cut);
  }
  std::replace_if(
      message.begin(), message.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; },
      ' ');
  while (!message.empty() && message.back() == ' ') message.pop_back();
  state->first_error = "line " + std::to_string(error->line) + ": " + message;
}

// The DOCTYPE is refused the moment it is seen, before any internal subset (and so any
// entity declaration) is read.
void on_internal_subset(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external_id*/,
                        const xmlChar* /*system_id*/) {
  if (ParseState* state = state_of(ctx)) state->saw_dtd = true;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

void init_libxml_once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::string_view name_of(const xmlNode* node) {
  return node->name == nullptr ? std::string_view{} : reinterpret_cast<const char*>(node->name);
}

std::string take_xml_string(xmlChar* raw) {
  const XmlCharPtr owned(raw);
  return owned ? std::string(reinterpret_cast<const char*>(owned.get())) : std::string{};
}

}  // namespace

Result<XmlDocument> XmlDocument::parse(std::string_view text, XmlLimits limits) {
  if (text.empty()) return make_error(Errc::kSoap, "XML: empty document");
  if (text.size() > limits.max_bytes || text.size() > static_cast<std::size_t>(INT_MAX))
    return make_error(Errc::kLimit, "XML: document of " + std::to_string(text.size()) +
                                        " bytes exceeds the limit");
  init_libxml_once();

  XmlParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(text.data(), static_cast<int>(text.size())));
  if (!ctxt || ctxt->sax == nullptr) return make_error(Errc::kSoap, "XML: no parser context");
  ParseState state;
  ctxt->_private = &state;
  xmlCtxtUseOptions(ctxt.get(), kParseOptions);
  ctxt->sax->serror = on_structured_error;
  ctxt->sax->internalSubset = on_internal_subset;

  xmlParseDocument(ctxt.get());
  XmlDocPtr doc(ctxt->myDoc);
  ctxt->myDoc = nullptr;
  ctxt->_private = nullptr;

  // The intSubset/extSubset checks are a second line in case a DTD slipped past the hook.
  if (state.saw_dtd || (doc && (doc->intSubset != nullptr || doc->extSubset != nullptr)))
    return make_error(Errc::kSoap, "XML: document type declarations are not accepted");
  if (!doc || ctxt->wellFormed == 0) {
    const std::string why = state.first_error.empty() ? "no detail" : state.first_error;
    return make_error(Errc::kSoap, "XML: malformed document (" + why + ")");
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr)
    return make_error(Errc::kSoap, "XML: no root element");
  return XmlDocument(std::move(doc));
}

xmlNode* XmlDocument::root() const { return xmlDocGetRootElement(doc_.get()); }

bool is_named(const xmlNode* node, std::string_view local_name) {
  return node != nullptr && node->type == XML_ELEMENT_NODE && name_of(node) == local_name;
}

xmlNode* child(const xmlNode* parent, std::string_view local_name) {
  if (parent == nullptr) return nullptr;
  for (xmlNode* n = parent->children; n != nullptr; n = n->next)
    if (is_named(n, local_name)) return n;
  return nullptr;
}

xmlNode* path(const xmlNode* from, std::initializer_list<std::string_view> local_names) {
  const xmlNode* node = from;
  for (const std::string_view name : local_names) node = child(node, name);
  return const_cast<xmlNode*>(node);
}

std::vector<xmlNode*> children(const xmlNode* parent, std::string_view local_name) {
  std::vector<xmlNode*> out;
  if (parent == nullptr) return out;
  for (xmlNode* n = parent->children; n != nullptr; n = n->next)
    if (is_named(n, local_name)) out.push_back(n);
  return out;
}

// Iterative, so a deep document cannot exhaust the stack.
xmlNode* find_descendant(const xmlNode* from, std::string_view local_name) {
  const xmlNode* n = from;
  while (n != nullptr) {
    if (is_named(n, local_name)) return const_cast<xmlNode*>(n);
    const bool container = n->type == XML_ELEMENT_NODE || n->type == XML_DOCUMENT_NODE;
    if (container && n->children != nullptr) {
      n = n->children;
      continue;
    }
    while (n != from && n->next == nullptr) n = n->parent;
    if (n == from) return nullptr;
    n = n->next;
  }
  return nullptr;
}

std::string text(const xmlNode* node) {
  if (node == nullptr) return {};
  return take_xml_string(xmlNodeGetContent(node));
}

std::string attribute(const xmlNode* node, std::string_view local_name) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return {};
  for (const xmlAttr* attr = node->properties; attr != nullptr; attr = attr->next) {
    const char* name = reinterpret_cast<const char*>(attr->name);
    if (name != nullptr && std::string_view(name) == local_name)
      return take_xml_string(xmlNodeListGetString(node->doc, attr->children, 1));
  }
  return {};
}

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace msn::soap
