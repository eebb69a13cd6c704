// SPDX-License-Identifier: GPL-2.0-or-later
// MSG payloads (docs/protocol/switchboard.md): transcript 02's bytes parsed and built exactly,
// kinds, case-insensitive headers, lenient line handling, limits, and UTF-8 repair of peers' text.
#include <string>
#include <vector>

#include "session/message_format.h"
#include "wire/mime_message.h"
#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::wire::MessageKind;
using msn::wire::MimeMessage;
using msn::wire::parse_mime_message;

const std::string kTyping =
    "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgscontrol\r\nTypingUser: alice@example.com\r\n\r\n\r\n";
const std::string kText =
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
    "X-MMS-IM-Format: FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0\r\n\r\nHi Bob!\r\nHow are you?";
const std::string kNudge = "MIME-Version: 1.0\r\nContent-Type: text/x-msnmsgr-datacast\r\n\r\nID: 1\r\n";
const std::string kBobText =
    "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n"
    "X-MMS-IM-Format: FN=Arial; EF=B; CO=0000ff; CS=0; PF=22\r\n\r\nFine, thanks :)";

void test_builders_match_transcript(void** /*state*/) {
  const std::string typing = msn::wire::make_typing_message("alice@example.com").serialize();
  assert_bytes_equal(typing, kTyping);
  assert_int_equal(typing.size(), 90);
  const std::string nudge = msn::wire::make_nudge_message().serialize();
  assert_bytes_equal(nudge, kNudge);
  assert_int_equal(nudge.size(), 67);
  const MimeMessage text = msn::wire::make_text_message(msn::format_header({}), "Hi Bob!\r\nHow are you?");
  assert_bytes_equal(text.serialize(), kText);
  assert_int_equal(text.serialize().size(), 138);
  assert_int_equal(text.header_bytes(), 138 - 21);
}

void test_parse_transcript_payloads(void** /*state*/) {
  auto typing = parse_mime_message(kTyping);
  assert_true(typing.is_ok());
  assert_int_equal(msn::wire::classify(*typing), MessageKind::kTyping);
  assert_bytes_equal(std::string(typing->header("TypingUser").value()), "alice@example.com");
  assert_bytes_equal(typing->body, "\r\n");

  auto text = parse_mime_message(kBobText);
  assert_true(text.is_ok());
  assert_int_equal(msn::wire::classify(*text), MessageKind::kText);
  assert_int_equal(text->headers.size(), 3);
  assert_bytes_equal(text->media_type(), "text/plain");
  assert_bytes_equal(text->content_type_parameter("charset").value(), "UTF-8");
  assert_bytes_equal(std::string(text->header("x-mms-im-format").value()), "FN=Arial; EF=B; CO=0000ff; CS=0; PF=22");
  assert_bytes_equal(text->body, "Fine, thanks :)");
  assert_bytes_equal(msn::wire::text_body(*text), "Fine, thanks :)");
  // Parse and serialize are inverse on well-formed payloads.
  assert_bytes_equal(text->serialize(), kBobText);

  auto nudge = parse_mime_message(kNudge);
  assert_true(nudge.is_ok());
  assert_int_equal(msn::wire::classify(*nudge), MessageKind::kNudge);
  assert_int_equal(msn::wire::datacast_id(*nudge).value(), 1);
}

void test_kinds(void** /*state*/) {
  const struct {
    const char* payload;
    MessageKind kind;
  } cases[] = {
      {"Content-Type: TEXT/PLAIN\r\n\r\nx", MessageKind::kText},
      {"content-type: text/x-msmsgscontrol\r\ntypinguser: a@b\r\n\r\n", MessageKind::kTyping},
      {"Content-Type: text/x-msmsgscontrol\r\n\r\n", MessageKind::kControl},
      {"Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: 2\r\nData: <msnobj/>\r\n", MessageKind::kDatacast},
      {"Content-Type: text/x-msnmsgr-datacast\r\n\r\nID:1", MessageKind::kNudge},
      {"Content-Type: text/x-msnmsgr-datacast\r\n\r\nID: one\r\n", MessageKind::kDatacast},
      {"Content-Type: text/x-clientcaps\r\n\r\nClient-Name: X\r\n", MessageKind::kClientCaps},
      {"Content-Type: text/x-mms-emoticon\r\n\r\n:)\t<msnobj/>\t", MessageKind::kEmoticon},
      {"Content-Type: text/x-mms-animemoticon\r\n\r\n", MessageKind::kEmoticon},
      {"Content-Type: text/x-msmsgsinvite; charset=UTF-8\r\n\r\n", MessageKind::kInvitation},
      {"Content-Type: application/x-msnmsgrp2p\r\nP2P-Dest: a@b\r\n\r\n\x00\x01", MessageKind::kP2p},
      {"Content-Type: image/gif\r\n\r\n", MessageKind::kInk},
      {"Content-Type: application/x-ms-ink\r\n\r\nbase64:", MessageKind::kInk},
      {"Content-Type: image/png\r\n\r\n", MessageKind::kUnknown},
      {"\r\nno headers at all", MessageKind::kUnknown},
  };
  for (const auto& c : cases) {
    auto message = parse_mime_message(c.payload);
    assert_true(message.is_ok());
    assert_int_equal(msn::wire::classify(*message), c.kind);
  }
}

void test_lenient_lines(void** /*state*/) {
  // LF-only line ends, a folded header, a line without a colon, blanks around values.
  auto m = parse_mime_message("MIME-Version:1.0\nContent-Type:  text/plain;\n\tcharset=\"iso-8859-1\"  \ngarbage\n"
                              "X-Empty:\n\nbody\r\nline");
  assert_true(m.is_ok());
  assert_int_equal(m->headers.size(), 3);
  assert_bytes_equal(std::string(m->header("content-type").value()), "text/plain; charset=\"iso-8859-1\"");
  assert_bytes_equal(m->content_type_parameter("CHARSET").value(), "iso-8859-1");
  assert_bytes_equal(std::string(m->header("X-Empty").value()), "");
  assert_bytes_equal(m->body, "body\r\nline");
  assert_false(m->header("Missing").has_value());
  // No empty line: everything is headers.
  auto all_headers = parse_mime_message("Content-Type: text/plain\r\nX: y");
  assert_true(all_headers.is_ok());
  assert_int_equal(all_headers->headers.size(), 2);
  assert_true(all_headers->body.empty());
  // Empty payload.
  auto empty = parse_mime_message("");
  assert_true(empty.is_ok());
  assert_true(empty->headers.empty());
}

void test_limits(void** /*state*/) {
  std::string many;
  for (int i = 0; i < 65; ++i) many += "H" + std::to_string(i) + ": v\r\n";
  auto too_many = parse_mime_message(many + "\r\nbody");
  assert_false(too_many.is_ok());
  assert_int_equal(too_many.error().code, Errc::kLimit);
  auto long_block = parse_mime_message("X: " + std::string(20000, 'a') + "\r\n\r\n");
  assert_false(long_block.is_ok());
  assert_int_equal(long_block.error().code, Errc::kLimit);
  // A large body is fine: only the header block is bounded here.
  auto big_body = parse_mime_message("Content-Type: text/plain\r\n\r\n" + std::string(100000, 'b'));
  assert_true(big_body.is_ok());
  // Continuation lines cannot grow a header past the block limit either.
  std::string folded = "X: a\r\n";
  for (int i = 0; i < 5000; ++i) folded += " b\r\n";
  assert_false(parse_mime_message(folded).is_ok());
}

void test_serialize_never_breaks_lines(void** /*state*/) {
  MimeMessage m;
  m.set_header("Content-Type", "text/plain");
  m.set_header("TypingUser", "evil\r\nInjected: yes");
  m.set_header("content-type", "text/x-msmsgscontrol");  // replaces, case-insensitively
  assert_int_equal(m.headers.size(), 2);
  assert_bytes_equal(m.serialize(), "Content-Type: text/x-msmsgscontrol\r\nTypingUser: evil  Injected: yes\r\n\r\n");
  const std::string cancel = msn::wire::make_invitation_cancel("12\r\nX: 3").serialize();
  assert_true(cancel.find("Invitation-Cookie: 12X:3\r\n") != std::string::npos);
}

void test_text_body_charsets(void** /*state*/) {
  const struct {
    const char* content_type;
    std::string body;
    const char* expected;
  } cases[] = {
      {"text/plain; charset=UTF-8", "h\xC3\xA9llo \xF0\x9F\x98\x80", "h\xC3\xA9llo \xF0\x9F\x98\x80"},
      {"text/plain; charset=UTF-8", "bad \xFF end", "bad \xEF\xBF\xBD end"},
      {"text/plain; charset=utf-8", "cut \xE2\x82", "cut \xEF\xBF\xBD"},
      {"text/plain; charset=UTF-8", std::string("nul\0byte", 8), "nulbyte"},
      {"text/plain; charset=ISO-8859-1", "caf\xE9", "caf\xC3\xA9"},
      {"text/plain; charset=windows-1252", "\x93quoted\x94", "\xE2\x80\x9Cquoted\xE2\x80\x9D"},
      {"text/plain", "caf\xE9", "caf\xC3\xA9"},
      {"text/plain", "caf\xC3\xA9", "caf\xC3\xA9"},
      {"text/plain; charset=gb2312", "\xB0\xA1", "\xC2\xB0\xC2\xA1"},
  };
  for (const auto& c : cases) {
    MimeMessage m;
    m.set_header("Content-Type", c.content_type);
    m.body = c.body;
    const std::string text = msn::wire::text_body(m);
    assert_bytes_equal(text, c.expected);
    assert_true(msn::wire::is_valid_utf8(text));
  }
}

void test_utf8_validation(void** /*state*/) {
  const struct {
    std::string input;
    bool valid;
    const char* sanitized;
  } cases[] = {
      {"plain", true, "plain"},
      {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", true, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"},
      {"\xC0\xAF", false, "\xEF\xBF\xBD\xEF\xBF\xBD"},                       // overlong
      {"\xE0\x80\xAF", false, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},       // overlong 3-byte
      {"\xED\xA0\x80", false, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},       // surrogate
      {"\xF4\x90\x80\x80", false, "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // > U+10FFFF
      {"\xE2\x82x", false, "\xEF\xBF\xBDx"},                                 // truncated, maximal subpart
      {"\xF0\x9F\x98", false, "\xEF\xBF\xBD"},
      {"\x80", false, "\xEF\xBF\xBD"},
      {"\xFE\xFF", false, "\xEF\xBF\xBD\xEF\xBF\xBD"},
  };
  for (const auto& c : cases) {
    assert_int_equal(msn::wire::is_valid_utf8(c.input), c.valid);
    assert_bytes_equal(msn::wire::sanitize_utf8(c.input), c.sanitized);
    assert_true(msn::wire::is_valid_utf8(msn::wire::sanitize_utf8(c.input)));
  }
  // Every single byte and every byte pair sanitizes to valid UTF-8.
  for (int a = 0; a < 256; ++a) {
    for (int b = 0; b < 256; b += 7) {
      const std::string s{static_cast<char>(a), static_cast<char>(b)};
      assert_true(msn::wire::is_valid_utf8(msn::wire::sanitize_utf8(s)));
    }
  }
  assert_int_equal(msn::wire::utf8_sequence_length("\xE2\x82\xAC"), 3);
  assert_int_equal(msn::wire::utf8_sequence_length("\xE2\x82"), 0);
  assert_int_equal(msn::wire::utf8_sequence_length(""), 0);
}

void test_body_fields(void** /*state*/) {
  auto fields = msn::wire::parse_body_fields("Mail-Data: <MD><E>x</E></MD>\r\nInbox-URL: /cgi-bin/HoTMaiL\r\n");
  assert_true(fields.is_ok());
  assert_bytes_equal(std::string(msn::wire::find_field(*fields, "mail-data").value()), "<MD><E>x</E></MD>");
  std::string many;
  for (int i = 0; i < 70; ++i) many += "K: v\n";
  assert_false(msn::wire::parse_body_fields(many).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_builders_match_transcript),
      cmocka_unit_test(test_parse_transcript_payloads),
      cmocka_unit_test(test_kinds),
      cmocka_unit_test(test_lenient_lines),
      cmocka_unit_test(test_limits),
      cmocka_unit_test(test_serialize_never_breaks_lines),
      cmocka_unit_test(test_text_body_charsets),
      cmocka_unit_test(test_utf8_validation),
      cmocka_unit_test(test_body_fields),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
