// SPDX-License-Identifier: GPL-2.0-or-later
// Nothing is shown twice to the peer: a switchboard can relay a message and close before its
// ACK reaches the sender, who then resends it over a new switchboard. Every text carries a
// Message-ID, the resend keeps it, and the receiving side drops a (sender, Message-ID) it has
// already shown. Checked both ways: what we send (the ids on the wire) and what the user sees
// of what arrives (MessageReceived events).
#include <cctype>
#include <cstdio>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "conversations/scripted_conversations.h"
#include "conversations/scripted_switchboard.h"

using msn::ConnectionId;
using msn::MessageId;
using msn::test::ScriptedConversations;
using msn::test::ScriptedSwitchboard;
using msn::test::SentMsg;
namespace ev = msn::ev;

namespace {

using Fixture = ScriptedConversations;
Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

constexpr std::string_view kBob = "bob@example.com";
constexpr std::string_view kCarol = "carol@example.net";
constexpr std::string_view kId = "{1F2E3D4C-5B6A-4978-8695-A4B3C2D1E0F0}";

using msn::test::ack;

// The value of a payload's Message-ID header; empty when it has none.
std::string message_id_of(const std::string& payload) {
  const std::string head = payload.substr(0, payload.find("\r\n\r\n") + 2);
  const std::string name = "Message-ID: ";
  const auto at = head.find(name);
  if (at == std::string::npos || (at != 0 && head[at - 1] != '\n')) return {};
  const auto end = head.find("\r\n", at);
  return head.substr(at + name.size(), end - at - name.size());
}

// "{XXXXXXXX-XXXX-4XXX-8XXX-XXXXXXXXXXXX}" with upper-case hex digits.
void assert_guid(const std::string& id) {
  const std::string shape = "{HHHHHHHH-HHHH-4HHH-8HHH-HHHHHHHHHHHH}";
  if (id.size() != shape.size()) fail_msg("not a GUID in braces: \"%s\"", id.c_str());
  for (std::size_t i = 0; i < shape.size(); ++i) {
    const char c = id[i];
    const bool ok = shape[i] == 'H' ? (std::isdigit(static_cast<unsigned char>(c)) || (c >= 'A' && c <= 'F'))
                                    : c == shape[i];
    if (!ok) fail_msg("not a GUID in braces: \"%s\" (at %zu)", id.c_str(), i);
  }
}

// A text from `from` as a switchboard relays it, with `headers` ("Name: value\r\n" lines)
// added after the format.
std::string peer_text_with(std::string_view from, std::string_view headers, std::string_view text) {
  return msn::test::peer_msg_line(from, "Someone",
                                  "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
                                  "X-MMS-IM-Format: FN=Arial; EF=; CO=0; CS=0; PF=22\r\n" +
                                      std::string(headers) + "\r\n" + std::string(text));
}

std::string id_header(std::string_view id) { return "Message-ID: " + std::string(id) + "\r\n"; }

// `from` invites us into a new switchboard (an RNG) with them in it; returns its connection.
ConnectionId invited_by(Fixture& s, std::string_view from) {
  const ConnectionId sb = s.invited(from);
  s.answer(sb, {std::string(from)});
  return sb;
}

std::vector<std::string> texts_received(Fixture& s) {
  std::vector<std::string> texts;
  for (const auto& received : s.take<ev::MessageReceived>()) texts.push_back(received.html);
  return texts;
}

// ---- what we send ---------------------------------------------------------------------------

void test_single_part_text_carries_a_random_message_id(void** state) {
  auto& s = fx(state);
  s.send(kBob, "one");
  s.send(kBob, "two");
  const ConnectionId sb = s.open_outgoing(s.expect_xfr());
  const SentMsg one = s.expect_msg(sb);
  const SentMsg two = s.expect_msg(sb);
  assert_bytes_equal(one.body(), "one");
  assert_true(one.payload.find("Chunks:") == std::string::npos);  // one part, not multi-part
  assert_guid(message_id_of(one.payload));
  assert_guid(message_id_of(two.payload));
  assert_true(message_id_of(one.payload) != message_id_of(two.payload));
}

void test_resend_after_a_drop_carries_the_same_message_id(void** state) {
  auto& s = fx(state);
  s.send(kBob, "did you get this?");
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  const SentMsg sent = s.expect_msg(first);
  const std::string id = message_id_of(sent.payload);
  assert_guid(id);
  // Relayed to bob perhaps, but the switchboard closes before its ACK reaches us.
  s.closed(first);
  s.expect_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  const SentMsg resent = s.expect_msg(second);
  assert_bytes_equal(resent.body(), "did you get this?");
  assert_bytes_equal(message_id_of(resent.payload), id);
  ack(s, second, resent);
  assert_true(s.take<ev::MessageFailed>().empty());
  // A new message afterwards gets an id of its own.
  s.send(kBob, "next");
  const SentMsg next = s.expect_msg(second);
  assert_guid(message_id_of(next.payload));
  assert_true(message_id_of(next.payload) != id);
}

void test_multipart_resend_carries_the_same_message_id(void** state) {
  auto& s = fx(state);
  const std::string text(4000, 'x');
  s.send(kBob, text);
  const ConnectionId first = s.open_outgoing(s.expect_xfr());
  std::set<std::string> ids;
  std::size_t bytes = 0;
  while (bytes < text.size()) {
    const SentMsg part = s.expect_msg(first);
    ids.insert(message_id_of(part.payload));
    bytes += part.body().size();
  }
  assert_int_equal(ids.size(), 1);  // every part names the one message
  const std::string id = *ids.begin();
  assert_guid(id);
  s.closed(first);
  s.expect_close(first);
  const ConnectionId second = s.open_outgoing(s.expect_xfr());
  bytes = 0;
  while (bytes < text.size()) {
    const SentMsg part = s.expect_msg(second);
    assert_bytes_equal(message_id_of(part.payload), id);
    bytes += part.body().size();
  }
}

// ---- what we show ---------------------------------------------------------------------------

void test_same_sender_and_id_over_two_switchboards_is_shown_once(void** state) {
  auto& s = fx(state);
  const ConnectionId first = invited_by(s, kBob);
  s.feed(first, peer_text_with(kBob, id_header(kId), "only once please"));
  assert_int_equal(texts_received(s).size(), 1);
  // bob's client never got the ACK: it resends over a switchboard of its own. The address
  // comes in another case this time; it is the same sender.
  const ConnectionId second = invited_by(s, kBob);
  s.feed(second, peer_text_with("Bob@Example.com", id_header(kId), "only once please"));
  assert_true(s.take<ev::MessageReceived>().empty());
  assert_true(s.all_logs().find("duplicate message dropped") != std::string::npos);
  // Later messages with ids of their own still arrive.
  s.feed(second, peer_text_with(kBob, id_header("{00000000-0000-4000-8000-000000000002}"), "and this"));
  assert_int_equal(texts_received(s).size(), 1);
}

// Official clients and bots reuse (or never change) the Message-ID of single-part messages:
// only a copy with the same text is a resend, every other message is shown.
void test_reused_id_with_new_text_is_shown(void** state) {
  auto& s = fx(state);
  const ConnectionId sb = invited_by(s, kBob);
  for (const char* text : {"one", "two", "three", "two"})
    s.feed(sb, peer_text_with(kBob, id_header(kId), text));
  assert_int_equal(texts_received(s).size(), 3);  // the second "two" is the resend
  s.feed(invited_by(s, kBob), peer_text_with(kBob, id_header(kId), "four"));
  assert_int_equal(texts_received(s).size(), 1);
}

void test_multipart_copy_is_dropped_too(void** state) {
  auto& s = fx(state);
  const auto parts = [&](ConnectionId sb) {
    s.feed(sb, peer_text_with(kBob, id_header(kId) + "Chunks: 2\r\n", "first half, "));
    s.feed(sb, msn::test::peer_msg_line(kBob, "Bob", id_header(kId) + "Chunk: 1\r\n\r\nsecond half"));
  };
  parts(invited_by(s, kBob));
  const auto shown = texts_received(s);
  assert_int_equal(shown.size(), 1);
  assert_true(shown[0].find("first half, second half") != std::string::npos);
  parts(invited_by(s, kBob));
  assert_true(s.take<ev::MessageReceived>().empty());
}

void test_same_id_from_different_senders_is_shown_for_each(void** state) {
  auto& s = fx(state);
  s.feed(invited_by(s, kBob), peer_text_with(kBob, id_header(kId), "from bob"));
  s.feed(invited_by(s, kCarol), peer_text_with(kCarol, id_header(kId), "from carol"));
  const auto received = s.take<ev::MessageReceived>();
  assert_int_equal(received.size(), 2);
  assert_bytes_equal(received[0].from, kBob);
  assert_bytes_equal(received[1].from, kCarol);
}

void test_messages_without_an_id_are_never_dropped(void** state) {
  auto& s = fx(state);
  const ConnectionId first = invited_by(s, kBob);
  s.feed(first, peer_text_with(kBob, "", "ok"));
  s.feed(first, peer_text_with(kBob, "", "ok"));
  const ConnectionId second = invited_by(s, kBob);
  s.feed(second, peer_text_with(kBob, "", "ok"));
  assert_int_equal(texts_received(s).size(), 3);
  assert_true(s.all_logs().find("duplicate") == std::string::npos);
}

// An id longer than any client makes is no id: such messages are never dropped either.
void test_overlong_id_counts_as_none(void** state) {
  auto& s = fx(state);
  const std::string huge = "{" + std::string(200, 'A') + "}";
  const ConnectionId sb = invited_by(s, kBob);
  s.feed(sb, peer_text_with(kBob, id_header(huge), "one"));
  s.feed(sb, peer_text_with(kBob, id_header(huge), "two"));
  assert_int_equal(texts_received(s).size(), 2);
}

// The memory is bounded: after 512 other ids the oldest is forgotten.
void test_remembered_ids_are_bounded(void** state) {
  auto& s = fx(state);
  const ConnectionId sb = invited_by(s, kBob);
  const auto numbered = [](int i) {
    char id[48];
    std::snprintf(id, sizeof id, "{00000000-0000-4000-8000-%012X}", static_cast<unsigned>(i));
    return std::string(id);
  };
  for (int i = 0; i <= 512; ++i) s.feed(sb, peer_text_with(kBob, id_header(numbered(i)), "n"));
  assert_int_equal(texts_received(s).size(), 513);
  s.feed(sb, peer_text_with(kBob, id_header(numbered(512)), "n"));  // still remembered
  assert_true(s.take<ev::MessageReceived>().empty());
  s.feed(sb, peer_text_with(kBob, id_header(numbered(0)), "n"));  // forgotten: shown
  assert_int_equal(texts_received(s).size(), 1);
}

// ---- the switchboard session itself -----------------------------------------------------------

struct SessionFixture {
  std::unique_ptr<ScriptedSwitchboard> s;
  SessionFixture() {
    auto config = msn::test::alice_config();
    config.new_message_id = [] { return std::string("{00000000-0000-4000-8000-0000000000AA}"); };
    s = std::make_unique<ScriptedSwitchboard>(std::move(config));
  }
};

void open_incoming(ScriptedSwitchboard& s) {
  s.start_incoming();
  s.expect_connect("198.51.100.20", 1863);
  s.connected();
  s.expect_send("ANS 1 alice@example.com 849102291.520491113 11752013\r\n");
  s.feed("IRO 1 1 1 bob@example.com Bob 0\r\nANS 1 OK\r\n");
  s.take_all();
}

void test_session_uses_the_injected_or_given_id(void** state) {
  auto& s = *msn::test::fixture<SessionFixture>(state).s;
  open_incoming(s);
  s.send_text("fresh");
  assert_bytes_equal(message_id_of(msn::test::parse_sent_msg(s.expect_send()).payload),
                     "{00000000-0000-4000-8000-0000000000AA}");
  // A resend names the id of its first try.
  assert_true(s.sb().send_text("again", {}, s.now(), kId).is_ok());
  s.sb().take_events();
  const auto bytes = s.sb().take_outputs();
  assert_int_equal(bytes.size(), 1);
  const auto* send = std::get_if<msn::out::Send>(&bytes[0]);
  assert_non_null(send);
  assert_bytes_equal(message_id_of(msn::test::parse_sent_msg(send->bytes).payload), kId);
  // A given id that could not be a header value is replaced by a new one.
  assert_true(s.sb().send_text("bad", {}, s.now(), "{bad\r\nInjected: 1}").is_ok());
  const auto more = s.sb().take_outputs();
  assert_int_equal(more.size(), 1);
  const auto* bad = std::get_if<msn::out::Send>(&more[0]);
  assert_non_null(bad);
  assert_true(bad->bytes.find("Injected") == std::string::npos);
  assert_bytes_equal(message_id_of(msn::test::parse_sent_msg(bad->bytes).payload),
                     "{00000000-0000-4000-8000-0000000000AA}");
}

void test_session_reports_the_id_of_what_it_could_not_deliver(void** state) {
  auto& s = *msn::test::fixture<SessionFixture>(state).s;
  open_incoming(s);
  s.send_text("lost");
  s.expect_send();
  s.closed();
  const auto lost = s.take_one<ev::MessageNotDelivered>();
  assert_bytes_equal(lost.text, "lost");
  assert_bytes_equal(lost.message_id, "{00000000-0000-4000-8000-0000000000AA}");
}

void test_session_reads_the_id_of_a_received_text(void** state) {
  auto& s = *msn::test::fixture<SessionFixture>(state).s;
  open_incoming(s);
  s.feed(peer_text_with(kBob, id_header(kId), "with"));
  assert_bytes_equal(s.take_one<ev::TextReceived>().message_id, kId);
  s.feed(peer_text_with(kBob, "", "without"));
  assert_bytes_equal(s.take_one<ev::TextReceived>().message_id, "");
  s.feed(peer_text_with(kBob, id_header(std::string(129, 'x')), "too long"));
  const auto overlong = s.take_one<ev::TextReceived>();
  assert_bytes_equal(overlong.text, "too long");  // shown, but without an id
  assert_bytes_equal(overlong.message_id, "");
}

}  // namespace

int main() {
#define CASE(name) MSN_OWNED_TEST(name, Fixture)
#define SESSION_CASE(name) MSN_OWNED_TEST(name, SessionFixture)
  const struct CMUnitTest tests[] = {
      CASE(test_single_part_text_carries_a_random_message_id),
      CASE(test_resend_after_a_drop_carries_the_same_message_id),
      CASE(test_multipart_resend_carries_the_same_message_id),
      CASE(test_same_sender_and_id_over_two_switchboards_is_shown_once),
      CASE(test_reused_id_with_new_text_is_shown),
      CASE(test_multipart_copy_is_dropped_too),
      CASE(test_same_id_from_different_senders_is_shown_for_each),
      CASE(test_messages_without_an_id_are_never_dropped),
      CASE(test_overlong_id_counts_as_none),
      CASE(test_remembered_ids_are_bounded),
      SESSION_CASE(test_session_uses_the_injected_or_given_id),
      SESSION_CASE(test_session_reports_the_id_of_what_it_could_not_deliver),
      SESSION_CASE(test_session_reads_the_id_of_a_received_text),
  };
#undef SESSION_CASE
#undef CASE
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
