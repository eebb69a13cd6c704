// SPDX-License-Identifier: GPL-2.0-or-later
// A self-contained driver for the fuzz targets that run the whole engine (msn::Client): it
// signs in against scripted notification-server answers and scripted web responses (RST, the
// membership list and the address book, all inline so the targets need no data files), keeps a
// fake clock, and then lets the target feed arbitrary bytes to whichever connection it wants.
// It checks what every input must leave true: no event after Disconnected, no password or
// ticket in a log line, user-visible strings in valid UTF-8. A broken invariant aborts.
// (Deliberately independent of the CMocka test support.)
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "fuzz_check.h"
#include "runtime/client.h"
#include "wire/mime_message.h"

namespace msn::fuzz {

constexpr std::string_view kAccount = "alice@example.com";
constexpr std::string_view kPassword = "s3cr3t-Passw0rd";
constexpr std::string_view kNsHost = "ns.example.net";
constexpr std::string_view kWebHost = "msn.example.net";
// The ticket part of the messenger token: must never show up in a log line.
constexpr std::string_view kTicketSecret = "FuzzTicketSecret7Q2";
constexpr std::string_view kNonce = "8CLhG/xfgYZ7TyRQ/jIAWyDmd/w4R4GF2yKLS6tYrnjzi4cFag/Nr+hxsfg5zlCf";

// Reads the fuzzer's bytes front to back; past the end every read gives zero / nothing.
class ByteReader {
 public:
  explicit ByteReader(std::string_view data) : rest_(data) {}
  std::uint8_t byte() {
    if (rest_.empty()) return 0;
    const auto b = static_cast<std::uint8_t>(rest_.front());
    rest_.remove_prefix(1);
    return b;
  }
  std::string_view take(std::size_t n) {
    const std::string_view out = rest_.substr(0, std::min(n, rest_.size()));
    rest_.remove_prefix(out.size());
    return out;
  }
  std::string_view rest() const { return rest_; }
  bool empty() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// MSN_FUZZ_TRACE=1 in the environment: every output and event kind goes to stderr, to see
// how far an input gets (run the target on one file).
inline bool tracing() {
  static const bool on = std::getenv("MSN_FUZZ_TRACE") != nullptr;
  return on;
}

inline std::string http_response(int status, std::string_view body) {
  return "HTTP/1.1 " + std::to_string(status) + " X\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\n\r\n" + std::string(body);
}

// ---- the scripted web answers of the sign-in ----------------------------------------------

inline std::string rst_token(std::string_view address, std::string_view ticket) {
  return "<wst:RequestSecurityTokenResponse><wst:TokenType>urn:passport:compact</wst:TokenType>"
         "<wsp:AppliesTo><wsa:EndpointReference><wsa:Address>" +
         std::string(address) +
         "</wsa:Address></wsa:EndpointReference></wsp:AppliesTo><wst:LifeTime>"
         "<wsu:Created>2008-06-01T12:00:00Z</wsu:Created><wsu:Expires>2008-06-02T12:00:00Z</wsu:Expires>"
         "</wst:LifeTime><wst:RequestedSecurityToken><wsse:BinarySecurityToken Id=\"Compact1\">t=" +
         std::string(ticket) +
         "&amp;p=</wsse:BinarySecurityToken></wst:RequestedSecurityToken><wst:RequestedProofToken>"
         "<wst:BinarySecret>Z1OQ3mCLbrkCGvfRX0V8Ly/nSsbmv4La</wst:BinarySecret></wst:RequestedProofToken>"
         "</wst:RequestSecurityTokenResponse>";
}

inline std::string rst_document() {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><S:Envelope "
         "xmlns:S=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:wst=\"http://schemas.xmlsoap.org/ws/2004/04/trust\" "
         "xmlns:wsse=\"http://schemas.xmlsoap.org/ws/2003/06/secext\" "
         "xmlns:wsu=\"http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd\" "
         "xmlns:wsp=\"http://schemas.xmlsoap.org/ws/2002/12/policy\" "
         "xmlns:wsa=\"http://schemas.xmlsoap.org/ws/2004/03/addressing\"><S:Header/><S:Body>"
         "<wst:RequestSecurityTokenResponseCollection>" +
         rst_token("contacts.msn.com", "ContactsFuzzTicket") + rst_token("messenger.msn.com", "OimFuzzTicket") +
         rst_token("messengerclear.live.com", kTicketSecret) +
         "</wst:RequestSecurityTokenResponseCollection></S:Body></S:Envelope>";
}

inline std::string ab_contact(std::string_view id, std::string_view email, std::string_view name,
                              std::string_view group) {
  return "<Contact><contactId>" + std::string(id) +
         "</contactId><contactInfo><contactType>Regular</contactType><quickName>" + std::string(name) +
         "</quickName><passportName>" + std::string(email) + "</passportName><displayName>" + std::string(name) +
         "</displayName><groupIds>" + (group.empty() ? std::string() : "<guid>" + std::string(group) + "</guid>") +
         "</groupIds><isMessengerUser>true</isMessengerUser></contactInfo><propertiesChanged /><fDeleted>false"
         "</fDeleted><lastChange>2008-06-01T12:00:00Z</lastChange></Contact>";
}

inline std::string address_book_document() {
  constexpr std::string_view kGroup = "7bd6a7a1-5f3e-4f7a-9a61-0c2f6a1d0e01";
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><ServiceHeader "
         "xmlns=\"http://www.msn.com/webservices/AddressBook\"><Version>12.03.1527.0001</Version><CacheKey>12r3:K"
         "</CacheKey><CacheKeyChanged>true</CacheKeyChanged><PreferredHostName>contacts.msn.com</PreferredHostName>"
         "</ServiceHeader></soap:Header><soap:Body><ABFindAllResponse "
         "xmlns=\"http://www.msn.com/webservices/AddressBook\"><ABFindAllResult><groups><Group><groupId>" +
         std::string(kGroup) +
         "</groupId><groupInfo><groupType>c8529ce2-6ead-434d-881f-341e17db3ff8</groupType><name>Friends</name>"
         "</groupInfo><fDeleted>false</fDeleted></Group></groups><contacts>" +
         ab_contact("aaaaaaaa-0000-0000-0000-000000000001", "bob@example.com", "Bob", kGroup) +
         ab_contact("aaaaaaaa-0000-0000-0000-000000000002", "carol@example.net", "Carol", "") +
         "</contacts><ab><abId>00000000-0000-0000-0000-000000000000</abId><abInfo><ownerEmail>alice@example.com"
         "</ownerEmail><fDefault>true</fDefault></abInfo><lastChange>2008-06-01T12:00:00Z</lastChange></ab>"
         "</ABFindAllResult></ABFindAllResponse></soap:Body></soap:Envelope>";
}

inline std::string member(std::string_view role, int n, std::string_view email) {
  return "<Member xsi:type=\"PassportMember\"><MembershipId>" + std::string(role) + "/" + std::to_string(n) +
         "</MembershipId><Type>Passport</Type><State>Accepted</State><Deleted>false</Deleted><PassportName>" +
         std::string(email) + "</PassportName></Member>";
}

inline std::string membership(std::string_view role, const std::string& members) {
  return "<Membership><MemberRole>" + std::string(role) + "</MemberRole><Members>" + members +
         "</Members><MembershipIsComplete>true</MembershipIsComplete></Membership>";
}

inline std::string membership_document() {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope "
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soap:Header><ServiceHeader "
         "xmlns=\"http://www.msn.com/webservices/AddressBook\"><Version>12.03.1527.0001</Version><CacheKey>12r3:K"
         "</CacheKey><CacheKeyChanged>true</CacheKeyChanged><PreferredHostName>contacts.msn.com</PreferredHostName>"
         "</ServiceHeader></soap:Header><soap:Body><FindMembershipResponse "
         "xmlns=\"http://www.msn.com/webservices/AddressBook\"><FindMembershipResult><Services><Service>"
         "<Memberships>" +
         membership("Allow", member("Allow", 1, "bob@example.com") + member("Allow", 2, "carol@example.net")) +
         membership("Block", member("Block", 3, "mallory@example.org")) +
         membership("Reverse", member("Reverse", 1, "bob@example.com") + member("Reverse", 2, "carol@example.net") +
                                   member("Reverse", 4, "dave@example.com")) +
         membership("Pending", member("Pending", 4, "dave@example.com")) +
         "</Memberships><Info><Handle><Id>2</Id><Type>Messenger</Type><ForeignId /></Handle></Info>"
         "<LastChange>2008-06-01T12:00:00Z</LastChange><Deleted>false</Deleted></Service></Services>"
         "</FindMembershipResult></FindMembershipResponse></soap:Body></soap:Envelope>";
}

// ---- the driver ---------------------------------------------------------------------------

class Driver {
 public:
  Driver() : client_(settings()) {
    client_.set_random_source([](std::size_t n) -> Result<std::string> { return std::string(n, '\x07'); });
  }

  static Settings settings() {
    Settings s;
    s.account = std::string(kAccount);
    s.password = std::string(kPassword);
    s.server = std::string(kNsHost);
    s.web_services_url = "https://" + std::string(kWebHost);
    return s;
  }

  // The fuzzer's whole input: a log line that only echoes it cannot leak a secret.
  void set_input(std::string_view input) {
    secrets_in_input_ = input.find("TicketSecret") != std::string_view::npos ||
                        input.find("Passw0rd") != std::string_view::npos;
  }

  Client& client() { return client_; }
  TimePoint now() const { return now_; }
  ConnectionId ns() const { return ns_; }
  bool signed_in() const { return signed_in_; }
  bool disconnected() const { return disconnected_; }
  // Web connections whose request was sent and which have no answer yet, oldest first.
  const std::vector<ConnectionId>& pending_web() const { return pending_web_; }
  // Switchboard connections opened (and connected) since sign-in, oldest first.
  const std::vector<ConnectionId>& switchboards() const { return switchboards_; }
  // Every byte the engine wrote on a connection since the last clear_sent().
  const std::string& sent(ConnectionId conn) { return sent_[conn]; }
  void clear_sent(ConnectionId conn) { sent_[conn].clear(); }

  // Signs in answering every NS command and web call the usual way. False if that failed
  // (a broken scripted server: the target aborts, as nothing it then fuzzes would be real).
  bool sign_in() {
    serving_ = true;
    client_.start(now_);
    collect();
    for (int step = 0; step < 200 && !signed_in_ && !disconnected_; ++step) {
      if (queue_.empty()) break;
      handle(pop());
    }
    // Whatever the sign-in still wrote after going online is answered too.
    for (int step = 0; step < 50 && !queue_.empty(); ++step) handle(pop());
    serving_ = false;
    return signed_in_ && !disconnected_;
  }

  // Starts signing in and answers nothing: the target plays the servers from the first byte.
  void start() {
    client_.start(now_);
    settle();
  }

  void feed(ConnectionId conn, std::string_view bytes) {
    client_.on_data(conn, bytes, now_);
    settle();
  }
  void close(ConnectionId conn) {
    forget(conn);
    client_.on_closed(conn, make_error(Errc::kTransport, "fuzz"), now_);
    settle();
  }
  void advance(Duration by) {
    now_ += by;
    client_.on_timer(now_);
    settle();
  }
  // Jumps to the engine's next deadline (if any, and if sooner than `at_most` away) and fires it.
  void fire_deadline(Duration at_most) {
    const auto deadline = client_.next_deadline();
    if (!deadline) return;
    if (*deadline > now_ + at_most) return;
    now_ = std::max(now_, *deadline);
    client_.on_timer(now_);
    settle();
  }
  // Answers the pending web call `conn` with these raw bytes (an HTTP response, or not).
  void answer_web(ConnectionId conn, std::string_view bytes) {
    pending_web_.erase(std::remove(pending_web_.begin(), pending_web_.end(), conn), pending_web_.end());
    feed(conn, bytes);
  }

  // Takes the outputs and events the engine produced and handles every output (connects are
  // reported connected at once). Bounded: an engine that kept producing would be a bug, caught
  // here as an abort rather than a hang.
  void settle() {
    collect();
    for (int step = 0; !queue_.empty(); ++step) {
      check(step < 100000);
      handle(pop());
    }
  }

  template <typename T>
  std::size_t count() const {
    return static_cast<std::size_t>(
        std::count_if(seen_.begin(), seen_.end(), [](const Event& e) { return std::holds_alternative<T>(e); }));
  }
  void forget_events() { seen_.clear(); }

 private:
  void collect() {
    for (auto& output : client_.take_outputs()) queue_.push_back(std::move(output));
    for (auto& event : client_.take_events()) {
      if (tracing()) trace(event);
      check_event(event);
      if (std::holds_alternative<ev::SignedIn>(event)) signed_in_ = true;
      if (seen_.size() < 4096) seen_.push_back(std::move(event));
    }
  }

  void check_event(const Event& event) {
    check(!disconnected_);  // "Nothing follows this event."
    if (std::holds_alternative<ev::Disconnected>(event)) disconnected_ = true;
    // (Unless the input itself carried them: received lines are logged, and the fuzzer learns
    // the strings from this very comparison.)
    if (const auto* log = std::get_if<ev::Log>(&event); log != nullptr && !secrets_in_input_) {
      check(log->text.find(kPassword) == std::string::npos);
      check(log->text.find(kTicketSecret) == std::string::npos);
    }
    std::visit([](const auto& e) { check_text(e); }, event);
  }

  // The strings a user sees must be UTF-8 (purple and GTK need it).
  static void utf8(const std::string& text) { check(wire::is_valid_utf8(text)); }
  static void check_view(const ev::ContactView& c) {
    utf8(c.display_name);
    utf8(c.nickname);
    for (const auto& g : c.groups) utf8(g);
  }
  template <typename E>
  static void check_text(const E& e) {
    if constexpr (std::is_same_v<E, ev::PresenceChanged>) {
      utf8(e.display_name);
    } else if constexpr (std::is_same_v<E, ev::StatusMessageChanged>) {
      utf8(e.personal_message);
      utf8(e.current_media);
    } else if constexpr (std::is_same_v<E, ev::OwnDisplayNameChanged>) {
      utf8(e.display_name);
    } else if constexpr (std::is_same_v<E, ev::MessageReceived>) {
      utf8(e.html);
      utf8(e.from_name);
    } else if constexpr (std::is_same_v<E, ev::AuthorizationRequested>) {
      utf8(e.display_name);
      utf8(e.invite_message);
    } else if constexpr (std::is_same_v<E, ev::ContactChanged>) {
      check_view(e.contact);
    } else if constexpr (std::is_same_v<E, ev::ContactListLoaded>) {
      for (const auto& c : e.contacts) check_view(c);
      for (const auto& g : e.groups) utf8(g);
    } else if constexpr (std::is_same_v<E, ev::ChatParticipantJoined>) {
      utf8(e.display_name);
    } else if constexpr (std::is_same_v<E, ev::GroupChanged>) {
      utf8(e.name);
    }
  }

  Output pop() {
    Output output = std::move(queue_.front());
    queue_.pop_front();
    return output;
  }

  void forget(ConnectionId conn) {
    pending_web_.erase(std::remove(pending_web_.begin(), pending_web_.end(), conn), pending_web_.end());
    switchboards_.erase(std::remove(switchboards_.begin(), switchboards_.end(), conn), switchboards_.end());
    web_.erase(conn);
  }

  static void trace(const Event& event) {
    if (const auto* log = std::get_if<ev::Log>(&event)) {
      std::fprintf(stderr, "  log: %s\n", log->text.c_str());
    } else {
      std::fprintf(stderr, "  event #%zu\n", event.index());
    }
  }
  static void trace(const Output& output) {
    if (const auto* c = std::get_if<out::Connect>(&output)) {
      std::fprintf(stderr, "connect %u %s:%u%s\n", c->conn, c->host.c_str(), c->port, c->tls ? " tls" : "");
    } else if (const auto* s = std::get_if<out::Send>(&output)) {
      std::fprintf(stderr, "send %u: %.*s\n", s->conn, static_cast<int>(std::min<std::size_t>(s->bytes.find('\r'), 100)),
                   s->bytes.c_str());
    } else if (const auto* l = std::get_if<out::Listen>(&output)) {
      std::fprintf(stderr, "listen %u\n", l->conn);
    } else {
      std::fprintf(stderr, "close %u\n", std::get<out::Close>(output).conn);
    }
  }

  void handle(Output output) {
    if (tracing()) trace(output);
    if (auto* listen = std::get_if<out::Listen>(&output)) {
      // Direct connections: no socket here, so the engine answers "not listening".
      client_.on_listen_failed(listen->conn, now_);
      collect();
      return;
    }
    if (auto* connect = std::get_if<out::Connect>(&output)) {
      if (connect->drain_reports) {  // a direct connection: refused
        client_.on_closed(connect->conn, make_error(Errc::kRefused, "refused"), now_);
        collect();
        return;
      }
      if (connect->tls) {
        web_.insert(connect->conn);
      } else if (connect->host == kNsHost || !signed_in_) {
        ns_ = connect->conn;
      } else {
        switchboards_.push_back(connect->conn);
      }
      client_.on_connected(connect->conn, now_);
      collect();
      return;
    }
    if (auto* close = std::get_if<out::Close>(&output)) {
      forget(close->conn);
      return;
    }
    auto& send = std::get<out::Send>(output);
    if (sent_[send.conn].size() < 65536) sent_[send.conn] += send.bytes;
    if (web_.count(send.conn) != 0) {
      if (serving_) return serve_web(send.conn, send.bytes);
      if (std::find(pending_web_.begin(), pending_web_.end(), send.conn) == pending_web_.end())
        pending_web_.push_back(send.conn);
      return;
    }
    if (serving_ && send.conn == ns_) serve_ns(send.bytes);
  }

  static std::vector<std::string> words(std::string_view line) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= line.size()) {
      const auto end = line.find(' ', start);
      out.emplace_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    return out;
  }

  void answer(std::string bytes) {
    client_.on_data(ns_, bytes, now_);
    collect();
  }

  void serve_ns(std::string_view bytes) {
    const std::string_view line = bytes.substr(0, bytes.find("\r\n"));
    const auto parts = words(line);
    const std::string& verb = parts[0];
    const std::string trid = parts.size() > 1 ? parts[1] : "0";
    if (verb == "VER") return answer("VER " + trid + " MSNP15\r\n");
    if (verb == "CVR") return answer("CVR " + trid + " 8.5.1302 8.5.1302 8.5.1302 http://x.example http://x.example\r\n");
    if (verb == "USR" && parts.size() > 3 && parts[3] == "I")
      return answer("USR " + trid + " SSO S MBI_KEY_OLD " + std::string(kNonce) + "\r\n");
    if (verb == "USR") {
      const std::string profile =
          "MIME-Version: 1.0\r\nContent-Type: text/x-msmsgsprofile; charset=UTF-8\r\nLoginTime: 1212321600\r\n"
          "EmailEnabled: 1\r\nMemberIdHigh: 1\r\nMemberIdLow: 2\r\nlang_preference: 1033\r\n\r\n";
      return answer("USR " + trid + " OK alice@example.com 1 0\r\nMSG Hotmail Hotmail " +
                    std::to_string(profile.size()) + "\r\n" + profile);
    }
    if (verb == "ADL") return answer("ADL " + trid + " OK\r\n");
    if (verb == "UUX") return answer("UUX " + trid + " 0\r\n");
    if (verb == "BLP" || verb == "CHG" || verb == "PRP") return answer(std::string(line) + "\r\n");
  }

  void serve_web(ConnectionId conn, std::string_view request) {
    std::string body;
    if (request.find("/RST.srf") != std::string_view::npos) {
      body = rst_document();
    } else if (request.find("ABFindAll") != std::string_view::npos) {
      body = address_book_document();
    } else if (request.find("FindMembership") != std::string_view::npos) {
      body = membership_document();
    } else {
      pending_web_.push_back(conn);
      return;
    }
    client_.on_data(conn, http_response(200, body), now_);
    collect();
  }

  Client client_;
  TimePoint now_{};
  ConnectionId ns_ = 0;
  bool serving_ = false;
  bool signed_in_ = false;
  bool disconnected_ = false;
  bool secrets_in_input_ = false;
  std::deque<Output> queue_;
  std::set<ConnectionId> web_;
  std::vector<ConnectionId> pending_web_;
  std::vector<ConnectionId> switchboards_;
  std::map<ConnectionId, std::string> sent_;
  std::vector<Event> seen_;
};

}  // namespace msn::fuzz
