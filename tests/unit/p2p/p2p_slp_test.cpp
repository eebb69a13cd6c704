// SPDX-License-Identifier: GPL-2.0-or-later
// MSNSLP and the P2P packets of the annotated transcripts (docs/protocol/p2p.md): every MSG of
// transcript 04 rebuilt byte for byte (MSG length, header, SLP text, footer), the SLP texts
// parsed and re-serialized unchanged and built from scratch, the ACKs derived from the acked
// messages, transcript 05's direct-connection bodies, and malformed SLP refused.
#include <string>
#include <vector>

#include "p2p/header.h"
#include "p2p/msn_object.h"
#include "p2p/slp.h"
#include "p2p/slp_direct.h"
#include "p2p/transport.h"
#include "p2p_test_util.h"

namespace {

namespace slp = msn::p2p::slp;
using msn::Errc;
using msn::p2p::Header;
using msn::p2p::Packet;

constexpr const char* kTranscript = "transcripts/04-display-picture-p2p.md";
constexpr std::size_t kMimeForBob = 88;  // the MIME block with P2P-Dest: bob@example.com

std::vector<msn::test::TranscriptMsg> transcript_04() {
  auto msgs = msn::test::read_transcript(kTranscript);
  if (msgs.size() != 10) {
    print_error("expected 10 MSGs in %s, read %zu\n", kTranscript, msgs.size());
    fail();
  }
  return msgs;
}

Packet packet_of(const msn::test::TranscriptMsg& m) {
  Packet p;
  auto header = msn::p2p::parse_header(msn::test::unhex(m.header_hex));
  assert_true(header.is_ok());
  p.header = *header;
  p.data = m.text.empty() ? m.data : m.text;
  p.footer = static_cast<std::uint32_t>(std::stoul(m.footer_hex, nullptr, 16));
  return p;
}

std::string with(const std::string& text, const std::string& from, const std::string& to) {
  std::string out = text;
  out.replace(out.find(from), from.size(), to);
  return out;
}

void test_every_msg_rebuilt(void** /*state*/) {
  for (const auto& m : transcript_04()) {
    const Packet p = packet_of(m);
    assert_true(p.header == msn::test::decoded_header(m.decoded));
    const std::string payload = msn::p2p::switchboard_payload(m.dest, p);
    if (payload.size() != m.msg_length) {
      print_error("MSG of %zu bytes rebuilt as %zu (%s)\n", m.msg_length, payload.size(),
                  m.decoded.c_str());
      fail();
    }
    assert_bytes_equal(payload.substr(payload.size() - 4), msn::test::unhex(m.footer_hex));
    const std::size_t mime = payload.find("\r\n\r\n") + 4;
    auto parsed = msn::p2p::parse_switchboard_body(std::string_view(payload).substr(mime));
    assert_true(parsed.is_ok());
    assert_true(*parsed == p);
  }
}

void test_slp_texts_round_trip(void** /*state*/) {
  int texts = 0;
  for (const auto& m : transcript_04()) {
    if (m.text.empty()) continue;
    auto parsed = slp::parse(m.text);
    assert_true(parsed.is_ok());
    assert_bytes_equal(slp::serialize(*parsed), m.text);
    ++texts;
  }
  assert_int_equal(texts, 3);
}

// The three SLP messages built from their parts, as the engine will send them.
void test_slp_built_from_scratch(void** /*state*/) {
  const auto msgs = transcript_04();
  const std::string msnobj =
      "<msnobj Creator=\"bob@example.com\" Size=\"256\" Type=\"3\" Location=\"0\" "
      "Friendly=\"AAA=\" "
      "SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" SHA1C=\"5soaKaS5PrYAzVEOp/433VU30HE=\"/>";
  const slp::SessionRequest request{std::string(slp::euf_guid::kMsnObject), 1980589, 1,
                                    msn::p2p::encode_context(msnobj)};
  const slp::Message invite = slp::make_invite(
      "bob@example.com", "alice@example.com", "{5E7A1C2B-3D4E-4F5A-8B9C-0D1E2F3A4B5C}",
      "{9D79AE57-1BD5-444B-B14E-3FC9BB2B5D58}", slp::content_type::kSessionRequest,
      slp::session_request_body(request));
  assert_bytes_equal(slp::serialize(invite), msgs[0].text);
  const slp::Message ok = slp::make_response(invite, 200, "OK", slp::content_type::kSessionRequest,
                                             {{"SessionID", "1980589"}});
  assert_bytes_equal(slp::serialize(ok), msgs[2].text);
  const slp::Message bye = slp::make_bye("bob@example.com", "alice@example.com",
                                         "{6F8B2D3C-4E5F-4A6B-9C0D-1E2F3A4B5C6D}",
                                         "{9D79AE57-1BD5-444B-B14E-3FC9BB2B5D58}", std::nullopt);
  assert_bytes_equal(slp::serialize(bye), msgs[8].text);

  auto parsed = slp::parse(msgs[0].text);
  assert_true(*parsed == invite);
  auto body = slp::parse_session_request(*parsed);
  assert_true(body.is_ok());
  assert_true(*body == request);
  auto context = msn::p2p::decode_context(body->context);
  assert_bytes_equal(*context, msnobj);
  assert_int_equal(*slp::session_id_field(*slp::parse(msgs[2].text)), 1980589);
}

// Each ACK in the transcript is make_ack() of the message before it from the other side.
void test_acks_derived(void** /*state*/) {
  const auto msgs = transcript_04();
  int acks = 0;
  for (std::size_t i = 1; i < msgs.size(); ++i) {
    const Packet p = packet_of(msgs[i]);
    if (p.header.flags != msn::p2p::flags::kAck) continue;
    std::size_t acked = i - 1;
    while (msgs[acked].outgoing == msgs[i].outgoing) --acked;
    const Packet expected =
        msn::p2p::make_ack_packet(packet_of(msgs[acked]).header, p.header.identifier);
    assert_true(expected == p);
    assert_true(msn::p2p::carries_message(packet_of(msgs[acked]).header));
    ++acks;
  }
  assert_int_equal(acks, 5);
}

void test_cseq_with_trailing_space_and_lf_free_text(void** /*state*/) {
  const auto msgs = transcript_04();
  std::string wlm = msgs[0].text;
  wlm.replace(wlm.find("CSeq: 0\r\n"), 9, "CSeq: 0 \r\n");
  auto parsed = slp::parse(wlm);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->cseq, 0);
  // Without the final NUL (Content-Length one less), it still parses.
  std::string no_nul = with(msgs[2].text, "Content-Length: 23", "Content-Length: 22");
  no_nul.pop_back();
  assert_true(slp::parse(no_nul).is_ok());
}

void test_direct_connection_bodies(void** /*state*/) {
  const auto msgs = msn::test::read_transcript("transcripts/05-direct-connection.md");
  std::optional<slp::TransportRequest> request;
  std::optional<slp::TransportResponse> response;
  for (const auto& m : msgs) {
    if (m.text.empty()) continue;
    auto parsed = slp::parse(m.text);
    assert_true(parsed.is_ok());
    // This transcript writes WLM's "CSeq: 0 "; we write the plugin's "CSeq: 0".
    std::string text = m.text;
    const std::size_t line_end = text.find("\r\n", text.find("CSeq: "));
    if (text[line_end - 1] == ' ') text.erase(line_end - 1, 1);
    assert_bytes_equal(slp::serialize(*parsed), text);
    if (parsed->content_type == slp::content_type::kTransportRequest && !request)
      request = *slp::parse_transport_request(*parsed);
    if (parsed->content_type == slp::content_type::kTransportResponse && !response)
      response = *slp::parse_transport_response(*parsed);
  }
  assert_true(request.has_value() && response.has_value());
  assert_true(request->offers_tcp());
  assert_string_equal(request->conn_type.c_str(), "Direct-Connect");
  assert_true(request->upnp_nat == false && request->icf == false);
  assert_string_equal(request->nonce.c_str(), "{8E9ABB4E-5E7C-4F1F-9C5C-1A2B3C4D5E6F}");
  assert_int_equal(*request->session_id, 180646677);
  assert_true(response->listening);
  assert_string_equal(response->bridge.c_str(), "TCPv1");
  assert_int_equal(response->external_addresses.size(), 1);
  assert_string_equal(response->external_addresses[0].c_str(), "198.51.100.7");
  assert_int_equal(*response->external_port, 6891);
  assert_string_equal(response->internal_addresses[0].c_str(), "192.168.1.20");
  assert_int_equal(*response->internal_port, 6891);
}

void test_guid_format(void** /*state*/) {
  const std::string bytes = msn::test::unhex("5e7a1c2b3d4e4f5a8b9c0d1e2f3a4b5c");
  assert_string_equal(slp::guid_from_bytes(bytes).c_str(),
                      "{5E7A1C2B-3D4E-4F5A-8B9C-0D1E2F3A4B5C}");
}

void expect_refused(const std::string& text, Errc code) {
  auto parsed = slp::parse(text);
  if (parsed.is_ok() || parsed.error().code != code) {
    print_error("not refused as expected: [%s]\n", text.c_str());
    fail();
  }
}

void test_malformed_refused(void** /*state*/) {
  const std::string ok = transcript_04()[2].text;
  expect_refused("", Errc::kProtocol);
  expect_refused(ok.substr(0, ok.find("\r\n\r\n")), Errc::kProtocol);  // no end of headers
  expect_refused(with(ok, "MSNSLP/1.0 200 OK", "MSNSLP/1.0 2000 OK"), Errc::kProtocol);
  expect_refused(with(ok, "MSNSLP/1.0 200 OK", "HELLO"), Errc::kProtocol);
  expect_refused(with(ok, "To: <msnmsgr:alice@example.com>", "To: alice@example.com"),
                 Errc::kProtocol);
  expect_refused(with(ok, "Via: MSNSLP/1.0/TLP ;branch=", "Via: MSNSLP/1.0/TLP ;twig="),
                 Errc::kProtocol);
  expect_refused(with(ok, "CSeq: 1", "CSeq: one"), Errc::kProtocol);
  expect_refused(with(ok, "Call-ID: {9D79AE57-1BD5-444B-B14E-3FC9BB2B5D58}\r\n", ""),
                 Errc::kProtocol);
  expect_refused(with(ok, "Content-Length: 23", "Content-Length: 24"), Errc::kProtocol);
  expect_refused(with(ok, "SessionID: 1980589", "SessionID 1980589"), Errc::kProtocol);
  expect_refused(with(ok, "alice@example.com>", "alice\xff@example.com>"), Errc::kProtocol);
  expect_refused(with(ok, "SessionID: 1980589",
                      std::string("SessionID: 19\0"
                                  "80589",
                                  18)),
                 Errc::kProtocol);
  expect_refused(
      with(ok, "Max-Forwards: 0", "Max-Forwards: 0\r\n" + std::string(1100, 'X') + ": 1"),
      Errc::kLimit);
  std::string many_headers = ok;
  for (int i = 0; i < 40; ++i)
    many_headers = with(many_headers, "Max-Forwards: 0\r\n", "Max-Forwards: 0\r\nX: 1\r\n");
  expect_refused(many_headers, Errc::kLimit);
  std::string many_fields;
  for (int i = 0; i < 40; ++i) many_fields += "F: 1\r\n";
  expect_refused(with(with(ok, "SessionID: 1980589\r\n", many_fields), "Content-Length: 23",
                      "Content-Length: 243"),
                 Errc::kLimit);
  expect_refused(ok + std::string(70000, ' '), Errc::kLimit);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_msg_rebuilt),
      cmocka_unit_test(test_slp_texts_round_trip),
      cmocka_unit_test(test_slp_built_from_scratch),
      cmocka_unit_test(test_acks_derived),
      cmocka_unit_test(test_cseq_with_trailing_space_and_lf_free_text),
      cmocka_unit_test(test_direct_connection_bodies),
      cmocka_unit_test(test_guid_format),
      cmocka_unit_test(test_malformed_refused),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
