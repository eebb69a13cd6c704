// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime/client.h"

#include <algorithm>
#include <utility>

#include "crypto/crypto.h"
#include "p2p/dc_negotiation.h"

namespace msn {

Client::Client(Settings settings)
    : settings_(std::move(settings)),
      ns_(settings_, ids_),
      conversations_(conversation_config(settings_), ids_, ns_link_),
      pictures_(picture_config(settings_), crypto::random_bytes),
      files_(FileConfig{}, crypto::random_bytes),
      objects_(object_config(settings_), crypto::random_bytes) {
  pictures_.set_application(&files_);
  files_.set_links(&pictures_);
  files_.enable_direct(&ids_, settings_.direct_connections);
  files_.direct().allow_local_peers(p2p::dc::is_loopback_host(settings_.server));
  pictures_.add_application(&objects_);
  objects_.set_links(&pictures_);
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
  waiting_calls_.clear();
  web_connections_.close_all();
  for (auto& output : web_connections_.take_outputs()) outputs_.push_back(std::move(output));
}

void Client::on_connected(ConnectionId conn, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_connected(conn, now);
  } else if (conversations_.owns(conn)) {
    conversations_.on_connected(conn, now);
  } else if (files_.direct().owns(conn)) {
    files_.direct().on_connected(conn, now);
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
  } else if (files_.direct().owns(conn)) {
    files_.direct().on_data(conn, bytes, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_data(conn, bytes, now);
  } else if (web_connections_.holds(conn)) {
    web_connections_.on_unexpected_data(conn);
  }
  settle(now);
}

void Client::on_closed(ConnectionId conn, const Error& why, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_closed(conn, why, now);
  } else if (conversations_.owns(conn)) {
    conversations_.on_closed(conn, why, now);
  } else if (files_.direct().owns(conn)) {
    files_.direct().on_closed(conn, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_closed(conn, why, now);
  } else {
    web_connections_.on_closed(conn);
  }
  settle(now);
}

void Client::on_timer(TimePoint now) {
  ns_.on_timer(now);
  conversations_.on_timer(now);
  pictures_.on_timer(now);
  files_.on_timer(now);
  objects_.on_timer(now);
  for (auto& [id, exchange] : web_) exchange->on_timer(now);
  web_connections_.on_timer(now);
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

void Client::queue_web_call(WebCall call, TimePoint now) {
  auto url = http::parse_url(call.url);
  std::string origin = url ? WebConnections::origin_of(url.value()) : std::string{};
  const bool waits_behind_another =
      std::any_of(waiting_calls_.begin(), waiting_calls_.end(),
                  [&origin](const WaitingCall& waiting) { return waiting.origin == origin; });
  const bool worth_waiting = !origin.empty() && !web_connections_.closes(origin);
  if (worth_waiting && (waits_behind_another || origin_busy(origin))) {
    waiting_calls_.push_back(WaitingCall{std::move(call), std::move(origin), now});
    return;
  }
  start_web_call(std::move(call), now);
}

bool Client::origin_busy(const std::string& origin) const {
  return std::any_of(web_.begin(), web_.end(), [&origin](const auto& entry) {
    return !entry.second->done() && entry.second->origin() == origin;
  });
}

// Each origin's waiting calls start in the order they were asked for: the first when the
// origin's connection is free (or the origin closes its connections anyway), any of them once it
// has waited kMaxWait.
bool Client::start_waiting_web_calls(TimePoint now) {
  bool started = false;
  std::vector<std::string> seen;  // origins with an earlier call still waiting
  for (auto it = waiting_calls_.begin(); it != waiting_calls_.end();) {
    const bool first_of_origin = std::find(seen.begin(), seen.end(), it->origin) == seen.end();
    const bool turn =
        first_of_origin && (!origin_busy(it->origin) || web_connections_.closes(it->origin));
    if (turn || now - it->since >= WebConnections::kMaxWait) {
      WebCall call = std::move(it->call);
      it = waiting_calls_.erase(it);
      start_web_call(std::move(call), now);
      started = true;
      continue;
    }
    seen.push_back(it->origin);
    ++it;
  }
  return started;
}

void Client::start_web_call(WebCall call, TimePoint now) {
  const auto id = call.id;
  auto exchange = std::make_unique<HttpExchange>(std::move(call), ids_, settings_.max_http_redirects,
                                                 settings_.timeouts.web_request, &web_connections_);
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
    progress |= route_media(now);
    for (auto& call : ns_.take_web_calls()) {
      queue_web_call(std::move(call), now);
      progress = true;
    }
    for (auto& call : conversations_.take_web_calls()) {
      queue_web_call(std::move(call), now);
      progress = true;
    }
    progress |= start_waiting_web_calls(now);
    HttpExchange* finished = nullptr;
    for (auto& [id, exchange] : web_) {
      for (auto& output : exchange->take_outputs()) outputs_.push_back(std::move(output));
      if (exchange->done() && finished == nullptr) finished = exchange.get();
    }
    for (auto& output : web_connections_.take_outputs()) outputs_.push_back(std::move(output));
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
  consider(objects_.next_deadline());
  for (const auto& [id, exchange] : web_) consider(exchange->deadline());
  consider(web_connections_.deadline());
  for (const auto& waiting : waiting_calls_) consider(waiting.since + WebConnections::kMaxWait);
  return earliest;
}

}  // namespace msn
