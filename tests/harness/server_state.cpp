// SPDX-License-Identifier: GPL-2.0-or-later
#include "server_state.h"

#include <xmlnode.h>

#include <glib.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>

#include "server_process.h"

namespace harness {
namespace {

struct XmlnodeDeleter {
  void operator()(xmlnode* node) const noexcept { xmlnode_free(node); }
};
using XmlnodePtr = std::unique_ptr<xmlnode, XmlnodeDeleter>;

std::string attribute(xmlnode* node, const char* name) {
  const char* value = xmlnode_get_attrib(node, name);
  return value != nullptr ? value : "";
}

ServerContact read_contact(xmlnode* node) {
  ServerContact contact;
  contact.email = attribute(node, "email");
  contact.display_name = attribute(node, "display_name");
  contact.nickname = attribute(node, "nickname");
  contact.messenger = attribute(node, "messenger") == "1";
  for (xmlnode* in = xmlnode_get_child(node, "in"); in != nullptr; in = xmlnode_get_next_twin(in))
    contact.groups.push_back(attribute(in, "group"));
  return contact;
}

ServerAccount read_account(xmlnode* node) {
  ServerAccount account;
  account.email = attribute(node, "email");
  account.book_exists = attribute(node, "exists") == "1";
  account.display_name = attribute(node, "display_name");
  account.blp = attribute(node, "blp");
  account.online = attribute(node, "online") == "1";
  account.status = attribute(node, "status");
  account.friendly = attribute(node, "friendly");
  account.ubx = attribute(node, "ubx");
  for (xmlnode* g = xmlnode_get_child(node, "group"); g != nullptr; g = xmlnode_get_next_twin(g))
    account.groups.push_back(attribute(g, "name"));
  for (xmlnode* c = xmlnode_get_child(node, "contact"); c != nullptr; c = xmlnode_get_next_twin(c))
    account.contacts.push_back(read_contact(c));
  for (xmlnode* m = xmlnode_get_child(node, "member"); m != nullptr; m = xmlnode_get_next_twin(m))
    account.roles[attribute(m, "role")].insert(lower_ascii(attribute(m, "email")));
  for (xmlnode* r = xmlnode_get_child(node, "requests"); r != nullptr; r = xmlnode_get_next_twin(r))
    account.requests[attribute(r, "op") + " " + attribute(r, "kind")] =
        std::atoi(attribute(r, "count").c_str());
  return account;
}

ServerP2p read_p2p(xmlnode* node) {
  ServerP2p p2p;
  for (xmlnode* i = xmlnode_get_child(node, "invite"); i != nullptr; i = xmlnode_get_next_twin(i))
    p2p.invites[{attribute(i, "from"), attribute(i, "to")}] =
        std::atoi(attribute(i, "count").c_str());
  for (xmlnode* s = xmlnode_get_child(node, "sessions"); s != nullptr;
       s = xmlnode_get_next_twin(s)) {
    const std::string requester = attribute(s, "requester");
    p2p.sessions_peak[requester] = std::atoi(attribute(s, "peak").c_str());
    p2p.sessions_active[requester] = std::atoi(attribute(s, "active").c_str());
  }
  for (xmlnode* f = xmlnode_get_child(node, "file"); f != nullptr; f = xmlnode_get_next_twin(f)) {
    ServerFile file;
    file.direction = attribute(f, "direction");
    file.user = attribute(f, "user");
    file.name = attribute(f, "name");
    file.size = std::atoll(attribute(f, "size").c_str());
    file.sha1 = attribute(f, "sha1");
    file.bridge = attribute(f, "bridge");
    file.outcome = attribute(f, "outcome");
    file.received = std::atoll(attribute(f, "received").c_str());
    p2p.files.push_back(std::move(file));
  }
  return p2p;
}

}  // namespace

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

const ServerContact* ServerAccount::contact(std::string_view address) const {
  const std::string key = lower_ascii(address);
  for (const ServerContact& c : contacts) {
    if (lower_ascii(c.email) == key) return &c;
  }
  return nullptr;
}

bool ServerAccount::in_role(const std::string& role, std::string_view address) const {
  auto found = roles.find(role);
  return found != roles.end() && found->second.count(lower_ascii(address)) != 0;
}

int ServerAccount::request_count(const std::string& op_and_kind) const {
  auto found = requests.find(op_and_kind);
  return found != requests.end() ? found->second : 0;
}

std::vector<const ServerContact*> ServerAccount::forward_list() const {
  std::vector<const ServerContact*> out;
  for (const ServerContact& c : contacts) {
    if (c.messenger) out.push_back(&c);
  }
  return out;
}

int ServerP2p::invite_count(std::string_view from, std::string_view to) const {
  auto found = invites.find({lower_ascii(from), lower_ascii(to)});
  return found != invites.end() ? found->second : 0;
}

int ServerP2p::peak_of(std::string_view requester) const {
  auto found = sessions_peak.find(lower_ascii(requester));
  return found != sessions_peak.end() ? found->second : 0;
}

const ServerAccount* ServerState::account(std::string_view address) const {
  auto found = accounts.find(lower_ascii(address));
  return found != accounts.end() ? &found->second : nullptr;
}

std::optional<ServerState> parse_server_state(const std::string& xml, std::string& error) {
  XmlnodePtr root(xmlnode_from_str(xml.c_str(), static_cast<gssize>(xml.size())));
  if (!root || std::string(root->name != nullptr ? root->name : "") != "dump") {
    error = "the server's dump is not a <dump> document";
    return std::nullopt;
  }
  ServerState state;
  for (xmlnode* a = xmlnode_get_child(root.get(), "account"); a != nullptr;
       a = xmlnode_get_next_twin(a)) {
    ServerAccount account = read_account(a);
    state.accounts[lower_ascii(account.email)] = std::move(account);
  }
  // Older dumps have no <p2p>: then no picture traffic, which is what they saw.
  if (xmlnode* p2p = xmlnode_get_child(root.get(), "p2p"); p2p != nullptr)
    state.p2p = read_p2p(p2p);
  return state;
}

std::optional<ServerState> fetch_server_state(ServerProcess& server, const std::string& state_dir,
                                              std::string& error) {
  const std::string path = state_dir + "/dump.xml";
  unlink(path.c_str());
  if (!server.send_signal(SIGUSR1)) {
    error = "cannot signal the server for its state dump";
    return std::nullopt;
  }
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!g_file_test(path.c_str(), G_FILE_TEST_EXISTS)) {
    if (std::chrono::steady_clock::now() >= until) {
      error = "the server wrote no state dump (" + path + ")";
      return std::nullopt;
    }
    g_usleep(20000);
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return parse_server_state(text.str(), error);
}

}  // namespace harness
