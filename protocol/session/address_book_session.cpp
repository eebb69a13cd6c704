// SPDX-License-Identifier: GPL-2.0-or-later
#include "session/address_book_session.h"

#include <utility>

#include "http/url.h"

namespace msn {

AddressBookSession::AddressBookSession(const Settings& settings, std::uint32_t& next_call_id)
    : settings_(settings), next_call_id_(next_call_id) {}

void AddressBookSession::submit(AbRequest request, std::uint64_t tag) {
  Call call;
  call.request = std::move(request);
  call.tag = tag;
  send(std::move(call));
}

// Every service lives at its historic path, under the configured base URL when there is one.
std::string AddressBookSession::url_for(const std::string& path) const {
  if (settings_.web_services_url.empty()) return "https://" + std::string(soap::kContactsHost) + path;
  auto url = http::join_service_url(settings_.web_services_url, path);
  return url ? url->to_string() : std::string{};
}

void AddressBookSession::send(Call call) {
  auto request = call.request.build(credentials_);
  if (!request) {
    complete(call, request.error());
    return;
  }
  std::string url = url_for(request->path);
  if (url.empty()) {
    complete(call, make_error(Errc::kInvalidArgument, "the web services URL is not usable"));
    return;
  }
  const std::uint32_t id = next_call_id_++;
  log(LogLevel::kDebug, "SOAP " + call.request.operation + " at " + url);
  web_calls_.push_back(WebCall{
      .id = id,
      .url = std::move(url),
      .soap_action = std::move(request->soap_action),
      .body = std::move(request->body),  // holds the ticket: never logged
  });
  calls_.emplace(id, std::move(call));
}

Result<AbPayload> AddressBookSession::parse(const Call& call, const http::Response& response) const {
  const std::string_view body = response.body;
  Result<AbPayload> parsed = make_error(Errc::kSoap, "unparsed");
  switch (call.request.kind) {
    case AbCallKind::kFindAll: {
      auto result = soap::parse_ab_find_all(body);
      parsed = result ? Result<AbPayload>(AbPayload(std::move(result).value())) : Result<AbPayload>(result.error());
      break;
    }
    case AbCallKind::kFindMembership: {
      auto result = soap::parse_find_membership(body);
      parsed = result ? Result<AbPayload>(AbPayload(std::move(result).value())) : Result<AbPayload>(result.error());
      break;
    }
    case AbCallKind::kOperation: {
      auto result = soap::parse_operation_response(body, call.request.operation);
      parsed = result ? Result<AbPayload>(AbPayload(std::move(result).value())) : Result<AbPayload>(result.error());
      break;
    }
  }
  return judge(call, response.status, std::move(parsed));
}

// Faults come with 500 (and sometimes 200); anything else unreadable is an HTTP failure. A
// list limit fault (Errc::kLimit) is kept as it is: the user is told the list is full.
Result<AbPayload> AddressBookSession::judge(const Call& call, int http_status,
                                            Result<AbPayload> parsed) const {
  const bool http_ok = http_status >= 200 && http_status <= 299;
  if (!parsed && parsed.error().code != Errc::kLimit && soap::ab_fault(parsed.error()) == soap::AbFault::kNone &&
      !http_ok)
    return make_error(
        Errc::kHttp,
        call.request.operation + ": the service answered HTTP " + std::to_string(http_status),
        http_status);
  return parsed;
}

void AddressBookSession::on_web_result(std::uint32_t call_id, Result<http::Response> result) {
  const auto it = calls_.find(call_id);
  if (it == calls_.end()) return;
  Call call = std::move(it->second);
  calls_.erase(it);
  if (!result) {
    complete(call, result.error());
    return;
  }
  const AbCallKind kind = call.request.kind;
  if (kind == AbCallKind::kOperation) {
    Result<AbPayload> parsed = parse(call, result.value());
    settle(std::move(call), std::move(parsed));
    return;
  }
  ParseJob job{std::move(call), std::move(result).value(), 0, soap::AbFindAllParser{}};
  if (kind == AbCallKind::kFindMembership) job.parser.emplace<soap::FindMembershipParser>();
  parse_jobs_.push_back(std::move(job));
  // Answers are read in order; a second one waits for the first.
  if (parse_jobs_.size() == 1) advance_parse();
}

void AddressBookSession::work() {
  if (!parse_jobs_.empty()) advance_parse();
}

void AddressBookSession::advance_parse() {
  ParseJob& job = parse_jobs_.front();
  const std::string_view body = job.response.body;
  const std::string_view piece = body.substr(job.offset, kParsePiece);
  job.offset += piece.size();
  Status fed = std::visit([&](auto& parser) { return parser.feed(piece); }, job.parser);
  if (fed && job.offset < body.size()) return;
  Result<AbPayload> parsed = make_error(Errc::kSoap, "unparsed");
  if (!fed) {
    parsed = fed.error();
  } else {
    parsed = std::visit(
        [](auto& parser) -> Result<AbPayload> {
          auto result = parser.finish();
          if (!result) return result.error();
          return AbPayload(std::move(result).value());
        },
        job.parser);
  }
  Call call = std::move(job.call);
  const int status = job.response.status;
  parse_jobs_.pop_front();
  Result<AbPayload> judged = judge(call, status, std::move(parsed));
  settle(std::move(call), std::move(judged));
}

void AddressBookSession::settle(Call call, Result<AbPayload> parsed) {
  if (parsed) {
    const soap::ServiceHeader& header =
        std::visit([](const auto& payload) -> const soap::ServiceHeader& { return payload.header; }, parsed.value());
    if (header.cache_key_changed && !header.cache_key.empty()) credentials_.cache_key = header.cache_key;
    complete(call, std::move(parsed));
    return;
  }
  switch (soap::ab_fault(parsed.error())) {
    case soap::AbFault::kTicketExpired:
      if (call.ticket_retried) break;
      log(LogLevel::kInfo, call.request.operation + ": the contacts ticket expired; renewing it");
      call.ticket_retried = true;
      held_for_ticket_.push_back(std::move(call));
      ticket_wanted_ = true;
      return;
    case soap::AbFault::kAbDoesNotExist:
      if (call.is_ab_add || call.ab_add_retried) break;
      log(LogLevel::kInfo, call.request.operation + ": the address book does not exist; creating it");
      call.ab_add_retried = true;
      create_address_book(std::move(call));
      return;
    case soap::AbFault::kAlreadyExists:
      if (call.request.kind != AbCallKind::kOperation) break;
      log(LogLevel::kDebug, call.request.operation + ": already in place");
      complete(call, AbPayload(soap::OperationResult{}));
      return;
    default:
      break;
  }
  log(LogLevel::kWarning, call.request.operation + " failed: " + parsed.error().detail);
  complete(call, std::move(parsed));
}

void AddressBookSession::complete(const Call& call, Result<AbPayload> result) {
  if (call.is_ab_add) {
    ab_add_finished(result);
    return;
  }
  completions_.push_back(AbCompletion{call.tag, call.request.operation, std::move(result)});
}

void AddressBookSession::create_address_book(Call waiting) {
  held_for_ab_.push_back(std::move(waiting));
  if (ab_add_under_way_) return;
  ab_add_under_way_ = true;
  Call ab_add;
  ab_add.is_ab_add = true;
  ab_add.request = AbRequest{AbCallKind::kOperation, "ABAdd", [this](const soap::AbCredentials& credentials) {
                               return soap::build_ab_add(credentials, settings_.account);
                             }};
  send(std::move(ab_add));
}

void AddressBookSession::ab_add_finished(const Result<AbPayload>& result) {
  ab_add_under_way_ = false;
  // Someone else may have created it meanwhile: that is as good as our ABAdd.
  const bool created = result.is_ok() || result.error().detail.find("ABAlreadyExists") != std::string::npos;
  if (!created) log(LogLevel::kWarning, "creating the address book failed: " + result.error().detail);
  for (Call& call : std::exchange(held_for_ab_, {})) {
    if (created) {
      send(std::move(call));
    } else {
      complete(call, result.error());
    }
  }
}

bool AddressBookSession::take_ticket_request() { return std::exchange(ticket_wanted_, false); }

void AddressBookSession::ticket_renewed(std::string ticket) {
  credentials_.ticket = std::move(ticket);
  for (Call& call : std::exchange(held_for_ticket_, {})) send(std::move(call));
}

void AddressBookSession::ticket_renewal_failed(const Error& error) {
  for (Call& call : std::exchange(held_for_ticket_, {}))
    complete(call, make_error(error.code, "renewing the contacts ticket failed: " + error.detail, error.server_code));
}

void AddressBookSession::clear() {
  calls_.clear();
  parse_jobs_.clear();
  held_for_ticket_.clear();
  held_for_ab_.clear();
  ticket_wanted_ = false;
  ab_add_under_way_ = false;
  web_calls_.clear();
  completions_.clear();
}

}  // namespace msn
