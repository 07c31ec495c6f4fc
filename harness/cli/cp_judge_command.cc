// `omaiop cp judge`: the simulated handset's CP client (sim/handset/cp
// CpClient) judges one push given as a file, and prints the outcome as the
// command adapter's JSON contract (harness/adapters/command/command_adapter.h)
// so it stands in for a handset IUT behind a command
// (fixtures/iut/command_handset.xml). `--defect accept-bad-mac` makes it a
// deliberately defective handset (fixtures/iut/command_handset_defective.xml).
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/sms_udh.h"
#include "harness/cli/commands.h"
#include "sim/handset/cp/cp_client.h"

namespace omaiop::cli {

namespace {

namespace cp = sim::handset::cp;
using nlohmann::json;

struct JudgeArgs {
  std::string pdu, segments, imsi, user_pins, from = "+15550199";
  std::string to = "+15550100", unauthenticated = "reject";
  std::vector<std::string> defects;
  int max_pin_attempts = 3;
};

std::optional<std::string> ReadAll(const std::string& path) {
  if (path == "-") {
    return std::string(std::istreambuf_iterator<char>(std::cin),
                       std::istreambuf_iterator<char>());
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  return std::string(std::istreambuf_iterator<char>(in),
                     std::istreambuf_iterator<char>());
}

int RunJudge(const JudgeArgs& a) {
  if (a.pdu.empty() == a.segments.empty()) {
    std::cerr << "omaiop cp judge: give exactly one of --pdu, --segments\n";
    return kExitToolFailure;
  }
  cp::CpClientOptions o;
  o.max_pin_attempts = a.max_pin_attempts;
  if (a.unauthenticated == "accept-untrusted")
    o.unauthenticated = cp::UnauthenticatedPolicy::kAcceptUntrusted;
  for (const auto& d : a.defects) {
    if (d == "accept-bad-mac") o.defect_accept_bad_mac = true;
  }
  cp::CpClient client(o);
  if (!a.imsi.empty()) {
    const std::string imsi = a.imsi;
    client.SetImsiProvider(
        [imsi]() -> codec::Result<std::string> { return imsi; });
  }
  // The user's answers to the PIN prompts, in order; "cancel" = cancels.
  std::vector<std::optional<std::string>> answers;
  if (a.user_pins == "cancel") {
    answers.push_back(std::nullopt);
  } else {
    std::istringstream s(a.user_pins);
    for (std::string pin; std::getline(s, pin, ',');)
      if (!pin.empty()) answers.push_back(pin);
  }
  cp::ScriptedUser user(answers);
  client.SetUserAgent(&user);
  const cp::SmsMeta meta{a.from, a.to, std::chrono::system_clock::now()};

  std::optional<cp::PushOutcome> outcome;
  const std::string& file = a.pdu.empty() ? a.segments : a.pdu;
  auto text = ReadAll(file);
  if (!text) {
    std::cerr << "omaiop cp judge: cannot read '" << file << "'\n";
    return kExitToolFailure;
  }
  if (!a.pdu.empty()) {
    codec::WdpDatagram d;
    d.payload.assign(text->begin(), text->end());
    outcome = client.OnWdpDatagram(d, meta);
  } else {
    std::istringstream lines(*text);
    std::size_t n = 0;
    for (std::string l; std::getline(lines, l);) {
      if (l.empty()) continue;
      ++n;
      auto seg = codec::ParseHex(l);
      if (!seg.ok()) {
        std::cerr << "omaiop cp judge: " << file << " line " << n
                  << ": not hex: " << seg.error().ToString() << "\n";
        return kExitToolFailure;
      }
      if (auto out = client.OnSmsSegment(*seg, meta)) outcome = std::move(out);
    }
    if (!outcome) {
      auto expired = client.Expire(std::chrono::system_clock::now() +
                                   std::chrono::hours(24));
      if (!expired.empty()) outcome = expired.front();
    }
  }
  if (!outcome) {
    std::cerr << "omaiop cp judge: no complete push in '" << file << "'\n";
    return kExitToolFailure;
  }
  json j;
  j["verdict"] = outcome->accepted ? "accepted" : "rejected";
  j["rule"] = outcome->reject_rule;
  j["reason"] = outcome->reject_reason;
  j["dst_port"] = outcome->dst_port ? json(*outcome->dst_port) : json(nullptr);
  json events = json::array();
  for (const auto& e : outcome->events) events.push_back(cp::EventToJson(e));
  j["events"] = events;
  json settings = json::array();
  for (const auto& item : client.store().items()) {
    json parms = json::object();
    for (const auto& p : item.data.parms)
      if (!parms.contains(p.name)) parms[p.name] = item.data.Value(p.name);
    settings.push_back({{"kind", item.kind},
                        {"id", item.id},
                        {"origin", item.origin},
                        {"parms", parms}});
  }
  j["settings"] = settings;
  j["outcome"] = outcome->ToJson();
  std::cout << j.dump() << "\n";
  return outcome->accepted ? kExitOk : kExitFail;
}

}  // namespace

void AddCpJudgeCommand(CLI::App& cp_cmd, CommandContext& ctx) {
  auto args = std::make_shared<JudgeArgs>();
  auto* judge = cp_cmd.add_subcommand(
      "judge",
      "Judge one push as the simulated handset (a stand-in handset IUT for "
      "the command adapter): prints one JSON line {\"verdict\": "
      "\"accepted\"|\"rejected\", \"rule\", \"reason\", \"events\", "
      "\"settings\", \"dst_port\", \"outcome\"}");
  judge->add_option("--pdu", args->pdu,
                    "the connectionless WSP push PDU (binary file, - = stdin)");
  judge->add_option("--segments", args->segments,
                    "the SMS TP-UD segments, one hex line each (- = stdin)");
  judge->add_option("--imsi", args->imsi,
                    "the IMSI of the handset's card (NETWPIN / USERNETWPIN "
                    "key); none: the handset has no card");
  judge->add_option("--user-pins", args->user_pins,
                    "PINs the user enters at the prompts, comma-separated; "
                    "\"cancel\" = the user cancels; empty = no answer");
  judge->add_option("--from", args->from, "SMS originator (default +15550199)");
  judge
      ->add_option("--max-pin-attempts", args->max_pin_attempts,
                   "PIN tries per push (default 3)")
      ->check(CLI::PositiveNumber);
  judge
      ->add_option("--unauthenticated", args->unauthenticated,
                   "push without SEC/MAC: reject (default) or accept-untrusted")
      ->check(CLI::IsMember({"reject", "accept-untrusted"}));
  judge
      ->add_option("--defect", args->defects,
                   "make the handset deliberately defective: accept-bad-mac "
                   "(a MAC that does not verify is taken as verified)")
      ->check(CLI::IsMember({"accept-bad-mac"}));
  judge->footer(
      "Exit status: 0 push accepted; 1 push rejected (the JSON names the "
      "rule); 3 tool failure (unreadable file, no complete push).");
  judge->callback([&ctx, args] { ctx.exit_code = RunJudge(*args); });
}

}  // namespace omaiop::cli
