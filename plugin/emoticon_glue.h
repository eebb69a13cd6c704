// SPDX-License-Identifier: GPL-2.0-or-later
// Custom emoticons between the engine and libpurple's custom smileys: a contact's announced
// emoticon registered with the conversation before their message is written, its image taken
// from our cache (the purple user dir's msnp-emoticons folder, files named by the SHA1D in hex)
// or fetched and written when it arrives; and the user's own custom smileys announced ahead of
// a message that uses them.
#pragma once

#include <conversation.h>

#include <map>
#include <string>
#include <vector>

#include "session/event.h"

namespace msn::plugin {

class Account;

// The smileys waiting for their image, per SHA1D.
class EmoticonTable {
 public:
  struct Waiting {
    PurpleConversationType type = PURPLE_CONV_TYPE_IM;
    std::string name;  // the IM's peer, or the chat's purple name
    int chat_id = 0;
    std::string shortcut;
  };
  // False (nothing added) when too many wait already.
  bool add(const std::string& sha1d, Waiting waiting);
  std::vector<Waiting> take(const std::string& sha1d);

 private:
  std::map<std::string, std::vector<Waiting>> waiting_;
  std::size_t count_ = 0;
};

void apply_emoticon_announced(Account& account, const ev::EmoticonAnnounced& announced);
void apply_object_received(Account& account, const ev::ObjectReceived& received);
void apply_object_failed(Account& account, const ev::ObjectFetchFailed& failed);
// The user's custom smileys whose shortcut is in `html`, announced to `to` before the message.
void announce_own_emoticons(Account& account, const std::string& to, const std::string& html);
void announce_own_emoticons_in_chat(Account& account, ConversationId chat, const std::string& html);

// The cache file of an object: "<hex of the SHA-1>.img"; empty when `sha1d` is not base64 of 20
// bytes (the peer's text never reaches a path).
std::string emoticon_cache_name(const std::string& sha1d);

}  // namespace msn::plugin
