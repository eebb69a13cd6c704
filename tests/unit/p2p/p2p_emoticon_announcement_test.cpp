// SPDX-License-Identifier: GPL-2.0-or-later
// Custom emoticon announcements (docs/protocol/emoticons.md): the body's pairs with and
// without a trailing TAB, raw and URL-encoded msnobjs, and what is left out: bad shortcuts,
// objects that are no emoticon, repeats, pairs over the count, bodies over the size.
#include <string>

#include "cmocka_cpp.h"
#include "p2p/emoticon_announcement.h"
#include "p2p/msn_object.h"
#include "wire/command_writer.h"

namespace {

using msn::Errc;
using msn::p2p::parse_emoticon_announcement;

// vectors/msnobject.txt case 3 (Type 2) and case 2 (the same data as a display picture).
const std::string kEmoticon =
    "<msnobj Creator=\"bob@example.com\" Size=\"256\" Type=\"2\" Location=\"TFR1A.tmp\" "
    "Friendly=\"AAA=\" SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" "
    "SHA1C=\"BdMSdjVia6MouvN464y0jnollFI=\"/>";
const std::string kPicture =
    "<msnobj Creator=\"bob@example.com\" Size=\"256\" Type=\"3\" Location=\"0\" "
    "Friendly=\"AAA=\" SHA1D=\"SRbWvbf3jmgDaYyrMtFYbqRX38g=\" "
    "SHA1C=\"5soaKaS5PrYAzVEOp/433VU30HE=\"/>";

void test_pairs_with_and_without_trailing_tab(void** /*state*/) {
  for (const std::string& body :
       {":x:\t" + kEmoticon + "\t(y)\t" + kEmoticon,
        ":x:\t" + kEmoticon + "\t(y)\t" + kEmoticon + "\t",
        ":x:\t" + msn::wire::url_encode(kEmoticon) + "\t(y)\t" + kEmoticon + "\t\r\n"}) {
    auto parsed = parse_emoticon_announcement(body);
    assert_true(parsed.is_ok());
    assert_int_equal(parsed->emoticons.size(), 2);
    assert_int_equal(parsed->rejected, 0);
    assert_string_equal(parsed->emoticons[0].shortcut.c_str(), ":x:");
    assert_string_equal(parsed->emoticons[1].shortcut.c_str(), "(y)");
    assert_bytes_equal(parsed->emoticons[0].msnobj, kEmoticon);  // URL-decoded
    assert_string_equal(parsed->emoticons[0].object.sha1d.c_str(), "SRbWvbf3jmgDaYyrMtFYbqRX38g=");
  }
}

void test_unusable_pairs_left_out(void** /*state*/) {
  const std::string body = std::string("(c\x01)\t") + kEmoticon + "\t" +     // control character
                           std::string(33, 'l') + "\t" + kEmoticon + "\t" +  // too long
                           "\t" + kEmoticon + "\t" +                         // empty
                           "(p)\t" + kPicture + "\t" +                       // not an emoticon
                           "(g)\tgarbage\t" +                                // no msnobj
                           "(ok)\t" + kEmoticon + "\t" +                     // the one kept
                           "(ok)\t" + kEmoticon + "\t" +                     // repeated
                           "(odd)";                                          // no msnobj at all
  auto parsed = parse_emoticon_announcement(body);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->emoticons.size(), 1);
  assert_string_equal(parsed->emoticons[0].shortcut.c_str(), "(ok)");
  assert_int_equal(parsed->rejected, 7);
}

void test_bounds(void** /*state*/) {
  std::string many;
  for (int i = 0; i < 12; ++i) many += "(" + std::to_string(i) + ")\t" + kEmoticon + "\t";
  auto parsed = parse_emoticon_announcement(many);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->emoticons.size(), 10);
  assert_int_equal(parsed->rejected, 2);
  auto huge = parse_emoticon_announcement(std::string(9000, 'a'));
  assert_false(huge.is_ok());
  assert_int_equal(huge.error().code, Errc::kLimit);
  for (const std::string& body :
       {std::string(), std::string("garbage"), std::string("\t\t\t"), "(p)\t" + kPicture}) {
    auto none = parse_emoticon_announcement(body);
    assert_false(none.is_ok());
    assert_int_equal(none.error().code, Errc::kProtocol);
  }
}

void test_round_trip(void** /*state*/) {
  const std::string body =
      msn::p2p::make_emoticon_announcement({{":x:", kEmoticon}, {"(y)", kEmoticon}});
  assert_bytes_equal(body, ":x:\t" + kEmoticon + "\t(y)\t" + kEmoticon + "\t");
  auto parsed = parse_emoticon_announcement(body);
  assert_true(parsed.is_ok());
  assert_int_equal(parsed->emoticons.size(), 2);
}

void test_object_bounds_per_type(void** /*state*/) {
  assert_int_equal(msn::p2p::max_object_bytes(msn::p2p::object_type::kEmoticon), 128 * 1024);
  assert_int_equal(msn::p2p::max_object_bytes(msn::p2p::object_type::kDisplayPicture), 256 * 1024);
  assert_int_equal(msn::p2p::max_object_bytes(msn::p2p::object_type::kBackground), 0);
  assert_int_equal(msn::p2p::request_app_id(msn::p2p::object_type::kEmoticon), 11);
  assert_int_equal(msn::p2p::request_app_id(msn::p2p::object_type::kWink), 1);
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pairs_with_and_without_trailing_tab),
      cmocka_unit_test(test_unusable_pairs_left_out),
      cmocka_unit_test(test_bounds),
      cmocka_unit_test(test_round_trip),
      cmocka_unit_test(test_object_bounds_per_type),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
