// SPDX-License-Identifier: GPL-2.0-or-later
// Integration scenarios about winks and voice clips from the server's bot, an independent
// sender (tests/server/msnp_server/media.py): a datacast announces the object, the plugin
// fetches it over P2P, shows a line (a wink's still image inline) and offers the file through
// libpurple's transfer dialog; a "wink" that is no cabinet gives a notice and the chat goes on.
#include <ft.h>
#include <imgstore.h>
#include <signals.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "integration.h"
#include "purple_env.h"
#include "shown_media.h"
#include "ui_xfers.h"

namespace harness {
namespace {

constexpr const char* kBot = "media@example.com";

// alice signed in with the bot available; accepted files land in the state dir's "downloads".
bool meet_bot(World& w) {
  xfer_ui().answer = XferAnswer::kAccept;
  xfer_ui().download_dir = w.state_dir() + "/downloads";
  g_mkdir_with_parents(xfer_ui().download_dir.c_str(), 0700);
  if (!w.sign_in("alice")) return false;
  w.add_buddy("alice", kBot, "Bots", "");
  return w.wait_status("alice", kBot, "available");
}

// The one file offered to alice, once saved; -> its bytes ("" and a failure otherwise).
std::string saved_file(World& w, const std::string& suffix) {
  PurpleXfer* done = nullptr;
  const bool ok = w.wait(
      "alice's offered file saved",
      [&] {
        auto list = xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE);
        if (list.empty() || purple_xfer_get_status(list[0]) != PURPLE_XFER_STATUS_DONE)
          return false;
        done = list[0];
        return true;
      },
      [&] {
        auto list = xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE);
        return list.empty() ? std::string("no transfer offered")
                            : "status " + std::to_string(purple_xfer_get_status(list[0]));
      });
  if (!ok) return {};
  w.check(xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE).size() == 1,
          "more than one file was offered");
  const std::string name = purple_xfer_get_filename(done);
  // A name of our own making (the hash), never the peer's Location or Friendly.
  w.check(name.size() > suffix.size() && name.find('/') == std::string::npos &&
              name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0,
          "the offered file is named \"" + name + "\"");
  const char* local = purple_xfer_get_local_filename(done);
  return read_file(local != nullptr ? local : "");
}

// A little-endian field of `width` bytes at `at`; 0 past the end.
std::uint32_t le(const std::string& s, std::size_t at, std::size_t width) {
  std::uint32_t value = 0;
  for (std::size_t i = width; i-- > 0 && at + width <= s.size();)
    value = value << 8 | static_cast<unsigned char>(s[at + i]);
  return value;
}

// Set by tests/harness/meson.build from the build's voice_clips option.
bool plugin_decodes_voice_clips() {
  const char* value = std::getenv("MSNP_VOICE_CLIPS_DECODED");
  return value != nullptr && std::string(value) == "1";
}

void wink_from_bot(World& w) {
  ShownImages shown;
  STEP(meet_bot(w));
  STEP(w.send_im("alice", kBot, "wink"));
  const WrittenLine* line = wait_system_line(w, "alice", "sent you a wink: Test wink");
  STEP(line != nullptr);
  // The thumbnail is shown once, in libpurple's "is offering to send file" line.
  w.check(line->html.find("<img") == std::string::npos,
          "the wink line has its own <img>: \"" + line->html + "\"");
  const std::string png = read_file(w.state_dir() + "/wink-sent.png");
  w.check(png.rfind("\x89PNG", 0) == 0, "the bot did not record the wink's PNG");
  w.check(
      shown.images.size() == 1 && shown.images[0] == png,
      std::to_string(shown.images.size()) + " images shown; the first is not the wink's thumbnail");
  const std::string cab = read_file(w.state_dir() + "/wink-sent.cab");
  const std::string saved = saved_file(w, ".cab");
  w.check(!cab.empty() && saved == cab, "the saved wink is " + std::to_string(saved.size()) +
                                            " bytes, not the " + std::to_string(cab.size()) +
                                            " the bot sent");
}

void voice_from_bot(World& w) {
  STEP(meet_bot(w));
  STEP(w.send_im("alice", kBot, "voice"));
  // media.py's clip: 150 frames of 20 ms.
  STEP(wait_system_line(w, "alice", "sent you a voice clip (3 s)") != nullptr);
  const std::string wav = saved_file(w, ".wav");
  STEP(w.check(wav.size() >= 44 && wav.rfind("RIFF", 0) == 0 && wav.compare(8, 4, "WAVE") == 0,
               "the saved clip is no WAV file"));
  if (plugin_decodes_voice_clips()) {
    // Decoded: a plain 16-bit PCM WAV at 16000 Hz, 3 s of samples after the 44-byte header.
    w.check(le(wav, 20, 2) == 1 && le(wav, 22, 2) == 1 && le(wav, 24, 4) == 16000 &&
                le(wav, 34, 2) == 16,
            "the saved clip is not 16-bit mono PCM at 16000 Hz");
    w.check(wav.size() == 44 + 150 * 320 * 2,
            "the saved clip is " + std::to_string(wav.size()) + " bytes");
  } else {
    // Not decoded in this build: the clip as the bot sent it.
    w.check(wav == read_file(w.state_dir() + "/voice-sent.wav"),
            "the saved clip is not the one the bot sent");
  }
}

void wink_bad_from_bot(World& w) {
  STEP(meet_bot(w));
  STEP(w.send_im("alice", kBot, "bad wink"));
  STEP(wait_system_line(w, "alice", "sent you a wink that could not be shown") != nullptr);
  w.check(xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE).empty(),
          "a file was offered for a wink that could not be read");
  const std::size_t before = w.received_from("alice", kBot).size();
  STEP(w.send_im("alice", kBot, "still there?"));
  STEP(w.wait_received("alice", kBot, before + 1));
  w.check(plain_text(w.received_from("alice", kBot).back()->html) == "You said: still there?",
          "the conversation did not go on after the unreadable wink");
}

// In Finch: the wink is announced in words (Finch shows no images), and its save dialog denies
// once more as it closes. After OK the wink is saved whole; after Cancel the voice clip's offer
// ends cancelled, nothing is freed twice (the sanitizers watch) and the chat goes on.
void media_in_finch(World& w) {
  xfer_ui().finch_file_dialog = true;
  STEP(meet_bot(w));
  STEP(w.send_im("alice", kBot, "wink"));
  const WrittenLine* line = wait_system_line(w, "alice", "sent you a wink: Test wink");
  STEP(line != nullptr);
  w.check(line->html.find("<img") == std::string::npos,
          "Finch got an <img> for the wink: \"" + line->html + "\"");
  const std::string cab = read_file(w.state_dir() + "/wink-sent.cab");
  w.check(!cab.empty() && saved_file(w, ".cab") == cab, "the wink saved in Finch is not the bot's");

  xfer_ui().answer = XferAnswer::kCancelSave;
  STEP(w.send_im("alice", kBot, "voice"));
  STEP(wait_system_line(w, "alice", "sent you a voice clip (3 s)") != nullptr);
  STEP(w.wait(
      "the voice clip's offer cancelled",
      [&] {
        const auto list = xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE);
        return list.size() == 2 &&
               purple_xfer_get_status(list[1]) == PURPLE_XFER_STATUS_CANCEL_LOCAL;
      },
      [&] {
        const auto list = xfers_of(w.account("alice"), PURPLE_XFER_RECEIVE);
        return std::to_string(list.size()) + " offers; the last has status " +
               (list.empty() ? std::string("-")
                             : std::to_string(purple_xfer_get_status(list.back())));
      }));
  const std::size_t before = w.received_from("alice", kBot).size();
  STEP(w.send_im("alice", kBot, "still there?"));
  STEP(w.wait_received("alice", kBot, before + 1));
}

}  // namespace

std::vector<IntegrationScenario> media_scenarios() {
  std::vector<IntegrationScenario> list;
  list.push_back(make_scenario("wink-from-bot", wink_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("voice-from-bot", voice_from_bot, {"--bot", kBot}, {"alice"}));
  list.push_back(make_scenario("wink-bad-from-bot", wink_bad_from_bot, {"--bot", kBot}, {"alice"}));
  IntegrationScenario finch =
      make_scenario("media-in-finch", media_in_finch, {"--bot", kBot}, {"alice"});
  finch.ui_id = "gnt-purple";
  list.push_back(std::move(finch));
  return list;
}

}  // namespace harness
