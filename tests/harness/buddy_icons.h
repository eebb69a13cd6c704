// SPDX-License-Identifier: GPL-2.0-or-later
// What a buddy icon holds, for the picture scenarios and the picture benchmark.
#pragma once

#include <blist.h>
#include <buddyicon.h>
#include <glib.h>

#include <string>

namespace harness {

// The bytes of the icon `account` shows for `address`; empty when none.
inline std::string icon_bytes(PurpleAccount* account, const std::string& address) {
  PurpleBuddy* buddy = purple_find_buddy(account, address.c_str());
  PurpleBuddyIcon* icon = buddy != nullptr ? purple_buddy_get_icon(buddy) : nullptr;
  if (icon == nullptr) return {};
  size_t size = 0;
  const void* data = purple_buddy_icon_get_data(icon, &size);
  return data != nullptr ? std::string(static_cast<const char*>(data), size) : std::string();
}

// The base64 SHA-1 of `data`: what an MSNObject's SHA1D says of its picture.
inline std::string sha1d_of(const std::string& data) {
  GChecksum* checksum = g_checksum_new(G_CHECKSUM_SHA1);
  g_checksum_update(checksum, reinterpret_cast<const guchar*>(data.data()), data.size());
  guint8 digest[20];
  gsize length = sizeof digest;
  g_checksum_get_digest(checksum, digest, &length);
  g_checksum_free(checksum);
  gchar* encoded = g_base64_encode(digest, length);
  std::string out = encoded;
  g_free(encoded);
  return out;
}

// The icon is shown and is the picture libpurple stored it under (its SHA-1 is the checksum
// libpurple keeps for it, the announced SHA1D).
inline bool shows_stored_picture(PurpleAccount* account, const std::string& address) {
  PurpleBuddy* buddy = purple_find_buddy(account, address.c_str());
  const char* checksum =
      buddy != nullptr ? purple_buddy_icons_get_checksum_for_user(buddy) : nullptr;
  const std::string data = icon_bytes(account, address);
  return checksum != nullptr && !data.empty() && sha1d_of(data) == checksum;
}

}  // namespace harness
