// SPDX-License-Identifier: GPL-2.0-or-later
// The offline-message web services for one sign-in, sans-I/O (docs/protocol/offline-messages.md):
// Store2 for sending (one message at a time, with the LockKey handshake and the run id / sequence
// numbers of soap::OimSender) and rsi for receiving (GetMetadata when Mail-Data is "too-large",
// GetMessage for each waiting message, DeleteMessages for the ones the owner has shown).
//
// Driving: store() / messages_waiting() / delete_shown() queue work; take_web_calls() hands out
// the HTTPS requests (ids from the range given in the config), on_web_result() takes their
// answers, take_reports() says what came of it. Nothing is ever called back from inside.
//
// Receiving guarantees: a message is reported (OimBatch) at most once per sign-in, and deleted
// only when the owner calls delete_shown() with its id, which it does after emitting it. A
// message whose GetMessage failed is never reported and so never deleted.
//
// Refused tickets (docs/protocol/notification-server.md): a call the service answers with an
// expired or invalid ticket waits while the NS renews the tokens (NsAccess::renew_tokens; the owner
// passes the TokensRenewed notice to tokens_renewed()), then runs once more with the fresh ticket.
// Calls refused together wait for one renewal; a call refused again, or whose renewal failed, fails
// as it would have without one. A Store2 may also answer the LockKey challenge, before and
// after the renewal (a lock key belongs to its ticket).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "http/http_message.h"
#include "session/event.h"
#include "session/http_exchange.h"
#include "session/ns_access.h"
#include "soap/offline_messages.h"

namespace msn {

// Random bytes for the X-OIM-Run-Id; replaceable so tests are reproducible.
using OimRandomSource = std::function<Result<std::string>(std::size_t)>;

struct OimConfig {
  std::string account;
  std::string web_services_url;  // empty: the historic hosts
  std::uint32_t first_call_id = 1;
  std::uint32_t call_id_count = 1u << 24;
  std::size_t max_store_queue = 100;     // messages waiting to be stored
  std::size_t max_fetch_per_sign_in = 100;
  std::size_t max_delete_per_call = 100;
};

namespace oim {

// A store() finished: stored when `error` is empty.
struct StoreDone {
  std::uint64_t key;
  std::optional<Error> error;
};

// Offline messages fetched, in the order they were sent. The owner shows them, then calls
// delete_shown() with their ids.
struct Batch {
  std::vector<soap::OfflineMessage> messages;
};

// Offline messages wait on the server (Mail-Data "too-large"), but their list could not be
// fetched in any request shape the services accept: they stay there, unseen.
struct ListUnavailable {};

}  // namespace oim

using OimReport = std::variant<oim::StoreDone, oim::Batch, oim::ListUnavailable, ev::Log>;

class OimClient {
 public:
  OimClient(OimConfig config, NsAccess& ns);
  OimClient(const OimClient&) = delete;
  OimClient& operator=(const OimClient&) = delete;

  void set_random_source(OimRandomSource random) { random_ = std::move(random); }

  // Queues `text` (UTF-8) for `to`. Errc::kLimit when max_store_queue are already waiting.
  Status store(std::uint64_t key, std::string to, std::string text);
  // The payload of an NS notice about waiting messages (initial mdata or OIM notification).
  // Malformed payloads are logged and ignored.
  void messages_waiting(std::string_view payload);
  // The owner has shown these messages: delete them from the server.
  void delete_shown(const std::vector<std::string>& message_ids);
  // Sign-out: forgets everything; returns the keys of store() calls that never finished.
  std::vector<std::uint64_t> abandon();

  bool owns_call(std::uint32_t call_id) const;
  void on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now);
  // A renewal of the tokens ended (the NS's TokensRenewed notice): the calls waiting for it
  // run again, or fail with `error`.
  void tokens_renewed(const std::optional<Error>& error);

  std::vector<WebCall> take_web_calls() { return std::exchange(calls_, {}); }
  std::vector<OimReport> take_reports() { return std::exchange(reports_, {}); }

  bool idle() const { return in_flight_.empty() && held_.empty() && stores_.empty() && fetch_queue_.empty(); }

 private:
  enum class CallKind { kStore, kMetadata, kFetch, kDelete };
  // A call under way, or waiting for fresh tokens: enough to make it again.
  struct InFlight {
    CallKind kind = CallKind::kStore;
    std::string message_id{};                // kFetch
    std::vector<std::string> message_ids{};  // kDelete
    std::uint64_t generation = 0;          // the tokens it was made with (see generation_)
    bool ticket_retried = false;           // already made again after a refused ticket
    bool with_child = false;               // kMetadata: the request shape for revival servers
  };
  struct StoreJob {
    std::uint64_t key;
    std::string to;
    std::string text;
    int attempts = 0;  // posts with the current ticket
    bool ticket_retried = false;
  };
  struct FetchJob {
    soap::MailDataEntry entry;
  };

  std::uint32_t post(InFlight call, std::string_view historic_url, std::string_view path,
                     std::string_view action, std::string body);
  // Refused tickets: true if `call` will run again (at once when the tokens were renewed since
  // it was made, else once the renewal ends); false if it must fail as it is.
  bool park_for_tokens(InFlight call, TimePoint now);
  void resend(InFlight call);
  void give_up(InFlight call, const Error& error);

  void pump_store();
  void finish_store(std::optional<Error> error);
  void on_store_result(InFlight call, Result<http::Response> result, TimePoint now);
  void add_entries(const std::vector<soap::MailDataEntry>& entries);
  void pump_fetch();
  // Each is false (and logged) when there is no messenger.msn.com ticket.
  bool send_metadata(bool ticket_retried, bool with_child = false);
  void metadata_failed(const InFlight& call, const std::string& why);
  bool send_fetch(const std::string& message_id, bool ticket_retried);
  bool send_delete(std::vector<std::string> message_ids, bool ticket_retried);
  void on_metadata_result(InFlight call, Result<http::Response> result, TimePoint now);
  void on_fetch_result(InFlight call, Result<http::Response> result, TimePoint now);
  void on_delete_result(InFlight call, Result<http::Response> result, TimePoint now);
  void finish_batch_if_done();
  std::optional<soap::PassportCookie> rsi_cookie();
  void log(LogLevel level, std::string text);

  OimConfig config_;
  NsAccess& ns_;
  OimRandomSource random_;
  std::uint32_t next_offset_ = 0;
  std::map<std::uint32_t, InFlight> in_flight_;

  // Ticket renewal: generation_ counts the renewals seen (calls made before the last one may
  // just be made again); a renewal that failed is not asked for again for the same tokens.
  std::uint64_t generation_ = 0;
  std::optional<std::uint64_t> failed_generation_;
  bool renewal_pending_ = false;
  std::vector<InFlight> held_;  // waiting for the renewal

  // Sending.
  std::unique_ptr<soap::OimSender> sender_;  // made at the first store (needs the run id)
  std::deque<StoreJob> stores_;
  bool store_in_flight_ = false;

  // Receiving.
  std::set<std::string> seen_;  // message ids queued or fetched this sign-in
  std::size_t fetched_ = 0;
  bool limit_logged_ = false;
  bool metadata_in_flight_ = false;
  bool fetch_in_flight_ = false;
  std::deque<FetchJob> fetch_queue_;
  std::vector<soap::OfflineMessage> batch_;

  std::vector<WebCall> calls_;
  std::vector<OimReport> reports_;
};

}  // namespace msn
