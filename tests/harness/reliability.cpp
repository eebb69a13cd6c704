// SPDX-License-Identifier: GPL-2.0-or-later
// The delivery promises of the README, each against the local server fault that breaks it:
// a message is acknowledged, or resent once over a fresh switchboard (and shown once), or
// stored offline, or reported as not delivered; offline messages survive expired tickets; a
// conversation survives its switchboard closing. Each checks the conversation lines the
// users see, exactly.
#include "reliability.h"

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace harness {
namespace {

constexpr const char* kStoredOffline =
    " is offline; your message was stored and will be delivered when they sign in";

// Lines of `who`'s IM with `peer` that carry any of `flags`.
std::vector<const WrittenLine*> lines_with(World& w, std::string_view who, std::string_view peer,
                                           PurpleMessageFlags flags) {
  std::vector<const WrittenLine*> found;
  const std::string conversation = address_of(peer);
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == w.account(who) && line.type == PURPLE_CONV_TYPE_IM &&
        lower_ascii(line.conversation) == conversation && (line.flags & flags) != 0)
      found.push_back(&line);
  }
  return found;
}

// No error line in `who`'s conversation with `peer`.
void check_no_error(World& w, std::string_view who, std::string_view peer) {
  for (const WrittenLine* line : lines_with(w, who, peer, PURPLE_MESSAGE_ERROR))
    w.fail(address_of(who) + " was shown an error: " + plain_text(line->html));
}

// `who` saw exactly `texts` from `peer`, in this order, each once.
void check_received_exactly(World& w, std::string_view who, std::string_view peer,
                            const std::vector<std::string>& texts) {
  std::vector<std::string> got;
  for (const WrittenLine* line : w.received_from(who, peer)) got.push_back(plain_text(line->html));
  std::string shown;
  for (const std::string& text : got) shown += "\n  \"" + text + "\"";
  w.check(got == texts, address_of(who) + " was shown " + std::to_string(got.size()) +
                            " messages from " + address_of(peer) + " (expected " +
                            std::to_string(texts.size()) + "):" + shown);
}

// Sends `text` and waits until `to` shows it; then lets late copies arrive before counting.
bool deliver(World& w, std::string_view from, std::string_view to, const std::string& text,
             std::size_t count_after) {
  return w.send_im(from, to, text) && w.wait_received(to, from, count_after);
}

// The first message is NAKed (not relayed): it is resent once and shown once, with no error.
void im_nak_once(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(deliver(w, "alice", "bob", "NAKed the first time", 1));
  STEP(deliver(w, "alice", "bob", "the next one", 2));
  w.run_for(milliseconds(700));
  check_received_exactly(w, "bob", "alice", {"NAKed the first time", "the next one"});
  check_no_error(w, "alice", "bob");
}

// The first message reaches bob, but its ACK is lost with the switchboard: alice resends it
// over a new one, and bob's duplicate filter must keep it to one line.
void im_ack_lost(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(deliver(w, "alice", "bob", "delivered, ACK lost", 1));
  // The resend goes over a fresh switchboard; the next message follows it there.
  STEP(deliver(w, "alice", "bob", "after the resend", 2));
  w.run_for(milliseconds(1000));
  check_received_exactly(w, "bob", "alice", {"delivered, ACK lost", "after the resend"});
  check_no_error(w, "alice", "bob");
}

// Every CAL is answered 217 (the user is offline): the message goes as an offline message,
// alice is told so, and bob (online after all) gets it once from the offline store.
void im_cal_217(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = "stored because CAL said 217";
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait(
      "alice is told that the message was stored offline",
      [&] { return !lines_with(w, "alice", "bob", PURPLE_MESSAGE_SYSTEM).empty(); },
      [&] { return w.describe_lines("alice"); }));
  const std::string told =
      plain_text(lines_with(w, "alice", "bob", PURPLE_MESSAGE_SYSTEM)[0]->html);
  const std::string suffix = kStoredOffline;
  w.check(told.size() > suffix.size() &&
              told.compare(told.size() - suffix.size(), suffix.size(), suffix) == 0,
          "alice was told \"" + told + "\", expected \"<name>" + suffix + "\"");
  check_no_error(w, "alice", "bob");
  STEP(w.wait_received("bob", "alice", 1, milliseconds(15000)));
  w.run_for(milliseconds(700));
  check_received_exactly(w, "bob", "alice", {text});
}

// Sends an offline message from alice to bob (signed out), then bob signs in and must see it
// once; alice sees the "stored" line and no error.
void offline_round_trip(World& w, const std::string& text) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(w.sign_out("bob"));
  STEP(w.wait_offline("alice", "bob"));
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait(
      "alice is told that the message was stored offline",
      [&] {
        return !lines_with(
                    w, "alice", "bob",
                    static_cast<PurpleMessageFlags>(PURPLE_MESSAGE_SYSTEM | PURPLE_MESSAGE_ERROR))
                    .empty();
      },
      [&] { return w.describe_lines("alice"); }, milliseconds(15000)));
  check_no_error(w, "alice", "bob");
  STEP(w.sign_in("bob"));
  STEP(w.wait_received("bob", "alice", 1, milliseconds(15000)));
  w.run_for(milliseconds(700));
  check_received_exactly(w, "bob", "alice", {text});
}

// Store2 finds its ticket expired once: the engine renews it and stores the message.
void oim_store_expired_once(World& w) { offline_round_trip(w, "stored with a renewed ticket"); }

// The retrieval ticket (rsi) is expired once: bob's client renews it and still gets it.
void oim_fetch_expired_once(World& w) { offline_round_trip(w, "fetched with a renewed ticket"); }

// The tickets of the sign-in expire while both are online: sending an offline message and
// changing the contact list afterwards need fresh ones, and get them without a word to the user.
void ticket_lifetime_passes(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  w.note("waiting until the sign-in tickets have expired");
  w.run_for(milliseconds(3500));
  STEP(w.sign_out("bob"));
  STEP(w.wait_offline("alice", "bob"));
  const std::string text = "sent after the tickets expired";
  STEP(w.send_im("alice", "bob", text));
  STEP(w.move_buddy("alice", "bob", "Later"));
  STEP(w.wait_server("bob is in alice's group Later on the server", [](const ServerState& s) {
    const ServerAccount* alice = s.account("alice@example.com");
    const ServerContact* bob = alice ? alice->contact("bob@example.com") : nullptr;
    return bob != nullptr && bob->groups == std::vector<std::string>{"Later"};
  }));
  STEP(w.sign_in("bob"));
  STEP(w.wait_received("bob", "alice", 1, milliseconds(15000)));
  check_received_exactly(w, "bob", "alice", {text});
  check_no_error(w, "alice", "bob");
}

// The switchboard closes for idleness between two messages: the second opens a new one.
void im_switchboard_idle(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(deliver(w, "alice", "bob", "before the switchboard idles out", 1));
  w.run_for(milliseconds(2500));  // --sb-idle 1
  STEP(deliver(w, "alice", "bob", "after it closed", 2));
  STEP(deliver(w, "bob", "alice", "and back", 1));
  w.run_for(milliseconds(500));
  check_received_exactly(w, "bob", "alice",
                         {"before the switchboard idles out", "after it closed"});
  check_received_exactly(w, "alice", "bob", {"and back"});
  check_no_error(w, "alice", "bob");
  check_no_error(w, "bob", "alice");
}

// The notification connection drops while a conversation is open: the message already sent
// arrived once, alice is told exactly why she is offline, bob stays online.
void ns_drop_in_conversation(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  STEP(deliver(w, "alice", "bob", "just before the drop", 1));
  STEP(w.wait_connection_error("alice"));
  const std::vector<std::string> errors = w.take_connection_errors("alice");
  w.check(errors.size() == 1 && errors[0] == kLostConnectionText,
          "alice was told \"" + (errors.empty() ? std::string() : errors[0]) + "\" (expected \"" +
              kLostConnectionText + "\")");
  w.run_for(milliseconds(700));
  check_received_exactly(w, "bob", "alice", {"just before the drop"});
  w.sign_out("alice");  // what the UI does next is its business; the scenario ends here
}

// How many `op_and_kind` requests (dump counters) the server recorded for `who`.
int server_count(World& w, std::string_view who, const std::string& op_and_kind) {
  std::optional<ServerState> state = w.server_state();
  const ServerAccount* account = state ? state->account(address_of(who)) : nullptr;
  return account != nullptr ? account->request_count(op_and_kind) : -1;
}

// The switchboard relays the message but never ACKs it (either time): once the (hidden, short)
// ACK time-out has passed for the first try and for the resend over a fresh switchboard, alice
// is told exactly which message was not acknowledged; bob, who got both copies, shows it once.
void im_ack_never(World& w) {
  constexpr int kAckSeconds = 1;
  purple_account_set_int(w.account("alice"), kHiddenMessageAck, kAckSeconds);
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = "relayed twice, acknowledged never";
  const auto sent_at = std::chrono::steady_clock::now();
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait(
      "alice is told that her message was not delivered",
      [&] { return !lines_with(w, "alice", "bob", PURPLE_MESSAGE_ERROR).empty(); },
      [&] { return w.describe_lines("alice"); }));
  const auto took =
      std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - sent_at);
  // Two tries, each given the whole time-out (less a tick of the main loop).
  w.check(took >= milliseconds(2 * kAckSeconds * 1000 - 100),
          "alice was told after " + std::to_string(took.count()) + " ms, before two ACK time-outs");
  w.run_for(milliseconds(700));
  const std::vector<const WrittenLine*> errors =
      lines_with(w, "alice", "bob", PURPLE_MESSAGE_ERROR);
  const std::string expected =
      "Message could not be delivered to bob@example.com: it was not acknowledged in time\n\u201c" +
      text + "\u201d";
  w.check(errors.size() == 1 && plain_text(errors[0]->html) == expected,
          "alice was shown " + std::to_string(errors.size()) + " error lines, the first \"" +
              (errors.empty() ? std::string() : plain_text(errors[0]->html)) +
              "\", expected once \"" + expected + "\"");
  check_received_exactly(w, "bob", "alice", {text});
  const int switchboards = server_count(w, "alice", "XFR SB");
  w.check(switchboards == 2, "alice asked for " + std::to_string(switchboards) +
                                 " switchboards, expected 2 (the first try and the resend)");
}

// alice's window of unacknowledged messages is full (the switchboard never ACKs), so the rest
// wait in the conversation when she signs out. Closing the switchboard on the way out must not
// make the waiting ones ask for a new one: the server sees no XFR SB besides the first, and
// alice's OUT.
void sign_out_no_new_switchboard(World& w) {
  constexpr int kWindow = 16;  // the engine's send window per switchboard
  constexpr int kTyped = kWindow + 4;
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  for (int i = 1; i <= kTyped; ++i) STEP(w.send_im("alice", "bob", "waiting " + std::to_string(i)));
  STEP(w.wait_received("bob", "alice", kWindow));
  w.run_for(milliseconds(300));  // none beyond the window may follow without an ACK
  STEP(w.check(w.received_from("bob", "alice").size() == kWindow,
               "bob received " + std::to_string(w.received_from("bob", "alice").size()) +
                   " messages while no ACK came, expected the window of " +
                   std::to_string(kWindow)));
  STEP(w.sign_out("alice"));
  STEP(w.wait_server("the server saw alice's OUT", [](const ServerState& s) {
    const ServerAccount* alice = s.account("alice@example.com");
    return alice != nullptr && alice->request_count("OUT received") == 1;
  }));
  const int switchboards = server_count(w, "alice", "XFR SB");
  w.check(switchboards == 1, "the server saw " + std::to_string(switchboards) +
                                 " XFR SB from alice, expected only the first (none on the way "
                                 "out)");
  int never_sent = 0;
  for (const WrittenLine* line : lines_with(w, "alice", "bob", PURPLE_MESSAGE_ERROR))
    never_sent += line->html.find("you signed out before it was sent") != std::string::npos;
  w.check(never_sent == kTyped - kWindow, "alice was told of " + std::to_string(never_sent) +
                                              " messages never sent, expected " +
                                              std::to_string(kTyped - kWindow));
}

IntegrationScenario make(std::string name, void (*body)(World&),
                         std::vector<std::string> server_args,
                         std::vector<std::string> allowed_server_warnings = {}) {
  IntegrationScenario s;
  s.name = std::move(name);
  s.body = body;
  s.server_args = std::move(server_args);
  s.allowed_server_warnings = std::move(allowed_server_warnings);
  return s;
}

}  // namespace

std::vector<IntegrationScenario> reliability_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make("im-nak-once", im_nak_once, {"--fault", "sb-nak-once"}));
  list.push_back(make("im-ack-lost", im_ack_lost, {"--fault", "sb-ack-lost-once"}));
  list.push_back(make("im-cal-217", im_cal_217, {"--fault", "cal-217"}, {": 217 "}));
  list.push_back(make("oim-store-expired-once", oim_store_expired_once,
                      {"--fault", "oim-store-expired-once"},
                      {"Store2: fault q0:AuthenticationFailed"}));
  list.push_back(make("oim-fetch-expired-once", oim_fetch_expired_once,
                      {"--fault", "oim-rsi-expired-once"}, {"rsi: fault"}));
  list.push_back(
      make("ticket-lifetime-online", ticket_lifetime_passes, {"--ticket-lifetime", "3"},
                      {"Store2: fault q0:AuthenticationFailed"}));
  list.push_back(make("im-sb-idle", im_switchboard_idle, {"--sb-idle", "1"}));
  list.push_back(
      make("ns-drop-in-conversation", ns_drop_in_conversation, {"--fault", "ns-close-after-xfr"}));
  list.push_back(make("im-ack-never", im_ack_never, {"--fault", "sb-no-ack"}));
  list.push_back(
      make("sign-out-no-new-switchboard", sign_out_no_new_switchboard, {"--fault", "sb-no-ack"}));
  return list;
}

}  // namespace harness
