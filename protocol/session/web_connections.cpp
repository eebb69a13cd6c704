// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/web_connections.h"

#include <algorithm>
#include <utility>

#include "core/ascii.h"

namespace msn {

std::string WebConnections::origin_of(const http::Url& url) {
  return std::string(url.tls ? "https://" : "http://") + ascii::to_lower(url.host) + ":" +
         std::to_string(url.port);
}

std::optional<ConnectionId> WebConnections::take(const std::string& origin) {
  // The most recently used one: the least likely to have been closed by the server meanwhile.
  for (std::size_t i = idle_.size(); i-- > 0;) {
    if (idle_[i].origin != origin) continue;
    const ConnectionId conn = idle_[i].conn;
    idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(i));
    return conn;
  }
  return std::nullopt;
}

void WebConnections::put(const std::string& origin, ConnectionId conn, TimePoint now) {
  if (idle_.size() >= kMaxIdle) close_at(0);
  idle_.push_back(Idle{origin, conn, now});
}

bool WebConnections::holds(ConnectionId conn) const {
  return std::any_of(idle_.begin(), idle_.end(), [conn](const Idle& idle) { return idle.conn == conn; });
}

void WebConnections::on_closed(ConnectionId conn) {
  std::erase_if(idle_, [conn](const Idle& idle) { return idle.conn == conn; });
}

void WebConnections::on_unexpected_data(ConnectionId conn) {
  for (std::size_t i = 0; i < idle_.size(); ++i) {
    if (idle_[i].conn == conn) {
      close_at(i);
      return;
    }
  }
}

void WebConnections::on_timer(TimePoint now) {
  for (std::size_t i = idle_.size(); i-- > 0;) {
    if (now - idle_[i].since >= kIdleLimit) close_at(i);
  }
}

void WebConnections::close_all() {
  while (!idle_.empty()) close_at(idle_.size() - 1);
}

std::optional<TimePoint> WebConnections::deadline() const {
  std::optional<TimePoint> earliest;
  for (const auto& idle : idle_) {
    const TimePoint due = idle.since + kIdleLimit;
    if (!earliest || due < *earliest) earliest = due;
  }
  return earliest;
}

std::vector<Output> WebConnections::take_outputs() { return std::exchange(outputs_, {}); }

void WebConnections::learn(const std::string& origin, bool keeps_alive) {
  std::erase(closing_origins_, origin);
  if (keeps_alive) return;
  constexpr std::size_t kMaxRemembered = 16;
  if (closing_origins_.size() >= kMaxRemembered) closing_origins_.erase(closing_origins_.begin());
  closing_origins_.push_back(origin);
}

bool WebConnections::closes(const std::string& origin) const {
  return std::find(closing_origins_.begin(), closing_origins_.end(), origin) != closing_origins_.end();
}

void WebConnections::close_at(std::size_t index) {
  outputs_.push_back(out::Close{idle_[index].conn});
  idle_.erase(idle_.begin() + static_cast<std::ptrdiff_t>(index));
}

}  // namespace msn
