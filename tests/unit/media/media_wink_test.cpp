// SPDX-License-Identifier: GPL-2.0-or-later
// Wink packages: the server-made wink cabinet and .mco package, content.xml variations seen in
// clients (undeclared wink: prefix, other case in file names, missing name) and refusals
// (no content.xml, a DTD, malformed XML, missing or non-image thumbnails, nested packages).
#include <string>

#include "media/wink.h"
#include "media_test_util.h"

namespace {

using msn::Errc;
using msn::media::ImageType;
using msn::media::sniff_image;
using msn::media::unpack_wink;
using msn::test::make_cab;
using msn::test::read_sample;

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";

std::string content(const std::string& items) {
  return "<?xml version=\"1.0\"?><package xmlns=\"http://messenger.msn.com/messengercontent/1.0\" "
         "type=\"wink\">" +
         items + "</package>";
}

void expect_error(const std::string& cab, Errc code) {
  auto wink = unpack_wink(cab);
  assert_false(wink.is_ok());
  if (wink.error().code != code) print_error("%s\n", wink.error().detail.c_str());
  assert_int_equal(wink.error().code, code);
}

void check_server_wink(const std::string& package) {
  auto wink = unpack_wink(package);
  if (!wink) print_error("%s\n", wink.error().detail.c_str());
  assert_true(wink.is_ok());
  assert_bytes_equal(wink->name, "Test wink");
  assert_int_equal(wink->thumbnail_type, ImageType::kPng);
  assert_bytes_equal(wink->thumbnail_file, "testwink.png");
  assert_true(wink->thumbnail.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0);
  assert_bytes_equal(wink->animation_file, "testwink.swf");
  assert_true(wink->animation.compare(0, 3, "FWS") == 0);
  assert_int_equal(wink->width, 300);
  assert_int_equal(wink->height, 200);
}

void server_wink_cab(void**) { check_server_wink(read_sample("wink.cab")); }

void server_mco_package(void**) { check_server_wink(read_sample("wink.mco")); }

void every_truncation_is_refused(void**) {
  const std::string cab = read_sample("wink.cab");
  for (std::size_t n = 0; n < cab.size(); ++n) assert_false(unpack_wink(cab.substr(0, n)).is_ok());
}

void client_variations(void**) {
  // No xmlns:wink declaration, file names in another case, a JPEG, and no name at all.
  const std::string xml = content(
      "<item type=\"thumbnail\" file=\"THUMB.JPG\" wink:sizex=\"12\"/>"
      "<item type=\"animation\" file=\"Dance.SWF\"/>");
  auto wink = unpack_wink(make_cab(
      {{"content.xml", xml}, {"thumb.jpg", "\xFF\xD8\xFF\xE0jpeg"}, {"dance.swf", "FWS"}}));
  if (!wink) print_error("%s\n", wink.error().detail.c_str());
  assert_true(wink.is_ok());
  assert_int_equal(wink->thumbnail_type, ImageType::kJpeg);
  assert_bytes_equal(wink->name, "dance");  // the animation's stem
  assert_int_equal(wink->width, 12);
  // The thumbnail alone is enough; the animation may be missing.
  auto still = unpack_wink(
      make_cab({{"content.xml", content("<thumbnail file=\"t.gif\"/>")}, {"t.gif", "GIF89a.."}}));
  assert_true(still.is_ok());
  assert_int_equal(still->thumbnail_type, ImageType::kGif);
  assert_true(still->animation.empty());
}

void refusals(void**) {
  const std::string thumb_item = "<item type=\"thumbnail\" file=\"t.png\"/>";
  expect_error(make_cab({{"t.png", kPng}}), Errc::kProtocol);  // no content.xml
  expect_error(make_cab({{"content.xml", "<package><item"}, {"t.png", kPng}}), Errc::kProtocol);
  expect_error(make_cab({{"content.xml", content("")}, {"t.png", kPng}}),
               Errc::kProtocol);  // no thumbnail item
  expect_error(make_cab({{"content.xml", content(thumb_item)}}),
               Errc::kProtocol);  // thumbnail file missing
  expect_error(make_cab({{"content.xml", content(thumb_item)}, {"t.png", "MZ\x90"}}),
               Errc::kProtocol);
  // Entities: an internal DTD is refused even when it would expand to something harmless.
  const std::string dtd =
      "<?xml version=\"1.0\"?><!DOCTYPE p [<!ENTITY e \"t.png\">]>"
      "<p><item type=\"thumbnail\" file=\"&e;\"/></p>";
  expect_error(make_cab({{"content.xml", dtd}, {"t.png", kPng}}), Errc::kProtocol);
  const std::string external =
      "<?xml version=\"1.0\"?><!DOCTYPE p SYSTEM \"http://127.0.0.1:1/x.dtd\"><p/>";
  expect_error(make_cab({{"content.xml", external}, {"t.png", kPng}}), Errc::kProtocol);
  expect_error(make_cab({{"content.xml", std::string(70 * 1024, ' ')}, {"t.png", kPng}}),
               Errc::kLimit);
  // A package inside a package inside a package: one level only.
  const std::string inner = read_sample("wink.mco");
  const std::string outer_xml = content("<item file=\"inner.cab\"/>");
  expect_error(make_cab({{"content.xml", outer_xml}, {"inner.cab", inner}}), Errc::kProtocol);
  expect_error(make_cab({{"content.xml", outer_xml}}), Errc::kProtocol);  // inner cab missing
}

void image_signatures(void**) {
  assert_int_equal(sniff_image(kPng).value(), ImageType::kPng);
  assert_int_equal(sniff_image("GIF87a").value(), ImageType::kGif);
  assert_int_equal(sniff_image("\xFF\xD8\xFF").value(), ImageType::kJpeg);
  assert_false(sniff_image("").is_ok());
  assert_false(sniff_image("\x89PNG").is_ok());
  assert_false(sniff_image("GIF88a").is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(server_wink_cab),
      cmocka_unit_test(server_mco_package),
      cmocka_unit_test(every_truncation_is_refused),
      cmocka_unit_test(client_variations),
      cmocka_unit_test(refusals),
      cmocka_unit_test(image_signatures),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
