// SPDX-License-Identifier: GPL-2.0-or-later
// The whole engine for one account, still sans-I/O: owns the notification session and the
// web requests it makes, routes connection reports to whichever owns the connection, and
// exposes one combined take_outputs() / take_events() / next_deadline().
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/time.h"
#include "runtime/settings.h"
#include "runtime/http_exchange.h"
#include "session/event.h"
#include "session/io.h"
#include "session/notification_session.h"

namespace msn {

class Client {
 public:
  explicit Client(Settings settings);
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // For tests: a fixed source of random bytes (the MBI IV).
  void set_random_source(RandomSource random) { ns_.set_random_source(std::move(random)); }

  void start(TimePoint now);
  void sign_out(TimePoint now);

  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);

  std::vector<Output> take_outputs();
  std::vector<Event> take_events();
  std::optional<TimePoint> next_deadline() const;

  // True once Disconnected was emitted; nothing else happens after that.
  bool finished() const { return ns_.finished(); }

 private:
  void settle(TimePoint now);
  void drain_session();
  HttpExchange* exchange_for(ConnectionId conn);
  void cancel_web_requests();

  Settings settings_;
  ConnectionIds ids_;
  NotificationSession ns_;
  std::map<ConnectionId, std::unique_ptr<HttpExchange>> web_;  // keyed by WebCall id
  std::vector<Output> outputs_;
  std::vector<Event> events_;
};

}  // namespace msn
