// SPDX-License-Identifier: GPL-2.0-or-later
// The seam between the owner of the P2P links (PictureManager: one Link per contact, which
// reads every packet) and the other P2P applications on the same links (files, MSN objects
// other than display pictures). One Link per
// contact is required: it owns our Identifier sequence towards them and reassembles what
// they send, whatever session it belongs to.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/time.h"
#include "p2p/header.h"
#include "p2p/link.h"
#include "p2p/slp.h"

namespace msn {

// What the link owner hands on. `key` is the contact's lower-cased address.
class P2pApplication {
 public:
  virtual ~P2pApplication() = default;
  // An INVITE: true when this application answered it (its EUF-GUID, or a transport INVITE for
  // one of its sessions).
  virtual bool on_invite(const std::string& key, p2p::Link& link, const p2p::slp::Message& invite,
                         TimePoint now) = 0;
  // Any other SLP message: true when it belongs to one of this application's sessions.
  virtual bool on_slp(const std::string& key, p2p::Link& link, const p2p::slp::Message& message,
                      TimePoint now) = 0;
  virtual void on_chunk(const std::string& key, p2p::Link& link, const p2p::Packet& chunk,
                        TimePoint now) = 0;
  // A complete data message (SessionID not 0) no display-picture fetch claimed: true when it
  // belongs to one of this application's sessions.
  virtual bool on_data(const std::string& /*key*/, p2p::Link& /*link*/,
                       const p2p::Message& /*message*/, TimePoint /*now*/) {
    return false;
  }
  virtual void on_control(const std::string& key, p2p::Link& link, const p2p::Header& header,
                          TimePoint now) = 0;
  virtual void on_carrier_lost(const std::string& key, TimePoint now) = 0;
  // Whether a session of this application runs with the contact (their link must stay).
  virtual bool busy(const std::string& key) const = 0;
};

// The link owner as the application sees it.
class P2pLinks {
 public:
  virtual ~P2pLinks() = default;
  // The contact's link (created if need be); nullptr when too many contacts have one.
  virtual p2p::Link* link(std::string_view peer) = 0;
  // Hands what the contact's link has to send to the switchboards.
  virtual void flush_link(std::string_view peer) = 0;
  // Object fetches of every application share the display pictures' pace (each may open a
  // switchboard): true when one may start now, which takes the turn.
  virtual bool take_fetch_turn(TimePoint /*now*/) { return true; }
  // When the next turn comes (nullopt: now).
  virtual std::optional<TimePoint> next_fetch_turn() const { return std::nullopt; }
};

}  // namespace msn
