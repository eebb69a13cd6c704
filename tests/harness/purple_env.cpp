// SPDX-License-Identifier: GPL-2.0-or-later
#include "purple_env.h"

#include <certificate.h>
#include <core.h>
#include <debug.h>
#include <eventloop.h>
#include <notify.h>
#include <plugin.h>
#include <prefs.h>
#include <request.h>
#include <savedstatuses.h>
#include <signals.h>
#include <sslconn.h>
#include <status.h>
#include <util.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>

#include "ui_events.h"
#include "ui_requests.h"
#include "ui_xfers.h"

namespace harness {
namespace {

// The UI id of this process, as given to purple_core_init (harness_ui_id hands it out).
std::string g_ui_id;
constexpr const char* kProtocolId = "prpl-msnp";

Observed* g_observed = nullptr;
bool g_verbose = false;
bool g_quiet = false;

// ---- event loop: libpurple's sources on the GLib main loop (as in Finch and nullclient) ----

constexpr auto kReadCondition = static_cast<GIOCondition>(G_IO_IN | G_IO_HUP | G_IO_ERR);
constexpr auto kWriteCondition = static_cast<GIOCondition>(G_IO_OUT | G_IO_HUP | G_IO_ERR | G_IO_NVAL);

struct InputClosure {
  PurpleInputFunction function;
  gpointer data;
};

gboolean input_dispatch(GIOChannel* source, GIOCondition condition, gpointer data) {
  auto* closure = static_cast<InputClosure*>(data);
  int purple_condition = 0;
  if (condition & kReadCondition)
    purple_condition |= PURPLE_INPUT_READ;
  if (condition & kWriteCondition)
    purple_condition |= PURPLE_INPUT_WRITE;
  closure->function(closure->data, g_io_channel_unix_get_fd(source),
                    static_cast<PurpleInputCondition>(purple_condition));
  return TRUE;
}

guint input_add(gint fd, PurpleInputCondition condition, PurpleInputFunction function,
                gpointer data) {
  auto* closure = g_new0(InputClosure, 1);
  closure->function = function;
  closure->data = data;
  int glib_condition = 0;
  if (condition & PURPLE_INPUT_READ)
    glib_condition |= kReadCondition;
  if (condition & PURPLE_INPUT_WRITE)
    glib_condition |= kWriteCondition;
  GIOChannel* channel = g_io_channel_unix_new(fd);
  guint id = g_io_add_watch_full(channel, G_PRIORITY_DEFAULT,
                                 static_cast<GIOCondition>(glib_condition), &input_dispatch,
                                 closure, g_free);
  g_io_channel_unref(channel);
  return id;
}

PurpleEventLoopUiOps make_eventloop_ops() {
  PurpleEventLoopUiOps ops{};
  ops.timeout_add = g_timeout_add;
  ops.timeout_remove = g_source_remove;
  ops.input_add = input_add;
  ops.input_remove = g_source_remove;
  ops.timeout_add_seconds = g_timeout_add_seconds;
  return ops;
}
PurpleEventLoopUiOps g_eventloop_ops = make_eventloop_ops();

}  // namespace

std::vector<std::string>& plugin_debug_lines() {
  static std::vector<std::string> lines;
  return lines;
}

namespace {

// ---- debug output: the plugin's lines and every warning go to stderr (the test log) ----

void debug_print(PurpleDebugLevel, const char* category, const char* text) {
  // libpurple hands over the caller's text with its trailing newline.
  std::string line = text != nullptr ? text : "";
  while (!line.empty() && (line.back() == '\n' || line.back() == '\r'))
    line.pop_back();
  std::fprintf(stderr, "[purple %s] %s\n", category != nullptr ? category : "-", line.c_str());
  if (category != nullptr && std::strcmp(category, "msnp") == 0)
    plugin_debug_lines().push_back(line);
}

gboolean debug_is_enabled(PurpleDebugLevel level, const char* category) {
  if (g_verbose)
    return TRUE;
  if (g_quiet)
    return level >= PURPLE_DEBUG_ERROR ? TRUE : FALSE;
  if (category != nullptr && std::strcmp(category, "msnp") == 0)
    return TRUE;
  // The CA pool logs every system certificate it loads at info level; warnings and up only.
  return level >= PURPLE_DEBUG_WARNING ? TRUE : FALSE;
}

PurpleDebugUiOps make_debug_ops() {
  PurpleDebugUiOps ops{};
  ops.print = debug_print;
  ops.is_enabled = debug_is_enabled;
  return ops;
}
PurpleDebugUiOps g_debug_ops = make_debug_ops();

// ---- requests: a user who refuses every certificate ----

struct PendingAction {
  PurpleRequestActionCb callback = nullptr;
  void* user_data = nullptr;
  int action = 0;
  guint idle = 0;
};

std::string without_mnemonic(const char* label) {
  std::string text;
  for (const char* p = label; p != nullptr && *p != '\0'; ++p) {
    if (*p != '_')
      text += *p;
  }
  return text;
}

// libpurple's own words, in English or in the user's language (libpurple's domain is "pidgin").
bool is_libpurple_text(const std::string& text, const char* english) {
  return text == english || text == g_dgettext("pidgin", english);
}

bool mentions_certificate(const char* text) {
  if (text == nullptr)
    return false;
  if (is_libpurple_text(text, "SSL Certificate Verification"))
    return true;
  gchar* folded = g_utf8_strdown(text, -1);
  bool found = std::strstr(folded, "certificate") != nullptr;
  g_free(folded);
  return found;
}

gboolean answer_action(gpointer data) {
  auto* pending = static_cast<PendingAction*>(data);
  pending->idle = 0;
  PurpleRequestActionCb callback = pending->callback;
  void* user_data = pending->user_data;
  int action = pending->action;
  // Like a dialog: it closes, then its button's callback runs. Closing first keeps libpurple
  // from closing (and freeing) it again from inside the callback.
  purple_request_close(PURPLE_REQUEST_ACTION, pending);
  if (callback != nullptr)
    callback(user_data, action);
  return FALSE;
}

void* request_action(const char* title, const char* primary, const char* secondary,
                     int default_action, PurpleAccount*, const char*, PurpleConversation*,
                     void* user_data, size_t action_count, va_list actions) {
  std::fprintf(stderr, "harness: request \"%s\": %s | %s (default action %d)\n",
               title != nullptr ? title : "", primary != nullptr ? primary : "",
               secondary != nullptr ? secondary : "", default_action);
  bool certificate = mentions_certificate(title) || mentions_certificate(primary);
  auto* pending = new PendingAction;
  pending->user_data = user_data;
  const std::optional<int> file_choice = xfer_request_choice(user_data, action_count);
  for (size_t i = 0; i < action_count; ++i) {
    const char* label = va_arg(actions, const char*);
    auto callback = va_arg(actions, PurpleRequestActionCb);
    std::fprintf(stderr, "harness:   action %zu: %s\n", i, label != nullptr ? label : "");
    const bool chosen = file_choice ? *file_choice == static_cast<int>(i)
                                    : is_libpurple_text(without_mnemonic(label), "Reject");
    if (chosen) {
      pending->callback = callback;
      pending->action = static_cast<int>(i);
    }
  }
  if (file_choice && pending->callback != nullptr) {
    // A person answers the file offer later, from the main loop.
    pending->idle = g_timeout_add(50, &answer_action, pending);
    return pending;
  }
  if (certificate && g_observed != nullptr)
    ++g_observed->certificate_prompts;
  if (certificate && pending->callback != nullptr) {
    if (g_observed != nullptr)
      ++g_observed->certificate_rejections;
    std::fprintf(stderr, "harness: answering the certificate prompt with Reject\n");
    // A person answers later, from the main loop, not from inside libpurple's call.
    pending->idle = g_timeout_add(50, &answer_action, pending);
  }
  return pending;
}

void close_request(PurpleRequestType type, void* ui_handle) {
  if (type == PURPLE_REQUEST_INPUT && close_input_request(ui_handle)) return;
  if (type == PURPLE_REQUEST_FILE) {
    close_xfer_file_request(ui_handle);
    return;
  }
  auto* pending = static_cast<PendingAction*>(ui_handle);
  if (pending->idle != 0)
    g_source_remove(pending->idle);
  delete pending;
}

PurpleRequestUiOps make_request_ops() {
  PurpleRequestUiOps ops{};
  ops.request_action = request_action;
  ops.request_input = request_input;
  ops.request_file = request_xfer_file;
  ops.close_request = close_request;
  return ops;
}
PurpleRequestUiOps g_request_ops = make_request_ops();

void* notify_message(PurpleNotifyMsgType type, const char* title, const char* primary,
                     const char* secondary) {
  record_notification(type, title, primary, secondary);
  std::fprintf(stderr, "harness: notification \"%s\": %s | %s\n", title != nullptr ? title : "",
               primary != nullptr ? primary : "", secondary != nullptr ? secondary : "");
  return nullptr;
}

PurpleNotifyUiOps make_notify_ops() {
  PurpleNotifyUiOps ops{};
  ops.notify_message = notify_message;
  ops.notify_userinfo = notify_userinfo;
  return ops;
}
PurpleNotifyUiOps g_notify_ops = make_notify_ops();

void ui_init() {
  purple_request_set_ui_ops(&g_request_ops);
  purple_notify_set_ui_ops(&g_notify_ops);
  install_ui_event_ops();
  install_xfer_ui_ops();
}

PurpleCoreUiOps make_core_ops() {
  PurpleCoreUiOps ops{};
  ops.ui_init = ui_init;
  return ops;
}
PurpleCoreUiOps g_core_ops = make_core_ops();

PurpleCallback as_callback(auto function) { return reinterpret_cast<PurpleCallback>(function); }

}  // namespace

Observed* current_observed() { return g_observed; }

PurpleEnv::PurpleEnv(const PurpleEnvOptions& options) {
  g_observed = &observed_;
  g_verbose = options.verbose;
  g_quiet = options.quiet;
  purple_util_set_user_dir(options.user_dir.c_str());
  purple_debug_set_enabled(FALSE);
  purple_debug_set_ui_ops(&g_debug_ops);
  purple_core_set_ui_ops(&g_core_ops);
  purple_eventloop_set_ui_ops(&g_eventloop_ops);
  // Before purple_core_init, which probes every search path for plugins.
  purple_plugins_add_search_path(options.plugin_dir.c_str());
  g_ui_id = options.ui_id;
  if (!purple_core_init(g_ui_id.c_str()))
    return;
  core_ok_ = true;
  purple_set_blist(purple_blist_new());
  purple_blist_load();
  purple_prefs_load();
  // A person at the keyboard: libpurple's auto-away (with no idle source it counts from
  // start-up) must not replace the statuses the scenarios choose.
  purple_prefs_set_string("/purple/away/idle_reporting", "none");
  purple_prefs_set_bool("/purple/away/away_when_idle", FALSE);
  // Direct connections: the address we advertise as external is loopback (the reference
  // server's bot connects only there), and nothing asks a router or a STUN server.
  purple_prefs_set_bool("/purple/network/auto_ip", FALSE);
  purple_prefs_set_string("/purple/network/public_ip", "127.0.0.1");
  purple_prefs_set_bool("/purple/network/map_ports", FALSE);
  plugin_found_ = purple_plugins_find_with_id(kProtocolId) != nullptr;

  void* connections = purple_connections_get_handle();
  purple_signal_connect(connections, "signing-on", &signal_handle_, as_callback(&signing_on_cb),
                        this);
  purple_signal_connect(connections, "signed-on", &signal_handle_, as_callback(&signed_on_cb), this);
  purple_signal_connect(connections, "connection-error", &signal_handle_,
                        as_callback(&connection_error_cb), this);
  connect_ui_event_signals(&signal_handle_);
}

PurpleEnv::~PurpleEnv() {
  if (core_ok_) {
    purple_signals_disconnect_by_handle(&signal_handle_);
    purple_core_quit();
  }
  g_observed = nullptr;
}

bool PurpleEnv::ok(std::string& error) const {
  if (!core_ok_) {
    error = "purple_core_init failed";
    return false;
  }
  if (!plugin_found_) {
    error = std::string("libpurple did not find the plugin ") + kProtocolId;
    return false;
  }
  return true;
}

// libpurple 2.14's CA pool ("x509"/"ca") reads only compiled-in system directories
// (SSL_CERTIFICATES_DIR, /etc/ssl/certs on Debian, and DATADIR/purple/ca-certs); there is no
// per-user CA directory under the purple user dir. So the CA goes into the pool at run time
// with purple_certificate_pool_store, the pool's own entry point, which also registers it
// with the SSL backend (NSS) as a trusted CA. Peer verification then runs unchanged.
bool PurpleEnv::trust_ca(const std::string& pem_path, std::string& error) {
  // Loads the SSL plugin, which registers the x509 scheme.
  if (!purple_ssl_is_supported()) {
    error = "libpurple has no SSL support";
    return false;
  }
  PurpleCertificateScheme* x509 = purple_certificate_find_scheme("x509");
  PurpleCertificatePool* ca_pool = purple_certificate_find_pool("x509", "ca");
  if (x509 == nullptr || ca_pool == nullptr) {
    error = "libpurple has no x509 scheme or CA pool";
    return false;
  }
  PurpleCertificate* certificate = purple_certificate_import(x509, pem_path.c_str());
  if (certificate == nullptr) {
    error = "cannot import " + pem_path;
    return false;
  }
  gchar* id = purple_certificate_get_unique_id(certificate);
  bool stored = purple_certificate_pool_store(ca_pool, id, certificate);
  g_free(id);
  purple_certificate_destroy(certificate);
  if (!stored)
    error = "the CA pool refused " + pem_path;
  return stored;
}

void PurpleEnv::signing_on_cb(PurpleConnection*, gpointer data) {
  ++static_cast<PurpleEnv*>(data)->observed_.sign_in_attempts;
}

void PurpleEnv::signed_on_cb(PurpleConnection* gc, gpointer data) {
  auto* self = static_cast<PurpleEnv*>(data);
  PurpleAccount* account = purple_connection_get_account(gc);
  PurpleStatus* status = purple_account_get_active_status(account);
  Observed& seen = self->observed_;
  seen.signed_on = true;
  seen.connected_at_sign_on = purple_connection_get_state(gc) == PURPLE_CONNECTED;
  seen.available_at_sign_on = status != nullptr &&
                              std::strcmp(purple_status_get_id(status), "available") == 0 &&
                              purple_status_is_online(status);
  std::fprintf(stderr, "harness: signed-on (state %s, status %s)\n",
               seen.connected_at_sign_on ? "CONNECTED" : "not connected",
               status != nullptr ? purple_status_get_id(status) : "none");
  if (self->on_signed_on)
    self->on_signed_on(gc);
}

void PurpleEnv::connection_error_cb(PurpleConnection* gc, PurpleConnectionError reason,
                                    const char* description, gpointer data) {
  auto* self = static_cast<PurpleEnv*>(data);
  self->observed_.errors.push_back({reason, description != nullptr ? description : ""});
  std::fprintf(stderr, "harness: connection-error %s (fatal: %s): %s\n", reason_name(reason),
               purple_connection_error_is_fatal(reason) ? "yes" : "no",
               description != nullptr ? description : "");
  if (self->on_connection_error)
    self->on_connection_error(gc);
}

const char* harness_ui_id() { return g_ui_id.c_str(); }

PurpleAccount* create_account(const std::string& username, const std::string& password,
                              const std::string& ns_host, int ns_port, const std::string& web_url,
                              const HiddenTimings& timings) {
  PurpleAccount* account = purple_account_new(username.c_str(), kProtocolId);
  purple_account_set_password(account, password.c_str());
  purple_account_set_remember_password(account, FALSE);
  purple_account_set_string(account, "server", ns_host.c_str());
  purple_account_set_int(account, "port", ns_port);
  purple_account_set_string(account, "web_services_url", web_url.c_str());
  if (timings.reply_timeout_seconds > 0)
    purple_account_set_int(account, kHiddenReplyTimeout, timings.reply_timeout_seconds);
  if (timings.keepalive_seconds > 0)
    purple_account_set_int(account, kHiddenKeepAlive, timings.keepalive_seconds);
  purple_accounts_add(account);
  return account;
}

PurpleAccount* add_account(const std::string& username, const std::string& password,
                           const std::string& ns_host, int ns_port, const std::string& web_url,
                           const HiddenTimings& timings) {
  PurpleAccount* account = create_account(username, password, ns_host, ns_port, web_url, timings);
  purple_account_set_enabled(account, harness_ui_id(), TRUE);
  // As a UI does at start-up: the saved "available" status signs enabled accounts on.
  PurpleSavedStatus* available = purple_savedstatus_new(nullptr, PURPLE_STATUS_AVAILABLE);
  purple_savedstatus_activate(available);
  return account;
}

}  // namespace harness
