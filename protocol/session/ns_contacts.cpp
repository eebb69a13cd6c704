// SPDX-License-Identifier: GPL-2.0-or-later
// Contacts on the notification server: their presence (ILN, NLN, FLN, UBX), the server's list
// notices (ADL 0 / RML 0: someone added or removed us), error replies to our list commands,
// and the contact-list intents, each a ListJob of address book / Sharing calls followed by the
// ADL/RML that tells the NS (docs/protocol/contact-list.md, "Operations").
#include <algorithm>
#include <map>
#include <utility>

#include "session/contact_cache.h"
#include "session/list_job.h"
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

Error not_signed_in() { return make_error(Errc::kInvalidArgument, "not signed in yet"); }
Error invalid(std::string why) { return make_error(Errc::kInvalidArgument, std::move(why)); }

bool in_group(const Contact& contact, std::string_view group_id) {
  return std::any_of(contact.group_ids.begin(), contact.group_ids.end(),
                     [&](const std::string& id) { return ascii::iequals(id, group_id); });
}

// The network to name a contact by in ADL/RML and membership calls.
Network known_network(const Contact* contact) {
  return contact == nullptr || contact->network == Network::kUnknown ? Network::kPassport : contact->network;
}

using Builder = std::function<Result<soap::SoapRequest>(const soap::AbCredentials&)>;

AbRequest operation(std::string name, Builder build) {
  return AbRequest{AbCallKind::kOperation, std::move(name), std::move(build)};
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
  for (const Contact* contact : list_.contacts()) {
    if (!contact->on(ListBits::kPending)) continue;
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

// ---- jobs ---------------------------------------------------------------------------------

std::unique_ptr<ListJob> NotificationSession::make_job(ev::ListOperation operation, std::string subject) {
  auto job = std::make_unique<ListJob>();
  job->operation = operation;
  job->subject = std::move(subject);
  job->tag = next_tag_++;
  return job;
}

Status NotificationSession::start_job(std::unique_ptr<ListJob> job, TimePoint now) {
  jobs_.push_back(std::move(job));
  run_jobs();
  pump_address_book(now);
  return Status::ok();
}

// Runs the front job's next needed step; finished jobs leave the queue.
void NotificationSession::run_jobs() {
  while (!job_running_ && !jobs_.empty()) {
    ListJob& job = *jobs_.front();
    if (job.next < job.steps.size()) {
      JobStep& step = job.steps[job.next];
      if (step.needed && !step.needed()) {
        ++job.next;
        continue;
      }
      if (!step.request.build) {  // a local step
        ++job.next;
        if (step.done) {
          if (auto status = step.done(soap::OperationResult{}); !status) fail_job(status.error());
        }
        continue;
      }
      job_running_ = true;
      address_book_.submit(step.request, job.tag);
      return;
    }
    if (job.finish) job.finish();
    jobs_.pop_front();
    emit_cache();
  }
}

void NotificationSession::on_job_result(const AbCompletion& completion) {
  if (!job_running_ || jobs_.empty() || jobs_.front()->tag != completion.tag) return;
  job_running_ = false;
  ListJob& job = *jobs_.front();
  JobStep& step = job.steps[job.next];
  ++job.next;
  soap::OperationResult result;
  if (completion.result) {
    if (const auto* answer = std::get_if<soap::OperationResult>(&completion.result.value())) result = *answer;
  } else if (!(step.not_found_is_success && soap::ab_fault(completion.result.error()) == soap::AbFault::kNotFound)) {
    fail_job(completion.result.error());
    run_jobs();
    return;
  }
  if (step.done) {
    if (auto status = step.done(result); !status) fail_job(status.error());
  }
  run_jobs();
}

// Reports the front job's failure, puts the UI back to what the list (= the server) holds,
// and drops the job.
void NotificationSession::fail_job(Error error) {
  std::unique_ptr<ListJob> job = std::move(jobs_.front());
  jobs_.pop_front();
  log(LogLevel::kWarning, "list change failed: " + error.detail);
  events_.push_back(ev::ListOperationFailed{job->operation, job->subject, std::move(error)});
  if (job->restore) job->restore();
}

JobStep NotificationSession::group_step(ListJob& job, std::string name) {
  ListJob* owner = &job;
  JobStep step;
  step.needed = [this, owner, name] {
    const Group* group = list_.find_group_by_name(name);
    if (group != nullptr) owner->group_id = group->id;
    return group == nullptr;
  };
  step.request = operation("ABGroupAdd", [name](const soap::AbCredentials& credentials) {
    return soap::build_ab_group_add(credentials, name);
  });
  step.done = [this, owner, name](const soap::OperationResult& result) -> Status {
    if (result.guid.empty()) {  // it existed after all, under an id we do not know yet
      refresh_address_book();
      return make_error(Errc::kSoap, "the group exists on the server but is not known here yet");
    }
    owner->group_id = result.guid;
    list_.add_group(Group{result.guid, name});
    events_.push_back(ev::GroupChanged{{}, name});
    return Status::ok();
  };
  return step;
}

JobStep NotificationSession::member_step(ListJob& /*job*/, bool add, ListBits role, std::string address) {
  JobStep step;
  step.needed = [this, add, role, address] {
    const Contact* contact = list_.find(address);
    const bool on = contact != nullptr && contact->on(role);
    return add ? !on : on;
  };
  step.not_found_is_success = !add;
  step.request = operation(add ? "AddMember" : "DeleteMember", [this, add, role, address](const soap::AbCredentials& credentials) {
    const Contact* contact = list_.find(address);
    soap::MemberRef member{address, known_network(contact), {}};
    if (!add && contact != nullptr && role == ListBits::kPending) member.membership_id = contact->membership_ids.pending;
    return add ? soap::build_add_member(credentials, role, member) : soap::build_delete_member(credentials, role, member);
  });
  step.done = [this, add, role, address](const soap::OperationResult&) -> Status {
    const Contact* before = list_.find(address);
    Contact copy;
    if (before != nullptr) copy = *before;
    copy.passport = address;
    if (add) {
      list_.add_to_lists(address, known_network(before), role);
    } else {
      list_.remove_from_lists(address, role);
      if (role == ListBits::kPending) authorization_asked_.erase(ascii::to_lower(address));
    }
    // Only the client's own lists are announced; RL and PL belong to the server.
    if (has_any(role, kAnnouncedLists)) {
      const Contact* after = list_.find(address);
      send_list_command(add ? "ADL" : "RML", after != nullptr ? *after : copy, role, ev::ListOperation::kBlock);
    }
    return Status::ok();
  };
  return step;
}

void NotificationSession::send_list_command(std::string_view verb, const Contact& contact, ListBits bits,
                                            ev::ListOperation operation) {
  const wire::MlContact entry{contact.passport, bits, known_network(&contact), {}};
  for (const std::string& payload : wire::build_list_change(std::span(&entry, 1))) {
    auto written = writer_.payload_command(verb, {}, payload);
    send(written);
    ListCommand command{operation, contact.passport};
    if (!jobs_.empty()) command.operation = jobs_.front()->operation;  // the intent it belongs to
    list_commands_[written.trid] = std::move(command);
  }
}

// ---- intents ------------------------------------------------------------------------------

Status NotificationSession::add_contact(std::string_view address_in, std::string_view group_in,
                                        std::string_view invite_in, TimePoint now) {
  if (!online()) return not_signed_in();
  if (!is_valid_address(address_in)) return invalid("not a usable address");
  if (ascii::iequals(address_in, settings_.account)) return invalid("the account itself");
  const std::string address(address_in), group(group_in), invite(invite_in);
  auto job = make_job(ev::ListOperation::kAddContact, address);
  ListJob* owner = job.get();
  if (!group.empty()) job->steps.push_back(group_step(*job, group));

  // Not in the address book yet: create it (in the group at once when there is one).
  JobStep create;
  create.needed = [this, address] {
    const Contact* contact = list_.find(address);
    return contact == nullptr || !contact->on(ListBits::kForward);
  };
  create.request = operation(group.empty() ? "ABContactAdd" : "ABGroupContactAdd",
                             [this, owner, address, group, invite](const soap::AbCredentials& credentials) {
                               const soap::NewContact contact{address, known_network(list_.find(address)), invite,
                                                              own_display_name_};
                               return group.empty() ? soap::build_ab_contact_add(credentials, contact)
                                                    : soap::build_ab_group_contact_add_new(credentials, owner->group_id,
                                                                                            contact);
                             });
  create.done = [this, owner, address, group](const soap::OperationResult& result) -> Status {
    const Network network = known_network(list_.find(address));
    ListBits announce = ListBits::kForward;
    list_.add_to_lists(address, network, ListBits::kForward);
    // EnableAllowListManagement: the service put them on Allow unless they were on a list.
    if (!list_.find(address)->on(ListBits::kAllow | ListBits::kBlock)) {
      list_.add_to_lists(address, network, ListBits::kAllow);
      announce |= ListBits::kAllow;
    }
    if (result.guid.empty()) {
      refresh_address_book();  // it was there already: learn its id
    } else {
      list_.set_contact_id(address, result.guid);
    }
    if (!group.empty()) list_.add_contact_to_group(address, owner->group_id);
    send_list_command("ADL", *list_.find(address), announce, ev::ListOperation::kAddContact);
    return Status::ok();
  };
  job->steps.push_back(std::move(create));

  // Already a buddy: only the group is new.
  if (!group.empty()) {
    JobStep into_group;
    into_group.needed = [this, owner, address] {
      const Contact* contact = list_.find(address);
      return contact != nullptr && !in_group(*contact, owner->group_id);
    };
    into_group.request = operation("ABGroupContactAdd", [this, owner, address](const soap::AbCredentials& credentials) {
      const Contact* contact = list_.find(address);
      return soap::build_ab_group_contact_add(credentials, owner->group_id,
                                              contact != nullptr ? contact->contact_id : std::string{});
    });
    into_group.done = [this, owner, address](const soap::OperationResult&) {
      list_.add_contact_to_group(address, owner->group_id);
      return Status::ok();
    };
    job->steps.push_back(std::move(into_group));
  }
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address, group] {
    if (!group.empty() && list_.find_group_by_name(group) == nullptr) events_.push_back(ev::GroupRemoved{group});
    emit_contact(address);
  };
  return start_job(std::move(job), now);
}

Status NotificationSession::remove_contact(std::string_view address_in, std::string_view group, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kForward)) return invalid("not on the contact list");
  const std::string address = contact->passport;
  const Group* named = group.empty() ? nullptr : list_.find_group_by_name(group);
  const bool member = named != nullptr && in_group(*contact, named->id);
  auto job = make_job(ev::ListOperation::kRemoveContact, address);

  if (member && contact->group_ids.size() > 1) {
    // Out of one group of several: the contact stays.
    const std::string group_id = named->id;
    JobStep step;
    step.not_found_is_success = true;
    step.request = operation("ABGroupContactDelete", [this, address, group_id](const soap::AbCredentials& credentials) {
      const Contact* current = list_.find(address);
      return soap::build_ab_group_contact_delete(credentials, group_id,
                                                 current != nullptr ? current->contact_id : std::string{});
    });
    step.done = [this, address, group_id](const soap::OperationResult&) {
      list_.remove_contact_from_group(address, group_id);
      return Status::ok();
    };
    job->steps.push_back(std::move(step));
  } else if (member || group.empty() || contact->group_ids.empty()) {
    // Out of its last group, or out of "no group": off the list and the address book.
    JobStep delete_contact;
    delete_contact.needed = [this, address] {
      const Contact* current = list_.find(address);
      return current != nullptr && !current->contact_id.empty();
    };
    delete_contact.not_found_is_success = true;
    delete_contact.request = operation("ABContactDelete", [this, address](const soap::AbCredentials& credentials) {
      const Contact* current = list_.find(address);
      return soap::build_ab_contact_delete(credentials, current != nullptr ? current->contact_id : std::string{});
    });
    job->steps.push_back(std::move(delete_contact));
    JobStep leave_forward;  // local: the list and the NS
    leave_forward.done = [this, address](const soap::OperationResult&) {
      const Contact* current = list_.find(address);
      if (current == nullptr || !current->on(ListBits::kForward)) return Status::ok();
      const Contact copy = *current;
      list_.remove_from_lists(address, ListBits::kForward);
      send_list_command("RML", copy, ListBits::kForward, ev::ListOperation::kRemoveContact);
      return Status::ok();
    };
    job->steps.push_back(std::move(leave_forward));
  }
  // Otherwise the contact is not in that group: nothing to change.
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address] { emit_contact(address); };
  return start_job(std::move(job), now);
}

Status NotificationSession::move_contact(std::string_view address_in, std::string_view from_group,
                                         std::string_view to_group, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kForward)) return invalid("not on the contact list");
  if (from_group == to_group) return Status::ok();
  const std::string address = contact->passport, from(from_group), to(to_group);
  auto job = make_job(ev::ListOperation::kMoveContact, address);
  ListJob* owner = job.get();
  if (!to.empty()) {
    job->steps.push_back(group_step(*job, to));
    JobStep add;
    add.needed = [this, owner, address] {
      const Contact* current = list_.find(address);
      return current != nullptr && !in_group(*current, owner->group_id);
    };
    add.request = operation("ABGroupContactAdd", [this, owner, address](const soap::AbCredentials& credentials) {
      const Contact* current = list_.find(address);
      return soap::build_ab_group_contact_add(credentials, owner->group_id,
                                              current != nullptr ? current->contact_id : std::string{});
    });
    add.done = [this, owner, address](const soap::OperationResult&) {
      list_.add_contact_to_group(address, owner->group_id);
      return Status::ok();
    };
    job->steps.push_back(std::move(add));
  }
  if (!from.empty()) {
    JobStep remove;
    remove.needed = [this, address, from] {
      const Group* group = list_.find_group_by_name(from);
      const Contact* current = list_.find(address);
      return group != nullptr && current != nullptr && in_group(*current, group->id);
    };
    remove.not_found_is_success = true;
    remove.request = operation("ABGroupContactDelete", [this, address, from](const soap::AbCredentials& credentials) {
      const Group* group = list_.find_group_by_name(from);
      const Contact* current = list_.find(address);
      return soap::build_ab_group_contact_delete(credentials, group != nullptr ? group->id : std::string{},
                                                 current != nullptr ? current->contact_id : std::string{});
    });
    remove.done = [this, address, from](const soap::OperationResult&) {
      if (const Group* group = list_.find_group_by_name(from)) list_.remove_contact_from_group(address, group->id);
      return Status::ok();
    };
    job->steps.push_back(std::move(remove));
  }
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address, to] {
    if (!to.empty() && list_.find_group_by_name(to) == nullptr) events_.push_back(ev::GroupRemoved{to});
    emit_contact(address);
  };
  return start_job(std::move(job), now);
}

Status NotificationSession::set_contact_alias(std::string_view address_in, std::string_view alias_in, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kForward)) return invalid("not on the contact list");
  const std::string address = contact->passport, alias(alias_in);
  auto job = make_job(ev::ListOperation::kAliasContact, address);
  JobStep step;
  step.request = operation("ABContactUpdate", [this, address, alias](const soap::AbCredentials& credentials) {
    const Contact* current = list_.find(address);
    return soap::build_ab_contact_update_nickname(credentials, current != nullptr ? current->contact_id : std::string{},
                                                  alias);
  });
  step.done = [this, address, alias](const soap::OperationResult&) {
    list_.set_nickname(address, alias);
    return Status::ok();
  };
  job->steps.push_back(std::move(step));
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address] { emit_contact(address); };
  return start_job(std::move(job), now);
}

Status NotificationSession::add_group(std::string_view name_in, TimePoint now) {
  if (!online()) return not_signed_in();
  if (name_in.empty()) return invalid("an empty group name");
  if (list_.find_group_by_name(name_in) != nullptr) return Status::ok();
  const std::string name(name_in);
  auto job = make_job(ev::ListOperation::kAddGroup, name);
  job->steps.push_back(group_step(*job, name));
  job->restore = [this, name] {
    if (list_.find_group_by_name(name) == nullptr) events_.push_back(ev::GroupRemoved{name});
  };
  return start_job(std::move(job), now);
}

Status NotificationSession::rename_group(std::string_view old_in, std::string_view new_in, TimePoint now) {
  if (!online()) return not_signed_in();
  const Group* group = list_.find_group_by_name(old_in);
  if (group == nullptr) return invalid("no such group");
  if (new_in.empty()) return invalid("an empty group name");
  if (old_in == new_in) return Status::ok();
  if (list_.find_group_by_name(new_in) != nullptr) return invalid("a group of that name exists");
  const std::string id = group->id, old_name(old_in), new_name(new_in);
  auto job = make_job(ev::ListOperation::kRenameGroup, old_name);
  JobStep step;
  step.request = operation("ABGroupUpdate", [id, new_name](const soap::AbCredentials& credentials) {
    return soap::build_ab_group_update(credentials, id, new_name);
  });
  step.done = [this, id, old_name, new_name](const soap::OperationResult&) {
    list_.add_group(Group{id, new_name});
    events_.push_back(ev::GroupChanged{old_name, new_name});
    return Status::ok();
  };
  job->steps.push_back(std::move(step));
  job->restore = [this, old_name, new_name] { events_.push_back(ev::GroupChanged{new_name, old_name}); };
  return start_job(std::move(job), now);
}

Status NotificationSession::remove_group(std::string_view name_in, TimePoint now) {
  if (!online()) return not_signed_in();
  const Group* group = list_.find_group_by_name(name_in);
  if (group == nullptr) return invalid("no such group");
  const std::string id = group->id, name(name_in);
  auto job = make_job(ev::ListOperation::kRemoveGroup, name);
  JobStep step;
  step.not_found_is_success = true;
  step.request = operation("ABGroupDelete", [id](const soap::AbCredentials& credentials) {
    return soap::build_ab_group_delete(credentials, id);
  });
  step.done = [this, id, name](const soap::OperationResult&) {
    std::vector<std::string> members;
    for (const Contact* contact : list_.contacts())
      if (in_group(*contact, id)) members.push_back(contact->passport);
    list_.remove_group(id);
    events_.push_back(ev::GroupRemoved{name});
    for (const std::string& address : members) emit_contact(address);
    return Status::ok();
  };
  job->steps.push_back(std::move(step));
  job->restore = [this, id, name] {
    if (list_.find_group(id) == nullptr) return;
    events_.push_back(ev::GroupChanged{{}, name});
    for (const Contact* contact : list_.contacts())
      if (in_group(*contact, id)) emit_contact(contact->passport);
  };
  return start_job(std::move(job), now);
}

namespace {

// Intents on the Allow/Block/Pending roles: (add?, role) pairs run in order.
struct RoleChange {
  bool add;
  ListBits role;
};

}  // namespace

// block: off Allow, onto Block; unblock and allow: off Block, onto Allow; disallow: off Allow.
// authorize: accept = Allow (+Reverse), deny = Block; both leave Pending
// (docs/protocol/contact-list.md).
#define MSN_ROLE_INTENT(function, op, ...)                                                         \
  Status NotificationSession::function(std::string_view address_in, TimePoint now) {              \
    if (!online()) return not_signed_in();                                                         \
    if (!is_valid_address(address_in)) return invalid("not a usable address");                    \
    if (ascii::iequals(address_in, settings_.account)) return invalid("the account itself");       \
    const Contact* contact = list_.find(address_in);                                               \
    const std::string address = contact != nullptr ? contact->passport : std::string(address_in);  \
    auto job = make_job(op, address);                                                              \
    for (const RoleChange change : {__VA_ARGS__})                                                  \
      job->steps.push_back(member_step(*job, change.add, change.role, address));                   \
    job->finish = [this, address] { emit_contact(address); };                                      \
    job->restore = [this, address] { emit_contact(address); };                                     \
    return start_job(std::move(job), now);                                                         \
  }

MSN_ROLE_INTENT(block, ev::ListOperation::kBlock, RoleChange{false, ListBits::kAllow}, RoleChange{true, ListBits::kBlock})
MSN_ROLE_INTENT(unblock, ev::ListOperation::kUnblock, RoleChange{false, ListBits::kBlock},
                RoleChange{true, ListBits::kAllow})
MSN_ROLE_INTENT(allow, ev::ListOperation::kUnblock, RoleChange{false, ListBits::kBlock}, RoleChange{true, ListBits::kAllow})
MSN_ROLE_INTENT(disallow, ev::ListOperation::kBlock, RoleChange{false, ListBits::kAllow})
#undef MSN_ROLE_INTENT

Status NotificationSession::authorize(std::string_view address_in, bool accept, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kPending)) return invalid("no authorization request from them");
  const std::string address = contact->passport;
  auto job = make_job(accept ? ev::ListOperation::kAuthorize : ev::ListOperation::kDeny, address);
  const std::initializer_list<RoleChange> accept_changes = {
      {false, ListBits::kBlock}, {true, ListBits::kAllow}, {true, ListBits::kReverse}, {false, ListBits::kPending}};
  const std::initializer_list<RoleChange> deny_changes = {
      {false, ListBits::kAllow}, {true, ListBits::kBlock}, {false, ListBits::kPending}};
  for (const RoleChange change : accept ? accept_changes : deny_changes)
    job->steps.push_back(member_step(*job, change.add, change.role, address));
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address] { emit_contact(address); };
  return start_job(std::move(job), now);
}

Status NotificationSession::set_privacy(bool allow_unlisted, TimePoint /*now*/) {
  allow_unlisted_ = allow_unlisted;
  if (!online()) return Status::ok();
  auto blp = writer_.command("BLP", {allow_unlisted ? "AL" : "BL"});
  send(blp);
  list_commands_[blp.trid] = ListCommand{ev::ListOperation::kSetPrivacy, {}};
  return Status::ok();
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
