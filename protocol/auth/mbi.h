// SPDX-License-Identifier: GPL-2.0-or-later
// The MBI blob for "USR SSO S" (docs/protocol/notification-server.md, "MBI answer").
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::auth {

// derive(key, label): the WS-Trust P_SHA1-style 24-byte key derivation.
std::string derive_key(std::string_view key, std::string_view label);

// Base64 of the 128-byte (for a 64-byte nonce) blob. `secret` is the base64-decoded
// BinarySecret of the messengerclear.live.com token, `nonce` the raw ASCII nonce from USR,
// `iv` 8 bytes (random in production, fixed in tests).
Result<std::string> mbi_blob(std::string_view secret, std::string_view nonce, std::string_view iv);

}  // namespace msn::auth
