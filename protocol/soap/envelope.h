// SPDX-License-Identifier: GPL-2.0-or-later
// What the address book (abservice) and Sharing web services have in common
// (docs/protocol/contact-list.md): the request envelope with ABApplicationHeader/ABAuthHeader, the
// response ServiceHeader, typed faults, and the streaming (SAX) reader their response parsers use.
//
// Responses are read with libxml2's SAX2 interface, never as a DOM: a 5,000-contact book is
// several megabytes and only a few fields of it are kept. Like soap/xml.h, the reader never
// touches the network, never expands entities beyond the five predefined ones and rejects
// any document with a DOCTYPE.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace msn::soap {

inline constexpr std::string_view kContactsHost = "omega.contacts.msn.com";
// FindMembership, AddMember, DeleteMember.
inline constexpr std::string_view kSharingServicePath = "/abservice/SharingService.asmx";
// ABFindAll, ABContactAdd/Delete/Update, ABGroupAdd/Delete/Update, ABGroupContactAdd/Delete, ABAdd.
inline constexpr std::string_view kAbServicePath = "/abservice/abservice.asmx";
inline constexpr std::string_view kAbNamespace = "http://www.msn.com/webservices/AddressBook";
inline constexpr std::string_view kSoapActionPrefix = "http://www.msn.com/webservices/AddressBook/";
inline constexpr std::string_view kApplicationId = "CFE80F9D-180F-4399-82AB-413F33A1FA11";
inline constexpr std::string_view kDefaultAbId = "00000000-0000-0000-0000-000000000000";

// Why a request is made; the service files it under this scenario (docs/protocol/contact-list.md).
enum class PartnerScenario {
  kInitial,               // the sign-in fetches
  kContactSave,           // add a contact, add a contact to a group
  kGroupSave,             // add a group
  kTimer,                 // delete contact, group operations, updates
  kMessengerPendingList,  // re-fetch membership after someone added us
  kContactMsgrApi,        // add to RL when accepting
  kBlockUnblock,          // AddMember/DeleteMember on Allow/Block
};
std::string_view to_string(PartnerScenario scenario);

// What every request carries from the session.
struct AbCredentials {
  std::string ticket{};     // the contacts.msn.com ticket "t=...&p=...", unescaped
  std::string cache_key{};  // the last ServiceHeader CacheKey; empty until one arrives
};

// One HTTPS POST to kContactsHost (or the preferred host). The body holds the ticket: never
// log it.
struct SoapRequest {
  std::string path;         // kSharingServicePath or kAbServicePath
  std::string soap_action;  // the SOAPAction header value
  std::string body;         // the complete envelope (UTF-8)
};

// Wraps `operation_xml` (the operation element, already escaped) in the common envelope.
// Example:
//   make_request(kAbServicePath, "ABFindAll", creds, PartnerScenario::kInitial,
//                "<ABFindAll xmlns=\"...\">...</ABFindAll>")
//   -> {"/abservice/abservice.asmx", "http://www.msn.com/webservices/AddressBook/ABFindAll", ...}
SoapRequest make_request(std::string_view path, std::string_view operation,
                         const AbCredentials& credentials, PartnerScenario scenario,
                         std::string_view operation_xml);

// The response's soap:Header/ServiceHeader. When cache_key_changed, store cache_key and send
// it with later requests; preferred_host_name may name a better host for them.
struct ServiceHeader {
  std::string version{};
  std::string cache_key{};
  bool cache_key_changed = false;
  std::string preferred_host_name{};
};

// What a fault means to the caller. The parsers report a fault as an Error whose code is
// Errc::kAuth (kTicketExpired) or Errc::kSoap (the others), with the kind in
// Error::server_code; ab_fault() reads it back. A list limit fault (QuotaLimitReached) is
// Errc::kLimit instead (ab_fault() says kNone: nothing to retry). The detail holds faultcode, errorcode and
// faultstring (server text, bounded) and never a ticket.
enum class AbFault {
  kNone = 0,            // not a fault (malformed document, limit, transport...)
  kTicketExpired = 1,   // BadContextToken / AuthenticationFailed: renew the contacts ticket, retry
  kAbDoesNotExist = 2,  // create the address book with ABAdd, then retry
  kFullSyncRequired = 3,  // repeat the request without deltasOnly
  kOther = 4,             // any other fault
  kAlreadyExists = 5,     // ContactAlreadyExists, MemberAlreadyExists, GroupAlreadyExists...:
                          // the change is already in place
  kNotFound = 6,          // ContactDoesNotExist, MemberDoesNotExist, GroupDoesNotExist...
  kNoSuchAccount = 7,     // InvalidPassportUser: the address is not an account of the service
};
AbFault ab_fault(const Error& error);

// The answer to a change request (AddMember, DeleteMember, ABContactAdd, ABGroupAdd, ...).
struct OperationResult {
  ServiceHeader header;
  // {operation}Result/guid (ABContactAdd, ABGroupAdd, ABGroupContactAdd: the new id) or the
  // text of {operation}Result (ABAdd); empty for the others.
  std::string guid;
};

// Parses the response to `operation` ("ABContactAdd", "DeleteMember"...): faults as described
// at AbFault, Errc::kSoap for malformed XML or a body without {operation}Response.
Result<OperationResult> parse_operation_response(std::string_view xml, std::string_view operation);

// Bounds for one response document.
struct ParseLimits {
  std::size_t max_bytes = 64 * 1024 * 1024;
  std::size_t max_items = 100'000;  // members, contacts and groups, each
  std::size_t max_groups_per_contact = 1'000;
  std::size_t max_depth = 128;               // element nesting
  std::size_t max_text_bytes = 1024 * 1024;  // character data of one element
};

class StreamParser;

// The innermost elements of the current position, by local name, with the mark each was given
// when it opened (XmlStreamHandler::mark_element). The names are views into the parser's
// dictionary, which holds each distinct name once for the whole parse: every occurrence of a
// name has the same data() (NameCache relies on it).
class ElementPath {
 public:
  std::size_t depth() const { return elements_.size(); }
  // The element `levels` above the innermost one (0 = itself); empty past the root.
  std::string_view up(std::size_t levels) const {
    return levels < elements_.size() ? elements_[elements_.size() - 1 - levels].name
                                     : std::string_view{};
  }
  std::string_view name() const { return up(0); }
  // The mark of the element `levels` above the innermost one; 0 past the root or when the
  // handler gave it none.
  int mark(std::size_t levels = 0) const {
    return levels < elements_.size() ? elements_[elements_.size() - 1 - levels].mark : 0;
  }

 private:
  friend class StreamParser;
  struct Element {
    std::string_view name;
    int mark = 0;
    bool wants_text = true;
    bool wants_end = true;
  };
  std::vector<Element> elements_;
};

// Maps the local names a handler looks for to small numbers (1 for the first name given, 2 for
// the next...; 0 for any other name), so that an element's name is compared once, when it
// opens, and its mark says afterwards what it is. At most kMaxNames names.
class NameIds {
 public:
  static constexpr std::size_t kMaxNames = 64;
  explicit NameIds(std::initializer_list<std::string_view> names)
      : NameIds(std::vector<std::string_view>(names)) {}
  explicit NameIds(std::vector<std::string_view> names);
  int find(std::string_view name) const;

 private:
  // Open addressing: a table four times the size of the names keeps probe runs short and
  // always has an empty slot, which ends every search.
  static constexpr std::size_t kSlots = 256;
  static std::size_t slot_of(std::string_view name);
  std::array<std::uint8_t, kSlots> slots_{};  // index + 1 into names_, 0 = empty
  std::vector<std::string_view> names_;
};

// NameIds::find for the names of one parse (ElementPath): a name met before is recognised by
// its address in the parser's dictionary instead of by its characters. One per handler, and a
// handler serves one parse.
class NameCache {
 public:
  explicit NameCache(const NameIds& ids) : ids_(ids) {}
  int find(std::string_view name) {
    Entry& entry = entries_[(reinterpret_cast<std::uintptr_t>(name.data()) >> 3) % kEntries];
    if (entry.data != name.data() || entry.size != name.size() || entry.data == nullptr)
      entry = {name.data(), name.size(), ids_.find(name)};
    return entry.id;
  }

 private:
  static constexpr std::size_t kEntries = 128;
  struct Entry {
    const char* data = nullptr;
    std::size_t size = 0;
    int id = 0;
  };
  const NameIds& ids_;
  std::array<Entry, kEntries> entries_{};
};

// The attributes of a start tag, by local name (namespace prefixes ignored).
class XmlAttributes {
 public:
  XmlAttributes(const unsigned char** attributes, int count) : attrs_(attributes), count_(count) {}
  // The decoded value, or empty when absent.
  std::string value(std::string_view local_name) const;
  bool has(std::string_view local_name) const;

 private:
  const unsigned char** attrs_;
  int count_;
};

// Receives the elements of a document as the parser meets them.
class XmlStreamHandler {
 public:
  virtual ~XmlStreamHandler() = default;
  // An element opened; `path` ends with it. An error stops the parse and is returned.
  virtual Status on_start(const ElementPath& path, const XmlAttributes& attributes) = 0;
  // An element closed; `text` is the character data (entities decoded) it holds after its
  // last child element, which for a leaf is all of it. Views are valid during the call only.
  virtual Status on_end(const ElementPath& path, std::string_view text) = 0;

 protected:
  // From on_start, about the element that opened: `mark` (any number of the handler's
  // choosing) is what ElementPath::mark() says of it until it closes; with `wants_text` false
  // its character data is not kept (on_end sees none), which spares copying the text of the
  // many elements a big answer carries and no handler reads. The parser still checks such text
  // and still counts it against ParseLimits::max_text_bytes. With `wants_end` false, on_end is
  // not called for it. Without a call: mark 0, text kept, on_end called.
  void mark_element(int mark, bool wants_text, bool wants_end) {
    start_mark_ = mark;
    start_wants_text_ = wants_text;
    start_wants_end_ = wants_end;
  }

 private:
  friend class StreamParser;
  int start_mark_ = 0;
  bool start_wants_text_ = true;
  bool start_wants_end_ = true;
};

// Streams `xml` through `handler`. Errc::kSoap for malformed XML or a DOCTYPE (the detail
// is the parser's complaint: names at most, never character data); Errc::kLimit when a
// ParseLimits bound is passed; any error the handler returns.
Status parse_xml_stream(std::string_view xml, XmlStreamHandler& handler,
                        const ParseLimits& limits = {});

// The same parse as parse_xml_stream for a document handed over in pieces, so that a big one
// can be read a bounded piece at a time: feed() as often as needed, then finish(). An error
// from either is final.
class XmlStreamFeed {
 public:
  XmlStreamFeed(XmlStreamHandler& handler, ParseLimits limits = {});
  ~XmlStreamFeed();
  XmlStreamFeed(const XmlStreamFeed&) = delete;
  XmlStreamFeed& operator=(const XmlStreamFeed&) = delete;

  Status feed(std::string_view chunk);
  Status finish();

 private:
  ParseLimits limits_;
  std::unique_ptr<StreamParser> parser_;
  Status started_ = Status::ok();
};

// Collects the parts every ABCH response shares: the ServiceHeader and a Fault. A response
// parser hands it every element first.
class EnvelopeReader {
 public:
  void on_start(const ElementPath& path) {
    if (path.depth() <= 3) start_near_root(path);
  }
  // Whether the element that just opened may be one whose end and text on_end reads (a
  // handler that leaves out the elements it does not read keeps these).
  bool wants_element(const ElementPath& path) const {
    return path.depth() <= kMaxDepthRead || fault_seen_;
  }
  // True if the element belonged to the header or the fault (nothing more to do with it).
  bool on_end(const ElementPath& path, std::string_view text) {
    // The answer's own elements, nearly all of a big one, end here.
    if (!wants_element(path)) return false;
    return end_header_or_fault(path, text);
  }
  // After the parse: the fault as a typed Error (see AbFault), else kSoap if the document was
  // not a SOAP envelope or `response_seen` is false, else ok.
  Status finish(std::string_view operation, bool response_seen) const;
  const ServiceHeader& header() const { return header_; }
  bool in_body() const { return in_body_; }

 private:
  static constexpr std::size_t kMaxDepthRead = 4;  // Envelope/Header/ServiceHeader/CacheKey
  void start_near_root(const ElementPath& path);
  bool end_header_or_fault(const ElementPath& path, std::string_view text);

  ServiceHeader header_;
  bool root_is_envelope_ = false;
  bool in_body_ = false;
  bool fault_seen_ = false;
  std::string fault_code_;
  std::string fault_subcode_;
  std::string fault_string_;
  std::string error_code_;  // detail/errorcode
};

// A caller-supplied value for element text or an attribute: XML-escaped (& < > " '), with
// the control bytes XML 1.0 cannot carry (all below 0x20 except tab, LF, CR) dropped, so a
// stray byte in a name cannot make the whole request malformed.
std::string escape_value(std::string_view text);

// Text helpers shared by the parsers.
std::string_view trim(std::string_view text);
// "true"/"1" (any case, surrounding spaces ignored) -> true.
bool parse_bool(std::string_view text);
// Server text bound for a debug line: at most `max_chars` whole UTF-8 characters, control
// bytes replaced by spaces.
std::string loggable(std::string_view text, std::size_t max_chars = 120);
// Appends a debug note about a skipped item, keeping at most kMaxNotes (the last one says
// that more were dropped).
inline constexpr std::size_t kMaxNotes = 64;
void add_note(std::vector<std::string>& notes, std::string note);

}  // namespace msn::soap
