// SPDX-License-Identifier: GPL-2.0-or-later
// Everything the engine needs to know about an account before it signs in.
#pragma once

#include <cstdint>
#include <string>

#include "core/time.h"

namespace msn {

struct Timeouts {
  Duration ns_reply = seconds(30);   // a notification server reply to a sign-in command
  Duration connect = seconds(30);    // TCP (and TLS) connection establishment
  Duration web_request = seconds(60);// one HTTPS request, connect to last byte
  Duration ping_reply = seconds(45); // QNG after PNG before the link is considered dead
  // The first PNG after sign-in, and the pace until a QNG names another; below the usual
  // five-second floor it also lowers that floor (tests watch pings flow in a few seconds).
  Duration default_ping = seconds(50);
  Duration message_ack = seconds(30);  // a switchboard's ACK (or NAK) of a message we sent
};

struct Settings {
  std::string account;   // the Passport name (e-mail address)
  std::string password;  // never logged
  std::string server = "messenger.hotmail.com";
  std::uint16_t port = 1863;
  // Base URL under which every web service lives with its historic path (revival servers);
  // empty: each service uses its historic Microsoft host.
  std::string web_services_url;
  // The contact list as the last ContactCacheUpdated event carried it (session/contact_cache.h),
  // kept by the caller per account; empty: none. With it the sign-in asks the address book
  // services only for what changed since. A blob that does not parse (or belongs to another
  // account) is ignored and the whole list fetched.
  std::string contact_cache;
  Timeouts timeouts;
  int max_ns_redirects = 3;
  int max_http_redirects = 3;
  // Files may go over direct connections (TCPv1): we listen and connect when a peer offers
  // or accepts one. Off: every transfer stays on the switchboard and we answer "not listening".
  bool direct_connections = true;
};

}  // namespace msn
