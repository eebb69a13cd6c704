// SPDX-License-Identifier: GPL-2.0-or-later
// The display-picture manager (session/picture_manager.h): two of them, alice and bob, wired
// to each other packet by packet on the fake clock. Fetching and serving, the queue limit and
// pacing, the timeout and the one retry, wrong data, a picture changed or a switchboard lost
// during a fetch, and the 603 for an object that is not ours.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "p2p/header.h"
#include "p2p/msn_object.h"
#include "session/picture_manager.h"
#include "support/counting_random.h"

namespace {

using msn::PictureManager;
using msn::TimePoint;
namespace ev = msn::ev;

constexpr const char* kAlice = "alice@example.com";
constexpr const char* kBob = "bob@example.com";

std::string picture(char seed, std::size_t size = 3000) {
  std::string data;
  for (std::size_t i = 0; i < size; ++i) data.push_back(static_cast<char>(seed + i * 7));
  return data;
}

// Deterministic "random" bytes: a counter, different for each manager.
using msn::test::counter;

bool is_invite(const PictureManager::Packet& packet) {
  auto parsed = msn::p2p::parse_switchboard_body(packet.body);
  return parsed && parsed->header.session_id == 0 && parsed->data.rfind("INVITE ", 0) == 0;
}

bool is_decline(const PictureManager::Packet& packet) {
  auto parsed = msn::p2p::parse_switchboard_body(packet.body);
  return parsed && parsed->data.find("603 Decline") != std::string::npos;
}

struct World {
  TimePoint now{};
  PictureManager alice{msn::PictureConfig{.account = kAlice}, counter(1)};
  PictureManager bob{msn::PictureConfig{.account = kBob}, counter(100000)};
  std::vector<msn::Event> alice_events;
  int invites_to_bob = 0;
  int declines_to_alice = 0;
  // Decides whether a packet reaches the other side (tests drop or damage some).
  std::function<bool(PictureManager::Packet&, bool to_bob)> wire = [](auto&, bool) { return true; };

  void collect() {
    for (auto& event : alice.take_events()) alice_events.push_back(std::move(event));
    bob.take_events();
  }
  // Moves packets both ways until nothing moves.
  void deliver() {
    for (int round = 0; round < 1000; ++round) {
      auto to_bob = alice.take_packets();
      auto to_alice = bob.take_packets();
      if (to_bob.empty() && to_alice.empty()) break;
      for (auto& packet : to_bob) {
        assert_string_equal(packet.peer.c_str(), kBob);
        if (is_invite(packet)) ++invites_to_bob;
        if (wire(packet, true)) bob.on_packet(kAlice, packet.body, now);
      }
      for (auto& packet : to_alice) {
        if (is_decline(packet)) ++declines_to_alice;
        if (wire(packet, false)) alice.on_packet(kBob, packet.body, now);
      }
    }
    collect();
  }
  void advance(msn::Duration by) {
    now += by;
    alice.on_timer(now);
    bob.on_timer(now);
    deliver();
  }
  // Alice learns bob's current object (NLN) as bob announces it.
  void announce_bob() {
    alice.on_presence(
        ev::PresenceChanged{kBob, msn::PresenceStatus::kOnline, "Bob", 0, bob.own_msn_object()},
        now);
    collect();
  }
  std::vector<ev::ContactPictureChanged> changes() const {
    std::vector<ev::ContactPictureChanged> out;
    for (const auto& event : alice_events) {
      if (const auto* c = std::get_if<ev::ContactPictureChanged>(&event)) out.push_back(*c);
    }
    return out;
  }
  std::vector<const ev::ContactPictureReceived*> received() const {
    std::vector<const ev::ContactPictureReceived*> out;
    for (const auto& event : alice_events) {
      if (const auto* r = std::get_if<ev::ContactPictureReceived>(&event)) out.push_back(r);
    }
    return out;
  }
};

World& world(void** state) { return *static_cast<World*>(*state); }

void test_fetch_and_serve(void** state) {
  World& w = world(state);
  const std::string data = picture('a');
  assert_true(w.bob.set_own_picture(data).is_ok());
  assert_true(w.bob.own_msn_object().find("SHA1D=\"" + msn::p2p::compute_sha1d(data)) !=
              std::string::npos);
  w.announce_bob();
  const auto changes = w.changes();
  assert_int_equal(changes.size(), 1);
  const std::string sha1d = changes[0].sha1d.value_or("");
  assert_string_equal(sha1d.c_str(), msn::p2p::compute_sha1d(data).c_str());
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  const auto got = w.received();
  assert_int_equal(got.size(), 1);
  assert_true(got[0]->data == data);
  assert_string_equal(got[0]->sha1d.c_str(), sha1d.c_str());
  assert_int_equal(w.invites_to_bob, 1);
  assert_int_equal(w.alice.running_fetches(), 0);
  // The same object announced again asks for nothing.
  w.alice_events.clear();
  w.announce_bob();
  assert_true(w.changes().empty());
}

void test_queue_limit_and_pacing(void** state) {
  World& w = world(state);
  assert_true(w.bob.set_own_picture(picture('b')).is_ok());
  for (int i = 0; i < 5; ++i) {
    const std::string who = "c" + std::to_string(i) + "@example.com";
    w.alice.on_presence(
        ev::PresenceChanged{who, msn::PresenceStatus::kOnline, "C", 0, w.bob.own_msn_object()},
        w.now);
    assert_true(w.alice.fetch(who, w.now).is_ok());
  }
  // One starts at once, the next after the pace; never more than two run.
  assert_int_equal(w.alice.running_fetches(), 1);
  w.now += std::chrono::seconds(1);
  w.alice.on_timer(w.now);
  assert_int_equal(w.alice.running_fetches(), 2);
  w.now += std::chrono::seconds(1);
  w.alice.on_timer(w.now);
  assert_int_equal(w.alice.running_fetches(), 2);
  assert_int_equal(w.alice.queued_fetches(), 3);
}

void test_timeout_retried_once(void** state) {
  World& w = world(state);
  assert_true(w.bob.set_own_picture(picture('c')).is_ok());
  w.announce_bob();
  w.wire = [](auto&, bool) { return false; };  // bob never hears anything
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  assert_int_equal(w.invites_to_bob, 1);
  w.advance(msn::p2p::kAnswerTimeout);
  assert_int_equal(w.invites_to_bob, 2);  // tried once more
  w.advance(msn::p2p::kAnswerTimeout);
  w.advance(msn::p2p::kAnswerTimeout);
  assert_int_equal(w.invites_to_bob, 2);  // and then given up
  assert_int_equal(w.alice.running_fetches() + w.alice.queued_fetches(), 0);
  assert_true(w.received().empty());
}

void test_wrong_data_discarded(void** state) {
  World& w = world(state);
  assert_true(w.bob.set_own_picture(picture('d')).is_ok());
  w.announce_bob();
  // One byte of the picture changes on the way.
  w.wire = [](PictureManager::Packet& packet, bool to_bob) {
    if (!to_bob && !packet.signalling && packet.body.size() > 200) packet.body[100] ^= 1;
    return true;
  };
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  w.advance(msn::p2p::kAnswerTimeout);
  assert_true(w.received().empty());
  assert_int_equal(w.invites_to_bob, 1);  // wrong data is not asked for again
  assert_int_equal(w.alice.running_fetches() + w.alice.queued_fetches(), 0);
}

void test_changed_while_fetching(void** state) {
  World& w = world(state);
  const std::string old_data = picture('e');
  const std::string new_data = picture('f', 2000);
  assert_true(w.bob.set_own_picture(old_data).is_ok());
  w.announce_bob();
  // Bob's answer and data are held back while bob changes his picture.
  std::vector<std::string> held;
  w.wire = [&held](PictureManager::Packet& packet, bool to_bob) {
    if (to_bob) return true;
    held.push_back(packet.body);
    return false;
  };
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  assert_true(w.bob.set_own_picture(new_data).is_ok());  // the running send keeps old data
  w.announce_bob();
  w.wire = [](auto&, bool) { return true; };
  for (const auto& body : held) w.alice.on_packet(kBob, body, w.now);
  w.deliver();
  assert_true(w.received().empty());   // the old picture arrived, and was not shown
  w.advance(std::chrono::seconds(1));  // the next fetch starts after the pace
  const auto got = w.received();
  assert_int_equal(got.size(), 1);
  assert_true(got[0]->data == new_data);  // the old picture was never shown
  assert_int_equal(w.invites_to_bob, 2);
}

void test_switchboard_lost_mid_way(void** state) {
  World& w = world(state);
  const std::string data = picture('g', 20000);
  assert_true(w.bob.set_own_picture(data).is_ok());
  w.announce_bob();
  int data_packets = 0;
  w.wire = [&data_packets](PictureManager::Packet& packet, bool to_bob) {
    if (to_bob || packet.signalling) return true;
    return ++data_packets <= 3;  // the switchboard closes after a few chunks
  };
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  assert_true(w.received().empty());
  w.wire = [](auto&, bool) { return true; };
  w.bob.on_carrier_lost(kAlice, w.now);
  w.alice.on_carrier_lost(kBob, w.now);
  w.advance(std::chrono::seconds(1));
  const auto got = w.received();
  assert_int_equal(got.size(), 1);
  assert_true(got[0]->data == data);
  assert_int_equal(w.invites_to_bob, 2);
}

void test_unknown_object_declined(void** state) {
  World& w = world(state);
  // Alice asks for an object bob does not have (he has no picture at all).
  PictureManager other{msn::PictureConfig{.account = kBob}, counter(7)};
  assert_true(other.set_own_picture(picture('h')).is_ok());
  w.alice.on_presence(
      ev::PresenceChanged{kBob, msn::PresenceStatus::kOnline, "Bob", 0, other.own_msn_object()},
      w.now);
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.deliver();
  assert_int_equal(w.declines_to_alice, 1);
  assert_int_equal(w.bob.running_sends(), 0);
  assert_true(w.received().empty());
  assert_int_equal(w.alice.running_fetches() + w.alice.queued_fetches(), 0);
  // With a picture of his own, an INVITE for another object is still declined.
  assert_true(w.bob.set_own_picture(picture('i')).is_ok());
  w.alice.on_presence(ev::PresenceChanged{kBob, msn::PresenceStatus::kOnline, "Bob", 0, {}}, w.now);
  w.alice.on_presence(
      ev::PresenceChanged{kBob, msn::PresenceStatus::kOnline, "Bob", 0, other.own_msn_object()},
      w.now);
  assert_true(w.alice.fetch(kBob, w.now).is_ok());
  w.advance(std::chrono::seconds(1));
  assert_int_equal(w.declines_to_alice, 2);
}

void test_removed_picture_clears(void** state) {
  World& w = world(state);
  assert_true(w.bob.set_own_picture(picture('j')).is_ok());
  w.announce_bob();
  w.alice_events.clear();
  assert_true(w.bob.set_own_picture("").is_ok());
  assert_true(w.bob.own_msn_object().empty());
  w.announce_bob();
  const auto changes = w.changes();
  assert_int_equal(changes.size(), 1);
  assert_false(changes[0].sha1d.has_value());
  assert_false(w.alice.fetch(kBob, w.now).is_ok());
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      MSN_OWNED_TEST(test_fetch_and_serve, World),
      MSN_OWNED_TEST(test_queue_limit_and_pacing, World),
      MSN_OWNED_TEST(test_timeout_retried_once, World),
      MSN_OWNED_TEST(test_wrong_data_discarded, World),
      MSN_OWNED_TEST(test_changed_while_fetching, World),
      MSN_OWNED_TEST(test_switchboard_lost_mid_way, World),
      MSN_OWNED_TEST(test_unknown_object_declined, World),
      MSN_OWNED_TEST(test_removed_picture_clears, World),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
