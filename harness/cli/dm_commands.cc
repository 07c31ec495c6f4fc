// `omaiop dm faults` (the fault knobs of the simulated DM server) and
// `omaiop dm server` (a scripted OMA DM 1.2 server real clients connect to;
// every message is logged decoded, every rule a client breaks is reported).
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "codec/bytes.h"
#include "harness/cli/commands.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/dm_server.h"

namespace omaiop::cli {

namespace {

using nlohmann::json;
namespace servers = sim::servers;

int RunDmFaults(bool as_json) {
  if (as_json) {
    json j = json::array();
    for (const auto& f : servers::AllDmFaults())
      j.push_back({{"name", f.name},
                   {"layer", servers::DmFaultLayerName(f.layer)},
                   {"description", f.description},
                   {"rule", f.rule},
                   {"client_must", servers::DmClientMustName(f.expected)},
                   {"expected", f.expected_detail}});
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& f : servers::AllDmFaults()) {
    std::cout << f.name << "  [" << servers::DmFaultLayerName(f.layer)
              << "; client must " << servers::DmClientMustName(f.expected)
              << "]\n"
              << "    " << f.description << "\n"
              << "    breaks: " << f.rule << "\n"
              << "    client: " << f.expected_detail << "\n";
  }
  return kExitOk;
}

struct ServerArgs {
  int port = 0;
  std::size_t max_msg_size = 0;
  std::string bind = "127.0.0.1";
  std::string tls_cert, tls_key, script, auth = "none";
  std::string server_id = "omaiop", server_uri, username, password;
  std::string nonce_hex, server_auth = "none", server_password,
                         server_nonce_hex;
  std::vector<std::string> faults;
  bool json = false;
  int count = 0;
};

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop = true; }

void PrintEvent(const servers::DmEvent& e, bool as_json) {
  using K = servers::DmEvent::Kind;
  if (as_json) {
    if (e.kind == K::kMessage)
      std::cout << e.message->ToJson() << "\n";
    else if (e.kind == K::kViolation)
      std::cout << e.violation->ToJson() << "\n";
    else
      std::cout << json{{"type", "session_end"},
                        {"session", e.session->key},
                        {"authenticated", e.session->authenticated},
                        {"packages_sent", e.session->packages_sent},
                        {"violations", e.session->violations.size()}}
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << "\n";
    std::cout << std::flush;
    return;
  }
  if (e.kind == K::kMessage) {
    const auto& m = *e.message;
    bool in = m.direction == servers::DmLoggedMessage::Direction::kIn;
    std::cout << "=== session " << m.session << " #" << m.index
              << (in ? " client -> server" : " server -> client") << " ("
              << m.content_type << ", " << m.body.size() << " octets"
              << (m.msg_id.empty() ? "" : ", MsgID " + m.msg_id);
    if (!in && !m.applied_faults.empty()) {
      std::cout << ", faults:";
      for (const auto& f : m.applied_faults) std::cout << " " << f;
    }
    std::cout << ")\n";
    if (m.xml.empty())
      std::cout << "(not decodable) " << codec::ToHex(m.body) << "\n";
    else
      std::cout << m.xml << (m.xml.ends_with('\n') ? "" : "\n");
  } else if (e.kind == K::kViolation) {
    const auto& v = *e.violation;
    std::cout << "!!! VIOLATION " << v.rule << " (MsgID "
              << (v.msg_id.empty() ? "-" : v.msg_id) << "; " << v.spec_ref
              << "): " << v.evidence << "\n";
  } else {
    std::cout << "=== session " << e.session->key << " ended ("
              << e.session->violations.size() << " violation(s))\n";
  }
  std::cout << std::flush;
}

int RunServer(const ServerArgs& a) {
  servers::DmServerConfig cfg;
  cfg.http.bind_address = a.bind;
  cfg.http.port = static_cast<std::uint16_t>(a.port);
  if (!a.tls_cert.empty()) {
    if (a.tls_key.empty()) {
      std::cerr << "omaiop: --tls-cert needs --tls-key\n";
      return kExitToolFailure;
    }
    cfg.http.tls = sim::network::TlsServerConfig{a.tls_cert, a.tls_key};
  }
  cfg.server_id = a.server_id;
  cfg.server_uri = a.server_uri;
  cfg.client_auth = *servers::DmAuthModeByName(a.auth);
  cfg.username = a.username;
  cfg.password = a.password;
  if (cfg.client_auth != servers::DmAuthMode::kNone && a.username.empty()) {
    std::cerr << "omaiop: --auth " << a.auth << " needs --username\n";
    return kExitToolFailure;
  }
  auto hex = [](const std::string& h, codec::Bytes& out) {
    if (h.empty()) return true;
    auto b = codec::ParseHex(h);
    if (!b.ok()) return false;
    out = *b;
    return true;
  };
  if (!hex(a.nonce_hex, cfg.client_nonce) ||
      !hex(a.server_nonce_hex, cfg.server_nonce)) {
    std::cerr << "omaiop: --nonce / --server-nonce must be hex\n";
    return kExitToolFailure;
  }
  if (a.server_auth == "basic")
    cfg.server_cred = codec::DmAuthType::kBasic;
  else if (a.server_auth == "digest")
    cfg.server_cred = codec::DmAuthType::kMd5;
  else if (a.server_auth == "hmac")
    cfg.server_cred = codec::DmAuthType::kHmac;
  cfg.server_password = a.server_password;
  if (a.max_msg_size) cfg.max_msg_size = a.max_msg_size;
  for (const auto& name : a.faults) {
    auto id = servers::DmFaultByName(name);
    if (!id) {
      std::cerr << "omaiop: unknown fault '" << name
                << "' (see `omaiop dm faults`)\n";
      return kExitToolFailure;
    }
    cfg.faults.push_back(*id);
  }
  if (!a.script.empty()) {
    auto s = servers::LoadDmScript(a.script);
    if (!s.ok()) {
      std::cerr << "omaiop: script " << a.script << ": " << s.error().what
                << (s.error().path.empty() ? "" : " at " + s.error().path)
                << "\n";
      return kExitToolFailure;
    }
    cfg.script = *s;
  }
  bool as_json = a.json;
  servers::DmServer server(
      cfg, [as_json](const servers::DmEvent& e) { PrintEvent(e, as_json); });
  if (auto st = server.Start(); !st.ok()) {
    std::cerr << "omaiop: cannot start the DM server: " << st.error().what
              << "\n";
    return kExitToolFailure;
  }
  if (as_json)
    std::cout << json{{"type", "listening"}, {"url", server.BaseUrl()}}.dump()
              << "\n";
  else
    std::cout << "# omaiop dm server listening on " << server.BaseUrl()
              << " (auth " << a.auth << ", " << cfg.script.packages.size()
              << " scripted package(s))\n";
  std::cout << std::flush;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  while (!g_stop) {
    if (a.count > 0 &&
        server.ended_sessions() >= static_cast<std::size_t>(a.count))
      break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  server.Stop();
  std::size_t violations = 0;
  for (const auto& s : server.Sessions()) violations += s.violations.size();
  if (!as_json)
    std::cout << "# " << server.ended_sessions() << " session(s) ended, "
              << violations << " violation(s)\n";
  return violations ? kExitFail : kExitOk;
}

}  // namespace

void RegisterDmCommands(CLI::App& app, CommandContext& ctx) {
  auto* dm = app.add_subcommand(
      "dm",
      "OMA DM 1.2: the simulated DM server (scripted sessions with faults) "
      "and the simulated handset's DM client");
  dm->require_subcommand(1);
  AddDmClientCommand(*dm, ctx);
  AddDmClientDefectsCommand(*dm, ctx);

  auto faults_json = std::make_shared<bool>(false);
  auto* faults = dm->add_subcommand(
      "faults",
      "List the fault knobs: name, layer, the rule each breaks and what a "
      "conformant DM client must do");
  faults->add_flag("--json", *faults_json, "print JSON");
  faults->callback(
      [&ctx, faults_json] { ctx.exit_code = RunDmFaults(*faults_json); });

  auto a = std::make_shared<ServerArgs>();
  auto* server = dm->add_subcommand(
      "server",
      "Serve DM clients over HTTP(S): authenticate, play a script, check "
      "every client message; logs each message decoded and each broken rule");
  server->add_option("--port", a->port, "TCP port (0 = ephemeral, printed)")
      ->check(CLI::Range(0, 65535));
  server->add_option("--bind", a->bind, "address to bind (default 127.0.0.1)");
  server->add_option("--tls-cert", a->tls_cert, "PEM certificate: HTTPS")
      ->check(CLI::ExistingFile);
  server->add_option("--tls-key", a->tls_key, "PEM private key")
      ->check(CLI::ExistingFile);
  server->add_option("--script", a->script, "DM script (XML, see dm_script.h)")
      ->check(CLI::ExistingFile);
  server->add_option("--auth", a->auth, "client authentication")
      ->check(CLI::IsMember({"none", "basic", "digest", "hmac"}));
  server->add_option("--server-id", a->server_id,
                     "ServerID (Source LocURI of server messages)");
  server->add_option("--server-uri", a->server_uri,
                     "expected Target LocURI of client messages");
  server->add_option("--username", a->username, "client user name (CLCRED)");
  server->add_option("--password", a->password, "client password (CLCRED)");
  server->add_option("--nonce", a->nonce_hex,
                     "hex nonce the clients hold for the first digest");
  server
      ->add_option("--server-auth", a->server_auth,
                   "credentials the server sends (SRVCRED)")
      ->check(CLI::IsMember({"none", "basic", "digest", "hmac"}));
  server->add_option("--server-password", a->server_password, "SRVCRED secret");
  server->add_option("--server-nonce", a->server_nonce_hex,
                     "hex SRVCRED nonce the client gave the server");
  server->add_option(
      "--max-msg-size", a->max_msg_size,
      "MaxMsgSize the server advertises and enforces (0 = none)");
  server->add_option("--fault", a->faults,
                     "inject a fault (repeatable); see `omaiop dm faults`");
  server->add_flag("--json", a->json,
                   "one JSON object per line per message and per violation");
  server
      ->add_option("--count", a->count,
                   "exit after N sessions ended (0 = until SIGINT)")
      ->check(CLI::NonNegativeNumber);
  server->footer(
      "Exit status: 0 no client broke a rule; 1 some rule was broken; 3 tool "
      "failure (bad options, port in use, unreadable script).");
  server->callback([&ctx, a] { ctx.exit_code = RunServer(*a); });
}

}  // namespace omaiop::cli
