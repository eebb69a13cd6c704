// SPDX-License-Identifier: GPL-2.0-or-later
// Crypto primitives over OpenSSL (its algorithms called directly, see crypto.cpp). Byte strings
// are std::string (binary-safe).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/status.h"

namespace msn::crypto {

std::string md5(std::string_view data);                                // 16 bytes
std::string sha1(std::string_view data);                               // 20 bytes
std::string hmac_sha1(std::string_view key, std::string_view data);    // 20 bytes
// 3DES-EDE3-CBC without padding; input must be a multiple of 8 bytes.
Result<std::string> des3_cbc_encrypt(std::string_view key24, std::string_view iv8, std::string_view data);
Result<std::string> des3_cbc_decrypt(std::string_view key24, std::string_view iv8, std::string_view data);
// Cryptographically random bytes (the kernel generator, getrandom(2)).
Result<std::string> random_bytes(std::size_t count);

std::string base64_encode(std::string_view data);
// Strict standard base64 (whitespace ignored); Errc::kProtocol on invalid input.
Result<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view data);  // lower case

}  // namespace msn::crypto
