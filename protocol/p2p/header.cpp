// SPDX-License-Identifier: GPL-2.0-or-later
// docs/protocol/p2p.md, "Transport message".
#include "p2p/header.h"

#include "wire/mime_message.h"

namespace msn::p2p {
namespace {

template <typename T>
T read_le(std::string_view bytes, std::size_t at) {
  T value = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i)
    value |= static_cast<T>(static_cast<unsigned char>(bytes[at + i])) << (8 * i);
  return value;
}

template <typename T>
void write_le(std::string& out, T value) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint32_t read_be32(std::string_view bytes, std::size_t at) {
  std::uint32_t value = 0;
  for (std::size_t i = 0; i < 4; ++i)
    value = (value << 8) | static_cast<unsigned char>(bytes[at + i]);
  return value;
}

void write_be32(std::string& out, std::uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

Error malformed(std::string detail) { return make_error(Errc::kProtocol, "p2p: " + detail); }

}  // namespace

Status check_header(const Header& header) {
  if (header.offset > header.total_size) return malformed("offset beyond total size");
  if (header.length > header.total_size - header.offset)
    return malformed("chunk beyond total size");
  return Status::ok();
}

Result<Header> parse_header(std::string_view bytes) {
  if (bytes.size() < kHeaderSize) return malformed("header shorter than 48 bytes");
  Header h;
  h.session_id = read_le<std::uint32_t>(bytes, 0);
  h.identifier = read_le<std::uint32_t>(bytes, 4);
  h.offset = read_le<std::uint64_t>(bytes, 8);
  h.total_size = read_le<std::uint64_t>(bytes, 16);
  h.length = read_le<std::uint32_t>(bytes, 24);
  h.flags = read_le<std::uint32_t>(bytes, 28);
  h.ack_id = read_le<std::uint32_t>(bytes, 32);
  h.ack_unique_id = read_le<std::uint32_t>(bytes, 36);
  h.ack_size = read_le<std::uint64_t>(bytes, 40);
  MSN_TRY(check_header(h));
  return h;
}

std::string serialize_header(const Header& h) {
  std::string out;
  out.reserve(kHeaderSize);
  write_le(out, h.session_id);
  write_le(out, h.identifier);
  write_le(out, h.offset);
  write_le(out, h.total_size);
  write_le(out, h.length);
  write_le(out, h.flags);
  write_le(out, h.ack_id);
  write_le(out, h.ack_unique_id);
  write_le(out, h.ack_size);
  return out;
}

Result<Packet> parse_switchboard_body(std::string_view body) {
  if (body.size() < kHeaderSize + kFooterSize)
    return malformed("body shorter than header and footer");
  auto header = parse_header(body);
  if (!header) return header.error();
  const std::size_t data_bytes = body.size() - kHeaderSize - kFooterSize;
  // The plugin trusts the bytes present over Length; a disagreement means a truncated or padded
  // packet, and neither can be reassembled safely.
  if (header->length != data_bytes) return malformed("Length does not match the data present");
  Packet packet;
  packet.header = *header;
  packet.data.assign(body.substr(kHeaderSize, data_bytes));
  packet.footer = read_be32(body, body.size() - kFooterSize);
  return packet;
}

std::string serialize_switchboard_body(const Packet& packet) {
  std::string out = serialize_header(packet.header);
  out += packet.data;
  write_be32(out, packet.footer);
  return out;
}

std::string switchboard_payload(std::string_view destination, const Packet& packet) {
  wire::MimeMessage message;
  message.set_header("MIME-Version", "1.0");
  message.set_header("Content-Type", kContentType);
  message.set_header("P2P-Dest", destination);
  message.body = serialize_switchboard_body(packet);
  return message.serialize();
}

}  // namespace msn::p2p
