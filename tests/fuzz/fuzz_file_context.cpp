// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target: the file-transfer Context and the file-name sanitiser.
// Checked: a parsed name, built again, parses back to the same (cut) name; a sanitised name is
// non-empty, bounded, free of separators, control characters and "..", and sanitising it again
// changes nothing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.h"
#include "p2p/file_context.h"

using msn::fuzz::check;

namespace {

using namespace msn;

void check_sanitised(const std::string& name) {
  check(!name.empty() && name.size() <= p2p::kMaxNameBytes);
  check(name.find('/') == std::string::npos && name.find('\\') == std::string::npos);
  check(name.find("..") == std::string::npos && name[0] != '.');
  for (const char c : name) check(static_cast<unsigned char>(c) >= 0x20 && c != 0x7F);
  check(p2p::sanitize_file_name(name) == name);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  if (auto context = p2p::parse_file_context(input)) {
    auto again = p2p::parse_file_context(p2p::build_file_context(context->name, context->size));
    check(again.is_ok() && again->size == context->size);
    check(context->name.rfind(again->name, 0) == 0);
    check_sanitised(p2p::sanitize_file_name(context->name));
  }
  check_sanitised(p2p::sanitize_file_name(input));
  return 0;
}
