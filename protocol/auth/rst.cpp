// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/notification-server.md, "RST.srf (Passport SSO)": the request and the response.
#include "auth/rst.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <set>

#include "core/ascii.h"
#include "crypto/crypto.h"
#include "soap/xml.h"

namespace msn::auth {
namespace {

constexpr std::string_view kMasterAddress = "http://Passport.NET/tb";
constexpr std::size_t kMaxPasswordChars = 16;
constexpr std::size_t kProofKeySize = 24;
constexpr std::size_t kMaxFaultText = 200;
// A real response is about 20 KB; anything near this is hostile or broken.
constexpr std::size_t kMaxResponseBytes = 4 * 1024 * 1024;

// The services WLM 8.5 asks for after RST0 (Passport.NET/tb) and RST1 (messengerclear with
// the NS policy), in its order.
struct ServiceRequest {
  std::string_view address;
  std::string_view policy;
};
constexpr std::array<ServiceRequest, 5> kOtherServices = {{
    {"messenger.msn.com", "?id=507"},
    {"contacts.msn.com", "MBI"},
    {"messengersecure.live.com", "MBI_SSL"},
    {"spaces.live.com", "MBI"},
    {"storage.msn.com", "MBI_SSL"},
}};

constexpr std::string_view kRequestHead =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<Envelope xmlns=\"http://schemas.xmlsoap.org/soap/envelope/\""
    " xmlns:wsse=\"http://schemas.xmlsoap.org/ws/2003/06/secext\""
    " xmlns:saml=\"urn:oasis:names:tc:SAML:1.0:assertion\""
    " xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2002/12/policy\""
    " xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/"
    "oasis-200401-wss-wssecurity-utility-1.0.xsd\""
    " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/03/addressing\""
    " xmlns:wssc=\"http://schemas.xmlsoap.org/ws/2004/04/sc\""
    " xmlns:wst=\"http://schemas.xmlsoap.org/ws/2004/04/trust\">"
    "<Header>"
    "<ps:AuthInfo xmlns:ps=\"http://schemas.microsoft.com/Passport/SoapServices/PPCRL\""
    " Id=\"PPAuthInfo\">"
    "<ps:HostingApp>{7108E71A-9926-4FCB-BCC9-9A9D3F32E423}</ps:HostingApp>"
    "<ps:BinaryVersion>4</ps:BinaryVersion>"
    "<ps:UIVersion>1</ps:UIVersion>"
    "<ps:Cookies></ps:Cookies>"
    "<ps:RequestParams>AQAAAAIAAABsYwQAAAAxMDMz</ps:RequestParams>"
    "</ps:AuthInfo>"
    "<wsse:Security>"
    "<wsse:UsernameToken Id=\"user\">";

constexpr std::string_view kRequestBodyStart =
    "</wsse:UsernameToken>"
    "</wsse:Security>"
    "</Header>"
    "<Body>"
    "<ps:RequestMultipleSecurityTokens"
    " xmlns:ps=\"http://schemas.microsoft.com/Passport/SoapServices/PPCRL\" Id=\"RSTS\">";

constexpr std::string_view kRequestTail =
    "</ps:RequestMultipleSecurityTokens>"
    "</Body>"
    "</Envelope>";

void append_token_request(std::string& out, std::size_t index, std::string_view address,
                          std::string_view policy, bool with_policy) {
  out += "<wst:RequestSecurityToken Id=\"RST" + std::to_string(index) + "\">";
  out += "<wst:RequestType>http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue"
         "</wst:RequestType>";
  out += "<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>";
  out += soap::escape(address);
  out += "</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>";
  if (with_policy) {
    out += "<wsse:PolicyReference URI=\"";
    out += soap::escape(policy);
    out += "\"></wsse:PolicyReference>";
  }
  out += "</wst:RequestSecurityToken>";
}

// The first `max_chars` UTF-8 characters (code points, as the reference plugin counts them);
// a multi-byte sequence is never cut.
std::string_view truncate_utf8(std::string_view text, std::size_t max_chars) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
    if (!continuation && chars++ == max_chars) return text.substr(0, i);
  }
  return text;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

std::string trimmed_text(const xmlNode* node) { return std::string(trim(soap::text(node))); }

// Host names are case-insensitive; compare addresses the same way everywhere.
bool same_address(std::string_view a, std::string_view b) { return ascii::iequals(a, b); }

std::string_view local_part(std::string_view qname) {
  const std::size_t colon = qname.rfind(':');
  return colon == std::string_view::npos ? qname : qname.substr(colon + 1);
}

// Server-supplied text bound for a log line: short, single-line, whole UTF-8 characters.
std::string loggable(std::string_view s) {
  std::string out(truncate_utf8(s, kMaxFaultText));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }, ' ');
  return out;
}

// "t=...&p=..." split on '&', then on the first '='. The first occurrence of a key wins.
std::map<std::string, std::string> split_ticket(std::string_view ticket) {
  std::map<std::string, std::string> fields;
  while (!ticket.empty()) {
    const std::size_t amp = ticket.find('&');
    const std::string_view piece = ticket.substr(0, amp);
    ticket = amp == std::string_view::npos ? std::string_view{} : ticket.substr(amp + 1);
    if (piece.empty()) continue;
    const std::size_t eq = piece.find('=');
    const std::string_view key = piece.substr(0, eq);
    const std::string_view value =
        eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
    fields.emplace(std::string(key), std::string(value));
  }
  return fields;
}

// A proof key that is absent or not base64 is treated as absent; only the messengerclear
// key is required, and that is checked separately.
std::string proof_key(const xmlNode* response) {
  const std::string encoded =
      trimmed_text(soap::path(response, {"RequestedProofToken", "BinarySecret"}));
  if (encoded.empty()) return {};
  auto decoded = crypto::base64_decode(encoded);
  return decoded ? std::move(decoded).value() : std::string{};
}

SecurityToken parse_service_token(const xmlNode* response, std::string address) {
  SecurityToken token;
  token.address = std::move(address);
  const std::string ticket = trimmed_text(
      soap::path(response, {"RequestedSecurityToken", "BinarySecurityToken"}));
  token.fields = split_ticket(ticket);
  token.binary_secret = proof_key(response);
  token.expires = trimmed_text(soap::path(response, {"LifeTime", "Expires"}));
  return token;
}

struct FaultInfo {
  std::string code;     // e.g. "wsse:FailedAuthentication" (SOAP 1.1) or Code/Value (1.2)
  std::string subcode;  // SOAP 1.2 Code/Subcode/Value
  std::string reason;
};

FaultInfo read_fault(const xmlNode* fault) {
  FaultInfo info;
  info.code = trimmed_text(soap::child(fault, "faultcode"));
  if (info.code.empty()) info.code = trimmed_text(soap::path(fault, {"Code", "Value"}));
  info.subcode = trimmed_text(soap::path(fault, {"Code", "Subcode", "Value"}));
  info.reason = trimmed_text(soap::child(fault, "faultstring"));
  if (info.reason.empty()) info.reason = trimmed_text(soap::path(fault, {"Reason", "Text"}));
  return info;
}

// wsse:FailedAuthentication, and any other code that names authentication.
bool names_authentication(std::string_view code) {
  return ascii::to_lower(local_part(code)).find("authentication") != std::string::npos;
}

// Every fault ends the request: an auth failure, a redirect, or any other SOAP error.
Result<RstOutcome> fault_outcome(const xmlNode* fault) {
  const FaultInfo info = read_fault(fault);
  const std::string detail =
      "faultcode=" + loggable(info.code) +
      (info.subcode.empty() ? "" : " subcode=" + loggable(info.subcode)) +
      " faultstring=" + loggable(info.reason);
  if (names_authentication(info.code) || names_authentication(info.subcode))
    return make_error(Errc::kAuth, "RST: " + detail);
  if (local_part(info.code) == "Redirect" || local_part(info.subcode) == "Redirect") {
    std::string url = trimmed_text(soap::find_descendant(fault, "redirectUrl"));
    if (url.empty()) return make_error(Errc::kSoap, "RST: redirect fault without a URL");
    return RstOutcome(RstRedirect{std::move(url)});
  }
  return make_error(Errc::kSoap, "RST fault: " + detail);
}

// SOAP 1.1 puts the Fault in the Body; tolerate one directly under the Envelope too.
const xmlNode* find_fault(const xmlNode* envelope) {
  if (const xmlNode* fault = soap::path(envelope, {"Body", "Fault"})) return fault;
  return soap::child(envelope, "Fault");
}

Status check_messenger_token(const RstTokens& tokens) {
  const SecurityToken* token = tokens.find(kMessengerClear);
  if (token == nullptr)
    return make_error(Errc::kSoap, "RST: no token for messengerclear.live.com");
  const auto t = token->fields.find("t");
  if (t == token->fields.end() || t->second.empty())
    return make_error(Errc::kSoap, "RST: messengerclear.live.com token has no t= ticket");
  if (token->binary_secret.size() != kProofKeySize)
    return make_error(Errc::kSoap, "RST: messengerclear.live.com proof key is " +
                                       std::to_string(token->binary_secret.size()) +
                                       " bytes, not 24");
  return Status::ok();
}

RstTokens collect_tokens(const xmlNode* collection) {
  RstTokens tokens;
  std::set<std::string> seen;  // lower-cased addresses; the first response for each wins
  for (const xmlNode* response : soap::children(collection, "RequestSecurityTokenResponse")) {
    std::string address =
        trimmed_text(soap::path(response, {"AppliesTo", "EndpointReference", "Address"}));
    if (address.empty() || !seen.insert(ascii::to_lower(address)).second) continue;
    if (same_address(address, kMasterAddress)) {
      tokens.master_cipher_value = trimmed_text(soap::path(
          response, {"RequestedSecurityToken", "EncryptedData", "CipherData", "CipherValue"}));
      tokens.master_secret = proof_key(response);
      continue;
    }
    tokens.tokens.push_back(parse_service_token(response, std::move(address)));
  }
  return tokens;
}

}  // namespace

std::string SecurityToken::ticket() const {
  const auto t = fields.find("t");
  const auto p = fields.find("p");
  std::string out = "t=";
  if (t != fields.end()) out += t->second;
  out += "&p=";
  if (p != fields.end()) out += p->second;
  return out;
}

const SecurityToken* RstTokens::find(std::string_view address) const {
  for (const SecurityToken& token : tokens)
    if (same_address(token.address, address)) return &token;
  return nullptr;
}

std::string build_rst_request(std::string_view account, std::string_view password,
                              std::string_view messenger_policy) {
  std::string out(kRequestHead);
  out += "<wsse:Username>";
  out += soap::escape(account);
  out += "</wsse:Username><wsse:Password>";
  out += soap::escape(truncate_utf8(password, kMaxPasswordChars));
  out += "</wsse:Password>";
  out += kRequestBodyStart;
  std::size_t index = 0;
  append_token_request(out, index++, kMasterAddress, {}, false);
  append_token_request(out, index++, kMessengerClear, messenger_policy, true);
  for (const ServiceRequest& service : kOtherServices)
    append_token_request(out, index++, service.address, service.policy, true);
  out += kRequestTail;
  return out;
}

Result<RstOutcome> parse_rst_response(std::string_view xml) {
  auto doc = soap::XmlDocument::parse(xml, soap::XmlLimits{.max_bytes = kMaxResponseBytes});
  if (!doc) return doc.error();
  const xmlNode* envelope = doc->root();
  if (!soap::is_named(envelope, "Envelope"))
    return make_error(Errc::kSoap, "RST: the response is not a SOAP envelope");
  if (const xmlNode* fault = find_fault(envelope)) return fault_outcome(fault);

  const xmlNode* collection = soap::find_descendant(soap::child(envelope, "Body"),
                                                    "RequestSecurityTokenResponseCollection");
  if (collection == nullptr)
    return make_error(Errc::kSoap, "RST: no RequestSecurityTokenResponseCollection");
  RstTokens tokens = collect_tokens(collection);
  MSN_TRY(check_messenger_token(tokens));
  return RstOutcome(std::move(tokens));
}

}  // namespace msn::auth
