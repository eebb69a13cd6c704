// SPDX-License-Identifier: GPL-2.0-or-later
#include "runtime/output_batch.h"

#include <utility>
#include <variant>

namespace msn {

std::vector<Output> coalesce_sends(std::vector<Output> outputs) {
  std::vector<Output> joined;
  joined.reserve(outputs.size());
  for (Output& output : outputs) {
    const auto* send = std::get_if<out::Send>(&output);
    auto* last = joined.empty() ? nullptr : std::get_if<out::Send>(&joined.back());
    if (send != nullptr && last != nullptr && last->conn == send->conn) {
      last->bytes += send->bytes;
      continue;
    }
    joined.push_back(std::move(output));
  }
  return joined;
}

}  // namespace msn
