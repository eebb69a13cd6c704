// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime/client.h"

#include <utility>

namespace msn {

Client::Client(Settings settings) : settings_(std::move(settings)), ns_(settings_, ids_) {}

void Client::start(TimePoint now) {
  ns_.start(now);
  settle(now);
}

void Client::sign_out(TimePoint now) {
  cancel_web_requests();
  ns_.sign_out(now);
  drain_session();
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
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_connected(conn, now);
  }
  settle(now);
}

void Client::on_data(ConnectionId conn, std::string_view bytes, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_data(conn, bytes, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_data(conn, bytes, now);
  }
  settle(now);
}

void Client::on_closed(ConnectionId conn, const Error& why, TimePoint now) {
  if (ns_.owns(conn)) {
    ns_.on_closed(conn, why, now);
  } else if (auto* exchange = exchange_for(conn)) {
    exchange->on_closed(conn, why, now);
  }
  settle(now);
}

void Client::on_timer(TimePoint now) {
  ns_.on_timer(now);
  for (auto& [id, exchange] : web_) exchange->on_timer(now);
  settle(now);
}

HttpExchange* Client::exchange_for(ConnectionId conn) {
  for (auto& [id, exchange] : web_) {
    if (exchange->owns(conn)) return exchange.get();
  }
  return nullptr;
}

void Client::drain_session() {
  for (auto& output : ns_.take_outputs()) outputs_.push_back(std::move(output));
  for (auto& event : ns_.take_events()) events_.push_back(std::move(event));
}

// Collects outputs in the order they were produced, starts the web calls the session asked
// for, and hands finished exchanges back to the session, which may ask for more in turn.
void Client::settle(TimePoint now) {
  for (;;) {
    drain_session();
    for (auto& call : ns_.take_web_calls()) {
      const auto id = call.id;
      auto exchange = std::make_unique<HttpExchange>(std::move(call), ids_, settings_.max_http_redirects,
                                                     settings_.timeouts.web_request);
      exchange->start(now);
      web_[id] = std::move(exchange);
    }
    HttpExchange* finished = nullptr;
    for (auto& [id, exchange] : web_) {
      for (auto& output : exchange->take_outputs()) outputs_.push_back(std::move(output));
      if (exchange->done() && finished == nullptr) finished = exchange.get();
    }
    if (finished == nullptr) break;
    auto node = web_.extract(finished->id());
    ns_.on_web_result(node.mapped()->id(), node.mapped()->take_result(), now);
  }
  // Once the session has ended nobody is waiting for the answers.
  if (ns_.finished()) cancel_web_requests();
}

std::vector<Output> Client::take_outputs() { return std::exchange(outputs_, {}); }

std::vector<Event> Client::take_events() { return std::exchange(events_, {}); }

std::optional<TimePoint> Client::next_deadline() const {
  std::optional<TimePoint> earliest = ns_.next_deadline();
  for (const auto& [id, exchange] : web_) {
    auto deadline = exchange->deadline();
    if (deadline && (!earliest || *deadline < *earliest)) earliest = deadline;
  }
  return earliest;
}

}  // namespace msn
