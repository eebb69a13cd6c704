// SPDX-License-Identifier: GPL-2.0-or-later
// Formatting between purple's HTML and X-MMS-IM-Format (docs/protocol/switchboard.md): what the
// user typed is what the peer sees, and what the peer sent is what the user sees, escaped.
#include <string>

#include "session/message_format.h"
#include "wire/mime_message.h"
#include "cmocka_cpp.h"

namespace {

using msn::format_header;
using msn::html_to_msn;
using msn::msn_to_html;
using msn::parse_format_header;
using msn::TextFormat;

void test_default_header_matches_transcript(void** /*state*/) {
  assert_bytes_equal(format_header({}), "FN=Segoe%20UI; EF=; CO=0; CS=1; PF=0");
}

void test_header_colours_are_bgr(void** /*state*/) {
  const TextFormat bob = parse_format_header("FN=Arial; EF=B; CO=0000ff; CS=0; PF=22");
  assert_bytes_equal(bob.font, "Arial");
  assert_true(bob.bold);
  assert_false(bob.italic);
  assert_int_equal(bob.color.value(), 0xFF0000);  // red
  assert_int_equal(bob.charset, 0);
  assert_int_equal(bob.pitch_family, 0x22);
  assert_bytes_equal(format_header(bob), "FN=Arial; EF=B; CO=0000ff; CS=0; PF=22");

  assert_int_equal(parse_format_header("CO=ff0000").color.value(), 0x0000FF);  // blue
  assert_int_equal(parse_format_header("CO=ff").color.value(), 0xFF0000);      // short form: red
  assert_int_equal(parse_format_header("CO=00ff00").color.value(), 0x00FF00);
  assert_false(parse_format_header("CO=0").color.has_value());  // black is the default
  assert_false(parse_format_header("CO=zzz").color.has_value());
  assert_false(parse_format_header("CO=1234567").color.has_value());

  const TextFormat all{.font = "Comic Sans MS", .bold = true, .italic = true, .underline = true,
                       .strikethrough = true, .color = 0x123456, .charset = 0x86, .pitch_family = 0x31,
                       .right_to_left = true};
  const std::string header = format_header(all);
  assert_bytes_equal(header, "FN=Comic%20Sans%20MS; EF=BIUS; CO=563412; CS=86; PF=31; RL=1");
  assert_true(parse_format_header(header) == all);
}

void test_header_parsing_is_lenient(void** /*state*/) {
  const TextFormat odd = parse_format_header(" fn = Tahoma ;ef=ub;;junk;CS=zz;PF=;X=1;RL=0");
  assert_bytes_equal(odd.font, "Tahoma");
  assert_true(odd.underline);
  assert_true(odd.bold);
  assert_int_equal(odd.charset, 1);  // bad value: default kept
  assert_false(odd.right_to_left);
  // Non-ASCII font names travel URL-encoded as UTF-8; bad bytes are repaired.
  TextFormat gothic;
  gothic.font = "\xEF\xBC\xAD\xEF\xBC\xB3 \xE3\x82\xB4\xE3\x82\xB7\xE3\x83\x83\xE3\x82\xAF";
  const std::string header = format_header(gothic);
  assert_true(header.find("FN=%EF%BC%AD%EF%BC%B3%20%E3%82%B4") == 0);
  assert_bytes_equal(parse_format_header(header).font, gothic.font);
  assert_bytes_equal(parse_format_header("FN=%FF%0Aevil").font, "\xEF\xBF\xBD" "evil");
  assert_true(parse_format_header("FN=" + std::string(1000, 'a')).font.size() <= 128);
  assert_true(parse_format_header("").font.empty());
}

void test_html_to_msn(void** /*state*/) {
  const auto m = html_to_msn(
      "<b>Hello</b> <font face=\"Comic Sans MS\" color=\"#00ff00\">w\xC3\xB6rld</font> &amp; &lt;3<br>line2<br/>"
      "&quot;q&quot; &#233;&#x1F600;&nbsp;!");
  assert_bytes_equal(m.text, "Hello w\xC3\xB6rld & <3\r\nline2\r\n\"q\" \xC3\xA9\xF0\x9F\x98\x80 !");
  assert_true(m.format.bold);
  assert_false(m.format.italic);
  assert_bytes_equal(m.format.font, "Comic Sans MS");
  assert_int_equal(m.format.color.value(), 0x00FF00);
  assert_bytes_equal(format_header(m.format), "FN=Comic%20Sans%20MS; EF=B; CO=00ff00; CS=1; PF=0");
}

void test_html_effects_and_spans(void** /*state*/) {
  const auto tags = html_to_msn("<I>a</I><u>b</u><s>c</s><strong>d</strong>");
  assert_bytes_equal(tags.text, "abcd");
  assert_true(tags.format.italic && tags.format.underline && tags.format.strikethrough && tags.format.bold);
  const auto span = html_to_msn(
      "<span style=\"font-weight: bold; font-style: italic; text-decoration: underline line-through; "
      "color: #f00; font-family: 'Courier New', monospace\">x</span>");
  assert_bytes_equal(span.text, "x");
  assert_true(span.format.bold && span.format.italic && span.format.underline && span.format.strikethrough);
  assert_int_equal(span.format.color.value(), 0xFF0000);
  assert_bytes_equal(span.format.font, "Courier New");
  // The first font and colour win: MSN has one format per message.
  const auto two = html_to_msn("<font face='A' color=#111111>1</font><font face=B color=#222222>2</font>");
  assert_bytes_equal(two.format.font, "A");
  assert_int_equal(two.format.color.value(), 0x111111);
  assert_bytes_equal(two.text, "12");
}

void test_html_links(void** /*state*/) {
  assert_bytes_equal(html_to_msn("<a href=\"http://example.org/\">site</a>").text, "site (http://example.org/)");
  assert_bytes_equal(html_to_msn("<A HREF=\"http://example.org/\">http://example.org/</A>").text, "http://example.org/");
  assert_bytes_equal(html_to_msn("<a href=\"mailto:bob@example.com\">bob@example.com</a>").text, "bob@example.com");
  assert_bytes_equal(html_to_msn("<a href=\"http://x/?a=1&amp;b=2\"></a>").text, "http://x/?a=1&b=2");
  assert_bytes_equal(html_to_msn("<a href=\"http://x/\">unclosed").text, "unclosed (http://x/)");
}

void test_html_malformed_is_text(void** /*state*/) {
  const struct {
    const char* html;
    const char* text;
  } cases[] = {
      {"a < b > c", "a < b > c"},
      {"<unclosed", "<unclosed"},
      {"x <!-- hidden --> y", "x  y"},
      {"<!-- unterminated", "<!-- unterminated"},
      {"&bogus; &amp &#; &#xZZ; &#99999999999;", "&bogus; &amp &#; &#xZZ; &#99999999999;"},
      {"&#0;&#xD800;&#x110000;", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},
      {"1\n2\r3\r\n4", "1\r\n2\r\n3\r\n4"},
      {"<p>para</p><div>block</div><img src=x>", "parablock"},
      {"bad \xFF byte", "bad \xEF\xBF\xBD byte"},
      {"", ""},
  };
  for (const auto& c : cases) {
    const auto m = html_to_msn(c.html);
    assert_bytes_equal(m.text, c.text);
    assert_true(msn::wire::is_valid_utf8(m.text));
  }
}

// Tag and comment starts that never end are text, found in one pass: a megabyte of them
// would take minutes if each one searched the rest of the text again.
void test_html_unclosed_starts_stay_linear(void** /*state*/) {
  for (const char* unit : {"<a", "<!--", "</"}) {
    std::string html;
    while (html.size() < 1024 * 1024) html += unit;
    assert_int_equal(html_to_msn(html).text.size(), html.size());
  }
}

void test_msn_to_html(void** /*state*/) {
  assert_bytes_equal(msn_to_html("a<b & \"c\"\r\nd\ne\rf", {}), "a&lt;b &amp; &quot;c&quot;<br>d<br>e<br>f");
  TextFormat format;
  format.font = "Evil\"><script>";
  format.bold = true;
  format.underline = true;
  format.color = 0x0000FF;
  assert_bytes_equal(msn_to_html("hi", format),
                     "<font face=\"Evil&quot;&gt;&lt;script&gt;\" color=\"#0000ff\"><b><u>hi</u></b></font>");
  assert_bytes_equal(msn_to_html("<b>not bold</b>", {}), "&lt;b&gt;not bold&lt;/b&gt;");
}

// What a user types in purple arrives, after the wire, as the same text and format.
void test_round_trip_over_the_wire(void** /*state*/) {
  const char* inputs[] = {
      "<b><i>Gr\xC3\xBC\xC3\x9F""e</i></b> <font color=\"#FF8000\" face=\"Segoe UI\">aus K\xC3\xB6ln</font>",
      "plain \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E<br>second line &lt;tag&gt; &amp; more",
      "<u><s>\xF0\x9F\x98\x80 emoji</s></u>",
  };
  for (const char* html : inputs) {
    const auto sent = html_to_msn(html);
    const auto payload = msn::wire::make_text_message(format_header(sent.format), sent.text).serialize();
    const auto received = msn::wire::parse_mime_message(payload);
    assert_true(received.is_ok());
    const std::string text = msn::wire::text_body(*received);
    const TextFormat format = parse_format_header(received->header("X-MMS-IM-Format").value());
    assert_bytes_equal(text, sent.text);
    assert_true(format.bold == sent.format.bold && format.italic == sent.format.italic &&
                format.underline == sent.format.underline && format.strikethrough == sent.format.strikethrough);
    assert_true(format.color == sent.format.color);
    // The peer's side shows it as HTML again; converting that back gives the same message.
    const auto again = html_to_msn(msn_to_html(text, format));
    assert_bytes_equal(again.text, sent.text);
  }
  const auto first = html_to_msn(inputs[0]);
  assert_bytes_equal(msn_to_html(first.text, parse_format_header(format_header(first.format))),
                     "<font face=\"Segoe UI\" color=\"#ff8000\"><b><i>Gr\xC3\xBC\xC3\x9F""e aus K\xC3\xB6ln</i></b></font>");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_default_header_matches_transcript),
      cmocka_unit_test(test_header_colours_are_bgr),
      cmocka_unit_test(test_header_parsing_is_lenient),
      cmocka_unit_test(test_html_to_msn),
      cmocka_unit_test(test_html_effects_and_spans),
      cmocka_unit_test(test_html_links),
      cmocka_unit_test(test_html_malformed_is_text),
      cmocka_unit_test(test_html_unclosed_starts_stay_linear),
      cmocka_unit_test(test_msn_to_html),
      cmocka_unit_test(test_round_trip_over_the_wire),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
