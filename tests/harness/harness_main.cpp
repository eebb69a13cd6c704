// SPDX-License-Identifier: GPL-2.0-or-later
// msnp-harness: loads the built plugin into the real libpurple (as Finch would), signs an
// account on against the local MSNP15 server started with the scenario's faults, and exits 0
// only if the outcome is what a user should see.
//
//   msnp-harness --plugin-dir DIR --server PATH --scenario NAME [--verbose] [--bound SECONDS]
//   msnp-harness --list
//   msnp-harness --check-list   (the tables against tests/harness/scenarios.txt)
#include <arpa/inet.h>
#include <ftw.h>
#include <locale.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "integration.h"
#include "purple_env.h"
#include "scenario_list.h"
#include "scenarios.h"
#include "server_log.h"
#include "server_process.h"

namespace harness {
namespace {

using std::chrono::milliseconds;

constexpr const char* kUsername = "alice@example.com";
constexpr const char* kPassword = "secret";
constexpr milliseconds kReadyTimeout{20000};
// After the connection error: time for libpurple to disconnect (and call the prpl's close).
constexpr guint kSettleMs = 500;

struct Options {
  std::string plugin_dir;
  std::string server;
  std::string scenario;
  int bound_seconds = 25;
  bool verbose = false;
  bool list = false;
  bool check_list = false;
};

int usage() {
  std::fprintf(stderr,
               "usage: msnp-harness --plugin-dir DIR --server PATH --scenario NAME "
               "[--bound SECONDS] [--verbose]\n       msnp-harness --list | --check-list\n");
  return 2;
}

bool parse_options(int argc, char** argv, Options& options) {
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc)
        return false;
      out = argv[++i];
      return true;
    };
    std::string bound;
    if (arg == "--plugin-dir") {
      if (!value(options.plugin_dir))
        return false;
    } else if (arg == "--server") {
      if (!value(options.server))
        return false;
    } else if (arg == "--scenario") {
      if (!value(options.scenario))
        return false;
    } else if (arg == "--bound") {
      if (!value(bound))
        return false;
      options.bound_seconds = std::atoi(bound.c_str());
    } else if (arg == "--verbose") {
      options.verbose = true;
    } else if (arg == "--list") {
      options.list = true;
    } else if (arg == "--check-list") {
      options.check_list = true;
    } else {
      return false;
    }
  }
  return options.list || options.check_list ||
         (!options.plugin_dir.empty() && !options.server.empty() && !options.scenario.empty() &&
          options.bound_seconds > 0);
}

// A directory removed with everything in it when the object goes.
class TempDir {
 public:
  explicit TempDir(const char* pattern) {
    GError* error = nullptr;
    gchar* path = g_dir_make_tmp(pattern, &error);
    if (path == nullptr) {
      std::fprintf(stderr, "harness: cannot create a temporary directory: %s\n", error->message);
      g_error_free(error);
      return;
    }
    path_ = path;
    g_free(path);
  }
  ~TempDir() {
    if (!path_.empty())
      nftw(path_.c_str(), &remove_entry, 16, FTW_DEPTH | FTW_PHYS);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  static int remove_entry(const char* path, const struct stat*, int, struct FTW*) {
    return remove(path);
  }
  std::string path_;
};

// The scenario's run on the main loop: watches signals, stops the loop when there is a verdict.
class Run {
 public:
  Run(const Scenario& scenario, PurpleEnv& env, ServerProcess& server, int bound_seconds)
      : scenario_(scenario), env_(env), server_(server), loop_(g_main_loop_new(nullptr, FALSE)) {
    env_.on_signed_on = [this](PurpleConnection*) { signed_on(); };
    env_.on_connection_error = [this](PurpleConnection*) { finish_after(kSettleMs); };
    bound_ = g_timeout_add_seconds(static_cast<guint>(bound_seconds), &Run::on_bound, this);
  }
  ~Run() {
    env_.on_signed_on = nullptr;
    env_.on_connection_error = nullptr;
    if (bound_ != 0)
      g_source_remove(bound_);
    if (finish_ != 0)
      g_source_remove(finish_);
    g_main_loop_unref(loop_);
  }
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;

  void run() { g_main_loop_run(loop_); }

 private:
  void signed_on() {
    if (scenario_.kill_server_after_sign_on) {
      server_.kill_now();
      return;
    }
    if (scenario_.outcome == Outcome::kStaysOnline)
      finish_after(static_cast<guint>(scenario_.watch_online_ms));
  }

  void finish_after(guint ms) {
    if (finish_ == 0)
      finish_ = g_timeout_add(ms, &Run::on_finish, this);
  }

  static gboolean on_finish(gpointer data) {
    auto* self = static_cast<Run*>(data);
    self->finish_ = 0;
    g_main_loop_quit(self->loop_);
    return FALSE;
  }

  static gboolean on_bound(gpointer data) {
    auto* self = static_cast<Run*>(data);
    self->bound_ = 0;
    std::fprintf(stderr, "harness: time bound reached\n");
    self->env_.observed().timed_out = true;
    g_main_loop_quit(self->loop_);
    return FALSE;
  }

  const Scenario& scenario_;
  PurpleEnv& env_;
  ServerProcess& server_;
  GMainLoop* loop_;
  guint bound_ = 0;
  guint finish_ = 0;
};

std::string server_log_path(const std::string& state_dir) {
  return state_dir + "/" + kServerLogName;
}

std::vector<std::string> server_args(const Scenario& scenario, const std::string& state_dir) {
  std::vector<std::string> args = {"--account",    std::string(kUsername) + ":" + kPassword,
                                   "--state-dir",  state_dir,
                                   "--ns-port",    "0",
                                   "--https-port", "0",
                                   "--log-file",   server_log_path(state_dir)};
  args.insert(args.end(), scenario.server_args.begin(), scenario.server_args.end());
  return args;
}

void print_observed(const Scenario& scenario, const Observed& seen) {
  std::printf("scenario: %s\n", scenario.name.c_str());
  std::printf("sign-in attempts: %d\n", seen.sign_in_attempts);
  std::printf("signed on: %s\n", seen.signed_on ? "yes" : "no");
  if (seen.errors.empty())
    std::printf("connection error: none\n");
  for (const ConnectionErrorSeen& error : seen.errors)
    std::printf("connection error: %s (fatal: %s): %s\n", reason_name(error.reason),
                purple_connection_error_is_fatal(error.reason) ? "yes" : "no",
                error.description.c_str());
  std::printf("certificate prompts: %d (rejected: %d)\n", seen.certificate_prompts,
              seen.certificate_rejections);
  if (seen.timed_out)
    std::printf("time bound reached\n");
}

// A port on 127.0.0.1 that nothing listens on: one the kernel just handed out and took back.
bool closed_local_port(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof(addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &length) == 0;
  ::close(fd);
  if (ok) port = ntohs(addr.sin_port);
  return ok;
}

int run_scenario(const Options& options, const Scenario& scenario) {
  TempDir user_dir("msnp-harness-user-XXXXXX");
  TempDir state_dir("msnp-harness-server-XXXXXX");
  if (user_dir.path().empty() || state_dir.path().empty())
    return 1;

  ServerProcess server;
  std::string error;
  if (!server.start(options.server, server_args(scenario, state_dir.path()), kReadyTimeout,
                    error)) {
    std::printf("FAIL: %s\n", error.c_str());
    return 1;
  }
  const ServerAddress& address = server.address();
  std::fprintf(stderr, "harness: server ready: ns=%s:%d web=%s\n", address.ns_host.c_str(),
               address.ns_port, address.web_url.c_str());

  Observed seen;
  std::string account_host = address.ns_host;
  int account_port = address.ns_port;
  {
    PurpleEnv env({.user_dir = user_dir.path(), .plugin_dir = options.plugin_dir,
                   .verbose = options.verbose});
    if (!env.ok(error)) {
      std::printf("FAIL: %s\n", error.c_str());
      return 1;
    }
    if (scenario.trust_ca && !env.trust_ca(address.ca_path, error)) {
      std::printf("FAIL: %s\n", error.c_str());
      return 1;
    }
    Run run(scenario, env, server, options.bound_seconds);
    if (!scenario.account_host.empty()) account_host = scenario.account_host;
    if (scenario.closed_port && !closed_local_port(account_port)) {
      std::printf("FAIL: no free local port\n");
      return 1;
    }
    std::string web_url = address.web_url;
    if (scenario.plain_http_web_url && web_url.starts_with("https://"))
      web_url.replace(0, 5, "http");
    if (!scenario.web_host.empty()) {
      const std::size_t host_at = web_url.find("://") + 3;
      web_url.replace(host_at, web_url.find(':', host_at) - host_at, scenario.web_host);
    }
    add_account(kUsername, scenario.wrong_password ? "not-the-password" : kPassword, account_host,
                account_port, web_url,
                HiddenTimings{.reply_timeout_seconds = scenario.reply_timeout_seconds,
                              .keepalive_seconds = scenario.keepalive_seconds});
    run.run();
    seen = env.observed();
    // ~PurpleEnv: purple_core_quit disconnects the account (the prpl's close runs) and
    // unloads the plugin, all under the sanitizers.
  }
  std::vector<std::string> problems;
  if (scenario.check_server && !scenario.kill_server_after_sign_on) {
    std::optional<ServerState> state = fetch_server_state(server, state_dir.path(), error);
    if (state)
      scenario.check_server(*state, problems);
    else
      problems.push_back(error);
  }
  server.stop();

  print_observed(scenario, seen);
  std::vector<std::string> outcome = check_outcome(scenario, seen, account_port);
  problems.insert(problems.begin(), outcome.begin(), outcome.end());
  for (std::string& problem : unexpected_server_problems(server_log_path(state_dir.path()),
                                                         scenario.allowed_server_warnings))
    problems.push_back(std::move(problem));
  for (const std::string& problem : problems)
    std::printf("problem: %s\n", problem.c_str());
  std::printf("%s\n", problems.empty() ? "PASS" : "FAIL");
  return problems.empty() ? 0 : 1;
}

std::vector<std::string> integration_server_args(const IntegrationScenario& scenario,
                                                 const std::string& state_dir) {
  std::vector<std::string> args = {
      "--state-dir",  state_dir, "--ns-port",  "0",
      "--https-port", "0",       "--log-file", server_log_path(state_dir)};
  for (const std::string& who : scenario.accounts) {
    args.push_back("--account");
    args.push_back(address_of(who) + ":" + kTestPassword);
  }
  args.insert(args.end(), scenario.server_args.begin(), scenario.server_args.end());
  return args;
}

// Several accounts in one libpurple, driven by the scenario's body (integration.cpp).
int run_integration(const Options& options, const IntegrationScenario& scenario) {
  TempDir user_dir("msnp-harness-user-XXXXXX");
  TempDir state_dir("msnp-harness-server-XXXXXX");
  if (user_dir.path().empty() || state_dir.path().empty())
    return 1;
  ServerProcess server;
  std::string error;
  if (!server.start(options.server, integration_server_args(scenario, state_dir.path()),
                    kReadyTimeout, error)) {
    std::printf("FAIL: %s\n", error.c_str());
    return 1;
  }
  std::vector<std::string> failures;
  {
    PurpleEnv env({.user_dir = user_dir.path(), .plugin_dir = options.plugin_dir,
                   .verbose = options.verbose, .ui_id = scenario.ui_id});
    if (!env.ok(error) || (scenario.trust_ca && !env.trust_ca(server.address().ca_path, error))) {
      std::printf("FAIL: %s\n", error.c_str());
      return 1;
    }
    const auto started = std::chrono::steady_clock::now();
    World world(env, server, state_dir.path(),
                started + std::chrono::seconds(scenario.bound_seconds));
    scenario.body(world);
    world.check_no_unexpected_disconnects();
    failures = world.failures();
    const auto took = std::chrono::duration_cast<milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::printf("scenario: %s (%lld ms)\n", scenario.name.c_str(),
                static_cast<long long>(took.count()));
  }
  server.stop();
  for (std::string& problem : unexpected_server_problems(server_log_path(state_dir.path()),
                                                         scenario.allowed_server_warnings))
    failures.push_back(std::move(problem));
  for (const std::string& failure : failures)
    std::printf("problem: %s\n", failure.c_str());
  std::printf("%s\n", failures.empty() ? "PASS" : "FAIL");
  return failures.empty() ? 0 : 1;
}

std::set<std::string> table_names() {
  std::set<std::string> names;
  for (const Scenario& s : all_scenarios()) names.insert(s.name);
  for (const IntegrationScenario& s : integration_scenarios()) names.insert(s.name);
  return names;
}

// scenarios.txt (what meson runs) and the tables (what the harness can run) must name the same
// scenarios: a name only in the text would fail as unknown, one only in a table would never
// run. Prints every difference; true when there is none.
bool scenario_lists_agree() {
  const std::set<std::string> tables = table_names();
  std::set<std::string> listed;
  bool agree = true;
  for (const char* name : kListedScenarios) {
    if (!listed.insert(name).second) {
      std::fprintf(stderr, "harness: scenarios.txt names \"%s\" twice\n", name);
      agree = false;
    }
    if (tables.count(name) == 0) {
      std::fprintf(stderr,
                   "harness: scenarios.txt names \"%s\", which no table (scenarios.cpp, "
                   "integration.cpp) defines\n",
                   name);
      agree = false;
    }
  }
  for (const std::string& name : tables) {
    if (listed.count(name) == 0) {
      std::fprintf(stderr,
                   "harness: scenario \"%s\" is defined but missing from "
                   "tests/harness/scenarios.txt, so meson never runs it\n",
                   name.c_str());
      agree = false;
    }
  }
  if (all_scenarios().size() + integration_scenarios().size() != tables.size()) {
    std::fprintf(stderr, "harness: a scenario name is defined twice in the tables\n");
    agree = false;
  }
  return agree;
}

}  // namespace
}  // namespace harness

int main(int argc, char** argv) {
  // As Pidgin and Finch do: a peer closing a socket must be an error value, not a signal.
  signal(SIGPIPE, SIG_IGN);
  // As a UI does: messages follow the user's locale (the meson tests pin LC_ALL=C).
  setlocale(LC_ALL, "");
  setvbuf(stdout, nullptr, _IOLBF, 0);
  harness::Options options;
  if (!harness::parse_options(argc, argv, options))
    return harness::usage();
  if (!harness::scenario_lists_agree()) return 2;
  if (options.check_list) {
    std::printf("%zu scenarios, the same in scenarios.txt and the tables\n",
                std::size(harness::kListedScenarios));
    return 0;
  }
  if (options.list) {
    for (const harness::Scenario& s : harness::all_scenarios())
      std::printf("%s\n", s.name.c_str());
    for (const harness::IntegrationScenario& s : harness::integration_scenarios())
      std::printf("%s\n", s.name.c_str());
    return 0;
  }
  if (auto integration = harness::find_integration_scenario(options.scenario))
    return harness::run_integration(options, *integration);
  auto scenario = harness::find_scenario(options.scenario);
  if (!scenario) {
    std::fprintf(stderr, "unknown scenario: %s (see --list)\n", options.scenario.c_str());
    return 2;
  }
  return harness::run_scenario(options, *scenario);
}
