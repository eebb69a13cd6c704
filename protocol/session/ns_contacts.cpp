// SPDX-License-Identifier: GPL-2.0-or-later
// Contacts on the notification server: their presence (ILN, NLN, FLN, UBX), the server's list
// notices (ADL 0 / RML 0: someone added or removed us) and the membership / address book
// refreshes they start, error replies to our list commands, the address book's answers routed
// to whoever asked, and the contact events. The user's own list changes are in
// ns_list_changes.cpp.
#include <map>
#include <utility>

#include "session/contact_cache.h"
#include "session/notification_session.h"
#include "wire/adl.h"
#include "wire/server_error.h"

namespace msn {

namespace {

constexpr ListBits kServerLists = ListBits::kReverse | ListBits::kPending;

// A full membership list as a delta against `list`: what it lacks, a contact has left.
soap::MembershipResult full_as_delta(soap::MembershipResult full, const ContactList& list) {
  constexpr ListBits kRoles =
      ListBits::kAllow | ListBits::kBlock | ListBits::kReverse | ListBits::kPending;
  std::map<std::string, ListBits> listed;
  for (const soap::Member& member : full.members)
    listed[ascii::to_lower(member.address)] |= member.lists;
  for (const Contact* contact : list.contacts()) {
    const auto it = listed.find(ascii::to_lower(contact->passport));
    const ListBits gone =
        contact->lists & kRoles & ~(it != listed.end() ? it->second : ListBits::kNone);
    if (gone == ListBits::kNone) continue;
    soap::Member left;
    left.address = contact->passport;
    left.network = contact->network;
    left.deleted_lists = gone;
    full.members.push_back(std::move(left));
  }
  return full;
}

}  // namespace

// ---- presence notices ---------------------------------------------------------------------

// The server tells presence only of contacts on our list; a notice about anyone else is skipped,
// so that a stream of made-up addresses cannot grow the presence table.
bool NotificationSession::on_contact_list(std::string_view address, std::string_view verb) {
  if (list_.find(address) != nullptr) return true;
  log(LogLevel::kDebug, "ignored " + std::string(verb) + " about someone not on the contact list");
  return false;
}

void NotificationSession::handle_presence(const wire::Command& command, TimePoint /*now*/) {
  auto presence = parse_presence(command);
  if (!presence) {
    log(LogLevel::kWarning, "ignored an unusable " + command.verb + ": " + presence.error().detail);
    return;
  }
  if (!on_contact_list(presence->address, command.verb)) return;
  presence_[ascii::to_lower(presence->address)] = presence->status;
  if (!presence->friendly_name.empty()) list_.set_display_name(presence->address, presence->friendly_name);
  events_.push_back(ev::PresenceChanged{presence->address, presence->status, presence->friendly_name,
                                        presence->capabilities, presence->msn_object});
}

void NotificationSession::handle_fln(const wire::Command& command, TimePoint /*now*/) {
  auto offline = parse_fln(command);
  if (!offline) {
    log(LogLevel::kWarning, "ignored an unusable FLN: " + offline.error().detail);
    return;
  }
  if (!on_contact_list(offline->address, command.verb)) return;
  presence_[ascii::to_lower(offline->address)] = PresenceStatus::kOffline;
  events_.push_back(ev::PresenceChanged{offline->address, PresenceStatus::kOffline, {}, 0, {}});
}

void NotificationSession::handle_ubx(const wire::Command& command, TimePoint /*now*/) {
  auto status = parse_ubx(command);
  if (!status) {
    log(LogLevel::kWarning, "ignored an unusable UBX: " + status.error().detail);
    return;
  }
  if (!on_contact_list(status->address, command.verb)) return;
  const auto& media = status->status.current_media;
  events_.push_back(ev::StatusMessageChanged{status->address, status->status.personal_message,
                                             media ? media->formatted() : std::string{}});
}

// ---- the server's list notices ------------------------------------------------------------

void NotificationSession::handle_server_list(const wire::Command& command, bool added, TimePoint /*now*/) {
  if (!command.has_payload) {  // "RML trid OK"
    if (auto trid = command.trid()) list_commands_.erase(*trid);
    return;
  }
  if (command.arg(0) != "0") return;
  // Before the list is loaded the sign-in's FindMembership sees the same change.
  if (state_ != State::kSyncing && state_ != State::kGoingOnline && state_ != State::kOnline) return;
  auto entries = wire::parse_ml(command.payload);
  if (!entries) {
    log(LogLevel::kWarning, "ignored an unusable " + command.verb + " notice: " + entries.error().detail);
    return;
  }
  bool reverse_added = false;
  for (const wire::MlContact& entry : *entries) {
    const ListBits bits = entry.lists & kServerLists;
    if (bits == ListBits::kNone || ascii::iequals(entry.address, settings_.account)) continue;
    if (added) {
      reverse_added = true;
      if (list_.add_to_lists(entry.address, entry.network, bits, entry.friendly_name)) emit_contact(entry.address);
    } else {
      if (has_any(bits, ListBits::kPending)) authorization_asked_.erase(ascii::to_lower(entry.address));
      if (list_.remove_from_lists(entry.address, bits)) emit_contact(entry.address);
    }
  }
  // Who added us, with their invitation and membership ids: FindMembership knows.
  if (reverse_added) {
    refresh_membership();
  } else {
    emit_cache();
  }
}

void NotificationSession::refresh_membership(bool full) {
  if (membership_refresh_tag_ != 0) {
    membership_refresh_again_ = true;
    return;
  }
  membership_refresh_tag_ = next_tag_++;
  membership_refresh_full_ = full;
  const std::string since = full ? std::string{} : list_.membership_last_change();
  address_book_.submit(AbRequest{AbCallKind::kFindMembership, "FindMembership",
                                 [since](const soap::AbCredentials& credentials) {
                                   return Result<soap::SoapRequest>(soap::build_find_membership(
                                       credentials, soap::PartnerScenario::kMessengerPendingList, since));
                                 }},
                       membership_refresh_tag_);
}

// After an "already exists" answer the ids the service gave are unknown here: ask for them.
void NotificationSession::refresh_address_book() {
  if (ab_refresh_tag_ != 0) return;
  ab_refresh_tag_ = next_tag_++;
  const std::string since = list_.address_book_last_change();
  address_book_.submit(AbRequest{AbCallKind::kFindAll, "ABFindAll",
                                 [since](const soap::AbCredentials& credentials) {
                                   return Result<soap::SoapRequest>(
                                       soap::build_ab_find_all(credentials, soap::PartnerScenario::kTimer, since));
                                 }},
                       ab_refresh_tag_);
}

void NotificationSession::on_background_result(const AbCompletion& completion) {
  const auto names = group_names();
  if (completion.tag == membership_refresh_tag_) {
    membership_refresh_tag_ = 0;
    const bool was_full = std::exchange(membership_refresh_full_, false);
    if (completion.result) {
      const auto* result = std::get_if<soap::MembershipResult>(&completion.result.value());
      if (result != nullptr)
        emit_changes(
            list_.apply_membership_delta(was_full ? full_as_delta(*result, list_) : *result),
            names);
    } else if (!was_full &&
               soap::ab_fault(completion.result.error()) == soap::AbFault::kFullSyncRequired) {
      // Some revival servers answer every delta this way: the whole list it is, as at sign-in.
      log(LogLevel::kInfo,
          "refreshing the memberships: the service wants a full sync; fetching them all");
      refresh_membership(true);
      return;
    } else {
      log(LogLevel::kWarning, "refreshing the memberships failed: " + completion.result.error().detail);
    }
    ask_authorizations();
    emit_cache();
    if (std::exchange(membership_refresh_again_, false)) refresh_membership();
    return;
  }
  ab_refresh_tag_ = 0;
  if (!completion.result) {
    log(LogLevel::kWarning, "refreshing the address book failed: " + completion.result.error().detail);
    return;
  }
  const auto* result = std::get_if<soap::AddressBookResult>(&completion.result.value());
  if (result != nullptr) emit_changes(list_.apply_address_book_delta(*result), names);
  emit_cache();
}

// Pending members are presented once each, and only once the user can answer (online).
void NotificationSession::ask_authorizations() {
  if (state_ != State::kOnline) return;
  for (const Contact* contact : list_.contacts_on(ListBits::kPending)) {
    if (!authorization_asked_.insert(ascii::to_lower(contact->passport)).second) continue;
    events_.push_back(ev::AuthorizationRequested{contact->passport, contact->display_name, contact->invite_message});
  }
}

bool NotificationSession::handle_list_error(const wire::Command& command, TimePoint /*now*/) {
  const auto trid = command.trid();
  if (!trid) return false;
  const auto it = list_commands_.find(*trid);
  if (it == list_commands_.end()) return false;
  const ListCommand sent = std::move(it->second);
  list_commands_.erase(it);
  events_.push_back(ev::ListOperationFailed{sent.operation, sent.subject,
                                            wire::server_error(command.error_code(), "list change refused")});
  if (sent.operation == ev::ListOperation::kSetDisplayName) {
    events_.push_back(ev::OwnDisplayNameChanged{own_display_name_});
  } else if (sent.operation != ev::ListOperation::kSetPrivacy) {
    emit_contact(sent.subject);
  }
  return true;
}

// ---- the address book's answers -----------------------------------------------------------

void NotificationSession::pump_address_book(TimePoint now) {
  for (;;) {
    for (auto& entry : address_book_.take_logs()) events_.push_back(std::move(entry));
    if (address_book_.take_ticket_request() && renew_call_id_ == 0) renew_tokens();
    auto completions = address_book_.take_completions();
    if (completions.empty()) return;
    for (AbCompletion& completion : completions) {
      if (state_ == State::kClosed) return;
      if (completion.tag == sync_ab_tag_ || completion.tag == sync_membership_tag_) {
        on_sync_result(completion, now);
      } else if (completion.tag == membership_refresh_tag_ || completion.tag == ab_refresh_tag_) {
        on_background_result(completion);
      } else {
        on_job_result(completion);
      }
    }
  }
}

// ---- events -------------------------------------------------------------------------------

ev::ContactView NotificationSession::view_of(const Contact& contact) const {
  ev::ContactView view;
  view.address = contact.passport;
  view.network = contact.network;
  view.display_name = contact.display_name;
  view.nickname = contact.nickname;
  view.lists = contact.lists;
  for (const std::string& id : contact.group_ids)
    if (const Group* group = list_.find_group(id)) view.groups.push_back(group->name);
  return view;
}

void NotificationSession::emit_contact(std::string_view address) {
  const Contact* contact = list_.find(address);
  if (contact != nullptr && contact->lists != ListBits::kNone) {
    events_.push_back(ev::ContactChanged{view_of(*contact)});
  } else {
    events_.push_back(ev::ContactRemoved{std::string(address)});
  }
}

std::map<std::string, std::string> NotificationSession::group_names() const {
  std::map<std::string, std::string> names;
  for (const Group* group : list_.groups()) names[ascii::to_lower(group->id)] = group->name;
  return names;
}

void NotificationSession::emit_changes(const ListChanges& changes, const std::map<std::string, std::string>& before) {
  for (const std::string& id : changes.groups_changed) {
    const Group* group = list_.find_group(id);
    if (group == nullptr) continue;
    const auto old = before.find(ascii::to_lower(id));
    events_.push_back(ev::GroupChanged{old != before.end() ? old->second : std::string{}, group->name});
  }
  for (const std::string& key : changes.contacts_changed) emit_contact(key);
  for (const std::string& key : changes.contacts_removed) events_.push_back(ev::ContactRemoved{key});
  for (const std::string& id : changes.groups_removed) {
    const auto old = before.find(ascii::to_lower(id));
    if (old != before.end()) events_.push_back(ev::GroupRemoved{old->second});
  }
}

// A big list is written kListStep contacts per step from on_timer (see has_work); a newer
// change starts the writing over, so the blob handed out is never older than the list.
void NotificationSession::emit_cache() {
  if (state_ != State::kOnline) return;
  cache_writer_.emplace(settings_.account, list_);
  advance_cache();
}

// At the session's end a snapshot under way is still handed out: it is the newest there is.
void NotificationSession::finish_cache() {
  if (!cache_writer_) return;
  while (!cache_writer_->step(list_, list_.size())) {
  }
  events_.push_back(ev::ContactCacheUpdated{cache_writer_->take()});
  cache_writer_.reset();
}

void NotificationSession::advance_cache() {
  if (!cache_writer_->step(list_, kListStep)) return;
  events_.push_back(ev::ContactCacheUpdated{cache_writer_->take()});
  cache_writer_.reset();
}

}  // namespace msn
