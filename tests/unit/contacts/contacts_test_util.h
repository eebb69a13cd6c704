// SPDX-License-Identifier: GPL-2.0-or-later
// Helpers shared by the contact-list tests. Include after the engine headers and before
// cmocka_cpp.h like any standard header user.
#pragma once

#include <algorithm>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "model/contact.h"
#include "soap/xml.h"

namespace msn::test {

// The list bits by the names the protocol and the spec give them; bring them in with
// `using namespace msn::test::list_bits;`.
namespace list_bits {
inline constexpr ListBits FL = ListBits::kForward;
inline constexpr ListBits AL = ListBits::kAllow;
inline constexpr ListBits BL = ListBits::kBlock;
inline constexpr ListBits RL = ListBits::kReverse;
inline constexpr ListBits PL = ListBits::kPending;
}  // namespace list_bits

// The initial ADL payload the transcript's two vectors must give (vectors/README.md,
// "Resulting initial ADL"); the list model, the ADL builder and the whole Client all check it.
inline constexpr std::string_view kVectorInitialAdl =
    "<ml l=\"1\"><d n=\"example.com\"><c n=\"bob\" l=\"3\" t=\"1\" /></d><d n=\"example.net\">"
    "<c n=\"carol\" l=\"3\" t=\"1\" /></d><d n=\"example.org\"><c n=\"mallory\" l=\"4\" t=\"1\" />"
    "</d></ml>";

inline std::string replace_all(std::string s, std::string_view from, std::string_view to) {
  std::size_t pos = s.find(from);
  while (pos != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos = s.find(from, pos + to.size());
  }
  return s;
}

// Drops whitespace-only runs between '>' and '<' (pretty-printed -> compact).
inline std::string compact(std::string_view xml) {
  std::string out;
  std::size_t i = 0;
  while (i < xml.size()) {
    out += xml[i];
    if (xml[i++] != '>') continue;
    std::size_t j = i;
    while (j < xml.size() && std::string_view(" \t\r\n").find(xml[j]) != std::string_view::npos)
      ++j;
    if (j < xml.size() && xml[j] == '<') i = j;
  }
  return out;
}

// The minimal envelope around a body, with the given prefix for the SOAP namespace.
inline std::string soap_envelope(std::string_view body, std::string_view header = {}) {
  return "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
         "<soap:Envelope xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\""
         " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">"
         "<soap:Header>" +
         std::string(header) + "</soap:Header><soap:Body>" + std::string(body) +
         "</soap:Body></soap:Envelope>";
}

inline std::string soap_fault(std::string_view code, std::string_view reason,
                              std::string_view errorcode = {}) {
  std::string detail;
  if (!errorcode.empty())
    detail = "<detail><errorcode xmlns=\"http://www.msn.com/webservices/AddressBook\">" +
             std::string(errorcode) + "</errorcode><errorstring>" + std::string(reason) +
             "</errorstring></detail>";
  return soap_envelope("<soap:Fault><faultcode>" + std::string(code) + "</faultcode><faultstring>" +
                       std::string(reason) + "</faultstring>" + detail + "</soap:Fault>");
}

// Text of the element at a path of local names below the request's root (a DOM is fine for
// checking what a builder wrote).
inline std::string text_at(const soap::XmlDocument& doc,
                           std::initializer_list<std::string_view> path) {
  return soap::text(soap::path(doc.root(), path));
}

inline std::string lists_string(ListBits bits) {
  std::string out;
  if (has_any(bits, ListBits::kForward)) out += "FL ";
  if (has_any(bits, ListBits::kAllow)) out += "AL ";
  if (has_any(bits, ListBits::kBlock)) out += "BL ";
  if (has_any(bits, ListBits::kReverse)) out += "RL ";
  if (has_any(bits, ListBits::kPending)) out += "PL ";
  if (!out.empty()) out.pop_back();
  return out;
}

}  // namespace msn::test
