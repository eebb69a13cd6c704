// SPDX-License-Identifier: GPL-2.0-or-later
// libFuzzer target for offline messages. Byte 0 picks what the rest is:
//   0: an OIM mail (GetMessageResult text)     1: Mail-Data (<MD> or an NS notification payload)
//   2: a Store2 answer, through OimSender       3: a GetMessage / GetMetadata answer
//   4: RFC 2047 text and dates
// Whatever comes out is valid UTF-8 and bounded; any broken invariant aborts.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_check.h"
#include "soap/offline_messages.h"
#include "wire/mime_message.h"

using msn::fuzz::check;

namespace {

using msn::wire::is_valid_utf8;
namespace soap = msn::soap;

void check_message(const soap::OfflineMessage& m) {
  check(!m.sender.empty());
  check(is_valid_utf8(m.sender) && is_valid_utf8(m.friendly_name) && is_valid_utf8(m.text));
  check(is_valid_utf8(m.date) && is_valid_utf8(m.run_id));
}

void check_mail_data(const soap::MailData& data) {
  check(data.messages.size() <= soap::kMaxMailDataEntries);
  for (const auto& entry : data.messages) {
    check(!entry.sender.empty() && !entry.message_id.empty());
    check(is_valid_utf8(entry.friendly_name));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (data[0] % 5) {
    case 0: {
      if (auto m = soap::parse_oim_mail(input)) check_message(m.value());
      break;
    }
    case 1: {
      if (auto d = soap::parse_mail_data(input)) check_mail_data(d.value());
      if (auto d = soap::parse_mail_data_notification(input)) check_mail_data(d.value());
      break;
    }
    case 2: {
      auto outcome = soap::parse_store_response(input);
      if (outcome && outcome->result == soap::StoreResult::kLockKeyChallenge) {
        check(!outcome->lock_key_challenge.empty() && outcome->lock_key_challenge.size() <= 256);
      }
      soap::OimSender sender("a@b", "A", "{X}");
      for (int attempt = 1; attempt <= soap::OimSender::kMaxAttempts + 1; ++attempt) {
        const auto next = sender.on_answer(outcome, attempt);
        if (attempt >= soap::OimSender::kMaxAttempts)
          check(next == soap::OimSender::Next::kFailed || next == soap::OimSender::Next::kStored);
        check(sender.lock_key().empty() || sender.lock_key().size() == 32);
      }
      break;
    }
    case 3: {
      if (auto m = soap::parse_get_message_response(input)) check_message(m.value());
      if (auto d = soap::parse_get_metadata_response(input)) check_mail_data(d.value());
      break;
    }
    default: {
      check(is_valid_utf8(soap::rfc2047_decode(input)));
      (void)soap::parse_rfc2822_date(input);
      (void)soap::parse_iso8601(input);
      const std::string content = soap::build_oim_content(input, "{X}", 1);
      check(content.find('\r') == std::string::npos);
      break;
    }
  }
  return 0;
}
