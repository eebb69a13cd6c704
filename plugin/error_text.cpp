// SPDX-License-Identifier: GPL-2.0-or-later
#include "error_text.h"

#include <array>
#include <cstdarg>

#include "glib_handles.h"
#include "i18n.h"
#include "soap/envelope.h"

namespace msn::plugin {
namespace {

// How a three-digit reply ends a session. kAuth errors are fatal for libpurple (no automatic
// reconnect: retrying a wrong password or a banned account only makes things worse); the rest
// are network errors, after which libpurple's UIs reconnect with back-off.
enum class CodeKind { kAuth, kBusy, kOther };

struct ServerCode {
  int code;
  const char* meaning;  // N_()
  CodeKind kind;
};

// docs/protocol/notification-server.md, "Error codes".
constexpr std::array kServerCodes{
    ServerCode{200, N_("Syntax error"), CodeKind::kOther},
    ServerCode{201, N_("Invalid parameter"), CodeKind::kOther},
    ServerCode{203, N_("Invalid federated user"), CodeKind::kOther},
    ServerCode{204, N_("Unroutable user"), CodeKind::kOther},
    ServerCode{205, N_("The user does not exist"), CodeKind::kOther},
    ServerCode{206, N_("Domain name missing"), CodeKind::kOther},
    ServerCode{207, N_("Already signed in"), CodeKind::kOther},
    ServerCode{208, N_("Invalid account name"), CodeKind::kOther},
    ServerCode{209, N_("Invalid friendly name"), CodeKind::kOther},
    ServerCode{210, N_("The contact list is full"), CodeKind::kOther},
    ServerCode{215, N_("Already on the list"), CodeKind::kOther},
    ServerCode{216, N_("Not on the list"), CodeKind::kOther},
    ServerCode{217, N_("The user is offline"), CodeKind::kOther},
    ServerCode{218, N_("Already in that mode"), CodeKind::kOther},
    ServerCode{219, N_("Already on the opposite list"), CodeKind::kOther},
    ServerCode{223, N_("Too many groups"), CodeKind::kOther},
    ServerCode{224, N_("Invalid group"), CodeKind::kOther},
    ServerCode{225, N_("The user is not in that group"), CodeKind::kOther},
    ServerCode{229, N_("The group name is too long"), CodeKind::kOther},
    ServerCode{230, N_("The default group cannot be removed"), CodeKind::kOther},
    ServerCode{231, N_("The group does not exist"), CodeKind::kOther},
    ServerCode{240, N_("Invalid contact list data"), CodeKind::kOther},
    ServerCode{241, N_("Invalid contact list entry"), CodeKind::kOther},
    ServerCode{280, N_("Switchboard failed"), CodeKind::kOther},
    ServerCode{281, N_("Transfer to the switchboard failed"), CodeKind::kOther},
    ServerCode{300, N_("A required field is missing"), CodeKind::kOther},
    ServerCode{302, N_("Not signed in"), CodeKind::kOther},
    ServerCode{500, N_("Internal server error"), CodeKind::kBusy},
    ServerCode{501, N_("Database server error"), CodeKind::kBusy},
    ServerCode{502, N_("Command disabled"), CodeKind::kOther},
    ServerCode{510, N_("File operation failed"), CodeKind::kBusy},
    ServerCode{520, N_("Memory allocation failed"), CodeKind::kBusy},
    ServerCode{540, N_("Challenge response failed"), CodeKind::kOther},
    ServerCode{600, N_("Server busy"), CodeKind::kBusy},
    ServerCode{601, N_("Server unavailable"), CodeKind::kBusy},
    ServerCode{602, N_("Peer notification server down"), CodeKind::kBusy},
    ServerCode{603, N_("Database connection failed"), CodeKind::kBusy},
    ServerCode{604, N_("Server going down"), CodeKind::kBusy},
    ServerCode{605, N_("Server unavailable"), CodeKind::kBusy},
    ServerCode{707, N_("Could not create connection"), CodeKind::kBusy},
    ServerCode{710, N_("Bad CVR parameters"), CodeKind::kOther},
    ServerCode{711, N_("Write is blocking"), CodeKind::kBusy},
    ServerCode{712, N_("Session overload"), CodeKind::kBusy},
    ServerCode{713, N_("Calling too rapidly"), CodeKind::kOther},
    ServerCode{714, N_("Too many sessions"), CodeKind::kBusy},
    ServerCode{715, N_("Not expected"), CodeKind::kOther},
    ServerCode{717, N_("Bad friend file"), CodeKind::kOther},
    ServerCode{731, N_("Not expected"), CodeKind::kOther},
    ServerCode{800, N_("Changing the display name too rapidly"), CodeKind::kOther},
    ServerCode{910, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{911, N_("Authentication failed"), CodeKind::kAuth},
    ServerCode{912, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{913, N_("Not allowed while invisible"), CodeKind::kOther},
    ServerCode{914, N_("Server unavailable"), CodeKind::kBusy},
    ServerCode{915, N_("Server unavailable"), CodeKind::kBusy},
    ServerCode{916, N_("Server unavailable"), CodeKind::kBusy},
    ServerCode{917, N_("Authentication failed"), CodeKind::kAuth},
    ServerCode{918, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{919, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{920, N_("Not accepting new users"), CodeKind::kBusy},
    ServerCode{921, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{922, N_("Server too busy"), CodeKind::kBusy},
    ServerCode{923, N_("Kids' Passport without parental consent"), CodeKind::kAuth},
    ServerCode{924, N_("Passport account not verified"), CodeKind::kAuth},
    ServerCode{927, N_("Account suspended"), CodeKind::kAuth},
    ServerCode{928, N_("Bad ticket"), CodeKind::kAuth},
};

const ServerCode* find_server_code(int code) {
  for (const ServerCode& entry : kServerCodes) {
    if (entry.code == code)
      return &entry;
  }
  return nullptr;
}

ConnectionErrorText network(std::string message) {
  return {PURPLE_CONNECTION_ERROR_NETWORK_ERROR, std::move(message)};
}

ConnectionErrorText describe_auth(const Error& error) {
  const ServerCode* known = find_server_code(error.server_code);
  // 911, 917 and a failed web login all mean the same to the user.
  if (known == nullptr || error.server_code == 911 || error.server_code == 917)
    return {PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
            _("Incorrect password or account name")};
  return {PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED,
          printf_string(_("The server refused the sign-in: %s (error %d)"), _(known->meaning),
                        error.server_code)};
}

ConnectionErrorText describe_server(const Error& error) {
  const ServerCode* known = find_server_code(error.server_code);
  if (known == nullptr)
    return network(printf_string(_("The server reported error %d"), error.server_code));
  switch (known->kind) {
    case CodeKind::kAuth:
      return describe_auth(error);
    case CodeKind::kBusy:
      return network(printf_string(_("The server is busy, try again later: %s (error %d)"),
                                   _(known->meaning), error.server_code));
    case CodeKind::kOther:
      break;
  }
  return network(printf_string(_("The server reported an error: %s (error %d)"),
                               _(known->meaning), error.server_code));
}

// A connection that could not be made: name the server and say where it is set, since a typo
// or a stale default there is the usual cause.
ConnectionErrorText describe_connect_failure(const Error& error) {
  const char* host = error.host.c_str();
  std::string what;
  switch (error.code) {
    case Errc::kHostNotFound:
      what = printf_string(_("The server name %s could not be found"), host);
      break;
    case Errc::kRefused:
      what = printf_string(_("The server %s refused the connection on port %d"), host, error.port);
      break;
    case Errc::kTimeout:
      what = printf_string(_("The server %s did not answer on port %d"), host, error.port);
      break;
    default:
      what = printf_string(_("Could not connect to the server %s on port %d"), host, error.port);
      break;
  }
  return network(
      printf_string(_("%s. Check Server, Port and Web services URL in the account's Advanced tab."),
                    what.c_str()));
}

}  // namespace

std::string printf_string(const char* format, ...) {
  va_list args;
  va_start(args, format);
  GCharPtr text(g_strdup_vprintf(format, args));
  va_end(args);
  return text ? std::string(text.get()) : std::string();
}

const char* server_code_meaning(int code) {
  const ServerCode* known = find_server_code(code);
  return known != nullptr ? _(known->meaning) : nullptr;
}

ConnectionErrorText describe_error(const Error& error) {
  switch (error.code) {
    case Errc::kAuth:
      return describe_auth(error);
    case Errc::kServer:
      return describe_server(error);
    case Errc::kOtherSignIn:
      return {PURPLE_CONNECTION_ERROR_NAME_IN_USE, _("You have signed in from another location")};
    case Errc::kTls:
      return {PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR,
              _("The server's security certificate was not accepted")};
    case Errc::kHostNotFound:
    case Errc::kRefused:
      return describe_connect_failure(error);
    case Errc::kTransport:
      if (!error.host.empty()) return describe_connect_failure(error);
      return network(_("The server closed the connection or could not be reached"));
    case Errc::kTimeout:
      if (!error.host.empty()) return describe_connect_failure(error);
      return network(_("The server did not answer in time"));
    case Errc::kServerShutdown:
      return network(_("The server is shutting down"));
    case Errc::kProtocol:
      return network(_("The server sent data that could not be understood"));
    case Errc::kLimit:
      return network(_("The server sent a message that is too large"));
    case Errc::kHttp:
      return network(
          printf_string(_("The login service answered with HTTP error %d"), error.server_code));
    case Errc::kSoap:
      return network(_("The login service sent an answer that could not be understood"));
    case Errc::kTooManyRedirects:
      return network(_("Too many redirects"));
    case Errc::kUnsupported:
      return {PURPLE_CONNECTION_ERROR_OTHER_ERROR, _("The server does not support MSNP15")};
    case Errc::kInvalidArgument:
      return {PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
              _("The account settings are not valid; check the server, the port and the web "
                "services URL")};
    case Errc::kInsecureSetting:
      // Named as the account dialog shows it, so the user can find it.
      return {PURPLE_CONNECTION_ERROR_INVALID_SETTINGS,
              printf_string(_("The web services URL must start with https://, or your password "
                              "would be sent unencrypted. Change \"%s\" on the Advanced tab of "
                              "the account."),
                            _("Web services URL"))};
    case Errc::kRedirectRefused:
      // Fatal: signing in again would meet the same redirect.
      return {PURPLE_CONNECTION_ERROR_OTHER_ERROR,
              _("The login service redirected the sign-in to another site or to an unencrypted "
                "address. It was refused so that your password is not sent there.")};
  }
  return {PURPLE_CONNECTION_ERROR_OTHER_ERROR, _("Unknown error")};
}

const char* sign_in_step_text(SignInStep step) {
  switch (step) {
    case SignInStep::kConnecting:
      return _("Connecting");
    case SignInStep::kNegotiating:
      return _("Negotiating the protocol version");
    case SignInStep::kRedirected:
      return _("Redirected to another server");
    case SignInStep::kWebLogin:
      return _("Signing in with the login service");
    case SignInStep::kAuthenticating:
      return _("Authenticating");
    case SignInStep::kSyncing:
      return _("Retrieving the contact list");
  }
  return _("Connecting");
}

}  // namespace msn::plugin

namespace msn::plugin {

std::string describe_reason(const Error& error) {
  switch (error.code) {
    case Errc::kServer: {
      const char* meaning = server_code_meaning(error.server_code);
      if (meaning != nullptr)
        return meaning;
      return printf_string(_("The server reported error %d"), error.server_code);
    }
    case Errc::kSoap:
      if (soap::ab_fault(error) == soap::AbFault::kNoSuchAccount)
        return _("There is no MSN account with this address");
      return _("The address book service refused the change");
    case Errc::kHttp:
      return printf_string(_("The web service answered with HTTP error %d"), error.server_code);
    case Errc::kTimeout:
      return _("The server did not answer in time");
    case Errc::kTransport:
      return _("The connection to the server was lost");
    case Errc::kInvalidArgument:
      return _("The address or name is not valid");
    case Errc::kUnsupported:
      return _("The MSN plugin cannot do this yet");
    case Errc::kLimit:
      return _("A size or count limit was reached");
    case Errc::kProtocol:
      return _("The server sent an answer that could not be understood");
    case Errc::kAuth:
    case Errc::kTls:
    case Errc::kHostNotFound:
    case Errc::kRefused:
    case Errc::kTooManyRedirects:
    case Errc::kRedirectRefused:
    case Errc::kInsecureSetting:
    case Errc::kOtherSignIn:
    case Errc::kServerShutdown:
      break;
  }
  return describe_error(error).message;
}

std::string list_operation_failure_text(ev::ListOperation operation, const std::string& subject,
                                        const Error& error) {
  constexpr int kListFull = 210;
  // NS error 210, or the address book service's QuotaLimitReached fault (Errc::kLimit).
  if ((error.code == Errc::kServer && error.server_code == kListFull) || error.code == Errc::kLimit)
    return _("Your contact list is full");
  const char* who = subject.c_str();
  switch (operation) {
    case ev::ListOperation::kAddContact:
      return printf_string(_("Could not add %s to your contact list"), who);
    case ev::ListOperation::kRemoveContact:
      return printf_string(_("Could not remove %s from your contact list"), who);
    case ev::ListOperation::kMoveContact:
      return printf_string(_("Could not move %s to another group"), who);
    case ev::ListOperation::kAliasContact:
      return printf_string(_("Could not save the alias of %s"), who);
    case ev::ListOperation::kAddGroup:
      return printf_string(_("Could not create the group %s"), who);
    case ev::ListOperation::kRenameGroup:
      return printf_string(_("Could not rename the group %s"), who);
    case ev::ListOperation::kRemoveGroup:
      return printf_string(_("Could not remove the group %s"), who);
    case ev::ListOperation::kBlock:
      return printf_string(_("Could not block %s"), who);
    case ev::ListOperation::kUnblock:
      return printf_string(_("Could not unblock %s"), who);
    case ev::ListOperation::kAuthorize:
      return printf_string(_("Could not authorize %s"), who);
    case ev::ListOperation::kDeny:
      return printf_string(_("Could not deny %s"), who);
    case ev::ListOperation::kSetDisplayName:
      return _("Could not change your display name");
    case ev::ListOperation::kSetPrivacy:
      return _("Could not change your privacy setting");
  }
  return _("Could not change your contact list");
}

const char* delivery_failure_text(ev::DeliveryFailure reason) {
  switch (reason) {
    case ev::DeliveryFailure::kRejected:
      return _("the server refused it");
    case ev::DeliveryFailure::kTimedOut:
      return _("it was not acknowledged in time");
    case ev::DeliveryFailure::kConnectionLost:
      return _("the connection was lost");
    case ev::DeliveryFailure::kUnavailable:
      return _("the contact cannot be reached");
    case ev::DeliveryFailure::kOfflineFailed:
      return _("the offline message could not be stored");
    case ev::DeliveryFailure::kSignedOut:
      return _("you signed out before it was sent");
    case ev::DeliveryFailure::kUnconfirmed:
      return _("it was sent, but you signed out before the server confirmed that it arrived");
  }
  return _("the server refused it");
}

}  // namespace msn::plugin
