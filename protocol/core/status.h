// SPDX-License-Identifier: GPL-2.0-or-later
// Errors as values: Status and Result<T>. Nothing in the engine throws across a boundary.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace msn {

// Error domains. The plugin maps each to a PurpleConnectionError and a translated message;
// the engine never produces user-facing text, only the domain, a server code and a detail
// for debug logs (details never contain secrets).
enum class Errc {
  kProtocol,        // malformed or unexpected input from a peer; connection-fatal
  kServer,          // a three-digit MSN error reply; server_code holds it
  kAuth,            // wrong account name or password, or a rejected ticket
  kSoap,            // a web service answered with a fault or an unusable document
  kHttp,            // a web service answered with a non-success HTTP status
  kTransport,       // the connection could not be made or was lost
  kHostNotFound,    // the server's host name does not resolve (Error::host names it)
  kRefused,         // the connection was refused: nothing listens at Error::host, Error::port
  kTls,             // the TLS certificate was not accepted
  kTimeout,         // a peer did not answer in time
  kTooManyRedirects,
  kOtherSignIn,     // OUT OTH: signed in from another place
  kServerShutdown,  // OUT SSD
  kUnsupported,     // the server does not speak MSNP15
  kLimit,           // a size bound was exceeded
  kInvalidArgument, // a caller passed something unusable (e.g. a bad URL in the settings)
  kRedirectRefused, // a service redirected a request that carries secrets off-site or to http
  kInsecureSetting, // a setting would send secrets in clear text (an http:// web services URL)
};

struct Error {
  Errc code;
  std::string detail;   // for debug logs; never shown to users, never secret
  int server_code = 0;  // the MSN error number for kServer, the HTTP status for kHttp
  // For a connection that could not be made: the server it was for, which the user typed into
  // the account settings or the server named, so it may be shown (unlike `detail`).
  std::string host{};
  int port = 0;
};

// Status: success or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT: implicit by design

  static Status ok() { return {}; }
  bool is_ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_{Errc::kProtocol, {}, 0};
  bool ok_ = true;
};

// Result<T>: a T or an Error.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}   // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  Result(Status status) : v_(status.error()) { assert(!status.is_ok()); }  // NOLINT

  bool is_ok() const { return std::holds_alternative<T>(v_); }
  explicit operator bool() const { return is_ok(); }
  T& value() & {
    assert(is_ok());
    return std::get<T>(v_);
  }
  const T& value() const& {
    assert(is_ok());
    return std::get<T>(v_);
  }
  T&& value() && {
    assert(is_ok());
    return std::get<T>(std::move(v_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  const Error& error() const {
    assert(!is_ok());
    return std::get<Error>(v_);
  }
  Status status() const { return is_ok() ? Status::ok() : Status(error()); }

 private:
  std::variant<T, Error> v_;
};

inline Error make_error(Errc code, std::string detail, int server_code = 0) {
  return Error{code, std::move(detail), server_code};
}

}  // namespace msn

// MSN_TRY(expr): evaluate a Status-returning expression; return its error if it failed.
#define MSN_TRY(expr)                          \
  do {                                         \
    auto msn_try_status_ = (expr);             \
    if (!msn_try_status_.is_ok())              \
      return msn_try_status_.error();          \
  } while (0)
