// SPDX-License-Identifier: GPL-2.0-or-later
#include "scenarios.h"

#include <array>
#include <string>

namespace harness {
namespace {

// What the user is told (LC_ALL=C) when the sign-in breaks in each way.
constexpr const char* kClosed = "The server closed the connection or could not be reached";
constexpr const char* kNoAnswer = "The server did not answer in time";

Scenario fault(std::string name, std::string fault_name, SignOn sign_on, Outcome outcome,
               int reply_timeout_seconds = 0, std::string error_text = "") {
  Scenario s;
  s.name = std::move(name);
  s.server_args = {"--fault", std::move(fault_name)};
  s.sign_on = sign_on;
  s.outcome = outcome;
  s.reply_timeout_seconds = reply_timeout_seconds;
  s.error_text = std::move(error_text);
  return s;
}

int count(const ServerState& state, const std::string& op_and_kind) {
  const ServerAccount* account = state.account("alice@example.com");
  return account != nullptr ? account->request_count(op_and_kind) : 0;
}

void expect_count(const ServerState& state, const std::string& op_and_kind, int expected,
                  std::vector<std::string>& problems) {
  const int seen = count(state, op_and_kind);
  if (seen != expected)
    problems.push_back("the server recorded " + std::to_string(seen) + " \"" + op_and_kind +
                       "\", expected " + std::to_string(expected));
}

// Signed in once: one RST.srf login, the challenge answered with the right hash.
void check_signed_in_once(const ServerState& state, std::vector<std::string>& problems) {
  expect_count(state, "RST /RST.srf", 1, problems);
  expect_count(state, "CHL sent", 1, problems);
  expect_count(state, "QRY right", 1, problems);
  expect_count(state, "QRY wrong", 0, problems);
}

// With a CHL every second and a PNG every second (the hidden keep-alive setting and QNG 1),
// for about 4 s online: every challenge answered right (the last one may still be on its
// way), and pings going out one after another, not just the first.
void check_keepalive(const ServerState& state, std::vector<std::string>& problems) {
  const int sent = count(state, "CHL sent");
  const int right = count(state, "QRY right");
  if (sent < 3) problems.push_back("the server sent only " + std::to_string(sent) + " challenges");
  if (right < sent - 1)
    problems.push_back(std::to_string(right) + " of " + std::to_string(sent) +
                       " challenges were answered right");
  expect_count(state, "QRY wrong", 0, problems);
  const int pings = count(state, "PNG answered");
  if (pings < 3)
    problems.push_back("the server answered " + std::to_string(pings) +
                       " PNGs in about 6 s online, expected one a second (at least 3)");
}

// psf:Redirect: the login went to /RST2.srf, and /RST.srf never issued a ticket.
void check_psf_redirect_followed(const ServerState& state, std::vector<std::string>& problems) {
  expect_count(state, "RST /RST2.srf", 1, problems);
  expect_count(state, "RST /RST.srf", 0, problems);
  expect_count(state, "QRY right", 1, problems);
}

std::string lower(std::string text) {
  for (char& c : text) {
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c - 'A' + 'a');
  }
  return text;
}

std::vector<Scenario> build_scenarios() {
  std::vector<Scenario> list;

  Scenario success;
  success.name = "success";
  success.sign_on = SignOn::kRequired;
  success.outcome = Outcome::kStaysOnline;
  success.check_server = check_signed_in_once;
  list.push_back(success);

  Scenario keepalive = success;
  keepalive.name = "keepalive-challenge";
  keepalive.server_args = {"--qng", "1", "--chl-interval", "1"};
  keepalive.keepalive_seconds = 1;
  keepalive.watch_online_ms = 6000;  // one PNG a second: 3 of 6 leaves room for a loaded machine
  keepalive.check_server = check_keepalive;
  list.push_back(keepalive);

  Scenario wrong_password;
  wrong_password.name = "wrong-password";
  wrong_password.wrong_password = true;
  wrong_password.outcome = Outcome::kAuthError;
  wrong_password.error_text = "Incorrect password or account name";
  list.push_back(wrong_password);

  Scenario redirect = success;
  redirect.name = "redirect";
  redirect.server_args = {"--redirect"};
  list.push_back(redirect);

  // A step the server breaks before the client could have finished signing in.
  for (const char* step : {"VER", "CVR", "USR-I", "RST", "USR-S", "PROFILE", "ADL", "CHG",
                           "ABFINDALL", "FINDMEMBERSHIP"})
    list.push_back(fault("close-at-" + lower(step), std::string("close-at:") + step, SignOn::kNever,
                         Outcome::kNetworkError, 0, kClosed));
  for (const char* step :
       {"VER", "CVR", "USR-I", "RST", "USR-S", "ADL", "CHG", "ABFINDALL", "FINDMEMBERSHIP"})
    list.push_back(fault("silent-at-" + lower(step), std::string("silent-at:") + step,
                         SignOn::kNever, Outcome::kNetworkError, /*reply_timeout_seconds=*/2,
                         kNoAnswer));

  Scenario untrusted;
  untrusted.name = "untrusted-cert";
  untrusted.trust_ca = false;
  untrusted.outcome = Outcome::kCertError;
  untrusted.error_text = "The server's security certificate was not accepted";
  list.push_back(untrusted);

  // A line the client cannot read is skipped; only a payload length it cannot trust (the
  // stream is then unreadable) ends the session.
  for (const char* name : {"garbage-line", "oversized-line"})
    list.push_back(fault(name, name, SignOn::kRequired, Outcome::kStaysOnline));
  Scenario oversized_payload =
      fault("oversized-payload", "oversized-payload", SignOn::kNever, Outcome::kNetworkError);
  oversized_payload.error_contains = "could not be understood";
  list.push_back(oversized_payload);
  list.push_back(fault("rst-http-500", "rst-http-500", SignOn::kNever, Outcome::kNetworkError, 0,
                       "The login service answered with HTTP error 500"));
  list.push_back(fault("rst-redirect-loop", "rst-redirect-loop", SignOn::kNever,
                       Outcome::kNetworkError, 0, "Too many redirects"));
  Scenario psf =
      fault("rst-psf-redirect", "rst-psf-redirect", SignOn::kRequired, Outcome::kStaysOnline);
  psf.check_server = check_psf_redirect_followed;
  list.push_back(psf);
  list.push_back(fault("out-oth", "out-oth-after-signin", SignOn::kRequired, Outcome::kNameInUse, 0,
                       "You have signed in from another location"));
  list.push_back(fault("out-ssd", "out-ssd-after-signin", SignOn::kRequired, Outcome::kNetworkError,
                       0, "The server is shutting down"));

  // A login service sending the request (with the password) to another host: refused.
  for (const char* name : {"rst-psf-redirect-offsite", "rst-302-offsite"}) {
    Scenario offsite = fault(name, name, SignOn::kNever, Outcome::kOtherError);
    offsite.error_contains = "redirected the sign-in to another site";
    list.push_back(offsite);
  }
  // An http:// web services URL: refused before anything is sent, naming the setting.
  Scenario plain_http;
  plain_http.name = "web-services-url-http";
  plain_http.plain_http_web_url = true;
  plain_http.outcome = Outcome::kInvalidSettings;
  plain_http.error_contains = "\"Web services URL\" on the Advanced tab";
  list.push_back(plain_http);
  // A connection that cannot be made names the server and where its settings are.
  Scenario not_found;
  not_found.name = "host-not-found";
  not_found.account_host = "msnp-harness.invalid";
  not_found.expected_text =
      "The server name msnp-harness.invalid could not be found. Check Server, Port and Web "
      "services URL in the account's Advanced tab.";
  list.push_back(not_found);
  // The same for the web services (the login service is their first call): the user is told
  // which name could not be found, not just that something failed.
  Scenario web_not_found;
  web_not_found.name = "web-host-not-found";
  web_not_found.web_host = "msnp-harness-web.invalid";
  web_not_found.expected_text =
      "The server name msnp-harness-web.invalid could not be found. Check Server, Port and Web "
      "services URL in the account's Advanced tab.";
  list.push_back(web_not_found);

  Scenario refused;
  refused.name = "connection-refused";
  refused.closed_port = true;
  refused.expected_text =
      "The server 127.0.0.1 refused the connection on port {port}. Check Server, Port and Web "
      "services URL in the account's Advanced tab.";
  list.push_back(refused);

  Scenario killed = success;
  killed.name = "server-killed";
  killed.outcome = Outcome::kNetworkError;
  killed.kill_server_after_sign_on = true;
  killed.error_text = kClosed;
  list.push_back(killed);
  return list;
}

bool is_cert_reason(PurpleConnectionError reason) {
  return reason >= PURPLE_CONNECTION_ERROR_CERT_NOT_PROVIDED &&
         reason <= PURPLE_CONNECTION_ERROR_CERT_OTHER_ERROR;
}

bool reason_matches(Outcome outcome, PurpleConnectionError reason) {
  switch (outcome) {
    case Outcome::kStaysOnline:
      return false;
    case Outcome::kNetworkError:
      return reason == PURPLE_CONNECTION_ERROR_NETWORK_ERROR;
    case Outcome::kAuthError:
      return reason == PURPLE_CONNECTION_ERROR_AUTHENTICATION_FAILED;
    case Outcome::kNameInUse:
      return reason == PURPLE_CONNECTION_ERROR_NAME_IN_USE;
    case Outcome::kCertError:
      return is_cert_reason(reason);
    case Outcome::kInvalidSettings:
      return reason == PURPLE_CONNECTION_ERROR_INVALID_SETTINGS;
    case Outcome::kOtherError:
      return reason == PURPLE_CONNECTION_ERROR_OTHER_ERROR;
  }
  return false;
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::kStaysOnline:
      return "stays online";
    case Outcome::kNetworkError:
      return "NETWORK_ERROR";
    case Outcome::kAuthError:
      return "AUTHENTICATION_FAILED";
    case Outcome::kNameInUse:
      return "NAME_IN_USE";
    case Outcome::kCertError:
      return "a CERT_* error";
    case Outcome::kInvalidSettings:
      return "INVALID_SETTINGS";
    case Outcome::kOtherError:
      return "OTHER_ERROR";
  }
  return "?";
}

void check_sign_on(const Scenario& scenario, const Observed& seen,
                   std::vector<std::string>& problems) {
  if (seen.sign_in_attempts != 1)
    problems.push_back("expected exactly one sign-in attempt, saw " +
                       std::to_string(seen.sign_in_attempts));
  if (scenario.sign_on == SignOn::kRequired && !seen.signed_on)
    problems.push_back("expected to sign on, but the account never did");
  if (scenario.sign_on == SignOn::kNever && seen.signed_on)
    problems.push_back("expected no sign-on, but the account signed on");
  if (seen.signed_on && !seen.connected_at_sign_on)
    problems.push_back("signed-on, but the connection state was not CONNECTED");
  if (seen.signed_on && !seen.available_at_sign_on)
    problems.push_back("signed-on, but the account status was not available");
}

void check_errors(const Scenario& scenario, const Observed& seen,
                  std::vector<std::string>& problems) {
  if (scenario.outcome == Outcome::kStaysOnline) {
    if (!seen.errors.empty())
      problems.push_back(std::string("expected no connection error, got ") +
                         reason_name(seen.errors.front().reason) + ": " +
                         seen.errors.front().description);
    return;
  }
  if (seen.errors.empty()) {
    problems.push_back(std::string("expected ") + outcome_name(scenario.outcome) +
                       ", but no connection error was reported" +
                       (seen.timed_out ? " within the time bound" : ""));
    return;
  }
  if (seen.errors.size() > 1)
    problems.push_back("more than one connection error was reported");
  const ConnectionErrorSeen& error = seen.errors.front();
  if (!reason_matches(scenario.outcome, error.reason))
    problems.push_back(std::string("expected ") + outcome_name(scenario.outcome) + ", got " +
                       reason_name(error.reason) + ": " + error.description);
  bool expect_fatal = scenario.outcome != Outcome::kNetworkError;
  if (purple_connection_error_is_fatal(error.reason) != (expect_fatal ? TRUE : FALSE))
    problems.push_back(expect_fatal ? "the error is not fatal: libpurple UIs would reconnect"
                                    : "the error is fatal: libpurple UIs would not reconnect");
  if (error.description.empty())
    problems.push_back("the connection error has no message for the user");
  if (!scenario.error_contains.empty() &&
      error.description.find(scenario.error_contains) == std::string::npos)
    problems.push_back("the connection error does not say \"" + scenario.error_contains +
                       "\": " + error.description);
  if (!scenario.error_text.empty() && error.description != scenario.error_text)
    problems.push_back("the user was told \"" + error.description + "\", expected \"" +
                       scenario.error_text + "\"");
}

void check_text(const Scenario& scenario, const Observed& seen, int port,
                std::vector<std::string>& problems) {
  if (scenario.expected_text.empty() || seen.errors.empty()) return;
  std::string expected = scenario.expected_text;
  if (std::size_t at = expected.find("{port}"); at != std::string::npos)
    expected.replace(at, 6, std::to_string(port));
  if (seen.errors.front().description != expected)
    problems.push_back("expected the error text \"" + expected + "\", got \"" +
                       seen.errors.front().description + "\"");
}

void check_certificates(const Scenario& scenario, const Observed& seen,
                        std::vector<std::string>& problems) {
  if (scenario.outcome == Outcome::kCertError) {
    if (seen.certificate_prompts == 0)
      problems.push_back("expected a certificate prompt, none was shown");
    if (seen.certificate_rejections == 0)
      problems.push_back("the certificate prompt was never answered with Reject");
  } else if (seen.certificate_prompts != 0) {
    problems.push_back("an unexpected certificate prompt was shown");
  }
}

}  // namespace

const std::vector<Scenario>& all_scenarios() {
  static const std::vector<Scenario> scenarios = build_scenarios();
  return scenarios;
}

std::optional<Scenario> find_scenario(std::string_view name) {
  for (const Scenario& s : all_scenarios()) {
    if (s.name == name)
      return s;
  }
  return std::nullopt;
}

std::vector<std::string> check_outcome(const Scenario& scenario, const Observed& seen, int port) {
  std::vector<std::string> problems;
  check_sign_on(scenario, seen, problems);
  check_errors(scenario, seen, problems);
  check_text(scenario, seen, port, problems);
  check_certificates(scenario, seen, problems);
  return problems;
}

const char* reason_name(PurpleConnectionError reason) {
  static constexpr std::array kNames{
      "NETWORK_ERROR",       "INVALID_USERNAME",       "AUTHENTICATION_FAILED",
      "AUTHENTICATION_IMPOSSIBLE", "NO_SSL_SUPPORT",   "ENCRYPTION_ERROR",
      "NAME_IN_USE",         "INVALID_SETTINGS",       "CERT_NOT_PROVIDED",
      "CERT_UNTRUSTED",      "CERT_EXPIRED",           "CERT_NOT_ACTIVATED",
      "CERT_HOSTNAME_MISMATCH", "CERT_FINGERPRINT_MISMATCH", "CERT_SELF_SIGNED",
      "CERT_OTHER_ERROR",    "OTHER_ERROR",
  };
  auto index = static_cast<std::size_t>(reason);
  return index < kNames.size() ? kNames[index] : "UNKNOWN";
}

}  // namespace harness
