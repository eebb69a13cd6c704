// SPDX-License-Identifier: GPL-2.0-or-later
// The small part of URLs the engine needs: http/https with host, optional port and path.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::http {

struct Url {
  bool tls = true;        // https
  std::string host;       // lower-cased; IPv6 literals without brackets
  std::uint16_t port = 443;
  std::string path = "/"; // path and query, always starting with '/'

  // "https://host:port/path" (port omitted when it is the scheme's default)
  std::string to_string() const;
};

// Accepts "http://" and "https://" URLs only; rejects user-info, empty hosts, bad ports,
// control characters and spaces. Errc::kInvalidArgument on failure.
Result<Url> parse_url(std::string_view text);

// Resolves a redirect Location against the URL it came from (absolute URL or absolute path).
Result<Url> resolve_location(const Url& base, std::string_view location);

// Whether a redirect from a service at `origin` may be followed to `target` with the same
// request (which may carry the password or tickets): only over TLS, on the same port, to the
// origin's host or one of its sub-domains (login.live.com -> msnia.login.live.com). IP literals
// match only themselves. Anything else could hand the secrets to a host nobody configured.
bool is_same_service(const Url& origin, const Url& target);

// The web-services base URL from the settings: empty (the historic hosts) or a usable https
// URL. Errc::kInsecureSetting for http:// (the password and tickets would go in clear text),
// Errc::kInvalidArgument for anything else unusable.
Status check_web_services_url(std::string_view base);

// Joins a base URL (e.g. "https://msn.example.net" or ".../prefix/") and a service path
// ("/RST.srf") with exactly one slash between them.
Result<Url> join_service_url(std::string_view base, std::string_view service_path);

}  // namespace msn::http
