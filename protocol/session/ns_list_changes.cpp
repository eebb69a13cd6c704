// SPDX-License-Identifier: GPL-2.0-or-later
// The user's changes to the contact list (add, remove, move, alias, groups, block and allow,
// authorization answers, privacy), each a ListJob of address book / Sharing calls followed by
// the ADL/RML that tells the NS (docs/protocol/contact-list.md, "Operations").
#include <algorithm>
#include <functional>
#include <span>
#include <string>
#include <utility>

#include "session/list_job.h"
#include "session/notification_session.h"
#include "wire/adl.h"

namespace msn {

namespace {

Error not_signed_in() { return make_error(Errc::kInvalidArgument, "not signed in yet"); }
Error invalid(std::string why) { return make_error(Errc::kInvalidArgument, std::move(why)); }

bool in_group(const Contact& contact, std::string_view group_id) {
  return std::any_of(contact.group_ids.begin(), contact.group_ids.end(),
                     [&](const std::string& id) { return ascii::iequals(id, group_id); });
}

// The network to name a contact by in ADL/RML and membership calls.
Network known_network(const Contact* contact) {
  return contact == nullptr || contact->network == Network::kUnknown ? Network::kPassport
                                                                     : contact->network;
}

using Builder = std::function<Result<soap::SoapRequest>(const soap::AbCredentials&)>;

AbRequest operation(std::string name, Builder build) {
  return AbRequest{AbCallKind::kOperation, std::move(name), std::move(build)};
}

}  // namespace

// ---- jobs ---------------------------------------------------------------------------------

std::unique_ptr<ListJob> NotificationSession::make_job(ev::ListOperation operation,
                                                       std::string subject) {
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
    if (const auto* answer = std::get_if<soap::OperationResult>(&completion.result.value()))
      result = *answer;
  } else if (!(step.not_found_is_success &&
               soap::ab_fault(completion.result.error()) == soap::AbFault::kNotFound)) {
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

JobStep NotificationSession::member_step(ListJob& /*job*/, bool add, ListBits role,
                                         std::string address) {
  JobStep step;
  step.needed = [this, add, role, address] {
    const Contact* contact = list_.find(address);
    const bool on = contact != nullptr && contact->on(role);
    return add ? !on : on;
  };
  step.not_found_is_success = !add;
  step.request = operation(add ? "AddMember" : "DeleteMember",
                           [this, add, role, address](const soap::AbCredentials& credentials) {
                             const Contact* contact = list_.find(address);
                             soap::MemberRef member{address, known_network(contact), {}};
                             if (!add && contact != nullptr && role == ListBits::kPending)
                               member.membership_id = contact->membership_ids.pending;
                             return add ? soap::build_add_member(credentials, role, member)
                                        : soap::build_delete_member(credentials, role, member);
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
      send_list_command(add ? "ADL" : "RML", after != nullptr ? *after : copy, role,
                        ev::ListOperation::kBlock);
    }
    return Status::ok();
  };
  return step;
}

void NotificationSession::send_list_command(std::string_view verb, const Contact& contact,
                                            ListBits bits, ev::ListOperation operation) {
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
  create.request = operation(
      group.empty() ? "ABContactAdd" : "ABGroupContactAdd",
      [this, owner, address, group, invite](const soap::AbCredentials& credentials) {
        const soap::NewContact contact{address, known_network(list_.find(address)), invite,
                                       own_display_name_};
        return group.empty()
                   ? soap::build_ab_contact_add(credentials, contact)
                   : soap::build_ab_group_contact_add_new(credentials, owner->group_id, contact);
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
    into_group.request = operation("ABGroupContactAdd",
                                   [this, owner, address](const soap::AbCredentials& credentials) {
                                     const Contact* contact = list_.find(address);
                                     return soap::build_ab_group_contact_add(
                                         credentials, owner->group_id,
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
    if (!group.empty() && list_.find_group_by_name(group) == nullptr)
      events_.push_back(ev::GroupRemoved{group});
    emit_contact(address);
  };
  return start_job(std::move(job), now);
}

Status NotificationSession::remove_contact(std::string_view address_in, std::string_view group,
                                           TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kForward))
    return invalid("not on the contact list");
  const std::string address = contact->passport;
  const Group* named = group.empty() ? nullptr : list_.find_group_by_name(group);
  const bool member = named != nullptr && in_group(*contact, named->id);
  auto job = make_job(ev::ListOperation::kRemoveContact, address);

  if (member && contact->group_ids.size() > 1) {
    // Out of one group of several: the contact stays.
    const std::string group_id = named->id;
    JobStep step;
    step.not_found_is_success = true;
    step.request = operation(
        "ABGroupContactDelete", [this, address, group_id](const soap::AbCredentials& credentials) {
          const Contact* current = list_.find(address);
          return soap::build_ab_group_contact_delete(
              credentials, group_id, current != nullptr ? current->contact_id : std::string{});
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
    delete_contact.request =
        operation("ABContactDelete", [this, address](const soap::AbCredentials& credentials) {
          const Contact* current = list_.find(address);
          return soap::build_ab_contact_delete(
              credentials, current != nullptr ? current->contact_id : std::string{});
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
  if (contact == nullptr || !contact->on(ListBits::kForward))
    return invalid("not on the contact list");
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
    add.request = operation("ABGroupContactAdd", [this, owner,
                                                  address](const soap::AbCredentials& credentials) {
      const Contact* current = list_.find(address);
      return soap::build_ab_group_contact_add(
          credentials, owner->group_id, current != nullptr ? current->contact_id : std::string{});
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
    remove.request = operation("ABGroupContactDelete",
                               [this, address, from](const soap::AbCredentials& credentials) {
                                 const Group* group = list_.find_group_by_name(from);
                                 const Contact* current = list_.find(address);
                                 return soap::build_ab_group_contact_delete(
                                     credentials, group != nullptr ? group->id : std::string{},
                                     current != nullptr ? current->contact_id : std::string{});
                               });
    remove.done = [this, address, from](const soap::OperationResult&) {
      if (const Group* group = list_.find_group_by_name(from))
        list_.remove_contact_from_group(address, group->id);
      return Status::ok();
    };
    job->steps.push_back(std::move(remove));
  }
  job->finish = [this, address] { emit_contact(address); };
  job->restore = [this, address, to] {
    if (!to.empty() && list_.find_group_by_name(to) == nullptr)
      events_.push_back(ev::GroupRemoved{to});
    emit_contact(address);
  };
  return start_job(std::move(job), now);
}

Status NotificationSession::set_contact_alias(std::string_view address_in,
                                              std::string_view alias_in, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kForward))
    return invalid("not on the contact list");
  const std::string address = contact->passport, alias(alias_in);
  auto job = make_job(ev::ListOperation::kAliasContact, address);
  JobStep step;
  step.request =
      operation("ABContactUpdate", [this, address, alias](const soap::AbCredentials& credentials) {
        const Contact* current = list_.find(address);
        return soap::build_ab_contact_update_nickname(
            credentials, current != nullptr ? current->contact_id : std::string{}, alias);
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

Status NotificationSession::rename_group(std::string_view old_in, std::string_view new_in,
                                         TimePoint now) {
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
  job->restore = [this, old_name, new_name] {
    events_.push_back(ev::GroupChanged{new_name, old_name});
  };
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
#define MSN_ROLE_INTENT(function, op, ...)                                                        \
  Status NotificationSession::function(std::string_view address_in, TimePoint now) {              \
    if (!online()) return not_signed_in();                                                        \
    if (!is_valid_address(address_in)) return invalid("not a usable address");                    \
    if (ascii::iequals(address_in, settings_.account)) return invalid("the account itself");      \
    const Contact* contact = list_.find(address_in);                                              \
    const std::string address = contact != nullptr ? contact->passport : std::string(address_in); \
    auto job = make_job(op, address);                                                             \
    for (const RoleChange change : {__VA_ARGS__})                                                 \
      job->steps.push_back(member_step(*job, change.add, change.role, address));                  \
    job->finish = [this, address] { emit_contact(address); };                                     \
    job->restore = [this, address] { emit_contact(address); };                                    \
    return start_job(std::move(job), now);                                                        \
  }

MSN_ROLE_INTENT(block, ev::ListOperation::kBlock, RoleChange{false, ListBits::kAllow},
                RoleChange{true, ListBits::kBlock})
MSN_ROLE_INTENT(unblock, ev::ListOperation::kUnblock, RoleChange{false, ListBits::kBlock},
                RoleChange{true, ListBits::kAllow})
MSN_ROLE_INTENT(allow, ev::ListOperation::kUnblock, RoleChange{false, ListBits::kBlock},
                RoleChange{true, ListBits::kAllow})
MSN_ROLE_INTENT(disallow, ev::ListOperation::kBlock, RoleChange{false, ListBits::kAllow})
#undef MSN_ROLE_INTENT

Status NotificationSession::authorize(std::string_view address_in, bool accept, TimePoint now) {
  if (!online()) return not_signed_in();
  const Contact* contact = list_.find(address_in);
  if (contact == nullptr || !contact->on(ListBits::kPending))
    return invalid("no authorization request from them");
  const std::string address = contact->passport;
  auto job = make_job(accept ? ev::ListOperation::kAuthorize : ev::ListOperation::kDeny, address);
  const std::initializer_list<RoleChange> accept_changes = {{false, ListBits::kBlock},
                                                            {true, ListBits::kAllow},
                                                            {true, ListBits::kReverse},
                                                            {false, ListBits::kPending}};
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

}  // namespace msn
