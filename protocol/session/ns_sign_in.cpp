// SPDX-License-Identifier: GPL-2.0-or-later
// Sign-in: VER, CVR, USR SSO I, XFR NS, the RST.srf web login, USR SSO S, and the profile.
#include <utility>

#include "auth/mbi.h"
#include "auth/rst.h"
#include "core/ascii.h"
#include "http/url.h"
#include "session/notification_session.h"

namespace msn {

namespace {

constexpr std::string_view kHistoricRstUrl = "https://login.live.com/RST.srf";
constexpr std::string_view kRstPath = "/RST.srf";
constexpr std::size_t kMaxNonce = 1024;

// "host:port" from XFR; Errc::kProtocol if unusable.
Result<std::pair<std::string, std::uint16_t>> split_host_port(std::string_view text) {
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0)
    return make_error(Errc::kProtocol, "redirect target without a port");
  auto port = wire::parse_u32(text.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return make_error(Errc::kProtocol, "redirect target with a bad port");
  return std::pair{std::string(text.substr(0, colon)), static_cast<std::uint16_t>(*port)};
}

// The MIME Content-Type of an NS message payload (first header block), lower-cased.
std::string content_type_of(std::string_view payload) {
  const auto end = payload.find("\r\n\r\n");
  std::string_view head = payload.substr(0, end);
  while (!head.empty()) {
    const auto eol = head.find("\r\n");
    std::string_view line = head.substr(0, eol);
    if (line.size() > 13 && ascii::iequals(line.substr(0, 13), "content-type:")) {
      std::string value = ascii::to_lower(line.substr(13));
      value.erase(0, value.find_first_not_of(' '));
      return value.substr(0, value.find(';'));
    }
    if (eol == std::string_view::npos) break;
    head.remove_prefix(eol + 2);
  }
  return {};
}

}  // namespace

void NotificationSession::handle_ver(const wire::Command& command, TimePoint now) {
  if (state_ != State::kVersion) return;
  bool speaks_msnp15 = false;
  for (std::size_t i = 1; i < command.args.size(); ++i) speaks_msnp15 |= command.args[i] == "MSNP15";
  if (!speaks_msnp15) {
    fail(make_error(Errc::kUnsupported, "the server does not offer MSNP15"));
    return;
  }
  state_ = State::kClientInfo;
  send_command("CVR", {"0x0409", "winnt", "5.1", "i386", "MSNMSGR", "8.5.1302", "BC01", settings_.account}, now);
}

void NotificationSession::handle_cvr(const wire::Command& /*command*/, TimePoint now) {
  if (state_ != State::kClientInfo) return;
  state_ = State::kSsoInitial;
  send_command("USR", {"SSO", "I", settings_.account}, now);
}

void NotificationSession::handle_xfr(const wire::Command& command, TimePoint now) {
  // XFR NS is a sign-in redirect; XFR SB answers our request for a switchboard.
  if (command.arg(1) == "SB") return handle_xfr_switchboard(command, now);
  if (command.arg(1) != "NS" || state_ == State::kOnline) return;
  if (redirects_left_-- <= 0) {
    fail(make_error(Errc::kTooManyRedirects, "too many notification server redirects"));
    return;
  }
  auto target = split_host_port(command.arg(2));
  if (!target) {
    fail(target.error());
    return;
  }
  log(LogLevel::kInfo, "redirected to " + std::string(command.arg(2)));
  outputs_.push_back(out::Close{conn_});
  progress(SignInStep::kRedirected);
  connect_to(std::move(target->first), target->second, now);
}

void NotificationSession::handle_usr(const wire::Command& command, TimePoint now) {
  // "USR trid SSO S policy nonce" after SSO I; "USR trid OK email verified 0" after SSO S.
  if (state_ == State::kSsoInitial && command.arg(1) == "SSO" && command.arg(2) == "S") {
    if (command.args.size() < 5 || command.arg(4).empty() || command.arg(4).size() > kMaxNonce) {
      fail(make_error(Errc::kProtocol, "USR SSO S without a usable policy and nonce"));
      return;
    }
    start_web_login(std::string(command.arg(3)), std::string(command.arg(4)), now);
    return;
  }
  if (state_ == State::kSsoSubmit && command.arg(1) == "OK") {
    log(LogLevel::kInfo, "authenticated as " + std::string(command.arg(2)));
    state_ = State::kProfile;
    awaited_.reset();
    reply_deadline_.reset();
    // The profile message normally follows at once; don't wait forever for it.
    profile_deadline_ = now + seconds(5);
    return;
  }
  fail(make_error(Errc::kProtocol, "unexpected USR reply"));
}

void NotificationSession::start_web_login(std::string policy, std::string nonce, TimePoint /*now*/) {
  sso_policy_ = std::move(policy);
  sso_nonce_ = std::move(nonce);
  state_ = State::kWebLogin;
  awaited_.reset();
  reply_deadline_.reset();  // the web request carries its own deadline
  progress(SignInStep::kWebLogin);
  std::string url = rst_url();
  if (url.empty()) {
    fail(make_error(Errc::kInvalidArgument, "the web services URL is not usable"));
    return;
  }
  post_rst(std::move(url));
}

std::string NotificationSession::rst_url() const {
  if (settings_.web_services_url.empty()) return std::string(kHistoricRstUrl);
  auto url = http::join_service_url(settings_.web_services_url, kRstPath);
  return url ? url->to_string() : std::string{};
}

void NotificationSession::post_rst(std::string url) {
  rst_call_id_ = next_call_id_++;
  log(LogLevel::kInfo, "web login at " + url);
  web_calls_.push_back(WebCall{
      .id = rst_call_id_,
      .url = std::move(url),
      .soap_action = "",
      .body = auth::build_rst_request(settings_.account, settings_.password, sso_policy_),
      .service = rst_url(),
  });
}

void NotificationSession::on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now) {
  if (state_ == State::kClosed) return;
  if (renew_call_id_ != 0 && call_id == renew_call_id_) {
    renew_call_id_ = 0;
    handle_renewal_result(std::move(result));
    pump_address_book(now);
    return;
  }
  if (address_book_.owns(call_id)) {
    address_book_.on_web_result(call_id, std::move(result));
    pump_address_book(now);
    return;
  }
  if (state_ != State::kWebLogin || call_id != rst_call_id_) return;
  if (!result) {
    fail(result.error());
    return;
  }
  const http::Response& response = result.value();
  const bool http_ok = response.status >= 200 && response.status <= 299;
  // Faults come with 200 or with an error status (wrong password, psf:Redirect): read the
  // document first, so that each is reported as what it is whatever the status.
  auto outcome = auth::parse_rst_response(response.body);
  if (!outcome) {
    if (outcome.error().code != Errc::kAuth && !http_ok) {
      fail(make_error(Errc::kHttp, "the login service answered HTTP " + std::to_string(response.status),
                      response.status));
      return;
    }
    fail(outcome.error());
    return;
  }
  if (auto* redirect = std::get_if<auth::RstRedirect>(&outcome.value())) {
    follow_rst_redirect(redirect->url);
    return;
  }
  if (!http_ok) {
    fail(make_error(Errc::kHttp, "the login service answered HTTP " + std::to_string(response.status),
                    response.status));
    return;
  }
  // Kept for the web services (contacts, OIM) and for renewing them later.
  tokens_ = std::get<auth::RstTokens>(std::move(outcome).value());
  const auth::SecurityToken* messenger = tokens_.find(auth::kMessengerClear);
  if (messenger == nullptr) {
    fail(make_error(Errc::kSoap, "the login service sent no messenger ticket"));
    return;
  }
  submit_ticket(messenger->ticket(), messenger->binary_secret, now);
}

// The contacts ticket expired: the password is still at hand, so the same RST.srf request as
// at sign-in yields a fresh set of tokens; the NS session itself is not touched.
void NotificationSession::renew_tokens() {
  std::string url = rst_url();
  if (url.empty()) {
    renewal_failed(make_error(Errc::kInvalidArgument, "the web services URL is not usable"));
    return;
  }
  renew_call_id_ = next_call_id_++;
  log(LogLevel::kInfo, "renewing the web service tokens at " + url);
  web_calls_.push_back(WebCall{
      .id = renew_call_id_,
      .url = std::move(url),
      .soap_action = "",
      .body = auth::build_rst_request(
          settings_.account, settings_.password,
          sso_policy_.empty() ? std::string_view("MBI_KEY_OLD") : sso_policy_),
      .service = rst_url(),
  });
}

// The offline-message services ask here; they share the address book's renewal, so calls of
// both refused at once cost one RST.srf request.
Status NotificationSession::renew_tokens(TimePoint /*now*/) {
  if (state_ == State::kClosed || tokens_.tokens.empty())
    return make_error(Errc::kInvalidArgument, "no web login to renew");
  if (renew_call_id_ == 0) renew_tokens();
  return Status::ok();
}

void NotificationSession::renewal_failed(const Error& error) {
  address_book_.ticket_renewal_failed(error);
  notices_.push_back(notice::TokensRenewed{error});
}

void NotificationSession::handle_renewal_result(Result<http::Response> result) {
  if (!result) {
    renewal_failed(result.error());
    return;
  }
  auto outcome = auth::parse_rst_response(result->body);
  if (!outcome) {
    renewal_failed(outcome.error());
    return;
  }
  if (std::holds_alternative<auth::RstRedirect>(outcome.value())) {
    renewal_failed(make_error(Errc::kSoap, "the login service redirected the renewal"));
    return;
  }
  auth::RstTokens tokens = std::get<auth::RstTokens>(std::move(outcome).value());
  const auth::SecurityToken* contacts = tokens.find(auth::kContactsAddress);
  if (contacts == nullptr) {
    renewal_failed(make_error(Errc::kSoap, "the login service sent no contacts ticket"));
    return;
  }
  std::string ticket = contacts->ticket();
  tokens_ = std::move(tokens);
  log(LogLevel::kInfo, "web service tokens renewed");
  address_book_.ticket_renewed(std::move(ticket));
  notices_.push_back(notice::TokensRenewed{});
}

void NotificationSession::follow_rst_redirect(const std::string& url) {
  if (rst_redirects_left_-- <= 0) {
    fail(make_error(Errc::kTooManyRedirects, "too many login service redirects"));
    return;
  }
  auto target = http::parse_url(url);
  if (!target) {
    fail(make_error(Errc::kSoap, "the login service redirected to an unusable address"));
    return;
  }
  // The request carries the password: re-post it only over TLS within the configured service.
  auto service = http::parse_url(rst_url());
  if (!service || !http::is_same_service(service.value(), target.value())) {
    fail(make_error(Errc::kRedirectRefused, "the login service redirected to " + target->host +
                                                (target->tls ? "" : " without TLS") +
                                                ", outside its own service"));
    return;
  }
  post_rst(target->to_string());
}

void NotificationSession::submit_ticket(const std::string& ticket, const std::string& secret, TimePoint now) {
  auto iv = random_(8);
  if (!iv) {
    fail(iv.error());
    return;
  }
  auto blob = auth::mbi_blob(secret, sso_nonce_, iv.value());
  if (!blob) {
    fail(blob.error());
    return;
  }
  state_ = State::kSsoSubmit;
  progress(SignInStep::kAuthenticating);
  auto written = writer_.command("USR", {"SSO", "S", ticket, blob.value()});
  send(written, /*secret=*/true);
  awaited_ = written.trid;
  expect_reply(now);
}

void NotificationSession::handle_hotmail_msg(const wire::Command& command, TimePoint now) {
  // Only "MSG Hotmail Hotmail" is the server's own; anything else on the NS is ignored.
  if (command.arg(0) != "Hotmail" || command.arg(1) != "Hotmail") return;
  const std::string type = content_type_of(command.payload);
  log(LogLevel::kDebug, "server message of type " + type);
  if (handle_mail_notice(type, command, now)) return;
  if (type == "text/x-msmsgsprofile" && state_ == State::kProfile) {
    profile_deadline_.reset();
    start_sync(now);
  }
}

}  // namespace msn
