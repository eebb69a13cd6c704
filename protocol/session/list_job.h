// SPDX-License-Identifier: GPL-2.0-or-later
// A contact-list intent under way (internal to the notification session): the address book
// and Sharing calls it needs, run one after the other, each applied to the ContactList only
// once the service confirmed it, so that the list always says what the server holds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/status.h"
#include "session/address_book_session.h"
#include "session/event.h"

namespace msn {

struct JobStep {
  // The call; a step without `request.build` is a local change (done runs at once).
  AbRequest request;
  // Applies the confirmed change (list, ADL/RML, events); an error fails the job.
  std::function<Status(const soap::OperationResult&)> done;
  // Asked when the step's turn comes (earlier steps and jobs may have made it unnecessary);
  // empty: always needed.
  std::function<bool()> needed;
  // A "does not exist" fault means the thing is already gone, which is what was wanted.
  bool not_found_is_success = false;
};

struct ListJob {
  ev::ListOperation operation = ev::ListOperation::kAddContact;
  std::string subject;  // address or group name, for ListOperationFailed
  std::uint64_t tag = 0;
  std::vector<JobStep> steps;
  std::size_t next = 0;
  std::string group_id;           // the target group's id once known
  std::function<void()> finish;   // after the last step succeeded
  std::function<void()> restore;  // after a failure: events putting the UI back
};

}  // namespace msn
