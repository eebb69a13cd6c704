// SPDX-License-Identifier: GPL-2.0-or-later
#include "picture_glue.h"

#include <buddyicon.h>
#include <debug.h>

#include <cstring>
#include <string>

#include "prpl_common.h"

namespace msn::plugin {
namespace {

// The stored image's bytes; empty for none.
std::string image_bytes(PurpleStoredImage* image) {
  if (image == nullptr) return {};
  const auto* data = static_cast<const char*>(purple_imgstore_get_data(image));
  const std::size_t size = purple_imgstore_get_size(image);
  return data != nullptr ? std::string(data, size) : std::string();
}

void set_picture(Account& account, std::string bytes) {
  const Status status = account.act([&](Client& client, TimePoint now) {
    return client.set_display_picture(std::move(bytes), now);
  });
  if (!status.is_ok())
    purple_debug_warning("msnp", "display picture not used: %s\n", status.error().detail.c_str());
}

}  // namespace

// libpurple keeps each buddy's icon with its checksum across sign-ins: the SHA1D is that
// checksum, so a picture already stored is never fetched again.
void apply_picture_changed(Account& account, const ev::ContactPictureChanged& changed) {
  PurpleAccount* purple = account.purple_account();
  PurpleBuddy* buddy = purple_find_buddy(purple, changed.address.c_str());
  if (buddy == nullptr) return;
  const char* checksum = purple_buddy_icons_get_checksum_for_user(buddy);
  if (!changed.sha1d) {
    if (checksum != nullptr || purple_buddy_get_icon(buddy) != nullptr)
      purple_buddy_icons_set_for_user(purple, changed.address.c_str(), nullptr, 0, nullptr);
    return;
  }
  if (checksum != nullptr && *changed.sha1d == checksum) return;
  const std::string address = changed.address;
  const Status status = account.act(
      [&](Client& client, TimePoint now) { return client.fetch_display_picture(address, now); });
  if (!status.is_ok())
    purple_debug_info("msnp", "picture not fetched: %s\n", status.error().detail.c_str());
}

void apply_picture_received(Account& account, const ev::ContactPictureReceived& received) {
  if (received.data.empty()) return;
  // libpurple takes the buffer and frees it with g_free.
  void* copy = g_malloc(received.data.size());
  std::memcpy(copy, received.data.data(), received.data.size());
  purple_buddy_icons_set_for_user(account.purple_account(), received.address.c_str(), copy,
                                  received.data.size(), received.sha1d.c_str());
}

void send_account_icon(Account& account) {
  PurpleStoredImage* image = purple_buddy_icons_find_account_icon(account.purple_account());
  std::string bytes = image_bytes(image);
  if (image != nullptr) purple_imgstore_unref(image);
  if (!bytes.empty()) set_picture(account, std::move(bytes));
}

void prpl_set_buddy_icon(PurpleConnection* gc, PurpleStoredImage* image) noexcept {
  with_account(gc, "set_buddy_icon",
               [image](Account& account) { set_picture(account, image_bytes(image)); });
}

}  // namespace msn::plugin
