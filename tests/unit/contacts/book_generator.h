// SPDX-License-Identifier: GPL-2.0-or-later
// Generates FindMembership and ABFindAll responses for a synthetic account of any size, plus
// the truth they encode, so parsers, the merge and the ADL builder can be checked (and timed)
// against an independent expectation. Shared by the unit tests and tests/bench.
// The documents are written by hand here, never with the engine's own escaping or builders.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "model/contact.h"

namespace msn::test {

struct GenContact {
  std::string address;
  Network network = Network::kPassport;
  std::string display_name;
  std::string nickname;
  std::string contact_id;  // set when on FL (in the address book)
  std::vector<std::string> group_ids;
  ListBits lists = ListBits::kNone;  // FL = in the address book; others = membership roles

  bool on(ListBits list) const { return has_any(lists, list); }
};

struct GenBook {
  std::vector<Group> groups;
  std::vector<GenContact> contacts;
  std::string owner_display_name = "Alice \xE2\x98\x85 Example";  // "Alice ★ Example"
};

// What the engine keeps of a name from the services: at most 129 characters (UTF-8 characters,
// not bytes), as it keeps of the notification server's friendly names. Some generated names
// are longer on purpose.
inline std::string gen_bounded_name(std::string_view name) {
  constexpr std::size_t kMaxChars = 129;
  std::size_t chars = 0;
  for (std::size_t i = 0; i < name.size(); ++i) {
    const bool continuation = (static_cast<unsigned char>(name[i]) & 0xC0) == 0x80;
    if (!continuation && chars++ == kMaxChars) return std::string(name.substr(0, i));
  }
  return std::string(name);
}

inline std::string gen_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

inline std::string gen_guid(std::uint32_t kind, std::size_t n) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%08x-1111-4222-8333-%012zx", kind, n);
  return buf;
}

// A deterministic book of `n` contacts exercising every shape the parsers must handle:
// - lists: most on FL|AL, every 10th blocked only (BL, not in the address book), every 10th
//   (+1) both AL and BL on FL (the ADL must drop AL), every 3rd also on RL, every 50th (+7)
//   pending only (RL|PL, with an invitation);
// - names: ASCII, non-ASCII (UTF-8), XML specials, and every 97th a 300-character name;
// - groups: 0 to 3 per contact out of 24 groups (two with non-ASCII / special names);
// - networks: every 25th (+3) a Yahoo contact (EmailMember with BuddyType, AB e-mail entry);
// - addresses in mixed case every 11th.
inline GenBook make_book(std::size_t n) {
  GenBook book;
  for (std::size_t g = 0; g < 24; ++g) {
    std::string name = "Group " + std::to_string(g);
    if (g == 1) name = "Familie M\xC3\xBCller \xE2\x9C\x93";  // "Familie Müller ✓"
    if (g == 2) name = "Work & <Play>";
    book.groups.push_back(Group{gen_guid(0xa0, g), name});
  }
  for (std::size_t i = 0; i < n; ++i) {
    GenContact c;
    std::string local = "user" + std::to_string(i);
    std::string domain = "domain" + std::to_string(i % 37) + ".example";
    if (i % 11 == 5) {
      local = "User" + std::to_string(i);
      domain = "Domain" + std::to_string(i % 37) + ".Example";
    }
    c.network = i % 25 == 3 ? Network::kYahoo : Network::kPassport;
    if (c.network == Network::kYahoo) domain = "yahoo" + std::to_string(i % 5) + ".example";
    c.address = local + "@" + domain;
    switch (i % 4) {
      case 0:
        c.display_name = "Plain Name " + std::to_string(i);
        break;
      case 1:
        c.display_name = "Zo\xC3\xAB \xE2\x98\x95 " + std::to_string(i);
        break;  // Zoë ☕
      case 2:
        c.display_name = "Tom & \"Jerry\" <" + std::to_string(i) + ">";
        break;
      default:
        c.display_name = "\xE5\xBC\xA0\xE4\xBC\x9F " + std::to_string(i);
        break;  // 张伟
    }
    if (i % 97 == 13) c.display_name = std::string(300, 'L') + std::to_string(i);

    if (i % 10 == 0) {
      c.lists = ListBits::kBlock;
    } else if (i % 10 == 1) {
      c.lists = ListBits::kForward | ListBits::kAllow | ListBits::kBlock;
    } else if (i % 50 == 7) {
      c.lists = ListBits::kReverse | ListBits::kPending;
    } else {
      c.lists = ListBits::kForward | ListBits::kAllow;
    }
    if (i % 3 == 0 && c.lists != (ListBits::kReverse | ListBits::kPending))
      c.lists |= ListBits::kReverse;
    if (c.on(ListBits::kForward)) {
      c.contact_id = gen_guid(0xc0, i);
      if (i % 7 == 2) c.nickname = "Nick " + std::to_string(i);
      for (std::size_t k = 0; k < i % 4; ++k)
        c.group_ids.push_back(book.groups[(i + k * 5) % book.groups.size()].id);
    }
    book.contacts.push_back(std::move(c));
  }
  return book;
}

// Indentation and newlines as a pretty-printing server writes them, or nothing at all.
class XmlOut {
 public:
  explicit XmlOut(bool pretty) : pretty_(pretty) {}
  void open(std::string_view tag, std::string_view attrs = {}) {
    indent();
    out_ += "<";
    out_ += tag;
    if (!attrs.empty()) {
      out_ += " ";
      out_ += attrs;
    }
    out_ += ">";
    newline();
    ++depth_;
  }
  void close(std::string_view tag) {
    --depth_;
    indent();
    out_ += "</";
    out_ += tag;
    out_ += ">";
    newline();
  }
  void leaf(std::string_view tag, std::string_view text) {
    indent();
    out_ += "<";
    out_ += tag;
    out_ += ">";
    out_ += gen_escape(text);
    out_ += "</";
    out_ += tag;
    out_ += ">";
    newline();
  }
  // <tag /> as the local server writes an empty element.
  void empty(std::string_view tag) {
    indent();
    out_ += "<";
    out_ += tag;
    out_ += " />";
    newline();
  }
  void raw(std::string_view text) { out_ += text; }
  std::string take() { return std::move(out_); }

 private:
  void indent() {
    if (pretty_) out_.append(depth_, '\t');
  }
  void newline() {
    if (pretty_) out_ += "\n";
  }
  bool pretty_;
  int depth_ = 0;
  std::string out_;
};

inline void gen_envelope_open(XmlOut& x) {
  x.raw("<?xml version=\"1.0\" encoding=\"utf-8\"?>");
  x.open("soap:Envelope",
         "xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\" "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"");
  x.open("soap:Header");
  x.open("ServiceHeader", "xmlns=\"http://www.msn.com/webservices/AddressBook\"");
  x.leaf("Version", "12.01.1111.0000");
  x.leaf("CacheKey", "12r1:GENERATED");
  x.leaf("CacheKeyChanged", "true");
  x.leaf("PreferredHostName", "byrdr.omega.contacts.msn.com");
  x.close("ServiceHeader");
  x.close("soap:Header");
  x.open("soap:Body");
}

inline void gen_envelope_close(XmlOut& x) {
  x.close("soap:Body");
  x.close("soap:Envelope");
}

inline void gen_member(XmlOut& x, const GenContact& c, std::string_view role, std::size_t index) {
  const bool passport = c.network == Network::kPassport;
  x.open("Member", passport ? "xsi:type=\"PassportMember\"" : "xsi:type=\"EmailMember\"");
  x.leaf("MembershipId", std::to_string(index * 8 + role.size()));
  x.leaf("Type", passport ? "Passport" : "Email");
  if (!passport) {
    x.open("Annotations");
    x.open("Annotation");
    x.leaf("Name", "MSN.IM.BuddyType");
    x.leaf("Value", "32:");
    x.close("Annotation");
    x.close("Annotations");
  }
  if (role == "Pending") {
    x.open("Annotations");
    x.open("Annotation");
    x.leaf("Name", "MSN.IM.InviteMessage");
    x.leaf("Value", "Hi, it's " + c.display_name);
    x.close("Annotation");
    x.close("Annotations");
  }
  x.leaf("State", "Accepted");
  x.leaf("Deleted", "false");
  x.leaf("LastChanged", "2008-06-01T12:00:00Z");
  x.leaf(passport ? "PassportName" : "Email", c.address);
  x.leaf("DisplayName", c.display_name);
  x.close("Member");
}

inline std::string find_membership_xml(const GenBook& book, bool pretty) {
  XmlOut x(pretty);
  gen_envelope_open(x);
  x.open("FindMembershipResponse", "xmlns=\"http://www.msn.com/webservices/AddressBook\"");
  x.open("FindMembershipResult");
  x.open("Services");
  // A non-Messenger service first: its members must not count.
  x.open("Service");
  x.open("Memberships");
  x.open("Membership");
  x.leaf("MemberRole", "Allow");
  x.open("Members");
  x.open("Member", "xsi:type=\"PassportMember\"");
  x.leaf("PassportName", "space-only@example.com");
  x.close("Member");
  x.close("Members");
  x.close("Membership");
  x.close("Memberships");
  x.open("Info");
  x.open("Handle");
  x.leaf("Id", "9");
  x.leaf("Type", "Space");
  x.close("Handle");
  x.close("Info");
  x.leaf("LastChange", "2001-01-01T00:00:00Z");
  x.close("Service");

  x.open("Service");
  x.open("Memberships");
  const std::pair<ListBits, std::string_view> roles[] = {{ListBits::kAllow, "Allow"},
                                                         {ListBits::kBlock, "Block"},
                                                         {ListBits::kReverse, "Reverse"},
                                                         {ListBits::kPending, "Pending"}};
  for (const auto& [bit, role] : roles) {
    x.open("Membership");
    x.leaf("MemberRole", role);
    x.open("Members");
    for (std::size_t i = 0; i < book.contacts.size(); ++i)
      if (book.contacts[i].on(bit)) gen_member(x, book.contacts[i], role, i);
    x.close("Members");
    x.leaf("MembershipIsComplete", "true");
    x.close("Membership");
  }
  x.close("Memberships");
  x.open("Info");
  x.open("Handle");
  x.leaf("Id", "1");
  x.leaf("Type", "Messenger");
  x.raw(pretty ? "\t\t\t\t\t\t\t\t<ForeignId />\n" : "<ForeignId/>");
  x.close("Handle");
  x.close("Info");
  x.leaf("LastChange", "2008-06-02T10:00:00.5-07:00");
  x.leaf("Deleted", "false");
  x.close("Service");
  x.close("Services");
  x.close("FindMembershipResult");
  x.close("FindMembershipResponse");
  gen_envelope_close(x);
  return x.take();
}

inline void gen_contact(XmlOut& x, const GenContact& c) {
  x.open("Contact");
  x.leaf("contactId", c.contact_id);
  x.open("contactInfo");
  if (!c.nickname.empty()) {
    x.open("annotations");
    x.open("Annotation");
    x.leaf("Name", "AB.NickName");
    x.leaf("Value", c.nickname);
    x.close("Annotation");
    x.close("annotations");
  }
  x.open("groupIds");
  for (const std::string& id : c.group_ids) x.leaf("guid", id);
  x.close("groupIds");
  x.leaf("contactType", "Regular");
  x.leaf("quickName", c.display_name);
  if (c.network == Network::kPassport) {
    x.leaf("passportName", c.address);
  } else {
    x.open("emails");
    x.open("ContactEmail");
    x.leaf("contactEmailType", "ContactEmailPersonal");
    x.leaf("email", "personal-" + c.address);
    x.leaf("isMessengerEnabled", "false");
    x.close("ContactEmail");
    x.open("ContactEmail");
    x.leaf("contactEmailType", "Messenger2");
    x.leaf("email", c.address);
    x.leaf("isMessengerEnabled", "true");
    x.leaf("Capability", "32");
    x.close("ContactEmail");
    x.close("emails");
  }
  x.leaf("IsPassportNameHidden", "false");
  x.leaf("displayName", c.display_name);
  x.leaf("isMessengerUser", "true");
  x.leaf("isSmtp", "false");
  x.close("contactInfo");
  x.leaf("fDeleted", "false");
  x.close("Contact");
}

inline std::string ab_find_all_xml(const GenBook& book, bool pretty) {
  XmlOut x(pretty);
  gen_envelope_open(x);
  x.open("ABFindAllResponse", "xmlns=\"http://www.msn.com/webservices/AddressBook\"");
  x.open("ABFindAllResult");
  x.open("groups");
  for (const Group& g : book.groups) {
    x.open("Group");
    x.leaf("groupId", g.id);
    x.open("groupInfo");
    x.leaf("groupType", "c8529ce2-6ead-434d-881f-341e17db3ff8");
    x.leaf("name", g.name);
    x.close("groupInfo");
    x.leaf("fDeleted", "false");
    x.close("Group");
  }
  x.close("groups");
  x.open("contacts");
  // The account itself first, as a real service sends it.
  x.open("Contact");
  x.leaf("contactId", gen_guid(0xee, 0));
  x.open("contactInfo");
  x.leaf("contactType", "Me");
  x.leaf("passportName", "alice@example.com");
  x.leaf("displayName", book.owner_display_name);
  x.close("contactInfo");
  x.close("Contact");
  for (const GenContact& c : book.contacts)
    if (c.on(ListBits::kForward)) gen_contact(x, c);
  x.close("contacts");
  x.open("ab");
  x.leaf("abId", "00000000-0000-0000-0000-000000000000");
  x.leaf("lastChange", "2008-06-02T10:00:01.25-07:00");
  x.leaf("DynamicItemLastChanged", "0001-01-01T00:00:00");
  x.close("ab");
  x.close("ABFindAllResult");
  x.close("ABFindAllResponse");
  gen_envelope_close(x);
  return x.take();
}

// ---- documents shaped like the local server's (tests/server/msnp_server) -----------------
// The server writes every field a real service sends, most of which the parsers skip: per
// member 14 elements (PassportId, CID, JoinedDate...), per contact about 30 (quickName, puid,
// birthdate, Gender...), no whitespace between elements. The parse cost is dominated by those
// skipped elements, so benchmarks of the sign-in parse use these shapes.

// A book distributed as tests/server's contacts.generate() makes one: every contact a
// Passport contact on FL, 0 to 2 of 8 groups, about 7 % blocked, 68 % allowed, 80 % on RL.
// (Deterministic arithmetic in place of the server's random numbers.)
inline GenBook make_server_book(std::size_t n) {
  GenBook book;
  const char* const names[] = {"Friends",
                               "Family",
                               "Work",
                               "\xC3\x9Cn\xC3\xAF"
                               "c\xC3\xB8"
                               "d\xC3\xA9 Gr\xC3\xBCpp\xC3\xA9",
                               "\xE5\x90\x8C\xE5\xAD\xA6",
                               "Gamers",
                               "Old School",
                               "Tom & Jerry"};
  for (std::size_t g = 0; g < std::min<std::size_t>(8, 3 + n / 8); ++g)
    book.groups.push_back(Group{gen_guid(0xa0, g), names[g]});
  const char* const domains[] = {"example.com", "example.org", "example.net"};
  for (std::size_t i = 0; i < n; ++i) {
    GenContact c;
    char address[64];
    std::snprintf(address, sizeof address, "contact%05zu@%s", i, domains[i % 3]);
    c.address = address;
    switch (i % 4) {
      case 0:
        c.display_name = "Zo\xC3\xAB \xC3\x85ngstr\xC3\xB6m";  // Zoë Ångström
        break;
      case 1:
        c.display_name = "\xE6\x9D\x8E\xE9\x9B\xB7";  // 李雷
        break;
      case 2:
        c.display_name = "Plain Person " + std::to_string(i);
        break;
      default:
        c.display_name = "Tom & \"Jerry\" <" + std::to_string(i) + ">";
    }
    c.contact_id = gen_guid(0xc0, i);
    const std::size_t spread = (i * 37) % 100;  // a fixed permutation of 0..99
    if (spread < 7)
      c.lists = ListBits::kForward | ListBits::kBlock;
    else if (spread < 75)
      c.lists = ListBits::kForward | ListBits::kAllow;
    else
      c.lists = ListBits::kForward;
    if ((i * 53) % 100 < 80) c.lists |= ListBits::kReverse;
    const std::size_t groups = (i * 29) % 100 < 15 ? 0 : (i * 29) % 100 < 85 ? 1 : 2;
    for (std::size_t k = 0; k < groups && !book.groups.empty(); ++k)
      c.group_ids.push_back(book.groups[(i + k * 3) % book.groups.size()].id);
    book.contacts.push_back(std::move(c));
  }
  return book;
}

inline void gen_server_member(XmlOut& x, const GenContact& c, std::size_t membership_id) {
  constexpr std::string_view kStamp = "2026-07-24T12:16:04.3943690Z";
  x.open("Member", "xsi:type=\"PassportMember\"");
  x.leaf("MembershipId", std::to_string(membership_id));
  x.leaf("Type", "Passport");
  x.leaf("State", "Accepted");
  x.leaf("Deleted", "false");
  x.leaf("LastChanged", kStamp);
  x.leaf("JoinedDate", kStamp);
  x.leaf("ExpirationDate", "0001-01-01T00:00:00");
  x.empty("Changes");
  x.leaf("PassportName", c.address);
  x.leaf("IsPassportNameHidden", "false");
  x.leaf("PassportId", "1974c0b826f76041");
  x.leaf("CID", std::to_string(1834302845406896193ULL + membership_id));
  x.empty("PassportChanges");
  x.leaf("LookedupByCID", "false");
  x.close("Member");
}

inline void gen_server_info(XmlOut& x) {
  x.open("Info");
  x.open("Handle");
  x.leaf("Id", "1");
  x.leaf("Type", "Messenger");
  x.empty("ForeignId");
  x.close("Handle");
  x.leaf("InverseRequired", "false");
  x.leaf("AuthorizationCriteria", "Everyone");
  x.leaf("IsBot", "false");
  x.close("Info");
}

inline std::string server_find_membership_xml(const GenBook& book) {
  XmlOut x(false);
  gen_envelope_open(x);
  x.open("FindMembershipResponse", "xmlns=\"http://www.msn.com/webservices/AddressBook\"");
  x.open("FindMembershipResult");
  x.open("Services");
  x.open("Service");
  x.open("Memberships");
  std::size_t membership_id = 0;
  const std::pair<ListBits, std::string_view> roles[] = {
      {ListBits::kAllow, "Allow"}, {ListBits::kBlock, "Block"}, {ListBits::kReverse, "Reverse"}};
  for (const auto& [bit, role] : roles) {
    x.open("Membership");
    x.leaf("MemberRole", role);
    x.open("Members");
    for (const GenContact& c : book.contacts)
      if (c.on(bit)) gen_server_member(x, c, ++membership_id);
    x.close("Members");
    x.leaf("MembershipIsComplete", "true");
    x.close("Membership");
  }
  x.close("Memberships");
  gen_server_info(x);
  x.empty("Changes");
  x.leaf("LastChange", "2026-12-07T01:08:33.1368730Z");
  x.leaf("Deleted", "false");
  x.close("Service");
  x.close("Services");
  x.open("OwnerNamespace");
  x.open("Info");
  x.open("Handle");
  x.leaf("Id", "00000000-0000-0000-0009-98a73dd54d62");
  x.leaf("IsPassportNameHidden", "false");
  x.leaf("CID", "0");
  x.close("Handle");
  x.leaf("CreatorPuid", "0");
  x.leaf("CreatorCID", "8945161128952286562");
  x.leaf("CreatorPassportName", "alice@example.com");
  x.open("CircleAttributes");
  x.leaf("IsPresenceEnabled", "false");
  x.leaf("IsEvent", "false");
  x.leaf("Domain", "WindowsLive");
  x.close("CircleAttributes");
  x.leaf("MessengerApplicationServiceCreated", "false");
  x.close("Info");
  x.empty("Changes");
  x.leaf("CreateDate", "2026-12-07T01:08:33.1368730Z");
  x.leaf("LastChange", "2026-12-07T01:08:33.1368730Z");
  x.close("OwnerNamespace");
  x.close("FindMembershipResult");
  x.close("FindMembershipResponse");
  gen_envelope_close(x);
  return x.take();
}

// contactInfo as the server writes it; `type` "Me" for the account itself.
inline void gen_server_contact(XmlOut& x, std::string_view id, std::string_view type,
                               std::string_view address, std::string_view name,
                               const std::vector<std::string>& group_ids, bool messenger_user) {
  x.open("Contact");
  x.leaf("contactId", id);
  x.open("contactInfo");
  x.leaf("contactType", type);
  x.leaf("quickName", name);
  x.leaf("passportName", address);
  x.leaf("IsPassportNameHidden", "false");
  x.leaf("displayName", name);
  x.leaf("puid", "0");
  x.open("groupIds");
  for (const std::string& group : group_ids) x.leaf("guid", group);
  x.close("groupIds");
  x.leaf("CID", "1834302845406896193");
  x.leaf("IsNotMobileVisible", "false");
  x.leaf("isMobileIMEnabled", "false");
  x.leaf("isMessengerUser", messenger_user ? "true" : "false");
  x.leaf("isFavorite", "false");
  x.leaf("isSmtp", "false");
  x.leaf("hasSpace", "false");
  x.leaf("spotWatchState", "NoDevice");
  x.leaf("birthdate", "0001-01-01T00:00:00");
  x.leaf("primaryEmailType", "ContactEmailPersonal");
  x.leaf("PrimaryLocation", "ContactLocationPersonal");
  x.leaf("PrimaryPhone", "ContactPhonePersonal");
  x.leaf("IsPrivate", "false");
  x.leaf("Gender", "Unspecified");
  x.leaf("TimeZone", "None");
  x.close("contactInfo");
  x.empty("propertiesChanged");
  x.leaf("fDeleted", "false");
  x.leaf("lastChange", "2026-04-13T22:16:37.4043230Z");
  x.close("Contact");
}

inline std::string server_ab_find_all_xml(const GenBook& book) {
  XmlOut x(false);
  gen_envelope_open(x);
  x.open("ABFindAllResponse", "xmlns=\"http://www.msn.com/webservices/AddressBook\"");
  x.open("ABFindAllResult");
  x.open("groups");
  for (const Group& g : book.groups) {
    x.open("Group");
    x.leaf("groupId", g.id);
    x.open("groupInfo");
    x.open("annotations");
    x.open("Annotation");
    x.leaf("Name", "MSN.IM.Display");
    x.leaf("Value", "1");
    x.close("Annotation");
    x.close("annotations");
    x.leaf("groupType", "c8529ce2-6ead-434d-881f-341e17db3ff8");
    x.leaf("name", g.name);
    x.leaf("IsNotMobileVisible", "false");
    x.leaf("IsPrivate", "false");
    x.leaf("IsFavorite", "false");
    x.close("groupInfo");
    x.empty("propertiesChanged");
    x.leaf("fDeleted", "false");
    x.leaf("lastChange", "2026-02-28T09:30:56.9594950Z");
    x.close("Group");
  }
  x.close("groups");
  x.open("contacts");
  gen_server_contact(x, gen_guid(0xee, 0), "Me", "alice@example.com", "alice@example.com", {},
                     false);
  for (const GenContact& c : book.contacts)
    if (c.on(ListBits::kForward))
      gen_server_contact(x, c.contact_id, "Regular", c.address, c.display_name, c.group_ids, true);
  x.close("contacts");
  // The circle ticket: an escaped XML document of about 1.3 KB.
  x.open("CircleResult");
  std::string ticket = "<?xml version=\"1.0\" encoding=\"utf-16\"?><SignedTicket ver=\"1\"><Data>";
  ticket.append(900, 'Q');
  ticket += "</Data><Sig>";
  ticket.append(172, 'W');
  ticket += "</Sig></SignedTicket>";
  x.leaf("CircleTicket", ticket);
  x.close("CircleResult");
  x.open("ab");
  x.leaf("abId", "00000000-0000-0000-0000-000000000000");
  x.open("abInfo");
  x.leaf("ownerPuid", "0");
  x.leaf("OwnerCID", "8945161128952286562");
  x.leaf("ownerEmail", "alice@example.com");
  x.leaf("fDefault", "true");
  x.leaf("joinedNamespace", "false");
  x.leaf("IsBot", "false");
  x.leaf("IsParentManaged", "false");
  x.leaf("SubscribeExternalPartner", "false");
  x.leaf("NotifyExternalPartner", "false");
  x.leaf("AddressBookType", "Individual");
  x.close("abInfo");
  x.leaf("lastChange", "2026-12-07T01:08:33.1368730Z");
  x.leaf("DynamicItemLastChanged", "0001-01-01T00:00:00");
  x.leaf("createDate", "2026-12-07T01:08:33.1368730Z");
  x.empty("propertiesChanged");
  x.close("ab");
  x.close("ABFindAllResult");
  x.close("ABFindAllResponse");
  gen_envelope_close(x);
  return x.take();
}

}  // namespace msn::test
