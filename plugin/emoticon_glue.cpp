// SPDX-License-Identifier: GPL-2.0-or-later
#include "emoticon_glue.h"

#include <debug.h>
#include <glib/gstdio.h>
#include <imgstore.h>
#include <smiley.h>
#include <util.h>

#include <cstring>
#include <utility>

#include "account.h"
#include "glib_handles.h"

namespace msn::plugin {
namespace {

// Smileys waiting for data across all conversations: a peer announcing hundreds cannot grow
// the table without bound (each fetch ends in ObjectReceived or ObjectFetchFailed anyway).
constexpr std::size_t kMaxWaiting = 256;
constexpr const char* kCacheFolder = "msnp-emoticons";
constexpr std::size_t kSha1Bytes = 20;

std::string cache_path(const std::string& file) {
  gchar* path = g_build_filename(purple_user_dir(), kCacheFolder, file.c_str(), nullptr);
  std::string result = path != nullptr ? path : "";
  g_free(path);
  return result;
}

std::string read_cache(const std::string& sha1d) {
  const std::string name = emoticon_cache_name(sha1d);
  if (name.empty()) return {};
  gchar* contents = nullptr;
  gsize size = 0;
  if (!g_file_get_contents(cache_path(name).c_str(), &contents, &size, nullptr)) return {};
  std::string data(contents, size);
  g_free(contents);
  return data;
}

void write_cache(const std::string& sha1d, const std::string& data) {
  const std::string name = emoticon_cache_name(sha1d);
  if (name.empty()) return;
  gchar* folder = g_build_filename(purple_user_dir(), kCacheFolder, nullptr);
  const bool made = g_mkdir_with_parents(folder, 0700) == 0;
  g_free(folder);
  if (!made || !purple_util_write_data_to_file_absolute(cache_path(name).c_str(), data.data(),
                                                        static_cast<gssize>(data.size())))
    purple_debug_warning("msnp", "emoticon not cached\n");
}

PurpleConversation* find_conversation(Account& account, const EmoticonTable::Waiting& waiting) {
  if (waiting.type == PURPLE_CONV_TYPE_CHAT)
    return purple_find_chat(account.connection(), waiting.chat_id);
  return purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, waiting.name.c_str(),
                                               account.purple_account());
}

void write_smiley(PurpleConversation* conv, const std::string& shortcut, const std::string& data) {
  if (!data.empty())
    purple_conv_custom_smiley_write(conv, shortcut.c_str(),
                                    reinterpret_cast<const guchar*>(data.data()), data.size());
  purple_conv_custom_smiley_close(conv, shortcut.c_str());
}

// The conversation the announced message will be written to, created now so that the smiley
// is registered before the message arrives.
PurpleConversation* conversation_for(Account& account, const ev::EmoticonAnnounced& announced,
                                     EmoticonTable::Waiting& waiting) {
  if (announced.chat) {
    waiting.type = PURPLE_CONV_TYPE_CHAT;
    waiting.chat_id = account.chats().open(announced.conversation);
    return purple_find_chat(account.connection(), waiting.chat_id);
  }
  waiting.type = PURPLE_CONV_TYPE_IM;
  waiting.name = announced.from;
  PurpleConversation* conv = purple_find_conversation_with_account(
      PURPLE_CONV_TYPE_IM, announced.from.c_str(), account.purple_account());
  if (conv == nullptr)
    conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, account.purple_account(),
                                   announced.from.c_str());
  return conv;
}

bool is_animated(const std::string& data) { return data.rfind("GIF8", 0) == 0; }

std::string stored_bytes(PurpleStoredImage* image) {
  if (image == nullptr) return {};
  const auto* data = static_cast<const char*>(purple_imgstore_get_data(image));
  const std::size_t size = purple_imgstore_get_size(image);
  return data != nullptr ? std::string(data, size) : std::string();
}

// Whether the message uses the shortcut: purple's HTML has it escaped.
bool uses(const std::string& html, const char* shortcut) {
  if (shortcut == nullptr || *shortcut == '\0') return false;
  gchar* escaped = g_markup_escape_text(shortcut, -1);
  const bool found =
      html.find(escaped) != std::string::npos || html.find(shortcut) != std::string::npos;
  g_free(escaped);
  return found;
}

}  // namespace

bool EmoticonTable::add(const std::string& sha1d, Waiting waiting) {
  if (count_ >= kMaxWaiting) return false;
  waiting_[sha1d].push_back(std::move(waiting));
  ++count_;
  return true;
}

std::vector<EmoticonTable::Waiting> EmoticonTable::take(const std::string& sha1d) {
  const auto it = waiting_.find(sha1d);
  if (it == waiting_.end()) return {};
  std::vector<Waiting> list = std::move(it->second);
  waiting_.erase(it);
  count_ -= list.size();
  return list;
}

std::string emoticon_cache_name(const std::string& sha1d) {
  gsize size = 0;
  guchar* raw = g_base64_decode(sha1d.c_str(), &size);
  std::string name;
  if (raw != nullptr && size == kSha1Bytes) {
    static constexpr char kHex[] = "0123456789abcdef";
    for (gsize i = 0; i < size; ++i) {
      name.push_back(kHex[raw[i] >> 4]);
      name.push_back(kHex[raw[i] & 0x0F]);
    }
    name += ".img";
  }
  g_free(raw);
  return name;
}

void apply_emoticon_announced(Account& account, const ev::EmoticonAnnounced& announced) {
  EmoticonTable::Waiting waiting;
  waiting.shortcut = announced.shortcut;
  PurpleConversation* conv = conversation_for(account, announced, waiting);
  if (conv == nullptr) return;
  // FALSE: the UI already holds this very image for the shortcut (or shows no smileys).
  if (!purple_conv_custom_smiley_add(conv, announced.shortcut.c_str(), "sha1",
                                     announced.sha1d.c_str(), TRUE))
    return;
  const std::string cached = read_cache(announced.sha1d);
  if (!cached.empty()) {
    purple_debug_info("msnp", "emoticon %s from the cache\n", announced.sha1d.c_str());
    return write_smiley(conv, announced.shortcut, cached);
  }
  if (!account.emoticons().add(announced.sha1d, std::move(waiting)))
    return purple_conv_custom_smiley_close(conv, announced.shortcut.c_str());
  const Status status = account.act([&](Client& client, TimePoint now) {
    return client.fetch_object(announced.from, announced.msnobj, now);
  });
  if (!status.is_ok()) {
    purple_debug_info("msnp", "emoticon not fetched: %s\n", status.error().detail.c_str());
    apply_object_failed(account, ev::ObjectFetchFailed{announced.from, announced.sha1d});
  }
}

void apply_object_received(Account& account, const ev::ObjectReceived& received) {
  write_cache(received.sha1d, received.data);
  for (const EmoticonTable::Waiting& waiting : account.emoticons().take(received.sha1d)) {
    if (PurpleConversation* conv = find_conversation(account, waiting))
      write_smiley(conv, waiting.shortcut, received.data);
  }
}

// The shortcut stays as text: the smiley is closed without data.
void apply_object_failed(Account& account, const ev::ObjectFetchFailed& failed) {
  for (const EmoticonTable::Waiting& waiting : account.emoticons().take(failed.sha1d)) {
    if (PurpleConversation* conv = find_conversation(account, waiting))
      purple_conv_custom_smiley_close(conv, waiting.shortcut.c_str());
  }
}

namespace {

// The user's custom smileys (Pidgin's Smiley Manager) that `html` uses.
std::vector<Client::OwnEmoticon> used_emoticons(const std::string& html) {
  std::vector<Client::OwnEmoticon> used;
  GList* smileys = purple_smileys_get_all();
  for (GList* item = smileys; item != nullptr; item = item->next) {
    auto* smiley = static_cast<PurpleSmiley*>(item->data);
    const char* shortcut = purple_smiley_get_shortcut(smiley);
    if (!uses(html, shortcut)) continue;
    PurpleStoredImage* image = purple_smiley_get_stored_image(smiley);
    std::string data = stored_bytes(image);
    if (image != nullptr) purple_imgstore_unref(image);
    if (data.empty()) continue;
    const bool animated = is_animated(data);
    used.push_back(Client::OwnEmoticon{shortcut, std::move(data), animated});
  }
  g_list_free(smileys);
  return used;
}

void log_unannounced(const Status& status) {
  if (!status.is_ok())
    purple_debug_info("msnp", "emoticons not announced: %s\n", status.error().detail.c_str());
}

}  // namespace

void announce_own_emoticons(Account& account, const std::string& to, const std::string& html) {
  const std::vector<Client::OwnEmoticon> used = used_emoticons(html);
  if (used.empty()) return;
  log_unannounced(account.act(
      [&](Client& client, TimePoint now) { return client.send_emoticons(to, used, now); }));
}

void announce_own_emoticons_in_chat(Account& account, ConversationId chat,
                                    const std::string& html) {
  const std::vector<Client::OwnEmoticon> used = used_emoticons(html);
  if (used.empty()) return;
  log_unannounced(account.act(
      [&](Client& client, TimePoint now) { return client.send_chat_emoticons(chat, used, now); }));
}

}  // namespace msn::plugin
