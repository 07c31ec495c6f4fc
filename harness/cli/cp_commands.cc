// `omaiop cp faults` (the fault knobs of the simulated CP push server) and
// `omaiop cp compose` (a CP push as SMS segments, with any faults injected,
// ready for `omaiop decode` or a handset under test) and `omaiop cp push`
// (the same push submitted to an SMSC over SMPP through smsc::SmppPushSink).
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "harness/cli/commands.h"
#include "harness/cli/security_options.h"
#include "harness/cli/smpp_submit.h"
#include "sim/servers/cp_push_server.h"
#include "sim/servers/faults.h"

namespace omaiop::cli {

namespace {

using nlohmann::json;
namespace servers = sim::servers;

nlohmann::json FaultJson(const servers::FaultInfo& f) {
  return {{"name", f.name},
          {"layer", servers::FaultLayerName(f.layer)},
          {"description", f.description},
          {"rule", f.rule},
          {"handset_must", servers::HandsetMustName(f.expected)},
          {"expected", f.expected_detail}};
}

int RunFaults(bool as_json) {
  if (as_json) {
    json j = json::array();
    for (const auto& f : servers::AllFaults()) j.push_back(FaultJson(f));
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  for (const auto& f : servers::AllFaults()) {
    std::cout << f.name << "  [" << servers::FaultLayerName(f.layer)
              << "; handset must " << servers::HandsetMustName(f.expected)
              << "]\n"
              << "    " << f.description << "\n"
              << "    breaks: " << f.rule << "\n"
              << "    handset: " << f.expected_detail << "\n";
  }
  return kExitOk;
}

std::string KnownFaultNames() {
  std::string s;
  for (const auto& f : servers::AllFaults()) {
    if (!s.empty()) s += ", ";
    s += f.name;
  }
  return s;
}

struct ComposeArgs {
  std::string file, sec = "none", imsi, pin, initiator, cp_version = "1.1";
  std::vector<std::string> faults;
  bool authenticated = false, json = false, no_string_table = false;
  bool concat_16bit = false;  // also below --ref 256 (cp push --mode sar)
  int wbxml_version = 3;
  unsigned ref = 0, src_port = codec::kWdpPortWspConnless, tid = 1;
  std::size_t max_ud = codec::kSmsMaxUserData;
};

// The composition `cp compose` and `cp push` share: options -> push. On
// failure prints why and returns nullopt (exit status 3).
std::optional<servers::ComposedPush> ComposeFromArgs(const ComposeArgs& a) {
  const std::string& s = a.sec;
  if ((s == "NETWPIN" || s == "USERNETWPIN") && a.imsi.empty()) {
    std::cerr << "omaiop: --sec " << s << " needs --imsi\n";
    return std::nullopt;
  }
  if ((s == "USERPIN" || s == "USERNETWPIN" || s == "USERPINMAC") &&
      a.pin.empty()) {
    std::cerr << "omaiop: --sec " << s << " needs --pin\n";
    return std::nullopt;
  }
  servers::ComposeOptions o;
  for (const auto& name : a.faults) {
    auto id = servers::FaultByName(name);
    if (!id) {
      std::cerr << "omaiop: unknown fault '" << name
                << "'; known faults: " << KnownFaultNames() << "\n";
      return std::nullopt;
    }
    o.faults.push_back(*id);
  }
  if (a.sec != "none") {
    for (std::uint32_t v = 0; v <= 3; ++v) {
      auto m = *codec::SecMethodFromWire(v);
      if (codec::SecMethodName(m) == a.sec) o.sec = m;
    }
  }
  o.imsi = a.imsi;
  o.pin = a.pin;
  static const std::map<std::string, codec::ProvVersion> versions = {
      {"1.0", codec::ProvVersion::k10},
      {"1.1", codec::ProvVersion::k11},
      {"wlan", codec::ProvVersion::k11Wlan}};
  o.cp_version = versions.at(a.cp_version);
  o.wbxml.version = static_cast<std::uint8_t>(a.wbxml_version);
  o.wbxml.use_string_table = !a.no_string_table;
  if (!a.initiator.empty()) o.initiator_uri = a.initiator;
  o.initiator_authenticated = a.authenticated;
  o.tid = static_cast<std::uint8_t>(a.tid);
  o.src_port = static_cast<std::uint16_t>(a.src_port);
  o.concat_reference = static_cast<std::uint16_t>(a.ref);
  o.concat_16bit = a.concat_16bit || a.ref > 0xFF;
  o.max_user_data = a.max_ud;

  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::cerr << "omaiop: cannot read '" << a.file << "'\n";
    return std::nullopt;
  }
  std::string text{std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>()};
  auto push = servers::CpPushServer().Compose(text, o);
  if (!push.ok()) {
    std::cerr << "omaiop: " << a.file << ": " << push.error().ToString()
              << "\n";
    return std::nullopt;
  }
  return std::move(*push);
}

nlohmann::json AppliedJson(const servers::ComposedPush& push) {
  json applied = json::array();
  for (const auto& f : push.applied) {
    json e = FaultJson(servers::InfoOf(f.id));
    e["detail"] = f.detail;
    applied.push_back(std::move(e));
  }
  return applied;
}

// '#' comment lines describing a composed push (SEC, PIN, faults).
void PrintPushComments(const ComposeArgs& a, const servers::ComposedPush& p) {
  std::cout << "# CP push, SEC " << a.sec
            << (p.mac.empty() ? "" : ", MAC " + p.mac) << "\n";
  if (p.user_pin)
    std::cout << "# PIN to hand the user: " << *p.user_pin << "\n";
  if (p.applied.empty()) std::cout << "# faults applied: none\n";
  for (const auto& f : p.applied) {
    const auto& info = servers::InfoOf(f.id);
    std::cout << "# fault " << info.name << " ("
              << servers::FaultLayerName(info.layer) << "): " << f.detail
              << "\n#   handset must "
              << servers::HandsetMustName(info.expected) << ": "
              << info.expected_detail << "\n";
  }
}

int RunCompose(const ComposeArgs& a) {
  auto push = ComposeFromArgs(a);
  if (!push) return kExitToolFailure;
  if (a.json) {
    json j;
    j["sec"] = a.sec;
    j["mac"] = push->mac.empty() ? json(nullptr) : json(push->mac);
    j["user_pin"] = push->user_pin ? json(*push->user_pin) : json(nullptr);
    j["document_xml"] = push->document_xml;
    j["wbxml"] = codec::ToHex(push->wbxml);
    j["wsp_pdu"] = codec::ToHex(push->wsp_pdu);
    auto& segs = j["segments"] = json::array();
    for (const auto& s : push->segments) segs.push_back(codec::ToHex(s));
    j["applied"] = AppliedJson(*push);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  // '#' lines are comments for `omaiop decode FILE`: the output feeds it.
  PrintPushComments(a, *push);
  std::cout << "# WBXML " << push->wbxml.size() << " octets, WSP PDU "
            << push->wsp_pdu.size() << " octets; " << push->segments.size()
            << " SMS segment(s) follow, one per line\n";
  for (const auto& s : push->segments) std::cout << codec::ToHex(s) << "\n";
  return kExitOk;
}

// The composition options `cp compose` and `cp push` share.
void AddComposeOptions(CLI::App* cmd, ComposeArgs& args) {
  cmd->add_option("DOC.xml", args.file, "CP document")
      ->required()
      ->check(CLI::ExistingFile);
  AddSecurityOptions(cmd, args.sec, args.imsi, args.pin);
  cmd->add_option("--fault", args.faults,
                  "inject a fault (repeatable); see `omaiop cp faults`");
  cmd->add_option("--initiator", args.initiator,
                  "X-Wap-Initiator-URI header (e.g. the PROVURL)");
  cmd->add_flag("--authenticated", args.authenticated,
                "Push-Flag: initiator authenticated");
  cmd->add_option("--cp-version", args.cp_version,
                  "token set: 1.0, 1.1 (default) or wlan")
      ->check(CLI::IsMember({"1.0", "1.1", "wlan"}));
  cmd->add_option("--wbxml-version", args.wbxml_version,
                  "WBXML version 1.1, 1.2 or 1.3 (give 1, 2 or 3)")
      ->check(CLI::Range(1, 3));
  cmd->add_flag("--no-string-table", args.no_string_table,
                "inline every string instead of using a string table");
  cmd->add_option("--tid", args.tid, "WSP transaction id (default 1)")
      ->check(CLI::Range(0, 255));
  cmd->add_option("--ref", args.ref,
                  "concatenation reference (> 255 uses the 16-bit IE)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--src-port", args.src_port, "WDP source port (default 9200)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--max-ud", args.max_ud,
                  "maximum user data octets per segment (default 140)")
      ->check(CLI::Range(20, 140));
}

struct PushArgs {
  ComposeArgs compose;
  SmppSubmitArgs smpp;
};

int RunPush(const PushArgs& a) {
  ComposeArgs compose = a.compose;
  // sar_msg_ref_num is 16 bits and becomes a 16-bit concatenation IE at the
  // SMSC: size the segments for it.
  if (a.smpp.mode == "sar") compose.concat_16bit = true;
  auto push = ComposeFromArgs(compose);
  if (!push) return kExitToolFailure;
  std::string warning;
  auto ids = SubmitOverSmpp(a.smpp, push->segments, &warning);
  if (!ids.ok()) {
    std::cerr << "omaiop: " << ids.error().ToString() << "\n";
    return kExitToolFailure;
  }
  if (!warning.empty())  // the push went through; say so but do not fail
    std::cerr << "omaiop: warning: " << warning << "\n";

  if (a.compose.json) {
    json j;
    j["smsc"] = a.smpp.smsc;
    j["to"] = a.smpp.to;
    j["mode"] = a.smpp.mode;
    j["sec"] = a.compose.sec;
    j["mac"] = push->mac.empty() ? json(nullptr) : json(push->mac);
    j["user_pin"] = push->user_pin ? json(*push->user_pin) : json(nullptr);
    j["message_ids"] = *ids;
    auto& segs = j["segments"] = json::array();
    for (const auto& s : push->segments) segs.push_back(codec::ToHex(s));
    j["applied"] = AppliedJson(*push);
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  PrintPushComments(a.compose, *push);
  std::cout << "submitted " << push->segments.size() << " segment(s) to "
            << a.smpp.to << " via " << a.smpp.smsc << " (mode " << a.smpp.mode
            << "); message id(s):";
  for (const auto& id : *ids) std::cout << " " << id;
  std::cout << "\n";
  if (push->user_pin)
    std::cout << "PIN to hand the user: " << *push->user_pin << "\n";
  return kExitOk;
}

}  // namespace

void RegisterCpCommands(CLI::App& app, CommandContext& ctx) {
  auto* cp = app.add_subcommand(
      "cp", "The simulated OMA CP push server: compose pushes with faults");
  cp->require_subcommand(1);

  auto faults_json = std::make_shared<bool>(false);
  auto* faults = cp->add_subcommand(
      "faults",
      "List the fault knobs: name, layer, the rule each breaks and what a "
      "conformant handset must do");
  faults->add_flag("--json", *faults_json, "print JSON");
  faults->callback(
      [&ctx, faults_json] { ctx.exit_code = RunFaults(*faults_json); });

  auto args = std::make_shared<ComposeArgs>();
  auto* compose = cp->add_subcommand(
      "compose",
      "Compose a CP push (WBXML, WSP push with SEC/MAC, SMS segments) from a "
      "wap-provisioningdoc, optionally with faults; prints the segments in "
      "hex, one per line, ready for `omaiop decode`");
  AddComposeOptions(compose, *args);
  compose->add_flag("--json", args->json, "print JSON");
  compose->footer(
      "Exit status: 0 composed; 3 tool failure (unreadable document, missing "
      "key material, unknown or inapplicable fault).");
  compose->callback([&ctx, args] { ctx.exit_code = RunCompose(*args); });

  auto push_args = std::make_shared<PushArgs>();
  auto* push = cp->add_subcommand(
      "push",
      "Compose a CP push as `cp compose` does and submit it to an SMSC over "
      "SMPP 3.4 (e.g. `omaiop smsc serve`, Kannel's SMSC, an operator's); "
      "prints the message ids and, for USERPIN methods, the PIN to hand the "
      "user");
  AddComposeOptions(push, push_args->compose);
  AddSmppSubmitOptions(push, push_args->smpp, "", /*required=*/true);
  push->add_flag("--json", push_args->compose.json, "print JSON");
  push->footer(
      "Exit status: 0 every submit_sm accepted; 3 tool failure (document or "
      "key material as for `cp compose`, SMSC unreachable, bind or submit_sm "
      "refused: the message names the SMPP command_status).");
  push->callback([&ctx, push_args] { ctx.exit_code = RunPush(*push_args); });
  AddCpJudgeCommand(*cp, ctx);
}

}  // namespace omaiop::cli
