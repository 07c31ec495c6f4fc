// `omaiop cp faults` (the fault knobs of the simulated CP push server) and
// `omaiop cp compose` (a CP push as SMS segments, with any faults injected,
// ready for `omaiop decode` or a handset under test). `cp push --smsc` will
// reuse the composer through sim::servers::PushSink.
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "harness/cli/commands.h"
#include "harness/cli/security_options.h"
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
  int wbxml_version = 3;
  unsigned ref = 0, src_port = codec::kWdpPortWspConnless, tid = 1;
  std::size_t max_ud = codec::kSmsMaxUserData;
};

int RunCompose(const ComposeArgs& a) {
  servers::ComposeOptions o;
  for (const auto& name : a.faults) {
    auto id = servers::FaultByName(name);
    if (!id) {
      std::cerr << "omaiop: unknown fault '" << name
                << "'; known faults: " << KnownFaultNames() << "\n";
      return kExitToolFailure;
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
  o.concat_16bit = a.ref > 0xFF;
  o.max_user_data = a.max_ud;

  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::cerr << "omaiop: cannot read '" << a.file << "'\n";
    return kExitToolFailure;
  }
  std::string text{std::istreambuf_iterator<char>(in),
                   std::istreambuf_iterator<char>()};
  auto push = servers::CpPushServer().Compose(text, o);
  if (!push.ok()) {
    std::cerr << "omaiop: " << a.file << ": " << push.error().ToString()
              << "\n";
    return kExitToolFailure;
  }

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
    auto& applied = j["applied"] = json::array();
    for (const auto& f : push->applied) {
      json e = FaultJson(servers::InfoOf(f.id));
      e["detail"] = f.detail;
      applied.push_back(std::move(e));
    }
    std::cout << j.dump(2) << "\n";
    return kExitOk;
  }
  // '#' lines are comments for `omaiop decode FILE`: the output feeds it.
  std::cout << "# CP push, SEC " << a.sec
            << (push->mac.empty() ? "" : ", MAC " + push->mac) << "\n";
  if (push->user_pin)
    std::cout << "# PIN to hand the user: " << *push->user_pin << "\n";
  if (push->applied.empty()) std::cout << "# faults applied: none\n";
  for (const auto& f : push->applied) {
    const auto& info = servers::InfoOf(f.id);
    std::cout << "# fault " << info.name << " ("
              << servers::FaultLayerName(info.layer) << "): " << f.detail
              << "\n#   handset must "
              << servers::HandsetMustName(info.expected) << ": "
              << info.expected_detail << "\n";
  }
  std::cout << "# WBXML " << push->wbxml.size() << " octets, WSP PDU "
            << push->wsp_pdu.size() << " octets; " << push->segments.size()
            << " SMS segment(s) follow, one per line\n";
  for (const auto& s : push->segments) std::cout << codec::ToHex(s) << "\n";
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
  compose->add_option("DOC.xml", args->file, "CP document")
      ->required()
      ->check(CLI::ExistingFile);
  AddSecurityOptions(compose, args->sec, args->imsi, args->pin);
  compose->add_option("--fault", args->faults,
                      "inject a fault (repeatable); see `omaiop cp faults`");
  compose->add_option("--initiator", args->initiator,
                      "X-Wap-Initiator-URI header (e.g. the PROVURL)");
  compose->add_flag("--authenticated", args->authenticated,
                    "Push-Flag: initiator authenticated");
  compose
      ->add_option("--cp-version", args->cp_version,
                   "token set: 1.0, 1.1 (default) or wlan")
      ->check(CLI::IsMember({"1.0", "1.1", "wlan"}));
  compose
      ->add_option("--wbxml-version", args->wbxml_version,
                   "WBXML version 1.1, 1.2 or 1.3 (give 1, 2 or 3)")
      ->check(CLI::Range(1, 3));
  compose->add_flag("--no-string-table", args->no_string_table,
                    "inline every string instead of using a string table");
  compose->add_option("--tid", args->tid, "WSP transaction id (default 1)")
      ->check(CLI::Range(0, 255));
  compose
      ->add_option("--ref", args->ref,
                   "concatenation reference (> 255 uses the 16-bit IE)")
      ->check(CLI::Range(0, 65535));
  compose
      ->add_option("--src-port", args->src_port,
                   "WDP source port (default 9200)")
      ->check(CLI::Range(0, 65535));
  compose
      ->add_option("--max-ud", args->max_ud,
                   "maximum user data octets per segment (default 140)")
      ->check(CLI::Range(20, 140));
  compose->add_flag("--json", args->json, "print JSON");
  compose->footer(
      "Exit status: 0 composed; 3 tool failure (unreadable document, missing "
      "key material, unknown or inapplicable fault).");
  compose->callback([&ctx, args] {
    const std::string& s = args->sec;
    if ((s == "NETWPIN" || s == "USERNETWPIN") && args->imsi.empty()) {
      std::cerr << "omaiop: --sec " << s << " needs --imsi\n";
      ctx.exit_code = kExitToolFailure;
      return;
    }
    if ((s == "USERPIN" || s == "USERNETWPIN" || s == "USERPINMAC") &&
        args->pin.empty()) {
      std::cerr << "omaiop: --sec " << s << " needs --pin\n";
      ctx.exit_code = kExitToolFailure;
      return;
    }
    ctx.exit_code = RunCompose(*args);
  });
}

}  // namespace omaiop::cli
