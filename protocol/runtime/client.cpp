// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime/client.h"

#include <utility>

#include "crypto/crypto.h"

namespace msn {

Client::Client(Settings settings)
    : settings_(std::move(settings)),
      ns_(settings_, ids_),
      conversations_(conversation_config(settings_), ids_, ns_link_),
      pictures_(picture_config(settings_), crypto::random_bytes),
      files_(FileConfig{}, crypto::random_bytes) {
  pictures_.set_application(&files_);
  files_.set_links(&pictures_);
}

ConversationConfig Client::conversation_config(const Settings& settings) {
  ConversationConfig config;
  config.account = settings.account;
  config.web_services_url = settings.web_services_url;
  config.switchboard_timeouts.connect = settings.timeouts.connect;
  config.switchboard_timeouts.ack = settings.timeouts.message_ack;
  return config;
}

void Client::start(TimePoint now) {
  ns_.start(now);
  settle(now);
}

void Client::sign_out(TimePoint now) {
  // Every message still under way is reported before the session ends.
  conversations_.shut_down(ev::DeliveryFailure::kSignedOut, make_error(Errc::kTransport, "signed out"), now);
  drain_conversations();
  cancel_web_requests();
  ns_.sign_out(now);
  drain_session(now);
}

void Client::cancel_web_requests() {
  for (auto& [id, exchange] : web_) {
    exchange->cancel();
    for (auto& output : exchange->take_outputs()) outputs_.push_back(std::move(output));
  }
  web_.clear();
}

void Client::on_connected(ConnectionId conn, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_connected(conn, now);
  } else if (conversations_.owns(conn)) {
    conversations_.on_connected(conn, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_connected(conn, now);
  }
  settle(now);
}

void Client::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_data(conn, bytes, now);
  } else if (conversations_.owns(conn)) {
    conversations_.on_data(conn, bytes, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_data(conn, bytes, now);
  }
  settle(now);
}

void Client::on_closed(ConnectionId conn, const Error& why, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_closed(conn, why, now);
  } else if (conversations_.owns(conn)) {
    conversations_.on_closed(conn, why, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_closed(conn, why, now);
  }
  settle(now);
}

void Client::on_timer(TimePoint now) {
  ns_.on_timer(now);
  conversations_.on_timer(now);
  pictures_.on_timer(now);
  files_.on_timer(now);
  for (auto& [id, exchange] : web_) exchange->on_timer(now);
  settle(now);
}

HttpExchange* Client::exchange_for(ConnectionId conn) {
  for (auto& [id, exchange] : web_) {
    if (exchange->owns(conn)) return exchange.get();
  }
  return nullptr;
}

// The session's events in order; when it ended (Disconnected), every conversation ends first
// so that its undelivered messages are reported before the event after which nothing follows.
void Client::drain_session(TimePoint now) {
  for (auto& output : ns_.take_outputs()) outputs_.push_back(std::move(output));
  for (auto& event : ns_.take_events()) {
    if (std::holds_alternative<ev::Disconnected>(event) && !conversations_.is_shut_down()) {
      conversations_.shut_down(ev::DeliveryFailure::kConnectionLost,
                               make_error(Errc::kTransport, "the connection to the server was lost"), now);
      drain_conversations();
    }
    const auto* presence = std::get_if<ev::PresenceChanged>(&event);
    if (presence != nullptr) pictures_.on_presence(*presence, now);
    const bool picture_news = presence != nullptr;
    events_.push_back(std::move(event));
    // What the presence meant for pictures follows it at once, before anything the session
    // said later (a Disconnected must stay the last event).
    if (picture_news) {
      for (auto& picture_event : pictures_.take_events())
        events_.push_back(std::move(picture_event));
    }
  }
}

void Client::drain_conversations() {
  for (auto& output : conversations_.take_outputs()) outputs_.push_back(std::move(output));
  for (auto& event : conversations_.take_events()) events_.push_back(std::move(event));
}

void Client::start_web_call(WebCall call, TimePoint now) {
  const auto id = call.id;
  auto exchange = std::make_unique<HttpExchange>(std::move(call), ids_, settings_.max_http_redirects,
                                                 settings_.timeouts.web_request);
  exchange->start(now);
  if (auto old = web_.find(id); old != web_.end()) old->second->cancel();  // never expected
  web_[id] = std::move(exchange);
}

// Collects outputs in the order they were produced, hands the NS notices to the conversation
// manager, starts the web calls both asked for, and hands finished exchanges back to their
// owner, which may ask for more in turn.
void Client::settle(TimePoint now) {
  for (;;) {
    drain_session(now);
    auto notices = ns_.take_notices();
    bool progress = !notices.empty();
    for (auto& notice : notices) conversations_.on_notice(std::move(notice), now);
    progress |= conversations_.resume(now);
    drain_conversations();
    progress |= route_p2p(now);
    drain_conversations();
    for (auto& call : ns_.take_web_calls()) {
      start_web_call(std::move(call), now);
      progress = true;
    }
    for (auto& call : conversations_.take_web_calls()) {
      start_web_call(std::move(call), now);
      progress = true;
    }
    HttpExchange* finished = nullptr;
    for (auto& [id, exchange] : web_) {
      for (auto& output : exchange->take_outputs()) outputs_.push_back(std::move(output));
      if (exchange->done() && finished == nullptr) finished = exchange.get();
    }
    if (finished != nullptr) {
      progress = true;
      auto node = web_.extract(finished->id());
      const std::uint32_t id = node.mapped()->id();
      if (conversations_.owns_call(id)) {
        conversations_.on_web_result(id, node.mapped()->take_result(), now);
      } else {
        ns_.on_web_result(id, node.mapped()->take_result(), now);
      }
    }
    if (!progress) break;
  }
  // Once the session has ended nobody is waiting for the answers.
  if (ns_.finished()) cancel_web_requests();
}

std::vector<Output> Client::take_outputs() { return std::exchange(outputs_, {}); }

std::vector<Event> Client::take_events() { return std::exchange(events_, {}); }

std::optional<TimePoint> Client::next_deadline() const {
  std::optional<TimePoint> earliest = ns_.next_deadline();
  const auto consider = [&](std::optional<TimePoint> deadline) {
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  };
  consider(conversations_.next_deadline());
  consider(pictures_.next_deadline());
  consider(files_.next_deadline());
  for (const auto& [id, exchange] : web_) consider(exchange->deadline());
  return earliest;
}

}  // namespace msn
