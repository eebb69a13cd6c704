// SPDX-License-Identifier: GPL-2.0-or-later
// MSN three-digit error replies, classified. Text for users lives in plugin/error_text.cpp.
#pragma once

#include "core/status.h"

namespace msn::wire {

enum class ServerErrorClass {
  kAuthentication,   // 911, 917, 928, 923, 924, 927 and similar: do not retry automatically
  kBusy,             // 500, 600, 601, 910..922 busy / unavailable: retry later
  kRequest,          // a problem with one request (list, group, address...): not fatal
  kFatal,            // anything else during sign-in
};

ServerErrorClass classify_server_error(int code);

// An Error for a numeric reply: kAuth for authentication classes, kServer otherwise,
// server_code set to `code`.
Error server_error(int code, std::string context);

}  // namespace msn::wire
