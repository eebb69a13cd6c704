// SPDX-License-Identifier: GPL-2.0-or-later
// Winks and voice clips received (session/media_message.h, session/media_receiver.h): a
// datacast from bob read into the object to fetch (his wink's stamp dropped), fetched over P2P
// from bob's object manager on the fake clock (bob is the fake peer: he serves what he added),
// and turned into WinkReceived / VoiceClipReceived byte for byte; a declined fetch or a
// cabinet that is none gives MediaUnavailable; a sender announcing too much is capped.
#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "media/voice_clip.h"
#include "media_test_util.h"
#include "p2p/msn_object.h"
#include "session/media_message.h"
#include "session/media_receiver.h"
#include "session/object_manager.h"
#include "session/picture_manager.h"
#include "support/counting_random.h"

namespace {

using msn::MediaAnnouncement;
using msn::TimePoint;
namespace ev = msn::ev;

constexpr const char* kAlice = "alice@example.com";
constexpr const char* kBob = "bob@example.com";

struct Side {
  Side(const char* account, unsigned seed)
      : pictures(msn::PictureConfig{.account = account}, msn::test::counter(seed)),
        objects(msn::ObjectConfig{.account = account}, msn::test::counter(seed + 50000)) {
    pictures.add_application(&objects);
    objects.set_links(&pictures);
  }
  msn::PictureManager pictures;
  msn::ObjectManager objects;
};

// alice receives; bob sends. Alice's object events go through her media receiver, as the
// Client routes them.
struct World {
  TimePoint now{};
  Side alice{kAlice, 1};
  Side bob{kBob, 100000};
  msn::MediaReceiver media;
  std::vector<msn::Event> events;  // what alice's UI would get

  void deliver() {
    for (int round = 0; round < 1000; ++round) {
      auto to_bob = alice.pictures.take_packets();
      auto to_alice = bob.pictures.take_packets();
      if (to_bob.empty() && to_alice.empty()) break;
      for (auto& packet : to_bob) bob.pictures.on_packet(kAlice, packet.body, now);
      for (auto& packet : to_alice) alice.pictures.on_packet(kBob, packet.body, now);
    }
    for (auto& event : alice.objects.take_events()) {
      if (!media.on_object_event(event)) events.push_back(std::move(event));
    }
    for (auto& event : media.take_events()) events.push_back(std::move(event));
  }

  // Past the picture manager's pace between fetches, so that a queued fetch starts.
  void settle() {
    now += std::chrono::seconds(30);
    for (Side* side : {&alice, &bob}) {
      side->pictures.on_timer(now);
      side->objects.on_timer(now);
    }
    deliver();
  }

  // Bob's datacast for `data` as a `type` object, read by alice and fetched as the Client does.
  void announce(std::uint32_t id, std::uint32_t type, const std::string& data,
                const std::string& extra = "") {
    auto msnobj = bob.objects.add_own(type, data);
    assert_true(msnobj.is_ok());
    std::string announced = *msnobj;
    announced.insert(announced.size() - 2, extra);
    const std::string body = "ID: " + std::to_string(id) + "\r\nData: " + announced + "\r\n\r\n";
    auto datacast = msn::read_media_datacast(kBob, body);
    assert_true(datacast.is_ok());
    assert_true(datacast->msnobj == *msnobj);  // what bob serves, stamp or not
    const auto kind = type == 8 ? ev::MediaKind::kWink : ev::MediaKind::kVoiceClip;
    auto fetch = media.expect(MediaAnnouncement{7, false, kBob, kind, datacast->object.sha1d});
    assert_true(fetch.is_ok());
    if (*fetch) assert_true(alice.objects.fetch(kBob, datacast->msnobj, now).is_ok());
    settle();
  }

  template <typename T>
  std::vector<T> of() const {
    std::vector<T> out;
    for (const auto& e : events) {
      if (const auto* x = std::get_if<T>(&e)) out.push_back(*x);
    }
    return out;
  }
};

int setup(void** state) {
  *state = new World();
  return 0;
}
int teardown(void** state) {
  delete static_cast<World*>(*state);
  return 0;
}
World& world(void** state) { return *static_cast<World*>(*state); }

// A PNG signature and some bytes: what the wink shows is exactly what the cabinet holds.
std::string thumbnail() {
  std::string png = "\x89PNG\r\n\x1a\n";
  for (int i = 0; i < 3000; ++i) png.push_back(static_cast<char>(i * 7));
  return png;
}

std::string wink_cab() {
  const std::string xml =
      "<package xmlns=\"http://messenger.msn.com/messengercontent/1.0\" type=\"wink\">"
      "<item type=\"thumbnail\" mimetype=\"image/png\" file=\"thumb.png\"/>"
      "<item type=\"animation\" file=\"kiss.swf\" name=\"Kiss &amp; run\"/></package>";
  return msn::test::make_cab(
      {{"content.xml", xml}, {"thumb.png", thumbnail()}, {"kiss.swf", std::string("FWS\x08", 4)}});
}

void test_wink_fetched_and_unpacked(void** state) {
  World& w = world(state);
  const std::string cab = wink_cab();
  w.announce(2, msn::p2p::object_type::kWink, cab, " stamp=\"c3RhbXA=\"");
  const auto winks = w.of<ev::WinkReceived>();
  assert_int_equal(winks.size(), 1);
  assert_int_equal(winks[0].conversation, 7);
  assert_string_equal(winks[0].from.c_str(), kBob);
  assert_string_equal(winks[0].name.c_str(), "Kiss & run");
  assert_true(winks[0].thumbnail == thumbnail());
  assert_string_equal(winks[0].thumbnail_mime.c_str(), "image/png");
  assert_true(winks[0].cab == cab);
  // Made from the data's hash, never from the peer's names.
  assert_true(winks[0].file_name.rfind("wink-", 0) == 0);
  assert_int_equal(winks[0].file_name.size(), std::string("wink-.cab").size() + 12);
  assert_true(w.of<ev::MediaUnavailable>().empty());
  assert_int_equal(w.media.waiting(), 0);
}

void test_voice_clip_fetched_and_decoded(void** state) {
  World& w = world(state);
  const std::string clip = msn::test::siren_wav(std::string(40 * 125, '\0'));  // 2.5 s
  w.announce(3, msn::p2p::object_type::kVoiceClip, clip);
  const auto clips = w.of<ev::VoiceClipReceived>();
  assert_int_equal(clips.size(), 1);
  assert_int_equal(clips[0].seconds, 3);  // rounded
  assert_true(clips[0].file_name.rfind("voice-clip-", 0) == 0);
  if (msn::media::voice_clip_decoding_available()) {
    assert_true(clips[0].decoded);
    assert_int_equal(clips[0].wav.size(), 44 + 125 * 320 * 2);
    assert_true(clips[0].wav.rfind("RIFF", 0) == 0);
  } else {
    assert_false(clips[0].decoded);
    assert_true(clips[0].wav == clip);
  }
}

void test_same_object_twice_fetched_once(void** state) {
  World& w = world(state);
  auto msnobj = w.bob.objects.add_own(msn::p2p::object_type::kWink, wink_cab());
  assert_true(msnobj.is_ok());
  auto object = msn::p2p::parse_msn_object(*msnobj);
  assert_true(object.is_ok());
  const MediaAnnouncement a{1, false, kBob, ev::MediaKind::kWink, object->sha1d};
  auto first = w.media.expect(a);
  auto second =
      w.media.expect(MediaAnnouncement{2, true, kBob, ev::MediaKind::kWink, object->sha1d});
  assert_true(first.is_ok() && *first);
  assert_true(second.is_ok() && !*second);
  assert_true(w.alice.objects.fetch(kBob, *msnobj, w.now).is_ok());
  w.settle();
  const auto winks = w.of<ev::WinkReceived>();
  assert_int_equal(winks.size(), 2);
  assert_int_equal(winks[0].conversation, 1);
  assert_int_equal(winks[1].conversation, 2);
  assert_true(winks[1].chat);
}

void test_unreadable_and_declined_are_unavailable(void** state) {
  World& w = world(state);
  w.announce(2, msn::p2p::object_type::kWink, "MSCF but no cabinet at all");
  auto unavailable = w.of<ev::MediaUnavailable>();
  assert_int_equal(unavailable.size(), 1);
  assert_true(unavailable[0].kind == ev::MediaKind::kWink);
  assert_true(w.of<ev::WinkReceived>().empty());
  // An object bob does not have: he declines, alice hears of it.
  const std::string clip = msn::test::siren_wav(std::string(40, '\0'));
  auto theirs = msn::p2p::make_msn_object(kBob, 11, "x", "AAA=", clip);
  const std::string msnobj = msn::p2p::serialize(theirs);
  auto fetch =
      w.media.expect(MediaAnnouncement{7, false, kBob, ev::MediaKind::kVoiceClip, theirs.sha1d});
  assert_true(fetch.is_ok() && *fetch);
  assert_true(w.alice.objects.fetch(kBob, msnobj, w.now).is_ok());
  w.settle();
  unavailable = w.of<ev::MediaUnavailable>();
  assert_int_equal(unavailable.size(), 2);
  assert_true(unavailable[1].kind == ev::MediaKind::kVoiceClip);
  assert_true(w.of<ev::ObjectFetchFailed>().empty());  // kept from the UI
}

void test_sender_capped(void** state) {
  World& w = world(state);
  for (int i = 0; i < 4; ++i) {
    auto fetch = w.media.expect(
        MediaAnnouncement{1, false, kBob, ev::MediaKind::kWink, "sha" + std::to_string(i)});
    assert_true(fetch.is_ok());
  }
  auto over = w.media.expect(MediaAnnouncement{1, false, kBob, ev::MediaKind::kWink, "sha9"});
  assert_false(over.is_ok());
  assert_int_equal(static_cast<int>(over.error().code), static_cast<int>(msn::Errc::kLimit));
  // Someone else still gets through.
  assert_true(
      w.media.expect(MediaAnnouncement{1, false, kAlice, ev::MediaKind::kWink, "sha9"}).is_ok());
  // A fetch that cannot start is reported at once.
  w.media.fetch_failed("sha0");
  assert_int_equal(w.media.take_events().size(), 1);
}

void test_datacast_reading(void** /*state*/) {
  const std::string obj = msn::p2p::serialize(
      msn::p2p::make_msn_object(kBob, 8, "TFR1.cab", "AAA=", std::string("data")));
  // Someone else's object: never fetched from a third party.
  assert_false(msn::read_media_datacast(kAlice, "ID: 2\r\nData: " + obj + "\r\n").is_ok());
  // The Type must match the ID.
  assert_false(msn::read_media_datacast(kBob, "ID: 3\r\nData: " + obj + "\r\n").is_ok());
  assert_true(msn::read_media_datacast(kBob, "ID: 2\r\nData: " + obj + "\r\n").is_ok());
  auto action = msn::read_media_datacast(kBob, "ID: 4\r\nData: waves\r\n");
  assert_true(action.is_ok());
  assert_string_equal(action->text.c_str(), "waves");
  auto other = msn::read_media_datacast(kBob, "ID: 77\r\n");
  assert_true(other.is_ok());
  assert_true(other->kind == msn::wire::DatacastKind::kOther);
  assert_string_equal(msn::without_stamp("<msnobj A=\"1\" STAMP=\"x\"/>").c_str(),
                      "<msnobj A=\"1\"/>");
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_wink_fetched_and_unpacked, setup, teardown),
      cmocka_unit_test_setup_teardown(test_voice_clip_fetched_and_decoded, setup, teardown),
      cmocka_unit_test_setup_teardown(test_same_object_twice_fetched_once, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unreadable_and_declined_are_unavailable, setup,
                                      teardown),
      cmocka_unit_test_setup_teardown(test_sender_capped, setup, teardown),
      cmocka_unit_test(test_datacast_reading),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
