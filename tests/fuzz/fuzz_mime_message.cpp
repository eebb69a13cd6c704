// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target for conversations. Byte 0 picks what the rest is:
//   0: an MSG payload (MIME parse, serialize round trip, kinds, text decoding, format header)
//   1: purple HTML (html_to_msn, msn_to_html) and a text to split (byte 1 = piece size)
//   2: switchboard server bytes after the JOI, fed to a ready SwitchboardSession in pieces;
//      every message sent must end in exactly one delivered / not-delivered event.
// Any broken invariant aborts.
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>

#include "fuzz_check.h"
#include "session/message_format.h"
#include "session/message_split.h"
#include "session/switchboard_session.h"
#include "wire/mime_message.h"

using msn::fuzz::check;

namespace {

using msn::wire::is_valid_utf8;

std::string without_line_breaks(std::string text) {
  for (char& c : text) {
    if (c == '\r' || c == '\n') c = ' ';
  }
  return text;
}

void fuzz_payload(std::string_view input) {
  auto parsed = msn::wire::parse_mime_message(input);
  if (!parsed) {
    check(parsed.error().code == msn::Errc::kLimit);
    return;
  }
  const msn::wire::MimeMessage& m = parsed.value();
  check(m.headers.size() <= msn::wire::MimeLimits{}.max_headers);
  // Serializing and parsing again gives the same message (line breaks inside names or values
  // become spaces when written, by design).
  const std::string again = m.serialize();
  auto reparsed = msn::wire::parse_mime_message(again);
  if (reparsed) {
    check(reparsed->body == m.body);
    check(reparsed->headers.size() == m.headers.size());
    for (std::size_t i = 0; i < m.headers.size(); ++i) {
      check(reparsed->headers[i].name == without_line_breaks(m.headers[i].name));
      check(reparsed->headers[i].value == without_line_breaks(m.headers[i].value));
    }
  }
  (void)msn::wire::classify(m);
  (void)msn::wire::datacast_id(m);
  const std::string text = msn::wire::text_body(m);
  check(is_valid_utf8(text));
  check(text.find('\0') == std::string::npos);
  const msn::TextFormat format = msn::parse_format_header(m.header("X-MMS-IM-Format").value_or(""));
  check(is_valid_utf8(format.font));
  // Our own header reads back as the same format.
  check(msn::parse_format_header(msn::format_header(format)) == format || format.font.empty());
  const std::string html = msn::msn_to_html(text, format);
  check(is_valid_utf8(html));
  check(msn::html_to_msn(html).text.size() <= text.size() * 2 + 2);
}

void fuzz_html(std::string_view input) {
  if (input.empty()) return;
  const std::size_t limit = 4 + static_cast<unsigned char>(input[0]) % 64;
  input.remove_prefix(1);
  const auto m = msn::html_to_msn(input);
  check(is_valid_utf8(m.text));
  check(is_valid_utf8(m.format.font));
  check(is_valid_utf8(msn::msn_to_html(m.text, m.format)));
  auto pieces = msn::split_utf8(m.text, limit);
  check(pieces.is_ok());
  std::string joined;
  for (const auto& piece : pieces.value()) {
    check(!piece.empty() && piece.size() <= limit && is_valid_utf8(piece));
    joined += piece;
  }
  check(joined == m.text);
  auto raw = msn::split_utf8(input, limit);
  joined.clear();
  for (const auto& piece : raw.value()) {
    check(!piece.empty() && piece.size() <= limit);
    joined += piece;
  }
  check(joined == input);
}

void fuzz_switchboard(std::string_view input) {
  using namespace msn;
  constexpr ConnectionId kConn = 7;
  SwitchboardConfig config;
  config.account = "alice@example.com";
  SwitchboardSession sb(config, kConn);
  TimePoint now{};
  std::map<MessageId, int> resolved;
  std::map<MessageId, int> accepted;
  auto drain = [&] {
    for (auto& e : sb.take_events()) {
      if (auto* d = std::get_if<ev::MessageDelivered>(&e)) ++resolved[d->id];
      if (auto* d = std::get_if<ev::MessageNotDelivered>(&e)) ++resolved[d->id];
      if (auto* t = std::get_if<ev::TextReceived>(&e)) check(is_valid_utf8(t->text) && is_valid_utf8(t->friendly_name));
      if (auto* j = std::get_if<ev::ParticipantJoined>(&e)) check(is_valid_utf8(j->friendly_name));
    }
    for (auto& o : sb.take_outputs()) {
      if (auto* s = std::get_if<out::Send>(&o)) check(!s->bytes.empty());
    }
  };
  sb.start_outgoing(SwitchboardTicket{"h", 1, "c"}, "bob@example.com", now);
  if (auto id = sb.send_text("queued", {}, now)) ++accepted[id.value()];
  sb.on_connected(kConn, now);
  sb.on_data(kConn, "USR 1 OK alice@example.com A\r\nCAL 2 RINGING 1\r\nJOI bob@example.com Bob 0\r\n", now);
  drain();
  for (int i = 0; i < 3; ++i) {
    if (auto id = sb.send_text(std::string(700 * (i + 1), 'x'), {}, now)) ++accepted[id.value()];
  }
  drain();
  std::size_t piece = 1;
  while (!input.empty()) {
    const std::size_t n = std::min(input.size(), piece);
    sb.on_data(kConn, input.substr(0, n), now);
    input.remove_prefix(n);
    piece = piece * 3 % 61 + 1;
    now += seconds(2);
    sb.on_timer(now);
    drain();
    if (auto id = sb.send_text("more", {}, now)) ++accepted[id.value()];
  }
  sb.close(now);
  drain();
  check(sb.finished());
  check(resolved.size() == accepted.size());
  for (const auto& [id, count] : resolved) check(count == 1 && accepted.count(id) == 1);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 3) {
    case 0: fuzz_payload(input); break;
    case 1: fuzz_html(input); break;
    default: fuzz_switchboard(input); break;
  }
  return 0;
}
