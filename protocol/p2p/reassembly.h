// SPDX-License-Identifier: GPL-2.0-or-later
// Reassembles P2P messages from their chunks (docs/protocol/p2p.md, "Reassembly"). Bounded:
// nothing a peer announces is allocated up front, each message is capped, and only a few
// messages may be incomplete at once.
#pragma once

#include <compare>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>

#include "core/status.h"
#include "p2p/header.h"

namespace msn::p2p {

// A message is known by its SessionID and Identifier; chunks of different messages may
// interleave.
struct MessageKey {
  std::uint32_t session_id = 0;
  std::uint32_t identifier = 0;
  auto operator<=>(const MessageKey&) const = default;
};

// A complete message: the first chunk's header with Offset 0 and Length = TotalSize (what
// make_ack() needs), the data, and the first chunk's footer.
struct Message {
  Header header;
  std::string data;
  std::uint32_t footer = 0;
};

struct ReassemblyLimits {
  // Largest TotalSize accepted for data (SessionID != 0); a display picture is a few KiB.
  std::size_t max_message_bytes = 256 * 1024;
  // Largest TotalSize accepted for SLP text (SessionID 0); a file INVITE with a preview image
  // stays far below it.
  std::size_t max_signalling_bytes = 64 * 1024;
  // Messages incomplete at once. A new one beyond this evicts the one started first, so that a
  // peer that never finishes its messages cannot block the link.
  std::size_t max_incomplete = 8;
  // Identifiers of completed messages remembered, so that a chunk the switchboard delivered
  // twice is recognised as a duplicate rather than as a chunk without a start.
  std::size_t remembered_completed = 16;
};

class Reassembler {
 public:
  enum class Outcome {
    kIncomplete,  // stored; more chunks are expected
    kComplete,    // Added::message holds the whole message
    kDuplicate,   // a chunk already received (the switchboard re-sent it): ignored
    kControl,     // not message data (ACK, NAK, close, error, handshake): not stored
  };
  struct Added {
    Outcome outcome = Outcome::kIncomplete;
    std::optional<Message> message;     // for kComplete
    std::optional<MessageKey> evicted;  // an incomplete message dropped to make room
  };

  explicit Reassembler(ReassemblyLimits limits = {}) : limits_(limits) {}

  // Takes one packet. Chunks of one message must arrive in order without gaps (the senders
  // send them so and the switchboard keeps the order). Errors, after which the message's
  // partial data is dropped: Errc::kLimit for a TotalSize above the cap; Errc::kProtocol for a
  // chunk past a gap, a chunk that overlaps received data only partly, a TotalSize that changes
  // between chunks, or a first chunk that does not start at 0.
  Result<Added> add(const Packet& packet);

  // Forgets the incomplete messages of a session (it was closed or cancelled).
  void drop_session(std::uint32_t session_id);
  void clear();
  std::size_t incomplete() const { return partial_.size(); }
  std::size_t buffered_bytes() const;  // data received so far
  std::size_t reserved_bytes() const;  // memory held for it (capacity)

 private:
  struct Partial {
    Header first;
    std::uint32_t footer = 0;
    std::string data;
    std::uint64_t started = 0;  // order of arrival, for eviction
  };

  Result<Added> start(const MessageKey& key, const Packet& packet);
  Result<Added> extend(std::map<MessageKey, Partial>::iterator it, const Packet& packet);
  Added complete(const MessageKey& key, Header first, std::uint32_t footer, std::string data);
  bool recently_completed(const MessageKey& key) const;
  std::size_t cap_for(const Header& header) const;
  std::optional<MessageKey> make_room();

  ReassemblyLimits limits_;
  std::map<MessageKey, Partial> partial_;
  std::deque<MessageKey> completed_;
  std::uint64_t arrivals_ = 0;
};

}  // namespace msn::p2p
