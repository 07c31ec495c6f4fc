// `omaiop dm client`: the simulated handset opens a DM 1.2 session with a
// server (sim/handset/dm/session.h). Two ways to get the account:
//  - options: the tree holds the standard objects and one ./DMAcc account
//    built from --server-id/--auth/--user/--secret...; --json prints one
//    JSON document;
//  - a card (--profile CARD or --reader NAME): a simulated Handset is
//    powered on with that card, the DM account the card's DM bootstrap (EF
//    DM_Bootstrap via PKCS#15, dm.md §1.3) put into ./DMAcc is used (its
//    server address replaced by --server), and the FUMO behaviour with card
//    authorisation (sim/handset/dm/fumo.h) answers ./FUMO Execs; --json
//    prints one JSON object per line.
// Both print every message exchanged, each command's status and the
// decision trace.
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>

#include "codec/bytes.h"
#include "harness/cli/card_source.h"
#include "harness/cli/commands.h"
#include "sim/handset/dm/dm_bootstrap.h"
#include "sim/handset/dm/fumo.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
#include "sim/reader/pcsc_reader.h"

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
  // Card mode.
  std::string profile, reader, pin1, account, fumo_report = "same";
  bool no_card_auth = false;
  int fumo_no_match = 404, fumo_card_unavailable = 405;
};

dm::UserInterface ScriptedUser(const std::string& ui) {
  return [ui](const dm::UiRequest& r) {
    dm::UiAnswer ans;
    if (ui == "reject") ans.kind = dm::UiAnswer::Kind::kReject;
    if (ui == "cancel") ans.kind = dm::UiAnswer::Kind::kCancel;
    if (ans.kind == dm::UiAnswer::Kind::kAccept &&
        (r.alert_code == 1103 || r.alert_code == 1104))
      ans.data = {"1"};
    return ans;
  };
}

std::string AuthTypeName(const std::string& a) {
  if (a == "basic") return "BASIC";
  if (a == "hmac") return "HMAC";
  return "DIGEST";
}

int RunClient(const DmClientArgs& a) {
  dm::Tree tree;
  if (a.server.empty()) {
    std::cerr << "omaiop: dm client: --server is required without --profile "
                 "/ --reader\n";
    return kExitToolFailure;
  }
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
  opt.ui = ScriptedUser(a.ui);
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

// --- card mode
// -----------------------------------------------------------------

json EventJson(std::string_view source, const dm::DmEvent& e) {
  return {{"type", "event"},
          {"source", source},
          {"kind", dm::DmEventKindName(e.kind)},
          {"rule", e.rule},
          {"detail", e.detail}};
}

void Line(const json& j) {
  std::cout << j.dump(-1, ' ', false, json::error_handler_t::replace) << "\n";
}

// Fails with a message for the user (exit 3).
int SetupFailure(const std::string& what) {
  std::cerr << "omaiop: dm client: " << what << "\n";
  return kExitToolFailure;
}

int RunCardClient(const DmClientArgs& a) {
  // The card, behind a reader.
  std::unique_ptr<sim::reader::CardReader> reader;
  std::string card_name;
  if (!a.reader.empty()) {
    auto r = sim::reader::PcscReader::Open(a.reader);
    if (!r.ok()) return SetupFailure("--reader: " + r.error().ToString());
    card_name = (*r)->name();
    reader = std::move(*r);
  } else {
    auto card = LoadCardProfile(a.profile);
    if (!card.ok())
      return SetupFailure("--profile: " + card.error().ToString());
    auto in = std::make_unique<sim::reader::InProcessReader>("in-process");
    in->Insert(std::shared_ptr<sim::uicc::Card>(std::move(*card)));
    card_name = a.profile;
    reader = std::move(in);
  }
  sim::handset::HandsetOptions ho;
  if (!a.pin1.empty()) ho.card.pin1 = a.pin1;
  ho.dm_device.dev_id = a.dev_id;
  sim::handset::Handset handset(*reader, ho);
  // A document that cannot be read (e.g. ProvSC Config2 without PIN1) is a
  // card_error event, not a reason to stop: the DM bootstrap is read anyway.
  codec::Status powered = handset.PowerOn();
  if (handset.loaded_iccid().empty())
    return SetupFailure(
        "no usable card in " + reader->name() +
        (powered.ok() ? std::string() : ": " + powered.error().ToString()));
  // The handset's DM tree, with the card's DM bootstrap applied at power-on
  // (Handset::dm_tree(); dm.md §1.2).
  dm::Tree& t = handset.dm_tree();
  if (!handset.dm_bootstrap())
    return SetupFailure("card " + card_name +
                        " has no DM bootstrap (PKCS#15 OID 2.23.43.7.1)");
  const auto& report = handset.dm_bootstrap_report();
  if (!report)
    return SetupFailure(
        "the card's DM bootstrap was not applied (see the "
        "handset events: " +
        std::to_string(handset.CountEvents("dm_bootstrap_failed")) +
        " dm_bootstrap_failed)");

  // The account the card bootstrapped.
  std::vector<std::string> accounts = handset.card_dm_accounts();
  std::string acc_uri;
  for (const auto& u : accounts) {
    if (a.account.empty()) {
      acc_uri = u;
      break;
    }
    const dm::Node* sid = t.Find(u + "/ServerID");
    if (u.substr(u.rfind('/') + 1) == a.account ||
        (sid && sid->value == a.account)) {
      acc_uri = u;
      break;
    }
  }
  if (acc_uri.empty())
    return SetupFailure(
        accounts.empty() ? "the card's DM bootstrap put no account into ./DMAcc"
                         : "no DM account '" + a.account + "' from the card");
  auto account = dm::AccountFromTree(t, acc_uri);
  if (!account.ok()) return SetupFailure(account.error().ToString());
  const std::string card_addr = account->server_url;
  if (!a.server.empty()) account->server_url = a.server;

  // FUMO with card authorisation.
  dm::FumoOptions fo;
  fo.require_card_authorisation = !a.no_card_auth;
  fo.code_no_match = a.fumo_no_match;
  fo.code_card_unavailable = a.fumo_card_unavailable;
  fo.report = a.fumo_report == "next" ? dm::FumoReportTiming::kNextSession
                                      : dm::FumoReportTiming::kSameSession;
  fo.http.tls.ca_file = a.ca_file;
  if (a.insecure) fo.http.tls.verify_peer = false;
  dm::FumoAgent fumo(t, fo,
                     dm::CardSessionAuthSource(handset.session(), fo.card));
  if (auto r = fumo.Install(); !r.ok())
    return SetupFailure("FUMO: " + r.reason);

  dm::DmClientOptions opt;
  opt.wbxml = a.wbxml;
  opt.http.tls.ca_file = a.ca_file;
  if (a.insecure) opt.http.tls.verify_peer = false;
  opt.ui = ScriptedUser(a.ui);
  opt.account_uri = acc_uri;
  opt.generic_alerts = fumo.AlertSource();
  dm::DmClient client(t, *account, opt);
  dm::DmSessionOutcome o;
  if (a.trigger == "server") {
    o = client.RunSession(
        dm::SessionTrigger::Server(a.session_id.empty() ? "1" : a.session_id));
  } else {
    dm::SessionTrigger tr;
    tr.session_id = a.session_id;
    o = client.RunSession(tr);
  }
  // With report=next the update runs at the next session; a one-shot
  // command has none, so what is pending is said, not run.
  int code = o.ok() ? kExitOk : kExitFail;
  if (o.error && o.error->rule.rfind("net.", 0) == 0) code = kExitInconc;
  const char* verdict = o.ok() ? "completed" : o.aborted ? "aborted" : "failed";

  if (a.json) {
    for (const auto& e : handset.events())
      Line({{"type", "handset_event"},
            {"kind", e.kind},
            {"rule", e.rule},
            {"detail", e.detail}});
    Line({{"type", "account"},
          {"uri", acc_uri},
          {"server_id", account->server_id},
          {"card_address", card_addr},
          {"server_url", account->server_url},
          {"origin", handset.card_origin()},
          {"bootstrap_items", report->items.size()},
          {"bootstrap_ok", report->ok()}});
    int index = 0;
    for (const auto& m : client.messages())
      Line({{"type", "message"},
            {"index", index++},
            {"direction", m.sent ? "sent" : "received"},
            {"content_type", m.content_type},
            {"wire_size", m.wire_size},
            {"http_status", m.http_status},
            {"xml", m.xml}});
    for (const auto& c : o.commands)
      Line({{"type", "command"},
            {"cmd", c.cmd},
            {"uri", c.uri},
            {"code", c.code},
            {"reason", c.reason}});
    for (const auto& g : o.generic_alerts) {
      json j = {{"type", "generic_alert"},    {"msg_id", g.msg_id},
                {"cmd_id", g.cmd_id},         {"source", g.alert.source_uri},
                {"alert_type", g.alert.type}, {"format", g.alert.format},
                {"data", g.alert.data},       {"server_status", g.status}};
      if (g.alert.correlator) j["correlator"] = *g.alert.correlator;
      if (g.alert.mark) j["mark"] = *g.alert.mark;
      Line(j);
    }
    for (const auto& e : client.trace().events()) Line(EventJson("dm", e));
    for (const auto& e : fumo.trace().events()) Line(EventJson("fumo", e));
    json out = {
        {"type", "outcome"},
        {"verdict", verdict},
        {"completed", o.completed},
        {"aborted", o.aborted},
        {"client_authenticated", o.client_authenticated},
        {"server_authenticated", o.server_authenticated},
        {"session_id", o.session_id},
        {"messages_sent", o.messages_sent},
        {"messages_received", o.messages_received},
        {"fumo_state", fumo.state()},
        {"fumo_pending", fumo.has_pending()},
        {"firmware_version",
         t.Find("./DevDetail/FwV") ? t.Find("./DevDetail/FwV")->value : ""}};
    if (o.error) out["error"] = o.error->ToString();
    Line(out);
    return code;
  }

  std::cout << "card " << card_name << " (" << handset.card_origin()
            << "), DM account " << acc_uri << ": ServerID "
            << account->server_id << ", card address " << card_addr
            << (a.server.empty() ? "" : ", session to " + a.server) << "\n";
  int index = 0;
  for (const auto& m : client.messages())
    std::cout << "--- message " << index++ << " "
              << (m.sent ? "sent" : "received") << " (" << m.content_type
              << ", " << m.wire_size << " octets"
              << (m.sent ? "" : ", HTTP " + std::to_string(m.http_status))
              << ")\n"
              << m.xml << (m.xml.empty() || m.xml.back() != '\n' ? "\n" : "");
  std::cout << "--- commands\n";
  for (const auto& c : o.commands)
    std::cout << c.cmd << " " << c.uri << " -> " << c.code
              << (c.reason.empty() ? "" : " (" + c.reason + ")") << "\n";
  if (!o.generic_alerts.empty()) std::cout << "--- generic alerts\n";
  for (const auto& g : o.generic_alerts)
    std::cout << "1226 " << g.alert.source_uri << " " << g.alert.type
              << " data " << g.alert.data
              << (g.alert.correlator ? " correlator " + *g.alert.correlator
                                     : "")
              << (g.alert.mark ? " mark " + *g.alert.mark : "")
              << " -> server status " << g.status << "\n";
  std::cout << "--- handset\n";
  for (const auto& e : handset.events())
    std::cout << e.kind << ": " << e.detail
              << (e.rule.empty() ? "" : " [" + e.rule + "]") << "\n";
  std::cout << "--- trace\n" << client.trace().ToString();
  std::cout << "--- fumo\n" << fumo.trace().ToString();
  std::cout << "--- outcome: " << verdict << ", session " << o.session_id
            << ", " << o.messages_sent << " sent / " << o.messages_received
            << " received, FUMO State " << fumo.state()
            << (fumo.has_pending() ? " (operation pending: --fumo-report next)"
                                   : "");
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
      "handset's tree; prints every message, each command's status and the "
      "decision trace. The account comes from the options below, or, with "
      "--profile/--reader, from the card's DM bootstrap (then FUMO Execs are "
      "answered with the card authorising the package)");
  client->add_option("--server", a->server,
                     "DM server URL (DMAcc AppAddr); with --profile/--reader "
                     "it replaces the address the card bootstrapped. "
                     "Required without a card");
  client->add_option("--server-id", a->server_id,
                     "DMAcc ServerID (default omaiop-dms; not with a card)");
  client
      ->add_option("--auth", a->auth,
                   "client credentials: md5 (default), basic, hmac, none "
                   "(not with a card)")
      ->check(CLI::IsMember({"md5", "basic", "hmac", "none"}));
  client->add_option("--user", a->user,
                     "CLCRED AAuthName (default handset; not with a card)");
  client->add_option("--secret", a->secret,
                     "CLCRED AAuthSecret (not with a card)");
  client->add_option("--nonce", a->nonce_hex,
                     "CLCRED nonce (hex octets; not with a card)");
  client->add_option("--server-secret", a->server_secret,
                     "SRVCRED AAuthSecret: check the server's credentials "
                     "(not with a card)");
  client
      ->add_option("--server-auth", a->server_auth,
                   "SRVCRED type: md5 (default), basic, hmac (not with a "
                   "card)")
      ->check(CLI::IsMember({"md5", "basic", "hmac"}));
  client->add_option("--server-user", a->server_user,
                     "SRVCRED AAuthName (default the ServerID; not with a "
                     "card)");
  client->add_option("--server-nonce", a->server_nonce_hex,
                     "SRVCRED nonce (hex octets; not with a card)");
  client->add_option("--dev-id", a->dev_id, "./DevInfo/DevId");
  auto* profile = client->add_option(
      "--profile", a->profile,
      "card: a shipped profile name (uicc-3g, sim-2g, ruim, csim) or a "
      "profile XML file, in an in-process reader. The handset powers on with "
      "it and uses the DM account its DM bootstrap (EF DM_Bootstrap via "
      "PKCS#15) put into ./DMAcc");
  client
      ->add_option("--reader", a->reader,
                   "card: a PC/SC reader (name substring or index) instead "
                   "of --profile")
      ->excludes(profile);
  client->add_option("--pin1", a->pin1,
                     "card PIN1 given to the handset (e.g. 1234 on the "
                     "shipped profiles). Without it, PIN1-protected files "
                     "(EF.FUMO-Auth) cannot be read");
  client->add_option("--account", a->account,
                     "card: the DMAcc node name or ServerID to use (default "
                     "the first account the card bootstrapped)");
  client
      ->add_option("--fumo-report", a->fumo_report,
                   "card: when a FUMO Exec's result (Generic Alert 1226) is "
                   "sent: same (default: the update runs and is reported in "
                   "this session) or next (at the next session's package 1; "
                   "this command then only shows the operation pending)")
      ->check(CLI::IsMember({"same", "next"}));
  client->add_flag("--no-card-auth", a->no_card_auth,
                   "card: accept every FUMO package without checking its "
                   "SHA-256 against EF.FUMO-Auth");
  client
      ->add_option("--fumo-code-no-match", a->fumo_no_match,
                   "card: FUMO ResultCode when the package's SHA-256 is on "
                   "no EF.FUMO-Auth record (default 404)")
      ->check(CLI::Range(100, 999));
  client
      ->add_option("--fumo-code-card-unavailable", a->fumo_card_unavailable,
                   "card: FUMO ResultCode when the card cannot be consulted "
                   "(no card, no PIN1, EF unreadable; default 405)")
      ->check(CLI::Range(100, 999));
  client
      ->add_option("--trigger", a->trigger,
                   "client (Alert 1201, default) or server (Alert 1200)")
      ->check(CLI::IsMember({"client", "server"}));
  client->add_option("--session-id", a->session_id, "SyncHdr SessionID");
  client->add_option("--pkg0", a->pkg0_hex,
                     "start from this package 0 (hex): digest checked with "
                     "the SRVCRED secret and nonce (not with a card)");
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
  client->add_flag("--json", a->json,
                   "print JSON: with a card one object per line (type "
                   "handset_event, account, message, command, "
                   "generic_alert, event, outcome); without, one document");
  client->callback([&ctx, a] {
    bool card = !a->profile.empty() || !a->reader.empty();
    if (card && !a->pkg0_hex.empty()) {
      std::cerr << "omaiop: dm client: --pkg0 is not supported with a card\n";
      ctx.exit_code = kExitToolFailure;
      return;
    }
    ctx.exit_code = card ? RunCardClient(*a) : RunClient(*a);
  });
}

}  // namespace omaiop::cli
