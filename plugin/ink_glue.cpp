// SPDX-License-Identifier: GPL-2.0-or-later
#include "ink_glue.h"

#include <conversation.h>
#include <core.h>
#include <imgstore.h>
#include <server.h>

#include <cstring>
#include <ctime>
#include <string>

#include "account.h"
#include "conversations_glue.h"
#include "error_text.h"
#include "i18n.h"

namespace msn::plugin {
namespace {

// Finch (libgnt) strips every tag from a message, <img> and its alt text included, so the ink
// would arrive as an empty line there.
bool ui_shows_images() {
  const char* ui = purple_core_get_ui();
  return ui == nullptr || std::strcmp(ui, "gnt-purple") != 0;
}

// The image store takes ownership of a g_malloc'ed copy; the id holds one reference.
int store_image(const ev::InkReceived& event) {
  gpointer copy = g_malloc(event.image.size());
  std::memcpy(copy, event.image.data(), event.image.size());
  const char* name = event.mime_type == "image/gif" ? "ink.gif" : "ink.png";
  return purple_imgstore_add_with_id(copy, event.image.size(), name);
}

// A line from the peer: a 1:1 IM, or a chat line (the chat opened if it is not yet).
void write_from_peer(Account& account, const ev::InkReceived& event, const std::string& html) {
  const time_t now = std::time(nullptr);
  if (!event.chat) {
    serv_got_im(account.connection(), event.from.c_str(), html.c_str(), PURPLE_MESSAGE_RECV, now);
    return;
  }
  PurpleConversation* conv = open_chat(account, event.conversation);
  if (conv == nullptr) return;
  serv_got_chat_in(account.connection(), purple_conv_chat_get_id(PURPLE_CONV_CHAT(conv)),
                   event.from.c_str(), PURPLE_MESSAGE_RECV, html.c_str(), now);
}

void write_notice(Account& account, const ev::InkReceived& event, const std::string& html) {
  PurpleConversation* conv = nullptr;
  if (event.chat) {
    conv = open_chat(account, event.conversation);
  } else {
    PurpleAccount* purple = account.purple_account();
    conv = purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, event.from.c_str(), purple);
    if (conv == nullptr)
      conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, purple, event.from.c_str());
  }
  if (conv != nullptr)
    purple_conversation_write(conv, nullptr, html.c_str(), PURPLE_MESSAGE_SYSTEM,
                              std::time(nullptr));
}

}  // namespace

void apply_ink_received(Account& account, const ev::InkReceived& event) {
  const std::string name = escape_markup(display_name_of(account, event.from));
  if (event.image.empty()) {
    write_notice(account, event,
                 printf_string(_("%s sent you ink that could not be shown"), name.c_str()));
    return;
  }
  if (!ui_shows_images()) {
    write_from_peer(account, event,
                    escape_markup(_("[a handwritten message; this window cannot show images]")));
    return;
  }
  const int id = store_image(event);
  if (id == 0) return;
  const std::string alt = escape_markup(_("handwritten message"));
  write_from_peer(account, event, printf_string("<img id=\"%d\" alt=\"%s\">", id, alt.c_str()));
  // The conversation took its own reference when it showed the image (or never will).
  purple_imgstore_unref_by_id(id);
}

}  // namespace msn::plugin
