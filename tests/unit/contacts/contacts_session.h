// SPDX-License-Identifier: GPL-2.0-or-later
// Drives a whole Client (ScriptedClient) through a sign-in up to the contact-list fetch and
// answers its web calls, for the contact-list, presence and profile tests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "support/http_reply.h"
#include "support/scripted_client.h"

namespace msn::test {

constexpr std::string_view kWebHost = "msn.example.net";

inline Settings contacts_settings() {
  Settings settings;
  settings.account = "alice@example.com";
  settings.password = "s3cr3t-Passw0rd";
  settings.server = "ns.example.net";
  settings.web_services_url = "https://msn.example.net";
  return settings;
}

inline std::string http_ok(std::string_view body, int status = 200) {
  return http_response(status, body);
}

inline std::string rst_document() { return read_data_file("vectors/rst-response.xml"); }

// A web request the engine made: its connection and the bytes it sent.
struct WebRequest {
  ConnectionId conn = 0;
  std::string bytes;

  bool has(std::string_view text) const { return bytes.find(text) != std::string::npos; }
  // The request line's path.
  std::string path() const {
    const auto start = bytes.find(' ') + 1;
    return bytes.substr(start, bytes.find(' ', start) - start);
  }
  // The SOAPAction's operation ("ABContactAdd").
  std::string operation() const {
    const auto at = bytes.find("AddressBook/");
    if (at == std::string::npos) return {};
    const auto start = at + 12;
    return bytes.substr(start, bytes.find_first_of("\"\r", start) - start);
  }
};

// The next output must open a web connection; connects it and returns what was sent.
inline WebRequest open_web(ScriptedClient& s) {
  WebRequest request;
  request.conn = s.expect_connect(kWebHost, 443, true);
  s.connected(request.conn);
  request.bytes = s.expect_send(request.conn);
  return request;
}

inline void answer_web(ScriptedClient& s, const WebRequest& request, std::string_view body,
                       int status = 200) {
  s.feed(request.conn, http_ok(body, status));
  s.expect_close(request.conn);
}

// From a fresh client to the moment the profile arrived: returns the NS connection; the
// client's next outputs are the two contact-list requests.
inline ConnectionId sign_in_until_contacts(ScriptedClient& s) {
  s.start();
  const ConnectionId ns = s.expect_connect("ns.example.net", 1863, false);
  s.connected(ns);
  s.expect_send(ns, "VER 1 MSNP15 CVR0\r\n");
  s.feed(ns, "VER 1 MSNP15\r\n");
  s.expect_send(ns);
  s.feed(ns, "CVR 2 8.5.1302 8.5.1302 8.5.1302 a b\r\n");
  s.expect_send(ns, "USR 3 SSO I alice@example.com\r\n");
  s.feed(ns, "USR 3 SSO S MBI_KEY_OLD " + std::string(kSignInNonce) + "\r\n");
  const WebRequest rst = open_web(s);
  answer_web(s, rst, rst_document());
  s.expect_send(ns);  // USR 4 SSO S
  const std::string profile =
      "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: "
      "1\r\n\r\n";
  s.feed(ns, "USR 4 OK alice@example.com 1 0\r\nMSG Hotmail Hotmail " +
                 std::to_string(profile.size()) + "\r\n" + profile);
  return ns;
}

// Both contact-list requests (FindMembership first), opened before either is answered.
struct ListFetch {
  WebRequest membership;
  WebRequest address_book;
};

inline ListFetch open_list_fetch(ScriptedClient& s) {
  ListFetch fetch;
  const ConnectionId first = s.expect_connect(kWebHost, 443, true);
  const ConnectionId second = s.expect_connect(kWebHost, 443, true);
  s.connected(first);
  fetch.membership = WebRequest{first, s.expect_send(first)};
  s.connected(second);
  fetch.address_book = WebRequest{second, s.expect_send(second)};
  assert_bytes_equal(fetch.membership.operation(), "FindMembership");
  assert_bytes_equal(fetch.address_book.operation(), "ABFindAll");
  return fetch;
}

// Sends every NS line the client wrote since the last call, split into commands (payload
// commands keep their payload); stops at the first non-Send output.
inline std::vector<std::string> take_ns_sends(ScriptedClient& s, ConnectionId ns,
                                              std::size_t count) {
  std::vector<std::string> sent;
  for (std::size_t i = 0; i < count; ++i) sent.push_back(s.expect_send(ns));
  return sent;
}

}  // namespace msn::test
