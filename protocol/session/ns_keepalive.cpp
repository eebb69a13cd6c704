// SPDX-License-Identifier: GPL-2.0-or-later
// Staying connected: the CHL challenge, PNG/QNG keep-alive, and the server's OUT.
#include <algorithm>

#include "auth/challenge.h"
#include "session/notification_session.h"

namespace msn {

namespace {

constexpr std::uint32_t kMinPingSeconds = 5;
constexpr std::uint32_t kMaxPingSeconds = 300;
constexpr std::size_t kMaxChallenge = 256;
constexpr std::size_t kMaxChallengesInFlight = 8;

}  // namespace

void NotificationSession::handle_chl(const wire::Command& command, TimePoint /*now*/) {
  const std::string_view challenge = command.arg(1);
  if (challenge.empty() || challenge.size() > kMaxChallenge) {
    fail(make_error(Errc::kProtocol, "unusable challenge"));
    return;
  }
  const std::string answer = auth::challenge_response(challenge);
  const wire::Written written = writer_.payload_command("QRY", {auth::kProductId}, answer);
  // Only an error for this TrId means the answer was refused. A server sends a challenge every
  // few minutes at most; an unanswered one is forgotten when many more pile up.
  if (challenge_answers_.size() >= kMaxChallengesInFlight)
    challenge_answers_.erase(challenge_answers_.begin());
  challenge_answers_.insert(written.trid);
  send(written);
}

void NotificationSession::handle_qng(const wire::Command& command, TimePoint now) {
  pong_deadline_.reset();
  if (state_ != State::kOnline) return;
  // QNG carries the seconds until the next ping; ping a little early, within sane bounds. A
  // default interval configured below the floor lowers the floor with it, so that a test can
  // watch several pings go by without waiting minutes.
  const auto configured = static_cast<std::uint32_t>(
      std::max<Duration::rep>(1, settings_.timeouts.default_ping.count() / 1000));
  const std::uint32_t floor = std::min(kMinPingSeconds, configured);
  std::uint32_t wait = configured;
  if (auto told = wire::parse_u32(command.arg(0))) wait = std::clamp(*told, floor, kMaxPingSeconds);
  next_ping_ = now + seconds(wait > 2 * floor ? wait - floor : wait);
}

void NotificationSession::send_ping(TimePoint now) {
  send(wire::Written{0, wire::CommandWriter::untracked("PNG")});
  next_ping_.reset();
  pong_deadline_ = now + settings_.timeouts.ping_reply;
}

void NotificationSession::handle_out(const wire::Command& command, TimePoint /*now*/) {
  const std::string_view reason = command.arg(0);
  if (reason == "OTH") {
    fail(make_error(Errc::kOtherSignIn, "signed in from another location (OUT OTH)"));
  } else if (reason == "SSD") {
    fail(make_error(Errc::kServerShutdown, "the server is shutting down (OUT SSD)"));
  } else {
    fail(make_error(Errc::kTransport, "the server ended the session (OUT)"));
  }
}

}  // namespace msn
