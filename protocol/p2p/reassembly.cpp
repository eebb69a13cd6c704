// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Reassembly".
#include "p2p/reassembly.h"

#include <algorithm>
#include <utility>

#include "p2p/transport.h"

namespace msn::p2p {
namespace {

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "p2p: " + detail); }

// Grows `data` for `extra` more bytes without ever reserving past the message's TotalSize:
// geometric growth as std::string does it, but capped.
void append_bounded(std::string& data, std::string_view chunk, std::uint64_t total) {
  const std::size_t needed = data.size() + chunk.size();
  if (needed > data.capacity()) {
    const std::size_t doubled = std::max(needed, data.capacity() * 2);
    data.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(doubled, total)));
  }
  data.append(chunk);
}

}  // namespace

Result<Reassembler::Added> Reassembler::add(const Packet& packet) {
  if (!carries_message(packet.header)) return Added{Outcome::kControl, std::nullopt, std::nullopt};
  MSN_TRY(check_header(packet.header));
  if (packet.data.size() != packet.header.length)
    return malformed("Length does not match the data");
  const MessageKey key{packet.header.session_id, packet.header.identifier};
  const auto it = partial_.find(key);
  if (it != partial_.end()) return extend(it, packet);
  if (recently_completed(key)) return Added{Outcome::kDuplicate, std::nullopt, std::nullopt};
  return start(key, packet);
}

Result<Reassembler::Added> Reassembler::start(const MessageKey& key, const Packet& packet) {
  const Header& h = packet.header;
  if (h.offset != 0) return malformed("first chunk of a message does not start at offset 0");
  if (h.total_size > cap_for(h))
    return make_error(Errc::kLimit, "p2p: message larger than the cap");
  if (h.length == h.total_size) return complete(key, h, packet.footer, packet.data);
  Added added;
  added.evicted = make_room();
  Partial& partial = partial_[key];
  partial.first = h;
  partial.footer = packet.footer;
  partial.started = arrivals_++;
  append_bounded(partial.data, packet.data, h.total_size);
  return added;
}

Result<Reassembler::Added> Reassembler::extend(std::map<MessageKey, Partial>::iterator it,
                                               const Packet& packet) {
  const Header& h = packet.header;
  Partial& partial = it->second;
  const std::uint64_t received = partial.data.size();
  if (h.total_size != partial.first.total_size) {
    partial_.erase(it);
    return malformed("TotalSize changed between chunks");
  }
  if (h.offset + h.length <= received && h.offset < received)
    return Added{Outcome::kDuplicate, std::nullopt, std::nullopt};
  if (h.offset != received) {
    // A gap cannot be filled later (P2Pv1 over the switchboard never re-sends a skipped
    // chunk), and a partial overlap means the sender's offsets are wrong.
    partial_.erase(it);
    return malformed("chunk does not continue the message");
  }
  append_bounded(partial.data, packet.data, h.total_size);
  if (partial.data.size() < partial.first.total_size)
    return Added{Outcome::kIncomplete, std::nullopt, std::nullopt};
  const MessageKey key = it->first;
  Partial done = std::move(partial);
  partial_.erase(it);
  return complete(key, done.first, done.footer, std::move(done.data));
}

Reassembler::Added Reassembler::complete(const MessageKey& key, Header first, std::uint32_t footer,
                                         std::string data) {
  if (limits_.remembered_completed > 0) {
    if (completed_.size() >= limits_.remembered_completed) completed_.pop_front();
    completed_.push_back(key);
  }
  first.offset = 0;
  first.length = static_cast<std::uint32_t>(std::min<std::uint64_t>(first.total_size, UINT32_MAX));
  Added added;
  added.outcome = Outcome::kComplete;
  added.message = Message{first, std::move(data), footer};
  return added;
}

bool Reassembler::recently_completed(const MessageKey& key) const {
  return std::find(completed_.begin(), completed_.end(), key) != completed_.end();
}

std::size_t Reassembler::cap_for(const Header& header) const {
  return header.session_id == 0 ? limits_.max_signalling_bytes : limits_.max_message_bytes;
}

std::optional<MessageKey> Reassembler::make_room() {
  if (partial_.size() < std::max<std::size_t>(limits_.max_incomplete, 1)) return std::nullopt;
  const auto oldest = std::min_element(
      partial_.begin(), partial_.end(),
      [](const auto& a, const auto& b) { return a.second.started < b.second.started; });
  const MessageKey key = oldest->first;
  partial_.erase(oldest);
  return key;
}

void Reassembler::drop_session(std::uint32_t session_id) {
  std::erase_if(partial_,
                [session_id](const auto& entry) { return entry.first.session_id == session_id; });
}

void Reassembler::clear() {
  partial_.clear();
  completed_.clear();
}

std::size_t Reassembler::buffered_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [key, partial] : partial_) bytes += partial.data.size();
  return bytes;
}

std::size_t Reassembler::reserved_bytes() const {
  std::size_t bytes = 0;
  for (const auto& [key, partial] : partial_) bytes += partial.data.capacity();
  return bytes;
}

}  // namespace msn::p2p
