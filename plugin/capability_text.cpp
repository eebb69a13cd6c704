// SPDX-License-Identifier: GPL-2.0-or-later
#include "capability_text.h"

#include <array>
#include <utility>

#include "i18n.h"
#include "session/presence.h"

namespace msn::plugin {
namespace {

// The MSNC version in the top byte names the client generation that introduced it.
const char* client_generation(std::uint32_t version) {
  switch (version >> 24) {
    case 0x00:
      return nullptr;
    case 0x10:
      return N_("MSN Messenger 6.0");
    case 0x20:
      return N_("MSN Messenger 6.1");
    case 0x30:
      return N_("MSN Messenger 6.2");
    case 0x40:
      return N_("MSN Messenger 7.0");
    case 0x50:
      return N_("MSN Messenger 7.5");
    case 0x60:
      return N_("Windows Live Messenger 8.0");
    case 0x70:
      return N_("Windows Live Messenger 8.1");
    case 0x80:
      return N_("Windows Live Messenger 8.5");
    case 0x90:
      return N_("Windows Live Messenger 9.0");
    default:
      return N_("a newer Messenger");
  }
}

constexpr std::array kFeatures = {
    std::pair{caps::kWindowsMobile, N_("Windows Mobile")},
    std::pair{caps::kMsnMobileDevice, N_("mobile device")},
    std::pair{caps::kWebMessenger, N_("Web Messenger")},
    std::pair{caps::kMediaCenter, N_("Media Center")},
    std::pair{caps::kBot, N_("automated (bot)")},
    std::pair{caps::kWebcam, N_("webcam")},
    std::pair{caps::kVoiceIm, N_("voice clips")},
    std::pair{caps::kInkGif | caps::kInkIsf, N_("handwriting (ink)")},
    std::pair{caps::kWinks, N_("winks")},
    std::pair{caps::kP2pPackets, N_("file transfer and display pictures")},
    std::pair{caps::kSharedSearch, N_("shared search")},
    std::pair{caps::kSipInvite, N_("voice and video calls")},
};

}  // namespace

std::string describe_capabilities(std::uint32_t capabilities) {
  if (capabilities == 0) return {};
  std::string text;
  if (const char* generation = client_generation(capabilities & caps::kVersionMask))
    text = _(generation);
  std::string features;
  for (const auto& [bits, name] : kFeatures) {
    if ((capabilities & bits) != 0)
      features += (features.empty() ? "" : ", ") + std::string(_(name));
  }
  if (text.empty()) return features;
  return features.empty() ? text : text + "; " + features;
}

}  // namespace msn::plugin
