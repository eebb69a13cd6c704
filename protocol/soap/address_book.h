// SPDX-License-Identifier: GPL-2.0-or-later
// The address book service (docs/protocol/contact-list.md): ABFindAll (the forward list, groups,
// own display name) and the contact and group changes.
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
// Every builder XML-escapes its values. Builders that take ids or addresses return
// Errc::kInvalidArgument for an empty id or an invalid address.

// ABFindAll of the default address book. With a non-empty `last_change` (a previous
// AddressBookResult::last_change) only changes since then are asked for (deltasOnly).
SoapRequest build_ab_find_all(const AbCredentials& credentials,
                              PartnerScenario scenario = PartnerScenario::kInitial,
                              std::string_view last_change = {});

// A contact to create in the address book.
// (The {} initialisers let callers use designated initialisers for a subset of the fields.)
struct NewContact {
  std::string address{};
  Network network = Network::kPassport;  // others are stored as a messenger-enabled e-mail
  std::string invite_message{};          // optional: MSN.IM.InviteMessage shown to them
  std::string own_display_name{};        // sent with the invitation message
};

// ABContactAdd (ContactSave). The response's guid is the new contactId
// (parse_operation_response(xml, "ABContactAdd")).
Result<SoapRequest> build_ab_contact_add(const AbCredentials& credentials,
                                         const NewContact& contact);
// ABContactDelete (Timer).
Result<SoapRequest> build_ab_contact_delete(const AbCredentials& credentials,
                                            std::string_view contact_id);
// ABContactUpdate (Timer) of a contact's private alias, the AB.NickName annotation (an empty
// nickname clears it).
Result<SoapRequest> build_ab_contact_update_nickname(const AbCredentials& credentials,
                                                     std::string_view contact_id,
                                                     std::string_view nickname);
// ABContactUpdate (Timer) of the own contact's (contactType Me) DisplayName.
SoapRequest build_ab_contact_update_display_name(const AbCredentials& credentials,
                                                 std::string_view display_name);
// ABGroupAdd (GroupSave); the response's guid is the new group id. Empty names are refused.
Result<SoapRequest> build_ab_group_add(const AbCredentials& credentials, std::string_view name);
// ABGroupDelete (Timer).
Result<SoapRequest> build_ab_group_delete(const AbCredentials& credentials,
                                          std::string_view group_id);
// ABGroupUpdate (Timer): rename.
Result<SoapRequest> build_ab_group_update(const AbCredentials& credentials,
                                          std::string_view group_id, std::string_view name);
// ABGroupContactAdd (ContactSave) of an existing contact.
Result<SoapRequest> build_ab_group_contact_add(const AbCredentials& credentials,
                                               std::string_view group_id,
                                               std::string_view contact_id);
// ABGroupContactAdd (ContactSave) creating the contact at the same time; the response's guid
// is the new contactId.
Result<SoapRequest> build_ab_group_contact_add_new(const AbCredentials& credentials,
                                                   std::string_view group_id,
                                                   const NewContact& contact);
// ABGroupContactDelete (Timer).
Result<SoapRequest> build_ab_group_contact_delete(const AbCredentials& credentials,
                                                  std::string_view group_id,
                                                  std::string_view contact_id);
// ABAdd (Initial): create the address book after an ABDoesNotExist fault.
Result<SoapRequest> build_ab_add(const AbCredentials& credentials, std::string_view owner_email);

// ---- the ABFindAll response --------------------------------------------------------------

// A messenger contact of the address book (every one of them is on the forward list).
struct AbContact {
  std::string contact_id;
  std::string contact_type;              // Regular, LivePending, ... ("Me" never appears here)
  std::string address;                   // passportName, or the messenger-enabled e-mail
  Network network = Network::kPassport;  // kUnknown for an e-mail without a network hint
  std::string display_name;
  std::string nickname;  // AB.NickName
  std::vector<std::string> group_ids;
};

struct AddressBookResult {
  ServiceHeader header;
  std::vector<Group> groups;                   // new or changed in a delta
  std::vector<std::string> deleted_group_ids;  // fDeleted=true (deltas)
  std::vector<AbContact> contacts;             // new or changed in a delta; duplicates merged
  // Contacts to take off the forward list: fDeleted=true, or no longer messenger users
  // (isMessengerUser false). Only meaningful for deltas.
  std::vector<std::string> removed_contact_ids;
  bool has_owner = false;                 // a contactType Me entry was present
  std::string owner_display_name;         // its displayName
  std::string last_change;                // ab/lastChange, for the next delta request
  std::string dynamic_item_last_changed;  // ab/DynamicItemLastChanged
  std::vector<std::string> notes;         // skipped entries, for a debug log
};

// Parses an ABFindAll response body (pass 200 and 500 bodies alike). A contact without
// passportName uses the e-mail whose isMessengerEnabled is true (network from its
// Capability, or Yahoo for contactEmailType Messenger2). Contacts with isMessengerUser false,
// without a usable address or with an invalid one are skipped (the latter two with a note).
// Errors: faults as described at AbFault; Errc::kSoap for malformed XML or a document without
// an ABFindAllResponse; Errc::kLimit past `limits`.
Result<AddressBookResult> parse_ab_find_all(std::string_view xml, const ParseLimits& limits = {});

// parse_ab_find_all for a body handed over in pieces (a big book is read a bounded piece at a
// time): feed() as often as needed, then finish() once. The same results and errors.
class AbFindAllParser {
 public:
  explicit AbFindAllParser(const ParseLimits& limits = {});
  ~AbFindAllParser();
  AbFindAllParser(const AbFindAllParser&) = delete;
  AbFindAllParser& operator=(const AbFindAllParser&) = delete;
  AbFindAllParser(AbFindAllParser&&) noexcept;
  AbFindAllParser& operator=(AbFindAllParser&&) noexcept;

  Status feed(std::string_view chunk);
  Result<AddressBookResult> finish();

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace msn::soap
