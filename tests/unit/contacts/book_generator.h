// SPDX-License-Identifier: GPL-2.0-or-later
// Generates FindMembership and ABFindAll responses for a synthetic account of any size, plus
// the truth they encode, so parsers, the merge and the ADL builder can be checked (and timed)
// against an independent expectation. Shared by the unit tests and tests/bench.
// The documents are written by hand here, never with the engine's own escaping or builders.
#pragma once

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

}  // namespace msn::test
