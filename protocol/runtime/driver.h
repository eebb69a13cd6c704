// SPDX-License-Identifier: GPL-2.0-or-later
// Pumps the sans-I/O Client against the ports: turns transport, timer and user calls into
// Client calls, then drains the Client's outputs to the Transport and its events to the sink,
// in that order, and re-arms the single timer from Client::next_deadline().
#pragma once

#include <memory>
#include <string_view>

#include "runtime/client.h"
#include "runtime/ports.h"

namespace msn {

class Driver {
 public:
  Driver(Settings settings, Transport& transport, Scheduler& scheduler, EventSink& sink);
  ~Driver();
  Driver(const Driver&) = delete;
  Driver& operator=(const Driver&) = delete;

  // User intents.
  void start();
  void sign_out();

  // A user intent: runs `intent(client, now)`, then carries out what it produced and returns
  // the intent's result (a Status or Result). The sink may destroy this Driver meanwhile;
  // the result is still returned.
  template <typename Intent>
  auto act(Intent&& intent) {
    auto result = intent(client_, scheduler_.now());
    pump();
    return result;
  }

  // Reports from the Transport and the Scheduler.
  void connected(ConnectionId conn);
  void received(ConnectionId conn, std::string_view bytes);
  // The connection failed or ended (EOF is Errc::kTransport; a refused certificate Errc::kTls).
  void closed(ConnectionId conn, Error why);
  // A Listen's socket is open at these addresses, or could not be opened.
  void listening(ConnectionId conn, p2p::dc::ListenAddresses addresses);
  void listen_failed(ConnectionId conn);
  // Everything sent on a drain_reports connection has been written.
  void drained(ConnectionId conn);
  void timer_fired();

  const Client& client() const { return client_; }

 private:
  void pump();
  void perform(const out::Connect& o);
  void perform(const out::Send& o);
  void perform(const out::Close& o);
  void perform(const out::Listen& o);

  Client client_;
  Transport& transport_;
  Scheduler& scheduler_;
  EventSink& sink_;
  std::shared_ptr<bool> alive_;
  bool pumping_ = false;
  bool repump_ = false;
};

}  // namespace msn
