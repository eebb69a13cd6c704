// SPDX-License-Identifier: GPL-2.0-or-later
// Client's contact-list, presence and profile intents: the notification session does the work
// (its address book client and the NS commands); settle() then starts the web calls it asked
// for and collects what it produced.
#include "runtime/client.h"

namespace msn {

namespace {

// Runs an intent on the session and settles the client whatever its outcome.
template <typename Intent>
Status settled(Intent&& intent, const std::function<void()>& settle) {
  Status status = intent();
  settle();
  return status;
}

}  // namespace

#define MSN_SETTLED(call) settled([&] { return ns_.call; }, [&] { settle(now); })

Status Client::add_contact(std::string_view address, std::string_view group, std::string_view invite_message,
                           TimePoint now) {
  return MSN_SETTLED(add_contact(address, group, invite_message, now));
}
Status Client::remove_contact(std::string_view address, std::string_view group, TimePoint now) {
  return MSN_SETTLED(remove_contact(address, group, now));
}
Status Client::move_contact(std::string_view address, std::string_view from_group, std::string_view to_group,
                            TimePoint now) {
  return MSN_SETTLED(move_contact(address, from_group, to_group, now));
}
Status Client::set_contact_alias(std::string_view address, std::string_view alias, TimePoint now) {
  return MSN_SETTLED(set_contact_alias(address, alias, now));
}
Status Client::add_group(std::string_view name, TimePoint now) { return MSN_SETTLED(add_group(name, now)); }
Status Client::rename_group(std::string_view old_name, std::string_view new_name, TimePoint now) {
  return MSN_SETTLED(rename_group(old_name, new_name, now));
}
Status Client::remove_group(std::string_view name, TimePoint now) { return MSN_SETTLED(remove_group(name, now)); }
Status Client::block(std::string_view address, TimePoint now) { return MSN_SETTLED(block(address, now)); }
Status Client::unblock(std::string_view address, TimePoint now) { return MSN_SETTLED(unblock(address, now)); }
Status Client::allow(std::string_view address, TimePoint now) { return MSN_SETTLED(allow(address, now)); }
Status Client::disallow(std::string_view address, TimePoint now) { return MSN_SETTLED(disallow(address, now)); }
Status Client::set_privacy(Privacy privacy, TimePoint now) {
  return MSN_SETTLED(set_privacy(privacy == Privacy::kAllowUnlisted, now));
}
Status Client::authorize(std::string_view address, bool accept, TimePoint now) {
  return MSN_SETTLED(authorize(address, accept, now));
}
Status Client::set_presence(PresenceStatus status, TimePoint now) { return MSN_SETTLED(set_presence(status, now)); }
Status Client::set_idle(bool idle, TimePoint now) { return MSN_SETTLED(set_idle(idle, now)); }
Status Client::set_personal_message(std::string_view text, std::optional<CurrentMedia> media, TimePoint now) {
  return MSN_SETTLED(set_personal_message(text, std::move(media), now));
}
Status Client::set_display_name(std::string_view name, TimePoint now) {
  return MSN_SETTLED(set_display_name(name, now));
}

#undef MSN_SETTLED

bool Client::has_us_on_their_list(std::string_view address) const {
  const Contact* contact = ns_.contact_list().find(address);
  return contact != nullptr && contact->on(ListBits::kReverse);
}

}  // namespace msn
