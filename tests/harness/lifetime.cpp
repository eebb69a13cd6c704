// SPDX-License-Identifier: GPL-2.0-or-later
#include "lifetime.h"

#include <debug.h>

#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "debug_tap.h"

namespace harness {
namespace {

std::size_t errors_seen() {
  Observed* seen = current_observed();
  return seen != nullptr ? seen->errors.size() : 0;
}

// Turns the account on as a user does: it starts connecting right away (its status is online).
void enable(World& w, std::string_view who) {
  PurpleAccount* a = w.account(who);
  purple_account_set_password(a, kTestPassword);
  w.note("enabling " + address_of(who));
  purple_account_set_enabled(a, harness_ui_id(), TRUE);
}

// Turns the account off as Pidgin's account dialog does, then lets every callback that could
// still be pending run: none may touch what the sign-out freed, and none may report an error.
bool disable(World& w, std::string_view who, std::size_t errors_before) {
  PurpleAccount* a = w.account(who);
  w.note("disabling " + address_of(who));
  purple_account_set_enabled(a, harness_ui_id(), FALSE);
  w.run_for(milliseconds(500));
  return w.check(purple_account_is_disconnected(a),
                 address_of(who) + " is not disconnected after being disabled") &&
         w.check(errors_seen() == errors_before,
                 address_of(who) +
                     ": a connection error was reported for a sign-out the user "
                     "asked for");
}

bool wait_line(World& w, const DebugTap& tap, std::initializer_list<std::string_view> needles,
               std::size_t count, const std::string& what) {
  return w.wait(
      what, [&] { return tap.count(needles) >= count; },
      [] { return std::string("not yet (see the log)"); });
}

// The first connection (to the notification server) is still being set up: nothing has run
// the main loop since the account was enabled.
void disable_ns_connecting(World& w) {
  const std::size_t errors = errors_seen();
  enable(w, "alice");
  STEP(disable(w, "alice", errors));
  STEP(w.sign_in("alice"));
}

// The dispatch server sent the client on to the notification server, whose connect is pending.
void disable_after_redirect(World& w) {
  DebugTap tap;
  const std::size_t errors = errors_seen();
  enable(w, "alice");
  STEP(wait_line(w, tap, {"connecting to"}, 2, "the connect to the notification server starts"));
  STEP(disable(w, "alice", errors));
  STEP(w.sign_in("alice"));
}

// The web login's TLS connection is being set up (TCP connect or handshake).
void disable_tls_connecting(World& w) {
  DebugTap tap;
  const std::size_t errors = errors_seen();
  enable(w, "alice");
  STEP(wait_line(w, tap, {"connecting to", "(TLS)"}, 1, "the TLS connect starts"));
  STEP(disable(w, "alice", errors));
  STEP(w.sign_in("alice"));
}

// The TLS handshake waits for the user to answer libpurple's certificate prompt.
void disable_at_certificate_prompt(World& w) {
  const std::size_t errors = errors_seen();
  enable(w, "alice");
  STEP(w.wait(
      "the certificate prompt opens",
      [] { return current_observed() != nullptr && current_observed()->certificate_prompts > 0; },
      [] { return std::string("no prompt"); }));
  STEP(disable(w, "alice", errors));
}

// The web login's request is sent and its answer is awaited (the server never answers).
void disable_web_request(World& w) {
  DebugTap tap;
  const std::size_t errors = errors_seen();
  enable(w, "alice");
  STEP(wait_line(w, tap, {"connecting to", "(TLS)"}, 1, "the TLS connect starts"));
  // The notification server's connection and then the web login's.
  STEP(wait_line(w, tap, {": connected"}, 2, "the TLS connection is up"));
  w.run_for(milliseconds(200));
  STEP(disable(w, "alice", errors));
}

// A message opens a switchboard session; its connect is pending when the user signs out.
void disable_sb_connecting(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  DebugTap tap;
  const std::size_t errors = errors_seen();
  STEP(w.send_im("alice", "bob", "are you there?"));
  STEP(wait_line(w, tap, {"connecting to"}, 1, "the switchboard connect starts"));
  STEP(disable(w, "alice", errors));
  STEP(w.sign_in("alice"));
}

// libpurple quits (as Pidgin does on Quit) while the first connect is pending: the scenario
// ends with the account connecting and the harness shuts libpurple down.
void quit_ns_connecting(World& w) {
  DebugTap tap;
  enable(w, "alice");
  STEP(wait_line(w, tap, {"connecting to"}, 1, "the connect starts"));
  w.check(purple_account_is_connecting(w.account("alice")), "alice is not connecting");
}

// The server goes away while alice's message waits for its acknowledgement: her conversation
// says the connection was lost (not that the server refused the message).
void im_connection_lost(World& w) {
  STEP(w.sign_in("alice") && w.sign_in("bob"));
  STEP(w.befriend("alice", "bob"));
  const std::string text = "sent as the server goes away";
  STEP(w.send_im("alice", "bob", text));
  STEP(w.wait_received("bob", "alice", 1));  // relayed, never acknowledged (sb-no-ack)
  w.note("the server dies");
  w.kill_server();
  PurpleAccount* alice = w.account("alice");
  const std::string bob = address_of("bob");
  const WrittenLine* error_line = nullptr;
  STEP(w.wait(
      "alice's conversation says her message was not delivered",
      [&] {
        for (const WrittenLine& line : ui_events().lines) {
          if (line.account == alice && lower_ascii(line.conversation) == bob &&
              (line.flags & PURPLE_MESSAGE_ERROR) != 0 && line.html.find(text) != std::string::npos)
            error_line = &line;
        }
        return error_line != nullptr;
      },
      [&] { return describe_ui_events(alice); }));
  const std::string said = plain_text(error_line->html);
  w.check(contains_ci(said, "connection was lost") && !contains_ci(said, "refused"),
          "alice's conversation says: " + said);
  // Both accounts lost the server: each is told so once (the harness fails on errors not taken).
  for (const char* who : {"alice", "bob"}) {
    STEP(w.wait_connection_error(who));
    w.take_connection_errors(who);
  }
}

IntegrationScenario make(std::string name, void (*body)(World&),
                         std::vector<std::string> server_args = {},
                         std::vector<std::string> accounts = {"alice"}) {
  IntegrationScenario s;
  s.name = std::move(name);
  s.body = body;
  s.server_args = std::move(server_args);
  s.accounts = std::move(accounts);
  s.bound_seconds = 30;
  return s;
}

}  // namespace

std::vector<IntegrationScenario> lifetime_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make("disable-ns-connecting", disable_ns_connecting));
  list.push_back(make("disable-after-redirect", disable_after_redirect, {"--redirect"}));
  list.push_back(make("disable-tls-connecting", disable_tls_connecting));
  IntegrationScenario prompt = make("disable-at-certificate-prompt", disable_at_certificate_prompt);
  prompt.trust_ca = false;
  list.push_back(std::move(prompt));
  list.push_back(make("disable-web-request", disable_web_request, {"--fault", "silent-at:RST"}));
  list.push_back(make("disable-sb-connecting", disable_sb_connecting, {}, {"alice", "bob"}));
  list.push_back(make("quit-ns-connecting", quit_ns_connecting));
  list.push_back(
      make("im-connection-lost", im_connection_lost, {"--fault", "sb-no-ack"}, {"alice", "bob"}));
  return list;
}

}  // namespace harness
