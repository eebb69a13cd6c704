// SPDX-License-Identifier: GPL-2.0-or-later
// The notification server (NS) session, sans-I/O: sign-in (VER, CVR, USR SSO with the web
// login, XFR redirects), then the online life of the connection (CHL/QRY, PNG/QNG, OUT).
// Where to find a command's handling:
//   ns_sign_in.cpp   VER, CVR, USR, XFR, SBS, the profile MSG, the RST.srf web login
//   ns_presence.cpp  BLP, ADL, CHG (announcing the list and going online)
//   ns_keepalive.cpp CHL/QRY, PNG/QNG, OUT
//   ns_switchboard.cpp XFR SB, RNG, offline-message notices (handed on as NsNotice)
//   notification_session.cpp  connection handling, dispatch, errors, timers
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/http_message.h"
#include "runtime/http_exchange.h"
#include "runtime/settings.h"
#include "session/event.h"
#include "session/io.h"
#include "session/ns_notice.h"
#include "session/presence.h"
#include "auth/rst.h"
#include "wire/command.h"
#include "wire/command_parser.h"
#include "wire/command_writer.h"

namespace msn {

// Source of random bytes (the MBI IV); replaceable so tests can reproduce the vectors.
using RandomSource = std::function<Result<std::string>(std::size_t)>;

class NotificationSession {
 public:
  enum class State {
    kIdle,
    kConnecting,
    kVersion,      // VER sent
    kClientInfo,   // CVR sent
    kSsoInitial,   // USR SSO I sent
    kWebLogin,     // RST.srf request under way
    kSsoSubmit,    // USR SSO S with ticket sent
    kProfile,      // USR OK received; waiting for the profile MSG
    kSyncing,      // BLP/ADL sent
    kGoingOnline,  // CHG sent
    kOnline,
    kClosed,
  };

  NotificationSession(const Settings& settings, ConnectionIds& ids);

  void set_random_source(RandomSource random) { random_ = std::move(random); }

  void start(TimePoint now);
  void sign_out(TimePoint now);

  bool owns(ConnectionId conn) const { return conn_ == conn && state_ != State::kClosed; }
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);
  void on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now);

  std::vector<Output> take_outputs();
  std::vector<Event> take_events();
  std::vector<WebCall> take_web_calls();
  std::optional<TimePoint> next_deadline() const;

  State state() const { return state_; }
  bool finished() const { return state_ == State::kClosed; }
  bool online() const { return state_ == State::kOnline; }

  // ---- for the rest of the engine -------------------------------------------------------
  // The tokens of the last web login (OIM and the contact services use them).
  const auth::RstTokens& tokens() const { return tokens_; }
  // A contact's last known presence; nullopt when we never heard of it (treat as offline).
  std::optional<PresenceStatus> presence_of(std::string_view address) const;
  // Our friendly name as the server holds it.
  const std::string& own_display_name() const { return own_display_name_; }

  // Switchboards (ns_switchboard.cpp). Asks the NS for a switchboard (XFR SB); the answer
  // comes back as a SwitchboardGranted or SwitchboardRefused notice with the returned TrId.
  // Errc::kInvalidArgument when not online.
  Result<wire::TrId> request_switchboard(TimePoint now);
  std::vector<NsNotice> take_notices() { return std::exchange(notices_, {}); }

 private:
  // notification_session.cpp
  void connect_to(std::string host, std::uint16_t port, TimePoint now);
  void dispatch(const wire::Command& command, TimePoint now);
  void handle_error_reply(const wire::Command& command, TimePoint now);
  void send(const wire::Written& written, bool secret = false);
  wire::TrId send_command(std::string_view verb, std::initializer_list<std::string_view> args,
                          TimePoint now);
  void expect_reply(TimePoint now);
  void fail(Error error);
  void log(LogLevel level, std::string text);
  void progress(SignInStep step);

  // ns_sign_in.cpp
  void handle_ver(const wire::Command& command, TimePoint now);
  void handle_cvr(const wire::Command& command, TimePoint now);
  void handle_usr(const wire::Command& command, TimePoint now);
  void handle_xfr(const wire::Command& command, TimePoint now);
  void handle_hotmail_msg(const wire::Command& command, TimePoint now);
  void start_web_login(std::string policy, std::string nonce, TimePoint now);
  void post_rst(std::string url);
  void follow_rst_redirect(const std::string& url);
  void submit_ticket(const std::string& ticket, const std::string& secret, TimePoint now);

  // ns_presence.cpp
  void start_sync(TimePoint now);
  void handle_adl(const wire::Command& command, TimePoint now);
  void handle_chg(const wire::Command& command, TimePoint now);

  // ns_keepalive.cpp
  void handle_chl(const wire::Command& command, TimePoint now);
  void handle_qng(const wire::Command& command, TimePoint now);
  void handle_out(const wire::Command& command, TimePoint now);
  void send_ping(TimePoint now);

  // ns_switchboard.cpp
  void handle_xfr_switchboard(const wire::Command& command, TimePoint now);
  void handle_rng(const wire::Command& command, TimePoint now);
  // True if the error reply answered one of our XFR SB requests.
  bool handle_switchboard_error(const wire::Command& command, TimePoint now);
  // A MSG Hotmail of `type` that is about offline messages; true if handled.
  bool handle_mail_notice(std::string_view type, const wire::Command& command, TimePoint now);
  void expire_switchboard_requests(TimePoint now);

  const Settings& settings_;
  ConnectionIds& ids_;
  RandomSource random_;
  State state_ = State::kIdle;
  ConnectionId conn_ = 0;
  wire::CommandParser parser_;
  wire::CommandWriter writer_;
  int redirects_left_;

  // The one outstanding sign-in reply, and when to give up on it.
  std::optional<wire::TrId> awaited_;
  std::optional<TimePoint> reply_deadline_;

  // Web login.
  std::string sso_policy_;
  std::string sso_nonce_;
  std::uint32_t rst_call_id_ = 0;
  std::uint32_t next_call_id_ = 1;
  int rst_redirects_left_;

  // Online.
  std::optional<TimePoint> next_ping_;
  std::optional<TimePoint> pong_deadline_;
  std::optional<TimePoint> profile_deadline_;

  // Identity from the web login and the server.
  auth::RstTokens tokens_;
  std::string own_display_name_;
  std::unordered_map<std::string, PresenceStatus> presence_;  // lower-cased address

  // XFR SB requests waiting for their answer, with their deadlines.
  std::map<wire::TrId, TimePoint> switchboard_requests_;

  std::vector<Output> outputs_;
  std::vector<Event> events_;
  std::vector<WebCall> web_calls_;
  std::vector<NsNotice> notices_;
};

}  // namespace msn
