// SPDX-License-Identifier: GPL-2.0-or-later
// The Sharing service (docs/protocol/contact-list.md): FindMembership (the Allow, Block, Reverse
// and Pending lists) and AddMember/DeleteMember.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/contact.h"
#include "soap/envelope.h"

namespace msn::soap {

// ---- requests ----------------------------------------------------------------------------

// FindMembership for the Messenger, Invitation, SocialNetwork, Space and Profile services.
// With a non-empty `last_change` (a previous MembershipResult::last_change) only the changes
// since then are asked for (View Full, deltasOnly true).
// Scenario: kInitial at sign-in, kMessengerPendingList after a server ADL with RL.
SoapRequest build_find_membership(const AbCredentials& credentials, PartnerScenario scenario,
                                  std::string_view last_change = {});

// Who a membership change is about.
struct MemberRef {
  std::string address{};                 // passport or e-mail address
  Network network = Network::kPassport;  // kPassport: a PassportMember; others: an EmailMember
                                         // with an MSN.IM.BuddyType annotation ("32:")
  std::string membership_id{};           // DeleteMember only: when set, the member is named by
                                         // its MembershipId instead (used for Pending)
};

// AddMember / DeleteMember on one of kAllow, kBlock, kReverse, kPending (`role` must be
// exactly one of those, and the address valid unless a membership id names the member;
// otherwise Errc::kInvalidArgument). The PartnerScenario follows the role as the reference
// client chose it (docs/protocol/contact-list.md): BlockUnblock for Allow/Block, ContactMsgrAPI for
// Reverse/Pending.
// Example (block bob):
//   build_delete_member(creds, ListBits::kAllow, {.address = "bob@example.com"})
//   build_add_member(creds, ListBits::kBlock, {.address = "bob@example.com"})
Result<SoapRequest> build_add_member(const AbCredentials& credentials, ListBits role,
                                     const MemberRef& member);
Result<SoapRequest> build_delete_member(const AbCredentials& credentials, ListBits role,
                                        const MemberRef& member);
PartnerScenario member_scenario(ListBits role);

// "Allow", "Block", "Reverse", "Pending" for those bits; empty for anything else.
std::string_view member_role_name(ListBits role);

// ---- the FindMembership response ---------------------------------------------------------

// One address of the Messenger service, with every role it holds. Duplicates in the document
// (the same address listed twice, in any case) are merged into one Member.
struct Member {
  std::string address;  // as first spelled in the document
  Network network = Network::kPassport;
  ListBits lists = ListBits::kNone;          // roles it is a member of
  ListBits deleted_lists = ListBits::kNone;  // roles a delta says it left (<Deleted>true)
  MembershipIds membership_ids;
  std::string display_name;    // DisplayName, when the service sends one
  std::string invite_message;  // the MSN.IM.InviteMessage annotation (usually on Pending)
};

struct MembershipResult {
  ServiceHeader header;
  std::string last_change;  // the Messenger service's LastChange, for the next delta request
  std::vector<Member> members;
  std::vector<std::string> notes;  // skipped entries, for a debug log (addresses at most)
};

// Parses a FindMembership response body (pass 200 and 500 bodies alike: faults come with
// 500). Only the service whose Info/Handle/Type is Messenger counts. PassportMembers are
// network 1; EmailMembers take their network from the MSN.IM.BuddyType annotation (kUnknown
// without one); PhoneMembers and other member types, unknown roles and invalid addresses are
// skipped (invalid addresses with a note).
// Errors: faults as described at AbFault; Errc::kSoap for malformed XML or a document
// without a FindMembershipResponse; Errc::kLimit past `limits`.
Result<MembershipResult> parse_find_membership(std::string_view xml,
                                               const ParseLimits& limits = {});

// AddMember / DeleteMember answers: parse_operation_response(xml, "AddMember") (envelope.h).

// parse_find_membership for a body handed over in pieces (a big book is read a bounded piece at a
// time): feed() as often as needed, then finish() once. The same results and errors.
class FindMembershipParser {
 public:
  explicit FindMembershipParser(const ParseLimits& limits = {});
  ~FindMembershipParser();
  FindMembershipParser(const FindMembershipParser&) = delete;
  FindMembershipParser& operator=(const FindMembershipParser&) = delete;
  FindMembershipParser(FindMembershipParser&&) noexcept;
  FindMembershipParser& operator=(FindMembershipParser&&) noexcept;

  Status feed(std::string_view chunk);
  Result<MembershipResult> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace msn::soap
