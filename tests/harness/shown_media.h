// SPDX-License-Identifier: GPL-2.0-or-later
// What the media scenarios (ink, winks, voice clips, files) look at: the images a conversation
// line shows, the system lines written to an account, and files on disk.
#pragma once

#include <string>
#include <vector>

#include "world.h"

namespace harness {

// The whole file, "" when it cannot be read.
std::string read_file(const std::string& path);

// The bytes of each <img id="N"> written to an IM or chat conversation, copied while the line is
// written (the plugin drops its reference right after), in order.
struct ShownImages {
  std::vector<std::string> images;
  int handle = 0;

  ShownImages();
  ~ShownImages();
  ShownImages(const ShownImages&) = delete;
  ShownImages& operator=(const ShownImages&) = delete;
};

// Waits for a system line of `account` holding `text`; nullptr (and a failure) when none came.
const WrittenLine* wait_system_line(World& w, const std::string& account, const std::string& text);

}  // namespace harness
