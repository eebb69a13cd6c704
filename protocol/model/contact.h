// SPDX-License-Identifier: GPL-2.0-or-later
// Value types of the contact list (docs/protocol/contact-list.md): contacts, groups, list bits,
// network ids. Plain data: no I/O, no text for users.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/ascii.h"

namespace msn {

// The lists a contact can be on, as the bits of the ADL `l` attribute.
enum class ListBits : std::uint8_t {
  kNone = 0,
  kForward = 1,   // FL: people I watch (address book contacts with isMessengerUser=true)
  kAllow = 2,     // AL: may see me and talk to me
  kBlock = 4,     // BL: blocked
  kReverse = 8,   // RL: have me on their FL
  kPending = 16,  // PL: added me, waiting for my decision
};

constexpr ListBits operator|(ListBits a, ListBits b) {
  return static_cast<ListBits>(static_cast<std::uint8_t>(a) | static_cast<std::uint8_t>(b));
}
constexpr ListBits operator&(ListBits a, ListBits b) {
  return static_cast<ListBits>(static_cast<std::uint8_t>(a) & static_cast<std::uint8_t>(b));
}
constexpr ListBits operator~(ListBits a) {
  return static_cast<ListBits>(~static_cast<std::uint8_t>(a) & 0x1F);
}
constexpr ListBits& operator|=(ListBits& a, ListBits b) { return a = a | b; }
constexpr ListBits& operator&=(ListBits& a, ListBits b) { return a = a & b; }

// True if any bit of `bits` is set in `set`.
constexpr bool has_any(ListBits set, ListBits bits) { return (set & bits) != ListBits::kNone; }
constexpr std::uint8_t to_int(ListBits bits) { return static_cast<std::uint8_t>(bits); }
// Keeps the five known bits of a number read off the wire; unknown bits are dropped.
constexpr ListBits list_bits_from_int(unsigned value) {
  return static_cast<ListBits>(value & 0x1F);
}

// The only lists a client ever announces in ADL/RML (FL|AL|BL); RL and PL are the server's.
inline constexpr ListBits kAnnouncedLists =
    ListBits::kForward | ListBits::kAllow | ListBits::kBlock;

// Network ids: the ADL `t` attribute and the network parameter of ILN/NLN/FLN/UBX.
enum class Network : std::uint32_t {
  kUnknown = 0,  // not known yet: resolve with FQY first (docs/protocol/contact-list.md)
  kPassport = 1,
  kCommunicator = 2,
  kTelephone = 4,
  kMobileNetwork = 8,
  kSmtp = 16,
  kYahoo = 32,
};

constexpr std::uint32_t to_int(Network network) { return static_cast<std::uint32_t>(network); }
// Any number the server sends is kept as it is (the enum is open), except 0 = unknown.
constexpr Network network_from_int(std::uint32_t value) { return static_cast<Network>(value); }

// The MembershipId the Sharing service gave each role, needed to delete a member by id
// (notably from Pending). Empty when unknown.
struct MembershipIds {
  std::string allow;
  std::string block;
  std::string reverse;
  std::string pending;

  // The id slot for one of kAllow/kBlock/kReverse/kPending; nullptr for any other value.
  std::string* for_role(ListBits role) {
    switch (role) {
      case ListBits::kAllow:
        return &allow;
      case ListBits::kBlock:
        return &block;
      case ListBits::kReverse:
        return &reverse;
      case ListBits::kPending:
        return &pending;
      default:
        return nullptr;
    }
  }
  const std::string* for_role(ListBits role) const {
    return const_cast<MembershipIds*>(this)->for_role(role);
  }

  bool operator==(const MembershipIds&) const = default;
};

struct Group {
  std::string id;  // the address book GUID
  std::string name;

  bool operator==(const Group&) const = default;
};

struct Contact {
  std::string passport;  // the address as the server spelled it (case kept)
  Network network = Network::kPassport;
  std::string display_name;  // the server's friendly name for this contact
  std::string nickname;      // AB.NickName: the private alias set by the account owner
  std::string contact_id;    // address book GUID; empty if not in the address book
  std::vector<std::string> group_ids;
  ListBits lists = ListBits::kNone;
  MembershipIds membership_ids;
  std::string invite_message;  // MSN.IM.InviteMessage from a Pending member
  bool is_messenger_user = true;

  bool on(ListBits list) const { return has_any(lists, list); }

  bool operator==(const Contact&) const = default;
};

// A usable account address: exactly one '@' with a non-empty local part and domain, at most
// kMaxAddressLength bytes, no spaces, control bytes or characters that never appear in an
// MSN address (<>"\,;:()[]). Not a full RFC 5322 check: it keeps garbage out of ADL
// payloads, command lines and the buddy list.
inline constexpr std::size_t kMaxAddressLength = 320;
inline bool is_valid_address(std::string_view address) {
  if (address.empty() || address.size() > kMaxAddressLength) return false;
  const std::size_t at = address.find('@');
  if (at == 0 || at == std::string_view::npos || at + 1 == address.size()) return false;
  if (address.find('@', at + 1) != std::string_view::npos) return false;
  for (const char ch : address) {
    if (ch == ' ' || ascii::is_control(ch)) return false;
    if (std::string_view("<>\"\\,;:()[]").find(ch) != std::string_view::npos) return false;
  }
  return true;
}

// The address every list contains but no client announces (docs/protocol/contact-list.md).
inline constexpr std::string_view kMessengerServiceAddress = "messenger@microsoft.com";

}  // namespace msn
