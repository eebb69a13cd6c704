// SPDX-License-Identifier: GPL-2.0-or-later
// The SOAP client of the address book (abservice) and Sharing services
// (docs/protocol/contact-list.md), sans-I/O: it turns requests into WebCalls, reads the answers,
// and hides the two recoveries every call may need from its caller:
//  - an expired contacts ticket (BadContextToken): the call waits while the owner fetches new
//    tokens (wants_new_ticket / ticket_renewed), then runs once more; a second expiry fails it;
//  - ABDoesNotExist: the address book is created with ABAdd, then the call runs once more.
// "Already exists" faults of change requests count as success (the change is in place).
// The NotificationSession owns one and routes web results to it by call id.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <variant>
#include <vector>

#include "core/status.h"
#include "http/http_message.h"
#include "session/event.h"
#include "session/http_exchange.h"
#include "session/settings.h"
#include "soap/address_book.h"
#include "soap/envelope.h"
#include "soap/membership.h"

namespace msn {

enum class AbCallKind {
  kFindAll,         // answered by an AddressBookResult
  kFindMembership,  // answered by a MembershipResult
  kOperation,       // any change request: an OperationResult
};

// One request. `build` is called each time the call is (re)sent, with the credentials of that
// moment, so a retry carries the renewed ticket and the latest cache key.
struct AbRequest {
  AbCallKind kind = AbCallKind::kOperation;
  std::string operation;  // "ABFindAll", "AddMember", ... (parsing and logs)
  std::function<Result<soap::SoapRequest>(const soap::AbCredentials&)> build;
};

using AbPayload = std::variant<soap::AddressBookResult, soap::MembershipResult, soap::OperationResult>;

// A finished call: the caller's tag and the parsed answer or the error (a fault as an Error
// soap::ab_fault() can classify, a transport or HTTP error, or the request's own build error).
struct AbCompletion {
  std::uint64_t tag = 0;
  std::string operation;
  Result<AbPayload> result = make_error(Errc::kSoap, "no answer");
};

class AddressBookSession {
 public:
  // Call ids come from `next_call_id`, shared with the owner's other web calls so that every
  // id is unique.
  AddressBookSession(const Settings& settings, std::uint32_t& next_call_id);

  void set_ticket(std::string ticket) { credentials_.ticket = std::move(ticket); }
  void set_cache_key(std::string key) { credentials_.cache_key = std::move(key); }
  const std::string& cache_key() const { return credentials_.cache_key; }

  // Sends a request; its AbCompletion carries `tag`.
  void submit(AbRequest request, std::uint64_t tag);

  bool owns(std::uint32_t call_id) const { return calls_.count(call_id) != 0; }
  void on_web_result(std::uint32_t call_id, Result<http::Response> result);

  // True (once per expiry) when calls wait for a new ticket; answer with ticket_renewed() or
  // ticket_renewal_failed().
  bool take_ticket_request();
  void ticket_renewed(std::string ticket);
  void ticket_renewal_failed(const Error& error);

  // Forgets every call (sign-out); their results, should they still come, are ignored.
  void clear();

  // A FindMembership or ABFindAll answer (a whole address book, tens of megabytes for a big
  // one) is read kParsePiece bytes at a time: the first piece as it arrives, each further
  // one from a work() call, so that no single call holds the caller for long. Its completion
  // comes once the last piece is read. True while such reading remains.
  static constexpr std::size_t kParsePiece = 256 * 1024;
  bool has_work() const { return !parse_jobs_.empty(); }
  void work();
  bool idle() const {
    return calls_.empty() && held_for_ticket_.empty() && held_for_ab_.empty() &&
           parse_jobs_.empty();
  }

  std::vector<WebCall> take_web_calls() { return std::exchange(web_calls_, {}); }
  std::vector<AbCompletion> take_completions() { return std::exchange(completions_, {}); }
  std::vector<ev::Log> take_logs() { return std::exchange(logs_, {}); }

 private:
  struct Call {
    AbRequest request;
    std::uint64_t tag = 0;
    bool ticket_retried = false;
    bool ab_add_retried = false;
    bool is_ab_add = false;
  };

  // A list answer being read a piece at a time (see work()).
  struct ParseJob {
    Call call;
    http::Response response;
    std::size_t offset = 0;
    std::variant<soap::AbFindAllParser, soap::FindMembershipParser> parser;
  };

  void send(Call call);
  void complete(const Call& call, Result<AbPayload> result);
  Result<AbPayload> parse(const Call& call, const http::Response& response) const;
  // Feeds the front job one more piece; when its body is all read, settles its call.
  void advance_parse();
  void settle(Call call, Result<AbPayload> parsed);
  Result<AbPayload> judge(const Call& call, int http_status, Result<AbPayload> parsed) const;
  void create_address_book(Call waiting);
  void ab_add_finished(const Result<AbPayload>& result);
  void log(LogLevel level, std::string text) { logs_.push_back(ev::Log{level, std::move(text)}); }
  std::string url_for(const std::string& path) const;

  const Settings& settings_;
  std::uint32_t& next_call_id_;
  soap::AbCredentials credentials_;
  std::map<std::uint32_t, Call> calls_;
  std::vector<Call> held_for_ticket_;
  bool ticket_wanted_ = false;
  std::vector<Call> held_for_ab_;
  bool ab_add_under_way_ = false;
  std::vector<WebCall> web_calls_;
  std::vector<AbCompletion> completions_;
  std::vector<ev::Log> logs_;
  std::deque<ParseJob> parse_jobs_;
};

}  // namespace msn
