// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about handwritten messages (ink) from the server's bot, an independent
// sender (tests/server/msnp_server/ink.py): ISF over the switchboard in several parts, shown as
// an inline PNG of the drawing; a GIF shown as the very bytes sent; ISF over P2P SessionID 64;
// and ink that cannot be read, which gives a notice while the conversation goes on.
#include <imgstore.h>
#include <png.h>
#include <signals.h>

#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "integration.h"
#include "purple_env.h"
#include "shown_media.h"

namespace harness {
namespace {

constexpr const char* kBot = "ink@example.com";

struct Decoded {
  int width = 0;
  int height = 0;
  std::size_t dark = 0;  // pixels darker than mid-grey and not transparent
};

// The PNG read back with libpng; width 0 when it is no PNG.
Decoded decode_png(const std::string& png) {
  Decoded out;
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  if (png_image_begin_read_from_memory(&image, png.data(), png.size()) == 0) return out;
  image.format = PNG_FORMAT_RGBA;
  std::vector<unsigned char> rgba(PNG_IMAGE_SIZE(image));
  if (png_image_finish_read(&image, nullptr, rgba.data(), 0, nullptr) == 0) {
    png_image_free(&image);
    return out;
  }
  out.width = static_cast<int>(image.width);
  out.height = static_cast<int>(image.height);
  for (std::size_t i = 0; i + 3 < rgba.size(); i += 4) {
    if (rgba[i + 3] > 128 && rgba[i] + rgba[i + 1] + rgba[i + 2] < 3 * 128) ++out.dark;
  }
  return out;
}

// alice signed in with the bot available.
bool meet_bot(World& w) {
  if (!w.sign_in("alice")) return false;
  w.add_buddy("alice", kBot, "Bots", "");
  return w.wait_status("alice", kBot, "available");
}

// Asks the bot for ink and returns the line it shows, nullptr (and a failure) when none came.
const WrittenLine* ask_for_ink(World& w, const std::string& command) {
  const std::size_t before = w.received_from("alice", kBot).size();
  if (!w.send_im("alice", kBot, command) || !w.wait_received("alice", kBot, before + 1))
    return nullptr;
  return w.received_from("alice", kBot).back();
}

// The line shows one inline image, the only one shown so far; -> its bytes.
std::string the_image(World& w, const WrittenLine& line, const ShownImages& shown) {
  w.check(line.html.find("<img id=\"") != std::string::npos,
          "the ink line has no <img>: \"" + line.html + "\"");
  w.check(shown.images.size() == 1,
          std::to_string(shown.images.size()) + " images were shown (one expected)");
  return shown.images.empty() ? std::string() : shown.images.back();
}

// The bot's ISF smiley (ink.py: 100 x 100 pixels, the strokes from 5 to 95, a pen of 100
// HIMETRIC) rendered at 96 dpi: 90 pixels of strokes, about 2 of pen and 1 of margin each side.
void check_smiley_png(World& w, const std::string& png) {
  w.check(png.rfind("\x89PNG\r\n\x1a\n", 0) == 0, "the ISF ink is not shown as a PNG");
  const Decoded image = decode_png(png);
  w.check(image.width >= 93 && image.width <= 98 && image.height == image.width,
          "the smiley is " + std::to_string(image.width) + " x " + std::to_string(image.height) +
              " pixels (about 96 x 96 expected)");
  // The outline alone is about 280 pixels long and 4 wide; a blank or clipped image is far less.
  const auto area = static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height);
  w.check(image.dark > 500 && image.dark < area / 4,
          "the smiley has " + std::to_string(image.dark) + " dark pixels");
}

void ink_from_bot(World& w) {
  ShownImages shown;
  STEP(meet_bot(w));
  // The ISF is about 1,400 base64 characters: two switchboard parts.
  const WrittenLine* line = ask_for_ink(w, "ink");
  STEP(line != nullptr);
  check_smiley_png(w, the_image(w, *line, shown));
  // Ink that cannot be read: a notice, and the conversation goes on.
  STEP(w.send_im("alice", kBot, "ink broken"));
  const std::string notice = "sent you ink that could not be shown";
  STEP(wait_system_line(w, "alice", notice) != nullptr);
  const std::size_t before = w.received_from("alice", kBot).size();
  STEP(w.send_im("alice", kBot, "still there?"));
  STEP(w.wait_received("alice", kBot, before + 1));
  w.check(plain_text(w.received_from("alice", kBot).back()->html) == "You said: still there?",
          "the conversation did not go on after the unreadable ink");
}

void ink_gif_from_bot(World& w) {
  ShownImages shown;
  STEP(meet_bot(w));
  const WrittenLine* line = ask_for_ink(w, "ink gif");
  STEP(line != nullptr);
  const std::string sent = read_file(w.state_dir() + "/ink-sent.gif");
  w.check(sent.rfind("GIF89a", 0) == 0, "the bot did not record the GIF it sent");
  w.check(the_image(w, *line, shown) == sent, "the GIF shown is not the GIF the bot sent");
}

void ink_p2p_from_bot(World& w) {
  ShownImages shown;
  STEP(meet_bot(w));
  const WrittenLine* line = ask_for_ink(w, "ink p2p");
  STEP(line != nullptr);
  check_smiley_png(w, the_image(w, *line, shown));
}

// Finch strips every tag from a line, so there the ink is announced in words, never as <img>.
void ink_in_finch(World& w) {
  STEP(meet_bot(w));
  for (const char* command : {"ink", "ink gif"}) {
    const WrittenLine* line = ask_for_ink(w, command);
    STEP(line != nullptr);
    w.check(line->html.find("<img") == std::string::npos,
            std::string("Finch got an <img> for \"") + command + "\": " + line->html);
    w.check(
        plain_text(line->html).find("handwritten message") != std::string::npos,
        std::string("Finch's line for \"") + command + "\" does not say it is ink: " + line->html);
  }
}

}  // namespace

std::vector<IntegrationScenario> ink_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("ink-from-bot", ink_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("ink-gif-from-bot", ink_gif_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("ink-p2p-from-bot", ink_p2p_from_bot, {"--bot", kBot}, {"alice"}));
  IntegrationScenario finch =
      make_scenario("ink-in-finch", ink_in_finch, {"--bot", kBot}, {"alice"});
  finch.ui_id = "gnt-purple";
  list.push_back(std::move(finch));
  return list;
}

}  // namespace harness
