// SPDX-License-Identifier: GPL-2.0-or-later
// A contact's client capabilities (the number in ILN/NLN) in words, for "Get Info".
#pragma once

#include <cstdint>
#include <string>

namespace msn::plugin {

// "Windows Live Messenger 8.5; webcam, voice clips" and the like; empty for 0 (unknown).
// Plain text (translated), never markup.
std::string describe_capabilities(std::uint32_t capabilities);

}  // namespace msn::plugin
