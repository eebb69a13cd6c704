// SPDX-License-Identifier: GPL-2.0-or-later
// Switchboard throughput and latency, in memory: two SwitchboardSession instances (alice starts
// the conversation, bob is invited) joined by a trivial in-process switchboard server that frames
// each side's commands with wire::CommandParser, answers USR/CAL/ANS, relays MSG payloads to the
// other side and ACKs ack-mode-A messages. No sockets and no sleeps: the figures are the cost of
// the engine (framing, MIME building and parsing, splitting, ACK tracking, event making) plus the
// relay's own parsing.
//   switchboard_bench [messages]   (default 200000)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "session/switchboard_session.h"
#include "wire/command_parser.h"

namespace {

using msn::ConnectionId;
using msn::SwitchboardSession;
using Clock = std::chrono::steady_clock;

constexpr ConnectionId kAlice = 1;
constexpr ConnectionId kBob = 2;

struct Counters {
  std::size_t delivered = 0;
  std::size_t not_delivered = 0;
  std::size_t received = 0;
  std::size_t bytes_relayed = 0;
};

class Relay {
 public:
  Relay() : alice_(config("alice@example.com"), kAlice), bob_(config("bob@example.com"), kBob) {}

  // Opens the conversation: alice XFRs, signs in and CALs bob; bob gets the RNG and answers.
  bool open() {
    alice_.start_outgoing(msn::SwitchboardTicket{"sb.local", 1863, "cookie-a"}, "bob@example.com", Clock::now());
    pump();
    return alice_.is_ready() && bob_.is_ready();
  }

  SwitchboardSession& alice() { return alice_; }
  Counters& counters() { return counters_; }
  // Called for every TextReceived at bob and every MessageDelivered at alice.
  std::vector<msn::MessageId> delivered_ids;
  std::size_t received_since = 0;

  // Moves bytes until neither side has anything more to say.
  void pump() {
    bool busy = true;
    while (busy) {
      busy = drain(alice_, kAlice) | drain(bob_, kBob);
    }
  }

 private:
  static msn::SwitchboardConfig config(std::string account) {
    msn::SwitchboardConfig c;
    c.account = std::move(account);
    c.max_pending_messages = 1000;
    return c;
  }

  SwitchboardSession& peer_of(ConnectionId conn) { return conn == kAlice ? bob_ : alice_; }
  msn::wire::CommandParser& parser_of(ConnectionId conn) { return conn == kAlice ? from_alice_ : from_bob_; }

  bool drain(SwitchboardSession& sb, ConnectionId conn) {
    bool did = false;
    for (auto& output : sb.take_outputs()) {
      did = true;
      if (std::holds_alternative<msn::out::Connect>(output)) {
        sb.on_connected(conn, Clock::now());
      } else if (auto* send = std::get_if<msn::out::Send>(&output)) {
        if (!parser_of(conn).feed(send->bytes).is_ok()) std::abort();
        while (auto command = parser_of(conn).next()) serve(conn, *command);
      }
    }
    for (auto& event : sb.take_events()) {
      if (std::holds_alternative<msn::ev::MessageDelivered>(event)) {
        ++counters_.delivered;
      } else if (std::holds_alternative<msn::ev::MessageNotDelivered>(event)) {
        ++counters_.not_delivered;
      } else if (std::holds_alternative<msn::ev::TextReceived>(event)) {
        ++counters_.received;
      }
    }
    return did;
  }

  // The switchboard server's side of one client command.
  void serve(ConnectionId from, const msn::wire::Command& command) {
    const auto now = Clock::now();
    SwitchboardSession& sender = from == kAlice ? alice_ : bob_;
    const std::string trid(command.arg(0));
    if (command.verb == "USR") {
      sender.on_data(from, "USR " + trid + " OK alice@example.com Alice\r\n", now);
    } else if (command.verb == "CAL") {
      sender.on_data(from, "CAL " + trid + " RINGING 4242\r\n", now);
      msn::SwitchboardInvitation invitation{"4242", "sb.local", 1863, "cookie-b", "alice@example.com", "Alice"};
      bob_.start_incoming(invitation, now);
    } else if (command.verb == "ANS") {
      sender.on_data(from, "IRO " + trid + " 1 1 alice@example.com Alice 0\r\nANS " + trid + " OK\r\n", now);
      alice_.on_data(kAlice, "JOI bob@example.com Bob 0\r\n", now);
    } else if (command.verb == "MSG") {
      const bool from_alice = from == kAlice;
      std::string relayed = std::string("MSG ") + (from_alice ? "alice@example.com Alice " : "bob@example.com Bob ") +
                            std::to_string(command.payload.size()) + "\r\n" + command.payload;
      counters_.bytes_relayed += relayed.size();
      peer_of(from).on_data(from_alice ? kBob : kAlice, relayed, now);
      if (command.arg(1) == "A") sender.on_data(from, "ACK " + trid + "\r\n", now);
    } else if (command.verb == "OUT") {
      // nothing to answer
    }
  }

  SwitchboardSession alice_;
  SwitchboardSession bob_;
  msn::wire::CommandParser from_alice_;
  msn::wire::CommandParser from_bob_;
  Counters counters_;
};

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto index = static_cast<std::size_t>(p * static_cast<double>(values.size() - 1));
  return values[index];
}

void throughput(std::size_t messages, std::size_t text_bytes, std::size_t window) {
  Relay relay;
  if (!relay.open()) std::abort();
  const std::string text(text_bytes, 'm');
  const auto start = Clock::now();
  std::size_t sent = 0;
  while (sent < messages) {
    for (std::size_t i = 0; i < window && sent < messages; ++i, ++sent) {
      if (!relay.alice().send_text(text, {}, Clock::now())) std::abort();
    }
    relay.pump();
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  const Counters& c = relay.counters();
  if (c.delivered != messages || c.received < messages || c.not_delivered != 0) std::abort();
  std::printf("throughput  %6zu-byte texts, window %3zu: %9.0f messages/s  (%7.1f MB/s relayed, %zu messages, "
              "%zu MSGs received)\n",
              text_bytes, window, static_cast<double>(messages) / seconds,
              static_cast<double>(c.bytes_relayed) / seconds / 1e6, messages, c.received);
}

void latency(std::size_t messages) {
  Relay relay;
  if (!relay.open()) std::abort();
  std::vector<double> us;
  us.reserve(messages);
  for (std::size_t i = 0; i < messages; ++i) {
    const std::size_t before = relay.counters().delivered;
    const auto start = Clock::now();
    if (!relay.alice().send_text("Hello, this is message number " + std::to_string(i), {}, start)) std::abort();
    relay.pump();  // MSG to the relay, relayed to bob (TextReceived), ACK back (MessageDelivered)
    if (relay.counters().delivered != before + 1) std::abort();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - start).count());
  }
  std::printf("latency     send -> received and ACKed, one at a time: median %.2f us, p99 %.2f us, max %.2f us "
              "(%zu messages)\n",
              percentile(us, 0.5), percentile(us, 0.99), percentile(us, 1.0), messages);
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t messages = argc > 1 ? static_cast<std::size_t>(std::strtoul(argv[1], nullptr, 10)) : 200000;
  throughput(messages, 32, 1);
  throughput(messages, 32, 64);
  throughput(messages / 10, 4000, 16);  // three MSGs per text
  latency(messages / 4);
  return 0;
}
