// SPDX-License-Identifier: GPL-2.0-or-later
// Client's conversation intents.
#include "runtime/client.h"

namespace msn {

namespace {
Error not_yet() { return make_error(Errc::kUnsupported, "not implemented yet"); }
}  // namespace

Result<ConversationId> Client::send_message(std::string_view, std::string_view, TimePoint) { return not_yet(); }
Status Client::send_typing(std::string_view, TimePoint) { return not_yet(); }
Status Client::send_nudge(std::string_view, TimePoint) { return not_yet(); }
void Client::close_conversation(std::string_view, TimePoint) {}
Result<ConversationId> Client::start_chat(std::string_view, TimePoint) { return not_yet(); }
Status Client::chat_invite(ConversationId, std::string_view, TimePoint) { return not_yet(); }
Status Client::chat_send(ConversationId, std::string_view, TimePoint) { return not_yet(); }
void Client::chat_leave(ConversationId, TimePoint) {}

}  // namespace msn
