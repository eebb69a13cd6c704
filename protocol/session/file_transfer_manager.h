// SPDX-License-Identifier: GPL-2.0-or-later
// File transfers of one sign-in, sans-I/O (docs/protocol/p2p.md, "File transfer"): files we
// offer and files offered to us, on the contacts' P2P links (P2pLinks: the picture manager owns
// them), each with an id the UI knows it by. The engine never holds a file: a sender asks the
// UI for a few chunks at a time (FileDataWanted / provide_data) and hands them on only as the
// contact's bridge has room (pump: today the switchboard's P2P window, later perhaps a direct
// connection); a receiver hands each chunk to the UI as it arrives (FileData).
//
// Driving contract: the link owner hands on what belongs to files (P2pApplication); intents as
// the user acts; pump() whenever a bridge may have room; on_timer() at next_deadline(); then
// drain take_events() (the links' packets go out through P2pLinks::flush_link()).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "p2p/file_transfer.h"
#include "session/direct_links.h"
#include "session/event.h"
#include "session/p2p_application.h"

namespace msn {

// A direct connection broke mid-way: how long the sender waits for the receiver's NAK (the
// offset it holds), and the receiver for the data to go on, before the transfer ends as lost.
inline constexpr Duration kFileResumeWait = seconds(10);

struct FileConfig {
  std::size_t max_per_peer = 4;  // transfers with one contact at once, both directions
  std::size_t max_total = 16;    // and with everyone
  // Chunks of a file we send buffered in the engine at most (asked of the UI ahead).
  std::size_t buffered_chunks = 32;
  std::uint64_t progress_step = 64 * 1024;  // FileProgress at most once per this many bytes
};

// n random bytes (an error when the system has none).
using FileRandom = std::function<Result<std::string>(std::size_t)>;
// How many more data packets the bridge to a contact takes now.
using BridgeRoom = std::function<std::size_t(std::string_view peer)>;

class FileTransferManager final : public P2pApplication {
 public:
  FileTransferManager(FileConfig config, FileRandom random);
  ~FileTransferManager() override;
  FileTransferManager(const FileTransferManager&) = delete;
  FileTransferManager& operator=(const FileTransferManager&) = delete;
  void set_links(P2pLinks* links) {
    links_ = links;
    direct_.set_links(links);
  }
  void set_random_source(FileRandom random) {
    random_ = std::move(random);
    direct_.configure(ids_, direct_enabled_, random_);
  }
  // Direct connections for files (off unless called): their sockets get ids from `ids`.
  void enable_direct(ConnectionIds* ids, bool enabled) {
    ids_ = ids;
    direct_enabled_ = enabled;
    direct_.configure(ids_, direct_enabled_, random_);
  }
  // The direct connections' sockets, for the runtime's reports and outputs.
  DirectLinks& direct() { return direct_; }

  // Offers `size` bytes named `name` (UTF-8, a name without a path) to `peer`. Errc::kLimit
  // over a cap (nothing is sent), kUnsupported without randomness or a link.
  Result<ev::FileTransferId> send_file(std::string_view peer, std::string_view name,
                                       std::uint64_t size, TimePoint now);
  // Answers a FileOffered. kInvalidArgument for an id not (or no longer) waiting for that.
  Status accept(ev::FileTransferId id, TimePoint now);
  Status decline(ev::FileTransferId id, TimePoint now);
  // Ends a transfer from our side at any point (BYE, queued data dropped): FileEnded
  // {kCancelledByUs}. kInvalidArgument for an unknown id.
  Status cancel(ev::FileTransferId id, TimePoint now);
  // The bytes a FileDataWanted asked for. kInvalidArgument when none were asked, or for more
  // than asked or none at all (the UI cancels instead when it cannot read).
  Status provide_data(ev::FileTransferId id, std::string bytes, TimePoint now);

  // Hands buffered chunks to the links while the bridges have room, and asks the UI for more.
  void pump(const BridgeRoom& room, TimePoint now);
  void on_timer(TimePoint now);
  std::optional<TimePoint> next_deadline() const;
  // The session is over: everything is forgotten without a word (the UI cleans up itself).
  void shut_down();

  std::vector<Event> take_events();
  std::size_t running() const { return transfers_.size(); }

  // P2pApplication.
  bool on_invite(const std::string& key, p2p::Link& link, const p2p::slp::Message& invite,
                 TimePoint now) override;
  bool on_slp(const std::string& key, p2p::Link& link, const p2p::slp::Message& message,
              TimePoint now) override;
  void on_chunk(const std::string& key, p2p::Link& link, const p2p::Packet& chunk,
                TimePoint now) override;
  void on_control(const std::string& key, p2p::Link& link, const p2p::Header& header,
                  TimePoint now) override;
  void on_carrier_lost(const std::string& key, TimePoint now) override;
  bool busy(const std::string& key) const override;

 private:
  struct Transfer {
    std::string peer;
    std::string key;  // lower-cased peer
    std::unique_ptr<p2p::FileSender> sender;
    std::unique_ptr<p2p::FileReceiver> receiver;
    std::string buffer;  // sender: bytes from the UI; those from `head` not yet sent
    std::size_t head = 0;
    std::size_t asked = 0;       // sender: bytes asked of the UI and not yet given
    std::uint64_t reported = 0;  // bytes in the last FileProgress
    bool lost = false;           // the carrier went away
    // A direct connection broke mid-way: the sender waits for the receiver's NAK, the
    // receiver for the data to go on, until then (the transfer ends as lost after it).
    std::optional<TimePoint> resume_by;
    bool stale_answer = false;  // sender: the UI's pending answer is for a dropped offset
  };

  bool room_for_one_more(const std::string& key) const;
  std::string random_branch();
  bool offer(const std::string& key, p2p::Link& link, const p2p::slp::Message& invite,
             TimePoint now);
  void answer_transport(p2p::Link& link, const p2p::slp::Message& invite);
  void decline_invite(p2p::Link& link, const p2p::slp::Message& invite, std::uint32_t session_id);
  void feed(ev::FileTransferId id, Transfer& t, std::size_t& room, TimePoint now);
  void feed_direct(ev::FileTransferId id, Transfer& t, TimePoint now);
  void end_broken(TimePoint now);
  void resume_after_break(Transfer& t, TimePoint now);
  bool on_resume_request(ev::FileTransferId id, Transfer& t, const p2p::Header& header,
                         TimePoint now);
  void give_up_resuming(TimePoint now);
  std::optional<ev::FileTransferId> by_call_id(const std::string& key,
                                               const std::string& call_id) const;
  void ask_for_more(ev::FileTransferId id, Transfer& t);
  void progress(ev::FileTransferId id, Transfer& t, std::uint64_t done, bool force);
  void settle(TimePoint now);
  void end(ev::FileTransferId id, Transfer& t);
  p2p::TransferState state_of(const Transfer& t) const;
  void log(LogLevel level, std::string text) { events_.push_back(ev::Log{level, std::move(text)}); }

  FileConfig config_;
  FileRandom random_;
  P2pLinks* links_ = nullptr;
  std::map<ev::FileTransferId, Transfer> transfers_;
  ev::FileTransferId next_id_ = 1;
  std::vector<Event> events_;
  ConnectionIds* ids_ = nullptr;
  bool direct_enabled_ = false;
  DirectLinks direct_;
};

}  // namespace msn
