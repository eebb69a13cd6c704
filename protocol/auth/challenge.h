// SPDX-License-Identifier: GPL-2.0-or-later
// The MSNP15 CHL -> QRY challenge answer (docs/protocol/notification-server.md); also the OIM
// LockKey.
#pragma once

#include <string>
#include <string_view>

namespace msn::auth {

inline constexpr std::string_view kProductId = "PROD0119GSJUC$18";
inline constexpr std::string_view kProductKey = "ILTXC!4IXB5FB*PX";

// 32 lower-case hex characters.
std::string challenge_response(std::string_view challenge, std::string_view product_id = kProductId,
                               std::string_view product_key = kProductKey);

}  // namespace msn::auth
