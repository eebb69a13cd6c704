// SPDX-License-Identifier: GPL-2.0-or-later
// MSN objects other than display pictures (session/object_manager.h), on the picture
// managers' P2P links: alice and bob, wired packet by packet on the fake clock. An emoticon
// fetched with AppID 11 and checked, served only by SHA1D (603 otherwise), the Creator and
// size checks, one fetch per SHA1D, the 60 s time-out, and display pictures still answered by
// the picture manager.
#include <memory>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "p2p/msn_object.h"
#include "p2p/slp.h"
#include "p2p/transport.h"
#include "session/object_manager.h"
#include "session/picture_manager.h"
#include "support/counting_random.h"

namespace {

using msn::ObjectManager;
using msn::PictureManager;
using msn::TimePoint;
namespace ev = msn::ev;

constexpr const char* kAlice = "alice@example.com";
constexpr const char* kBob = "bob@example.com";

using msn::test::counter;

std::string image(char seed, std::size_t size) {
  std::string data = "\x89PNG";
  while (data.size() < size) data.push_back(static_cast<char>(seed + data.size() * 13));
  return data;
}

// What an INVITE asks for: its AppID and the Type in its Context (0 for none).
struct InviteSeen {
  std::uint32_t app_id = 0;
  std::uint32_t type = 0;
};

struct Side {
  explicit Side(const char* account, unsigned seed)
      : pictures(msn::PictureConfig{.account = account}, counter(seed)),
        objects(msn::ObjectConfig{.account = account}, counter(seed + 50000)) {
    pictures.add_application(&objects);
    objects.set_links(&pictures);
  }
  PictureManager pictures;
  ObjectManager objects;
  std::vector<msn::Event> events;
  void collect() {
    for (auto& e : pictures.take_events()) events.push_back(std::move(e));
    for (auto& e : objects.take_events()) events.push_back(std::move(e));
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

struct World {
  TimePoint now{};
  Side alice{kAlice, 1};
  Side bob{kBob, 100000};
  std::vector<InviteSeen> invites_to_bob;
  int declines_to_alice = 0;

  static void note(const std::string& body, std::vector<InviteSeen>* invites, int* declines) {
    auto packet = msn::p2p::parse_switchboard_body(body);
    if (!packet || packet->header.session_id != 0) return;
    if (packet->data.find("603 Decline") != std::string::npos && declines != nullptr) ++*declines;
    if (packet->data.rfind("INVITE ", 0) != 0 || invites == nullptr) return;
    auto slp = msn::p2p::slp::parse(packet->data);
    if (!slp) return;
    auto request = msn::p2p::slp::parse_session_request(*slp);
    if (!request) return;
    InviteSeen seen{request->app_id, 0};
    if (auto text = msn::p2p::decode_context(request->context)) {
      if (auto object = msn::p2p::parse_msn_object(*text)) seen.type = object->type;
    }
    invites->push_back(seen);
  }
  void deliver(bool drop_to_alice = false) {
    for (int round = 0; round < 1000; ++round) {
      auto to_bob = alice.pictures.take_packets();
      auto to_alice = bob.pictures.take_packets();
      if (to_bob.empty() && to_alice.empty()) break;
      for (auto& packet : to_bob) {
        note(packet.body, &invites_to_bob, nullptr);
        bob.pictures.on_packet(kAlice, packet.body, now);
      }
      for (auto& packet : to_alice) {
        note(packet.body, nullptr, &declines_to_alice);
        if (!drop_to_alice) alice.pictures.on_packet(kBob, packet.body, now);
      }
    }
    alice.collect();
    bob.collect();
  }
  void advance(msn::Duration by, bool drop_to_alice = false) {
    now += by;
    for (Side* side : {&alice, &bob}) {
      side->pictures.on_timer(now);
      side->objects.on_timer(now);
    }
    deliver(drop_to_alice);
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

void test_emoticon_fetched_and_served(void** state) {
  World& w = world(state);
  const std::string data = image('e', 2500);  // several chunks
  auto msnobj = w.bob.objects.add_own(msn::p2p::object_type::kEmoticon, data);
  assert_true(msnobj.is_ok());
  auto object = msn::p2p::parse_msn_object(*msnobj);
  assert_true(object.is_ok());
  assert_int_equal(object->type, 2);
  assert_string_equal(object->creator.c_str(), kBob);
  assert_true(w.alice.objects.fetch(kBob, *msnobj, w.now).is_ok());
  assert_true(w.alice.objects.fetch(kBob, *msnobj, w.now).is_ok());  // once per SHA1D
  w.deliver();
  const auto got = w.alice.of<ev::ObjectReceived>();
  assert_int_equal(got.size(), 1);
  assert_true(got[0].data == data);
  assert_string_equal(got[0].sha1d.c_str(), msn::p2p::compute_sha1d(data).c_str());
  assert_int_equal(got[0].type, 2);
  assert_int_equal(w.invites_to_bob.size(), 1);
  assert_int_equal(w.invites_to_bob[0].app_id, 11);
  assert_int_equal(w.alice.objects.running_fetches(), 0);
  assert_true(w.alice.of<ev::ObjectFetchFailed>().empty());
}

void test_unknown_object_declined(void** state) {
  World& w = world(state);
  const std::string ours = image('o', 300);
  assert_true(w.bob.objects.add_own(msn::p2p::object_type::kEmoticon, ours).is_ok());
  // An object bob never had, in his name: his manager declines it.
  const std::string other = msn::p2p::serialize(msn::p2p::make_msn_object(
      kBob, msn::p2p::object_type::kEmoticon, "x", "AAA=", image('x', 300)));
  assert_true(w.alice.objects.fetch(kBob, other, w.now).is_ok());
  w.deliver();
  assert_int_equal(w.declines_to_alice, 1);
  const auto failed = w.alice.of<ev::ObjectFetchFailed>();
  assert_int_equal(failed.size(), 1);
  assert_true(w.alice.of<ev::ObjectReceived>().empty());
  assert_int_equal(w.bob.objects.running_sends(), 0);
}

void test_fetch_refused_up_front(void** state) {
  World& w = world(state);
  const std::string data = image('r', 300);
  const auto make = [&](const char* creator, std::uint32_t type) {
    return msn::p2p::serialize(msn::p2p::make_msn_object(creator, type, "x", "AAA=", data));
  };
  // Someone else's Creator, a display picture, a type nothing fetches, garbage.
  for (const std::string& msnobj :
       {make(kAlice, 2), make(kBob, 3), make(kBob, 5), std::string("<msnobj/>")}) {
    auto status = w.alice.objects.fetch(kBob, msnobj, w.now);
    assert_false(status.is_ok());
    assert_int_equal(status.error().code, msn::Errc::kInvalidArgument);
  }
  // Over the emoticon bound.
  msn::p2p::MsnObject big = msn::p2p::make_msn_object(kBob, 2, "x", "AAA=", data);
  big.size = 128 * 1024 + 1;
  assert_false(w.alice.objects.fetch(kBob, msn::p2p::serialize(big), w.now).is_ok());
  assert_false(w.bob.objects.add_own(2, std::string(128 * 1024 + 1, 'x')).is_ok());
  assert_false(w.bob.objects.add_own(3, data).is_ok());
  assert_int_equal(w.alice.objects.queued_fetches() + w.alice.objects.running_fetches(), 0);
}

void test_no_answer_times_out(void** state) {
  World& w = world(state);
  const std::string data = image('t', 400);
  auto msnobj = w.bob.objects.add_own(2, data);
  assert_true(w.alice.objects.fetch(kBob, *msnobj, w.now).is_ok());
  w.deliver(true);  // bob's answers are lost
  assert_true(w.alice.of<ev::ObjectFetchFailed>().empty());
  w.advance(msn::seconds(59), true);
  assert_true(w.alice.of<ev::ObjectFetchFailed>().empty());
  w.advance(msn::seconds(2), true);
  assert_int_equal(w.alice.of<ev::ObjectFetchFailed>().size(), 1);
  assert_int_equal(w.alice.objects.running_fetches(), 0);
}

void test_display_pictures_unchanged(void** state) {
  World& w = world(state);
  const std::string data = image('p', 3000);
  assert_true(w.bob.pictures.set_own_picture(data).is_ok());
  assert_true(w.bob.objects.add_own(2, image('e', 200)).is_ok());
  w.alice.pictures.on_presence(ev::PresenceChanged{kBob, msn::PresenceStatus::kOnline, "Bob", 0,
                                                   w.bob.pictures.own_msn_object()},
                               w.now);
  assert_true(w.alice.pictures.fetch(kBob, w.now).is_ok());
  w.deliver();
  const auto got = w.alice.of<ev::ContactPictureReceived>();
  assert_int_equal(got.size(), 1);
  assert_true(got[0].data == data);
  assert_int_equal(w.invites_to_bob.size(), 1);
  assert_int_equal(w.invites_to_bob[0].type, 3);
  assert_int_equal(w.invites_to_bob[0].app_id, 1);
  assert_true(w.alice.of<ev::ObjectReceived>().empty());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_emoticon_fetched_and_served, setup, teardown),
      cmocka_unit_test_setup_teardown(test_unknown_object_declined, setup, teardown),
      cmocka_unit_test_setup_teardown(test_fetch_refused_up_front, setup, teardown),
      cmocka_unit_test_setup_teardown(test_no_answer_times_out, setup, teardown),
      cmocka_unit_test_setup_teardown(test_display_pictures_unchanged, setup, teardown),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
