// SPDX-License-Identifier: GPL-2.0-or-later
// CommandWriter: TrIds, byte lengths, untracked commands; url_encode / url_decode.
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <sstream>
#include <string>

#include "cmocka_cpp.h"
#include "wire/command_parser.h"
#include "wire/command_writer.h"

namespace {

using msn::wire::CommandWriter;
using msn::wire::url_decode;
using msn::wire::url_encode;
using msn::wire::Written;

void test_trids_count_from_one(void** /*state*/) {
  CommandWriter writer;
  assert_int_equal(writer.peek_next(), 1);
  {
    const Written ver = writer.command("VER", {"MSNP15", "CVR0"});
    assert_int_equal(ver.trid, 1);
    assert_bytes_equal(ver.bytes, "VER 1 MSNP15 CVR0\r\n");
  }
  {
    const Written cvr = writer.command("CVR", {"0x0409", "winnt", "5.1", "i386", "MSNMSGR",
                                               "8.5.1302", "BC01", "alice@example.com"});
    assert_int_equal(cvr.trid, 2);
    assert_bytes_equal(cvr.bytes,
                       "CVR 2 0x0409 winnt 5.1 i386 MSNMSGR 8.5.1302 BC01 alice@example.com\r\n");
  }
  {
    const Written usr = writer.command("USR", {"SSO", "I", "alice@example.com"});
    assert_int_equal(usr.trid, 3);
    assert_bytes_equal(usr.bytes, "USR 3 SSO I alice@example.com\r\n");
  }
  {
    const Written xfr = writer.command("XFR", {"SB"});
    assert_bytes_equal(xfr.bytes, "XFR 4 SB\r\n");
  }
  {
    const Written no_args = writer.command("SYN");
    assert_bytes_equal(no_args.bytes, "SYN 5\r\n");
  }
  assert_int_equal(writer.peek_next(), 6);
  writer.reset();
  assert_int_equal(writer.peek_next(), 1);
  {
    const Written ver = writer.command("VER", {"MSNP15", "CVR0"});
    assert_int_equal(ver.trid, 1);
  }
}

void test_untracked_commands_take_no_trid(void** /*state*/) {
  CommandWriter writer;
  assert_bytes_equal(CommandWriter::untracked("PNG"), "PNG\r\n");
  assert_bytes_equal(CommandWriter::untracked("OUT"), "OUT\r\n");
  assert_int_equal(writer.peek_next(), 1);
}

void test_payload_length_counts_bytes(void** /*state*/) {
  CommandWriter writer;
  writer.reset();
  for (int i = 1; i < 10; ++i)
    (void)writer.command("PRP", {"MFN", "x"});
  {
    const Written qry = writer.payload_command("QRY", {"PROD0119GSJUC$18"},
                                               "a400af809ac86fbdf6deec7286fc06b8");
    assert_int_equal(qry.trid, 10);
    assert_bytes_equal(qry.bytes, "QRY 10 PROD0119GSJUC$18 32\r\na400af809ac86fbdf6deec7286fc06b8");
  }
  {
    // "Zoë 日本" is 11 bytes but 6 characters. Lengths are bytes, never characters.
    const std::string psm = "<Data><PSM>Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac</PSM></Data>";
    const Written uux = writer.payload_command("UUX", {}, psm);
    assert_int_equal(uux.trid, 11);
    assert_bytes_equal(uux.bytes, "UUX 11 " + std::to_string(psm.size()) + "\r\n" + psm);
    assert_int_equal(psm.size(), 35);
  }
  {
    const Written empty = writer.payload_command("UUX", {}, "");
    assert_bytes_equal(empty.bytes, "UUX 12 0\r\n");
  }
  {
    const Written msg = writer.payload_command("MSG", {"A"}, "MIME-Version: 1.0\r\n\r\nhi");
    assert_bytes_equal(msg.bytes, "MSG 13 A 23\r\nMIME-Version: 1.0\r\n\r\nhi");
  }
}

void test_written_payload_frames_back(void** /*state*/) {
  // What the writer produces for ADL must frame back to the same payload.
  CommandWriter writer;
  const std::string ml =
      "<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\" /></d>"
      "<d n=\"example.net\"><c n=\"carol\" l=\"3\" t=\"1\" /></d>"
      "<d n=\"example.org\"><c n=\"mallory\" l=\"4\" t=\"1\" /></d></ml>";
  const Written adl = writer.payload_command("ADL", {}, ml);
  assert_bytes_equal(adl.bytes.substr(0, 11), "ADL 1 165\r\n");
  msn::wire::CommandParser parser;
  assert_true(parser.feed(adl.bytes).is_ok());
  auto cmd = parser.next();
  assert_true(cmd.has_value());
  assert_true(cmd->payload == ml);
}

void test_control_bytes_cannot_inject_commands(void** /*state*/) {
  CommandWriter writer;
  const Written prp = writer.command("PRP", {"MFN", "Eve\r\nOUT"});
  assert_bytes_equal(prp.bytes, "PRP 1 MFN Eve%0D%0AOUT\r\n");
}

void test_url_encode(void** /*state*/) {
  assert_bytes_equal(url_encode("Alice Example"), "Alice%20Example");
  assert_bytes_equal(url_encode("AZaz09-_.~"), "AZaz09-_.~");
  assert_bytes_equal(url_encode("a+b%c/d?e&f=g"), "a%2Bb%25c%2Fd%3Fe%26f%3Dg");
  assert_bytes_equal(url_encode("Zo\xc3\xab"), "Zo%C3%AB");
  assert_bytes_equal(url_encode(std::string_view("\0\r\n", 3)), "%00%0D%0A");
  assert_bytes_equal(url_encode(""), "");
  assert_bytes_equal(url_encode("<msnobj Creator=\"alice@example.com\"/>"),
                     "%3Cmsnobj%20Creator%3D%22alice%40example.com%22%2F%3E");
}

void test_url_decode(void** /*state*/) {
  assert_bytes_equal(url_decode("Alice%20Example"), "Alice Example");
  assert_bytes_equal(url_decode("Zo%c3%ab"), "Zo\xc3\xab");
  assert_bytes_equal(url_decode("Zo%C3%AB"), "Zo\xc3\xab");
  assert_bytes_equal(url_decode("a+b"), "a+b");  // '+' is not a space in MSN names
  assert_bytes_equal(url_decode("%00"), std::string(1, '\0'));
  // Malformed escapes stay literally.
  assert_bytes_equal(url_decode("100%"), "100%");
  assert_bytes_equal(url_decode("%4"), "%4");
  assert_bytes_equal(url_decode("%zz"), "%zz");
  assert_bytes_equal(url_decode("%g1%41"), "%g1A");
  assert_bytes_equal(url_decode("%%41"), "%A");
  assert_bytes_equal(url_decode("%2"), "%2");
  assert_bytes_equal(url_decode(""), "");
}

void test_url_round_trips(void** /*state*/) {
  std::string all_bytes;
  for (int c = 0; c < 256; ++c)
    all_bytes.push_back(static_cast<char>(c));
  for (const std::string& text :
       {all_bytes, std::string("Alice Example"), std::string("Zo\xc3\xab \xe6\x97\xa5"),
        std::string("%41 already %-escaped"), std::string()}) {
    const std::string encoded = url_encode(text);
    assert_true(encoded.size() <= text.size() * 3);
    assert_true(url_decode(encoded) == text);
    assert_true(url_decode(text).size() <= text.size());
  }
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_trids_count_from_one),
      cmocka_unit_test(test_untracked_commands_take_no_trid),
      cmocka_unit_test(test_payload_length_counts_bytes),
      cmocka_unit_test(test_written_payload_frames_back),
      cmocka_unit_test(test_control_bytes_cannot_inject_commands),
      cmocka_unit_test(test_url_encode),
      cmocka_unit_test(test_url_decode),
      cmocka_unit_test(test_url_round_trips),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
