// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/contact-list.md, "FindMembership" and "Operations" (AddMember / DeleteMember).
#include "soap/membership.h"

#include <charconv>
#include <optional>
#include <unordered_map>
#include <utility>

#include "soap/xml.h"
#include "wire/mime_message.h"

namespace msn::soap {
namespace {

constexpr std::string_view kMessengerService = "Messenger";
constexpr std::string_view kBuddyType = "MSN.IM.BuddyType";
constexpr std::string_view kInviteMessage = "MSN.IM.InviteMessage";

// ---- requests ----------------------------------------------------------------------------

std::string open_operation(std::string_view operation) {
  std::string out = "<";
  out += operation;
  out += " xmlns=\"";
  out += kAbNamespace;
  out += "\">";
  return out;
}

// "32:" as MSN.IM.BuddyType writes a network id.
std::string buddy_type(Network network) { return std::to_string(to_int(network)) + ":"; }

std::string member_xml(const MemberRef& member, bool by_membership_id) {
  const bool passport = member.network == Network::kPassport;
  std::string out = "<Member xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"";
  out += passport ? "PassportMember\"><Type>Passport</Type>" : "EmailMember\"><Type>Email</Type>";
  if (by_membership_id) {
    out += "<MembershipId>" + escape_value(member.membership_id) + "</MembershipId>";
    out += "<State>Accepted</State>";
  } else {
    out += "<State>Accepted</State>";
    out += passport ? "<PassportName>" : "<Email>";
    out += escape_value(member.address);
    out += passport ? "</PassportName>" : "</Email>";
  }
  if (!passport && member.network != Network::kUnknown) {
    out += "<Annotations><Annotation><Name>";
    out += kBuddyType;
    out += "</Name><Value>" + buddy_type(member.network) + "</Value></Annotation></Annotations>";
  }
  out += "</Member>";
  return out;
}

Result<SoapRequest> build_member_change(std::string_view operation,
                                        const AbCredentials& credentials, ListBits role,
                                        const MemberRef& member, bool allow_membership_id) {
  const std::string_view role_name = member_role_name(role);
  if (role_name.empty())
    return make_error(Errc::kInvalidArgument, std::string(operation) + ": not a member role");
  const bool by_id = allow_membership_id && !member.membership_id.empty();
  if (!by_id && !is_valid_address(member.address))
    return make_error(Errc::kInvalidArgument, std::string(operation) + ": invalid address");
  std::string body = open_operation(operation);
  body +=
      "<serviceHandle><Id>0</Id><Type>Messenger</Type><ForeignId></ForeignId></serviceHandle>"
      "<memberships><Membership><MemberRole>";
  body += role_name;
  body += "</MemberRole><Members>";
  body += member_xml(member, by_id);
  body += "</Members></Membership></memberships></";
  body += operation;
  body += ">";
  return make_request(kSharingServicePath, operation, credentials, member_scenario(role), body);
}

// ---- the response ------------------------------------------------------------------------

std::optional<ListBits> role_bit(std::string_view role) {
  if (role == "Allow") return ListBits::kAllow;
  if (role == "Block") return ListBits::kBlock;
  if (role == "Reverse") return ListBits::kReverse;
  if (role == "Pending") return ListBits::kPending;
  return std::nullopt;  // ProfileExpanded, Contributor...: not a Messenger list
}

// The leading number of "32:" or "32:YAHOO"; kUnknown when there is none.
Network network_from_buddy_type(std::string_view value) {
  value = trim(value);
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), id);
  if (ec != std::errc() || end == value.data()) return Network::kUnknown;
  return network_from_int(id);
}

// A Member element as written, before its role and type are judged.
struct RawMember {
  std::string type;  // the xsi:type local part: PassportMember, EmailMember, PhoneMember...
  std::string passport_name;
  std::string email;
  std::string membership_id;
  std::string display_name;
  std::string buddy_type;
  std::string invite_message;
  bool deleted = false;
};

// The members of one service, merged by address as they are read: the service's type comes
// after its memberships in real documents, and merging a 100,000-member service in one go when
// it closes would hold up the caller for that whole time.
struct MemberSet {
  std::vector<Member> members;
  std::unordered_map<std::string, std::size_t> index;  // lower-cased address -> members index
  std::vector<std::string> notes;
};

// The element names the handler looks for, numbered as kNames lists them.
enum Name : int {
  kOther = 0,
  kFindMembershipResponse,
  kServices,
  kService,
  kMemberships,
  kMembership,
  kMembers,
  kMember,
  kAnnotations,
  kAnnotation,
  kMemberRole,
  kPassportName,
  kEmail,
  kMembershipId,
  kDisplayName,
  kDeleted,
  kAnnotationName,
  kAnnotationValue,
  kType,
  kHandle,
  kInfo,
  kLastChange,
};

const NameIds& names() {
  static const NameIds ids{"FindMembershipResponse",
                           "Services",
                           "Service",
                           "Memberships",
                           "Membership",
                           "Members",
                           "Member",
                           "Annotations",
                           "Annotation",
                           "MemberRole",
                           "PassportName",
                           "Email",
                           "MembershipId",
                           "DisplayName",
                           "Deleted",
                           "Name",
                           "Value",
                           "Type",
                           "Handle",
                           "Info",
                           "LastChange"};
  return ids;
}

bool is_member_field(int name) {
  return name == kPassportName || name == kEmail || name == kMembershipId || name == kDisplayName ||
         name == kDeleted;
}

// Whether on_end reads the text of an element of this name at this place (the envelope's
// elements aside). Decided from the path alone, so it holds from the element's start to its end.
bool text_read(const ElementPath& path, int name) {
  const int parent = path.mark(1);
  switch (name) {
    case kAnnotationName:
    case kAnnotationValue:
      return parent == kAnnotation && path.mark(3) == kMember;
    case kMemberRole:
      return parent == kMembership;
    case kType:
      return parent == kHandle && path.mark(2) == kInfo && path.mark(3) == kService;
    case kLastChange:
      return parent == kService;
    default:
      return parent == kMember && is_member_field(name);
  }
}

// Whether on_end does something at the end of an element of this name whose text it does not
// read: the elements that gather an item's fields.
bool closes_item(int name) {
  return name == kMember || name == kAnnotation || name == kMembership || name == kService;
}

// Every element is marked with its Name when it opens, so that the tests of its end (and of
// its children) compare numbers, not strings.
class FindMembershipHandler final : public XmlStreamHandler {
 public:
  explicit FindMembershipHandler(const ParseLimits& limits) : limits_(limits), names_(names()) {}

  Status on_start(const ElementPath& path, const XmlAttributes& attributes) override {
    envelope_.on_start(path);
    const int name = names_.find(path.name());
    const bool text = envelope_.wants_element(path) || text_read(path, name);
    mark_element(name, text, text || closes_item(name));
    if (!envelope_.in_body()) return Status::ok();
    const int parent = path.mark(1);
    if (path.depth() == 3 && name == kFindMembershipResponse) {
      response_seen_ = true;
    } else if (name == kService && parent == kServices) {
      in_service_ = true;
      service_type_.clear();
      service_last_change_.clear();
      service_ = MemberSet{};
    } else if (in_service_ && name == kMembership && parent == kMemberships) {
      in_membership_ = true;
      role_.clear();
      membership_members_.clear();
    } else if (in_membership_ && name == kMember && parent == kMembers) {
      in_member_ = true;
      member_ = RawMember{};
      const std::string type = attributes.value("type");
      const std::size_t colon = type.rfind(':');
      member_.type = colon == std::string::npos ? type : type.substr(colon + 1);
    } else if (in_member_ && name == kAnnotation && parent == kAnnotations) {
      annotation_name_.clear();
      annotation_value_.clear();
    }
    return Status::ok();
  }

  Status on_end(const ElementPath& path, std::string_view text) override {
    if (envelope_.on_end(path, text) || !envelope_.in_body() || !in_service_) return Status::ok();
    const int name = path.mark();
    const int parent = path.mark(1);
    if (in_member_) {
      if (parent == kMember) {
        read_member_field(name, text);
      } else if (parent == kAnnotation && path.mark(3) == kMember) {
        if (name == kAnnotationName) annotation_name_ = trim(text);
        if (name == kAnnotationValue) annotation_value_ = trim(text);
      } else if (name == kAnnotation && path.mark(2) == kMember) {
        if (annotation_name_ == kBuddyType) member_.buddy_type = annotation_value_;
        if (annotation_name_ == kInviteMessage) member_.invite_message = annotation_value_;
      } else if (name == kMember && parent == kMembers) {
        in_member_ = false;
        if (++buffered_ > limits_.max_items)
          return make_error(Errc::kLimit, "FindMembership: too many members");
        if (const std::optional<ListBits> role = role_bit(role_))
          merge(service_, *role, std::move(member_));
        else
          membership_members_.push_back(std::move(member_));
      }
      return Status::ok();
    }
    if (in_membership_) {
      if (name == kMemberRole && parent == kMembership) {
        role_ = trim(text);
      } else if (name == kMembership && parent == kMemberships) {
        in_membership_ = false;
        end_membership();
      }
      return Status::ok();
    }
    if (name == kType && parent == kHandle && path.mark(2) == kInfo && path.mark(3) == kService) {
      service_type_ = trim(text);
    } else if (name == kLastChange && parent == kService) {
      service_last_change_ = trim(text);
    } else if (name == kService && parent == kServices) {
      in_service_ = false;
      end_service();
    }
    return Status::ok();
  }

  Result<MembershipResult> finish() {
    MSN_TRY(envelope_.finish("FindMembership", response_seen_));
    result_.header = envelope_.header();
    result_.members = std::move(messenger_.members);
    result_.notes = std::move(messenger_.notes);
    return std::move(result_);
  }

 private:
  void read_member_field(int name, std::string_view text) {
    if (name == kPassportName)
      member_.passport_name = trim(text);
    else if (name == kEmail)
      member_.email = trim(text);
    else if (name == kMembershipId)
      member_.membership_id = trim(text);
    else if (name == kDisplayName)
      member_.display_name = wire::bounded_utf8(trim(text), wire::kMaxFriendlyNameChars);
    else if (name == kDeleted)
      member_.deleted = parse_bool(text);
  }

  // MemberRole normally precedes Members (members are then merged as they come), but nothing
  // requires it: members read before their role are applied once the Membership closes.
  void end_membership() {
    const std::optional<ListBits> role = role_bit(role_);
    if (role) {
      for (RawMember& member : membership_members_) merge(service_, *role, std::move(member));
    }
    membership_members_.clear();
  }

  void end_service() {
    MemberSet service = std::exchange(service_, MemberSet{});
    if (service_type_ != kMessengerService) return;
    result_.last_change = service_last_change_;
    if (messenger_.members.empty()) {
      messenger_ = std::move(service);
      return;
    }
    // A second Messenger service (not seen in practice): fold it into the first.
    for (Member& member : service.members) fold(std::move(member));
    for (std::string& note : service.notes) add_note(messenger_.notes, std::move(note));
  }

  void merge(MemberSet& set, ListBits role, RawMember raw) {
    std::string address;
    Network network = Network::kPassport;
    if (raw.type == "PassportMember") {
      address = std::move(raw.passport_name);
    } else if (raw.type == "EmailMember") {
      address = std::move(raw.email);
      network = network_from_buddy_type(raw.buddy_type);
    } else {
      if (raw.type != "PhoneMember")
        add_note(set.notes, "FindMembership: skipped a member of type " + loggable(raw.type, 40));
      return;
    }
    if (!is_valid_address(address)) {
      add_note(set.notes, "FindMembership: skipped invalid address '" + loggable(address) + "'");
      return;
    }
    std::string key = ascii::to_lower(address);
    auto [it, inserted] = set.index.try_emplace(std::move(key), set.members.size());
    if (inserted) {
      Member fresh;
      fresh.address = std::move(address);
      fresh.network = network;
      set.members.push_back(std::move(fresh));
    }
    Member& member = set.members[it->second];
    if (member.network == Network::kUnknown) member.network = network;
    if (raw.deleted) {
      member.deleted_lists |= role;
    } else {
      member.lists |= role;
    }
    if (!raw.membership_id.empty())
      *member.membership_ids.for_role(role) = std::move(raw.membership_id);
    if (member.display_name.empty()) member.display_name = std::move(raw.display_name);
    if (!raw.invite_message.empty()) member.invite_message = std::move(raw.invite_message);
  }

  // Adds a member merged in another MemberSet: its lists and ids join those already held.
  void fold(Member other) {
    auto [it, inserted] =
        messenger_.index.try_emplace(ascii::to_lower(other.address), messenger_.members.size());
    if (inserted) {
      messenger_.members.push_back(std::move(other));
      return;
    }
    Member& member = messenger_.members[it->second];
    if (member.network == Network::kUnknown) member.network = other.network;
    member.lists |= other.lists;
    member.deleted_lists |= other.deleted_lists;
    for (ListBits role :
         {ListBits::kAllow, ListBits::kBlock, ListBits::kReverse, ListBits::kPending})
      if (std::string* id = other.membership_ids.for_role(role); id != nullptr && !id->empty())
        *member.membership_ids.for_role(role) = std::move(*id);
    if (member.display_name.empty()) member.display_name = std::move(other.display_name);
    if (!other.invite_message.empty()) member.invite_message = std::move(other.invite_message);
  }

  const ParseLimits& limits_;
  NameCache names_;
  EnvelopeReader envelope_;
  bool response_seen_ = false;
  bool in_service_ = false;
  bool in_membership_ = false;
  bool in_member_ = false;
  std::string service_type_;
  std::string service_last_change_;
  std::string role_;
  RawMember member_;
  std::string annotation_name_;
  std::string annotation_value_;
  std::vector<RawMember> membership_members_;  // read before their Membership's role
  MemberSet service_;                          // the service being read
  MemberSet messenger_;                        // the Messenger service's members
  std::size_t buffered_ = 0;
  MembershipResult result_;
};

}  // namespace

std::string_view member_role_name(ListBits role) {
  switch (role) {
    case ListBits::kAllow:
      return "Allow";
    case ListBits::kBlock:
      return "Block";
    case ListBits::kReverse:
      return "Reverse";
    case ListBits::kPending:
      return "Pending";
    default:
      return {};
  }
}

SoapRequest build_find_membership(const AbCredentials& credentials, PartnerScenario scenario,
                                  std::string_view last_change) {
  std::string body = open_operation("FindMembership");
  body +=
      "<serviceFilter><Types>"
      "<ServiceType>Messenger</ServiceType>"
      "<ServiceType>Invitation</ServiceType>"
      "<ServiceType>SocialNetwork</ServiceType>"
      "<ServiceType>Space</ServiceType>"
      "<ServiceType>Profile</ServiceType>"
      "</Types></serviceFilter>";
  if (!last_change.empty()) {
    body += "<View>Full</View><deltasOnly>true</deltasOnly><lastChange>";
    body += escape_value(last_change);
    body += "</lastChange>";
  }
  body += "</FindMembership>";
  return make_request(kSharingServicePath, "FindMembership", credentials, scenario, body);
}

PartnerScenario member_scenario(ListBits role) {
  return role == ListBits::kReverse || role == ListBits::kPending ? PartnerScenario::kContactMsgrApi
                                                                  : PartnerScenario::kBlockUnblock;
}

Result<SoapRequest> build_add_member(const AbCredentials& credentials, ListBits role,
                                     const MemberRef& member) {
  return build_member_change("AddMember", credentials, role, member, false);
}

Result<SoapRequest> build_delete_member(const AbCredentials& credentials, ListBits role,
                                        const MemberRef& member) {
  return build_member_change("DeleteMember", credentials, role, member, true);
}

Result<MembershipResult> parse_find_membership(std::string_view xml, const ParseLimits& limits) {
  FindMembershipHandler handler(limits);
  MSN_TRY(parse_xml_stream(xml, handler, limits));
  return handler.finish();
}

struct FindMembershipParser::State {
  explicit State(const ParseLimits& limits_in)
      : limits(limits_in), handler(limits), feed(handler, limits) {}
  ParseLimits limits;
  FindMembershipHandler handler;
  XmlStreamFeed feed;
};

FindMembershipParser::FindMembershipParser(const ParseLimits& limits)
    : state_(std::make_unique<State>(limits)) {}

FindMembershipParser::~FindMembershipParser() = default;
FindMembershipParser::FindMembershipParser(FindMembershipParser&&) noexcept = default;
FindMembershipParser& FindMembershipParser::operator=(FindMembershipParser&&) noexcept = default;

Status FindMembershipParser::feed(std::string_view chunk) { return state_->feed.feed(chunk); }

Result<MembershipResult> FindMembershipParser::finish() {
  MSN_TRY(state_->feed.finish());
  return state_->handler.finish();
}

}  // namespace msn::soap
