// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Direct connections".
#include "p2p/dc_framing.h"

#include <algorithm>

namespace msn::p2p::dc {
namespace {

std::uint32_t read_le32(std::string_view bytes) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < kLengthPrefixSize; ++i)
    value |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << (8 * i);
  return value;
}

void write_le32(std::string& out, std::uint32_t value) {
  for (std::size_t i = 0; i < kLengthPrefixSize; ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

Error bad_length(std::uint32_t length) {
  return make_error(Errc::kProtocol, "dc: packet length " + std::to_string(length));
}

}  // namespace

Status FrameDecoder::feed(std::string_view bytes, std::vector<std::string>& out) {
  if (failed_) return bad_length(failed_length_);
  while (!bytes.empty()) {
    // Only what the current packet still lacks is copied: the buffer never holds more than
    // one packet, however large the slice.
    std::size_t wanted = kLengthPrefixSize;
    if (buffer_.size() >= kLengthPrefixSize) wanted += read_le32(buffer_);
    const std::size_t take = std::min(wanted - buffer_.size(), bytes.size());
    buffer_.append(bytes.substr(0, take));
    bytes.remove_prefix(take);
    if (buffer_.size() == kLengthPrefixSize) {
      const std::uint32_t length = read_le32(buffer_);
      if (length == 0 || length > kMaxPacket) {
        failed_ = true;
        failed_length_ = length;
        buffer_.clear();
        return bad_length(length);
      }
      continue;
    }
    if (buffer_.size() == wanted && wanted > kLengthPrefixSize) {
      out.push_back(buffer_.substr(kLengthPrefixSize));
      buffer_.clear();
    }
  }
  return Status::ok();
}

std::string frame(std::string_view contents) {
  std::string out;
  out.reserve(kLengthPrefixSize + contents.size());
  write_le32(out, static_cast<std::uint32_t>(contents.size()));
  out.append(contents);
  return out;
}

std::string foo_packet() { return frame(kFoo); }

std::string nonce_packet(std::uint32_t identifier, const Nonce& nonce) {
  return frame(serialize_header(handshake_header(identifier, nonce)));
}

Result<std::string> data_packet(const Packet& packet) {
  if (packet.header.length != packet.data.size())
    return make_error(Errc::kInvalidArgument, "dc: Length is not the data size");
  if (packet.data.size() > kMaxDataPerPacket)
    return make_error(Errc::kInvalidArgument, "dc: more data than one packet carries");
  return frame(serialize_header(packet.header) + packet.data);
}

std::string message_packets(const OutgoingMessage& message) {
  std::string out;
  for (const Packet& packet : split_message(message, kMaxDataPerPacket))
    out += frame(serialize_header(packet.header) + packet.data);
  return out;
}

Result<Packet> parse_data_packet(std::string_view contents) {
  auto header = parse_header(contents);
  if (!header) return header.error();
  if (header->length != contents.size() - kHeaderSize)
    return make_error(Errc::kProtocol, "dc: Length does not match the data present");
  Packet packet;
  packet.header = *header;
  packet.data.assign(contents.substr(kHeaderSize));
  return packet;
}

}  // namespace msn::p2p::dc
