// SPDX-License-Identifier: GPL-2.0-or-later
#include "world.h"

#include <connection.h>
#include <privacy.h>
#include <server.h>
#include <status.h>
#include <util.h>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace harness {
namespace {

using Clock = std::chrono::steady_clock;

constexpr milliseconds kTick{10};
constexpr milliseconds kServerPoll{150};

gboolean keep_ticking(gpointer) { return TRUE; }

std::string text_or_empty(const char* text) { return text != nullptr ? text : ""; }

bool same_address(std::string_view a, std::string_view b) {
  return lower_ascii(a) == lower_ascii(b);
}

BuddyView view_of(PurpleBuddy* buddy) {
  BuddyView view;
  PurpleGroup* group = purple_buddy_get_group(buddy);
  view.group = group != nullptr ? text_or_empty(purple_group_get_name(group)) : "";
  // The private alias only: purple_buddy_get_alias_only would fall back to the server alias.
  view.alias = text_or_empty(purple_buddy_get_local_buddy_alias(buddy));
  view.server_alias = text_or_empty(purple_buddy_get_server_alias(buddy));
  PurplePresence* presence = purple_buddy_get_presence(buddy);
  PurpleStatus* status = presence != nullptr ? purple_presence_get_active_status(presence) : nullptr;
  if (status != nullptr) {
    view.status_id = text_or_empty(purple_status_get_id(status));
    view.message = text_or_empty(purple_status_get_attr_string(status, "message"));
  }
  view.online = presence != nullptr && purple_presence_is_online(presence);
  view.idle = presence != nullptr && purple_presence_is_idle(presence);
  return view;
}

std::string describe_view(const BuddyView& v) {
  return "group \"" + v.group + "\", alias \"" + v.alias + "\", server alias \"" +
         v.server_alias.substr(0, 60) + "\", status " + (v.status_id.empty() ? "?" : v.status_id) +
         (v.online ? " (online)" : " (offline)") + (v.idle ? " idle" : "") + ", message \"" +
         v.message + "\"";
}

std::string describe_views(const std::vector<BuddyView>& views) {
  if (views.empty())
    return "no such buddy";
  std::string text;
  for (const BuddyView& v : views)
    text += (text.empty() ? "" : "; ") + describe_view(v);
  return text;
}

PurpleGroup* group_named(const std::string& name) {
  PurpleGroup* group = purple_find_group(name.c_str());
  if (group == nullptr) {
    group = purple_group_new(name.c_str());
    purple_blist_add_group(group, nullptr);
  }
  return group;
}

}  // namespace

std::string address_of(std::string_view who) {
  if (who.find('@') != std::string_view::npos)
    return std::string(who);
  return std::string(who) + "@example.com";
}

std::string plain_text(const std::string& html) {
  gchar* stripped = purple_markup_strip_html(html.c_str());
  gchar* unescaped = purple_unescape_html(stripped);
  std::string text = text_or_empty(unescaped);
  g_free(unescaped);
  g_free(stripped);
  return text;
}

bool contains_ci(const std::string& haystack, const std::string& needle) {
  return lower_ascii(haystack).find(lower_ascii(needle)) != std::string::npos;
}

World::World(PurpleEnv& env, ServerProcess& server, std::string state_dir,
             Clock::time_point deadline)
    : env_(env), server_(server), state_dir_(std::move(state_dir)), deadline_(deadline) {
  env_.on_connection_error = [this](PurpleConnection* gc) {
    PurpleAccount* account = purple_connection_get_account(gc);
    const Observed& seen = env_.observed();
    std::string text = seen.errors.empty() ? "?" : seen.errors.back().description;
    errors_[account].errors.push_back(text);
  };
}

World::~World() { env_.on_connection_error = nullptr; }

bool World::fail(const std::string& message) {
  std::fprintf(stderr, "harness: FAILED: %s\n", message.c_str());
  failures_.push_back(message);
  return false;
}

void World::note(const std::string& message) {
  std::fprintf(stderr, "harness: --- %s\n", message.c_str());
}

// ---- accounts ----

PurpleAccount* World::account(std::string_view who) {
  const std::string email = address_of(who);
  auto found = accounts_.find(email);
  if (found != accounts_.end())
    return found->second;
  const ServerAddress& address = server_.address();
  PurpleAccount* created = create_account(email, kTestPassword, address.ns_host, address.ns_port,
                                          address.web_url, HiddenTimings{});
  accounts_[email] = created;
  return created;
}

PurpleConnection* World::connection(std::string_view who) {
  return purple_account_get_connection(account(who));
}

bool World::sign_in(std::string_view who, milliseconds timeout) {
  PurpleAccount* a = account(who);
  const std::size_t errors_before = errors_[a].errors.size();
  // libpurple forgets an unremembered password at each disconnect, as for a real user.
  purple_account_set_password(a, kTestPassword);
  if (!purple_account_get_enabled(a, harness_ui_id()))
    purple_account_set_enabled(a, harness_ui_id(), TRUE);  // connects: its status is online
  else
    purple_account_set_status(a, "available", TRUE, nullptr);
  if (purple_account_is_disconnected(a))
    purple_account_connect(a);
  const bool ok =
      wait(
          address_of(who) + " signs in",
          [&] {
            return purple_account_is_connected(a) || errors_[a].errors.size() > errors_before ||
                   purple_account_is_disconnected(a);
          },
          [&] {
            return std::string("connection state ") + (purple_account_is_connected(a) ? "CONNECTED"
                                                       : purple_account_is_connecting(a)
                                                           ? "CONNECTING"
                                                           : "DISCONNECTED");
          },
          timeout) &&
      check(purple_account_is_connected(a),
            address_of(who) + " did not sign in: " +
                (errors_[a].errors.size() > errors_before ? errors_[a].errors.back()
                                                          : std::string("disconnected")));
  if (ok) signed_in_.insert(address_of(who));
  return ok;
}

bool World::sign_out(std::string_view who) {
  PurpleAccount* a = account(who);
  signed_in_.erase(address_of(who));
  purple_account_set_status(a, "offline", TRUE, nullptr);
  if (!purple_account_is_disconnected(a))
    purple_account_disconnect(a);
  return wait(
      address_of(who) + " signs out", [&] { return purple_account_is_disconnected(a); },
      [] { return std::string("still connected"); });
}

std::vector<std::string> World::take_connection_errors(std::string_view who) {
  PurpleAccount* a = account(who);
  const std::vector<std::string>& all = errors_[a].errors;
  std::size_t& taken = errors_taken_[a];
  std::vector<std::string> fresh(all.begin() + static_cast<std::ptrdiff_t>(taken), all.end());
  taken = all.size();
  return fresh;
}

bool World::wait_connection_error(std::string_view who, milliseconds timeout) {
  PurpleAccount* a = account(who);
  return wait(
      address_of(who) + " is shown a connection error",
      [&] { return errors_[a].errors.size() > errors_taken_[a]; },
      [&] {
        return std::string(purple_account_is_connected(a) ? "still connected" : "no error shown");
      },
      timeout);
}

void World::check_no_unexpected_disconnects() {
  for (const auto& [email, a] : accounts_) {
    for (const std::string& error : take_connection_errors(email))
      fail(email + " was shown a connection error nobody provoked: " + error);
    if (signed_in_.count(email) != 0 && !purple_account_is_connected(a))
      fail(email + " was disconnected, but the scenario never signed it out");
  }
}

// ---- waiting ----

bool World::wait(const std::string& what, const std::function<bool()>& done,
                 const std::function<std::string()>& seen, milliseconds timeout) {
  const Clock::time_point until = std::min(Clock::now() + timeout, deadline_);
  // The tick guarantees that each iteration returns soon even when nothing else happens.
  guint tick = g_timeout_add(static_cast<guint>(kTick.count()), &keep_ticking, nullptr);
  bool ok = done();
  while (!ok && Clock::now() < until) {
    g_main_context_iteration(nullptr, TRUE);
    ok = done();
  }
  g_source_remove(tick);
  if (!ok)
    fail("timed out waiting until " + what + (Clock::now() >= deadline_ ? " (scenario deadline)" : "") +
         "; saw: " + seen());
  return ok;
}

void World::run_for(milliseconds duration) {
  const Clock::time_point until = std::min(Clock::now() + duration, deadline_);
  guint tick = g_timeout_add(static_cast<guint>(kTick.count()), &keep_ticking, nullptr);
  while (Clock::now() < until)
    g_main_context_iteration(nullptr, TRUE);
  g_source_remove(tick);
}

// ---- the server's view ----

std::optional<ServerState> World::server_state() {
  const std::string path = state_dir_ + "/dump.xml";
  unlink(path.c_str());
  if (!server_.send_signal(SIGUSR1)) {
    fail("cannot signal the server for its state dump");
    return std::nullopt;
  }
  bool written = false;
  const Clock::time_point until = std::min(Clock::now() + milliseconds(5000), deadline_);
  guint tick = g_timeout_add(static_cast<guint>(kTick.count()), &keep_ticking, nullptr);
  while (!(written = g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) && Clock::now() < until)
    g_main_context_iteration(nullptr, TRUE);
  g_source_remove(tick);
  if (!written) {
    fail("the server wrote no state dump (" + path + ")");
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  std::string error;
  std::optional<ServerState> state = parse_server_state(text.str(), error);
  if (!state)
    fail(error);
  return state;
}

bool World::wait_server(const std::string& what,
                        const std::function<bool(const ServerState&)>& done, milliseconds timeout) {
  const Clock::time_point until = std::min(Clock::now() + timeout, deadline_);
  for (;;) {
    std::optional<ServerState> state = server_state();
    if (!state)
      return false;
    if (done(*state))
      return true;
    if (Clock::now() >= until)
      return fail("timed out waiting until the server holds: " + what);
    run_for(kServerPoll);
  }
}

// ---- buddy list ----

std::vector<BuddyView> World::buddies(std::string_view who, std::string_view peer) {
  std::vector<BuddyView> views;
  const std::string email = address_of(peer);
  GSList* found = purple_find_buddies(account(who), email.c_str());
  for (GSList* item = found; item != nullptr; item = item->next)
    views.push_back(view_of(static_cast<PurpleBuddy*>(item->data)));
  g_slist_free(found);
  return views;
}

std::string World::describe_buddy_list(std::string_view who, std::size_t limit) {
  GSList* all = purple_find_buddies(account(who), nullptr);
  std::string text;
  std::size_t count = 0;
  for (GSList* item = all; item != nullptr; item = item->next, ++count) {
    if (count >= limit)
      continue;
    auto* buddy = static_cast<PurpleBuddy*>(item->data);
    text += "\n    " + text_or_empty(purple_buddy_get_name(buddy)) + ": " +
            describe_view(view_of(buddy));
  }
  g_slist_free(all);
  return std::to_string(count) + " buddies" + text;
}

bool World::wait_buddy(std::string_view who, std::string_view peer,
                       const std::function<bool(const std::vector<BuddyView>&)>& done,
                       const std::string& what, milliseconds timeout) {
  return wait(
      address_of(who) + " sees " + address_of(peer) + " " + what,
      [&] { return done(buddies(who, peer)); },
      [&] { return describe_views(buddies(who, peer)); }, timeout);
}

bool World::wait_personal_message(std::string_view who, std::string_view peer,
                                  const std::string& text) {
  return wait_buddy(
      who, peer,
      [&](const std::vector<BuddyView>& views) {
        return !views.empty() && (views[0].message == text || plain_text(views[0].message) == text);
      },
      "with the personal message \"" + text + "\"");
}

bool World::wait_friendly_name(std::string_view who, std::string_view peer,
                               const std::string& name) {
  return wait_buddy(
      who, peer,
      [&](const std::vector<BuddyView>& views) {
        return !views.empty() && views[0].server_alias == name;
      },
      "named \"" + name + "\"");
}

bool World::wait_status(std::string_view who, std::string_view peer, const std::string& status_id,
                        std::optional<std::string> message, milliseconds timeout) {
  std::string what = "with status \"" + status_id + "\"";
  if (message)
    what += " and message \"" + *message + "\"";
  return wait_buddy(
      who, peer,
      [&](const std::vector<BuddyView>& views) {
        return !views.empty() && std::all_of(views.begin(), views.end(), [&](const BuddyView& v) {
          return v.status_id == status_id && (!message || v.message == *message);
        });
      },
      what, timeout);
}

bool World::wait_offline(std::string_view who, std::string_view peer, milliseconds timeout) {
  return wait_buddy(
      who, peer,
      [](const std::vector<BuddyView>& views) {
        return !views.empty() && std::none_of(views.begin(), views.end(),
                                              [](const BuddyView& v) { return v.online; });
      },
      "offline", timeout);
}

// ---- what a user does to the list ----

bool World::add_buddy(std::string_view who, std::string_view peer, const std::string& group,
                      const std::string& invite) {
  note(address_of(who) + " adds " + address_of(peer) + " to \"" + group + "\"");
  PurpleAccount* a = account(who);
  PurpleBuddy* buddy = purple_buddy_new(a, address_of(peer).c_str(), nullptr);
  purple_blist_add_buddy(buddy, nullptr, group_named(group), nullptr);
  // As Pidgin's "Add Buddy" dialog: the buddy goes on the local list, then to the server.
  purple_account_add_buddy_with_invite(a, buddy, invite.empty() ? nullptr : invite.c_str());
  return true;
}

bool World::remove_buddy(std::string_view who, std::string_view peer) {
  note(address_of(who) + " removes " + address_of(peer));
  PurpleAccount* a = account(who);
  const std::string email = address_of(peer);
  GSList* found = purple_find_buddies(a, email.c_str());
  if (found == nullptr)
    return fail(address_of(who) + " has no buddy " + email + " to remove");
  for (GSList* item = found; item != nullptr; item = item->next) {
    auto* buddy = static_cast<PurpleBuddy*>(item->data);
    // As Pidgin's "Remove" does: the server first, then the local list.
    purple_account_remove_buddy(a, buddy, purple_buddy_get_group(buddy));
    purple_blist_remove_buddy(buddy);
  }
  g_slist_free(found);
  return true;
}

bool World::move_buddy(std::string_view who, std::string_view peer, const std::string& to_group) {
  note(address_of(who) + " moves " + address_of(peer) + " to \"" + to_group + "\"");
  PurpleBuddy* buddy = purple_find_buddy(account(who), address_of(peer).c_str());
  if (buddy == nullptr)
    return fail(address_of(who) + " has no buddy " + address_of(peer) + " to move");
  // Dragging a buddy to another group: libpurple moves it and tells the prpl (group_buddy).
  purple_blist_add_buddy(buddy, nullptr, group_named(to_group), nullptr);
  return true;
}

bool World::add_and_accept(std::string_view who, std::string_view peer, const std::string& group,
                           const std::string& invite) {
  add_buddy(who, peer, group, invite);
  if (!answer_authorization_from(peer, who, true)) return false;
  for (const auto& request : ui_events().authorizations) {
    if (request->account == account(peer))
      check(request->message == invite, "the authorization request carried the message \"" +
                                            request->message + "\", not \"" + invite + "\"");
  }
  return true;
}

bool World::answer_authorization_from(std::string_view who, std::string_view peer, bool accept,
                                      milliseconds timeout) {
  PurpleAccount* a = account(who);
  AuthorizationRequest* pending = nullptr;
  auto find = [&] {
    for (auto& request : ui_events().authorizations) {
      if (request->account == a && same_address(request->remote_user, address_of(peer)) &&
          !request->answered && !request->closed)
        pending = request.get();
    }
    return pending != nullptr;
  };
  if (!wait(address_of(who) + " is asked to authorize " + address_of(peer), find,
            [&] { return "\n" + describe_ui_events(a); }, timeout))
    return false;
  // A person reads the request first: answered from the main loop, not from inside libpurple.
  run_for(milliseconds(50));
  return check(answer_authorization(*pending, accept),
               "the authorization request was withdrawn before it was answered");
}

bool World::befriend(std::string_view a, std::string_view b) {
  note("setup: " + address_of(a) + " and " + address_of(b) + " become contacts");
  add_buddy(a, b, "Friends", "");
  if (!answer_authorization_from(b, a, true))
    return false;
  add_buddy(b, a, "Friends", "");
  // a may or may not be asked (a put b on its allow list when adding); a person would accept.
  run_for(milliseconds(300));
  for (auto& request : ui_events().authorizations) {
    if (request->account == account(a) && same_address(request->remote_user, address_of(b)))
      answer_authorization(*request, true);
  }
  return wait_status(a, b, "available") && wait_status(b, a, "available");
}

// ---- conversations ----

PurpleConversation* World::im(std::string_view who, std::string_view peer) {
  PurpleAccount* a = account(who);
  const std::string email = address_of(peer);
  PurpleConversation* conv =
      purple_find_conversation_with_account(PURPLE_CONV_TYPE_IM, email.c_str(), a);
  if (conv == nullptr)
    conv = purple_conversation_new(PURPLE_CONV_TYPE_IM, a, email.c_str());
  return conv;
}

bool World::send_im(std::string_view who, std::string_view peer, const std::string& html) {
  PurpleConversation* conv = im(who, peer);
  if (conv == nullptr)
    return fail("cannot open a conversation of " + address_of(who) + " with " +
                address_of(peer));
  // What the conversation window's Send does.
  purple_conv_im_send(purple_conversation_get_im_data(conv), html.c_str());
  return true;
}

std::vector<const WrittenLine*> World::received_from(std::string_view who, std::string_view peer,
                                                     PurpleConversationType type) {
  std::vector<const WrittenLine*> out;
  PurpleAccount* a = account(who);
  const std::string email = address_of(peer);
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == a && line.type == type && (line.flags & PURPLE_MESSAGE_RECV) != 0 &&
        same_address(line.who, email))
      out.push_back(&line);
  }
  return out;
}

bool World::wait_received(std::string_view who, std::string_view peer, std::size_t count,
                          milliseconds timeout, PurpleConversationType type) {
  return wait(
      address_of(who) + " has received " + std::to_string(count) + " message(s) from " +
          address_of(peer),
      [&] { return received_from(who, peer, type).size() >= count; },
      [&] {
        return std::to_string(received_from(who, peer, type).size()) + " received;\n" +
               describe_lines(who);
      },
      timeout);
}

std::string World::describe_lines(std::string_view who, std::size_t limit) {
  PurpleAccount* a = account(who);
  std::vector<const WrittenLine*> mine;
  for (const WrittenLine& line : ui_events().lines) {
    if (line.account == a)
      mine.push_back(&line);
  }
  std::string text = "  " + std::to_string(mine.size()) + " conversation lines of " +
                     address_of(who);
  // The last ones say most about where things stopped.
  std::size_t first = mine.size() > limit ? mine.size() - limit : 0;
  for (std::size_t i = first; i < mine.size(); ++i) {
    char flags[16];
    std::snprintf(flags, sizeof flags, "0x%x", static_cast<unsigned>(mine[i]->flags));
    text += "\n    " + mine[i]->conversation + " <" + mine[i]->who + "> " + flags + ": " +
            mine[i]->html.substr(0, 100);
  }
  return text;
}

}  // namespace harness
