// SPDX-License-Identifier: GPL-2.0-or-later
// From the profile to online, and our own presence afterwards: the contact-list fetch
// (ABFindAll and FindMembership at once, or their deltas against the cached list), BLP, the
// initial ADL batches and FQY, CHG; later CHG, UUX and PRP MFN for the user's changes.
#include <algorithm>
#include <span>
#include <string>
#include <utility>

#include "core/heap.h"
#include "session/contact_cache.h"
#include "session/list_job.h"
#include "session/notification_session.h"
#include "wire/adl.h"
#include "wire/command_writer.h"
#include "wire/mime_message.h"

namespace msn {

namespace {

// PRP MFN refuses longer names (docs/protocol/presence.md), counted URL-encoded.
constexpr std::size_t kMaxEncodedDisplayName = 387;

Result<soap::SoapRequest> find_all_request(const soap::AbCredentials& credentials, soap::PartnerScenario scenario,
                                           const std::string& since) {
  return soap::build_ab_find_all(credentials, scenario, since);
}

Result<soap::SoapRequest> find_membership_request(const soap::AbCredentials& credentials,
                                                  soap::PartnerScenario scenario, const std::string& since) {
  return soap::build_find_membership(credentials, scenario, since);
}

}  // namespace

// ---- the contact list at sign-in ---------------------------------------------------------

void NotificationSession::start_sync(TimePoint now) {
  state_ = State::kContactList;
  progress(SignInStep::kSyncing);
  awaited_.reset();
  reply_deadline_.reset();  // each web request carries its own deadline
  const auth::SecurityToken* contacts = tokens_.find(auth::kContactsAddress);
  if (contacts == nullptr) log(LogLevel::kWarning, "the web login gave no contacts ticket");
  address_book_.set_ticket(contacts != nullptr ? contacts->ticket() : std::string{});
  list_ = ContactList{};
  if (settings_.contact_cache.empty()) {
    fetch_contact_list();
    return;
  }
  // Only the header is read now: the changes are asked for at once, and the (maybe very big)
  // rest is read a part at a time while they are on their way.
  ContactCacheReader cache{std::move(settings_.contact_cache), settings_.account};
  if (Status header = cache.read_header(); !header) {
    log(LogLevel::kWarning, "the cached contact list is not usable (" + header.error().detail +
                                "); fetching the whole list");
    fetch_contact_list();
    return;
  }
  if (cache.address_book_last_change().empty() || cache.membership_last_change().empty()) {
    fetch_contact_list();
    return;
  }
  if (!cache.cache_key().empty()) address_book_.set_cache_key(cache.cache_key());
  log(LogLevel::kInfo, "cached contact list; asking for changes");
  fetch_contact_list(cache.membership_last_change(), cache.address_book_last_change());
  ListLoad load;
  load.phase = ListLoad::Phase::kCache;
  load.from_cache = true;
  load.cache = std::move(cache);
  list_load_ = std::move(load);
  advance_list_load(now);
}

void NotificationSession::fetch_contact_list(const std::string& membership_since,
                                             const std::string& ab_since) {
  sync_delta_ = !membership_since.empty() && !ab_since.empty();
  sync_ab_.reset();
  sync_membership_.reset();
  sync_membership_tag_ = next_tag_++;
  sync_ab_tag_ = next_tag_++;
  // Both at once: neither answer is needed to ask for the other.
  address_book_.submit(AbRequest{AbCallKind::kFindMembership, "FindMembership",
                                 [membership_since](const soap::AbCredentials& credentials) {
                                   return find_membership_request(credentials, soap::PartnerScenario::kInitial,
                                                                  membership_since);
                                 }},
                       sync_membership_tag_);
  address_book_.submit(AbRequest{AbCallKind::kFindAll, "ABFindAll",
                                 [ab_since](const soap::AbCredentials& credentials) {
                                   return find_all_request(credentials, soap::PartnerScenario::kInitial, ab_since);
                                 }},
                       sync_ab_tag_);
}

void NotificationSession::fetch_whole_list() {
  list_ = ContactList{};
  list_load_.reset();
  fetch_contact_list();
}

void NotificationSession::on_sync_result(AbCompletion& completion, TimePoint now) {
  if (state_ != State::kContactList) return;
  if (!completion.result) {
    const Error& error = completion.result.error();
    if (sync_delta_ && soap::ab_fault(error) == soap::AbFault::kFullSyncRequired) {
      log(LogLevel::kInfo, completion.operation + ": the service wants a full sync; fetching the whole list");
      fetch_whole_list();
      return;
    }
    if (sync_delta_) {
      // The cached list is still the best there is; the next sign-in asks again.
      log(LogLevel::kWarning, completion.operation + " failed (" + error.detail + "); using the cached list");
      sync_ab_.reset();
      sync_membership_.reset();
      finish_contact_fetch(now);
      return;
    }
    Error failure = error;
    failure.detail = "fetching the contact list: " + failure.detail;
    fail(std::move(failure));
    return;
  }
  if (completion.tag == sync_ab_tag_) {
    // Moved, not copied: for a big book this is tens of thousands of contacts.
    sync_ab_ = std::move(std::get<soap::AddressBookResult>(completion.result.value()));
    sync_ab_tag_ = 0;
  } else if (completion.tag == sync_membership_tag_) {
    sync_membership_ = std::move(std::get<soap::MembershipResult>(completion.result.value()));
    sync_membership_tag_ = 0;
  }
  if (sync_ab_tag_ == 0 && sync_membership_tag_ == 0) finish_contact_fetch(now);
}

void NotificationSession::finish_contact_fetch(TimePoint now) {
  sync_ab_tag_ = 0;
  sync_membership_tag_ = 0;
  // A cached list still being read takes the answers once it has been (kAwaitAnswers).
  if (list_load_ && list_load_->phase < ListLoad::Phase::kAwaitAnswers) return;
  for (const auto* notes : {sync_ab_ ? &sync_ab_->notes : nullptr,
                            sync_membership_ ? &sync_membership_->notes : nullptr})
    if (notes != nullptr)
      for (const std::string& note : *notes) log(LogLevel::kDebug, "contact list: " + note);
  ListLoad load;
  if (!sync_delta_ && sync_membership_ && sync_ab_) {
    load.membership = std::move(*sync_membership_);
    load.address_book = std::move(*sync_ab_);
    list_.begin_load(load.membership, load.address_book);
  } else {
    if (sync_membership_) list_.apply_membership_delta(*sync_membership_);
    if (sync_ab_) list_.apply_address_book_delta(*sync_ab_);
    load.phase = ListLoad::Phase::kLoaded;
  }
  sync_ab_.reset();
  sync_membership_.reset();
  list_load_ = std::move(load);
  advance_list_load(now);
}

// One step: up to kListStep contacts' worth of work, moving on through the phases. A list of
// fewer contacts than that is done in the first step.
void NotificationSession::advance_list_load(TimePoint now) {
  // What the step frees (answer entries, a refused cache, the finished load) is merged before
  // it ends, on every way out, rather than all at once in some later step.
  const MergeFreedBlocksAtExit merge_at_exit;
  ListLoad& load = *list_load_;
  std::size_t budget = kListStep;
  // How far this step may go in a phase of `total` items.
  const auto step_end = [&](std::size_t total) {
    const std::size_t n = std::min(total - load.next, budget);
    budget -= n;
    return load.next + n;
  };
  while (budget > 0 && list_load_) {
    switch (load.phase) {
      case ListLoad::Phase::kCache: {
        ContactCacheReader& cache = *load.cache;
        const std::size_t before = cache.lines_read();
        auto ended = cache.step(budget);
        budget -= std::min(budget, cache.lines_read() - before);
        if (!ended) {
          log(LogLevel::kWarning, "the cached contact list is not usable (" + ended.error().detail +
                                      "); fetching the whole list");
          fetch_whole_list();
          return;
        }
        if (!*ended) break;
        log(LogLevel::kInfo,
            "cached contact list of " + std::to_string(cache.contacts_read()) + " contacts read");
        load.membership = cache.take_membership();
        load.address_book = cache.take_address_book();
        load.cache.reset();
        list_.begin_load(load.membership, load.address_book);
        load.enter(ListLoad::Phase::kMembers);
        break;
      }
      // Each entry is freed once it is in the list: freeing a big book's hundreds of thousands of
      // strings all at once would take a step of its own, far longer than this one.
      case ListLoad::Phase::kMembers: {
        auto& members = load.membership.members;
        for (const std::size_t end = step_end(members.size()); load.next < end; ++load.next) {
          list_.load_member(members[load.next]);
          free_contents(members[load.next]);
        }
        if (load.next == members.size()) load.enter(ListLoad::Phase::kContacts);
        break;
      }
      case ListLoad::Phase::kContacts: {
        auto& contacts = load.address_book.contacts;
        for (const std::size_t end = step_end(contacts.size()); load.next < end; ++load.next) {
          list_.load_ab_contact(contacts[load.next]);
          free_contents(contacts[load.next]);
        }
        if (load.next < contacts.size()) break;
        list_.end_load(load.membership, load.address_book);
        load.membership = {};
        load.address_book = {};
        load.enter(load.from_cache ? ListLoad::Phase::kAwaitAnswers : ListLoad::Phase::kLoaded);
        break;
      }
      case ListLoad::Phase::kAwaitAnswers:
        // The cached list is in place; the answers bring the changes since it was saved. They
        // are applied in a step of their own (finish_contact_fetch goes on with a whole step's
        // budget): on_timer comes back at once when they are already in.
        if (sync_answers_in() && budget == kListStep) {
          finish_contact_fetch(now);
          return;
        }
        budget = 0;
        break;
      case ListLoad::Phase::kLoaded:
        log(LogLevel::kInfo, "contact list: " + std::to_string(list_.size()) + " contacts, " +
                                 std::to_string(list_.group_count()) + " groups");
        for (const Group* group : list_.groups()) load.loaded.groups.push_back(group->name);
        load.loaded.contacts.reserve(list_.size());
        load.enter(ListLoad::Phase::kViews);
        break;
      case ListLoad::Phase::kViews: {
        // In address order, the list's own: no sort of the whole book in one step.
        const auto contacts = list_.next_contacts(load.walk, budget);
        budget -= contacts.size();
        for (const Contact* contact : contacts) load.loaded.contacts.push_back(view_of(*contact));
        if (!load.walk.finished) break;
        events_.push_back(std::move(load.loaded));
        if (!list_.own_display_name().empty()) {
          own_display_name_ = list_.own_display_name();
          events_.push_back(ev::OwnDisplayNameChanged{own_display_name_});
        }
        state_ = State::kSyncing;
        send(writer_.command("BLP", {allow_unlisted_ ? "AL" : "BL"}));
        load.enter(ListLoad::Phase::kAnnounce);
        break;
      }
      case ListLoad::Phase::kAnnounce: {
        // The list as it is now: server notices may have changed it since the views.
        const auto contacts = list_.next_contacts(load.walk, budget);
        budget -= contacts.size();
        announce(list_.initial_adl_for(std::span(contacts)));
        if (!load.walk.finished) break;
        announce_rest(now);
        list_load_.reset();
        return;
      }
    }
  }
  // Whatever is left continues from on_timer; the reply deadline waits meanwhile.
  if (list_load_ && state_ == State::kSyncing) expect_reply(now);
}

void NotificationSession::announce(const std::vector<std::string>& payloads) {
  for (const std::string& payload : payloads) {
    auto adl = writer_.payload_command("ADL", {}, payload);
    send(adl);
    sync_adls_.insert(adl.trid);
    ++list_load_->adls_sent;
  }
}

// After the last ADL batch: one empty ADL if there was none (the server wants one), and FQY
// for the addresses whose network is unknown.
void NotificationSession::announce_rest(TimePoint now) {
  if (list_load_->adls_sent == 0) announce(wire::build_initial_adl({}));
  const std::vector<std::string> unknown = list_.unknown_network_addresses();
  for (const std::string& payload : wire::build_fqy(unknown)) {
    auto fqy = writer_.payload_command("FQY", {}, payload);
    send(fqy);
    sync_fqys_.insert(fqy.trid);
  }
  expect_reply(now);
}

void NotificationSession::maybe_go_online(TimePoint now) {
  if (state_ != State::kSyncing || list_load_ || !sync_adls_.empty() || !sync_fqys_.empty()) return;
  state_ = State::kGoingOnline;
  const PresenceStatus status = idle_ && wished_status_ == PresenceStatus::kOnline ? PresenceStatus::kIdle : wished_status_;
  const std::string capabilities = std::to_string(kClientCapabilities);
  if (own_msn_object_.empty()) {
    send_command("CHG", {presence_code(status), capabilities}, now);
  } else {
    send_command("CHG", {presence_code(status), capabilities, wire::url_encode(own_msn_object_)},
                 now);
  }
}

void NotificationSession::handle_adl(const wire::Command& command, TimePoint now) {
  // "ADL 0 len" + payload: someone added us. "ADL trid OK": the answer to one of ours.
  if (command.has_payload) {
    if (command.arg(0) == "0") handle_server_list(command, /*added=*/true, now);
    return;
  }
  const auto trid = command.trid();
  if (!trid || command.arg(1) != "OK") return;
  if (state_ == State::kSyncing && sync_adls_.erase(*trid) != 0) {
    expect_reply(now);
    maybe_go_online(now);
    return;
  }
  list_commands_.erase(*trid);
}

// The network of addresses we did not know it for; they are announced now.
void NotificationSession::handle_fqy(const wire::Command& command, TimePoint now) {
  const auto trid = command.trid();
  if (!trid || state_ != State::kSyncing || sync_fqys_.erase(*trid) == 0) return;
  auto found = wire::parse_ml(command.payload);
  if (!found) {
    log(LogLevel::kWarning, "unusable FQY answer ignored: " + found.error().detail);
  } else {
    std::vector<wire::MlContact> announce;
    for (const wire::MlContact& entry : *found) {
      const Contact* known = list_.find(entry.address);
      if (known == nullptr || entry.network == Network::kUnknown) continue;
      list_.add_to_lists(entry.address, entry.network, known->lists);
      announce.push_back(wire::MlContact{known->passport, known->lists, entry.network, {}});
    }
    for (const std::string& payload : wire::build_list_change(announce)) {
      auto adl = writer_.payload_command("ADL", {}, payload);
      send(adl);
      sync_adls_.insert(adl.trid);
    }
  }
  expect_reply(now);
  maybe_go_online(now);
}

bool NotificationSession::sync_error(const wire::Command& command, TimePoint now) {
  const auto trid = command.trid();
  if (state_ != State::kSyncing || !trid) return false;
  if (sync_adls_.erase(*trid) == 0 && sync_fqys_.erase(*trid) == 0) return false;
  log(LogLevel::kWarning, "the server refused part of the contact list announcement (error " +
                              std::to_string(command.error_code()) + "); going on without it");
  expect_reply(now);
  maybe_go_online(now);
  return true;
}

void NotificationSession::handle_chg(const wire::Command& command, TimePoint now) {
  if (state_ != State::kGoingOnline || command.trid() != awaited_) return;  // later echoes: nothing to do
  state_ = State::kOnline;
  awaited_.reset();
  reply_deadline_.reset();
  next_ping_ = now + settings_.timeouts.default_ping;
  events_.push_back(ev::SignedIn{settings_.account});
  after_signed_in(now);
}

// What waited for the session to be online: pending authorizations, the cache, the wishes.
void NotificationSession::after_signed_in(TimePoint now) {
  ask_authorizations();
  emit_cache();
  if (personal_message_) send_personal_message();
  if (wished_display_name_ && *wished_display_name_ != own_display_name_) send_display_name();
  pump_address_book(now);
}

// ---- own presence and profile -------------------------------------------------------------

void NotificationSession::send_status() {
  const PresenceStatus status = idle_ && wished_status_ == PresenceStatus::kOnline ? PresenceStatus::kIdle : wished_status_;
  const std::string capabilities = std::to_string(kClientCapabilities);
  if (own_msn_object_.empty()) {
    send(writer_.command("CHG", {presence_code(status), capabilities}));
  } else {
    send(writer_.command("CHG",
                         {presence_code(status), capabilities, wire::url_encode(own_msn_object_)}));
  }
}

// Without a picture the CHG simply has no msnobj parameter: that is how a removed one is said.
void NotificationSession::set_msn_object(std::string msn_object, TimePoint /*now*/) {
  if (msn_object == own_msn_object_) return;
  own_msn_object_ = std::move(msn_object);
  if (online()) send_status();
}

void NotificationSession::send_personal_message() {
  const std::string payload =
      build_uux_payload(personal_message_.value_or(std::string{}), current_media_ ? &*current_media_ : nullptr);
  send(writer_.payload_command("UUX", {}, payload));
}

void NotificationSession::send_display_name() {
  const std::string name = *wished_display_name_;
  wished_display_name_.reset();
  auto prp = writer_.command("PRP", {"MFN", wire::url_encode(name)});
  send(prp);
  list_commands_[prp.trid] = ListCommand{ev::ListOperation::kSetDisplayName, name};
  // The address book keeps the name too (the Me contact), for other clients and the web.
  auto job = make_job(ev::ListOperation::kSetDisplayName, name);
  JobStep step;
  step.request = AbRequest{AbCallKind::kOperation, "ABContactUpdate", [name](const soap::AbCredentials& credentials) {
                             return Result<soap::SoapRequest>(soap::build_ab_contact_update_display_name(credentials, name));
                           }};
  step.done = [this, name](const soap::OperationResult&) {
    list_.set_own_display_name(name);
    return Status::ok();
  };
  job->steps.push_back(std::move(step));
  job->restore = [this] { events_.push_back(ev::OwnDisplayNameChanged{own_display_name_}); };
  (void)start_job(std::move(job), TimePoint{});
}

void NotificationSession::handle_prp(const wire::Command& command, TimePoint /*now*/) {
  // "PRP trid MFN name" answers ours; "PRP MFN name" comes from the server after sign-in.
  const bool tracked = command.arg(0) != "MFN";
  const std::size_t at = tracked ? 1 : 0;
  if (tracked)
    if (auto trid = command.trid()) list_commands_.erase(*trid);
  if (command.arg(at) != "MFN" || command.arg(at + 1).empty()) return;
  own_display_name_ =
      wire::bounded_utf8(wire::url_decode(command.arg(at + 1)), wire::kMaxFriendlyNameChars);
  list_.set_own_display_name(own_display_name_);
  events_.push_back(ev::OwnDisplayNameChanged{own_display_name_});
}

Status NotificationSession::set_presence(PresenceStatus status, TimePoint /*now*/) {
  if (status == PresenceStatus::kOffline)
    return make_error(Errc::kInvalidArgument, "offline is not a status to set (sign out instead)");
  wished_status_ = status;
  if (online()) send_status();
  return Status::ok();
}

Status NotificationSession::set_idle(bool idle, TimePoint /*now*/) {
  if (idle_ == idle) return Status::ok();
  idle_ = idle;
  if (online()) send_status();
  return Status::ok();
}

Status NotificationSession::set_personal_message(std::string_view text, std::optional<CurrentMedia> media,
                                                 TimePoint /*now*/) {
  personal_message_ = std::string(text);
  current_media_ = std::move(media);
  if (online()) send_personal_message();
  return Status::ok();
}

Status NotificationSession::set_display_name(std::string_view name, TimePoint now) {
  if (name.empty()) return make_error(Errc::kInvalidArgument, "an empty display name");
  if (wire::url_encode(name).size() > kMaxEncodedDisplayName)
    return make_error(Errc::kInvalidArgument, "the display name is too long");
  wished_display_name_ = std::string(name);
  if (online()) {
    send_display_name();
    pump_address_book(now);
  }
  return Status::ok();
}

}  // namespace msn
