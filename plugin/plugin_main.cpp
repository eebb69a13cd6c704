// SPDX-License-Identifier: GPL-2.0-or-later
// The plugin's only exported symbol (purple_init_plugin, from PURPLE_INIT_PLUGIN) and the
// tables libpurple reads: plugin info, protocol info and account options.
#include "i18n.h"  // first: config.h decides ENABLE_NLS below

#include <accountopt.h>
#include <plugin.h>
#include <prpl.h>
#include <version.h>

#if ENABLE_NLS
#include <libintl.h>
#endif

#include "account.h"
#include "account_actions.h"
#include "commands.h"
#include "picture_glue.h"
#include "prpl_callbacks.h"
#include "xfer_glue.h"

namespace msn::plugin {
namespace {

PurplePluginProtocolInfo prpl_info;
// libpurple 2's PurplePluginInfo has non-const char* fields it never writes through.
char* c_text(const char* text) { return const_cast<char*>(text); }

PurplePluginInfo plugin_info;

void add_account_options() {
  GList* options = nullptr;
  options = g_list_append(
      options, purple_account_option_string_new(_("Server"), kOptionServer, kDefaultServer));
  options =
      g_list_append(options, purple_account_option_int_new(_("Port"), kOptionPort, kDefaultPort));
  options = g_list_append(
      options, purple_account_option_string_new(_("Web services URL"), kOptionWebServicesUrl,
                                                kDefaultWebServicesUrl));
  options = g_list_append(options, purple_account_option_bool_new(_("Direct connections"),
                                                                  kOptionDirectConnections, TRUE));
  // kOptionReplyTimeout, kOptionMessageAckTimeout and kOptionKeepAliveInterval stay hidden:
  // they are read with a default but never shown.
  prpl_info.protocol_options = options;
}

void fill_account_callbacks() {
  prpl_info.list_icon = &prpl_list_icon;
  prpl_info.status_types = &prpl_status_types;
  prpl_info.login = &prpl_login;
  prpl_info.close = &prpl_close;
  prpl_info.set_status = &prpl_set_status;
  prpl_info.set_idle = &prpl_set_idle;
  prpl_info.set_public_alias = &prpl_set_public_alias;
  prpl_info.get_public_alias = &prpl_get_public_alias;
  prpl_info.normalize = &prpl_normalize;
  prpl_info.status_text = &prpl_status_text;
  prpl_info.tooltip_text = &prpl_tooltip_text;
  prpl_info.blist_node_menu = &prpl_blist_node_menu;
  prpl_info.offline_message = &prpl_offline_message;
  prpl_info.get_info = &prpl_get_info;
}

void fill_contact_list_callbacks() {
  prpl_info.add_buddy = &prpl_add_buddy;
  prpl_info.add_buddy_with_invite = &prpl_add_buddy_with_invite;
  prpl_info.remove_buddy = &prpl_remove_buddy;
  prpl_info.alias_buddy = &prpl_alias_buddy;
  prpl_info.group_buddy = &prpl_group_buddy;
  prpl_info.rename_group = &prpl_rename_group;
  prpl_info.remove_group = &prpl_remove_group;
  prpl_info.add_permit = &prpl_add_permit;
  prpl_info.add_deny = &prpl_add_deny;
  prpl_info.rem_permit = &prpl_rem_permit;
  prpl_info.rem_deny = &prpl_rem_deny;
  prpl_info.set_permit_deny = &prpl_set_permit_deny;
}

void fill_conversation_callbacks() {
  prpl_info.send_im = &prpl_send_im;
  prpl_info.send_typing = &prpl_send_typing;
  prpl_info.send_attention = &prpl_send_attention;
  prpl_info.get_attention_types = &prpl_get_attention_types;
  prpl_info.convo_closed = &prpl_convo_closed;
  prpl_info.chat_info = &prpl_chat_info;
  prpl_info.chat_info_defaults = &prpl_chat_info_defaults;
  prpl_info.join_chat = &prpl_join_chat;
  prpl_info.get_chat_name = &prpl_get_chat_name;
  prpl_info.chat_invite = &prpl_chat_invite;
  prpl_info.chat_leave = &prpl_chat_leave;
  prpl_info.chat_send = &prpl_chat_send;
}

void fill_prpl_info() {
  // The invite message: Pidgin's Add Buddy dialog offers its field only with this option; the
  // text travels with the contact's invitation (add_buddy_with_invite).
  prpl_info.options = OPT_PROTO_INVITE_MESSAGE;
  // PNG preferred (what WLM sends), GIF and JPEG accepted; 96x96 at most, as WLM shows them.
  // SCALE_SEND makes Pidgin scale what it sends and offer "Use this buddy icon for this
  // account".
  prpl_info.icon_spec = {c_text("png,gif,jpeg"), 0, 0, 96, 96, 256 * 1024, PURPLE_ICON_SCALE_SEND};
  prpl_info.set_buddy_icon = &prpl_set_buddy_icon;
  prpl_info.can_receive_file = &prpl_can_receive_file;
  prpl_info.send_file = &prpl_send_file;
  prpl_info.new_xfer = &prpl_new_xfer;
  fill_account_callbacks();
  fill_contact_list_callbacks();
  fill_conversation_callbacks();
  // Tells libpurple which of the fields after struct_size (set_public_alias,
  // add_buddy_with_invite, ...) this plugin knows about.
  prpl_info.struct_size = sizeof(PurplePluginProtocolInfo);
}

gboolean load_plugin(PurplePlugin*) noexcept {
  register_commands();
  return TRUE;
}

gboolean unload_plugin(PurplePlugin*) noexcept {
  unregister_commands();
  return TRUE;
}

void fill_plugin_info() {
  plugin_info.magic = PURPLE_PLUGIN_MAGIC;
  plugin_info.major_version = PURPLE_MAJOR_VERSION;
  plugin_info.minor_version = PURPLE_MINOR_VERSION;
  plugin_info.type = PURPLE_PLUGIN_PROTOCOL;
  plugin_info.priority = PURPLE_PRIORITY_DEFAULT;
  plugin_info.id = c_text("prpl-msnp");
  plugin_info.name = c_text("MSN");
  plugin_info.version = c_text(PACKAGE_VERSION);
  plugin_info.summary = c_text(_("MSN Messenger protocol (MSNP15) plugin"));
  plugin_info.description =
      c_text(_("Signs in to MSN Messenger compatible servers with protocol version MSNP15."));
  plugin_info.author = c_text("purple-msnp contributors");
  plugin_info.homepage = c_text("");
  plugin_info.extra_info = &prpl_info;
  plugin_info.load = &load_plugin;
  plugin_info.unload = &unload_plugin;
  plugin_info.actions = &account_actions;
}

void init_plugin(PurplePlugin*) noexcept {
#if ENABLE_NLS
  // Before any _(): the option labels and plugin texts below are translated at once.
  bindtextdomain(GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset(GETTEXT_PACKAGE, "UTF-8");
#endif
  fill_prpl_info();
  fill_plugin_info();
  add_account_options();
}

}  // namespace
}  // namespace msn::plugin

// purple_init_plugin runs init_plugin (which fills the tables) before registering them.
extern "C" {
PURPLE_INIT_PLUGIN(msnp, msn::plugin::init_plugin, msn::plugin::plugin_info)
}
