// SPDX-License-Identifier: GPL-2.0-or-later
#include "contact_cache_file.h"

#include <debug.h>
#include <glib/gstdio.h>
#include <util.h>

#include <cstdint>
#include <string>

#include "account.h"
#include "core/ascii.h"
#include "glib_handles.h"
#include "session/contact_cache.h"

namespace msn::plugin {
namespace {

constexpr const char* kFolder = "msnp-contacts";

// Named by a digest of the account name, so that no name (whatever characters a server
// accepted) ever becomes part of a path.
std::string cache_path(PurpleAccount* account) {
  const std::string key = ascii::to_lower(purple_account_get_username(account));
  const GCharPtr digest(
      g_compute_checksum_for_string(G_CHECKSUM_SHA1, key.c_str(), static_cast<gssize>(key.size())));
  const std::string file = std::string(digest.get()) + ".cache";
  const GCharPtr path(g_build_filename(purple_user_dir(), kFolder, file.c_str(), nullptr));
  return path.get();
}

}  // namespace

std::string load_contact_cache(PurpleAccount* account) {
  const std::string path = cache_path(account);
  // A file past what the engine would read anyway (ContactCacheLimits) is not read at all.
  GStatBuf info;
  if (g_stat(path.c_str(), &info) == 0 &&
      static_cast<std::uint64_t>(info.st_size) > ContactCacheLimits{}.max_bytes) {
    purple_debug_warning("msnp", "the saved contact list is too large; not read\n");
    return {};
  }
  gchar* contents = nullptr;
  gsize size = 0;
  if (g_file_get_contents(path.c_str(), &contents, &size, nullptr)) {
    const GCharPtr owned(contents);
    return std::string(contents, size);
  }
  const char* old = purple_account_get_string(account, kOptionContactCache, "");
  return old != nullptr ? old : "";
}

void store_contact_cache(PurpleAccount* account, const std::string& blob) {
  if (purple_account_get_string(account, kOptionContactCache, nullptr) != nullptr)
    purple_account_remove_setting(account, kOptionContactCache);
  const GCharPtr folder(g_build_filename(purple_user_dir(), kFolder, nullptr));
  GError* raw = nullptr;
  // CONSISTENT without DURABLE: a new file renamed over the old one, with no wait for the disk
  // (no fsync); the worst a crash can do is leave the previous snapshot, which is still correct.
  if (g_mkdir_with_parents(folder.get(), 0700) != 0 ||
      !g_file_set_contents_full(cache_path(account).c_str(), blob.data(),
                                static_cast<gssize>(blob.size()), G_FILE_SET_CONTENTS_CONSISTENT,
                                0600, &raw)) {
    const GErrorPtr error(raw);
    purple_debug_warning("msnp", "contact list not saved: %s\n",
                         error != nullptr ? error->message : "cannot create its folder");
  }
}

}  // namespace msn::plugin
