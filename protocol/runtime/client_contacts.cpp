// SPDX-License-Identifier: GPL-2.0-or-later
// Client's contact-list, presence and profile intents.
#include "runtime/client.h"

namespace msn {

namespace {
Error not_yet() { return make_error(Errc::kUnsupported, "not implemented yet"); }
}  // namespace

Status Client::add_contact(std::string_view, std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::remove_contact(std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::move_contact(std::string_view, std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::set_contact_alias(std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::add_group(std::string_view, TimePoint) { return not_yet(); }
Status Client::rename_group(std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::remove_group(std::string_view, TimePoint) { return not_yet(); }
Status Client::block(std::string_view, TimePoint) { return not_yet(); }
Status Client::unblock(std::string_view, TimePoint) { return not_yet(); }
Status Client::allow(std::string_view, TimePoint) { return not_yet(); }
Status Client::disallow(std::string_view, TimePoint) { return not_yet(); }
Status Client::set_privacy(Privacy, TimePoint) { return not_yet(); }
Status Client::authorize(std::string_view, bool, TimePoint) { return not_yet(); }
Status Client::set_presence(PresenceStatus, TimePoint) { return not_yet(); }
Status Client::set_idle(bool, TimePoint) { return not_yet(); }
Status Client::set_personal_message(std::string_view, std::optional<CurrentMedia>, TimePoint) { return not_yet(); }
Status Client::set_display_name(std::string_view, TimePoint) { return not_yet(); }

}  // namespace msn
