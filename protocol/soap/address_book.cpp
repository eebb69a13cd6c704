// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/contact-list.md, "ABFindAll" and "Operations" (contact and group changes).
#include "soap/address_book.h"

#include <algorithm>
#include <charconv>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "wire/mime_message.h"

namespace msn::soap {
namespace {

constexpr std::string_view kNickName = "AB.NickName";
// The group type every Messenger group has (docs/protocol/contact-list.md, "Operations").
constexpr std::string_view kMessengerGroupType = "C8529CE2-6EAD-434d-881F-341E17DB3FF8";

// Names reach the buddy list and every log line about the contact: bounded (and made valid
// UTF-8) as the notification server's friendly names are, whatever the service sends.
std::string bounded_name(std::string_view text) {
  return wire::bounded_utf8(trim(text), wire::kMaxFriendlyNameChars);
}

// ---- requests ----------------------------------------------------------------------------

std::string open_operation(std::string_view operation) {
  std::string out = "<";
  out += operation;
  out += " xmlns=\"";
  out += kAbNamespace;
  out += "\"><abId>";
  out += kDefaultAbId;
  out += "</abId>";
  return out;
}

std::string close_operation(std::string_view operation) {
  return "</" + std::string(operation) + ">";
}

SoapRequest ab_request(std::string_view operation, const AbCredentials& credentials,
                       PartnerScenario scenario, std::string_view body) {
  return make_request(kAbServicePath, operation, credentials, scenario, body);
}

Error invalid(std::string_view operation, std::string_view what) {
  return make_error(Errc::kInvalidArgument, std::string(operation) + ": " + std::string(what));
}

std::string element(std::string_view name, std::string_view value) {
  std::string out = "<";
  out += name;
  out += ">";
  out += escape_value(value);
  out += "</";
  out += name;
  out += ">";
  return out;
}

std::string group_filter(std::string_view group_id) {
  return "<groupFilter><groupIds>" + element("guid", group_id) + "</groupIds></groupFilter>";
}

// Yahoo contacts are e-mail entries of type Messenger2; other federated networks are stored
// the same way with their network id as the Capability.
std::string_view email_type(Network network) {
  return network == Network::kYahoo ? "Messenger2" : "Messenger3";
}

// <Contact> with a contactInfo for a new contact (docs/protocol/contact-list.md, "Operations").
std::string new_contact_xml(const NewContact& contact) {
  std::string out = "<Contact xmlns=\"";
  out += kAbNamespace;
  out += "\"><contactInfo>";
  if (contact.network == Network::kPassport) {
    out += element("passportName", contact.address);
    out += "<isSmtp>false</isSmtp><isMessengerUser>true</isMessengerUser>";
  } else {
    out += "<emails><ContactEmail>";
    out += element("contactEmailType", email_type(contact.network));
    out += element("email", contact.address);
    out += "<isMessengerEnabled>true</isMessengerEnabled>";
    out += element("Capability", std::to_string(to_int(contact.network)));
    out +=
        "<MessengerEnabledExternally>false</MessengerEnabledExternally><propertiesChanged/>"
        "</ContactEmail></emails><isMessengerUser>true</isMessengerUser>";
  }
  if (!contact.invite_message.empty()) {
    out +=
        "<MessengerMemberInfo><PendingAnnotations><Annotation>"
        "<Name>MSN.IM.InviteMessage</Name>";
    out += element("Value", contact.invite_message);
    out += "</Annotation></PendingAnnotations>";
    out += element("DisplayName", contact.own_display_name);
    out += "</MessengerMemberInfo>";
  }
  out += "</contactInfo></Contact>";
  return out;
}

std::string contact_id_xml(std::string_view contact_id) {
  return "<Contact>" + element("contactId", contact_id) + "</Contact>";
}

// ---- the response ------------------------------------------------------------------------

Network network_from_capability(std::string_view value) {
  value = trim(value);
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
  if (ec != std::errc() || end != value.data() + value.size()) return Network::kUnknown;
  return network_from_int(id);
}

struct RawContact {
  std::string contact_id;
  bool has_info = false;
  bool deleted = false;
  std::string contact_type;
  std::string passport_name;
  std::string display_name;
  std::string nickname;
  bool is_messenger_user = true;
  std::vector<std::string> group_ids;
  std::string messenger_email;
  Network email_network = Network::kUnknown;
};

struct RawEmail {
  std::string email;
  std::string type;
  std::string capability;
  bool messenger_enabled = false;
};

struct RawGroup {
  std::string id;
  std::string name;
  bool deleted = false;
};

// The element names the handler looks for, numbered as names() lists them.
enum Name : int {
  kOther = 0,
  kABFindAllResponse,
  kABFindAllResult,
  kGroups,
  kGroup,
  kGroupId,
  kGroupInfo,
  kGroupName,
  kContacts,
  kContact,
  kContactId,
  kContactInfo,
  kContactType,
  kPassportName,
  kDisplayName,
  kIsMessengerUser,
  kGroupIds,
  kGuid,
  kAnnotations,
  kAnnotation,
  kAnnotationName,
  kAnnotationValue,
  kEmails,
  kContactEmail,
  kEmail,
  kContactEmailType,
  kCapability,
  kIsMessengerEnabled,
  kFDeleted,
  kAb,
  kLastChange,
  kDynamicItemLastChanged,
};

const NameIds& names() {
  static const NameIds ids{"ABFindAllResponse",
                           "ABFindAllResult",
                           "groups",
                           "Group",
                           "groupId",
                           "groupInfo",
                           "name",
                           "contacts",
                           "Contact",
                           "contactId",
                           "contactInfo",
                           "contactType",
                           "passportName",
                           "displayName",
                           "isMessengerUser",
                           "groupIds",
                           "guid",
                           "annotations",
                           "Annotation",
                           "Name",
                           "Value",
                           "emails",
                           "ContactEmail",
                           "email",
                           "contactEmailType",
                           "Capability",
                           "isMessengerEnabled",
                           "fDeleted",
                           "ab",
                           "lastChange",
                           "DynamicItemLastChanged"};
  return ids;
}

// Whether on_end reads the text of an element of this name at this place (the envelope's
// elements aside). Decided from the path alone, so it holds from the element's start to its end.
bool text_read(const ElementPath& path, int name) {
  const int parent = path.mark(1);
  switch (name) {
    case kContactType:
    case kPassportName:
    case kDisplayName:
    case kIsMessengerUser:
      return parent == kContactInfo;
    case kGuid:
      return parent == kGroupIds && path.mark(2) == kContactInfo;
    case kAnnotationName:
    case kAnnotationValue:
      return parent == kAnnotation && path.mark(2) == kAnnotations && path.mark(3) == kContactInfo;
    case kEmail:
    case kContactEmailType:
    case kCapability:
    case kIsMessengerEnabled:
      return parent == kContactEmail && path.mark(2) == kEmails;
    case kContactId:
      return parent == kContact;
    case kFDeleted:
      return parent == kContact || parent == kGroup;
    case kGroupId:
      return parent == kGroup;
    case kGroupName:
      return parent == kGroupInfo && path.mark(2) == kGroup;
    case kLastChange:
    case kDynamicItemLastChanged:
      return parent == kAb && path.mark(2) == kABFindAllResult;
    default:
      return false;
  }
}

// Whether on_end does something at the end of an element of this name whose text it does not
// read: the elements that gather an item's fields.
bool closes_item(int name) {
  return name == kContact || name == kContactEmail || name == kAnnotation || name == kGroup;
}

// Every element is marked with its Name when it opens, so that the tests of its end (and of
// its children) compare numbers, not strings.
class AbFindAllHandler final : public XmlStreamHandler {
 public:
  explicit AbFindAllHandler(const ParseLimits& limits) : limits_(limits), names_(names()) {}

  Status on_start(const ElementPath& path, const XmlAttributes& /*attributes*/) override {
    envelope_.on_start(path);
    const int name = names_.find(path.name());
    const bool text = envelope_.wants_element(path) || text_read(path, name);
    mark_element(name, text, text || closes_item(name));
    if (!envelope_.in_body()) return Status::ok();
    const int parent = path.mark(1);
    if (path.depth() == 3 && name == kABFindAllResponse) {
      response_seen_ = true;
    } else if (!response_seen_) {
      return Status::ok();
    } else if (name == kContact && parent == kContacts) {
      in_contact_ = true;
      contact_ = RawContact{};
    } else if (in_contact_ && name == kContactInfo && parent == kContact) {
      contact_.has_info = true;
    } else if (in_contact_ && name == kContactEmail && parent == kEmails) {
      email_ = RawEmail{};
    } else if (in_contact_ && name == kAnnotation && parent == kAnnotations) {
      annotation_name_.clear();
      annotation_value_.clear();
    } else if (name == kGroup && parent == kGroups) {
      in_group_ = true;
      group_ = RawGroup{};
    }
    return Status::ok();
  }

  Status on_end(const ElementPath& path, std::string_view text) override {
    if (envelope_.on_end(path, text) || !envelope_.in_body() || !response_seen_)
      return Status::ok();
    if (in_contact_) return contact_end(path, text);
    if (in_group_) return group_end(path, text);
    const int name = path.mark();
    if (path.mark(1) == kAb && path.mark(2) == kABFindAllResult) {
      if (name == kLastChange) result_.last_change = trim(text);
      if (name == kDynamicItemLastChanged) result_.dynamic_item_last_changed = trim(text);
    }
    return Status::ok();
  }

  Result<AddressBookResult> finish() {
    MSN_TRY(envelope_.finish("ABFindAll", response_seen_));
    result_.header = envelope_.header();
    return std::move(result_);
  }

 private:
  Status contact_end(const ElementPath& path, std::string_view text) {
    const int name = path.mark();
    const int parent = path.mark(1);
    if (parent == kContactInfo) {
      if (name == kContactType)
        contact_.contact_type = trim(text);
      else if (name == kPassportName)
        contact_.passport_name = trim(text);
      else if (name == kDisplayName)
        contact_.display_name = bounded_name(text);
      else if (name == kIsMessengerUser)
        contact_.is_messenger_user = parse_bool(text);
    } else if (parent == kGroupIds && name == kGuid && path.mark(2) == kContactInfo) {
      if (contact_.group_ids.size() >= limits_.max_groups_per_contact)
        return make_error(Errc::kLimit, "ABFindAll: too many groups on one contact");
      const std::string_view id = trim(text);
      if (!id.empty()) contact_.group_ids.emplace_back(id);
    } else if (parent == kAnnotation && path.mark(2) == kAnnotations &&
               path.mark(3) == kContactInfo) {
      if (name == kAnnotationName) annotation_name_ = trim(text);
      if (name == kAnnotationValue) annotation_value_ = bounded_name(text);
    } else if (name == kAnnotation && parent == kAnnotations && path.mark(2) == kContactInfo) {
      if (annotation_name_ == kNickName) contact_.nickname = annotation_value_;
    } else if (parent == kContactEmail && path.mark(2) == kEmails) {
      if (name == kEmail)
        email_.email = trim(text);
      else if (name == kContactEmailType)
        email_.type = trim(text);
      else if (name == kCapability)
        email_.capability = trim(text);
      else if (name == kIsMessengerEnabled)
        email_.messenger_enabled = parse_bool(text);
    } else if (name == kContactEmail && parent == kEmails) {
      end_email();
    } else if (parent == kContact) {
      if (name == kContactId)
        contact_.contact_id = trim(text);
      else if (name == kFDeleted)
        contact_.deleted = parse_bool(text);
    } else if (name == kContact && parent == kContacts) {
      in_contact_ = false;
      return end_contact();
    }
    return Status::ok();
  }

  void end_email() {
    if (!email_.messenger_enabled || email_.email.empty() || !contact_.messenger_email.empty())
      return;
    contact_.messenger_email = std::move(email_.email);
    contact_.email_network = network_from_capability(email_.capability);
    if (contact_.email_network == Network::kUnknown && email_.type == "Messenger2")
      contact_.email_network = Network::kYahoo;
  }

  Status remove_contact(const std::string& contact_id) {
    if (contact_id.empty() || !removed_ids_.insert(ascii::to_lower(contact_id)).second)
      return Status::ok();
    if (result_.removed_contact_ids.size() >= limits_.max_items)
      return make_error(Errc::kLimit, "ABFindAll: too many removed contacts");
    result_.removed_contact_ids.push_back(contact_id);
    return Status::ok();
  }

  Status end_contact() {
    RawContact& raw = contact_;
    if (raw.deleted) return remove_contact(raw.contact_id);
    if (!raw.has_info) return Status::ok();  // a delta entry without changes
    if (raw.contact_type == "Me") {
      result_.has_owner = true;
      result_.owner_display_name = std::move(raw.display_name);
      return Status::ok();
    }
    if (!raw.is_messenger_user) return remove_contact(raw.contact_id);
    std::string address = std::move(raw.passport_name);
    Network network = Network::kPassport;
    if (address.empty()) {
      address = std::move(raw.messenger_email);
      network = raw.email_network;
    }
    if (address.empty()) {
      add_note(result_.notes, "ABFindAll: skipped a contact without a messenger address");
      return Status::ok();
    }
    if (!is_valid_address(address)) {
      add_note(result_.notes, "ABFindAll: skipped invalid address '" + loggable(address) + "'");
      return Status::ok();
    }
    auto [it, inserted] =
        contact_index_.try_emplace(ascii::to_lower(address), result_.contacts.size());
    if (!inserted) {
      merge_duplicate(result_.contacts[it->second], raw);
      return Status::ok();
    }
    if (result_.contacts.size() >= limits_.max_items)
      return make_error(Errc::kLimit, "ABFindAll: too many contacts");
    AbContact contact;
    contact.contact_id = std::move(raw.contact_id);
    contact.contact_type = std::move(raw.contact_type);
    contact.address = std::move(address);
    contact.network = network;
    contact.display_name = std::move(raw.display_name);
    contact.nickname = std::move(raw.nickname);
    contact.group_ids = std::move(raw.group_ids);
    dedupe_ids(contact.group_ids);
    result_.contacts.push_back(std::move(contact));
    return Status::ok();
  }

  // The same address twice: one contact, in the union of the groups; the first entry's
  // names and id win where it has them.
  static void merge_duplicate(AbContact& kept, RawContact& raw) {
    if (kept.contact_id.empty()) kept.contact_id = std::move(raw.contact_id);
    if (kept.display_name.empty()) kept.display_name = std::move(raw.display_name);
    if (kept.nickname.empty()) kept.nickname = std::move(raw.nickname);
    for (std::string& id : raw.group_ids) kept.group_ids.push_back(std::move(id));
    dedupe_ids(kept.group_ids);
  }

  // Group ids are GUIDs: the same id in another case is the same group.
  static void dedupe_ids(std::vector<std::string>& ids) {
    if (ids.size() < 2) return;
    std::vector<std::string> kept;
    std::unordered_set<std::string> seen;
    for (std::string& id : ids)
      if (seen.insert(ascii::to_lower(id)).second) kept.push_back(std::move(id));
    ids = std::move(kept);
  }

  Status group_end(const ElementPath& path, std::string_view text) {
    const int name = path.mark();
    const int parent = path.mark(1);
    if (parent == kGroup) {
      if (name == kGroupId)
        group_.id = trim(text);
      else if (name == kFDeleted)
        group_.deleted = parse_bool(text);
    } else if (name == kGroupName && parent == kGroupInfo && path.mark(2) == kGroup) {
      group_.name = bounded_name(text);
    } else if (name == kGroup && parent == kGroups) {
      in_group_ = false;
      return end_group();
    }
    return Status::ok();
  }

  Status end_group() {
    if (group_.id.empty()) {
      add_note(result_.notes, "ABFindAll: skipped a group without an id");
      return Status::ok();
    }
    if (group_.deleted) {
      if (result_.deleted_group_ids.size() >= limits_.max_items)
        return make_error(Errc::kLimit, "ABFindAll: too many deleted groups");
      result_.deleted_group_ids.push_back(std::move(group_.id));
      return Status::ok();
    }
    auto [it, inserted] =
        group_index_.try_emplace(ascii::to_lower(group_.id), result_.groups.size());
    if (!inserted) return Status::ok();
    if (result_.groups.size() >= limits_.max_items)
      return make_error(Errc::kLimit, "ABFindAll: too many groups");
    result_.groups.push_back(Group{std::move(group_.id), std::move(group_.name)});
    return Status::ok();
  }

  const ParseLimits& limits_;
  NameCache names_;
  EnvelopeReader envelope_;
  bool response_seen_ = false;
  bool in_contact_ = false;
  bool in_group_ = false;
  RawContact contact_;
  RawEmail email_;
  RawGroup group_;
  std::string annotation_name_;
  std::string annotation_value_;
  std::unordered_map<std::string, std::size_t> contact_index_;  // lower-cased address
  std::unordered_map<std::string, std::size_t> group_index_;    // lower-cased id
  std::unordered_set<std::string> removed_ids_;
  AddressBookResult result_;
};

}  // namespace

SoapRequest build_ab_find_all(const AbCredentials& credentials, PartnerScenario scenario,
                              std::string_view last_change) {
  std::string body = open_operation("ABFindAll");
  body += "<abView>Full</abView>";
  if (!last_change.empty()) {
    body += "<deltasOnly>true</deltasOnly>";
    body += element("lastChange", last_change);
  }
  body += close_operation("ABFindAll");
  return ab_request("ABFindAll", credentials, scenario, body);
}

Result<SoapRequest> build_ab_contact_add(const AbCredentials& credentials,
                                         const NewContact& contact) {
  constexpr std::string_view kOp = "ABContactAdd";
  if (!is_valid_address(contact.address)) return invalid(kOp, "invalid address");
  std::string body = open_operation(kOp);
  body += "<contacts>" + new_contact_xml(contact) + "</contacts>";
  body += "<options><EnableAllowListManagement>true</EnableAllowListManagement></options>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kContactSave, body);
}

Result<SoapRequest> build_ab_contact_delete(const AbCredentials& credentials,
                                            std::string_view contact_id) {
  constexpr std::string_view kOp = "ABContactDelete";
  if (trim(contact_id).empty()) return invalid(kOp, "no contact id");
  std::string body = open_operation(kOp);
  body += "<contacts>" + contact_id_xml(contact_id) + "</contacts>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

Result<SoapRequest> build_ab_contact_update_nickname(const AbCredentials& credentials,
                                                     std::string_view contact_id,
                                                     std::string_view nickname) {
  constexpr std::string_view kOp = "ABContactUpdate";
  if (trim(contact_id).empty()) return invalid(kOp, "no contact id");
  std::string body = open_operation(kOp);
  body += "<contacts><Contact>";
  body += element("contactId", contact_id);
  body += "<contactInfo><annotations><Annotation>";
  body += element("Name", kNickName);
  body += element("Value", nickname);
  body +=
      "</Annotation></annotations></contactInfo>"
      "<propertiesChanged>Annotation</propertiesChanged></Contact></contacts>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

SoapRequest build_ab_contact_update_display_name(const AbCredentials& credentials,
                                                 std::string_view display_name) {
  constexpr std::string_view kOp = "ABContactUpdate";
  std::string body = open_operation(kOp);
  body += "<contacts><Contact xmlns=\"";
  body += kAbNamespace;
  body += "\"><contactInfo><contactType>Me</contactType>";
  body += element("displayName", display_name);
  body += "</contactInfo><propertiesChanged>DisplayName</propertiesChanged></Contact></contacts>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

Result<SoapRequest> build_ab_group_add(const AbCredentials& credentials, std::string_view name) {
  constexpr std::string_view kOp = "ABGroupAdd";
  if (trim(name).empty()) return invalid(kOp, "empty group name");
  std::string body = open_operation(kOp);
  body +=
      "<groupAddOptions><fRenameOnMsgrConflict>false</fRenameOnMsgrConflict></groupAddOptions>"
      "<groupInfo><GroupInfo>";
  body += element("name", name);
  body += element("groupType", kMessengerGroupType);
  body +=
      "<fMessenger>false</fMessenger><annotations><Annotation><Name>MSN.IM.Display</Name>"
      "<Value>1</Value></Annotation></annotations></GroupInfo></groupInfo>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kGroupSave, body);
}

Result<SoapRequest> build_ab_group_delete(const AbCredentials& credentials,
                                          std::string_view group_id) {
  constexpr std::string_view kOp = "ABGroupDelete";
  if (trim(group_id).empty()) return invalid(kOp, "no group id");
  std::string body = open_operation(kOp);
  body += group_filter(group_id);
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

Result<SoapRequest> build_ab_group_update(const AbCredentials& credentials,
                                          std::string_view group_id, std::string_view name) {
  constexpr std::string_view kOp = "ABGroupUpdate";
  if (trim(group_id).empty()) return invalid(kOp, "no group id");
  if (trim(name).empty()) return invalid(kOp, "empty group name");
  std::string body = open_operation(kOp);
  body += "<groups><Group>";
  body += element("groupId", group_id);
  body += "<groupInfo>" + element("name", name) + "</groupInfo>";
  body += "<propertiesChanged>GroupName</propertiesChanged></Group></groups>";
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

namespace {

constexpr std::string_view kGroupContactAddOptions =
    "<groupContactAddOptions><fGenerateMissingQuickName>true</fGenerateMissingQuickName>"
    "<EnableAllowListManagement>true</EnableAllowListManagement></groupContactAddOptions>";

SoapRequest group_contact_add(const AbCredentials& credentials, std::string_view group_id,
                              std::string_view contact_xml) {
  constexpr std::string_view kOp = "ABGroupContactAdd";
  std::string body = open_operation(kOp);
  body += group_filter(group_id);
  body += "<contacts>";
  body += contact_xml;
  body += "</contacts>";
  body += kGroupContactAddOptions;
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kContactSave, body);
}

}  // namespace

Result<SoapRequest> build_ab_group_contact_add(const AbCredentials& credentials,
                                               std::string_view group_id,
                                               std::string_view contact_id) {
  constexpr std::string_view kOp = "ABGroupContactAdd";
  if (trim(group_id).empty()) return invalid(kOp, "no group id");
  if (trim(contact_id).empty()) return invalid(kOp, "no contact id");
  return group_contact_add(credentials, group_id, contact_id_xml(contact_id));
}

Result<SoapRequest> build_ab_group_contact_add_new(const AbCredentials& credentials,
                                                   std::string_view group_id,
                                                   const NewContact& contact) {
  constexpr std::string_view kOp = "ABGroupContactAdd";
  if (trim(group_id).empty()) return invalid(kOp, "no group id");
  if (!is_valid_address(contact.address)) return invalid(kOp, "invalid address");
  return group_contact_add(credentials, group_id, new_contact_xml(contact));
}

Result<SoapRequest> build_ab_group_contact_delete(const AbCredentials& credentials,
                                                  std::string_view group_id,
                                                  std::string_view contact_id) {
  constexpr std::string_view kOp = "ABGroupContactDelete";
  if (trim(group_id).empty()) return invalid(kOp, "no group id");
  if (trim(contact_id).empty()) return invalid(kOp, "no contact id");
  std::string body = open_operation(kOp);
  body += "<contacts>" + contact_id_xml(contact_id) + "</contacts>";
  body += group_filter(group_id);
  body += close_operation(kOp);
  return ab_request(kOp, credentials, PartnerScenario::kTimer, body);
}

Result<SoapRequest> build_ab_add(const AbCredentials& credentials, std::string_view owner_email) {
  constexpr std::string_view kOp = "ABAdd";
  if (!is_valid_address(owner_email)) return invalid(kOp, "invalid owner address");
  // ABAdd names no abId: it creates the default book.
  std::string body = "<ABAdd xmlns=\"";
  body += kAbNamespace;
  body += "\"><abInfo><name/><ownerPuid>0</ownerPuid>";
  body += element("ownerEmail", owner_email);
  body += "<fDefault>true</fDefault></abInfo></ABAdd>";
  return ab_request(kOp, credentials, PartnerScenario::kInitial, body);
}

Result<AddressBookResult> parse_ab_find_all(std::string_view xml, const ParseLimits& limits) {
  AbFindAllHandler handler(limits);
  MSN_TRY(parse_xml_stream(xml, handler, limits));
  return handler.finish();
}

struct AbFindAllParser::State {
  explicit State(const ParseLimits& limits_in)
      : limits(limits_in), handler(limits), feed(handler, limits) {}
  ParseLimits limits;
  AbFindAllHandler handler;
  XmlStreamFeed feed;
};

AbFindAllParser::AbFindAllParser(const ParseLimits& limits)
    : state_(std::make_unique<State>(limits)) {}

AbFindAllParser::~AbFindAllParser() = default;
AbFindAllParser::AbFindAllParser(AbFindAllParser&&) noexcept = default;
AbFindAllParser& AbFindAllParser::operator=(AbFindAllParser&&) noexcept = default;

Status AbFindAllParser::feed(std::string_view chunk) { return state_->feed.feed(chunk); }

Result<AddressBookResult> AbFindAllParser::finish() {
  MSN_TRY(state_->feed.finish());
  return state_->handler.finish();
}

}  // namespace msn::soap
