// `omaiop dm faults` (the fault knobs of the simulated DM server) and
// `omaiop dm server` (a scripted OMA DM 1.2 server real clients connect to;
// every message is logged decoded, every rule a client breaks is reported).
#include <atomic>
#include <chrono>
#include <csignal>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <thread>

#include "codec/bytes.h"
#include "harness/cli/commands.h"
#include "harness/cli/smpp_submit.h"
#include "sim/servers/dm_faults.h"
#include "sim/servers/dm_notification_push.h"
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
  // Package 0 over SMS through an SMSC (dm.md §3.2 row 0, §3.8).
  SmppSubmitArgs notify;
  std::string notify_secret, notify_nonce_hex, notify_ui = "not-specified";
  unsigned notify_session = 1;
};

// Builds package 0 for the server's ServerID and submits it as a WSP push
// over SMPP (--notify-smsc); the server then expects the Alert 1200 session
// with that SessionID. Returns false on a tool failure (said on stderr).
bool SendNotification(servers::DmServer& server, const ServerArgs& a,
                      const servers::DmServerConfig& cfg, bool as_json) {
  servers::Package0Options p;
  p.server_password =
      a.notify_secret.empty() ? cfg.server_password : a.notify_secret;
  p.nonce = cfg.server_nonce;
  if (!a.notify_nonce_hex.empty()) {
    auto n = codec::ParseHex(a.notify_nonce_hex);
    if (!n.ok()) {
      std::cerr << "omaiop: --notify-nonce must be hex\n";
      return false;
    }
    p.nonce = *n;
  }
  p.session_id = static_cast<std::uint16_t>(a.notify_session);
  static const std::map<std::string, codec::DmUiMode> kUi = {
      {"not-specified", codec::DmUiMode::kNotSpecified},
      {"background", codec::DmUiMode::kBackground},
      {"informative", codec::DmUiMode::kInformative},
      {"user-interaction", codec::DmUiMode::kUserInteraction}};
  p.ui_mode = kUi.at(a.notify_ui);
  SmppSubmitSink sink(a.notify);
  codec::Status delivered = codec::OkStatus();
  codec::Bytes pkg0 = server.NotifySession(p, [&](const codec::Bytes& b) {
    auto segments = servers::ComposePackage0Sms(b);
    if (!segments.ok()) {
      delivered = segments.error();
      return;
    }
    delivered = sink.Deliver(*segments, a.notify.to);
  });
  if (!delivered.ok()) {
    std::cerr << "omaiop: package 0 not delivered: "
              << delivered.error().ToString() << "\n";
    return false;
  }
  const std::string sid = codec::SessionIdForSyncHdr(p.session_id);
  if (as_json)
    std::cout << json{{"type", "notification"},
                      {"to", a.notify.to},
                      {"smsc", a.notify.smsc},
                      {"session_id", sid},
                      {"ui_mode", a.notify_ui},
                      {"message_ids", sink.message_ids()},
                      {"pkg0", codec::ToHex(pkg0)}}
                     .dump()
              << "\n";
  else
    std::cout << "# package 0 (session " << sid << ") sent to " << a.notify.to
              << " via " << a.notify.smsc << ": " << codec::ToHex(pkg0) << "\n";
  return true;
}

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop = true; }

void PrintEvent(const servers::DmEvent& e, bool as_json) {
  using K = servers::DmEvent::Kind;
  if (as_json) {
    if (e.kind == K::kMessage)
      std::cout << e.message->ToJson() << "\n";
    else if (e.kind == K::kViolation)
      std::cout << e.violation->ToJson() << "\n";
    else {
      json los = json::array();
      for (const auto& lo : e.session->large_objects)
        los.push_back({{"uri", lo.uri},
                       {"size", lo.size ? json(*lo.size) : json(nullptr)},
                       {"received", lo.data.size()},
                       {"chunks", lo.chunks},
                       {"status", lo.status}});
      // Client alerts other than 1200/1201/1222/1223, e.g. FUMO's 1226.
      json alerts = json::array();
      for (const auto& ca : e.session->client_alerts) {
        const auto& a = ca.alert;
        const codec::Item* it = a.items.empty() ? nullptr : &a.items[0];
        json j = {{"msg_id", ca.msg_id}, {"code", a.data.value_or("")}};
        if (it && it->source) j["source"] = it->source->loc_uri;
        if (it && it->meta && it->meta->type) j["meta_type"] = *it->meta->type;
        if (it && it->meta && it->meta->mark) j["mark"] = *it->meta->mark;
        if (it && it->data) j["data"] = it->data->AsText();
        if (a.correlator) j["correlator"] = *a.correlator;
        alerts.push_back(j);
      }
      std::cout << json{{"type", "session_end"},
                        {"session", e.session->key},
                        {"authenticated", e.session->authenticated},
                        {"packages_sent", e.session->packages_sent},
                        {"violations", e.session->violations.size()},
                        {"large_objects", los},
                        {"client_alerts", alerts}}
                       .dump(-1, ' ', false, json::error_handler_t::replace)
                << "\n";
    }
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
  if (a.notify.smsc.empty() != a.notify.to.empty()) {
    std::cerr << "omaiop: --notify-smsc and --notify-to go together\n";
    return kExitToolFailure;
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
  if (!a.notify.smsc.empty() && !SendNotification(server, a, cfg, as_json)) {
    server.Stop();
    return kExitToolFailure;
  }
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
  AddSmppSubmitOptions(server, a->notify, "notify-", /*required=*/false);
  server->add_option("--notify-secret", a->notify_secret,
                     "SRVCRED secret for the package 0 digest (default "
                     "--server-password)");
  server->add_option("--notify-nonce", a->notify_nonce_hex,
                     "hex SRVCRED nonce for the digest (default "
                     "--server-nonce)");
  server
      ->add_option("--notify-session", a->notify_session,
                   "package 0 session id, 1..65535 (default 1)")
      ->check(CLI::Range(1u, 65535u));
  server->add_option("--notify-ui", a->notify_ui, "package 0 UI mode")
      ->check(CLI::IsMember(
          {"not-specified", "background", "informative", "user-interaction"}));
  server->footer(
      "Server-initiated sessions: with --notify-smsc HOST:PORT --notify-to "
      "MSISDN the server sends package 0 (dm.md §3.8) as a WSP push over "
      "SMPP once it listens, and expects the Alert 1200 session.\n"
      "Exit status: 0 no client broke a rule; 1 some rule was broken; 3 tool "
      "failure (bad options, port in use, unreadable script, package 0 not "
      "delivered).");
  server->callback([&ctx, a] { ctx.exit_code = RunServer(*a); });
}

}  // namespace omaiop::cli
