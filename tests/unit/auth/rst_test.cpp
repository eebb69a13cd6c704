// SPDX-License-Identifier: GPL-2.0-or-later
// RST.srf request building and response parsing (docs/protocol/notification-server.md) against
// tests/data/vectors/rst-response.xml and hand-made variants.
#include "auth/rst.h"
#include "crypto/crypto.h"
#include "soap/xml.h"

#include <algorithm>
#include <chrono>
#include <fstream>  // every std header before cmocka_cpp.h: cmocka's fail() macro breaks them
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Result;
using msn::auth::RstOutcome;
using msn::auth::RstRedirect;
using msn::auth::RstTokens;
using msn::auth::SecurityToken;
namespace soap = msn::soap;

constexpr std::string_view kVector = "vectors/rst-response.xml";
constexpr std::string_view kMessengerSecretB64 = "Z1OQ3mCLbrkCGvfRX0V8Ly/nSsbmv4La";
constexpr std::string_view kMasterSecretB64 = "tgoPVK67sU36fQKlGLMgWgTXp7oiaQgE";
constexpr std::string_view kOtherSecretB64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYX";  // 24 bytes
constexpr std::string_view kServices[] = {
    "messengerclear.live.com", "messenger.msn.com", "contacts.msn.com",
    "messengersecure.live.com", "spaces.live.com", "storage.msn.com",
};

struct Fixture {
  std::string xml, text, expected;
  std::vector<std::string> parts;
  std::vector<xmlNode*> nodes;
  std::optional<Result<RstOutcome>> outcome;
  std::optional<Result<soap::XmlDocument>> doc;
  std::optional<Result<std::string>> decoded;
};

constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

// ---- document helpers ----------------------------------------------------------------

std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  std::size_t pos = s.find(from);
  while (pos != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos = s.find(from, pos + to.size());
  }
  return s;
}

// Drops whitespace-only runs between '>' and '<'.
std::string compact(std::string_view xml) {
  std::string out;
  std::size_t i = 0;
  while (i < xml.size()) {
    out += xml[i];
    if (xml[i++] != '>') continue;
    std::size_t j = i;
    while (j < xml.size() && std::string_view(" \t\r\n").find(xml[j]) != std::string_view::npos)
      ++j;
    if (j < xml.size() && xml[j] == '<') i = j;
  }
  return out;
}

// The same document with other prefixes: S -> soapenv, wst -> q0, wsse -> the default
// namespace (no prefix at all).
std::string reprefix(std::string xml) {
  xml = replace_all(xml, "<S:", "<soapenv:");
  xml = replace_all(xml, "</S:", "</soapenv:");
  xml = replace_all(xml, "xmlns:S=", "xmlns:soapenv=");
  xml = replace_all(xml, "xmlns:wst=", "xmlns:q0=");
  xml = replace_all(xml, "wst:", "q0:");
  xml = replace_all(xml, "xmlns:wsse=", "xmlns=");
  xml = replace_all(xml, "wsse:", "");
  return xml;
}

struct TokenSpec {
  std::string address;
  std::string id;
  std::string ticket;  // as it appears in XML (escaped)
  std::string secret_b64;
  bool lifetime = true;
};

std::string token_response(const TokenSpec& t) {
  std::string out =
      "<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:compact</wst:TokenType>";
  if (!t.address.empty()) {
    out += "<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>" + t.address +
           "</wsa:Address></wsa:EndpointReference></wsp:AppliesTo>";
  }
  if (t.lifetime) {
    out += "<wst:LifeTime><wsu:Created>2008-06-01T12:00:00Z</wsu:Created>"
           "<wsu:Expires>2008-06-02T12:00:00Z</wsu:Expires></wst:LifeTime>";
  }
  out += "<wst:RequestedSecurityToken><wsse:BinarySecurityToken Id=\"" + t.id + "\">" + t.ticket +
         "</wsse:BinarySecurityToken></wst:RequestedSecurityToken>";
  if (!t.secret_b64.empty()) {
    out += "<wst:RequestedProofToken><wst:BinarySecret>" + t.secret_b64 +
           "</wst:BinarySecret></wst:RequestedProofToken>";
  }
  out += "</wst:RequestSecurityTokenResponse>";
  return out;
}

std::string envelope(std::string_view body) {
  return std::string(
             "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
             "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\""
             " xmlns:wst=\"http://schemas.xmlsoap.org/ws/2004/04/trust\""
             " xmlns:wsse=\"http://schemas.xmlsoap.org/ws/2003/06/secext\""
             " xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/"
             "oasis-200401-wss-wssecurity-utility-1.0.xsd\""
             " xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2002/12/policy\""
             " xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/03/addressing\""
             " xmlns:psf=\"http://schemas.microsoft.com/Passport/SoapServices/SOAPFault\">"
             "<S:Header><psf:pp><psf:serverVersion>1</psf:serverVersion></psf:pp></S:Header>"
             "<S:Body>") +
         std::string(body) + "</S:Body></S:Envelope>";
}

std::string collection(const std::vector<TokenSpec>& tokens) {
  std::string out = "<wst:RequestSecurityTokenResponseCollection>";
  for (const TokenSpec& t : tokens) out += token_response(t);
  out += "</wst:RequestSecurityTokenResponseCollection>";
  return envelope(out);
}

std::string fault(std::string_view code, std::string_view reason, std::string_view extra = {}) {
  return envelope("<S:Fault><faultcode>" + std::string(code) + "</faultcode><faultstring>" +
                  std::string(reason) + "</faultstring>" + std::string(extra) + "</S:Fault>");
}

// The messengerclear ticket exactly as the vector file carries it, found by plain string
// search (independently of the XML parser), with &amp; decoded.
std::string vector_messenger_ticket(const std::string& xml) {
  const std::string open = "Id=\"Compact1\">";
  const std::size_t start = xml.find(open);
  const std::size_t end = xml.find("</wsse:BinarySecurityToken>", start);
  if (start == std::string::npos || end == std::string::npos) return {};
  return replace_all(xml.substr(start + open.size(), end - start - open.size()), "&amp;", "&");
}

// ---- assertion helpers ---------------------------------------------------------------

void print_error_detail(const Fixture& f) {
  if (f.outcome && !f.outcome->is_ok())
    print_error("unexpected error %d: %s\n", static_cast<int>(f.outcome->error().code),
                f.outcome->error().detail.c_str());
}

const RstTokens& expect_tokens(Fixture& f) {
  if (!f.outcome->is_ok()) {
    print_error_detail(f);
    fail();
  }
  const auto* tokens = std::get_if<RstTokens>(&f.outcome->value());
  assert_non_null(tokens);
  return *tokens;
}

const SecurityToken& expect_token(const RstTokens& tokens, std::string_view address) {
  const SecurityToken* token = tokens.find(address);
  if (token == nullptr) {
    print_error("no token for %.*s\n", static_cast<int>(address.size()), address.data());
    fail();
  }
  return *token;
}

// Error details go to debug logs: they must never carry a ticket or a proof key.
void expect_no_secrets(const std::string& detail) {
  assert_true(detail.find("t0k3n") == std::string::npos);
  assert_true(detail.find("Z1OQ3m") == std::string::npos);
  assert_true(detail.find("tgoPVK") == std::string::npos);
  assert_true(detail.find("Cap26AQ") == std::string::npos);
  assert_true(detail.find("root:") == std::string::npos);
}

void expect_error(Fixture& f, Errc code) {
  if (f.outcome->is_ok()) {
    print_error("expected error %d, parsed fine\n", static_cast<int>(code));
    fail();
  }
  if (f.outcome->error().code != code) print_error_detail(f);
  assert_int_equal(static_cast<int>(f.outcome->error().code), static_cast<int>(code));
  expect_no_secrets(f.outcome->error().detail);
}

void expect_binary_secret(Fixture& f, const std::string& secret, std::string_view b64) {
  f.decoded = msn::crypto::base64_decode(b64);
  assert_true(f.decoded->is_ok());
  assert_int_equal(f.decoded->value().size(), 24);
  assert_true(secret == f.decoded->value());
}

// ---- the vector ----------------------------------------------------------------------

void test_vector_messengerclear_token(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  assert_true(f.xml.size() > 1000);
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  const SecurityToken& mc = expect_token(tokens, msn::auth::kMessengerClear);

  // vectors/README.md: t runs up to &amp;p=; the ticket is "t=t0k3n...VAg==&p=".
  f.expected = vector_messenger_ticket(f.xml);
  assert_true(f.expected.rfind("t=t0k3nAbCdEfGhIjKlMnOpY6+H31sT", 0) == 0);
  assert_true(f.expected.size() > 8 &&
              f.expected.compare(f.expected.size() - 8, 8, "VAg==&p=") == 0);
  f.text = mc.ticket();
  assert_bytes_equal(f.text, f.expected);
  assert_true(mc.fields.at("t").rfind("t0k3nAbCdEf", 0) == 0);
  assert_true(mc.fields.at("p").empty());
  assert_int_equal(mc.fields.size(), 2);
  expect_binary_secret(f, mc.binary_secret, kMessengerSecretB64);
  assert_bytes_equal(mc.expires, "2008-06-02T12:00:00Z");
}

void test_vector_every_service_by_address(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  assert_int_equal(tokens.tokens.size(), 6);
  for (const std::string_view address : kServices) {
    const SecurityToken& token = expect_token(tokens, address);
    assert_true(token.address == address);
    assert_true(token.ticket().rfind("t=t0k3n", 0) == 0);
    assert_bytes_equal(token.expires, "2008-06-02T12:00:00Z");
    assert_int_equal(token.binary_secret.size(), 24);
  }
  // Addresses are host names: matched without regard to case. Unknown ones are absent.
  assert_non_null(tokens.find("MessengerClear.Live.COM"));
  assert_null(tokens.find("livecontacts.live.com"));
  assert_null(tokens.find(""));
}

void test_vector_master_token(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  const std::size_t start = f.xml.find("<CipherValue>") + 13;
  f.expected = f.xml.substr(start, f.xml.find("</CipherValue>") - start);
  assert_true(f.expected.rfind("Cap26AQZrSyMm2Sww", 0) == 0);
  assert_bytes_equal(tokens.master_cipher_value, f.expected);
  expect_binary_secret(f, tokens.master_secret, kMasterSecretB64);
  assert_null(tokens.find("http://Passport.NET/tb"));  // kept apart from the service tokens
}

void test_vector_compacted_and_reprefixed(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::test::read_data_file(kVector);
  f.expected = vector_messenger_ticket(f.xml);
  f.parts = {compact(f.xml), reprefix(f.xml), reprefix(compact(f.xml)),
             replace_all(f.xml, "\n", "\r\n")};
  assert_true(f.parts[0].size() + 1000 < f.xml.size());
  assert_true(f.parts[0].find(">\n") == std::string::npos);
  assert_true(f.parts[1].find("<wst:") == std::string::npos);
  assert_true(f.parts[1].find("<BinarySecurityToken") != std::string::npos);
  for (const std::string& xml : f.parts) {
    f.outcome = msn::auth::parse_rst_response(xml);
    const RstTokens& tokens = expect_tokens(f);
    assert_int_equal(tokens.tokens.size(), 6);
    for (const std::string_view address : kServices) expect_token(tokens, address);
    f.text = expect_token(tokens, msn::auth::kMessengerClear).ticket();
    assert_bytes_equal(f.text, f.expected);
    expect_binary_secret(f, expect_token(tokens, msn::auth::kMessengerClear).binary_secret,
                         kMessengerSecretB64);
    expect_binary_secret(f, tokens.master_secret, kMasterSecretB64);
  }
}

// ---- variants ------------------------------------------------------------------------

// Tokens are matched by address, never by position or Id number.
void test_other_order_and_ids_from_two(void** state) {
  Fixture& f = fx(state);
  f.xml = collection({
      {"storage.msn.com", "Compact2", "t=STORAGE&amp;p=sp", std::string(kOtherSecretB64)},
      {"contacts.msn.com", "PPToken3", "t=CONTACTS&amp;p=", std::string(kOtherSecretB64)},
      {"spaces.live.com", "Compact9", "t=SPACES", ""},
      {"messengersecure.live.com", "Compact5", "t=SECURE&amp;p=x", ""},
      {"messenger.msn.com", "Compact6", "t=WEB&amp;p=web", ""},
      {"messengerclear.live.com", "Compact7", "t=CLEAR+/==&amp;p=CLEARP",
       std::string(kMessengerSecretB64)},
  });
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  assert_int_equal(tokens.tokens.size(), 6);
  f.text = expect_token(tokens, "messengerclear.live.com").ticket();
  assert_bytes_equal(f.text, "t=CLEAR+/==&p=CLEARP");
  expect_binary_secret(f, expect_token(tokens, "messengerclear.live.com").binary_secret,
                       kMessengerSecretB64);
  f.text = expect_token(tokens, "storage.msn.com").ticket();
  assert_bytes_equal(f.text, "t=STORAGE&p=sp");
  f.text = expect_token(tokens, "contacts.msn.com").ticket();
  assert_bytes_equal(f.text, "t=CONTACTS&p=");
  f.text = expect_token(tokens, "spaces.live.com").ticket();
  assert_bytes_equal(f.text, "t=SPACES&p=");  // p absent: empty
  f.text = expect_token(tokens, "messenger.msn.com").ticket();
  assert_bytes_equal(f.text, "t=WEB&p=web");
  assert_true(expect_token(tokens, "spaces.live.com").binary_secret.empty());
  assert_true(tokens.master_secret.empty());
  assert_true(tokens.master_cipher_value.empty());
}

// A second response for the same address is ignored: the first one wins.
void test_repeated_response_keeps_first(void** state) {
  Fixture& f = fx(state);
  f.xml = collection({
      {"messengerclear.live.com", "Compact1", "t=FIRST&amp;p=1", std::string(kMessengerSecretB64)},
      {"contacts.msn.com", "Compact2", "t=C1&amp;p=", ""},
      {"messengerclear.live.com", "Compact1", "t=SECOND&amp;p=2", std::string(kOtherSecretB64)},
      {"Contacts.MSN.com", "Compact3", "t=C2&amp;p=", ""},
  });
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  assert_int_equal(tokens.tokens.size(), 2);
  f.text = expect_token(tokens, msn::auth::kMessengerClear).ticket();
  assert_bytes_equal(f.text, "t=FIRST&p=1");
  expect_binary_secret(f, expect_token(tokens, msn::auth::kMessengerClear).binary_secret,
                       kMessengerSecretB64);
  f.text = expect_token(tokens, "contacts.msn.com").ticket();
  assert_bytes_equal(f.text, "t=C1&p=");
}

void test_optional_elements_missing_or_empty(void** state) {
  Fixture& f = fx(state);
  f.xml = collection({
      {"", "Compact0", "t=NOADDRESS&amp;p=", ""},  // no AppliesTo: skipped
      {"  messengerclear.live.com\n ", "Compact1", "\n  t=MC&amp;p=P \n",
       "\n Z1OQ3mCLbrkCGvfRX0V8\n Ly/nSsbmv4La \n", false},
      {"contacts.msn.com", "Compact2", "", "", false},
      {"spaces.live.com", "Compact3", "t=S&amp;&amp;p=&amp;x=1=2&amp;noequals", "not base64!"},
  });
  f.outcome = msn::auth::parse_rst_response(f.xml);
  const RstTokens& tokens = expect_tokens(f);
  assert_int_equal(tokens.tokens.size(), 3);
  const SecurityToken& mc = expect_token(tokens, msn::auth::kMessengerClear);
  f.text = mc.ticket();
  assert_bytes_equal(f.text, "t=MC&p=P");
  assert_true(mc.expires.empty());
  expect_binary_secret(f, mc.binary_secret, kMessengerSecretB64);
  const SecurityToken& contacts = expect_token(tokens, "contacts.msn.com");
  assert_true(contacts.fields.empty());
  assert_true(contacts.binary_secret.empty());
  f.text = contacts.ticket();
  assert_bytes_equal(f.text, "t=&p=");
  const SecurityToken& spaces = expect_token(tokens, "spaces.live.com");
  assert_true(spaces.binary_secret.empty());  // undecodable proof key treated as absent
  assert_bytes_equal(spaces.fields.at("x"), "1=2");
  assert_true(spaces.fields.count("noequals") == 1);
  f.text = spaces.ticket();
  assert_bytes_equal(f.text, "t=S&p=");
}

// ---- faults --------------------------------------------------------------------------

void test_failed_authentication_fault(void** state) {
  Fixture& f = fx(state);
  // As sent with HTTP 200: a psf:pp header reporting the failure, then a SOAP 1.1 fault.
  f.xml = replace_all(
      fault("wsse:FailedAuthentication", "Authentication Failure"),
      "<psf:serverVersion>1</psf:serverVersion>",
      "<psf:serverVersion>1</psf:serverVersion><psf:authstate>0x80048800</psf:authstate>"
      "<psf:reqstatus>0x80048821</psf:reqstatus>");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kAuth);
  assert_true(f.outcome->error().detail.find("FailedAuthentication") != std::string::npos);

  // Same fault placed directly under the Envelope, and compacted/pretty variants.
  f.xml = "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\">\n"
          "  <S:Fault>\n    <faultcode>wsse:FailedAuthentication</faultcode>\n"
          "  </S:Fault>\n</S:Envelope>\n";
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kAuth);

  // SOAP 1.2 shape with the reason in a Subcode.
  f.xml = "<env:Envelope xmlns:env=\"http://www.w3.org/2003/05/soap-envelope\"><env:Body>"
          "<env:Fault><env:Code><env:Value>env:Sender</env:Value><env:Subcode>"
          "<env:Value>wsse:FailedAuthentication</env:Value></env:Subcode></env:Code>"
          "<env:Reason><env:Text xml:lang=\"en\">Bad password</env:Text></env:Reason>"
          "</env:Fault></env:Body></env:Envelope>";
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kAuth);
  assert_true(f.outcome->error().detail.find("Bad password") != std::string::npos);
}

void test_redirect_fault(void** state) {
  Fixture& f = fx(state);
  f.xml = fault("psf:Redirect", "Authentication Failure",
                "<psf:redirectUrl>https://msnia.login.live.com/pp550/RST.srf</psf:redirectUrl>");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  if (!f.outcome->is_ok()) print_error_detail(f);
  assert_true(f.outcome->is_ok());
  const auto* redirect = std::get_if<RstRedirect>(&f.outcome->value());
  assert_non_null(redirect);
  assert_bytes_equal(redirect->url, "https://msnia.login.live.com/pp550/RST.srf");

  f.xml = fault("psf:Redirect", "no url here");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
}

void test_other_fault_is_soap_error(void** state) {
  Fixture& f = fx(state);
  f.xml = fault("S:Server", "Internal &lt;error&gt;\nsecond line");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
  const std::string& detail = f.outcome->error().detail;
  assert_true(detail.find("S:Server") != std::string::npos);
  assert_true(detail.find("Internal <error>") != std::string::npos);
  assert_true(detail.find('\n') == std::string::npos);  // one log line

  // A long reason is cut for the log at a character boundary, never inside "\xc3\xa9".
  f.text.clear();
  for (int i = 0; i < 300; ++i) f.text += "\xc3\xa9";
  f.xml = fault("S:Server", f.text);
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
  f.text = f.outcome->error().detail;
  assert_true(f.text.size() < 600);
  assert_int_equal(std::count(f.text.begin(), f.text.end(), '\xc3'),
                   std::count(f.text.begin(), f.text.end(), '\xa9'));

  // A fault wins over tokens in the same document.
  f.xml = msn::test::read_data_file(kVector);
  f.xml = replace_all(f.xml, "<S:Body>",
                      "<S:Body><S:Fault><faultcode>wst:InvalidRequest</faultcode></S:Fault>");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
}

// ---- unusable documents --------------------------------------------------------------

void test_malformed_documents(void** state) {
  Fixture& f = fx(state);
  f.parts = {
      "",
      " ",
      "not xml at all",
      "\x00\x01\x02",
      "<",
      "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\">",
      "<html><body>Service Unavailable</body></html>",
      "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"/>",
      "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body/></S:Envelope>",
      "<Envelope><Body><RequestSecurityTokenResponseCollection/></Body></Envelope>",
      "<a:Envelope><a:Body/></a:Envelope>",  // undeclared prefix
      envelope("&undefined;"),
      envelope("<x>\xff\xfe</x>"),
  };
  f.parts[3] = std::string("\0\x01\x02", 3);
  for (const std::string& xml : f.parts) {
    f.outcome = msn::auth::parse_rst_response(xml);
    expect_error(f, Errc::kSoap);
  }
  // The vector cut anywhere is never accepted and never crashes.
  f.xml = msn::test::read_data_file(kVector);
  for (std::size_t cut = 0; cut < f.xml.size(); cut += 97) {
    f.outcome = msn::auth::parse_rst_response(std::string_view(f.xml).substr(0, cut));
    expect_error(f, Errc::kSoap);
  }
}

void test_dtd_and_entity_attacks_fail_fast(void** state) {
  Fixture& f = fx(state);
  f.parts = {
      // Billion laughs.
      "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">"
      "<!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">"
      "<!ENTITY lol2 \"&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;\">"
      "<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">"
      "<!ENTITY lol4 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">"
      "<!ENTITY lol5 \"&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;\">"
      "<!ENTITY lol6 \"&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;\">"
      "<!ENTITY lol7 \"&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;\">"
      "<!ENTITY lol8 \"&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;\">"
      "<!ENTITY lol9 \"&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;\">]>"
      "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body>"
      "<faultcode>&lol9;</faultcode></S:Body></S:Envelope>",
      // External entity.
      "<?xml version=\"1.0\"?><!DOCTYPE S:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>"
      "<S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\"><S:Body><S:Fault>"
      "<faultcode>S:Server</faultcode><faultstring>&xxe;</faultstring></S:Fault></S:Body>"
      "</S:Envelope>",
      // External DTD and parameter entity.
      "<!DOCTYPE S:Envelope SYSTEM \"http://192.0.2.1/evil.dtd\"><S:Envelope/>",
      "<!DOCTYPE x [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> %p;]><x/>",
      // A DTD placed in front of an otherwise valid response.
      "<!DOCTYPE S:Envelope []>" + msn::test::read_data_file(kVector).substr(38),
  };
  const auto start = std::chrono::steady_clock::now();
  for (const std::string& xml : f.parts) {
    f.outcome = msn::auth::parse_rst_response(xml);
    expect_error(f, Errc::kSoap);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  assert_true(elapsed < std::chrono::seconds(2));
}

void test_unusable_messengerclear_token(void** state) {
  Fixture& f = fx(state);
  // Missing entirely.
  f.xml = replace_all(msn::test::read_data_file(kVector), "messengerclear.live.com",
                      "messengerclear.example.com");
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
  assert_true(f.outcome->error().detail.find("messengerclear") != std::string::npos);

  const std::vector<TokenSpec> broken = {
      {"messengerclear.live.com", "Compact1", "t=MC&amp;p=", "AAECAwQFBgcICQoLDA0ODw=="},  // 16 B
      {"messengerclear.live.com", "Compact1", "t=MC&amp;p=", "not base64!"},
      {"messengerclear.live.com", "Compact1", "t=MC&amp;p=", ""},
      {"messengerclear.live.com", "Compact1", "p=only", std::string(kMessengerSecretB64)},
      {"messengerclear.live.com", "Compact1", "t=&amp;p=x", std::string(kMessengerSecretB64)},
      {"messengerclear.live.com", "Compact1", "", std::string(kMessengerSecretB64)},
  };
  for (const TokenSpec& spec : broken) {
    f.xml = collection({{"contacts.msn.com", "Compact2", "t=C&amp;p=", ""}, spec});
    f.outcome = msn::auth::parse_rst_response(f.xml);
    expect_error(f, Errc::kSoap);
  }
  // An empty collection.
  f.xml = collection({});
  f.outcome = msn::auth::parse_rst_response(f.xml);
  expect_error(f, Errc::kSoap);
}

// ---- the request ---------------------------------------------------------------------

xmlNode* parse_request(Fixture& f) {
  f.doc = soap::XmlDocument::parse(f.xml);
  if (!f.doc->is_ok()) {
    print_error("request does not parse: %s\n", f.doc->error().detail.c_str());
    fail();
  }
  xmlNode* root = f.doc->value().root();
  assert_true(soap::is_named(root, "Envelope"));
  return root;
}

std::string credential(xmlNode* root, std::string_view name) {
  return soap::text(soap::path(root, {"Header", "Security", "UsernameToken", name}));
}

void test_request_parses_and_escapes(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::auth::build_rst_request("a&b<c>@example.com", "a<b&\"c'", "MBI_KEY_OLD");
  assert_true(f.xml.find("<wsse:Password>a&lt;b&amp;&quot;c&apos;</wsse:Password>") !=
              std::string::npos);
  assert_true(f.xml.find("a&amp;b&lt;c&gt;@example.com") != std::string::npos);
  xmlNode* root = parse_request(f);
  f.text = credential(root, "Username");
  assert_bytes_equal(f.text, "a&b<c>@example.com");
  f.text = credential(root, "Password");
  assert_bytes_equal(f.text, "a<b&\"c'");
  assert_bytes_equal(soap::attribute(soap::path(root, {"Header", "AuthInfo"}), "Id"),
                     "PPAuthInfo");
  assert_true(f.xml.rfind("<?xml version=\"1.0\" encoding=\"utf-8\"?>", 0) == 0);
}

void test_request_truncates_password_to_16_characters(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::auth::build_rst_request("alice@example.com", "abcdefghijklmnopqrst", "MBI_KEY_OLD");
  f.text = credential(parse_request(f), "Password");
  assert_bytes_equal(f.text, "abcdefghijklmnop");

  // Characters, not bytes: 20 two-, three- and four-byte characters keep 16 whole ones.
  f.expected.clear();
  f.text.clear();
  static constexpr const char* kChars[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9d\x84\x9e", "x"};
  for (int i = 0; i < 20; ++i) {
    f.text += kChars[i % 4];
    if (i < 16) f.expected += kChars[i % 4];
  }
  f.xml = msn::auth::build_rst_request("alice@example.com", f.text, "MBI_KEY_OLD");
  f.text = credential(parse_request(f), "Password");
  assert_bytes_equal(f.text, f.expected);

  // Escaping happens after truncation: 16 '&' become 16 "&amp;", none cut in half.
  f.xml = msn::auth::build_rst_request("alice@example.com", std::string(20, '&'), "MBI_KEY_OLD");
  f.text = credential(parse_request(f), "Password");
  assert_bytes_equal(f.text, std::string(16, '&'));

  f.xml = msn::auth::build_rst_request("alice@example.com", "exactly16chars!!", "MBI_KEY_OLD");
  f.text = credential(parse_request(f), "Password");
  assert_bytes_equal(f.text, "exactly16chars!!");
  f.xml = msn::auth::build_rst_request("alice@example.com", "", "MBI_KEY_OLD");
  f.text = credential(parse_request(f), "Password");
  assert_bytes_equal(f.text, "");
}

void test_request_token_list(void** state) {
  Fixture& f = fx(state);
  f.xml = msn::auth::build_rst_request("alice@example.com", "secret", "MBI_KEY_\"OLD");
  xmlNode* root = parse_request(f);
  xmlNode* multiple = soap::path(root, {"Body", "RequestMultipleSecurityTokens"});
  assert_non_null(multiple);
  f.nodes = soap::children(multiple, "RequestSecurityToken");
  assert_int_equal(f.nodes.size(), 7);

  struct Expected {
    const char* address;
    const char* policy;  // nullptr: no PolicyReference
  };
  const Expected expected[] = {
      {"http://Passport.NET/tb", nullptr},
      {"messengerclear.live.com", "MBI_KEY_\"OLD"},
      {"messenger.msn.com", "?id=507"},
      {"contacts.msn.com", "MBI"},
      {"messengersecure.live.com", "MBI_SSL"},
      {"spaces.live.com", "MBI"},
      {"storage.msn.com", "MBI_SSL"},
  };
  for (std::size_t i = 0; i < 7; ++i) {
    xmlNode* rst = f.nodes[i];
    f.text = soap::attribute(rst, "Id");
    assert_bytes_equal(f.text, "RST" + std::to_string(i));
    f.text = soap::text(soap::child(rst, "RequestType"));
    assert_bytes_equal(f.text, "http://schemas.xmlsoap.org/ws/2004/04/security/trust/Issue");
    f.text = soap::text(soap::path(rst, {"AppliesTo", "EndpointReference", "Address"}));
    assert_bytes_equal(f.text, expected[i].address);
    xmlNode* policy = soap::child(rst, "PolicyReference");
    if (expected[i].policy == nullptr) {
      assert_null(policy);
    } else {
      assert_non_null(policy);
      f.text = soap::attribute(policy, "URI");
      assert_bytes_equal(f.text, expected[i].policy);
    }
  }
  // The password never leaks into anything but its element.
  assert_int_equal(f.xml.find("secret"), f.xml.rfind("secret"));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_vector_messengerclear_token, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vector_every_service_by_address, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vector_master_token, setup, teardown),
      cmocka_unit_test_setup_teardown(test_vector_compacted_and_reprefixed, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_order_and_ids_from_two, setup, teardown),
      cmocka_unit_test_setup_teardown(test_repeated_response_keeps_first, setup, teardown),
      cmocka_unit_test_setup_teardown(test_optional_elements_missing_or_empty, setup, teardown),
      cmocka_unit_test_setup_teardown(test_failed_authentication_fault, setup, teardown),
      cmocka_unit_test_setup_teardown(test_redirect_fault, setup, teardown),
      cmocka_unit_test_setup_teardown(test_other_fault_is_soap_error, setup, teardown),
      cmocka_unit_test_setup_teardown(test_malformed_documents, setup, teardown),
      cmocka_unit_test_setup_teardown(test_dtd_and_entity_attacks_fail_fast, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unusable_messengerclear_token, setup, teardown),
      cmocka_unit_test_setup_teardown(test_request_parses_and_escapes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_request_truncates_password_to_16_characters, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_request_token_list, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
