// SPDX-License-Identifier: GPL-2.0-or-later
#include "http/url.h"

#include <optional>

#include "core/ascii.h"

namespace msn::http {

namespace {

constexpr std::uint16_t kHttpPort = 80;
constexpr std::uint16_t kHttpsPort = 443;

Error invalid(std::string detail) { return make_error(Errc::kInvalidArgument, std::move(detail)); }

// Space, control bytes and DEL could split a request line or a header; nothing needs them.
bool is_forbidden(char c) { return c == ' ' || ascii::is_control(c); }

bool is_host_char(char c) { return ascii::is_alnum(c) || c == '-' || c == '.' || c == '_'; }

std::uint16_t default_port(bool tls) { return tls ? kHttpsPort : kHttpPort; }

// RFC 3986 §5.2.4 on the path part (no query): "/a/./b/../c" -> "/a/c".
std::string remove_dot_segments(std::string_view in) {
  std::string out;
  auto drop_last_segment = [&out] {
    const std::size_t slash = out.rfind('/');
    out.erase(slash == std::string::npos ? 0 : slash);
  };
  while (!in.empty()) {
    if (in.substr(0, 3) == "../") {
      in.remove_prefix(3);
    } else if (in.substr(0, 2) == "./") {
      in.remove_prefix(2);
    } else if (in.substr(0, 3) == "/./") {
      in.remove_prefix(2);
    } else if (in == "/.") {
      in = "/";
    } else if (in.substr(0, 4) == "/../") {
      in.remove_prefix(3);
      drop_last_segment();
    } else if (in == "/..") {
      in = "/";
      drop_last_segment();
    } else if (in == "." || in == "..") {
      in = {};
    } else {
      const std::size_t end = in.find('/', 1);
      const std::size_t len = end == std::string_view::npos ? in.size() : end;
      out.append(in.substr(0, len));
      in.remove_prefix(len);
    }
  }
  return out;
}

// Checks a path-and-query, drops a fragment (never sent), percent-encodes bytes above 0x7F and
// removes dot segments. The result always starts with '/'.
Result<std::string> normalize_path(std::string_view text) {
  text = text.substr(0, text.find('#'));
  std::string encoded;
  encoded.reserve(text.size() + 1);
  if (text.empty() || text[0] != '/')
    encoded.push_back('/');
  for (char c : text) {
    if (is_forbidden(c))
      return invalid("control character or space in URL path");
    if (static_cast<unsigned char>(c) >= 0x80)
      ascii::append_percent_encoded(encoded, c);
    else
      encoded.push_back(c);
  }
  const std::size_t query = encoded.find('?');
  std::string path = remove_dot_segments(std::string_view(encoded).substr(0, query));
  if (path.empty())
    path.push_back('/');  // not `path = "/"`: GCC 12 at -O2 warns of it (-Wrestrict, falsely)
  if (query != std::string::npos)
    path.append(encoded, query, std::string::npos);
  return path;
}

Result<std::uint16_t> parse_port(std::string_view text) {
  if (text.empty() || text.size() > 5)
    return invalid("bad port");
  unsigned value = 0;
  for (char c : text) {
    if (!ascii::is_digit(c))
      return invalid("bad port");
    value = value * 10 + static_cast<unsigned>(c - '0');
  }
  if (value == 0 || value > 65535)
    return invalid("port out of range");
  return static_cast<std::uint16_t>(value);
}

Result<std::string> parse_ipv6_literal(std::string_view text) {
  if (text.find(':') == std::string_view::npos)
    return invalid("bad IPv6 literal");
  std::string host;
  for (char c : text) {
    if (!ascii::is_hex(c) && c != ':' && c != '.')
      return invalid("bad IPv6 literal");  // zone ids ("%eth0") are not needed here
    host.push_back(ascii::to_lower(c));
  }
  return host;
}

// host, [v6], host:port or [v6]:port; user-info was rejected before.
Status parse_authority(std::string_view authority, Url& url) {
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos)
      return invalid("unterminated IPv6 literal");
    auto host = parse_ipv6_literal(authority.substr(1, close - 1));
    if (!host.is_ok())
      return host.error();
    url.host = std::move(host).value();
    const std::string_view rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':')
        return invalid("junk after IPv6 literal");
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.find(':');
    const std::string_view host = authority.substr(0, colon);
    if (colon != std::string_view::npos) {
      has_port = true;
      port_text = authority.substr(colon + 1);
    }
    url.host.clear();
    for (char c : host) {
      if (!is_host_char(c))
        return invalid("bad character in host");
      url.host.push_back(ascii::to_lower(c));
    }
  }
  if (url.host.empty())
    return invalid("empty host");
  url.port = default_port(url.tls);
  if (has_port) {
    auto port = parse_port(port_text);
    if (!port.is_ok())
      return port.error();
    url.port = *port;
  }
  return Status::ok();
}

// An IPv6 literal (stored without brackets) or a dotted IPv4 address: such a host has no
// sub-domains, and "1.2.3.4" must not accept "5.1.2.3.4".
bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  for (char c : host) {
    if (!ascii::is_digit(c) && c != '.') return false;
  }
  return true;
}

// True if `text` starts with a URI scheme ("x:" before any '/', '?' or '#').
bool has_scheme(std::string_view text) {
  if (text.empty() || !ascii::is_alpha(text[0]))
    return false;
  for (char c : text) {
    if (c == ':')
      return true;
    if (!ascii::is_alnum(c) && c != '+' && c != '-' && c != '.')
      return false;
  }
  return false;
}

// The base path without its query, up to and including the last '/'.
std::string_view base_directory(std::string_view path) {
  path = path.substr(0, path.find('?'));
  return path.substr(0, path.rfind('/') + 1);
}

}  // namespace

std::string Url::to_string() const {
  std::string out = tls ? "https://" : "http://";
  const bool v6 = host.find(':') != std::string::npos;
  if (v6)
    out.push_back('[');
  out.append(host);
  if (v6)
    out.push_back(']');
  if (port != default_port(tls))
    out.append(":").append(std::to_string(port));
  out.append(path);
  return out;
}

Result<Url> parse_url(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos)
    return invalid("not an absolute URL");
  Url url;
  const std::string_view scheme = text.substr(0, sep);
  if (ascii::iequals(scheme, "https"))
    url.tls = true;
  else if (ascii::iequals(scheme, "http"))
    url.tls = false;
  else
    return invalid("unsupported URL scheme");
  const std::string_view rest = text.substr(sep + 3);
  const std::size_t authority_end = rest.find_first_of("/?#");
  const std::string_view authority = rest.substr(0, authority_end);
  if (authority.find('@') != std::string_view::npos)
    return invalid("user-info in URL");  // credentials never go in URLs
  MSN_TRY(parse_authority(authority, url));
  auto path = normalize_path(authority_end == std::string_view::npos ? std::string_view()
                                                                     : rest.substr(authority_end));
  if (!path.is_ok())
    return path.error();
  url.path = std::move(path).value();
  return url;
}

Result<Url> resolve_location(const Url& base, std::string_view location) {
  if (location.empty())
    return invalid("empty Location");
  if (has_scheme(location))
    return parse_url(location);
  if (location.substr(0, 2) == "//")
    return parse_url(std::string(base.tls ? "https:" : "http:") + std::string(location));
  std::string target;
  if (location[0] == '/') {
    target.assign(location);
  } else if (location[0] == '?') {
    target.assign(base.path.substr(0, base.path.find('?'))).append(location);
  } else if (location[0] == '#') {
    target = base.path;
  } else {
    target.assign(base_directory(base.path)).append(location);
  }
  auto path = normalize_path(target);
  if (!path.is_ok())
    return path.error();
  Url url = base;
  url.path = std::move(path).value();
  return url;
}

bool is_same_service(const Url& origin, const Url& target) {
  if (!target.tls || target.port != origin.port || origin.host.empty()) return false;
  if (target.host == origin.host) return true;  // both are lower-cased by parse_url
  if (is_ip_literal(origin.host)) return false;
  const std::string_view host = target.host;
  const std::string_view parent = origin.host;
  return host.size() > parent.size() + 1 && host.ends_with(parent) &&
         host[host.size() - parent.size() - 1] == '.';
}

Status check_web_services_url(std::string_view base) {
  if (base.empty()) return Status::ok();
  auto url = join_service_url(base, "/");
  if (!url.is_ok()) return url.error();
  if (!url->tls) return make_error(Errc::kInsecureSetting, "the web services URL is not https");
  return Status::ok();
}

Result<Url> join_service_url(std::string_view base, std::string_view service_path) {
  auto url = parse_url(base);
  if (!url.is_ok())
    return url;
  if (url->path.find('?') != std::string::npos)
    return invalid("service base URL has a query");
  std::string_view prefix = url->path;
  while (!prefix.empty() && prefix.back() == '/')
    prefix.remove_suffix(1);
  while (!service_path.empty() && service_path.front() == '/')
    service_path.remove_prefix(1);
  std::string joined(prefix);
  joined.push_back('/');
  joined.append(service_path);
  auto path = normalize_path(joined);
  if (!path.is_ok())
    return path.error();
  url->path = std::move(path).value();
  return url;
}

}  // namespace msn::http
