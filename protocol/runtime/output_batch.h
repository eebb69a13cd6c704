// SPDX-License-Identifier: GPL-2.0-or-later
// Joins the engine's writes before they reach the transport: consecutive out::Send to one
// connection become one, so that the P2P MSGs a read's ACKs let out (a window's worth while a
// file goes over the switchboard) cost one system call and reach the server in one segment,
// not one each. Order is kept: only neighbours in the list are joined, and nothing moves past a
// Connect, Close, Listen or a Send to another connection.
#pragma once

#include <vector>

#include "session/io.h"

namespace msn {

std::vector<Output> coalesce_sends(std::vector<Output> outputs);

}  // namespace msn
