// SPDX-License-Identifier: GPL-2.0-or-later
// Classification per docs/protocol/notification-server.md, "Error codes".
#include "wire/server_error.h"

#include <string>

namespace msn::wire {

namespace {

bool is_authentication(int code) {
  switch (code) {
    case 911:  // authentication failed (bad ticket / MBI)
    case 917:  // authentication failed
    case 923:  // Kids' Passport without parental consent
    case 924:  // Passport account not verified
    case 927:  // account suspended
    case 928:  // bad ticket
      return true;
    default:
      return false;
  }
}

bool is_busy(int code) {
  switch (code) {
    case 500:  // internal error / service unavailable
    case 501:  // database server error
    case 600:
    case 601:
    case 602:
    case 603:
    case 604:
    case 605:
    case 910:
    case 912:
    case 914:
    case 915:
    case 916:
    case 918:
    case 919:
    case 921:
    case 922:
      return true;
    default:
      return false;
  }
}

// Errors that fail one request (a list change, a switchboard invitation, a name change) while
// the connection itself stays usable.
bool is_request_level(int code) {
  if (code >= 201 && code <= 241)
    return true;  // invalid parameters, users, lists and groups; 241 carries the bad <ml>
  switch (code) {
    case 280:  // switchboard failed
    case 281:  // transfer to switchboard failed
    case 502:  // command disabled
    case 713:  // calling too rapidly
    case 800:  // changing display name too rapidly
    case 913:  // not allowed while hidden (XFR SB while invisible)
      return true;
    default:
      return false;
  }
}

}  // namespace

ServerErrorClass classify_server_error(int code) {
  if (is_authentication(code))
    return ServerErrorClass::kAuthentication;
  if (is_busy(code))
    return ServerErrorClass::kBusy;
  if (is_request_level(code))
    return ServerErrorClass::kRequest;
  return ServerErrorClass::kFatal;
}

Error server_error(int code, std::string context) {
  const Errc errc = classify_server_error(code) == ServerErrorClass::kAuthentication
                        ? Errc::kAuth
                        : Errc::kServer;
  std::string detail = std::move(context);
  if (!detail.empty())
    detail.append(": ");
  detail.append("server error ").append(std::to_string(code));
  return make_error(errc, std::move(detail), code);
}

}  // namespace msn::wire
