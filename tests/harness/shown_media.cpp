// SPDX-License-Identifier: GPL-2.0-or-later
#include "shown_media.h"

#include <conversation.h>
#include <imgstore.h>
#include <signals.h>

#include <cstdlib>

#include "ui_events.h"

namespace harness {
namespace {

void copy_images(PurpleAccount*, const char*, const char* message, PurpleConversation*,
                 PurpleMessageFlags, void* data) {
  auto* shown = static_cast<ShownImages*>(data);
  const std::string html = message != nullptr ? message : "";
  // Ours write <img id="N">, libpurple's file-offer line <img id='N'>.
  for (auto at = html.find("<img id="); at != std::string::npos;
       at = html.find("<img id=", at + 1)) {
    PurpleStoredImage* image = purple_imgstore_find_by_id(std::atoi(html.c_str() + at + 9));
    shown->images.emplace_back(
        image != nullptr ? std::string(static_cast<const char*>(purple_imgstore_get_data(image)),
                                       purple_imgstore_get_size(image))
                         : std::string());
  }
}

}  // namespace

std::string read_file(const std::string& path) {
  gchar* contents = nullptr;
  gsize length = 0;
  if (!g_file_get_contents(path.c_str(), &contents, &length, nullptr)) return {};
  std::string out(contents, length);
  g_free(contents);
  return out;
}

ShownImages::ShownImages() {
  void* conversations = purple_conversations_get_handle();
  purple_signal_connect(conversations, "wrote-im-msg", &handle, PURPLE_CALLBACK(copy_images), this);
  purple_signal_connect(conversations, "wrote-chat-msg", &handle, PURPLE_CALLBACK(copy_images),
                        this);
}

ShownImages::~ShownImages() { purple_signals_disconnect_by_handle(&handle); }

const WrittenLine* wait_system_line(World& w, const std::string& account, const std::string& text) {
  const WrittenLine* found = nullptr;
  w.wait(
      "a line \"" + text + "\"",
      [&] {
        for (const WrittenLine& l : ui_events().lines) {
          if (l.account == w.account(account) && (l.flags & PURPLE_MESSAGE_SYSTEM) != 0 &&
              l.html.find(text) != std::string::npos) {
            found = &l;
            return true;
          }
        }
        return false;
      },
      [&] { return w.describe_lines(account); });
  return found;
}

}  // namespace harness
