// SPDX-License-Identifier: GPL-2.0-or-later
// The notification session's sign-in and online life, driven through the sans-I/O Client with
// scripted server answers taken from transcript 01 and the shared vectors.
#include <memory>
#include <string>

#include "support/http_reply.h"
#include "support/scripted_client.h"

using msn::ConnectionId;
using msn::Errc;
using msn::test::http_response;
using msn::test::ScriptedClient;

namespace {

constexpr std::string_view kNonce =
    "8CLhG/xfgYZ7TyRQ/jIAWyDmd/w4R4GF2yKLS6tYrnjzi4cFag/Nr+hxsfg5zlCf";
// vectors/mbi.txt case 2: the vector's secret and nonce with IV 00 01 02 03 04 05 06 07.
constexpr std::string_view kBlobCase2 =
    "HAAAAAEAAAADZgAABIAAAAgAAAAUAAAASAAAAAABAgMEBQYHuMhPfxQhpv3jfduVtNA99FPmdgA3RRcLzuoHYJDnFv6adD"
    "4rn5dOlIB4Ocqz"
    "VyPzJXdViHOCvgsVNEwpE//u6yPeOfQ6CX/qpfktaT7ma121abowQnx2tk5WFdQ=";
constexpr std::string_view kPassword = "s3cr3t-Passw0rd";

msn::Settings test_settings() {
  msn::Settings settings;
  settings.account = "alice@example.com";
  settings.password = std::string(kPassword);
  settings.server = "dispatch.example.net";
  settings.port = 1863;
  settings.web_services_url = "https://msn.example.net";
  return settings;
}

std::string rst_vector() { return msn::test::read_data_file("vectors/rst-response.xml"); }

// The messengerclear ticket of the vector, XML-unescaped ("t=...&p=").
std::string vector_ticket() {
  const std::string xml = rst_vector();
  const auto start = xml.find("Id=\"Compact1\">") + 14;
  const auto end = xml.find("&amp;p=", start);
  return xml.substr(start, end - start) + "&p=";
}

// What a server that keeps its connections answers (the web services of a real server do).
std::string keep_alive_response(std::string_view body) {
  return "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

std::string hotmail_msg(std::string_view payload) {
  return "MSG Hotmail Hotmail " + std::to_string(payload.size()) + "\r\n" + std::string(payload);
}

constexpr std::string_view kProfile =
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: "
    "1212321600\r\n"
    "MSPAuth: t0k3nAbCdEfGhIjKlMnOp&p=\r\nsid: 507\r\nClientIP: 192.0.2.10\r\nClientPort: "
    "50000\r\n\r\n";

// Negotiation on one NS connection up to and including "USR 3 SSO I".
void negotiate(ScriptedClient& s, ConnectionId ns) {
  s.connected(ns);
  s.expect_send(ns, "VER 1 MSNP15 CVR0\r\n");
  s.feed(ns, "VER 1 MSNP15\r\n");
  s.expect_send(ns, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.5.1302 BC01 alice@example.com\r\n");
  s.feed(
      ns,
      "CVR 2 8.5.1302 8.5.1302 8.5.1302 http://download.example/wlm http://info.example/wlm\r\n");
  s.expect_send(ns, "USR 3 SSO I alice@example.com\r\n");
}

// Runs the web login on its own connection; returns the RST request bytes.
std::string web_login(ScriptedClient& s, std::string_view answer) {
  const ConnectionId web = s.expect_connect("msn.example.net", 443, true);
  s.connected(web);
  std::string request = s.expect_send(web);
  s.feed(web, answer);
  s.expect_close(web);
  return request;
}

// From a fresh client to the server's "USR 3 SSO S" on the dispatch connection itself (no XFR),
// which starts the web login.
ConnectionId sign_in_until_web_login(ScriptedClient& s) {
  s.start();
  const ConnectionId ns = s.expect_connect("dispatch.example.net", 1863, false);
  negotiate(s, ns);
  s.feed(ns, "USR 3 SSO S MBI_KEY_OLD " + std::string(kNonce) + "\r\n");
  return ns;
}

// From a fresh client to "USR 4 SSO S ..." sent on the (redirected) NS connection.
ConnectionId sign_in_until_ticket(ScriptedClient& s) {
  s.start();
  const ConnectionId dispatch = s.expect_connect("dispatch.example.net", 1863, false);
  negotiate(s, dispatch);
  s.feed(dispatch, "XFR 3 NS 198.51.100.7:1863 U D\r\n");
  s.expect_close(dispatch);
  const ConnectionId ns = s.expect_connect("198.51.100.7", 1863, false);
  negotiate(s, ns);
  s.feed(ns, "USR 3 SSO S MBI_KEY_OLD " + std::string(kNonce) + "\r\n");
  const std::string request = web_login(s, http_response(200, rst_vector()));
  assert_true(request.rfind("POST /RST.srf HTTP/1.1\r\n", 0) == 0);
  assert_true(request.find("Host: msn.example.net\r\n") != std::string::npos);
  assert_true(request.find("<wsse:Password>" + std::string(kPassword) + "</wsse:Password>") !=
              std::string::npos);
  assert_true(request.find("MBI_KEY_OLD") != std::string::npos);
  s.expect_send(ns, "USR 4 SSO S " + vector_ticket() + " " + std::string(kBlobCase2) + "\r\n");
  return ns;
}

// The contacts.msn.com ticket of the vector, XML-escaped as the SOAP header carries it.
std::string vector_contacts_ticket() {
  const std::string xml = rst_vector();
  const auto start = xml.find("Id=\"Compact3\">") + 14;
  return xml.substr(start, xml.find("</wsse:BinarySecurityToken>", start) - start);
}

// Transcript 01 §3: FindMembership and ABFindAll go out together (both connections are asked
// for before either answer is in), carry the contacts ticket, and are answered with the vectors.
void fetch_contact_list(ScriptedClient& s) {
  const ConnectionId sharing = s.expect_connect("msn.example.net", 443, true);
  const ConnectionId abservice = s.expect_connect("msn.example.net", 443, true);
  s.connected(sharing);
  const std::string membership_request = s.expect_send(sharing);
  s.connected(abservice);
  const std::string ab_request = s.expect_send(abservice);
  assert_true(membership_request.rfind("POST /abservice/SharingService.asmx HTTP/1.1\r\n", 0) == 0);
  assert_true(membership_request.find("<PartnerScenario>Initial</PartnerScenario>") !=
              std::string::npos);
  assert_true(membership_request.find("<FindMembership ") != std::string::npos);
  assert_true(ab_request.rfind("POST /abservice/abservice.asmx HTTP/1.1\r\n", 0) == 0);
  assert_true(ab_request.find("<ABFindAll ") != std::string::npos);
  for (const std::string* request : {&membership_request, &ab_request})
    assert_true(request->find("<TicketToken>" + vector_contacts_ticket() + "</TicketToken>") !=
                std::string::npos);
  s.feed(sharing,
         http_response(200, msn::test::read_data_file("vectors/findmembership-response.xml")));
  s.expect_close(sharing);
  s.expect_no_output();  // nothing is announced before both lists are in
  s.feed(abservice,
         http_response(200, msn::test::read_data_file("vectors/abfindall-response.xml")));
  s.expect_close(abservice);
}

// From a fresh client to the SignedIn event.
ConnectionId sign_in(ScriptedClient& s) {
  const ConnectionId ns = sign_in_until_ticket(s);
  s.feed(ns, "USR 4 OK alice@example.com 1 0\r\nSBS 0 null\r\n" + hotmail_msg(kProfile));
  fetch_contact_list(s);
  s.expect_send(ns, "BLP 5 AL\r\n");
  s.expect_send(ns,
                "ADL 6 165\r\n<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\" "
                "/></d><d n=\"example.net\">"
                "<c n=\"carol\" l=\"3\" t=\"1\" /></d><d n=\"example.org\"><c n=\"mallory\" "
                "l=\"4\" t=\"1\" /></d></ml>");
  assert_int_equal(s.take<msn::ev::ContactListLoaded>().size(), 1);
  s.feed(ns, "BLP 5 AL\r\nADL 6 OK\r\n");
  s.expect_send(ns, "CHG 7 NLN 2147483692\r\n");
  assert_true(s.take<msn::ev::SignedIn>().empty());
  s.feed(ns, "CHG 7 NLN 2147483692\r\n");
  auto signed_in = s.take<msn::ev::SignedIn>();
  assert_int_equal(signed_in.size(), 1);
  assert_bytes_equal(signed_in[0].account, "alice@example.com");
  s.expect_no_output();
  return ns;
}

void secrets_never_logged(const ScriptedClient& s) {
  const std::string logs = s.all_logs();
  assert_true(logs.find(kPassword) == std::string::npos);
  assert_true(logs.find("t0k3n") == std::string::npos);
  assert_true(logs.find(kBlobCase2.substr(0, 40)) == std::string::npos);
  assert_true(logs.find("Z1OQ3mCL") == std::string::npos);
}

void test_sign_in_follows_transcript(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  sign_in(*s);
  secrets_never_logged(*s);
  auto steps = s->take<msn::ev::SignInProgress>();
  assert_true(steps.size() >= 6);
  assert_int_equal(steps.back().step, msn::SignInStep::kSyncing);
}

void test_sign_in_byte_by_byte(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->set_byte_by_byte(true);
  sign_in(*s);
  secrets_never_logged(*s);
}

// A default interval below the five-second floor (the harness sets one) is the pace: the
// first ping after it, and a QNG naming one second is taken at its word.
void test_short_keepalive_interval(void** /*state*/) {
  msn::Settings settings = test_settings();
  settings.timeouts.default_ping = msn::seconds(1);
  auto s = std::make_unique<ScriptedClient>(settings);
  const ConnectionId ns = sign_in(*s);
  auto before = s->now();
  assert_true(s->fire_deadline());
  s->expect_send(ns, "PNG\r\n");
  assert_true(s->now() - before <= msn::seconds(1));
  s->feed(ns, "QNG 1\r\n");
  before = s->now();
  assert_true(s->fire_deadline());
  s->expect_send(ns, "PNG\r\n");
  assert_true(s->now() - before <= msn::seconds(1));
}

void test_challenge_and_keepalive(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->feed(ns, "CHL 0 22210219642164014968\r\n");
  s->expect_send(ns, "QRY 8 PROD0119GSJUC$18 32\r\na400af809ac86fbdf6deec7286fc06b8");
  s->feed(ns, "QRY 8\r\n");
  // The first ping goes out at the default interval, then at the interval QNG names.
  assert_true(s->fire_deadline());
  s->expect_send(ns, "PNG\r\n");
  s->feed(ns, "QNG 60\r\n");
  s->expect_no_output();
  const auto before = s->now();
  assert_true(s->fire_deadline());
  s->expect_send(ns, "PNG\r\n");
  assert_true(s->now() - before <= msn::seconds(60));
  assert_true(s->now() - before >= msn::seconds(50));
  // No QNG this time: the link is dead, and the user hears of it as a timeout.
  assert_true(s->fire_deadline());
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTimeout);
}

void test_wrong_password_is_auth_failure(void** /*state*/) {
  const std::string fault =
      "<?xml version=\"1.0\"?><S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" "
      "xmlns:wsse=\"http://schemas.xmlsoap.org/ws/2003/06/secext\"><S:Body><S:Fault>"
      "<faultcode>wsse:FailedAuthentication</faultcode><faultstring>Authentication "
      "Failure</faultstring>"
      "</S:Fault></S:Body></S:Envelope>";
  for (int status : {200, 500}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    const ConnectionId ns = sign_in_until_web_login(*s);
    web_login(*s, http_response(status, fault));
    s->expect_close(ns);
    assert_int_equal(s->expect_disconnected().code, Errc::kAuth);
    secrets_never_logged(*s);
  }
}

void test_login_service_http_error(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  web_login(*s, http_response(503, "<html>down</html>"));
  s->expect_close(ns);
  const auto error = s->expect_disconnected();
  assert_int_equal(error.code, Errc::kHttp);
  assert_int_equal(error.server_code, 503);
}

std::string psf_redirect(std::string_view url) {
  return "<?xml version=\"1.0\"?><S:Envelope xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:psf=\"http://schemas.microsoft.com/Passport/SoapServices/"
         "SOAPFault\"><S:Body><S:Fault>"
         "<faultcode>psf:Redirect</faultcode><psf:redirectUrl>" +
         std::string(url) +
         "</psf:redirectUrl><faultstring>Redirect</faultstring></S:Fault></S:Body></S:Envelope>";
}

void test_login_service_soap_redirect(void** /*state*/) {
  // Servers send psf:Redirect with HTTP 500 as well as 200: either way the request moves.
  for (int status : {200, 500}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    const ConnectionId ns = sign_in_until_web_login(*s);
    web_login(*s, http_response(status, psf_redirect("https://login2.msn.example.net/RST2.srf")));
    const ConnectionId web = s->expect_connect("login2.msn.example.net", 443, true);
    s->connected(web);
    assert_true(s->expect_send(web).rfind("POST /RST2.srf HTTP/1.1\r\n", 0) == 0);
    s->feed(web, http_response(200, rst_vector()));
    s->expect_close(web);
    s->expect_send(ns, "USR 4 SSO S " + vector_ticket() + " " + std::string(kBlobCase2) + "\r\n");
  }
}

void test_login_redirect_to_plain_http_refused(void** /*state*/) {
  for (std::string_view url :
       {"http://login2.example.net/RST2.srf", "http://msn.example.net/RST2.srf"}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    const ConnectionId ns = sign_in_until_web_login(*s);
    web_login(*s, http_response(500, psf_redirect(url)));
    s->expect_close(ns);
    assert_int_equal(s->expect_disconnected().code, Errc::kRedirectRefused);
    s->expect_no_output();
  }
}

// The request carries the password: a psf:Redirect off the configured service is not followed.
void test_login_redirect_off_site_refused(void** /*state*/) {
  for (std::string_view url :
       {"https://evil.example.org/RST.srf", "https://msn.example.net.evil.example.org/RST.srf",
        "https://example.net/RST.srf", "https://msn.example.net:8443/RST.srf",
        "https://msn.example.net@evil.example.org/RST.srf", "https://192.0.2.1/RST.srf"}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    const ConnectionId ns = sign_in_until_web_login(*s);
    web_login(*s, http_response(500, psf_redirect(url)));
    s->expect_close(ns);
    const auto error = s->expect_disconnected();
    // user-info makes the URL unusable rather than off-site; either way nothing is sent.
    assert_true(error.code == Errc::kRedirectRefused || error.code == Errc::kSoap);
    s->expect_no_output();
  }
}

// An HTTP redirect is bound the same way, on the exchange itself.
void test_http_redirect_off_site_refused(void** /*state*/) {
  for (std::string_view location :
       {"https://evil.example.org/RST.srf", "//evil.example.org/RST.srf",
        "http://msn.example.net/RST.srf"}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    const ConnectionId ns = sign_in_until_web_login(*s);
    web_login(*s, "HTTP/1.1 302 Found\r\nLocation: " + std::string(location) +
                      "\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
    s->expect_close(ns);
    const auto error = s->expect_disconnected();
    assert_int_equal(error.code, Errc::kRedirectRefused);
    assert_int_equal(error.server_code, 302);
    s->expect_no_output();
  }
}

// The historic login service moves requests to its own sub-domains (msnia.login.live.com).
void test_historic_login_redirect_within_its_domain(void** /*state*/) {
  msn::Settings settings = test_settings();
  settings.web_services_url.clear();
  auto s = std::make_unique<ScriptedClient>(settings);
  s->start();
  const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  negotiate(*s, ns);
  s->feed(ns, "USR 3 SSO S MBI_KEY_OLD " + std::string(kNonce) + "\r\n");
  ConnectionId web = s->expect_connect("login.live.com", 443, true);
  s->connected(web);
  s->expect_send(web);
  s->feed(web, http_response(500, psf_redirect("https://msnia.login.live.com/pp550/RST.srf")));
  s->expect_close(web);
  web = s->expect_connect("msnia.login.live.com", 443, true);
  s->connected(web);
  assert_true(s->expect_send(web).rfind("POST /pp550/RST.srf HTTP/1.1\r\n", 0) == 0);
  s->feed(web,
          "HTTP/1.1 302 Found\r\nLocation: https://login.example.com/RST.srf\r\nConnection: "
          "close\r\nContent-Length: "
          "0\r\n\r\n");
  s->expect_close(web);
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kRedirectRefused);
}

// An http:// web services URL would carry the password in clear text: refused before any
// connection is made.
void test_plain_http_web_services_url_refused(void** /*state*/) {
  for (std::string_view url : {"http://msn.example.net", "HTTP://msn.example.net:8080/base/"}) {
    msn::Settings settings = test_settings();
    settings.web_services_url = std::string(url);
    auto s = std::make_unique<ScriptedClient>(settings);
    s->start();
    assert_int_equal(s->expect_disconnected().code, Errc::kInsecureSetting);
    s->expect_no_output();
  }
  msn::Settings settings = test_settings();
  settings.web_services_url = "ftp://msn.example.net";
  auto s = std::make_unique<ScriptedClient>(settings);
  s->start();
  assert_int_equal(s->expect_disconnected().code, Errc::kInvalidArgument);
  s->expect_no_output();
}

void test_rejected_ticket_is_auth_failure(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_ticket(*s);
  s->feed(ns, "911 4\r\n");
  s->expect_close(ns);
  const auto error = s->expect_disconnected();
  assert_int_equal(error.code, Errc::kAuth);
  assert_int_equal(error.server_code, 911);
}

void test_unanswered_step_times_out(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->start();
  const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  s->connected(ns);
  s->expect_send(ns, "VER 1 MSNP15 CVR0\r\n");
  s->advance(msn::seconds(29));
  assert_true(s->take<msn::ev::Disconnected>().empty());
  s->advance(msn::seconds(1));
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTimeout);
  assert_false(s->client().next_deadline().has_value());
}

void test_connection_that_never_opens_times_out(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->start();
  const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  assert_true(s->fire_deadline());
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTimeout);
}

void test_close_at_every_step_is_a_network_error(void** /*state*/) {
  // The server drops the connection after each of the first N server lines of the sign-in.
  const std::vector<std::string> server_lines = {
      "VER 1 MSNP15\r\n",
      "CVR 2 8.5.1302 8.5.1302 8.5.1302 a b\r\n",
  };
  for (std::size_t cut = 0; cut <= server_lines.size(); ++cut) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    s->start();
    const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
    s->connected(ns);
    for (std::size_t i = 0; i < cut; ++i) {
      s->expect_send(ns);
      s->feed(ns, server_lines[i]);
    }
    s->closed(ns);
    const auto error = s->expect_disconnected();
    assert_int_equal(error.code, Errc::kTransport);
  }
  // ... and once signed in.
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->closed(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTransport);
  assert_false(s->client().next_deadline().has_value());
}

void test_web_login_connection_lost(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  const ConnectionId web = s->expect_connect("msn.example.net", 443, true);
  s->connected(web);
  s->expect_send(web);
  s->feed(web, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n<partial");
  s->closed(web);
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTransport);
}

void test_untrusted_certificate_ends_sign_in(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  const ConnectionId web = s->expect_connect("msn.example.net", 443, true);
  s->closed(web, Errc::kTls);
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTls);
}

void test_http_redirects_are_capped(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  for (int i = 0; i <= 3; ++i) {
    const ConnectionId web = s->expect_connect("msn.example.net", 443, true);
    s->connected(web);
    s->expect_send(web);
    s->feed(web,
            "HTTP/1.1 302 Found\r\nLocation: /RST.srf\r\nConnection: close\r\nContent-Length: "
            "0\r\n\r\n");
    s->expect_close(web);
  }
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTooManyRedirects);
}

void test_ns_redirects_are_capped(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->start();
  ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  for (int i = 0; i < 3; ++i) {
    negotiate(*s, ns);
    s->feed(ns, "XFR 3 NS 127.0.0.1:1864 U D\r\n");
    s->expect_close(ns);
    ns = s->expect_connect("127.0.0.1", 1864, false);
  }
  negotiate(*s, ns);
  s->feed(ns, "XFR 3 NS 127.0.0.1:1864 U D\r\n");
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kTooManyRedirects);
}

void test_switchboard_cookies_never_logged(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->feed(ns,
          "RNG 11752013 192.0.2.3:1863 CKI 849102291.520491113 bob@example.com Bob U "
          "messenger.msn.com 1\r\n");
  const std::string logs = s->all_logs();
  assert_true(logs.find("849102291.520491113") == std::string::npos);
  assert_true(logs.find("RNG 11752013 192.0.2.3:1863 CKI (cookie hidden) bob@example.com") !=
              std::string::npos);
}

void test_signed_in_elsewhere(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->feed(ns, "OUT OTH\r\n");
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kOtherSignIn);
}

void test_server_shutdown(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->feed(ns, "OUT SSD\r\n");
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kServerShutdown);
}

// Lines that cannot be read are skipped and logged, before and after sign-in; only a payload
// length that cannot be trusted ends the session, as data that could not be understood.
void test_unreadable_lines_are_skipped(void** /*state*/) {
  for (const std::string& junk :
       {std::string("\x01\x02\xff garbage\r\n", 13), std::string(1 << 20, 'A') + "\r\n",
        std::string("\r\n"), std::string("MSG Hotmail\r\n"), std::string("vER 1 MSNP15\r\n")}) {
    auto s = std::make_unique<ScriptedClient>(test_settings());
    s->start();
    const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
    s->connected(ns);
    s->expect_send(ns, "VER 1 MSNP15 CVR0\r\n");
    s->feed(ns, junk + "VER 1 MSNP15\r\n");
    s->expect_send(ns, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.5.1302 BC01 alice@example.com\r\n");
    assert_true(s->take<msn::ev::Disconnected>().empty());
  }
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->feed(ns, std::string("\x7f\x01junk\r\nUBX bob@example.com\r\nILN 9 NLN\r\nNOT\r\n") +
                  std::string(100000, 'x') + "\r\nCHL 0 22210219642164014968\r\n");
  s->expect_send(ns, "QRY 8 PROD0119GSJUC$18 32\r\na400af809ac86fbdf6deec7286fc06b8");
  assert_true(s->take<msn::ev::Disconnected>().empty());
  assert_true(s->all_logs().find("skipped a line over") != std::string::npos);
  s->feed(ns, "MSG Hotmail Hotmail 999999999\r\nxx");
  s->expect_close(ns);
  const msn::Error error = s->expect_disconnected();
  assert_int_equal(error.code, Errc::kProtocol);
  assert_true(error.detail.find("could not be understood") != std::string::npos);
}

// An error answers the request its TrId names and nothing else: 540 is "challenge refused"
// only for the TrId of our QRY, and an error for a TrId nobody waits for changes nothing.
void test_errors_for_unknown_transactions_are_ignored(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->start();
  const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  s->connected(ns);
  s->expect_send(ns, "VER 1 MSNP15 CVR0\r\n");
  s->feed(ns, "911 77\r\n500 0\r\nVER 1 MSNP15\r\n");  // before the answer, for no request of ours
  s->expect_send(ns, "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.5.1302 BC01 alice@example.com\r\n");
  assert_true(s->take<msn::ev::Disconnected>().empty());

  s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId online = sign_in(*s);
  s->feed(online, "540 99\r\n540 0\r\n715 3\r\n");
  s->expect_no_output();
  assert_true(s->take<msn::ev::Disconnected>().empty());
  s->feed(online, "CHL 0 22210219642164014968\r\n");
  s->expect_send(online, "QRY 8 PROD0119GSJUC$18 32\r\na400af809ac86fbdf6deec7286fc06b8");
  s->feed(online, "540 9\r\n");  // not the QRY's TrId
  s->expect_no_output();
  s->feed(online, "540 8\r\n");
  s->expect_close(online);
  assert_int_equal(s->expect_disconnected().server_code, 540);
}

// Presence notices about someone not on the contact list are skipped: made-up addresses cannot
// fill the presence table, nor reach the UI.
void test_presence_of_strangers_is_skipped(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->take<msn::ev::PresenceChanged>();
  s->feed(ns,
          "NLN NLN stranger@example.com 1 Stranger 0\r\nFLN stranger@example.com 1\r\n"
          "UBX stranger@example.com 1 0\r\nNLN BSY bob@example.com 1 Bob 0\r\n");
  const auto changes = s->take<msn::ev::PresenceChanged>();
  assert_int_equal(changes.size(), 1);
  assert_bytes_equal(changes[0].address, "bob@example.com");
  assert_true(s->take<msn::ev::StatusMessageChanged>().empty());
  assert_true(s->take<msn::ev::Disconnected>().empty());
}

void test_server_without_msnp15(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  s->start();
  const ConnectionId ns = s->expect_connect("dispatch.example.net", 1863, false);
  s->connected(ns);
  s->expect_send(ns);
  s->feed(ns, "VER 1 0\r\n");
  s->expect_close(ns);
  assert_int_equal(s->expect_disconnected().code, Errc::kUnsupported);
}

void test_missing_profile_is_tolerated(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_ticket(*s);
  s->feed(ns, "USR 4 OK alice@example.com 1 0\r\n");
  s->expect_no_output();
  assert_true(s->fire_deadline());
  fetch_contact_list(*s);
  s->expect_send(ns, "BLP 5 AL\r\n");
}

void test_user_sign_out(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in(*s);
  s->client().sign_out(s->now());
  for (auto& output : s->client().take_outputs()) {
    if (auto* send = std::get_if<msn::out::Send>(&output))
      assert_bytes_equal(send->bytes, "OUT\r\n");
  }
  assert_true(s->client().finished());
  assert_true(s->take<msn::ev::Disconnected>().empty());
  (void)ns;
}

void test_bad_settings(void** /*state*/) {
  auto settings = test_settings();
  settings.account = "not-an-address";
  auto s = std::make_unique<ScriptedClient>(settings);
  s->start();
  assert_int_equal(s->expect_disconnected().code, Errc::kInvalidArgument);
  s->expect_no_output();
}

}  // namespace

// A server that keeps its connections: the whole sign-in talks to it over the connection the
// RST request opened. ABFindAll waits for FindMembership's answer instead of paying for a second
// TCP and TLS handshake, and the connection stays open for later requests.
void test_sign_in_over_one_kept_connection(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  const ConnectionId web = s->expect_connect("msn.example.net", 443, true);
  s->connected(web);
  assert_true(s->expect_send(web).find("Connection: keep-alive\r\n") != std::string::npos);
  s->feed(web, keep_alive_response(rst_vector()));
  s->expect_send(ns, "USR 4 SSO S " + vector_ticket() + " " + std::string(kBlobCase2) + "\r\n");
  s->feed(ns, "USR 4 OK alice@example.com 1 0\r\nSBS 0 null\r\n" + hotmail_msg(kProfile));
  const std::string membership_request = s->expect_send(web);
  assert_true(membership_request.rfind("POST /abservice/SharingService.asmx HTTP/1.1\r\n", 0) == 0);
  s->expect_no_output();  // ABFindAll waits for the connection
  s->feed(web,
          keep_alive_response(msn::test::read_data_file("vectors/findmembership-response.xml")));
  const std::string ab_request = s->expect_send(web);
  assert_true(ab_request.rfind("POST /abservice/abservice.asmx HTTP/1.1\r\n", 0) == 0);
  s->feed(web, keep_alive_response(msn::test::read_data_file("vectors/abfindall-response.xml")));
  s->expect_send(ns, "BLP 5 AL\r\n");
  assert_int_equal(s->take<msn::ev::ContactListLoaded>().size(), 1);
}

// A kept connection whose request goes unanswered holds the next request up only briefly: it
// then opens a connection of its own.
void test_waiting_request_opens_its_own_connection(void** /*state*/) {
  auto s = std::make_unique<ScriptedClient>(test_settings());
  const ConnectionId ns = sign_in_until_web_login(*s);
  const ConnectionId web = s->expect_connect("msn.example.net", 443, true);
  s->connected(web);
  (void)s->expect_send(web);
  s->feed(web, keep_alive_response(rst_vector()));
  s->expect_send(ns, "USR 4 SSO S " + vector_ticket() + " " + std::string(kBlobCase2) + "\r\n");
  s->feed(ns, "USR 4 OK alice@example.com 1 0\r\nSBS 0 null\r\n" + hotmail_msg(kProfile));
  (void)s->expect_send(web);  // FindMembership, never answered
  s->advance(std::chrono::seconds(2));
  s->expect_no_output();
  s->advance(std::chrono::seconds(1));
  const ConnectionId own = s->expect_connect("msn.example.net", 443, true);
  assert_int_not_equal(own, web);
  s->connected(own);
  assert_true(s->expect_send(own).rfind("POST /abservice/abservice.asmx HTTP/1.1\r\n", 0) == 0);
}

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sign_in_follows_transcript),
      cmocka_unit_test(test_sign_in_byte_by_byte),
      cmocka_unit_test(test_challenge_and_keepalive),
      cmocka_unit_test(test_short_keepalive_interval),
      cmocka_unit_test(test_wrong_password_is_auth_failure),
      cmocka_unit_test(test_login_service_http_error),
      cmocka_unit_test(test_login_service_soap_redirect),
      cmocka_unit_test(test_login_redirect_to_plain_http_refused),
      cmocka_unit_test(test_login_redirect_off_site_refused),
      cmocka_unit_test(test_http_redirect_off_site_refused),
      cmocka_unit_test(test_historic_login_redirect_within_its_domain),
      cmocka_unit_test(test_plain_http_web_services_url_refused),
      cmocka_unit_test(test_rejected_ticket_is_auth_failure),
      cmocka_unit_test(test_unanswered_step_times_out),
      cmocka_unit_test(test_connection_that_never_opens_times_out),
      cmocka_unit_test(test_close_at_every_step_is_a_network_error),
      cmocka_unit_test(test_web_login_connection_lost),
      cmocka_unit_test(test_untrusted_certificate_ends_sign_in),
      cmocka_unit_test(test_http_redirects_are_capped),
      cmocka_unit_test(test_ns_redirects_are_capped),
      cmocka_unit_test(test_switchboard_cookies_never_logged),
      cmocka_unit_test(test_signed_in_elsewhere),
      cmocka_unit_test(test_server_shutdown),
      cmocka_unit_test(test_unreadable_lines_are_skipped),
      cmocka_unit_test(test_errors_for_unknown_transactions_are_ignored),
      cmocka_unit_test(test_presence_of_strangers_is_skipped),
      cmocka_unit_test(test_server_without_msnp15),
      cmocka_unit_test(test_missing_profile_is_tolerated),
      cmocka_unit_test(test_user_sign_out),
      cmocka_unit_test(test_bad_settings),
      cmocka_unit_test(test_sign_in_over_one_kept_connection),
      cmocka_unit_test(test_waiting_request_opens_its_own_connection),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
