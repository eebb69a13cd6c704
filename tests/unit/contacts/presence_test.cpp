// SPDX-License-Identifier: GPL-2.0-or-later
// Presence (session/presence.h): status codes, capabilities, ILN/NLN/FLN/UBX notices from
// transcript 1 (framed by the real command parser) and variants, CurrentMedia, UUX payloads.
#include "session/presence.h"

#include <optional>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "wire/command_parser.h"
#include "wire/mime_message.h"

namespace {

using msn::ContactOffline;
using msn::ContactPresence;
using msn::ContactStatusMessage;
using msn::CurrentMedia;
using msn::Errc;
using msn::PersonalStatus;
using msn::PresenceStatus;
using msn::Result;
using msn::wire::Command;

constexpr std::string_view kBobIln =
    "ILN 8 AWY bob@example.com 1 Bob 2789003324 "
    "%3Cmsnobj%20Creator%3D%22bob%40example.com%22%20Size%3D%22256%22%20Type%3D%223%22%20"
    "Location%3D%220%22%20Friendly%3D%22AAA%3D%22%20SHA1D%3D%22SRbWvbf3jmgDaYyrMtFYbqRX38g%3D%22"
    "%20SHA1C%3D%225soaKaS5PrYAzVEOp%2F433VU30HE%3D%22%2F%3E\r\n";
constexpr std::string_view kBobMsnObject =
    "<msnobj Creator=\"bob@example.com\" Size=\"256\" Type=\"3\" Location=\"0\" Friendly=\"AAA=\" "
    "SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" SHA1C=\"5soaKaS5PrYAzVEOp/433VU30HE=\"/>";

struct Fixture {
  std::vector<Command> commands;
  std::optional<Result<ContactPresence>> presence;
  std::optional<Result<ContactOffline>> offline;
  std::optional<Result<ContactStatusMessage>> ubx;
  std::optional<Result<PersonalStatus>> status;
  std::optional<CurrentMedia> media;
  std::string text;
};

// CMocka fixtures through the shared owned_setup / owned_teardown / fixture templates.
constexpr auto setup = msn::test::owned_setup<Fixture>;
constexpr auto teardown = msn::test::owned_teardown<Fixture>;

Fixture& fx(void** state) { return msn::test::fixture<Fixture>(state); }

// Frames server bytes with the real parser.
const Command& frame(Fixture& f, std::string_view bytes) {
  msn::wire::CommandParser parser;
  const msn::Status status = parser.feed(bytes);
  if (!status.is_ok()) {
    print_error("framing failed: %s\n", status.error().detail.c_str());
    fail();
  }
  f.commands.clear();
  while (auto command = parser.next()) f.commands.push_back(std::move(*command));
  assert_int_equal(f.commands.size(), 1);
  return f.commands[0];
}

const ContactPresence& presence_ok(Fixture& f, std::string_view line) {
  f.presence = msn::parse_presence(frame(f, line));
  if (!f.presence->is_ok()) {
    print_error("parse failed: %s\n", f.presence->error().detail.c_str());
    fail();
  }
  return f.presence->value();
}

void test_status_codes(void** state) {
  (void)state;
  const std::pair<PresenceStatus, const char*> all[] = {
      {PresenceStatus::kOnline, "NLN"},     {PresenceStatus::kBusy, "BSY"},
      {PresenceStatus::kIdle, "IDL"},       {PresenceStatus::kBeRightBack, "BRB"},
      {PresenceStatus::kAway, "AWY"},       {PresenceStatus::kOnThePhone, "PHN"},
      {PresenceStatus::kOutToLunch, "LUN"}, {PresenceStatus::kHidden, "HDN"},
      {PresenceStatus::kOffline, "FLN"}};
  for (const auto& [status, code] : all) {
    assert_true(msn::parse_presence_status(code) == status);
    assert_true(msn::presence_code(status) == code);
  }
  assert_false(msn::parse_presence_status("nln").has_value());
  assert_false(msn::parse_presence_status("XYZ").has_value());
  assert_false(msn::parse_presence_status("").has_value());
}

// MSNP2P is advertised (MSNC 8.5 and P2P packets: display pictures work) and ink receiving
// (GIF and ISF are shown), nothing this client cannot do yet: no voice, webcam or winks.
void test_advertised_capabilities(void** /*state*/) {
  namespace caps = msn::caps;
  assert_int_equal(msn::kClientCapabilities & caps::kVersionMask, caps::kMsnc8);
  assert_int_equal(msn::kClientCapabilities & caps::kP2pPackets, caps::kP2pPackets);
  assert_int_equal(msn::kClientCapabilities & caps::kInkGif, caps::kInkGif);
  assert_int_equal(msn::kClientCapabilities & caps::kInkIsf, caps::kInkIsf);
  assert_int_equal(msn::kClientCapabilities, 2147483692u);
  for (std::uint32_t unsupported :
       {caps::kVoiceIm, caps::kWebcam, caps::kWinks, caps::kDirectIm, caps::kSipInvite,
        caps::kSharedSearch, caps::kP2pTurn, caps::kP2pBootstrapViaUun, caps::kSecureChannel,
        caps::kMediaCenter, caps::kSpace})
    assert_int_equal(msn::kClientCapabilities & unsupported, 0);
}

void test_iln_with_msn_object(void** state) {
  Fixture& f = fx(state);
  const ContactPresence& p = presence_ok(f, kBobIln);
  assert_true(p.status == PresenceStatus::kAway);
  assert_bytes_equal(p.address, "bob@example.com");
  assert_int_equal(msn::to_int(p.network), 1);
  assert_bytes_equal(p.friendly_name, "Bob");
  assert_int_equal(p.capabilities, 2789003324u);
  assert_bytes_equal(p.msn_object, kBobMsnObject);
}

void test_nln_variants(void** state) {
  Fixture& f = fx(state);
  {
    // Transcript 1 §5: no msnobj at all.
    const ContactPresence& p = presence_ok(f, "NLN NLN carol@example.net 1 Carol 1342177280\r\n");
    assert_true(p.status == PresenceStatus::kOnline);
    assert_bytes_equal(p.address, "carol@example.net");
    assert_bytes_equal(p.friendly_name, "Carol");
    assert_int_equal(p.capabilities, 1342177280u);
    assert_true(p.msn_object.empty());
  }
  {
    const ContactPresence& p = presence_ok(
        f, "NLN BSY yo@yahoo.com 32 Yo%20%26%20%E2%98%95%20%25zz 0 %3Cmsnobj%2F%3E\r\n");
    assert_true(p.status == PresenceStatus::kBusy);
    assert_int_equal(msn::to_int(p.network), 32);
    assert_bytes_equal(p.friendly_name, "Yo & \xE2\x98\x95 %zz");  // malformed %zz kept
    assert_bytes_equal(p.msn_object, "<msnobj/>");
  }
  {
    // "0" as msnobj means none; a missing or odd client id reads as 0.
    const ContactPresence& p = presence_ok(f, "NLN IDL a@example.com 1 A 0 0\r\n");
    assert_true(p.msn_object.empty());
    assert_true(p.status == PresenceStatus::kIdle);
    const ContactPresence& q = presence_ok(f, "NLN PHN a@example.com 1 A\r\n");
    assert_int_equal(q.capabilities, 0);
    const ContactPresence& r = presence_ok(f, "NLN LUN a@example.com 1 A 12x\r\n");
    assert_int_equal(r.capabilities, 0);
  }
}

void test_presence_errors(void** state) {
  Fixture& f = fx(state);
  for (const char* line : {"NLN XYZ a@example.com 1 A 0\r\n", "NLN NLN a@example.com 1\r\n",
                           "NLN NLN not-an-address 1 A 0\r\n", "NLN NLN a@example.com one A 0\r\n",
                           "ILN 8 NLN a@example.com 1\r\n", "ILN NLN a@example.com 1 A 0\r\n",
                           "FLN a@example.com 1\r\n"}) {
    f.presence = msn::parse_presence(frame(f, line));
    assert_false(f.presence->is_ok());
    assert_int_equal(static_cast<int>(f.presence->error().code), static_cast<int>(Errc::kProtocol));
  }
}

void test_fln(void** state) {
  Fixture& f = fx(state);
  f.offline = msn::parse_fln(frame(f, "FLN bob@example.com 1\r\n"));
  assert_true(f.offline->is_ok());
  assert_bytes_equal(f.offline->value().address, "bob@example.com");
  assert_int_equal(msn::to_int(f.offline->value().network), 1);
  f.offline = msn::parse_fln(frame(f, "FLN yo@yahoo.com 32\r\n"));
  assert_int_equal(msn::to_int(f.offline->value().network), 32);
  f.offline = msn::parse_fln(frame(f, "FLN bob@example.com\r\n"));
  assert_int_equal(msn::to_int(f.offline->value().network), 1);
  f.offline = msn::parse_fln(frame(f, "FLN nobody 1\r\n"));
  assert_false(f.offline->is_ok());
  f.offline = msn::parse_fln(frame(f, "NLN NLN bob@example.com 1 B 0\r\n"));
  assert_false(f.offline->is_ok());
}

const ContactStatusMessage& ubx_ok(Fixture& f, std::string_view bytes) {
  f.ubx = msn::parse_ubx(frame(f, bytes));
  if (!f.ubx->is_ok()) {
    print_error("parse failed: %s\n", f.ubx->error().detail.c_str());
    fail();
  }
  return f.ubx->value();
}

void test_ubx_from_the_transcript(void** state) {
  Fixture& f = fx(state);
  {
    const ContactStatusMessage& m = ubx_ok(
        f,
        "UBX bob@example.com 1 63\r\n<Data><PSM>On holiday</PSM><CurrentMedia></CurrentMedia>"
        "</Data>");
    assert_bytes_equal(m.address, "bob@example.com");
    assert_int_equal(msn::to_int(m.network), 1);
    assert_bytes_equal(m.status.personal_message, "On holiday");
    assert_false(m.status.current_media.has_value());
    assert_true(m.status.current_media_text.empty());
  }
  {
    const ContactStatusMessage& m = ubx_ok(f, "UBX carol@example.net 1 0\r\n");
    assert_bytes_equal(m.address, "carol@example.net");
    assert_true(m.status.personal_message.empty());
    assert_false(m.status.current_media.has_value());
  }
}

void test_ubx_current_media_and_extras(void** state) {
  Fixture& f = fx(state);
  const std::string payload =
      "<Data><PSM>Tom &amp; Jerry &lt;3 \xE2\x98\x95</PSM><CurrentMedia>WMP\\0Music\\01\\0{0} - {1}"
      "\\0Song Title\\0Artist\\0Album\\0</CurrentMedia><MachineGuid>{F26D1F07-95E2-403C-BC18-"
      "D4BFED493428}</MachineGuid><Unknown><Nested/></Unknown></Data>";
  const std::string bytes =
      "UBX yo@yahoo.com 32 " + std::to_string(payload.size()) + "\r\n" + payload;
  const ContactStatusMessage& m = ubx_ok(f, bytes);
  assert_int_equal(msn::to_int(m.network), 32);
  assert_bytes_equal(m.status.personal_message, "Tom & Jerry <3 \xE2\x98\x95");
  assert_bytes_equal(m.status.machine_guid, "{F26D1F07-95E2-403C-BC18-D4BFED493428}");
  assert_true(m.status.current_media.has_value());
  const CurrentMedia& media = *m.status.current_media;
  assert_bytes_equal(media.application, "WMP");
  assert_bytes_equal(media.type, "Music");
  assert_true(media.enabled);
  assert_bytes_equal(media.format, "{0} - {1}");
  assert_int_equal(media.arguments.size(), 3);
  assert_bytes_equal(media.arguments[2], "Album");
  f.text = media.formatted();
  assert_bytes_equal(f.text, "Song Title - Artist");
}

void test_ubx_disabled_media_and_errors(void** state) {
  Fixture& f = fx(state);
  f.status = msn::parse_ubx_payload(
      "<Data><PSM></PSM><CurrentMedia>\\0Music\\00\\0{0}\\0x\\0</CurrentMedia></Data>");
  assert_true(f.status->is_ok());
  assert_false(f.status->value().current_media.has_value());  // Enabled 0
  assert_false(f.status->value().current_media_text.empty());
  f.status = msn::parse_ubx_payload("<Data><PSM/></Data>");
  assert_true(f.status->is_ok());
  f.status = msn::parse_ubx_payload("  \r\n");
  assert_true(f.status->is_ok());
  for (const char* bad : {"<Data><PSM>x</Data>", "<Other/>", "text",
                          "<!DOCTYPE Data [<!ENTITY e \"x\">]><Data><PSM>&e;</PSM></Data>"}) {
    f.status = msn::parse_ubx_payload(bad);
    assert_false(f.status->is_ok());
    assert_int_equal(static_cast<int>(f.status->error().code), static_cast<int>(Errc::kProtocol));
  }
  // A bad payload in a UBX command is reported, never thrown away silently.
  f.ubx = msn::parse_ubx(frame(f, "UBX bob@example.com 1 6\r\n<Data>"));
  assert_false(f.ubx->is_ok());
  f.ubx = msn::parse_ubx(frame(f, "UBX bob 1 0\r\n"));
  assert_false(f.ubx->is_ok());
}

void test_current_media_strings(void** state) {
  Fixture& f = fx(state);
  assert_false(msn::parse_current_media("").has_value());
  assert_false(msn::parse_current_media("WMP\\0Music\\01").has_value());
  f.media = msn::parse_current_media("WMP\\0Music\\01\\0{0}");
  assert_true(f.media.has_value());
  assert_true(f.media->arguments.empty());
  f.text = f.media->formatted();
  assert_bytes_equal(f.text, "{0}");  // no argument 0: kept as written
  const CurrentMedia game{"", "Games", true, "Playing {0} ({1", {"Chess", "x"}};
  f.text = game.formatted();
  assert_bytes_equal(f.text, "Playing Chess ({1");
  f.text = msn::format_current_media(game);
  assert_bytes_equal(f.text, "\\0Games\\01\\0Playing {0} ({1\\0Chess\\0x\\0");
  f.media = msn::parse_current_media(f.text);
  assert_true(f.media.has_value() && *f.media == game);
}

// A peer's names and status texts reach the UI cut to what a real client sends; a media format
// repeating {0} over a long argument is cut while it expands.
void test_peer_text_bounds(void** state) {
  Fixture& f = fx(state);
  std::string format;
  for (int i = 0; i < 1000; ++i) format += "{0}";
  const CurrentMedia bomb{"WMP", "Music", true, format, {std::string(3000, 'a')}};
  f.text = bomb.formatted();
  assert_int_equal(f.text.size(), msn::kMaxStatusTextChars);
  const CurrentMedia braces{"", "Music", true, std::string(100000, '{'), {"x"}};
  f.text = braces.formatted();
  assert_bytes_equal(f.text, std::string(msn::kMaxStatusTextChars, '{'));
  std::string wide;  // two-byte characters, and a format that would cut one in half
  for (int i = 0; i < 1000; ++i) wide += "\xC3\xA9";
  const CurrentMedia multibyte{"", "Music", true, "x{0}", {wide}};
  f.text = multibyte.formatted();
  assert_true(msn::wire::is_valid_utf8(f.text));
  assert_int_equal(f.text.size(), 1 + 2 * (msn::kMaxStatusTextChars - 1));

  f.status = msn::parse_ubx_payload("<Data><PSM>" + wide + "</PSM></Data>");
  assert_true(f.status->is_ok());
  assert_bytes_equal(f.status->value().personal_message,
                     wide.substr(0, 2 * msn::kMaxStatusTextChars));

  std::string name;
  for (int i = 0; i < 200; ++i) name += "%C3%A9";
  const ContactPresence& p = presence_ok(f, "NLN NLN bob@example.com 1 " + name + " 0\r\n");
  assert_bytes_equal(p.friendly_name, wide.substr(0, 2 * msn::wire::kMaxFriendlyNameChars));
}

void test_uux_payload(void** state) {
  Fixture& f = fx(state);
  f.text = msn::build_uux_payload("Writing a protocol engine");
  assert_bytes_equal(f.text,
                     "<Data><PSM>Writing a protocol engine</PSM><CurrentMedia></CurrentMedia>"
                     "<MachineGuid></MachineGuid></Data>");
  assert_int_equal(f.text.size(), 105);  // "UUX 9 105" in the transcript
  const CurrentMedia song{"WMP", "Music", true, "{0} - {1}", {"A & B", "<C>"}};
  f.text = msn::build_uux_payload("Tom & \"Jerry\" <3\x01\x1f\ttab", &song, "{GUID}");
  assert_true(f.text.find("<PSM>Tom &amp; &quot;Jerry&quot; &lt;3\ttab</PSM>") !=
              std::string::npos);
  f.status = msn::parse_ubx_payload(f.text);
  assert_true(f.status->is_ok());
  assert_bytes_equal(f.status->value().personal_message, "Tom & \"Jerry\" <3\ttab");
  assert_bytes_equal(f.status->value().machine_guid, "{GUID}");
  assert_true(f.status->value().current_media.has_value());
  assert_true(*f.status->value().current_media == song);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_advertised_capabilities),
      cmocka_unit_test_setup_teardown(test_status_codes, setup, teardown),
      cmocka_unit_test_setup_teardown(test_iln_with_msn_object, setup, teardown),
      cmocka_unit_test_setup_teardown(test_nln_variants, setup, teardown),
      cmocka_unit_test_setup_teardown(test_presence_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fln, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ubx_from_the_transcript, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ubx_current_media_and_extras, setup, teardown),
      cmocka_unit_test_setup_teardown(test_ubx_disabled_media_and_errors, setup, teardown),
      cmocka_unit_test_setup_teardown(test_current_media_strings, setup, teardown),
      cmocka_unit_test_setup_teardown(test_peer_text_bounds, setup, teardown),
      cmocka_unit_test_setup_teardown(test_uux_payload, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
