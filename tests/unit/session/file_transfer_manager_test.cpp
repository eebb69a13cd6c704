// SPDX-License-Identifier: GPL-2.0-or-later
// File transfers (session/file_transfer_manager.h) between two sign-ins, alice and bob, each a
// picture manager (the links) with a file transfer manager on it, wired packet by packet on
// the fake clock: a file byte for byte with the engine never holding more than a few chunks,
// decline, cancel by either side mid-way, a lost switchboard, time-outs, data that breaks the
// rules cut off, the caps, and a direct-connection offer answered "not listening"; with
// direct connections on, the file over a fake socket pair, and the switchboard when the
// connect is refused or no socket comes in time.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cmocka_cpp.h"
#include "p2p/file_context.h"
#include "p2p/header.h"
#include "p2p/slp.h"
#include "p2p/transport.h"
#include "session/file_transfer_manager.h"
#include "session/picture_manager.h"
#include "support/counting_random.h"

namespace {

using msn::FileTransferManager;
using msn::PictureManager;
using msn::TimePoint;
namespace ev = msn::ev;
namespace p2p = msn::p2p;

constexpr const char* kAlice = "alice@example.com";
constexpr const char* kBob = "bob@example.com";

using msn::test::counter;

std::string file_bytes(std::size_t size) {
  std::string data;
  for (std::size_t i = 0; i < size; ++i) data.push_back(static_cast<char>(i * 131 + i / 977));
  return data;
}

// One side: its links, its files, what its UI saw, and how its UI answers.
struct Side {
  Side(const char* account, unsigned seed)
      : pictures(msn::PictureConfig{.account = account}, counter(seed)),
        files(msn::FileConfig{}, counter(seed + 50000)) {
    pictures.set_application(&files);
    files.set_links(&pictures);
  }
  PictureManager pictures;
  FileTransferManager files;
  std::vector<msn::Event> events;
  std::string outgoing;         // the file it sends (its "disk")
  std::string incoming;         // what FileData wrote
  std::size_t largest_ask = 0;  // bytes asked of the UI at once
  bool auto_accept = true;
  std::optional<ev::FileTransferId> offered;

  template <typename T>
  std::vector<T> all() const {
    std::vector<T> out;
    for (const auto& e : events)
      if (const T* t = std::get_if<T>(&e)) out.push_back(*t);
    return out;
  }
};

struct World {
  TimePoint now{};
  Side alice{kAlice, 1};
  Side bob{kBob, 100000};
  std::size_t room = 8;                       // the bridge's room per round
  std::vector<p2p::Packet> to_bob, to_alice;  // every packet, parsed
  // Decides whether a packet reaches the other side (tests drop or alter some).
  std::function<bool(p2p::Packet&, bool to_bob)> wire = [](auto&, bool) { return true; };

  // Whether the UI gave data (the next pump has something to send).
  bool ui(Side& side) {
    bool gave = false;
    for (auto& event : side.files.take_events()) {
      if (const auto* wanted = std::get_if<ev::FileDataWanted>(&event)) {
        gave = true;
        side.largest_ask = std::max(side.largest_ask, wanted->max_len);
        assert_true(side.files
                        .provide_data(wanted->id,
                                      side.outgoing.substr(wanted->offset, wanted->max_len), now)
                        .is_ok());
      } else if (const auto* data = std::get_if<ev::FileData>(&event)) {
        assert_int_equal(data->offset, side.incoming.size());
        side.incoming += data->bytes;
      } else if (const auto* offered = std::get_if<ev::FileOffered>(&event)) {
        side.offered = offered->id;
        if (side.auto_accept) assert_true(side.files.accept(offered->id, now).is_ok());
      }
      side.events.push_back(std::move(event));
    }
    return gave;
  }

  bool carry(Side& from, Side& to, bool towards_bob) {
    auto packets = from.pictures.take_packets();
    for (auto& packet : packets) {
      auto parsed = p2p::parse_switchboard_body(packet.body);
      assert_true(parsed.is_ok());
      if (!wire(*parsed, towards_bob)) continue;
      (towards_bob ? to_bob : to_alice).push_back(*parsed);
      to.pictures.on_packet(towards_bob ? kAlice : kBob, p2p::serialize_switchboard_body(*parsed),
                            now);
    }
    return !packets.empty();
  }

  void pump(int rounds = 100000) {
    for (int i = 0; i < rounds; ++i) {
      alice.files.pump([this](std::string_view) { return room; }, now);
      bob.files.pump([this](std::string_view) { return room; }, now);
      ui(alice);
      ui(bob);
      const bool moved = carry(alice, bob, true) | carry(bob, alice, false);
      ui(alice);
      ui(bob);
      if (!moved) return;
    }
  }

  ev::FileTransferId offer(std::size_t size, std::string name = "report.pdf") {
    alice.outgoing = file_bytes(size);
    auto id = alice.files.send_file(kBob, name, size, now);
    assert_true(id.is_ok());
    return *id;
  }
};

std::optional<p2p::slp::Message> slp_of(const p2p::Packet& packet) {
  if (packet.header.session_id != 0 || packet.data.empty()) return std::nullopt;
  auto parsed = p2p::slp::parse(packet.data);
  if (!parsed) return std::nullopt;
  return *parsed;
}

bool saw_bye(const std::vector<p2p::Packet>& packets) {
  for (const auto& p : packets)
    if (auto m = slp_of(p); m && m->is_request() && m->method == "BYE") return true;
  return false;
}

void test_file_byte_for_byte(void** /*state*/) {
  World w;
  const std::size_t size = 10 * 1202 + 77;
  const auto id = w.offer(size,
                          "Gr\xC3\xBC\xC3\x9F"
                          "e.txt");
  w.pump();
  // The INVITE: file EUF-GUID, AppID 2, a session id that is neither 0 nor 64, a v2 Context.
  auto invite = slp_of(w.to_bob.front());
  assert_true(invite.has_value());
  auto request = p2p::slp::parse_session_request(*invite);
  assert_true(request.is_ok());
  assert_string_equal(request->euf_guid.c_str(), "{5D3E02AB-6190-11D3-BBBB-00C04F795683}");
  assert_int_equal(request->app_id, 2);
  assert_true(request->session_id != 0 && request->session_id != 64);
  auto offered = w.bob.all<ev::FileOffered>();
  assert_int_equal(offered.size(), 1);
  assert_string_equal(offered[0].name.c_str(),
                      "Gr\xC3\xBC\xC3\x9F"
                      "e.txt");
  assert_int_equal(offered[0].size, size);
  // The data: one message, 1202-byte chunks, flags 0x1000030, footer 2, TotalSize = size.
  std::size_t chunks = 0;
  std::uint32_t identifier = 0;
  for (const auto& p : w.to_bob) {
    if (p.header.session_id != request->session_id) continue;
    if (chunks == 0) identifier = p.header.identifier;
    assert_int_equal(p.header.identifier, identifier);
    assert_int_equal(p.header.flags, 0x1000030);
    assert_int_equal(p.footer, 2);
    assert_int_equal(p.header.total_size, size);
    assert_int_equal(p.header.offset, chunks * 1202);
    assert_int_equal(p.header.length, chunks < 10 ? 1202 : 77);
    ++chunks;
  }
  assert_int_equal(chunks, 11);
  assert_true(w.bob.incoming == w.alice.outgoing);
  // Bob ACKed the data once and closed with BYE; both completed.
  std::size_t acks = 0;
  for (const auto& p : w.to_alice)
    if (p.header.flags == p2p::flags::kAck && p.header.session_id == request->session_id) ++acks;
  assert_int_equal(acks, 1);
  assert_true(saw_bye(w.to_alice));
  assert_int_equal(w.alice.all<ev::FileCompleted>().size(), 1);
  assert_int_equal(w.alice.all<ev::FileCompleted>()[0].id, id);
  assert_int_equal(w.bob.all<ev::FileCompleted>().size(), 1);
  assert_true(w.alice.all<ev::FileEnded>().empty() && w.bob.all<ev::FileEnded>().empty());
  // Streaming: never more than the few chunks asked ahead.
  assert_true(w.alice.largest_ask <= msn::FileConfig{}.buffered_chunks * 1202);
  assert_int_equal(w.alice.files.running(), 0);
  assert_int_equal(w.bob.files.running(), 0);
  // Progress ends at the size on both sides.
  assert_int_equal(w.alice.all<ev::FileProgress>().back().bytes_done, size);
  assert_int_equal(w.bob.all<ev::FileProgress>().back().bytes_done, size);
}

void test_chunks_follow_the_bridge(void** /*state*/) {
  World w;
  w.offer(20 * 1202);
  w.room = 0;
  w.pump();
  assert_int_equal(w.bob.incoming.size(), 0);  // accepted, but the bridge took nothing
  w.room = 2;
  w.pump(1);
  assert_int_equal(w.bob.incoming.size(), 2 * 1202);
}

void test_decline(void** /*state*/) {
  World w;
  w.bob.auto_accept = false;
  const auto id = w.offer(5000);
  w.pump();
  assert_true(w.bob.offered.has_value());
  assert_true(w.bob.files.decline(*w.bob.offered, w.now).is_ok());
  w.pump();
  bool decline_with_sid = false;
  for (const auto& p : w.to_alice)
    if (auto m = slp_of(p); m && m->status_code == 603 && p2p::slp::session_id_field(*m))
      decline_with_sid = true;
  assert_true(decline_with_sid);
  auto ended = w.alice.all<ev::FileEnded>();
  assert_int_equal(ended.size(), 1);
  assert_int_equal(ended[0].id, id);
  assert_int_equal(static_cast<int>(ended[0].reason),
                   static_cast<int>(ev::FileEndReason::kDeclined));
  assert_int_equal(static_cast<int>(w.bob.all<ev::FileEnded>()[0].reason),
                   static_cast<int>(ev::FileEndReason::kCancelledByUs));
}

void cancel_midway(bool by_sender) {
  World w;
  const auto id = w.offer(100 * 1202);
  w.room = 3;
  w.pump(8);
  assert_true(w.bob.incoming.size() > 0 && w.bob.incoming.size() < 100 * 1202);
  if (by_sender) {
    assert_true(w.alice.files.cancel(id, w.now).is_ok());
  } else {
    assert_true(w.bob.offered.has_value());
    assert_true(w.bob.files.cancel(*w.bob.offered, w.now).is_ok());
  }
  w.pump();
  Side& canceller = by_sender ? w.alice : w.bob;
  Side& other = by_sender ? w.bob : w.alice;
  assert_int_equal(static_cast<int>(canceller.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kCancelledByUs));
  assert_int_equal(static_cast<int>(other.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kCancelledByPeer));
  assert_true(w.alice.all<ev::FileCompleted>().empty() && w.bob.all<ev::FileCompleted>().empty());
  assert_true(w.bob.incoming.size() < 100 * 1202);
  assert_true(saw_bye(by_sender ? w.to_bob : w.to_alice));
}

void test_cancel_by_sender(void** /*state*/) { cancel_midway(true); }
void test_cancel_by_receiver(void** /*state*/) { cancel_midway(false); }

void test_switchboard_lost(void** /*state*/) {
  World w;
  w.offer(100 * 1202);
  w.room = 3;
  w.pump(8);
  w.alice.pictures.on_carrier_lost(kBob, w.now);
  w.bob.pictures.on_carrier_lost(kAlice, w.now);
  w.pump();
  for (Side* side : {&w.alice, &w.bob}) {
    side->files.pump([](std::string_view) { return 0; }, w.now);
    w.ui(*side);
    assert_int_equal(side->all<ev::FileEnded>().size(), 1);
    assert_int_equal(static_cast<int>(side->all<ev::FileEnded>()[0].reason),
                     static_cast<int>(ev::FileEndReason::kConnectionLost));
    assert_int_equal(side->files.running(), 0);
  }
}

void test_timeouts(void** /*state*/) {
  World w;
  w.wire = [](p2p::Packet&, bool to_bob) { return !to_bob; };  // the INVITE never arrives
  w.offer(5000);
  w.pump();
  w.now += msn::seconds(59);
  w.alice.files.on_timer(w.now);
  w.ui(w.alice);
  assert_true(w.alice.all<ev::FileEnded>().empty());
  w.now += msn::seconds(1);
  w.alice.files.on_timer(w.now);
  w.ui(w.alice);
  assert_int_equal(static_cast<int>(w.alice.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kTimeout));
  // No progress after accepting: the receiver gives up too.
  World v;
  v.offer(50 * 1202);
  v.room = 2;
  v.pump(4);
  v.wire = [](p2p::Packet&, bool) { return false; };
  v.now += msn::seconds(61);
  v.bob.files.on_timer(v.now);
  v.ui(v.bob);
  assert_int_equal(static_cast<int>(v.bob.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kTimeout));
}

void test_bad_data_cut_off(void** /*state*/) {
  // A TotalSize other than the announced size: more bytes than announced are never taken.
  World w;
  w.wire = [](p2p::Packet& p, bool to_bob) {
    if (to_bob && p.header.session_id != 0 && p.header.offset == 1202) p.header.total_size += 1000;
    return true;
  };
  // Two chunks per round: alice hears bob's BYE before her last byte (a BYE after it would be
  // a receiver that does not ACK saying it has everything).
  w.room = 2;
  w.offer(5 * 1202);
  w.pump();
  assert_int_equal(w.bob.incoming.size(), 1202);
  assert_int_equal(static_cast<int>(w.bob.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kBadData));
  assert_int_equal(static_cast<int>(w.alice.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kCancelledByPeer));
  // A gap: a chunk dropped on the way.
  World g;
  g.wire = [](p2p::Packet& p, bool to_bob) {
    return !(to_bob && p.header.session_id != 0 && p.header.offset == 2 * 1202);
  };
  g.offer(5 * 1202);
  g.pump();
  assert_int_equal(g.bob.incoming.size(), 2 * 1202);
  assert_int_equal(static_cast<int>(g.bob.all<ev::FileEnded>().at(0).reason),
                   static_cast<int>(ev::FileEndReason::kBadData));
}

void test_duplicate_ignored(void** /*state*/) {
  World w;
  std::optional<p2p::Packet> first;
  w.wire = [&](p2p::Packet& p, bool to_bob) {
    if (to_bob && p.header.session_id != 0 && p.header.offset == 0) first = p;
    return true;
  };
  w.offer(3 * 1202);
  w.room = 1;
  for (int i = 0; i < 20 && !first; ++i) w.pump(1);
  assert_true(first.has_value());
  assert_true(w.bob.incoming.size() < w.alice.outgoing.size());
  const std::string body = p2p::serialize_switchboard_body(*first);
  w.bob.pictures.on_packet(kAlice, body, w.now);  // the switchboard delivered it twice
  w.room = 8;
  w.pump();
  assert_true(w.bob.incoming == w.alice.outgoing);
  assert_int_equal(w.bob.all<ev::FileCompleted>().size(), 1);
}

void test_caps(void** /*state*/) {
  World w;
  w.bob.auto_accept = false;
  for (int i = 0; i < 4; ++i) w.offer(100);
  auto fifth = w.alice.files.send_file(kBob, "x", 1, w.now);
  assert_false(fifth.is_ok());
  assert_int_equal(static_cast<int>(fifth.error().code), static_cast<int>(msn::Errc::kLimit));
  w.pump();
  assert_int_equal(w.bob.all<ev::FileOffered>().size(), 4);
  // A fifth INVITE from alice (another engine that allows more) gets 603 from bob.
  msn::FileTransferManager other{msn::FileConfig{.max_per_peer = 8}, counter(777)};
  msn::PictureManager other_links{msn::PictureConfig{.account = kAlice}, counter(778)};
  other_links.set_application(&other);
  other.set_links(&other_links);
  assert_true(other.send_file(kBob, "y", 1, w.now).is_ok());
  for (auto& packet : other_links.take_packets())
    w.bob.pictures.on_packet(kAlice, packet.body, w.now);
  w.ui(w.bob);
  assert_int_equal(w.bob.all<ev::FileOffered>().size(), 4);
  bool declined = false;
  for (auto& packet : w.bob.pictures.take_packets()) {
    auto parsed = p2p::parse_switchboard_body(packet.body);
    if (parsed && parsed->data.find("603 Decline") != std::string::npos) declined = true;
  }
  assert_true(declined);
}

void test_transport_request_not_listening(void** /*state*/) {
  World w;
  w.bob.auto_accept = false;
  w.offer(100);
  w.pump();
  auto invite = slp_of(w.to_bob.front());
  assert_true(invite.has_value());
  // Bob (as WLM would) offers a direct connection on the session's Call-ID; alice answers.
  auto transreq = p2p::slp::make_invite(kAlice, kBob, "{AAAAAAAA-0000-0000-0000-000000000001}",
                                        invite->call_id, p2p::slp::content_type::kTransportRequest,
                                        {{"Bridges", "TCPv1"},
                                         {"NetID", "0"},
                                         {"Conn-Type", "Direct-Connect"},
                                         {"UPnPNat", "false"},
                                         {"ICF", "false"}});
  p2p::Link* link = w.bob.pictures.link(kAlice);
  link->send(0, 0, 0, p2p::slp::serialize(transreq));
  w.bob.pictures.flush_link(kAlice);
  const std::size_t before = w.to_alice.size();
  w.pump();
  bool answered = false;
  for (std::size_t i = before; i < w.to_bob.size(); ++i) {
    auto m = slp_of(w.to_bob[i]);
    if (m && m->status_code == 200 &&
        m->content_type == p2p::slp::content_type::kTransportResponse &&
        m->field("Listening") == std::optional<std::string_view>("false"))
      answered = true;
  }
  assert_true(answered);
}

// Both sides allow direct connections; their sockets meet in this fake network: a Listen
// gets a port (unless `answer_listen` is false), a Connect to it is accepted (unless
// `refuse`), bytes go straight across and count in dc_bytes.
struct DcWorld : World {
  using End = std::pair<Side*, msn::ConnectionId>;
  msn::ConnectionIds alice_ids, bob_ids;
  bool answer_listen = true;
  bool refuse = false;
  std::uint16_t next_port = 5000;
  std::map<std::uint16_t, End> listeners;
  std::map<End, End> peer_of;
  std::size_t dc_bytes = 0;
  // The connection breaks once this many bytes crossed it: the next `lost_sends` sends vanish
  // (in flight when it broke), then the receiver's end closes, and the sender's too unless
  // `sender_notices` is false (its writes then go nowhere until it gives the socket up).
  std::optional<std::size_t> break_after;
  int lost_sends = 5;
  bool sender_notices = true;

  DcWorld() {
    alice.files.enable_direct(&alice_ids, true);
    bob.files.enable_direct(&bob_ids, true);
  }

  bool sockets(Side& side) {
    auto outputs = side.files.direct().take_outputs();
    for (auto& output : outputs) {
      if (const auto* listen = std::get_if<msn::out::Listen>(&output)) {
        if (!answer_listen) continue;
        const std::uint16_t port = next_port++;
        listeners[port] = End{&side, listen->conn};
        side.files.direct().on_listening(listen->conn, {{"192.0.2.7"}, port, {"192.0.2.7"}, port},
                                         now);
      } else if (const auto* connect = std::get_if<msn::out::Connect>(&output)) {
        const auto it = listeners.find(connect->port);
        if (refuse || it == listeners.end() || connect->host != "192.0.2.7") {
          side.files.direct().on_closed(connect->conn, now);
          continue;
        }
        const End there = it->second;
        listeners.erase(it);
        peer_of[End{&side, connect->conn}] = there;
        peer_of[there] = End{&side, connect->conn};
        there.first->files.direct().on_connected(there.second, now);
        side.files.direct().on_connected(connect->conn, now);
      } else if (const auto* send = std::get_if<msn::out::Send>(&output)) {
        const auto it = peer_of.find(End{&side, send->conn});
        if (it == peer_of.end()) continue;
        if (break_after && dc_bytes >= *break_after && breaks(side, send->conn)) continue;
        dc_bytes += send->bytes.size();
        it->second.first->files.direct().on_data(it->second.second, send->bytes, now);
        side.files.direct().on_drained(send->conn);
      } else if (const auto* close = std::get_if<msn::out::Close>(&output)) {
        const auto it = peer_of.find(End{&side, close->conn});
        if (it == peer_of.end()) continue;
        const End there = it->second;
        peer_of.erase(it);
        peer_of.erase(there);
        there.first->files.direct().on_closed(there.second, now);
      }
    }
    auto received = side.files.direct().take_received();
    for (auto& r : received)
      side.pictures.on_packet(r.peer, p2p::serialize_switchboard_body(r.packet), now);
    return !outputs.empty() || !received.empty();
  }

  // A send lost to the break (true), or the one that goes through once it is over.
  bool breaks(Side& side, msn::ConnectionId conn) {
    if (lost_sends-- > 0) return true;
    break_after.reset();
    const End mine{&side, conn};
    const End there = peer_of.at(mine);
    peer_of.erase(mine);
    peer_of.erase(there);
    there.first->files.direct().on_closed(there.second, now);
    if (sender_notices) side.files.direct().on_closed(conn, now);
    return true;
  }

  void run(int rounds = 100000) {
    for (int i = 0; i < rounds; ++i) {
      alice.files.pump([this](std::string_view) { return room; }, now);
      bob.files.pump([this](std::string_view) { return room; }, now);
      bool moved = ui(alice) | ui(bob);
      moved |= carry(alice, bob, true) | carry(bob, alice, false);
      moved |= sockets(alice) | sockets(bob);
      moved |= ui(alice) | ui(bob);
      if (!moved) return;
    }
  }

  void later(msn::Duration d) {
    now += d;
    alice.files.on_timer(now);
    bob.files.on_timer(now);
    run();
  }

  std::size_t sb_data_bytes() const {
    std::size_t n = 0;
    for (const auto& p : to_bob)
      if (p.header.session_id != 0 && p.header.flags != p2p::flags::kAck) n += p.header.length;
    return n;
  }
};

void assert_completed(DcWorld& w) {
  assert_true(w.bob.incoming == w.alice.outgoing);
  assert_int_equal(w.alice.all<ev::FileCompleted>().size(), 1);
  assert_int_equal(w.bob.all<ev::FileCompleted>().size(), 1);
  assert_true(w.alice.all<ev::FileEnded>().empty() && w.bob.all<ev::FileEnded>().empty());
}

void test_direct_connection_carries_the_file(void** /*state*/) {
  DcWorld w;
  const std::size_t size = 300 * 1024 + 5;
  w.offer(size);
  w.run();
  assert_completed(w);
  // Every data byte went over the socket (in 1352-byte packets), none over the switchboard.
  assert_int_equal(w.sb_data_bytes(), 0);
  assert_true(w.dc_bytes > size);
}

void test_refused_connection_falls_back(void** /*state*/) {
  DcWorld w;
  w.refuse = true;
  const std::size_t size = 50 * 1024;
  w.offer(size);
  w.run();
  assert_completed(w);
  assert_int_equal(w.sb_data_bytes(), size);
  assert_int_equal(w.dc_bytes, 0);
}

void test_no_socket_in_time_falls_back(void** /*state*/) {
  DcWorld w;
  w.answer_listen = false;
  const std::size_t size = 20 * 1024;
  w.offer(size);
  w.run();
  assert_true(w.bob.incoming.empty());  // the data waits for the connection
  w.later(msn::seconds(5));
  assert_completed(w);
  assert_int_equal(w.sb_data_bytes(), size);
}

// The offsets of the NAKs among `packets`.
std::vector<std::uint64_t> naks(const std::vector<p2p::Packet>& packets) {
  std::vector<std::uint64_t> out;
  for (const auto& p : packets)
    if (p.header.flags == p2p::flags::kNak) out.push_back(p.header.ack_size);
  return out;
}

// The connection breaks with bytes in flight: bob says what he holds, alice goes on from there
// over the switchboard, and the file arrives whole with nobody told of the break.
void test_broken_connection_goes_on_over_the_switchboard(void** /*state*/) {
  for (const bool sender_notices : {true, false}) {
    DcWorld w;
    w.break_after = 100 * 1024;
    w.sender_notices = sender_notices;
    const std::size_t size = 300 * 1024 + 5;
    w.offer(size);
    w.run();
    // Bob held what crossed before the lost sends (the handshake and headers aside).
    const auto held = naks(w.to_alice);
    assert_int_equal(held.size(), 1);
    assert_true(held[0] >= 90 * 1024 && held[0] < 100 * 1024);
    assert_completed(w);
    // What bob held did not come again; the rest came over the switchboard.
    assert_int_equal(w.sb_data_bytes(), size - held[0]);
  }
}

// A peer that never says where to go on (or never goes on): after kFileResumeWait both ends
// give up as a lost connection, and nothing is reported complete.
void test_broken_connection_without_resume_ends(void** /*state*/) {
  DcWorld w;
  w.break_after = 50 * 1024;
  w.wire = [](p2p::Packet& p, bool) { return p.header.flags != p2p::flags::kNak; };
  w.offer(200 * 1024);
  w.run();
  w.later(msn::seconds(9));
  assert_true(w.alice.all<ev::FileEnded>().empty() && w.bob.all<ev::FileEnded>().empty());
  w.later(msn::seconds(1));
  for (Side* side : {&w.alice, &w.bob}) {
    assert_int_equal(side->all<ev::FileEnded>().size(), 1);
    assert_int_equal(static_cast<int>(side->all<ev::FileEnded>()[0].reason),
                     static_cast<int>(ev::FileEndReason::kConnectionLost));
    assert_true(side->all<ev::FileCompleted>().empty());
  }
  assert_true(w.bob.incoming == w.alice.outgoing.substr(0, w.bob.incoming.size()));
}

// The file data bytes alice sent over the switchboard (every chunk, resent ones included).
std::size_t file_bytes_sent(const World& w) {
  std::size_t n = 0;
  for (const auto& p : w.to_bob)
    if (p.header.flags == 0x1000030) n += p.header.length;
  return n;
}

// A receiver's NAK sends the sender back to the offset it names; a peer that keeps asking for
// the file again gets it a bounded number of times, then the transfer ends as its error.
void test_resumes_are_bounded(void** /*state*/) {
  DcWorld w;
  w.refuse = true;  // the file goes over the switchboard
  std::optional<p2p::Packet> data_ack;
  // Bob's ACK of the whole file, and all he sends after it (the BYE), never reach alice: she
  // waits for them with the file sent.
  w.wire = [&](p2p::Packet& p, bool to_bob) {
    if (to_bob) return true;
    if (!data_ack && p.header.session_id != 0 && p.header.flags == p2p::flags::kAck) data_ack = p;
    return !data_ack;
  };
  const std::size_t size = 3 * 1202;
  w.offer(size);
  w.run();
  assert_true(data_ack.has_value());
  assert_int_equal(file_bytes_sent(w), size);
  p2p::Packet nak = *data_ack;
  nak.header.flags = p2p::flags::kNak;
  nak.header.ack_size = 0;
  for (unsigned i = 1; i <= p2p::kMaxFileResumes; ++i) {
    w.alice.pictures.on_packet(kBob, p2p::serialize_switchboard_body(nak), w.now);
    w.run();
    assert_int_equal(file_bytes_sent(w), (i + 1) * size);
    assert_true(w.alice.all<ev::FileEnded>().empty());
  }
  w.alice.pictures.on_packet(kBob, p2p::serialize_switchboard_body(nak), w.now);
  w.run();
  assert_int_equal(file_bytes_sent(w), (p2p::kMaxFileResumes + 1) * size);
  assert_int_equal(w.alice.all<ev::FileEnded>().size(), 1);
  assert_int_equal(static_cast<int>(w.alice.all<ev::FileEnded>()[0].reason),
                   static_cast<int>(ev::FileEndReason::kPeerError));
}

}  // namespace

int main() {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_file_byte_for_byte),
      cmocka_unit_test(test_chunks_follow_the_bridge),
      cmocka_unit_test(test_decline),
      cmocka_unit_test(test_cancel_by_sender),
      cmocka_unit_test(test_cancel_by_receiver),
      cmocka_unit_test(test_switchboard_lost),
      cmocka_unit_test(test_timeouts),
      cmocka_unit_test(test_bad_data_cut_off),
      cmocka_unit_test(test_duplicate_ignored),
      cmocka_unit_test(test_caps),
      cmocka_unit_test(test_transport_request_not_listening),
      cmocka_unit_test(test_direct_connection_carries_the_file),
      cmocka_unit_test(test_refused_connection_falls_back),
      cmocka_unit_test(test_no_socket_in_time_falls_back),
      cmocka_unit_test(test_broken_connection_goes_on_over_the_switchboard),
      cmocka_unit_test(test_broken_connection_without_resume_ends),
      cmocka_unit_test(test_resumes_are_bounded),
  };
  return cmocka_run_group_tests(tests, nullptr, nullptr);
}
