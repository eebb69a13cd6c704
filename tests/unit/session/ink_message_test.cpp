// SPDX-License-Identifier: GPL-2.0-or-later
// Ink messages (session/ink_message.h): the switchboard form (GIF passed on, ISF rendered to
// PNG), the P2P form's UTF-16LE blob, the bounds, and a P2P message on SessionID 64 taken off
// the contact's link (ACKed) by the picture manager.
#include <string>

#include "cmocka_cpp.h"
#include "crypto/crypto.h"
#include "p2p/header.h"
#include "session/ink_message.h"
#include "session/picture_manager.h"
#include "wire/mime_message.h"

namespace {

using msn::Errc;
using msn::wire::MimeMessage;

// Sample A of tests/data/vectors/isf-ink.txt: a real WLM 2009 ink body.
constexpr const char* kSampleA =
    "base64:AGIcA4CABB0D0AQOAwRIEUVkGRQyCACAHgIAAHBCMwgA4BICAABIQhWrqtNBq6rTQQAAAD4AgOq+HgMBBnwK"
    "JBqGyNkeAQUDFQNdQwFRN1EhguDhI+DhYGBIAIL8UfikDNEoAA==";

const std::string kGif = std::string("GIF89a\x01\x00\x01\x00\x00\x00\x00;", 13);

MimeMessage ink_message(const std::string& type, const std::string& body) {
  MimeMessage m;
  m.set_header("MIME-Version", "1.0");
  m.set_header("Content-Type", type);
  m.body = body;
  return m;
}

std::string utf16le(const std::string& ascii) {
  std::string out;
  for (char c : ascii) {
    out.push_back(c);
    out.push_back('\0');
  }
  return out;
}

void test_gif_passed_on(void** /*state*/) {
  auto image =
      msn::ink_image(ink_message("image/gif", "base64:" + msn::crypto::base64_encode(kGif)));
  assert_true(image.is_ok());
  assert_bytes_equal(image->data, kGif);
  assert_bytes_equal(image->mime_type, "image/gif");
  // classify() sends both ink types here.
  assert_int_equal(msn::wire::classify(ink_message("image/gif", "")), msn::wire::MessageKind::kInk);
  assert_int_equal(msn::wire::classify(ink_message("application/x-ms-ink", "")),
                   msn::wire::MessageKind::kInk);
}

void test_isf_rendered_to_png(void** /*state*/) {
  auto image = msn::ink_image(ink_message("application/x-ms-ink", kSampleA));
  assert_true(image.is_ok());
  assert_bytes_equal(image->mime_type, "image/png");
  assert_true(image->data.rfind("\x89PNG\r\n\x1a\n", 0) == 0);
}

void test_unreadable_ink_refused(void** /*state*/) {
  const auto code = [](const MimeMessage& m) { return msn::ink_image(m).error().code; };
  // No prefix, bad base64, empty, a "GIF" that is none, ISF that is garbage, not ink at all.
  assert_int_equal(code(ink_message("image/gif", msn::crypto::base64_encode(kGif))),
                   Errc::kProtocol);
  assert_int_equal(code(ink_message("image/gif", "base64:R0l*")), Errc::kProtocol);
  assert_int_equal(code(ink_message("image/gif", "base64:")), Errc::kProtocol);
  assert_int_equal(code(ink_message("image/gif", "base64:" + msn::crypto::base64_encode("PNG..."))),
                   Errc::kProtocol);
  assert_int_equal(
      code(ink_message("application/x-ms-ink", "base64:" + msn::crypto::base64_encode("\x05zz"))),
      Errc::kProtocol);
  assert_int_equal(code(ink_message("text/plain", "base64:" + msn::crypto::base64_encode(kGif))),
                   Errc::kInvalidArgument);
}

void test_size_bound(void** /*state*/) {
  msn::InkLimits limits;
  limits.max_image_bytes = 64;
  const std::string big = kGif + std::string(100, 'x');
  auto refused =
      msn::ink_image(ink_message("image/gif", "base64:" + msn::crypto::base64_encode(big)), limits);
  assert_false(refused.is_ok());
  assert_int_equal(refused.error().code, Errc::kLimit);
  const std::string fits = kGif + std::string(64 - kGif.size(), 'x');
  assert_true(
      msn::ink_image(ink_message("image/gif", "base64:" + msn::crypto::base64_encode(fits)), limits)
          .is_ok());
  // The joined switchboard body may hold exactly the base64 of the largest image.
  assert_true(msn::max_ink_body_bytes() >= 7 + (1024 * 1024 + 2) / 3 * 4);
}

void test_p2p_blob(void** /*state*/) {
  const std::string blob =
      utf16le("MIME-Version: 1.0\r\nContent-Type: application/x-ms-ink\r\n\r\n") +
      std::string(2, '\0') + utf16le(kSampleA) + std::string(2, '\0');
  auto message = msn::parse_p2p_ink(blob);
  assert_true(message.is_ok());
  assert_bytes_equal(message->media_type(), "application/x-ms-ink");
  auto image = msn::ink_image(*message);
  assert_true(image.is_ok());
  assert_bytes_equal(image->mime_type, "image/png");
  // With a byte order mark and without the NULs (some senders): the same image.
  auto plain =
      msn::parse_p2p_ink("\xFF\xFE" + utf16le(std::string("MIME-Version: 1.0\r\nContent-Type: ") +
                                              "application/x-ms-ink\r\n\r\n" + kSampleA));
  assert_true(plain.is_ok());
  assert_bytes_equal(msn::ink_image(*plain)->data, image->data);
  // Not UTF-16, no blank line, too long.
  assert_int_equal(msn::parse_p2p_ink(blob.substr(1)).error().code, Errc::kProtocol);
  assert_int_equal(msn::parse_p2p_ink(utf16le("Content-Type: image/gif\r\n")).error().code,
                   Errc::kProtocol);
  msn::InkLimits small;
  small.max_p2p_blob_bytes = 64;
  assert_int_equal(msn::parse_p2p_ink(blob, small).error().code, Errc::kLimit);
}

// SessionID 64 needs no INVITE: the message is ACKed like any other and handed out as ink.
void test_p2p_session_64_taken_and_acked(void** /*state*/) {
  msn::PictureConfig config;
  config.account = "alice@example.com";
  msn::PictureManager pictures(
      config, [](std::size_t n) -> msn::Result<std::string> { return std::string(n, '\x07'); });
  const std::string data =
      utf16le("MIME-Version: 1.0\r\nContent-Type: image/gif\r\n\r\n") + std::string(2, '\0') +
      utf16le("base64:" + msn::crypto::base64_encode(kGif)) + std::string(2, '\0');
  msn::p2p::Packet packet;
  packet.header.session_id = msn::kInkSessionId;
  packet.header.identifier = 1000;
  packet.header.total_size = data.size();
  packet.header.length = static_cast<std::uint32_t>(data.size());
  packet.header.ack_id = 77;
  packet.data = data;
  packet.footer = 3;
  pictures.on_packet("Bob@example.com", msn::p2p::serialize_switchboard_body(packet),
                     msn::TimePoint{});
  auto inks = pictures.take_inks();
  assert_int_equal(inks.size(), 1);
  assert_bytes_equal(inks[0].peer, "Bob@example.com");
  assert_bytes_equal(inks[0].data, data);
  auto packets = pictures.take_packets();
  assert_int_equal(packets.size(), 1);
  auto ack = msn::p2p::parse_switchboard_body(packets[0].body);
  assert_true(ack.is_ok());
  assert_int_equal(ack->header.flags, msn::p2p::flags::kAck);
  assert_int_equal(ack->header.ack_id, 1000);
  auto message = msn::parse_p2p_ink(inks[0].data);
  assert_true(message.is_ok());
  assert_bytes_equal(msn::ink_image(*message)->data, kGif);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_gif_passed_on),
      cmocka_unit_test(test_isf_rendered_to_png),
      cmocka_unit_test(test_unreadable_ink_refused),
      cmocka_unit_test(test_size_bound),
      cmocka_unit_test(test_p2p_blob),
      cmocka_unit_test(test_p2p_session_64_taken_and_acked),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
