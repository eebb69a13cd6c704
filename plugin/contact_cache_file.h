// SPDX-License-Identifier: GPL-2.0-or-later
// Where the engine's contact-list snapshot (ev::ContactCacheUpdated, Settings::contact_cache)
// is kept between sign-ins: a file of its own in libpurple's user folder,
// msnp-contacts/<SHA-1 of the account name>.cache, not an account setting. libpurple rewrites
// accounts.xml whole, XML-escaped and synced to disk, whenever anything in it changes (a status
// change does); with a big book's snapshot in it (8 MB at 50,000 contacts) every such rewrite
// blocked the main loop for 65 to 130 ms.
#pragma once

#include <account.h>

#include <string>

namespace msn::plugin {

// The stored snapshot, or "" when there is none or it cannot be read (the engine then fetches
// the whole list). A snapshot an earlier version kept in accounts.xml is used when there is no
// file yet.
std::string load_contact_cache(PurpleAccount* account);

// Stores `blob`: written to a new file that then replaces the old one, without waiting for the
// disk to confirm it (no fsync). A crash may leave the previous snapshot, which is still
// correct: the next sign-in then asks for the changes since that one. Drops the accounts.xml
// copy, if any.
void store_contact_cache(PurpleAccount* account, const std::string& blob);

}  // namespace msn::plugin
