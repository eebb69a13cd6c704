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

struct RoleMember {
  ListBits role;
  RawMember member;
};

class FindMembershipHandler final : public XmlStreamHandler {
 public:
  explicit FindMembershipHandler(const ParseLimits& limits) : limits_(limits) {}

  Status on_start(const ElementPath& path, const XmlAttributes& attributes) override {
    envelope_.on_start(path);
    if (!envelope_.in_body()) return Status::ok();
    const std::string_view name = path.name();
    const std::string_view parent = path.up(1);
    if (path.depth() == 3 && name == "FindMembershipResponse") {
      response_seen_ = true;
    } else if (name == "Service" && parent == "Services") {
      in_service_ = true;
      service_type_.clear();
      service_last_change_.clear();
      service_members_.clear();
    } else if (in_service_ && name == "Membership" && parent == "Memberships") {
      in_membership_ = true;
      role_.clear();
      membership_members_.clear();
    } else if (in_membership_ && name == "Member" && parent == "Members") {
      in_member_ = true;
      member_ = RawMember{};
      const std::string type = attributes.value("type");
      const std::size_t colon = type.rfind(':');
      member_.type = colon == std::string::npos ? type : type.substr(colon + 1);
    } else if (in_member_ && name == "Annotation" && parent == "Annotations") {
      annotation_name_.clear();
      annotation_value_.clear();
    }
    return Status::ok();
  }

  Status on_end(const ElementPath& path, std::string_view text) override {
    if (envelope_.on_end(path, text) || !envelope_.in_body() || !in_service_) return Status::ok();
    const std::string_view name = path.name();
    const std::string_view parent = path.up(1);
    if (in_member_) {
      if (parent == "Member") {
        read_member_field(name, text);
      } else if (parent == "Annotation" && path.up(3) == "Member") {
        if (name == "Name") annotation_name_ = trim(text);
        if (name == "Value") annotation_value_ = trim(text);
      } else if (name == "Annotation" && path.up(2) == "Member") {
        if (annotation_name_ == kBuddyType) member_.buddy_type = annotation_value_;
        if (annotation_name_ == kInviteMessage) member_.invite_message = annotation_value_;
      } else if (name == "Member" && parent == "Members") {
        in_member_ = false;
        if (++buffered_ > limits_.max_items)
          return make_error(Errc::kLimit, "FindMembership: too many members");
        membership_members_.push_back(std::move(member_));
      }
      return Status::ok();
    }
    if (in_membership_) {
      if (name == "MemberRole" && parent == "Membership") {
        role_ = trim(text);
      } else if (name == "Membership" && parent == "Memberships") {
        in_membership_ = false;
        end_membership();
      }
      return Status::ok();
    }
    if (name == "Type" && parent == "Handle" && path.up(2) == "Info" && path.up(3) == "Service") {
      service_type_ = trim(text);
    } else if (name == "LastChange" && parent == "Service") {
      service_last_change_ = trim(text);
    } else if (name == "Service" && parent == "Services") {
      in_service_ = false;
      end_service();
    }
    return Status::ok();
  }

  Result<MembershipResult> finish() {
    MSN_TRY(envelope_.finish("FindMembership", response_seen_));
    result_.header = envelope_.header();
    return std::move(result_);
  }

 private:
  void read_member_field(std::string_view name, std::string_view text) {
    if (name == "PassportName")
      member_.passport_name = trim(text);
    else if (name == "Email")
      member_.email = trim(text);
    else if (name == "MembershipId")
      member_.membership_id = trim(text);
    else if (name == "DisplayName")
      member_.display_name = wire::bounded_utf8(trim(text), wire::kMaxFriendlyNameChars);
    else if (name == "Deleted")
      member_.deleted = parse_bool(text);
  }

  // MemberRole normally precedes Members, but nothing requires it: the role is applied once
  // the Membership closes.
  void end_membership() {
    const std::optional<ListBits> role = role_bit(role_);
    if (!role) {
      membership_members_.clear();
      return;
    }
    for (RawMember& member : membership_members_)
      service_members_.push_back(RoleMember{*role, std::move(member)});
    membership_members_.clear();
  }

  // The service's Info/Handle/Type comes after its Memberships in real documents, so members
  // are buffered until the Service closes.
  void end_service() {
    if (service_type_ != kMessengerService) {
      service_members_.clear();
      return;
    }
    result_.last_change = service_last_change_;
    for (RoleMember& entry : service_members_) merge(entry.role, std::move(entry.member));
    service_members_.clear();
  }

  void merge(ListBits role, RawMember raw) {
    std::string address;
    Network network = Network::kPassport;
    if (raw.type == "PassportMember") {
      address = std::move(raw.passport_name);
    } else if (raw.type == "EmailMember") {
      address = std::move(raw.email);
      network = network_from_buddy_type(raw.buddy_type);
    } else {
      if (raw.type != "PhoneMember")
        add_note(result_.notes,
                 "FindMembership: skipped a member of type " + loggable(raw.type, 40));
      return;
    }
    if (!is_valid_address(address)) {
      add_note(result_.notes,
               "FindMembership: skipped invalid address '" + loggable(address) + "'");
      return;
    }
    std::string key = ascii::to_lower(address);
    auto [it, inserted] = index_.try_emplace(std::move(key), result_.members.size());
    if (inserted) {
      Member fresh;
      fresh.address = std::move(address);
      fresh.network = network;
      result_.members.push_back(std::move(fresh));
    }
    Member& member = result_.members[it->second];
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

  const ParseLimits& limits_;
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
  std::vector<RawMember> membership_members_;
  std::vector<RoleMember> service_members_;
  std::size_t buffered_ = 0;
  std::unordered_map<std::string, std::size_t> index_;  // lower-cased address -> members index
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
