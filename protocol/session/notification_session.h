// SPDX-License-Identifier: GPL-2.0-or-later
// The notification server (NS) session, sans-I/O: sign-in (VER, CVR, USR SSO with the web
// login, XFR redirects), then the online life of the connection (CHL/QRY, PNG/QNG, OUT).
// Where to find a command's handling:
//   ns_sign_in.cpp   VER, CVR, USR, XFR, SBS, the profile MSG, the RST.srf web login (and
//                    the later renewal of its tokens)
//   ns_presence.cpp  the contact-list fetch at sign-in, BLP, ADL/FQY replies of the sync,
//                    CHG, UUX, PRP (announcing the list, going online, own status and name)
//   ns_contacts.cpp  ILN, NLN, FLN, UBX, server ADL 0 / RML 0 (and the refreshes they
//                    start), error replies to list commands, the address book's answers
//   ns_list_changes.cpp  the contact-list intents: address book and Sharing jobs, then the
//                    ADL/RML (and BLP) that tell the NS
//   ns_keepalive.cpp CHL/QRY, PNG/QNG, OUT
//   ns_switchboard.cpp XFR SB, RNG, offline-message notices (handed on as NsNotice)
//   notification_session.cpp  connection handling, dispatch, errors, timers
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "auth/rst.h"
#include "core/status.h"
#include "core/time.h"
#include "http/http_message.h"
#include "session/address_book_session.h"
#include "session/contact_cache.h"
#include "session/contact_list.h"
#include "session/event.h"
#include "session/http_exchange.h"
#include "session/io.h"
#include "session/ns_notice.h"
#include "session/presence.h"
#include "session/settings.h"
#include "wire/command.h"
#include "wire/command_parser.h"
#include "wire/command_writer.h"

namespace msn {

// Source of random bytes (the MBI IV); replaceable so tests can reproduce the vectors.
using RandomSource = std::function<Result<std::string>(std::size_t)>;

struct ListJob;  // one contact-list intent under way (ns_list_changes.cpp)
struct JobStep;  // one SOAP call (or local change) of a ListJob

class NotificationSession {
 public:
  enum class State {
    kIdle,
    kConnecting,
    kVersion,      // VER sent
    kClientInfo,   // CVR sent
    kSsoInitial,   // USR SSO I sent
    kWebLogin,     // RST.srf request under way
    kSsoSubmit,    // USR SSO S with ticket sent
    kProfile,      // USR OK received; waiting for the profile MSG
    kContactList,  // ABFindAll and FindMembership under way
    kSyncing,      // BLP/ADL (and FQY) sent
    kGoingOnline,  // CHG sent
    kOnline,
    kClosed,
  };

  NotificationSession(const Settings& settings, ConnectionIds& ids);
  ~NotificationSession();
  NotificationSession(const NotificationSession&) = delete;
  NotificationSession& operator=(const NotificationSession&) = delete;

  void set_random_source(RandomSource random) { random_ = std::move(random); }

  void start(TimePoint now);
  void sign_out(TimePoint now);

  bool owns(ConnectionId conn) const { return conn_ == conn && state_ != State::kClosed; }
  void on_connected(ConnectionId conn, TimePoint now);
  void on_data(ConnectionId conn, std::string_view bytes, TimePoint now);
  void on_closed(ConnectionId conn, const Error& why, TimePoint now);
  void on_timer(TimePoint now);
  void on_web_result(std::uint32_t call_id, Result<http::Response> result, TimePoint now);

  std::vector<Output> take_outputs();
  std::vector<Event> take_events();
  std::vector<WebCall> take_web_calls();
  // While has_work(), the deadline is due at once: each on_timer then does one bounded step
  // (reading a piece of a big list answer, or putting kListStep contacts in place).
  std::optional<TimePoint> next_deadline() const;
  bool has_work() const;
  static constexpr std::size_t kListStep = 2'000;

  State state() const { return state_; }
  bool finished() const { return state_ == State::kClosed; }
  bool online() const { return state_ == State::kOnline; }

  // ---- for the rest of the engine -------------------------------------------------------
  // The tokens of the last web login (OIM and the contact services use them).
  const auth::RstTokens& tokens() const { return tokens_; }
  // For a ticket a web service refused: starts the token renewal (ns_sign_in.cpp), or joins
  // the one under way. Each renewal ends with one TokensRenewed notice. Errc::kInvalidArgument
  // before the web login gave tokens, or after the session ended.
  Status renew_tokens(TimePoint now);
  // A contact's last known presence: kOffline for a forward-list contact the server never
  // reported online; nullopt for anyone else never heard of (unknown, not offline).
  std::optional<PresenceStatus> presence_of(std::string_view address) const;
  // Our friendly name as the server holds it.
  const std::string& own_display_name() const { return own_display_name_; }
  // The contact list as the server holds it (empty before the sign-in fetched it).
  const ContactList& contact_list() const { return list_; }

  // Contact-list intents (ns_list_changes.cpp); Client documents them. Errors for requests that
  // cannot be made; the outcome arrives as events.
  Status add_contact(std::string_view address, std::string_view group, std::string_view invite_message,
                     TimePoint now);
  Status remove_contact(std::string_view address, std::string_view group, TimePoint now);
  Status move_contact(std::string_view address, std::string_view from_group, std::string_view to_group,
                      TimePoint now);
  Status set_contact_alias(std::string_view address, std::string_view alias, TimePoint now);
  Status add_group(std::string_view name, TimePoint now);
  Status rename_group(std::string_view old_name, std::string_view new_name, TimePoint now);
  Status remove_group(std::string_view name, TimePoint now);
  Status block(std::string_view address, TimePoint now);
  Status unblock(std::string_view address, TimePoint now);
  Status allow(std::string_view address, TimePoint now);
  Status disallow(std::string_view address, TimePoint now);
  Status authorize(std::string_view address, bool accept, TimePoint now);
  // BLP AL (true) or BL (false); before sign-in only remembered for the sign-in's BLP.
  Status set_privacy(bool allow_unlisted, TimePoint now);

  // Presence and profile (ns_presence.cpp). Before sign-in completes they only record the
  // wish, which the sign-in uses.
  Status set_presence(PresenceStatus status, TimePoint now);
  Status set_idle(bool idle, TimePoint now);
  Status set_personal_message(std::string_view text, std::optional<CurrentMedia> media, TimePoint now);
  Status set_display_name(std::string_view name, TimePoint now);
  // Our MSNObject (serialized; empty: no picture): the last CHG parameter, URL-encoded, from
  // now on, and at once in a CHG when online.
  void set_msn_object(std::string msn_object, TimePoint now);

  // Switchboards (ns_switchboard.cpp). Asks the NS for a switchboard (XFR SB); the answer
  // comes back as a SwitchboardGranted or SwitchboardRefused notice with the returned TrId.
  // Errc::kInvalidArgument when not online.
  Result<wire::TrId> request_switchboard(TimePoint now);
  std::vector<NsNotice> take_notices() { return std::exchange(notices_, {}); }

 private:
  // notification_session.cpp
  void connect_to(std::string host, std::uint16_t port, TimePoint now);
  void dispatch(const wire::Command& command, TimePoint now);
  void handle_error_reply(const wire::Command& command, TimePoint now);
  void send(const wire::Written& written, bool secret = false);
  wire::TrId send_command(std::string_view verb, std::initializer_list<std::string_view> args,
                          TimePoint now);
  void expect_reply(TimePoint now);
  void fail(Error error);
  void log(LogLevel level, std::string text);
  void progress(SignInStep step);

  // ns_sign_in.cpp
  void handle_ver(const wire::Command& command, TimePoint now);
  void handle_cvr(const wire::Command& command, TimePoint now);
  void handle_usr(const wire::Command& command, TimePoint now);
  void handle_xfr(const wire::Command& command, TimePoint now);
  void handle_hotmail_msg(const wire::Command& command, TimePoint now);
  void start_web_login(std::string policy, std::string nonce, TimePoint now);
  void post_rst(std::string url);
  void follow_rst_redirect(const std::string& url);
  void submit_ticket(const std::string& ticket, const std::string& secret, TimePoint now);
  std::string rst_url() const;  // empty if the configured URL is unusable
  // A fresh RST.srf request for the contacts ticket the address book asked for (no new USR).
  void renew_tokens();
  void handle_renewal_result(Result<http::Response> result);
  // The renewal failed: the address book's waiting calls fail, the rest hear a TokensRenewed.
  void renewal_failed(const Error& error);

  // ns_presence.cpp
  void start_sync(TimePoint now);                 // the contact-list fetch after the profile
  // ABFindAll + FindMembership, in parallel; with `since` stamps, only the changes since then.
  void fetch_contact_list(const std::string& membership_since = {},
                          const std::string& ab_since = {});
  void fetch_whole_list();  // drops the cached list and any load under way
  bool sync_answers_in() const { return sync_ab_tag_ == 0 && sync_membership_tag_ == 0; }
  bool list_load_can_advance() const;
  void on_sync_result(AbCompletion& completion, TimePoint now);
  void finish_contact_fetch(TimePoint now);
  void advance_list_load(TimePoint now);
  void advance_cache();
  void finish_cache();
  void announce(const std::vector<std::string>& payloads);  // ADL batches
  void announce_rest(TimePoint now);                        // FQY
  void maybe_go_online(TimePoint now);            // CHG once every ADL/FQY is answered
  void handle_adl(const wire::Command& command, TimePoint now);
  void handle_fqy(const wire::Command& command, TimePoint now);
  void handle_chg(const wire::Command& command, TimePoint now);
  void handle_prp(const wire::Command& command, TimePoint now);
  void after_signed_in(TimePoint now);
  void send_status();                             // CHG with the effective status
  void send_personal_message();                   // UUX
  void send_display_name();                       // PRP MFN + the address book's Me name
  bool sync_error(const wire::Command& command, TimePoint now);  // an error reply to a sync ADL/FQY

  // ns_contacts.cpp
  bool on_contact_list(std::string_view address, std::string_view verb);
  void handle_presence(const wire::Command& command, TimePoint now);  // ILN, NLN
  void handle_fln(const wire::Command& command, TimePoint now);
  void handle_ubx(const wire::Command& command, TimePoint now);
  void handle_server_list(const wire::Command& command, bool added, TimePoint now);  // ADL 0 / RML 0
  // True if the error reply answered one of our list commands (ADL, RML, BLP, PRP).
  bool handle_list_error(const wire::Command& command, TimePoint now);
  // `full`: the whole membership list, after the service refused a delta (FullSyncRequired).
  void refresh_membership(bool full = false);
  void refresh_address_book();
  void on_background_result(const AbCompletion& completion);
  void ask_authorizations();
  // Hands the address book its calls' tickets and routes its completions and requests.
  void pump_address_book(TimePoint now);
  ev::ContactView view_of(const Contact& contact) const;
  void emit_contact(std::string_view address);  // ContactChanged, or ContactRemoved if gone
  // Events for what a refresh changed; `group_names` are the names before it (by lower-cased id).
  void emit_changes(const ListChanges& changes,
                    const std::map<std::string, std::string>& group_names);
  std::map<std::string, std::string> group_names() const;
  void emit_cache();

  // ns_list_changes.cpp
  Status start_job(std::unique_ptr<ListJob> job, TimePoint now);
  std::unique_ptr<ListJob> make_job(ev::ListOperation operation, std::string subject);
  void run_jobs();
  void on_job_result(const AbCompletion& completion);
  void fail_job(Error error);
  // A step that makes sure the group `name` exists (creating it) and puts its id in job.
  JobStep group_step(ListJob& job, std::string name);
  // AddMember / DeleteMember of `role` for `address`, applied to the list and followed by the
  // ADL / RML of that bit once the service confirmed it.
  JobStep member_step(ListJob& job, bool add, ListBits role, std::string address);
  // Sends ADL or RML for one contact's bits; the reply is tracked for failures.
  void send_list_command(std::string_view verb, const Contact& contact, ListBits bits,
                         ev::ListOperation operation);

  // ns_keepalive.cpp
  void handle_chl(const wire::Command& command, TimePoint now);
  void handle_qng(const wire::Command& command, TimePoint now);
  void handle_out(const wire::Command& command, TimePoint now);
  void send_ping(TimePoint now);

  // ns_switchboard.cpp
  void handle_xfr_switchboard(const wire::Command& command, TimePoint now);
  void handle_rng(const wire::Command& command, TimePoint now);
  // True if the error reply answered one of our XFR SB requests.
  bool handle_switchboard_error(const wire::Command& command, TimePoint now);
  // A MSG Hotmail of `type` that is about offline messages; true if handled.
  bool handle_mail_notice(std::string_view type, const wire::Command& command, TimePoint now);
  void expire_switchboard_requests(TimePoint now);

  const Settings& settings_;
  ConnectionIds& ids_;
  RandomSource random_;
  State state_ = State::kIdle;
  ConnectionId conn_ = 0;
  wire::CommandParser parser_;
  wire::CommandWriter writer_;
  int redirects_left_;

  // The one outstanding sign-in reply, and when to give up on it.
  std::optional<wire::TrId> awaited_;
  std::optional<TimePoint> reply_deadline_;
  // QRY answers to CHL the server has not accepted yet: an error for one of them ends the session.
  std::set<wire::TrId> challenge_answers_;

  // Web login.
  std::string sso_policy_;
  std::string sso_nonce_;
  std::uint32_t rst_call_id_ = 0;
  std::uint32_t next_call_id_ = 1;
  int rst_redirects_left_;

  // Online.
  std::optional<TimePoint> next_ping_;
  std::optional<TimePoint> pong_deadline_;
  std::optional<TimePoint> profile_deadline_;

  // Identity from the web login and the server.
  auth::RstTokens tokens_;
  std::string own_display_name_;
  std::unordered_map<std::string, PresenceStatus> presence_;  // lower-cased address
  std::uint32_t renew_call_id_ = 0;  // the token renewal under way, 0 if none

  // The contact list and the services that hold it.
  ContactList list_;
  AddressBookSession address_book_;
  std::uint64_t next_tag_ = 1;
  // Sign-in fetch: the tags of the two calls of the current attempt and their answers.
  std::uint64_t sync_ab_tag_ = 0;
  std::uint64_t sync_membership_tag_ = 0;
  bool sync_delta_ = false;  // the attempt asks for changes since the cached list
  std::optional<soap::AddressBookResult> sync_ab_;
  std::optional<soap::MembershipResult> sync_membership_;
  // The fetched list being put in place, turned into ContactListLoaded and announced (BLP,
  // ADL batches, FQY), kListStep contacts' worth per step: the first step right away, the
  // rest from on_timer, so that a big book never holds the caller for long. A returning
  // sign-in starts with the cached list (kCache, kMembers, kContacts) while the requests for
  // the changes are out, and waits (kAwaitAnswers) for their answers before going on.
  struct ListLoad {
    enum class Phase { kCache, kMembers, kContacts, kAwaitAnswers, kLoaded, kViews, kAnnounce };
    void enter(Phase next_phase) {
      phase = next_phase;
      next = 0;
      walk = {};
    }
    Phase phase = Phase::kMembers;
    bool from_cache = false;                  // a returning sign-in: see kCache
    std::optional<ContactCacheReader> cache;  // kCache: the cached list being read
    std::size_t next = 0;                     // kMembers, kContacts: the next one of the answer
    ContactWalk walk;      // kViews, kAnnounce: where the walk over the list stopped
    soap::MembershipResult membership;
    soap::AddressBookResult address_book;
    ev::ContactListLoaded loaded;
    std::size_t adls_sent = 0;
  };
  std::optional<ListLoad> list_load_;
  std::optional<ContactCacheWriter> cache_writer_;  // the cache blob being written
  // Sign-in announcement: ADL and FQY TrIds still unanswered.
  std::set<wire::TrId> sync_adls_;
  std::set<wire::TrId> sync_fqys_;
  // Background refreshes (after ADL 0, after an "already exists" answer).
  std::uint64_t membership_refresh_tag_ = 0;
  bool membership_refresh_again_ = false;
  bool membership_refresh_full_ = false;  // the refresh under way asked for the whole list
  std::uint64_t ab_refresh_tag_ = 0;
  std::set<std::string> authorization_asked_;  // lower-cased addresses already presented
  // Intents, one at a time, in order.
  std::deque<std::unique_ptr<ListJob>> jobs_;
  bool job_running_ = false;
  // List commands sent while online, by TrId, for their error replies.
  struct ListCommand {
    ev::ListOperation operation;
    std::string subject;
  };
  std::map<wire::TrId, ListCommand> list_commands_;

  // What the user wishes for; the sign-in and later changes send it.
  PresenceStatus wished_status_ = PresenceStatus::kOnline;
  bool idle_ = false;
  bool allow_unlisted_ = true;
  std::optional<std::string> personal_message_;
  std::optional<CurrentMedia> current_media_;
  std::optional<std::string> wished_display_name_;
  std::string own_msn_object_;

  // XFR SB requests waiting for their answer, with their deadlines.
  std::map<wire::TrId, TimePoint> switchboard_requests_;

  std::vector<Output> outputs_;
  std::vector<Event> events_;
  std::vector<WebCall> web_calls_;
  std::vector<NsNotice> notices_;
};

}  // namespace msn
