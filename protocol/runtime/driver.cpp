// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime/driver.h"

#include "runtime/output_batch.h"

#include <utility>
#include <variant>

namespace msn {

Driver::Driver(Settings settings, Transport& transport, Scheduler& scheduler, EventSink& sink)
    : client_(std::move(settings)),
      transport_(transport),
      scheduler_(scheduler),
      sink_(sink),
      alive_(std::make_shared<bool>(true)) {}

Driver::~Driver() {
  *alive_ = false;
  scheduler_.arm(std::nullopt);
}

void Driver::start() {
  client_.start(scheduler_.now());
  pump();
}

void Driver::sign_out() {
  client_.sign_out(scheduler_.now());
  pump();
}

void Driver::connected(ConnectionId conn) {
  client_.on_connected(conn, scheduler_.now());
  pump();
}

void Driver::received(ConnectionId conn, std::string_view bytes) {
  client_.on_data(conn, bytes, scheduler_.now());
  pump();
}

void Driver::closed(ConnectionId conn, Error why) {
  client_.on_closed(conn, why, scheduler_.now());
  pump();
}

void Driver::listening(ConnectionId conn, p2p::dc::ListenAddresses addresses) {
  client_.on_listening(conn, std::move(addresses), scheduler_.now());
  pump();
}

void Driver::listen_failed(ConnectionId conn) {
  client_.on_listen_failed(conn, scheduler_.now());
  pump();
}

void Driver::drained(ConnectionId conn) {
  client_.on_drained(conn, scheduler_.now());
  pump();
}

void Driver::timer_fired() {
  client_.on_timer(scheduler_.now());
  pump();
}

// Re-entrancy: the Client has returned before anything here runs (Chromium's DoLoop rule).
// Outputs go first so that the transport reflects the engine's state before the UI hears of
// it; the sink may destroy this Driver, so the liveness token is checked after each event.
// A nested call (a port calling back synchronously) only queues more work for this loop.
void Driver::pump() {
  if (pumping_) {
    repump_ = true;
    return;
  }
  auto alive = alive_;
  // However the loop ends (a port or the sink may throw), the Driver must not stay marked as
  // pumping: every later call, the user's sign-out included, would only be queued and lost.
  // When the sink destroyed the Driver there is nothing left to reset.
  struct PumpingFlag {
    Driver& owner;
    const std::shared_ptr<bool>& owner_alive;
    ~PumpingFlag() {
      if (*owner_alive) {
        owner.pumping_ = false;
        owner.repump_ = false;
      }
    }
  } flag{*this, alive};
  pumping_ = true;
  do {
    repump_ = false;
    for (auto& output : coalesce_sends(client_.take_outputs())) {
      std::visit([this](auto& o) { perform(o); }, output);
      if (!*alive) return;
    }
    for (auto& event : client_.take_events()) {
      sink_.on_event(std::move(event));
      if (!*alive) return;
    }
  } while (repump_);
  pumping_ = false;
  scheduler_.arm(client_.next_deadline());
}

void Driver::perform(const out::Connect& o) { transport_.connect(o); }
void Driver::perform(const out::Send& o) { transport_.send(o.conn, o.bytes); }
void Driver::perform(const out::Close& o) { transport_.close(o.conn); }

// A transport that cannot listen says so at once; the answer is queued for this same loop.
void Driver::perform(const out::Listen& o) {
  if (transport_.listen(o)) return;
  client_.on_listen_failed(o.conn, scheduler_.now());
  repump_ = true;
}

}  // namespace msn
