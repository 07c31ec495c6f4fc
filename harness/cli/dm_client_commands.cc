// `omaiop dm client`: the simulated handset opens a DM 1.2 session with a
// server (sim/handset/dm/session.h). The handset's tree holds the standard
// objects and one ./DMAcc account built from the options (the card
// bootstrap path, --profile, is wired separately); the decision trace and
// every message exchanged are printed (text or --json).
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "codec/bytes.h"
#include "harness/cli/commands.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"

namespace omaiop::cli {

namespace {

using nlohmann::json;
namespace dm = sim::handset::dm;

struct DmClientArgs {
  std::string server, server_id = "omaiop-dms", auth = "md5", user = "handset",
                      secret, nonce_hex, server_secret, server_auth = "md5",
                      server_user, server_nonce_hex, ca_file, ui = "accept",
                      dev_id = "IMEI:490154203237518", trigger = "client",
                      session_id, pkg0_hex;
  bool wbxml = false, json = false, insecure = false;
};

std::string AuthTypeName(const std::string& a) {
  if (a == "basic") return "BASIC";
  if (a == "hmac") return "HMAC";
  return "DIGEST";
}

int RunClient(const DmClientArgs& a) {
  dm::Tree tree;
  dm::DeviceConfig cfg;
  cfg.dev_id = a.dev_id;
  dm::DmAccountConfig acc;
  acc.server_id = a.server_id;
  acc.addr = a.server;
  acc.origin = "cli";
  auto hex_nonce = [](const std::string& h) -> codec::Result<std::string> {
    if (h.empty()) return std::string();
    OMAIOP_ASSIGN_OR_RETURN(codec::Bytes b, codec::ParseHex(h));
    return codec::AsString(b);
  };
  auto cn = hex_nonce(a.nonce_hex);
  auto sn = hex_nonce(a.server_nonce_hex);
  if (!cn.ok() || !sn.ok()) {
    std::cerr << "omaiop: --nonce / --server-nonce must be hex\n";
    return kExitToolFailure;
  }
  if (a.auth != "none")
    acc.auths.push_back(
        {"", "CLCRED", AuthTypeName(a.auth), a.user, a.secret, *cn});
  if (!a.server_secret.empty())
    acc.auths.push_back({"", "SRVCRED", AuthTypeName(a.server_auth),
                         a.server_user.empty() ? a.server_id : a.server_user,
                         a.server_secret, *sn});
  cfg.accounts.push_back(acc);
  dm::OpResult built = dm::BuildStandardObjects(tree, cfg);
  if (!built.ok()) {
    std::cerr << "omaiop: cannot build the handset tree: " << built.reason
              << "\n";
    return kExitToolFailure;
  }
  auto account =
      dm::AccountFromTree(tree, "./DMAcc/" + dm::AccountNodeName(a.server_id));
  if (!account.ok()) {
    std::cerr << "omaiop: " << account.error().ToString() << "\n";
    return kExitToolFailure;
  }
  dm::DmClientOptions opt;
  opt.wbxml = a.wbxml;
  opt.http.tls.ca_file = a.ca_file;
  if (a.insecure) opt.http.tls.verify_peer = false;
  const std::string ui = a.ui;
  opt.ui = [ui](const dm::UiRequest& r) {
    dm::UiAnswer ans;
    if (ui == "reject") ans.kind = dm::UiAnswer::Kind::kReject;
    if (ui == "cancel") ans.kind = dm::UiAnswer::Kind::kCancel;
    if (ans.kind == dm::UiAnswer::Kind::kAccept &&
        (r.alert_code == 1103 || r.alert_code == 1104))
      ans.data = {"1"};
    return ans;
  };
  dm::DmClient client(tree, *account, opt);
  dm::DmSessionOutcome o;
  if (!a.pkg0_hex.empty()) {
    auto p0 = codec::ParseHex(a.pkg0_hex);
    if (!p0.ok()) {
      std::cerr << "omaiop: --pkg0 must be hex\n";
      return kExitToolFailure;
    }
    o = client.OnPackage0(*p0);
  } else if (a.trigger == "server") {
    o = client.RunSession(
        dm::SessionTrigger::Server(a.session_id.empty() ? "1" : a.session_id));
  } else {
    dm::SessionTrigger t;
    t.session_id = a.session_id;
    o = client.RunSession(t);
  }

  int code = o.ok() ? kExitOk : kExitFail;
  if (o.error && o.error->rule.rfind("net.", 0) == 0) code = kExitInconc;
  if (a.json) {
    json j;
    j["completed"] = o.completed;
    j["aborted"] = o.aborted;
    j["client_authenticated"] = o.client_authenticated;
    j["server_authenticated"] = o.server_authenticated;
    j["session_id"] = o.session_id;
    j["messages_sent"] = o.messages_sent;
    j["messages_received"] = o.messages_received;
    if (o.error) j["error"] = o.error->ToString();
    j["commands"] = json::array();
    for (const auto& c : o.commands)
      j["commands"].push_back({{"cmd", c.cmd},
                               {"uri", c.uri},
                               {"code", c.code},
                               {"reason", c.reason}});
    j["trace"] = json::array();
    for (const auto& e : client.trace().events())
      j["trace"].push_back({{"kind", dm::DmEventKindName(e.kind)},
                            {"rule", e.rule},
                            {"detail", e.detail}});
    j["messages"] = json::array();
    for (const auto& m : client.messages())
      j["messages"].push_back({{"direction", m.sent ? "sent" : "received"},
                               {"content_type", m.content_type},
                               {"wire_size", m.wire_size},
                               {"http_status", m.http_status},
                               {"xml", m.xml}});
    j["tree"] = tree.ToJson(/*redact_secrets=*/true);
    std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
    return code;
  }
  for (const auto& m : client.messages())
    std::cout << "--- " << (m.sent ? "sent" : "received") << " ("
              << m.content_type << ", " << m.wire_size << " octets)\n"
              << m.xml << "\n";
  std::cout << "--- trace\n" << client.trace().ToString();
  std::cout << "--- outcome: "
            << (o.ok()      ? "completed"
                : o.aborted ? "aborted"
                            : "failed")
            << ", session " << o.session_id << ", " << o.messages_sent
            << " sent / " << o.messages_received << " received";
  if (o.error) std::cout << ": " << o.error->ToString();
  std::cout << "\n";
  return code;
}

}  // namespace

void AddDmClientCommand(CLI::App& dmc, CommandContext& ctx) {
  auto a = std::make_shared<DmClientArgs>();
  auto* client = dmc.add_subcommand(
      "client",
      "Open a DM session with a server as the simulated handset: package 1 "
      "(Alert 1201/1200 + DevInfo), then answer the server's commands on the "
      "handset's tree; prints every message and the decision trace");
  client->add_option("--server", a->server, "DM server URL (DMAcc AppAddr)")
      ->required();
  client->add_option("--server-id", a->server_id,
                     "DMAcc ServerID (default omaiop-dms)");
  client
      ->add_option("--auth", a->auth,
                   "client credentials: md5 (default), basic, hmac, none")
      ->check(CLI::IsMember({"md5", "basic", "hmac", "none"}));
  client->add_option("--user", a->user, "CLCRED AAuthName (default handset)");
  client->add_option("--secret", a->secret, "CLCRED AAuthSecret");
  client->add_option("--nonce", a->nonce_hex, "CLCRED nonce (hex octets)");
  client->add_option("--server-secret", a->server_secret,
                     "SRVCRED AAuthSecret: check the server's credentials");
  client
      ->add_option("--server-auth", a->server_auth,
                   "SRVCRED type: md5 (default), basic, hmac")
      ->check(CLI::IsMember({"md5", "basic", "hmac"}));
  client->add_option("--server-user", a->server_user,
                     "SRVCRED AAuthName (default the ServerID)");
  client->add_option("--server-nonce", a->server_nonce_hex,
                     "SRVCRED nonce (hex octets)");
  client->add_option("--dev-id", a->dev_id, "./DevInfo/DevId");
  client
      ->add_option("--trigger", a->trigger,
                   "client (Alert 1201, default) or server (Alert 1200)")
      ->check(CLI::IsMember({"client", "server"}));
  client->add_option("--session-id", a->session_id, "SyncHdr SessionID");
  client->add_option("--pkg0", a->pkg0_hex,
                     "start from this package 0 (hex): digest checked with "
                     "the SRVCRED secret and nonce");
  client
      ->add_option("--ui", a->ui,
                   "scripted user for UI alerts: accept (default), reject, "
                   "cancel")
      ->check(CLI::IsMember({"accept", "reject", "cancel"}));
  client->add_option("--ca", a->ca_file, "PEM trust anchors for https")
      ->check(CLI::ExistingFile);
  client->add_flag("--insecure", a->insecure,
                   "do not verify the server certificate");
  client->add_flag("--wbxml", a->wbxml,
                   "send application/vnd.syncml.dm+wbxml (default +xml)");
  client->add_flag("--json", a->json, "print JSON");
  client->callback([&ctx, a] { ctx.exit_code = RunClient(*a); });
}

}  // namespace omaiop::cli
