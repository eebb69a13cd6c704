// SPDX-License-Identifier: GPL-2.0-or-later
// Connection handling, command dispatch, errors and timers of the notification session.
#include "session/notification_session.h"

#include <utility>

#include "core/ascii.h"
#include "crypto/crypto.h"
#include "http/url.h"
#include "session/list_job.h"
#include "wire/server_error.h"

namespace msn {

namespace {

// A received line for the debug log. Switchboard cookies (the argument after "CKI" in XFR SB
// and RNG) admit anyone to a conversation, so they are hidden like tickets.
std::string describe_received(const wire::Command& command) {
  std::string line = command.verb;
  bool hide_next = false;
  for (const auto& arg : command.args) {
    line += ' ';
    line += hide_next ? "(cookie hidden)" : arg;
    hide_next = arg == "CKI";
  }
  if (command.has_payload) line += " (+" + std::to_string(command.payload.size()) + " bytes)";
  return line;
}

}  // namespace

NotificationSession::NotificationSession(const Settings& settings, ConnectionIds& ids)
    : settings_(settings),
      ids_(ids),
      random_(crypto::random_bytes),
      redirects_left_(settings.max_ns_redirects),
      rst_redirects_left_(settings.max_http_redirects),
      address_book_(settings, next_call_id_) {}

NotificationSession::~NotificationSession() = default;

void NotificationSession::start(TimePoint now) {
  if (state_ != State::kIdle) return;
  if (settings_.account.empty() || settings_.account.find('@') == std::string::npos) {
    fail(make_error(Errc::kInvalidArgument, "the account name is not an e-mail address"));
    return;
  }
  // Checked before any connection: the web services get the password and the tickets.
  if (auto usable = http::check_web_services_url(settings_.web_services_url); !usable) {
    fail(usable.error());
    return;
  }
  connect_to(settings_.server, settings_.port, now);
}

void NotificationSession::sign_out(TimePoint /*now*/) {
  if (state_ == State::kClosed || state_ == State::kIdle) {
    state_ = State::kClosed;
    return;
  }
  if (state_ != State::kConnecting) outputs_.push_back(out::Send{conn_, wire::CommandWriter::untracked("OUT")});
  outputs_.push_back(out::Close{conn_});
  state_ = State::kClosed;  // a user's sign-out is not an error: no Disconnected event
  address_book_.clear();
  list_load_.reset();
  finish_cache();
  jobs_.clear();
}

void NotificationSession::connect_to(std::string host, std::uint16_t port, TimePoint now) {
  conn_ = ids_.next();
  parser_ = wire::CommandParser{};
  writer_.reset();
  state_ = State::kConnecting;
  awaited_.reset();
  challenge_answers_.clear();
  reply_deadline_ = now + settings_.timeouts.connect;
  log(LogLevel::kInfo, "connecting to " + host + ":" + std::to_string(port));
  outputs_.push_back(out::Connect{conn_, std::move(host), port, false});
  progress(SignInStep::kConnecting);
}

void NotificationSession::on_connected(ConnectionId conn, TimePoint now) {
  if (!owns(conn) || state_ != State::kConnecting) return;
  state_ = State::kVersion;
  progress(SignInStep::kNegotiating);
  send_command("VER", {"MSNP15", "CVR0"}, now);
}

void NotificationSession::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (!owns(conn)) return;
  const Status status = parser_.feed(bytes);
  for (std::string& note : parser_.take_skipped()) log(LogLevel::kWarning, "server input: " + note);
  if (!status) {
    // Only a payload length that cannot be trusted gets here: where the next command starts is
    // unknown, so nothing more of this stream can be read.
    fail(make_error(Errc::kProtocol,
                    "the server's data could not be understood (" + status.error().detail + ")"));
    return;
  }
  while (auto command = parser_.next()) {
    dispatch(*command, now);
    if (!owns(conn)) return;  // the command closed or replaced this connection
  }
}

void NotificationSession::on_closed(ConnectionId conn, const Error& why, TimePoint /*now*/) {
  if (!owns(conn)) return;
  Error error = why;
  if (error.code == Errc::kTransport && state_ != State::kConnecting)
    error.detail = "the notification server closed the connection";
  fail(std::move(error));
}

void NotificationSession::on_timer(TimePoint now) {
  if (state_ == State::kClosed) return;
  if (address_book_.has_work()) {
    address_book_.work();
    pump_address_book(now);
  } else if (list_load_can_advance()) {
    advance_list_load(now);
  } else if (cache_writer_) {
    advance_cache();
  }
  if (state_ == State::kClosed) return;
  if (reply_deadline_ && now >= *reply_deadline_) {
    fail(make_error(Errc::kTimeout, state_ == State::kConnecting
                                        ? "connecting to the notification server timed out"
                                        : "the notification server did not answer in time"));
    return;
  }
  if (pong_deadline_ && now >= *pong_deadline_) {
    fail(make_error(Errc::kTimeout, "no answer to the keep-alive ping"));
    return;
  }
  if (profile_deadline_ && now >= *profile_deadline_) {
    // Some servers never send the profile message; MSNP15 does not need it to go on.
    log(LogLevel::kWarning, "no profile message from the server; continuing without it");
    profile_deadline_.reset();
    start_sync(now);
    return;
  }
  if (next_ping_ && now >= *next_ping_) send_ping(now);
  expire_switchboard_requests(now);
}

void NotificationSession::dispatch(const wire::Command& command, TimePoint now) {
  log(LogLevel::kDebug, "<< " + describe_received(command));
  const std::string& verb = command.verb;
  if (command.is_error()) return handle_error_reply(command, now);
  if (verb == "VER") return handle_ver(command, now);
  if (verb == "CVR") return handle_cvr(command, now);
  if (verb == "USR") return handle_usr(command, now);
  if (verb == "XFR") return handle_xfr(command, now);
  if (verb == "MSG") return handle_hotmail_msg(command, now);
  if (verb == "ADL") return handle_adl(command, now);
  if (verb == "RML") return handle_server_list(command, /*added=*/false, now);
  if (verb == "FQY") return handle_fqy(command, now);
  if (verb == "CHG") return handle_chg(command, now);
  if (verb == "PRP") return handle_prp(command, now);
  if (verb == "ILN" || verb == "NLN") return handle_presence(command, now);
  if (verb == "FLN") return handle_fln(command, now);
  if (verb == "UBX") return handle_ubx(command, now);
  if (verb == "CHL") return handle_chl(command, now);
  if (verb == "QNG") return handle_qng(command, now);
  if (verb == "OUT") return handle_out(command, now);
  if (verb == "RNG") return handle_rng(command, now);
  if (verb == "QRY") {  // the challenge answer was accepted
    if (auto trid = command.trid()) challenge_answers_.erase(*trid);
    return;
  }
  if (verb == "BLP" || verb == "UUX") {  // acknowledgements of ours
    if (auto trid = command.trid()) list_commands_.erase(*trid);
    return;
  }
  // SBS, GCF, NOT, QRY... carry nothing the engine needs.
}

// An error answers the request its TrId names, and only that one: an error for a TrId never
// sent, or already answered, is logged and ignored, never read as the answer to something else.
void NotificationSession::handle_error_reply(const wire::Command& command, TimePoint now) {
  const int code = command.error_code();
  const auto trid = command.trid();
  if (trid && challenge_answers_.erase(*trid) != 0) {
    // The server rejects our challenge answer and is about to drop us.
    fail(wire::server_error(code, "challenge answer refused"));
    return;
  }
  if (state_ != State::kOnline) {
    // The list announcement: one refused entry must not keep the account offline.
    if (sync_error(command, now)) return;
    // Every other step before going online is required: its refusal ends the sign-in.
    if (trid && trid == awaited_) {
      fail(wire::server_error(code, "sign-in step refused"));
      return;
    }
  } else {
    if (handle_switchboard_error(command, now)) return;
    if (handle_list_error(command, now)) return;
  }
  log(LogLevel::kWarning, "server error " + std::to_string(code) + " for transaction " +
                              std::string(command.arg(0)) + ", which awaits no answer; ignored");
}

void NotificationSession::send(const wire::Written& written, bool secret) {
  std::string shown = written.bytes.substr(0, written.bytes.find("\r\n"));
  if (secret) shown = shown.substr(0, shown.find(" SSO S ")) + " SSO S (ticket and answer hidden)";
  log(LogLevel::kDebug, ">> " + shown);
  outputs_.push_back(out::Send{conn_, written.bytes});
}

wire::TrId NotificationSession::send_command(std::string_view verb,
                                             std::initializer_list<std::string_view> args, TimePoint now) {
  auto written = writer_.command(verb, args);
  send(written);
  awaited_ = written.trid;
  expect_reply(now);
  return written.trid;
}

void NotificationSession::expect_reply(TimePoint now) { reply_deadline_ = now + settings_.timeouts.ns_reply; }

void NotificationSession::fail(Error error) {
  if (state_ == State::kClosed) return;
  log(LogLevel::kError, "session ended: " + error.detail);
  if (conn_ != 0 && state_ != State::kIdle) outputs_.push_back(out::Close{conn_});
  state_ = State::kClosed;
  reply_deadline_.reset();
  pong_deadline_.reset();
  next_ping_.reset();
  profile_deadline_.reset();
  address_book_.clear();
  list_load_.reset();
  finish_cache();
  jobs_.clear();
  events_.push_back(ev::Disconnected{std::move(error)});
}

void NotificationSession::log(LogLevel level, std::string text) {
  events_.push_back(ev::Log{level, std::move(text)});
}

void NotificationSession::progress(SignInStep step) { events_.push_back(ev::SignInProgress{step}); }

std::vector<Output> NotificationSession::take_outputs() { return std::exchange(outputs_, {}); }
std::vector<Event> NotificationSession::take_events() { return std::exchange(events_, {}); }
std::vector<WebCall> NotificationSession::take_web_calls() {
  std::vector<WebCall> calls = std::exchange(web_calls_, {});
  for (auto& call : address_book_.take_web_calls()) calls.push_back(std::move(call));
  return calls;
}

std::optional<PresenceStatus> NotificationSession::presence_of(std::string_view address) const {
  // Filled in by the presence handlers (ns_contacts.cpp).
  const auto it = presence_.find(ascii::to_lower(address));
  if (it != presence_.end()) return it->second;
  // The server reports every forward-list contact who is online (ILN, NLN): not heard of is
  // offline. Of anyone else it says nothing, so their presence is unknown.
  const Contact* contact = list_.find(address);
  if (contact != nullptr && contact->on(ListBits::kForward)) return PresenceStatus::kOffline;
  return std::nullopt;
}

std::optional<TimePoint> NotificationSession::next_deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& candidate : {reply_deadline_, pong_deadline_, profile_deadline_, next_ping_}) {
    if (candidate && (!earliest || *candidate < *earliest)) earliest = candidate;
  }
  for (const auto& [trid, deadline] : switchboard_requests_) {
    if (!earliest || deadline < *earliest) earliest = deadline;
  }
  if (state_ != State::kClosed && has_work()) return TimePoint{};  // due now
  return state_ == State::kClosed ? std::nullopt : earliest;
}

bool NotificationSession::has_work() const {
  return address_book_.has_work() || list_load_can_advance() || cache_writer_.has_value();
}

bool NotificationSession::list_load_can_advance() const {
  return list_load_ && (list_load_->phase != ListLoad::Phase::kAwaitAnswers || sync_answers_in());
}

}  // namespace msn
