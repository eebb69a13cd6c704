// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: arbitrary bytes as an RST.srf response (docs/protocol/notification-server.md).
// Any input must yield tokens, a redirect or an error, without crashing, leaking or hanging.
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <variant>

#include "auth/rst.h"
#include "fuzz_check.h"

using msn::fuzz::check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto outcome = msn::auth::parse_rst_response(input);
  if (!outcome.is_ok()) return 0;
  // A successful parse promises a usable messengerclear.live.com token.
  if (const auto* tokens = std::get_if<msn::auth::RstTokens>(&outcome.value())) {
    const msn::auth::SecurityToken* token = tokens->find(msn::auth::kMessengerClear);
    check(token != nullptr && token->binary_secret.size() == 24 && token->fields.count("t") != 0);
    (void)token->ticket();
  }
  return 0;
}
