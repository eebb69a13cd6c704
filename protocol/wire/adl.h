// SPDX-License-Identifier: GPL-2.0-or-later
// The <ml> documents of ADL, RML and FQY (docs/protocol/contact-list.md): building the client's,
// and reading the ones the server sends.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "model/contact.h"

namespace msn::wire {

// One <c> of an <ml> document, with its domain joined back on.
struct MlContact {
  std::string address;                   // "bob@example.com"
  ListBits lists = ListBits::kNone;      // l=
  Network network = Network::kPassport;  // t=
  std::string friendly_name{};           // f= (server documents only), URL-decoded

  bool operator==(const MlContact&) const = default;
};

// Real servers refuse larger ADL payloads and more than 150 contacts in one command.
struct MlLimits {
  std::size_t max_contacts = 150;
  std::size_t max_bytes = 7500;
};

// The payloads of the initial ADL dump: `<ml l="1">`, contacts grouped by domain (`<d n=>`,
// local part in `<c n=>`), at most limits.max_contacts `<c>` and limits.max_bytes bytes per
// payload (a domain spanning two payloads is opened again in the second). Always at least one
// payload: `<ml l="1"></ml>` when nothing is to be announced.
// Per contact: l is lists & (FL|AL|BL), with AL dropped when BL is set (the server refuses
// both); contacts left with no bits, messenger@microsoft.com, invalid addresses and contacts
// of unknown network (resolve those with FQY first) are left out. The same address twice
// (any case) is sent once with the union of its bits. Output order is deterministic: domains
// and local parts sorted case-insensitively.
// Example: {bob@example.com FL|AL, carol@example.net FL|AL} ->
//   {"<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\" /></d>"
//    "<d n=\"example.net\"><c n=\"carol\" l=\"3\" t=\"1\" /></d></ml>"}
std::vector<std::string> build_initial_adl(std::span<const MlContact> contacts,
                                           const MlLimits& limits = {});

// ADL or RML payloads for a later list change: the same rules with a plain `<ml>` root, and
// no payload at all when nothing remains to be sent.
// Example: {bob@example.com FL} -> {"<ml><d n=\"example.com\"><c n=\"bob\" l=\"1\" t=\"1\"
// /></d></ml>"}
std::vector<std::string> build_list_change(std::span<const MlContact> contacts,
                                           const MlLimits& limits = {});

// FQY payloads asking the network of these addresses: `<ml><d n="dom"><c n="user" /></d></ml>`
// (no l, no t). Invalid addresses are left out; empty when none remain.
std::vector<std::string> build_fqy(std::span<const std::string> addresses,
                                   const MlLimits& limits = {});

// Reads an <ml> payload the server sent: ADL 0 / RML 0 (someone added or removed us; l holds
// RL and/or PL) or an FQY reply (t filled in). A missing t means Passport, a missing l no
// bits; unknown list bits are dropped; <c> elements without a usable address are skipped.
// Errc::kProtocol for a payload that is not a well-formed <ml> document.
Result<std::vector<MlContact>> parse_ml(std::string_view payload);

}  // namespace msn::wire
