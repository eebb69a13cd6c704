// SPDX-License-Identifier: GPL-2.0-or-later
// CommandParser: real server sequences (the reference's transcripts) fed whole, byte by byte and
// split at every point (Beast's parsegrind), plus limits, garbage and failure stickiness.
#include <algorithm>
#include <cstdio>
#include <fstream>  // before cmocka_cpp.h: cmocka's fail() macro breaks std::basic_ios::fail
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "wire/command.h"
#include "wire/command_parser.h"
// Records the largest single allocation, to show that a declared length never turns into an
// allocation.
#include "support/allocation_tracker.h"
#include "support/split_feed.h"
#include "cmocka_cpp.h"

namespace {

using msn::Errc;
using msn::Status;
using msn::wire::Command;
using msn::wire::CommandParser;
using msn::wire::ParserLimits;

// One server command in a test table: its line (no CRLF) and, for payload commands, the payload.
struct Piece {
  std::string line;
  std::optional<std::string> payload;
};

struct Case {
  const char* name;
  std::vector<Piece> pieces;
};

// ---- payloads from transcript 01 (lengths are byte counts, CRLF = 2) ----

const std::string kProfile =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/x-msmsgsprofile; charset=UTF-8\r\n"
    "LoginTime: 1212321600\r\n"
    "EmailEnabled: 1\r\n"
    "MemberIdHigh: 4369\r\n"
    "MemberIdLow: 1431655765\r\n"
    "lang_preference: 1033\r\n"
    "preferredEmail:\r\n"
    "country:\r\n"
    "PostalCode:\r\n"
    "Gender:\r\n"
    "Kid: 0\r\n"
    "Age:\r\n"
    "BDayPre:\r\n"
    "Birthday:\r\n"
    "Wallet:\r\n"
    "Flags: 536872513\r\n"
    "MSPAuth: t0k3nAbCdEfGhIjKlMnOp&p=\r\n"
    "sid: 507\r\n"
    "ClientIP: 192.0.2.10\r\n"
    "ClientPort: 50000\r\n"
    "ABCHMigrated: 1\r\n"
    "MPOPEnabled: 1\r\n"
    "\r\n";

const std::string kMailData =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/x-msmsgsinitialmdatanotification; charset=UTF-8\r\n"
    "\r\n"
    "Mail-Data: <MD><E><I>0</I><IU>0</IU><O>0</O><OU>0</OU></E><Q><QTM>409600</QTM>"
    "<QNM>204800</QNM></Q><M><T>11</T><S>6</S><RT>2008-06-01T11:00:00Z</RT><RS>0</RS>"
    "<SZ>880</SZ><E>bob@example.com</E><I>0B0F2C5A-1D2E-4F3A-9B8C-7D6E5F4A3B2C</I>"
    "<F>00000000-0000-0000-0000-000000000009</F><N>=?utf-8?B?Qm9i?=</N></M></MD>\r\n"
    "Inbox-URL: /cgi-bin/HoTMaiL\r\n"
    "Folders-URL: /cgi-bin/folders\r\n"
    "Post-URL: http://www.hotmail.com\r\n";

const std::string kBobPsm = "<Data><PSM>On holiday</PSM><CurrentMedia></CurrentMedia></Data>";
const std::string kErinAdl =
    "<ml l=\"1\"><d n=\"example.com\"><c n=\"erin\" l=\"8\" t=\"1\" f=\"Erin\" /></d></ml>";
const std::string kAliceMsnObj =
    "%3Cmsnobj%20Creator%3D%22alice%40example.com%22%20Size%3D%2269%22%20Type%3D%223%22%20"
    "Location%3D%22TFR2C2.tmp%22%20Friendly%3D%22AAA%3D%22%20SHA1D%3D%22WKjKggkvaM%2Bndo6ywJeHmqa9"
    "xVY%3D%22%20SHA1C%3D%221IQi4IZPaeeylYERdqA9Of0Um1E%3D%22%2F%3E";
const std::string kBobMsnObj =
    "%3Cmsnobj%20Creator%3D%22bob%40example.com%22%20Size%3D%22256%22%20Type%3D%223%22%20"
    "Location%3D%220%22%20Friendly%3D%22AAA%3D%22%20SHA1D%3D%22SRbWvbf3jmgDaYyrMtFYbqRX38g%3D%22"
    "%20SHA1C%3D%225soaKaS5PrYAzVEOp%2F433VU30HE%3D%22%2F%3E";

// ---- switchboard payloads from transcript 02 ----

const std::string kBobTyping =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/x-msmsgscontrol\r\n"
    "TypingUser: bob@example.com\r\n"
    "\r\n"
    "\r\n";
const std::string kBobText =
    "MIME-Version: 1.0\r\n"
    "Content-Type: text/plain; charset=UTF-8\r\n"
    "X-MMS-IM-Format: FN=Arial; EF=B; CO=0000ff; CS=0; PF=22\r\n"
    "\r\n"
    "Fine, thanks :)";

// ---- other payload-carrying server commands (docs/protocol/notification-server.md) ----

const std::string kShields =
    "<?xml version=\"1.0\" encoding=\"utf-8\" ?><config><shield><cli maj=\"7\" min=\"0\" "
    "minbld=\"0\" maxbld=\"9999\" deny=\" \" /></shield><block></block></config>";
const std::string kAlert =
    "<NOTIFICATION id=\"0\" siteid=\"45705\" siteurl=\"http://www.msn.com\"><TO pid=\"0x1:0x2\" "
    "name=\"alice@example.com\" /><MSG id=\"0\"><SUBSCR url=\"s.htm\" /><ACTION url=\"a.htm\" />"
    "<BODY><TEXT>Hello</TEXT></BODY></MSG></NOTIFICATION>";
const std::string kBadAdl = "<ml><d n=\"example.com\"><c n=\"zed\" l=\"1\" t=\"1\" /></d></ml>";
// A P2P message body: binary, with NULs and a CRLF inside that must not end anything.
template <std::size_t N>
std::string binary(const char (&bytes)[N]) {
  return std::string(bytes, N - 1);
}
const std::string kP2p = binary(
    "MIME-Version: 1.0\r\nContent-Type: application/x-msnmsgrp2p\r\nP2P-Dest: alice@example.com\r\n"
    "\r\n\x00\x00\x00\x00\x11\x22\r\n\x00\x01\xff\xfe\n\r\x00\x00\x00\x01");

const std::string kCvrReply =
    "CVR 2 8.5.1302 8.5.1302 8.5.1302 http://download.example/wlm http://info.example/wlm";
const std::string kNonce = "8CLhG/xfgYZ7TyRQ/jIAWyDmd/w4R4GF2yKLS6tYrnjzi4cFag/Nr+hxsfg5zlCf";

std::string line_with_length(std::string head, const std::string& payload) {
  return head + " " + std::to_string(payload.size());
}

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases = {
      {"dispatch",
       {{"VER 1 MSNP15", {}},
        {kCvrReply, {}},
        {"XFR 3 NS 198.51.100.7:1863 U D", {}}}},
      {"sign-in",
       {{"VER 1 MSNP15", {}},
        {kCvrReply, {}},
        {"USR 3 SSO S MBI_KEY_OLD " + kNonce, {}},
        {"USR 4 OK alice@example.com 1 0", {}},
        {"SBS 0 null", {}},
        {"MSG Hotmail Hotmail 410", kProfile},
        {"MSG Hotmail Hotmail 495", kMailData},
        {"BLP 5 AL", {}},
        {"ADL 6 OK", {}},
        {"PRP 7 MFN Alice%20Example", {}},
        {"CHG 8 NLN 1074004004 " + kAliceMsnObj, {}},
        {"ILN 8 AWY bob@example.com 1 Bob 2789003324 " + kBobMsnObj, {}},
        {"UBX bob@example.com 1 63", kBobPsm},
        {"UUX 9 0", std::string()}}},
      {"later events",
       {{"NLN NLN carol@example.net 1 Carol 1342177280", {}},
        {"UBX carol@example.net 1 0", std::string()},
        {"CHL 0 22210219642164014968", {}},
        {"QRY 10", {}},
        {"QNG 50", {}},
        {"ADL 0 73", kErinAdl},
        {"FLN bob@example.com 1", {}}}},
      {"policy and alerts",
       {{line_with_length("GCF 0", kShields), kShields},
        {line_with_length("NOT", kAlert), kAlert},
        {line_with_length("IPG", kAlert), kAlert}}},
      {"errors",
       {{line_with_length("241 6", kBadAdl), kBadAdl}, {"911 4", {}}, {"217 3", {}}}},
      {"signed in elsewhere", {{"OUT OTH", {}}}},
      {"switchboard",
       {{"USR 1 OK alice@example.com Alice%20Example", {}},
        {"CAL 2 RINGING 11752013", {}},
        {"JOI bob@example.com Bob 2789003324", {}},
        {"ACK 4", {}},
        {"MSG bob@example.com Bob 88", kBobTyping},
        {"MSG bob@example.com Bob 134", kBobText},
        {line_with_length("MSG bob@example.com Bob", kP2p), kP2p},
        {"NAK 5", {}},
        {"BYE bob@example.com", {}}}},
      {"invitation",
       {{"RNG 11752013 198.51.100.20:1863 CKI 849102291.520491113 bob@example.com Bob U "
         "messenger.msn.com 1",
         {}},
        {"IRO 1 1 1 bob@example.com Bob 2789003324", {}},
        {"ANS 1 OK", {}}}},
  };
  return kCases;
}

std::string wire_bytes(const std::vector<Piece>& pieces) {
  std::string out;
  for (const Piece& piece : pieces) {
    out += piece.line + "\r\n";
    if (piece.payload)
      out += *piece.payload;
  }
  return out;
}

// The test's own oracle: a line split on single spaces.
Command expected_command(const Piece& piece) {
  Command cmd;
  std::size_t start = 0;
  while (true) {
    const std::size_t space = piece.line.find(' ', start);
    std::string token = piece.line.substr(start, space - start);
    if (cmd.verb.empty())
      cmd.verb = token;
    else
      cmd.args.push_back(token);
    if (space == std::string::npos)
      break;
    start = space + 1;
  }
  if (piece.payload) {
    cmd.has_payload = true;
    cmd.payload = *piece.payload;
  }
  return cmd;
}

struct Outcome {
  std::vector<Command> commands;
  std::optional<Errc> error;
};

// Feeds `input` in pieces cut at `cuts` (ascending offsets), draining after every feed.
Outcome run(std::string_view input, const std::vector<std::size_t>& cuts,
            ParserLimits limits = {}) {
  CommandParser parser(limits);
  Outcome outcome;
  msn::test::feed_in_pieces(input, cuts, [&](std::string_view piece) {
    Status status = parser.feed(piece);
    while (auto cmd = parser.next())
      outcome.commands.push_back(std::move(*cmd));
    if (!status.is_ok())
      outcome.error = status.error().code;
    return status.is_ok();
  });
  return outcome;
}

bool same_command(const Command& a, const Command& b) {
  return a.verb == b.verb && a.args == b.args && a.has_payload == b.has_payload &&
         a.payload == b.payload;
}

bool outcome_matches(const Outcome& got, const std::vector<Command>& want, const char* how) {
  if (got.error) {
    print_error("%s: unexpected error %d\n", how, static_cast<int>(*got.error));
    return false;
  }
  if (got.commands.size() != want.size()) {
    print_error("%s: %zu commands, expected %zu\n", how, got.commands.size(), want.size());
    return false;
  }
  for (std::size_t i = 0; i < want.size(); ++i) {
    if (!same_command(got.commands[i], want[i])) {
      print_error("%s: command %zu differs (got verb %s)\n", how, i, got.commands[i].verb.c_str());
      return false;
    }
  }
  return true;
}

// Whole, byte by byte, and split in two at every offset.
bool frames_identically(const std::vector<Piece>& pieces) {
  const std::string input = wire_bytes(pieces);
  std::vector<Command> want;
  for (const Piece& piece : pieces)
    want.push_back(expected_command(piece));
  if (!outcome_matches(run(input, {}), want, "whole"))
    return false;
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i)
    every_byte.push_back(i);
  if (!outcome_matches(run(input, every_byte), want, "byte by byte"))
    return false;
  for (std::size_t cut = 0; cut <= input.size(); ++cut) {
    if (!outcome_matches(run(input, {cut}), want, "split")) {
      print_error("split at %zu\n", cut);
      return false;
    }
  }
  return true;
}

// ---- tests ----

void test_payload_lengths_match_transcripts(void** /*state*/) {
  // The transcript's numbers, computed from the payload text above.
  assert_int_equal(kProfile.size(), 410);
  assert_int_equal(kMailData.size(), 495);
  assert_int_equal(kBobPsm.size(), 63);
  assert_int_equal(kErinAdl.size(), 73);
  assert_int_equal(kBobTyping.size(), 88);
  assert_int_equal(kBobText.size(), 134);
}

void test_real_sequences_any_split(void** /*state*/) {
  for (const Case& c : cases()) {
    const bool ok = frames_identically(c.pieces);
    if (!ok)
      print_error("case: %s\n", c.name);
    assert_true(ok);
  }
}

void test_whole_session_pseudo_random_splits(void** /*state*/) {
  std::vector<Piece> all;
  for (const Case& c : cases())
    all.insert(all.end(), c.pieces.begin(), c.pieces.end());
  bool ok = true;
  {
    const std::string input = wire_bytes(all);
    std::vector<Command> want;
    for (const Piece& piece : all)
      want.push_back(expected_command(piece));
    unsigned seed = 12345;
    for (int round = 0; round < 200 && ok; ++round) {
      std::vector<std::size_t> cuts;
      std::size_t at = 0;
      while (true) {
        seed = seed * 1103515245u + 12345u;
        at += 1 + (seed >> 16) % 97;
        if (at >= input.size())
          break;
        cuts.push_back(at);
      }
      ok = outcome_matches(run(input, cuts), want, "random split");
    }
  }
  assert_true(ok);
}

void test_fields_of_a_command(void** /*state*/) {
  CommandParser parser;
  assert_true(parser.feed("241 6 5\r\nhello911 4\r\nCHL 0 123\r\nOUT OTH\r\n").is_ok());
  {
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_true(cmd->is_error());
    assert_int_equal(cmd->error_code(), 241);
    assert_true(cmd->trid() == std::optional<msn::wire::TrId>(6));
    assert_true(cmd->has_payload);
    assert_true(cmd->payload == "hello");
    assert_true(cmd->arg(1) == "5");
    assert_true(cmd->arg(2).empty());
  }
  {
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_int_equal(cmd->error_code(), 911);
    assert_false(cmd->has_payload);
  }
  {
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_false(cmd->is_error());
    assert_int_equal(cmd->error_code(), 0);
    assert_true(cmd->trid() == std::optional<msn::wire::TrId>(0));
  }
  {
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_true(cmd->verb == "OUT");
    assert_false(cmd->trid().has_value());  // "OTH" is not a number
  }
  assert_false(parser.next().has_value());
  assert_int_equal(parser.buffered(), 0);
}

void test_parse_u32(void** /*state*/) {
  using msn::wire::parse_u32;
  assert_true(parse_u32("0") == std::optional<std::uint32_t>(0));
  assert_true(parse_u32("4294967295") == std::optional<std::uint32_t>(4294967295u));
  assert_true(parse_u32("0000000000000000007") == std::optional<std::uint32_t>(7));
  assert_false(parse_u32("4294967296").has_value());
  assert_false(parse_u32("99999999999999999999999").has_value());
  assert_false(parse_u32("").has_value());
  assert_false(parse_u32("-1").has_value());
  assert_false(parse_u32("+1").has_value());
  assert_false(parse_u32("1a").has_value());
  assert_false(parse_u32(" 1").has_value());
}

void test_verbs_with_payloads(void** /*state*/) {
  using msn::wire::verb_may_carry_payload;
  for (const char* verb : {"MSG", "ADL", "RML", "FQY", "UUX", "UBX", "GCF", "UBN", "UBM", "NOT",
                           "IPG", "241", "911"})
    assert_true(verb_may_carry_payload(verb));
  for (const char* verb :
       {"VER", "CVR", "USR", "QRY", "CHL", "ILN", "NLN", "FLN", "OUT", "QNG", ""})
    assert_false(verb_may_carry_payload(verb));
}

// Feeds `input` whole and byte by byte; both must stop with `code`.
bool fails_with(std::string_view input, Errc code, ParserLimits limits = {}) {
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i)
    every_byte.push_back(i);
  for (const auto& cuts : {std::vector<std::size_t>{}, every_byte}) {
    const Outcome outcome = run(input, cuts, limits);
    if (!outcome.error || *outcome.error != code) {
      print_error("expected error %d, got %d\n", static_cast<int>(code),
                  outcome.error ? static_cast<int>(*outcome.error) : -1);
      return false;
    }
  }
  return true;
}

void test_bad_payload_lengths(void** /*state*/) {
  assert_true(fails_with("MSG Hotmail Hotmail 4294967296\r\n", Errc::kLimit));
  assert_true(fails_with("MSG Hotmail Hotmail 99999999999999999999999999\r\n", Errc::kLimit));
  assert_true(fails_with("MSG Hotmail Hotmail -5\r\n", Errc::kProtocol));
  assert_true(fails_with("MSG Hotmail Hotmail +5\r\n", Errc::kProtocol));
  assert_true(fails_with("MSG Hotmail Hotmail 5x\r\n", Errc::kProtocol));
  assert_true(fails_with("MSG Hotmail Hotmail 0x10\r\n", Errc::kProtocol));
  assert_true(fails_with("NOT 1x\r\n", Errc::kProtocol));
  assert_true(fails_with("ADL 6 -1\r\n", Errc::kProtocol));
  assert_true(fails_with("241 6 -1\r\n", Errc::kProtocol));
  assert_true(fails_with("241 6 4294967296\r\n", Errc::kLimit));
}

// `junk` between two good commands, cut at every point and fed byte by byte: the junk is
// skipped with one note, both commands come out, nothing fails.
bool skipped_between(std::string_view junk, ParserLimits limits = {}) {
  const std::string input = "VER 1 MSNP15\r\n" + std::string(junk) + "CHL 0 1\r\n";
  std::vector<std::vector<std::size_t>> splits = {{}};
  std::vector<std::size_t> every_byte;
  for (std::size_t i = 1; i < input.size(); ++i) {
    splits.push_back({i});
    every_byte.push_back(i);
  }
  splits.push_back(every_byte);
  for (const auto& cuts : splits) {
    CommandParser parser(limits);
    std::vector<std::string> verbs;
    bool ok = true;
    msn::test::feed_in_pieces(input, cuts, [&](std::string_view piece) {
      ok = ok && parser.feed(piece).is_ok();
      while (auto cmd = parser.next()) verbs.push_back(cmd->verb);
      return ok;
    });
    const auto notes = parser.take_skipped();
    if (!ok || verbs != std::vector<std::string>{"VER", "CHL"} || parser.lines_skipped() != 1 ||
        notes.size() != 1 || parser.buffered() != 0) {
      print_error("junk of %zu bytes, %zu cuts: ok %d, %zu commands, %zu skipped\n", junk.size(),
                  cuts.size(), ok, verbs.size(), parser.lines_skipped());
      return false;
    }
  }
  return true;
}

void test_unusable_lines_are_skipped(void** /*state*/) {
  using namespace std::string_view_literals;
  for (const std::string_view junk :
       {"VER 1\0 MSNP15\r\n"sv, "\0\0\0\0\n"sv, "VER\t1 MSNP15\r\n"sv, "VER 1\rMSNP15\r\n"sv,
        "VER 1 MSNP15\r\r\n"sv, "VER 1 MSNP15\x7f\r\n"sv, "ver 1 MSNP15\r\n"sv, "VERSION 1\r\n"sv,
        "VE 1\r\n"sv, "12 3\r\n"sv, "1A3 3\r\n"sv, " VER 1\r\n"sv, "POST / HTTP/1.1\r\n"sv,
        "\xff\xfe\xfd\r\n"sv, "HTTP/1.1 400 Bad Request\r\n"sv,
        // payload commands without their length: nothing says a payload follows
        "MSG Hotmail Hotmail\r\n"sv, "MSG 5\r\n"sv, "UBX bob@example.com 1 \r\n"sv, "NOT abc\r\n"sv,
        "NOT\r\n"sv, "NOT 1 2\r\n"sv, "UBX\r\n"sv}) {
    assert_true(skipped_between(junk));
  }
}

// A line over the limit is dropped as it arrives, through its LF, and the stream goes on.
void test_over_long_lines_are_skipped(void** /*state*/) {
  ParserLimits limits;
  limits.max_line = 16;
  for (const std::string_view junk :
       {std::string_view("CHL 0 12345678901\r\n"), std::string_view("CHL 0 12345678901\n"),
        std::string_view("CHL 0 1234567890\r\r\n"),
        std::string_view("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n")})
    assert_true(skipped_between(junk, limits));
  // Megabytes without a line end never pile up.
  msn::test::reset_largest_allocation();
  std::size_t most_buffered = 0;
  std::size_t framed = 0;
  std::size_t skipped = 0;
  {
    CommandParser parser;
    assert_true(parser.feed("VER 1 ").is_ok());
    const std::string chunk(64 * 1024, 'A');
    for (int i = 0; i < 64; ++i) {
      assert_true(parser.feed(chunk).is_ok());
      most_buffered = std::max(most_buffered, parser.buffered());
    }
    assert_true(parser.feed("\r\nQNG 50\r\n").is_ok());
    while (parser.next()) ++framed;
    skipped = parser.lines_skipped();
  }
  assert_int_equal(skipped, 1);
  assert_int_equal(framed, 1);
  assert_int_equal(most_buffered, 0);
  assert_true(msn::test::largest_allocation() < 4 * 64 * 1024);
}

// A flood of junk leaves a bounded number of notes, then a count.
void test_notes_are_bounded(void** /*state*/) {
  CommandParser parser;
  std::string junk;
  for (int i = 0; i < 1000; ++i) junk += "junk\r\n";
  assert_true(parser.feed(junk).is_ok());
  const auto notes = parser.take_skipped();
  assert_true(notes.size() <= 17);
  assert_true(notes.back().find("more lines skipped") != std::string::npos);
  assert_int_equal(parser.lines_skipped(), 1000);
  assert_true(parser.take_skipped().empty());
}

void test_huge_declared_payload_is_not_allocated(void** /*state*/) {
  msn::test::reset_largest_allocation();
  bool limited = false;
  {
    CommandParser parser;
    Status status = parser.feed("MSG Hotmail Hotmail 999999999\r\nMIME-Version: 1.0\r\n");
    limited = !status.is_ok() && status.error().code == Errc::kLimit;
  }
  assert_true(limited);
  assert_true(msn::test::largest_allocation() < 4096);
}

void test_payload_limit_is_inclusive(void** /*state*/) {
  ParserLimits limits;
  limits.max_payload = 8;
  bool ok = false;
  {
    const Outcome at_limit = run("MSG a b 8\r\n12345678", {}, limits);
    ok = !at_limit.error && at_limit.commands.size() == 1 &&
         at_limit.commands[0].payload == "12345678";
  }
  assert_true(ok);
  assert_true(fails_with("MSG a b 9\r\n123456789", Errc::kLimit, limits));
}

void test_line_limits(void** /*state*/) {
  ParserLimits limits;
  limits.max_line = 16;
  // Exactly max_line bytes before the CRLF is fine, also with a bare LF.
  bool ok = false;
  {
    const Outcome at_limit = run("CHL 0 1234567890\r\nCHL 0 1234567890\n", {}, limits);
    ok = !at_limit.error && at_limit.commands.size() == 2;
  }
  assert_true(ok);
  {
    CommandParser parser(limits);
    assert_true(parser.feed("CHL 0 1234567890").is_ok());  // 16 bytes: could still end here
    assert_true(parser.feed("\r").is_ok());
    assert_true(parser.feed("\n").is_ok());
    assert_true(parser.next().has_value());
  }
  {
    // One byte more and the line is dropped at once, not when its end comes.
    CommandParser parser(limits);
    assert_true(parser.feed("CHL 0 1234567890").is_ok());
    assert_true(parser.feed("x").is_ok());
    assert_int_equal(parser.buffered(), 0);
    assert_true(parser.feed("yz\r\nQNG 5\r\n").is_ok());
    auto cmd = parser.next();
    assert_true(cmd.has_value() && cmd->verb == "QNG");
    assert_int_equal(parser.lines_skipped(), 1);
  }
}

void test_empty_lines_and_bare_lf(void** /*state*/) {
  bool ok = false;
  {
    // Stray empty lines are skipped; bare LF ends a line like CRLF does; UTF-8 bytes are kept.
    const Outcome outcome =
        run("\r\n\nVER 1 MSNP15\nMSG a b 2\r\nhi\r\nNLN NLN b@x 1 B\xc3\xa9 0\r\n\r\n", {});
    ok = !outcome.error && outcome.commands.size() == 3 && outcome.commands[0].verb == "VER" &&
         outcome.commands[1].payload == "hi" && outcome.commands[2].arg(3) == "B\xc3\xa9";
  }
  assert_true(ok);
  {
    // Empty tokens are kept so argument positions stay what the server meant.
    CommandParser parser;
    assert_true(parser.feed("ILN 8 NLN bob@example.com 1  123\r\n").is_ok());
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_int_equal(cmd->args.size(), 6);
    assert_true(cmd->arg(4).empty());
  }
}

void test_error_is_sticky(void** /*state*/) {
  CommandParser parser;
  Status first = parser.feed("VER 1 MSNP15\r\nMSG a b -1\r\nCHL 0 1\r\n");
  assert_false(first.is_ok());
  assert_int_equal(static_cast<int>(first.error().code), static_cast<int>(Errc::kProtocol));
  // The command framed before the bad line is still delivered, nothing after it.
  {
    auto cmd = parser.next();
    assert_true(cmd.has_value());
    assert_true(cmd->verb == "VER");
  }
  assert_false(parser.next().has_value());
  Status later = parser.feed("QNG 50\r\n");
  assert_false(later.is_ok());
  assert_int_equal(static_cast<int>(later.error().code), static_cast<int>(Errc::kProtocol));
  assert_false(parser.next().has_value());
  assert_int_equal(parser.buffered(), 0);
}

void test_partial_state_is_reported(void** /*state*/) {
  CommandParser parser;
  assert_true(parser.feed("MSG Hotmail Hotmail 14\r\nMIME").is_ok());
  assert_false(parser.next().has_value());
  assert_int_equal(parser.buffered(), 4);
  assert_true(parser.feed("-Vers").is_ok());
  assert_false(parser.next().has_value());
  assert_true(parser.feed("ion: QNG 1").is_ok());
  assert_true(parser.next().has_value());
  assert_int_equal(parser.buffered(), 5);  // "QNG 1" waits for its line end
}

// 1 MB in one-byte feeds: a big payload, a long line and many short commands. A parser that
// re-scanned its buffer on every feed would take minutes here; this one is linear.
void test_many_small_feeds_stay_linear(void** /*state*/) {
  std::size_t framed = 0;
  bool ok = true;
  {
    ParserLimits limits;
    limits.max_line = 300 * 1000;
    CommandParser parser(limits);
    std::string input = "MSG Hotmail Hotmail 400000\r\n" + std::string(400000, 'x');
    input += "CHL 0 " + std::string(250000, '7') + "\r\n";
    while (input.size() < 1000 * 1000)
      input += "QNG 50\r\n";
    for (char c : input) {
      if (!parser.feed(std::string_view(&c, 1)).is_ok()) {
        ok = false;
        break;
      }
      while (parser.next())
        ++framed;
    }
    ok = ok && parser.buffered() == 0;
  }
  assert_true(ok);
  assert_true(framed > 40000);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_payload_lengths_match_transcripts),
      cmocka_unit_test(test_real_sequences_any_split),
      cmocka_unit_test(test_whole_session_pseudo_random_splits),
      cmocka_unit_test(test_fields_of_a_command),
      cmocka_unit_test(test_parse_u32),
      cmocka_unit_test(test_verbs_with_payloads),
      cmocka_unit_test(test_bad_payload_lengths),
      cmocka_unit_test(test_huge_declared_payload_is_not_allocated),
      cmocka_unit_test(test_payload_limit_is_inclusive),
      cmocka_unit_test(test_line_limits),
      cmocka_unit_test(test_unusable_lines_are_skipped),
      cmocka_unit_test(test_over_long_lines_are_skipped),
      cmocka_unit_test(test_notes_are_bounded),
      cmocka_unit_test(test_empty_lines_and_bare_lf),
      cmocka_unit_test(test_error_is_sticky),
      cmocka_unit_test(test_partial_state_is_reported),
      cmocka_unit_test(test_many_small_feeds_stay_linear),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
