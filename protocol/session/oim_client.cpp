// SPDX-License-Identifier: GPL-2.0-or-later
// Offline messages over the web services: Store2 (sending) and rsi (receiving).
#include "session/oim_client.h"

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"
#include "http/url.h"

namespace msn {

namespace {

constexpr std::string_view kMessengerSecure = "messengersecure.live.com";  // Store2 ticket
constexpr std::string_view kMessenger = "messenger.msn.com";               // rsi PassportCookie

bool http_ok(const http::Response& response) { return response.status >= 200 && response.status <= 299; }

// The error for an answer that is not the document we wanted: the HTTP status when it was not
// a success (the body is then most likely an error page), the parser's error otherwise.
Error unusable_answer(const http::Response& response, const Error& parse_error) {
  if (!http_ok(response))
    return make_error(Errc::kHttp, "the offline message service answered HTTP " + std::to_string(response.status),
                      response.status);
  return parse_error;
}

Error store_error(const soap::StoreOutcome& outcome) {
  if (outcome.result == soap::StoreResult::kRecipientUnavailable)
    return make_error(Errc::kSoap, "the recipient cannot receive offline messages (" + outcome.fault_code + ")");
  if (outcome.result == soap::StoreResult::kTicketExpired || outcome.result == soap::StoreResult::kAuthenticationFailed)
    return make_error(Errc::kAuth, "the offline message service refused our ticket (" + outcome.fault_code + ")");
  return make_error(Errc::kSoap, "the offline message service refused the message (" + outcome.fault_code + ")");
}

// Whether a failed rsi answer says our ticket is expired or not accepted
// (docs/protocol/notification-server.md, offline-messages.md): AuthenticationFailed,
// BadContextToken or a RequiredAuthPolicy detail. The rsi faults have the shape of the Store2 ones,
// which parse_store_response() classifies.
bool ticket_refused(const http::Response& response) {
  const auto outcome = soap::parse_store_response(response.body);
  return outcome && (outcome->result == soap::StoreResult::kTicketExpired ||
                     outcome->result == soap::StoreResult::kAuthenticationFailed);
}

}  // namespace

OimClient::OimClient(OimConfig config, NsAccess& ns)
    : config_(std::move(config)), ns_(ns), random_(crypto::random_bytes) {}

// ---------------------------------------------------------------------------------------------
// Calls

std::uint32_t OimClient::post(InFlight call, std::string_view historic_url, std::string_view path,
                              std::string_view action, std::string body) {
  std::string url(historic_url);
  if (!config_.web_services_url.empty()) {
    // Settings were checked at sign-in (the RST request uses the same base); a base that does
    // not join is reported by the exchange as a bad URL.
    auto joined = http::join_service_url(config_.web_services_url, path);
    url = joined ? joined->to_string() : config_.web_services_url;
  }
  const std::uint32_t id = config_.first_call_id + (next_offset_++ % config_.call_id_count);
  call.generation = generation_;
  in_flight_[id] = std::move(call);
  calls_.push_back(WebCall{.id = id, .url = std::move(url), .soap_action = std::string(action), .body = std::move(body)});
  return id;
}

bool OimClient::owns_call(std::uint32_t call_id) const { return in_flight_.count(call_id) != 0; }

void OimClient::on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now) {
  const auto it = in_flight_.find(call_id);
  if (it == in_flight_.end()) return;
  InFlight call = std::move(it->second);
  in_flight_.erase(it);
  switch (call.kind) {
    case CallKind::kStore:
      on_store_result(std::move(call), std::move(result), now);
      break;
    case CallKind::kMetadata:
      on_metadata_result(std::move(call), std::move(result), now);
      break;
    case CallKind::kFetch:
      on_fetch_result(std::move(call), std::move(result), now);
      break;
    case CallKind::kDelete:
      on_delete_result(std::move(call), std::move(result), now);
      break;
  }
}

// ---------------------------------------------------------------------------------------------
// Refused tickets

bool OimClient::park_for_tokens(InFlight call, TimePoint now) {
  if (call.ticket_retried) return false;  // refused with the fresh ticket too
  call.ticket_retried = true;
  if (call.generation != generation_) {
    // Renewed while this call was under way: the fresh ticket has not been tried yet.
    resend(std::move(call));
    return true;
  }
  if (failed_generation_ == generation_) return false;  // renewing these tokens failed already
  if (!renewal_pending_) {
    if (auto status = ns_.renew_tokens(now); !status) {
      failed_generation_ = generation_;
      log(LogLevel::kWarning, "offline messages: the ticket was refused and cannot be renewed: " +
                                  status.error().detail);
      return false;
    }
    renewal_pending_ = true;
    log(LogLevel::kInfo, "offline messages: the ticket was refused; renewing the tokens");
  }
  held_.push_back(std::move(call));
  return true;
}

void OimClient::tokens_renewed(const std::optional<Error>& error) {
  if (!error) {
    ++generation_;
  } else if (renewal_pending_) {
    failed_generation_ = generation_;
  }
  renewal_pending_ = false;
  for (InFlight& call : std::exchange(held_, {})) {
    if (error) {
      give_up(std::move(call), *error);
    } else {
      resend(std::move(call));
    }
  }
}

// The waiting call runs again with the tokens of now; its *_in_flight_ flag was kept set so
// that nothing else of its kind went out meanwhile.
void OimClient::resend(InFlight call) {
  switch (call.kind) {
    case CallKind::kStore:
      store_in_flight_ = false;
      if (!stores_.empty()) {
        stores_.front().ticket_retried = true;
        stores_.front().attempts = 0;  // the new ticket may need its own lock key
      }
      pump_store();
      break;
    case CallKind::kMetadata:
      metadata_in_flight_ = send_metadata(true, call.with_child);
      break;
    case CallKind::kFetch:
      fetch_in_flight_ = false;
      if (fetch_queue_.empty() || fetch_queue_.front().entry.message_id != call.message_id) {
        pump_fetch();
      } else if (!send_fetch(call.message_id, true)) {
        fetch_queue_.clear();
        finish_batch_if_done();
      } else {
        fetch_in_flight_ = true;
      }
      break;
    case CallKind::kDelete:
      send_delete(std::move(call.message_ids), true);
      break;
  }
}

// The renewal failed: each waiting call ends as a refused one would have.
void OimClient::give_up(InFlight call, const Error& error) {
  const std::string why = "renewing the ticket failed: " + error.detail;
  switch (call.kind) {
    case CallKind::kStore:
      store_in_flight_ = false;
      finish_store(make_error(Errc::kAuth, "the offline message service refused our ticket; " + why));
      pump_store();
      break;
    case CallKind::kMetadata:
      metadata_in_flight_ = false;
      log(LogLevel::kWarning, "offline messages: GetMetadata refused our ticket; " + why);
      reports_.push_back(oim::ListUnavailable{});
      break;
    case CallKind::kFetch:
      fetch_in_flight_ = false;
      if (!fetch_queue_.empty() && fetch_queue_.front().entry.message_id == call.message_id) {
        fetch_queue_.pop_front();
        ++fetched_;
      }
      log(LogLevel::kWarning, "offline messages: GetMessage refused our ticket; left on the server; " + why);
      pump_fetch();
      break;
    case CallKind::kDelete:
      log(LogLevel::kWarning, "offline messages: deleting refused our ticket; " + why);
      break;
  }
}

std::vector<std::uint64_t> OimClient::abandon() {
  std::vector<std::uint64_t> keys;
  for (const auto& job : stores_) keys.push_back(job.key);
  stores_.clear();
  in_flight_.clear();
  fetch_queue_.clear();
  batch_.clear();
  store_in_flight_ = metadata_in_flight_ = fetch_in_flight_ = false;
  held_.clear();
  renewal_pending_ = false;
  calls_.clear();
  return keys;
}

void OimClient::log(LogLevel level, std::string text) { reports_.push_back(ev::Log{level, std::move(text)}); }

// ---------------------------------------------------------------------------------------------
// Sending

Status OimClient::store(std::uint64_t key, std::string to, std::string text) {
  if (stores_.size() >= config_.max_store_queue)
    return make_error(Errc::kLimit, "too many offline messages waiting to be stored");
  if (text.empty()) return make_error(Errc::kInvalidArgument, "empty message");
  stores_.push_back(StoreJob{key, std::move(to), std::move(text)});
  pump_store();
  return Status::ok();
}

// One Store2 at a time: the sequence numbers must arrive in order, and the first answer may be
// the LockKey challenge every later request needs.
void OimClient::pump_store() {
  if (store_in_flight_ || stores_.empty()) return;
  if (!sender_) {
    auto random = random_(16);
    if (!random) {
      finish_store(random.error());
      return pump_store();
    }
    std::string name = ns_.own_display_name().empty() ? config_.account : ns_.own_display_name();
    sender_ = std::make_unique<soap::OimSender>(config_.account, std::move(name), soap::make_run_id(random.value()));
  }
  const auth::SecurityToken* token = ns_.tokens().find(kMessengerSecure);
  if (token == nullptr) {
    finish_store(make_error(Errc::kAuth, "no messengersecure.live.com ticket for offline messages"));
    return pump_store();
  }
  StoreJob& job = stores_.front();
  ++job.attempts;
  store_in_flight_ = true;
  post(InFlight{.kind = CallKind::kStore, .ticket_retried = job.ticket_retried}, soap::kOimStoreUrl,
       soap::kOimStorePath, soap::kOimStoreAction, sender_->request(job.to, job.text, token->ticket()));
}

void OimClient::finish_store(std::optional<Error> error) {
  if (stores_.empty()) return;
  const std::uint64_t key = stores_.front().key;
  stores_.pop_front();
  if (error) log(LogLevel::kWarning, "offline message not stored: " + error->detail);
  reports_.push_back(oim::StoreDone{key, std::move(error)});
}

void OimClient::on_store_result(InFlight call, Result<http::Response> result, TimePoint now) {
  store_in_flight_ = false;
  if (stores_.empty()) return;
  if (!result) {
    finish_store(result.error());
    return pump_store();
  }
  auto outcome = soap::parse_store_response(result->body);
  if (!outcome) {
    finish_store(unusable_answer(result.value(), outcome.error()));
    return pump_store();
  }
  switch (sender_->on_answer(outcome, stores_.front().attempts)) {
    case soap::OimSender::Next::kStored:
      finish_store(std::nullopt);
      break;
    case soap::OimSender::Next::kResend:
      log(LogLevel::kDebug, "offline messages: answering the lock key challenge");
      break;  // pump_store() posts the same job again with the new lock key
    case soap::OimSender::Next::kRenewTicket:
      store_in_flight_ = true;  // the job waits; the ones behind it must not overtake it
      if (park_for_tokens(std::move(call), now)) return;
      store_in_flight_ = false;
      finish_store(store_error(outcome.value()));
      break;
    case soap::OimSender::Next::kFailed:
      finish_store(store_error(outcome.value()));
      break;
  }
  pump_store();
}

// ---------------------------------------------------------------------------------------------
// Receiving

std::optional<soap::PassportCookie> OimClient::rsi_cookie() {
  const auth::SecurityToken* token = ns_.tokens().find(kMessenger);
  if (token == nullptr) {
    log(LogLevel::kWarning, "offline messages: no messenger.msn.com ticket; not fetching them");
    return std::nullopt;
  }
  return soap::passport_cookie(token->ticket());
}

void OimClient::messages_waiting(std::string_view payload) {
  auto mail_data = soap::parse_mail_data_notification(payload);
  if (!mail_data) {
    log(LogLevel::kWarning, "offline messages: unreadable Mail-Data ignored: " + mail_data.error().detail);
    return;
  }
  if (mail_data->too_large) {
    if (!metadata_in_flight_) metadata_in_flight_ = send_metadata(false);
    return;
  }
  add_entries(mail_data->messages);
}

bool OimClient::send_metadata(bool ticket_retried, bool with_child) {
  const auto cookie = rsi_cookie();
  if (!cookie) return false;
  post(
      InFlight{
          .kind = CallKind::kMetadata, .ticket_retried = ticket_retried, .with_child = with_child},
      soap::kRsiUrl, soap::kRsiPath, soap::kGetMetadataAction,
      soap::build_get_metadata_request(*cookie, with_child));
  return true;
}

// The official request shape failed: a revival server may want the other one. When both
// failed, the owner tells the user that messages wait unseen.
void OimClient::metadata_failed(const InFlight& call, const std::string& why) {
  log(LogLevel::kWarning, "offline messages: GetMetadata" +
                              std::string(call.with_child ? " (with a child)" : "") +
                              " failed: " + why);
  if (!call.with_child) {
    metadata_in_flight_ = send_metadata(false, true);
    if (metadata_in_flight_) return;
  }
  reports_.push_back(oim::ListUnavailable{});
}

void OimClient::on_metadata_result(InFlight call, Result<http::Response> result, TimePoint now) {
  metadata_in_flight_ = false;
  if (!result) return metadata_failed(call, result.error().detail);
  auto mail_data = soap::parse_get_metadata_response(result->body);
  if (!mail_data && ticket_refused(result.value())) {
    metadata_in_flight_ = true;
    if (park_for_tokens(std::move(call), now)) return;
    metadata_in_flight_ = false;
  }
  if (!mail_data)
    return metadata_failed(call, unusable_answer(result.value(), mail_data.error()).detail);
  add_entries(mail_data->messages);
}

void OimClient::add_entries(const std::vector<soap::MailDataEntry>& entries) {
  for (const auto& entry : entries) {
    if (entry.message_id.empty() || seen_.count(entry.message_id) != 0) continue;
    if (seen_.size() >= config_.max_fetch_per_sign_in) {
      if (!limit_logged_) log(LogLevel::kWarning, "offline messages: more waiting than fetched per sign-in; the rest stay");
      limit_logged_ = true;
      break;
    }
    seen_.insert(entry.message_id);
    fetch_queue_.push_back(FetchJob{entry});
  }
  pump_fetch();
}

// One GetMessage at a time; the batch is reported once the queue is empty, so messages that
// arrive in several notices are still shown in the order they were sent.
void OimClient::pump_fetch() {
  if (fetch_in_flight_) return;
  if (fetch_queue_.empty()) return finish_batch_if_done();
  if (!send_fetch(fetch_queue_.front().entry.message_id, false)) {
    fetch_queue_.clear();
    return finish_batch_if_done();
  }
  fetch_in_flight_ = true;
}

bool OimClient::send_fetch(const std::string& message_id, bool ticket_retried) {
  const auto cookie = rsi_cookie();
  if (!cookie) return false;
  post(InFlight{.kind = CallKind::kFetch, .message_id = message_id, .ticket_retried = ticket_retried},
       soap::kRsiUrl, soap::kRsiPath, soap::kGetMessageAction, soap::build_get_message_request(*cookie, message_id));
  return true;
}

void OimClient::on_fetch_result(InFlight call, Result<http::Response> result, TimePoint now) {
  fetch_in_flight_ = false;
  if (fetch_queue_.empty() || fetch_queue_.front().entry.message_id != call.message_id) return pump_fetch();
  if (!result) {
    fetch_queue_.pop_front();
    ++fetched_;
    log(LogLevel::kWarning, "offline messages: GetMessage failed; left on the server: " + result.error().detail);
    return pump_fetch();
  }
  auto message = soap::parse_get_message_response(result->body);
  if (!message && ticket_refused(result.value())) {
    fetch_in_flight_ = true;  // the message stays first in the queue, and the only one asked for
    if (park_for_tokens(call, now)) return;
    fetch_in_flight_ = false;
  }
  const FetchJob job = std::move(fetch_queue_.front());
  fetch_queue_.pop_front();
  ++fetched_;
  const std::string& message_id = call.message_id;
  if (!message) {
    log(LogLevel::kWarning, "offline messages: GetMessage unusable; left on the server: " +
                                unusable_answer(result.value(), message.error()).detail);
    return pump_fetch();
  }
  soap::OfflineMessage& m = message.value();
  m.message_id = message_id;
  if (m.friendly_name.empty()) m.friendly_name = job.entry.friendly_name;
  if (!m.time) m.time = job.entry.received_time;
  batch_.push_back(std::move(m));
  pump_fetch();
}

void OimClient::finish_batch_if_done() {
  if (fetch_in_flight_ || !fetch_queue_.empty() || batch_.empty()) return;
  oim::Batch batch{std::exchange(batch_, {})};
  soap::sort_offline_messages(batch.messages);
  reports_.push_back(std::move(batch));
}

void OimClient::delete_shown(const std::vector<std::string>& message_ids) {
  if (message_ids.empty()) return;
  const std::size_t per_call = std::max<std::size_t>(1, config_.max_delete_per_call);
  for (std::size_t start = 0; start < message_ids.size(); start += per_call) {
    const auto end = std::min(message_ids.size(), start + per_call);
    std::vector<std::string> some(message_ids.begin() + static_cast<std::ptrdiff_t>(start),
                                  message_ids.begin() + static_cast<std::ptrdiff_t>(end));
    if (!send_delete(std::move(some), false)) return;
  }
}

bool OimClient::send_delete(std::vector<std::string> message_ids, bool ticket_retried) {
  const auto cookie = rsi_cookie();
  if (!cookie) return false;
  std::string body = soap::build_delete_messages_request(*cookie, message_ids);
  post(InFlight{.kind = CallKind::kDelete, .message_ids = std::move(message_ids), .ticket_retried = ticket_retried},
       soap::kRsiUrl, soap::kRsiPath, soap::kDeleteMessagesAction, std::move(body));
  return true;
}

void OimClient::on_delete_result(InFlight call, Result<http::Response> result, TimePoint now) {
  if (!result) {
    log(LogLevel::kWarning, "offline messages: deleting failed: " + result.error().detail);
  } else if (!http_ok(result.value())) {
    if (ticket_refused(result.value()) && park_for_tokens(std::move(call), now)) return;
    log(LogLevel::kWarning, "offline messages: deleting answered HTTP " + std::to_string(result->status));
  } else {
    log(LogLevel::kInfo, "offline messages: deleted the ones shown");
  }
}

}  // namespace msn
