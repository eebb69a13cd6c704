// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/contact-list.md: the ABCH envelope, ServiceHeader, faults; the SAX2 stream reader.
#include "soap/envelope.h"

#include <libxml/parser.h>
#include <libxml/parserInternals.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <climits>
#include <cstring>
#include <memory>
#include <mutex>
#include <optional>

#include "core/ascii.h"
#include "core/unique_c.h"
#include "soap/xml.h"

namespace msn::soap {
namespace {

// No NOENT (entities stay unexpanded), no DTDLOAD, no HUGE (libxml2's own depth and size
// guards stay on); NOERROR/NOWARNING keep libxml2 off stderr.
constexpr int kParseOptions = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
constexpr std::size_t kMaxErrorDetail = 160;
constexpr std::size_t kMaxFaultText = 200;

// libxml2 2.12 made the error argument const.
#if LIBXML_VERSION >= 21200
using XmlErrorArg = const xmlError*;
#else
using XmlErrorArg = xmlErrorPtr;
#endif

std::string_view view_of(const xmlChar* text) {
  return text == nullptr ? std::string_view{} : reinterpret_cast<const char*>(text);
}

std::string_view view_of(const xmlChar* begin, const xmlChar* end) {
  if (begin == nullptr || end == nullptr || end < begin) return {};
  return {reinterpret_cast<const char*>(begin), static_cast<std::size_t>(end - begin)};
}

std::string_view local_part(std::string_view qname) {
  const std::size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// Without entity substitution, libxml2's SAX2 interface hands '&' inside attribute values
// over as the character reference "&#38;" (its tree builder decodes it later); every other
// character arrives decoded. Whether this libxml2 does so is probed once, so a version that
// decodes '&' itself is not decoded twice.
struct AmpProbe {
  bool escaped = false;
};

void probe_start(void* ctx, const xmlChar* /*localname*/, const xmlChar* /*prefix*/,
                 const xmlChar* /*uri*/, int /*nb_namespaces*/, const xmlChar** /*namespaces*/,
                 int nb_attributes, int /*nb_defaulted*/, const xmlChar** attributes) {
  if (nb_attributes < 1) return;
  static_cast<AmpProbe*>(ctx)->escaped = view_of(attributes[3], attributes[4]) == "&#38;";
}

bool amp_escaped_in_attributes() {
  static const bool escaped = [] {
    constexpr std::string_view kDoc = "<a b=\"&amp;\"/>";
    XmlParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(kDoc.data(), static_cast<int>(kDoc.size())));
    if (!ctxt || ctxt->sax == nullptr) return false;
    xmlCtxtUseOptions(ctxt.get(), kParseOptions);
    std::memset(ctxt->sax, 0, sizeof *ctxt->sax);
    ctxt->sax->initialized = XML_SAX2_MAGIC;
    ctxt->sax->startElementNs = probe_start;
    AmpProbe probe;
    ctxt->userData = &probe;
    xmlParseDocument(ctxt.get());
    const XmlDocPtr stray(ctxt->myDoc);
    ctxt->myDoc = nullptr;
    return probe.escaped;
  }();
  return escaped;
}

std::string decode_attribute(std::string_view raw) {
  if (raw.find('&') == std::string_view::npos || !amp_escaped_in_attributes())
    return std::string(raw);
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size();) {
    if (raw.compare(i, 5, "&#38;") == 0) {
      out.push_back('&');
      i += 5;
    } else {
      out.push_back(raw[i++]);
    }
  }
  return out;
}

void init_libxml_once() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

std::string_view truncate_utf8(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    if (!continuation && chars++ == max_chars) return text.substr(0, i);
  }
  return text;
}

constexpr std::array<std::string_view, 4> kTicketFaults = {
    "BadContextToken", "AuthenticationFailed", "PassportAuthFail", "TicketExpired"};
constexpr std::array<std::string_view, 3> kExistsFaults = {
    "ContactAlreadyExists", "MemberAlreadyExists", "GroupAlreadyExists"};
// The service's list limits (1,000 forward-list contacts, the group limit): reported as
// Errc::kLimit so that the user is told the list is full. QuotaLimitReached is what the
// local server and, as far as we know, revival servers send; the others are defensive.
constexpr std::array<std::string_view, 3> kLimitFaults = {
    "QuotaLimitReached", "ContactLimitReached", "MaximumContactsReached"};
constexpr std::array<std::string_view, 3> kNotFoundFaults = {
    "ContactDoesNotExist", "MemberDoesNotExist", "GroupDoesNotExist"};
// Adding an address that has no account: the user mistyped it or the person is not on the service.
constexpr std::string_view kNoSuchAccountFault = "InvalidPassportUser";

}  // namespace

// ---- requests ----------------------------------------------------------------------------

std::string_view to_string(PartnerScenario scenario) {
  switch (scenario) {
    case PartnerScenario::kInitial:
      return "Initial";
    case PartnerScenario::kContactSave:
      return "ContactSave";
    case PartnerScenario::kGroupSave:
      return "GroupSave";
    case PartnerScenario::kTimer:
      return "Timer";
    case PartnerScenario::kMessengerPendingList:
      return "MessengerPendingList";
    case PartnerScenario::kContactMsgrApi:
      return "ContactMsgrAPI";
    case PartnerScenario::kBlockUnblock:
      return "BlockUnblock";
  }
  return "Initial";
}

SoapRequest make_request(std::string_view path, std::string_view operation,
                         const AbCredentials& credentials, PartnerScenario scenario,
                         std::string_view operation_xml) {
  SoapRequest request;
  request.path = std::string(path);
  request.soap_action = std::string(kSoapActionPrefix).append(operation);
  std::string& out = request.body;
  out.reserve(1024 + operation_xml.size() + credentials.ticket.size());
  out +=
      "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
      "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
      " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
      " xmlns:xsd=\"http://www.w3.org/2001/XMLSchema\""
      " xmlns:soapenc=\"http://schemas.xmlsoap.org/soap/encoding/\">"
      "<soap:Header><ABApplicationHeader xmlns=\"";
  out += kAbNamespace;
  out += "\"><ApplicationId>";
  out += kApplicationId;
  out += "</ApplicationId><IsMigration>false</IsMigration><PartnerScenario>";
  out += to_string(scenario);
  out += "</PartnerScenario>";
  if (!credentials.cache_key.empty()) {
    out += "<CacheKey>";
    out += escape_value(credentials.cache_key);
    out += "</CacheKey>";
  }
  out += "</ABApplicationHeader><ABAuthHeader xmlns=\"";
  out += kAbNamespace;
  out += "\"><ManagedGroupRequest>false</ManagedGroupRequest><TicketToken>";
  out += escape_value(credentials.ticket);
  out += "</TicketToken></ABAuthHeader></soap:Header><soap:Body>";
  out += operation_xml;
  out += "</soap:Body></soap:Envelope>";
  return request;
}

// ---- faults ------------------------------------------------------------------------------

AbFault ab_fault(const Error& error) {
  if (error.code != Errc::kAuth && error.code != Errc::kSoap) return AbFault::kNone;
  switch (error.server_code) {
    case static_cast<int>(AbFault::kTicketExpired):
      return error.code == Errc::kAuth ? AbFault::kTicketExpired : AbFault::kNone;
    case static_cast<int>(AbFault::kAbDoesNotExist):
      return AbFault::kAbDoesNotExist;
    case static_cast<int>(AbFault::kFullSyncRequired):
      return AbFault::kFullSyncRequired;
    case static_cast<int>(AbFault::kOther):
      return AbFault::kOther;
    case static_cast<int>(AbFault::kAlreadyExists):
      return AbFault::kAlreadyExists;
    case static_cast<int>(AbFault::kNotFound):
      return AbFault::kNotFound;
    case static_cast<int>(AbFault::kNoSuchAccount):
      return AbFault::kNoSuchAccount;
    default:
      return AbFault::kNone;
  }
}

// ---- the stream parser -------------------------------------------------------------------

std::string XmlAttributes::value(std::string_view local_name) const {
  for (int i = 0; i < count_; ++i) {
    const unsigned char* const* a = attrs_ + static_cast<std::ptrdiff_t>(i) * 5;
    if (view_of(a[0]) == local_name) return decode_attribute(view_of(a[3], a[4]));
  }
  return {};
}

bool XmlAttributes::has(std::string_view local_name) const {
  for (int i = 0; i < count_; ++i)
    if (view_of(attrs_[static_cast<std::ptrdiff_t>(i) * 5]) == local_name) return true;
  return false;
}

// Bridges libxml2's SAX2 callbacks (C function pointers, context through userData) to an
// XmlStreamHandler, keeping the element path and the current element's text.
class StreamParser {
 public:
  static constexpr std::size_t kParseChunkBytes = 4 * 1024;

  StreamParser(XmlStreamHandler& handler, const ParseLimits& limits)
      : handler_(handler), limits_(limits) {}

  Status run(std::string_view xml) {
    if (xml.empty()) return make_error(Errc::kSoap, "XML: empty document");
    if (xml.size() > limits_.max_bytes || xml.size() > static_cast<std::size_t>(INT_MAX))
      return make_error(Errc::kLimit, "XML: document of " + std::to_string(xml.size()) +
                                          " bytes exceeds the limit");
    init_libxml_once();
    (void)amp_escaped_in_attributes();  // probe before any handler could need it
    XmlParserCtxtPtr ctxt(xmlCreateMemoryParserCtxt(xml.data(), static_cast<int>(xml.size())));
    if (!ctxt || ctxt->sax == nullptr) return make_error(Errc::kSoap, "XML: no parser context");
    xmlCtxtUseOptions(ctxt.get(), kParseOptions);
    install_handlers(*ctxt->sax);
    ctxt->userData = this;
    ctxt_ = ctxt.get();
    path_.elements_.reserve(32);
    text_.reserve(256);

    xmlParseDocument(ctxt.get());
    const XmlDocPtr stray(ctxt->myDoc);  // none is built; freed should libxml2 make one
    ctxt->myDoc = nullptr;
    ctxt_ = nullptr;

    if (error_) return *error_;
    if (saw_dtd_)
      return make_error(Errc::kSoap, "XML: document type declarations are not accepted");
    if (ctxt->wellFormed == 0 || !saw_root_) {
      const std::string why = first_error_.empty() ? "no root element" : first_error_;
      return make_error(Errc::kSoap, "XML: malformed document (" + why + ")");
    }
    return Status::ok();
  }

  // The same document handed over in pieces (libxml2's push parser): begin(), feed() any
  // number of times, then end(); the same checks and errors as run().
  Status begin() {
    init_libxml_once();
    (void)amp_escaped_in_attributes();
    xmlSAXHandler sax;
    install_handlers(sax);
    push_.reset(xmlCreatePushParserCtxt(&sax, this, nullptr, 0, nullptr));
    if (!push_) return make_error(Errc::kSoap, "XML: no parser context");
    xmlCtxtUseOptions(push_.get(), kParseOptions);
    ctxt_ = push_.get();
    path_.elements_.reserve(32);
    text_.reserve(256);
    return Status::ok();
  }

  Status feed(std::string_view chunk) {
    if (!push_) return make_error(Errc::kSoap, "XML: no parser context");
    fed_ += chunk.size();
    if (fed_ > limits_.max_bytes)
      return make_error(Errc::kLimit, "XML: document of more than " +
                                          std::to_string(limits_.max_bytes) + " bytes");
    // libxml2 copies each piece into its own input buffer before parsing it, and moves what is
    // left of the buffer to its front every 4 KiB or so it consumes: pieces of a few KiB keep
    // both copies short and in the cache (a 256 KiB piece grows the buffer to that size, fresh
    // pages and a copy that misses the cache, for every piece of a big answer). 4 KiB pieces
    // cost 3 % fewer instructions than 32 KiB ones on a 5,000-contact book (contacts_bench).
    // (xmlParseChunk takes an int, too.)
    constexpr std::size_t kMaxPiece = kParseChunkBytes;
    while (!chunk.empty() && !stopped()) {
      const std::size_t n = std::min(chunk.size(), kMaxPiece);
      xmlParseChunk(push_.get(), chunk.data(), static_cast<int>(n), 0);
      chunk.remove_prefix(n);
    }
    return outcome(/*complete=*/false);
  }

  Status end() {
    if (!push_) return make_error(Errc::kSoap, "XML: no parser context");
    if (fed_ == 0) return make_error(Errc::kSoap, "XML: empty document");
    if (!stopped()) xmlParseChunk(push_.get(), nullptr, 0, 1);
    return outcome(/*complete=*/true);
  }

 private:
  Status outcome(bool complete) const {
    if (error_) return *error_;
    if (saw_dtd_)
      return make_error(Errc::kSoap, "XML: document type declarations are not accepted");
    if (push_->wellFormed == 0 || (complete && !saw_root_)) {
      const std::string why = first_error_.empty() ? "no root element" : first_error_;
      return make_error(Errc::kSoap, "XML: malformed document (" + why + ")");
    }
    return Status::ok();
  }

  // A push parser context and whatever document libxml2 may have left on it.
  struct PushCtxtFree {
    void operator()(xmlParserCtxt* ctxt) const noexcept {
      if (ctxt->myDoc != nullptr) xmlFreeDoc(ctxt->myDoc);
      ctxt->myDoc = nullptr;
      xmlFreeParserCtxt(ctxt);
    }
  };

  static StreamParser& self(void* ctx) { return *static_cast<StreamParser*>(ctx); }

  // Only the callbacks below are set: no tree is built, no entity is resolved beyond the
  // predefined ones (getEntity is unset, so an undeclared entity is a well-formedness error).
  static void install_handlers(xmlSAXHandler& sax) {
    std::memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start_element;
    sax.endElementNs = on_end_element;
    sax.characters = on_characters;
    sax.cdataBlock = on_characters;
    sax.ignorableWhitespace = on_characters;
    sax.internalSubset = on_internal_subset;
    sax.serror = on_error;
  }

  void stop(Error error) {
    if (!error_) error_ = std::move(error);
    if (ctxt_ != nullptr) xmlStopParser(ctxt_);
  }
  bool stopped() const { return error_.has_value() || saw_dtd_; }

  static void on_start_element(void* ctx, const xmlChar* localname, const xmlChar* /*prefix*/,
                               const xmlChar* /*uri*/, int /*nb_namespaces*/,
                               const xmlChar** /*namespaces*/, int nb_attributes,
                               int /*nb_defaulted*/, const xmlChar** attributes) {
    StreamParser& p = self(ctx);
    if (p.stopped()) return;
    p.saw_root_ = true;
    if (p.path_.elements_.size() >= p.limits_.max_depth)
      return p.stop(make_error(Errc::kLimit, "XML: elements nested too deeply"));
    // Local names come from the parser's dictionary and live as long as the context.
    p.path_.elements_.push_back({view_of(localname)});
    p.text_.clear();
    p.text_bytes_ = 0;
    p.handler_.start_mark_ = 0;
    p.handler_.start_wants_text_ = true;
    p.handler_.start_wants_end_ = true;
    const Status status = p.handler_.on_start(p.path_, XmlAttributes(attributes, nb_attributes));
    if (!status.is_ok()) return p.stop(status.error());
    ElementPath::Element& opened = p.path_.elements_.back();
    opened.mark = p.handler_.start_mark_;
    opened.wants_text = p.handler_.start_wants_text_;
    opened.wants_end = p.handler_.start_wants_end_;
    p.keep_text_ = opened.wants_text;
  }

  static void on_end_element(void* ctx, const xmlChar* /*localname*/, const xmlChar* /*prefix*/,
                             const xmlChar* /*uri*/) {
    StreamParser& p = self(ctx);
    if (p.stopped() || p.path_.elements_.empty()) return;
    if (p.path_.elements_.back().wants_end) {
      const Status status = p.handler_.on_end(p.path_, p.text_);
      if (!status.is_ok()) return p.stop(status.error());
    }
    p.path_.elements_.pop_back();
    p.text_.clear();
    p.text_bytes_ = 0;
    // Text after a child belongs to the parent again.
    p.keep_text_ = p.path_.elements_.empty() || p.path_.elements_.back().wants_text;
  }

  static void on_characters(void* ctx, const xmlChar* chars, int len) {
    StreamParser& p = self(ctx);
    if (p.stopped() || len <= 0) return;
    // Counted whether kept or not: the limit is on the document, not on what is kept of it.
    p.text_bytes_ += static_cast<std::size_t>(len);
    if (p.text_bytes_ > p.limits_.max_text_bytes)
      return p.stop(make_error(Errc::kLimit, "XML: element text exceeds the limit"));
    if (p.keep_text_)
      p.text_.append(reinterpret_cast<const char*>(chars), static_cast<std::size_t>(len));
  }

  // The DOCTYPE is refused the moment it is seen, before its internal subset (and so any
  // entity declaration) is read.
  static void on_internal_subset(void* ctx, const xmlChar* /*name*/, const xmlChar* /*external*/,
                                 const xmlChar* /*system*/) {
    StreamParser& p = self(ctx);
    p.saw_dtd_ = true;
    if (p.ctxt_ != nullptr) xmlStopParser(p.ctxt_);
  }

  // Keeps the first error; its message holds names at most, never text content.
  static void on_error(void* ctx, XmlErrorArg error) {
    if (ctx == nullptr || error == nullptr) return;
    StreamParser& p = self(ctx);
    if (!p.first_error_.empty() || error->level < XML_ERR_ERROR) return;
    std::string message(
        loggable(error->message != nullptr ? error->message : "unknown error", kMaxErrorDetail));
    while (!message.empty() && message.back() == ' ') message.pop_back();
    p.first_error_ = "line " + std::to_string(error->line) + ": " + message;
  }

  XmlStreamHandler& handler_;
  const ParseLimits& limits_;
  xmlParserCtxt* ctxt_ = nullptr;
  ElementPath path_;
  std::string text_;            // the current element's text, when its handler wants it
  std::size_t text_bytes_ = 0;  // its length, kept or not
  bool keep_text_ = true;
  std::optional<Error> error_;
  std::string first_error_;
  bool saw_dtd_ = false;
  bool saw_root_ = false;
  std::unique_ptr<xmlParserCtxt, PushCtxtFree> push_;
  std::size_t fed_ = 0;
};

Status parse_xml_stream(std::string_view xml, XmlStreamHandler& handler,
                        const ParseLimits& limits) {
  StreamParser parser(handler, limits);
  return parser.run(xml);
}

XmlStreamFeed::XmlStreamFeed(XmlStreamHandler& handler, ParseLimits limits)
    : limits_(limits), parser_(std::make_unique<StreamParser>(handler, limits_)) {
  started_ = parser_->begin();
}

XmlStreamFeed::~XmlStreamFeed() = default;

Status XmlStreamFeed::feed(std::string_view chunk) {
  if (!started_.is_ok()) return started_;
  return parser_->feed(chunk);
}

Status XmlStreamFeed::finish() {
  if (!started_.is_ok()) return started_;
  return parser_->end();
}

NameIds::NameIds(std::vector<std::string_view> names) : names_(std::move(names)) {
  assert(names_.size() <= kMaxNames);
  names_.resize(std::min(names_.size(), kMaxNames));
  for (std::size_t i = 0; i < names_.size(); ++i) {
    std::size_t slot = slot_of(names_[i]);
    while (slots_[slot] != 0) slot = (slot + 1) % kSlots;
    slots_[slot] = static_cast<std::uint8_t>(i + 1);
  }
}

std::size_t NameIds::slot_of(std::string_view name) {
  if (name.empty()) return 0;
  const auto first = static_cast<unsigned char>(name.front());
  const auto last = static_cast<unsigned char>(name.back());
  const auto middle = static_cast<unsigned char>(name[name.size() / 2]);
  return (name.size() * 7 + first * 31 + middle * 17 + last) % kSlots;
}

int NameIds::find(std::string_view name) const {
  // A search ends at an empty slot long before it has seen every slot: fewer names than slots.
  std::size_t slot = slot_of(name);
  for (std::size_t probes = 0; probes < kSlots; ++probes) {
    const std::uint8_t entry = slots_[slot];
    if (entry == 0) return 0;
    if (names_[entry - 1] == name) return entry;
    slot = (slot + 1) % kSlots;
  }
  return 0;
}

// ---- the envelope ------------------------------------------------------------------------

void EnvelopeReader::start_near_root(const ElementPath& path) {
  const std::size_t depth = path.depth();
  if (depth == 1) {
    root_is_envelope_ = path.name() == "Envelope";
  } else if (depth == 2 && root_is_envelope_) {
    if (path.name() == "Body") in_body_ = true;
    if (path.name() == "Fault") fault_seen_ = true;  // tolerated outside the Body
  } else if (depth == 3 && in_body_ && path.name() == "Fault") {
    fault_seen_ = true;
  }
}

bool EnvelopeReader::end_header_or_fault(const ElementPath& path, std::string_view text) {
  const std::size_t depth = path.depth();
  if (!root_is_envelope_) return false;
  if (depth == 2 && path.name() == "Body") {
    in_body_ = false;
    return true;
  }
  if (depth == 4 && path.up(1) == "ServiceHeader" && path.up(2) == "Header") {
    const std::string_view name = path.name();
    const std::string value(trim(text));
    if (name == "Version")
      header_.version = value;
    else if (name == "CacheKey")
      header_.cache_key = value;
    else if (name == "CacheKeyChanged")
      header_.cache_key_changed = parse_bool(value);
    else if (name == "PreferredHostName")
      header_.preferred_host_name = value;
    return true;
  }
  if (!fault_seen_ || depth < 3) return false;
  const std::string_view name = path.name();
  const std::string_view parent = path.up(1);
  std::string* slot = nullptr;
  if (parent == "Fault" && name == "faultcode")
    slot = &fault_code_;
  else if (parent == "Fault" && name == "faultstring")
    slot = &fault_string_;
  else if (parent == "detail" && name == "errorcode")
    slot = &error_code_;
  else if (parent == "Code" && name == "Value")
    slot = &fault_code_;  // SOAP 1.2
  else if (parent == "Subcode" && name == "Value")
    slot = &fault_subcode_;  // SOAP 1.2
  else if (parent == "Reason" && name == "Text")
    slot = &fault_string_;  // SOAP 1.2
  if (slot == nullptr) return false;
  if (slot->empty()) *slot = loggable(trim(text), kMaxFaultText);
  return true;
}

Status EnvelopeReader::finish(std::string_view operation, bool response_seen) const {
  const std::string op(operation);
  if (!root_is_envelope_)
    return make_error(Errc::kSoap, op + ": the response is not a SOAP envelope");
  if (fault_seen_) {
    const std::array<std::string_view, 3> names = {
        local_part(fault_code_), local_part(fault_subcode_), local_part(trim(error_code_))};
    auto named = [&names](std::string_view wanted) {
      return std::any_of(names.begin(), names.end(),
                         [wanted](std::string_view n) { return ascii::iequals(n, wanted); });
    };
    std::string detail = op + " fault: faultcode=" + fault_code_;
    if (!fault_subcode_.empty()) detail += " subcode=" + fault_subcode_;
    if (!error_code_.empty()) detail += " errorcode=" + error_code_;
    detail += " faultstring=" + fault_string_;
    if (std::any_of(kTicketFaults.begin(), kTicketFaults.end(), named))
      return make_error(Errc::kAuth, detail, static_cast<int>(AbFault::kTicketExpired));
    if (named("ABDoesNotExist"))
      return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kAbDoesNotExist));
    if (named("FullSyncRequired"))
      return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kFullSyncRequired));
    if (std::any_of(kExistsFaults.begin(), kExistsFaults.end(), named))
      return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kAlreadyExists));
    if (std::any_of(kNotFoundFaults.begin(), kNotFoundFaults.end(), named))
      return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kNotFound));
    if (std::any_of(kLimitFaults.begin(), kLimitFaults.end(), named))
      return make_error(Errc::kLimit, detail);
    if (named(kNoSuchAccountFault))
      return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kNoSuchAccount));
    return make_error(Errc::kSoap, detail, static_cast<int>(AbFault::kOther));
  }
  if (!response_seen) return make_error(Errc::kSoap, op + ": no " + op + "Response in the body");
  return Status::ok();
}

// ---- change responses --------------------------------------------------------------------

namespace {

class OperationHandler final : public XmlStreamHandler {
 public:
  explicit OperationHandler(std::string_view operation)
      : response_(std::string(operation) + "Response"),
        result_(std::string(operation) + "Result") {}

  Status on_start(const ElementPath& path, const XmlAttributes& /*attributes*/) override {
    envelope_.on_start(path);
    if (envelope_.in_body() && path.depth() == 3 && path.name() == response_) response_seen_ = true;
    return Status::ok();
  }

  Status on_end(const ElementPath& path, std::string_view text) override {
    if (envelope_.on_end(path, text) || !envelope_.in_body() || !response_seen_)
      return Status::ok();
    if (path.depth() == 5 && path.name() == "guid" && path.up(1) == result_ && guid_.empty())
      guid_ = trim(text);
    else if (path.depth() == 4 && path.name() == result_ && guid_.empty())
      guid_ = trim(text);
    return Status::ok();
  }

  Result<OperationResult> finish(std::string_view operation) {
    MSN_TRY(envelope_.finish(operation, response_seen_));
    return OperationResult{envelope_.header(), std::move(guid_)};
  }

 private:
  std::string response_;
  std::string result_;
  EnvelopeReader envelope_;
  bool response_seen_ = false;
  std::string guid_;
};

// A change answer is a few hundred bytes; anything much larger is not one.
constexpr std::size_t kMaxOperationResponse = 1024 * 1024;

}  // namespace

Result<OperationResult> parse_operation_response(std::string_view xml, std::string_view operation) {
  OperationHandler handler(operation);
  MSN_TRY(parse_xml_stream(xml, handler, ParseLimits{.max_bytes = kMaxOperationResponse}));
  return handler.finish(operation);
}

// ---- text helpers ------------------------------------------------------------------------

std::string escape_value(std::string_view text) {
  const auto forbidden = [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
  };
  if (std::none_of(text.begin(), text.end(), forbidden)) return escape(text);
  std::string kept;
  kept.reserve(text.size());
  for (const char ch : text)
    if (!forbidden(ch)) kept.push_back(ch);
  return escape(kept);
}

std::string_view trim(std::string_view text) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = text.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kSpace) - first + 1);
}

bool parse_bool(std::string_view text) {
  const std::string_view t = trim(text);
  return ascii::iequals(t, "true") || t == "1";
}

std::string loggable(std::string_view text, std::size_t max_chars) {
  std::string out(truncate_utf8(text, max_chars));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

void add_note(std::vector<std::string>& notes, std::string note) {
  if (notes.size() < kMaxNotes - 1) {
    notes.push_back(std::move(note));
  } else if (notes.size() == kMaxNotes - 1) {
    notes.emplace_back("further notes dropped");
  }
}

}  // namespace msn::soap
