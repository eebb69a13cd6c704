// SPDX-License-Identifier: GPL-2.0-or-later
// The Passport RST.srf WS-Trust request and response (docs/protocol/notification-server.md).
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/status.h"

namespace msn::auth {

inline constexpr std::string_view kMessengerClear = "messengerclear.live.com";
// The address book and Sharing services' token (AbCredentials::ticket).
inline constexpr std::string_view kContactsAddress = "contacts.msn.com";

// One security token, matched to its service by its AppliesTo address.
struct SecurityToken {
  std::string address;                        // AppliesTo address, e.g. "contacts.msn.com"
  std::map<std::string, std::string> fields;  // "t=...&p=..." split on & and the first =
  std::string binary_secret;                  // base64-decoded proof key (may be empty)
  std::string expires;                        // LifeTime/Expires, ISO 8601, as sent

  // "t={t}&p={p}" (p may be empty).
  std::string ticket() const;
};

struct RstTokens {
  std::string master_cipher_value;  // Passport.NET/tb CipherValue (for renewal)
  std::string master_secret;        // Passport.NET/tb BinarySecret, decoded
  std::vector<SecurityToken> tokens;

  const SecurityToken* find(std::string_view address) const;
};

// A psf:Redirect fault: send the same request to this URL.
struct RstRedirect {
  std::string url;
};

using RstOutcome = std::variant<RstTokens, RstRedirect>;

// The request body for `account` / `password` (the password is XML-escaped and, as the
// service demands, truncated to 16 characters). `messenger_policy` is the policy from
// "USR SSO S {policy} {nonce}" (normally MBI_KEY_OLD).
std::string build_rst_request(std::string_view account, std::string_view password,
                              std::string_view messenger_policy);

// Parses a response document. Errors:
//  - Errc::kAuth for wsse:FailedAuthentication (or any fault whose code names authentication)
//  - Errc::kSoap for any other fault, malformed XML, or a response without a usable
//    messengerclear.live.com token (ticket with t= and a 24-byte BinarySecret)
Result<RstOutcome> parse_rst_response(std::string_view xml);

}  // namespace msn::auth
