#include "harness/adapters/command/command_adapter.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "harness/adapters/common/compose_push.h"
#include "harness/adapters/common/handset_judge.h"
#include "harness/adapters/common/run_command.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::harness::adapters {

namespace {

codec::Bytes TextBytes(std::string_view s) {
  return codec::Bytes(s.begin(), s.end());
}

namespace fs = std::filesystem;
namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kTrigger[] = "deliver";
constexpr char kRuleContract[] =
    "omaiop command adapter contract: exit 0 accepted / 1 rejected, or a JSON "
    "line {\"verdict\": ...}";

// A private directory for the PDU files of one session.
class TempDir {
 public:
  TempDir() {
    std::string t = (fs::temp_directory_path() / "omaiop_cmd_XXXXXX").string();
    if (mkdtemp(t.data())) path_ = t;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// What the command said about one push (see the header's contract).
struct Report {
  ObservedOutcome outcome;
  bool has_events = false;
  std::optional<std::vector<ObservedSetting>> settings;
};

std::string JsonString(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}

codec::Result<Report> ParseReport(const CommandResult& r) {
  Report rep;
  std::optional<std::string> line;
  std::size_t pos = 0;
  while (pos < r.out.size()) {
    std::size_t nl = r.out.find('\n', pos);
    if (nl == std::string::npos) nl = r.out.size();
    std::string l = r.out.substr(pos, nl - pos);
    if (!l.empty() && l[0] == '{') line = l;
    pos = nl + 1;
  }
  if (!line) {
    if (r.timed_out || r.signal || (r.exit_code != 0 && r.exit_code != 1))
      return codec::Error("the IUT command failed (" + r.Describe() +
                              "): " + r.err.substr(0, 300),
                          0, kRuleContract);
    rep.outcome.accepted = r.exit_code == 0;
    return rep;
  }
  auto j = nlohmann::json::parse(*line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return codec::Error("the IUT printed a line that is not a JSON object: " +
                            line->substr(0, 200),
                        0, kRuleContract);
  const std::string verdict = JsonString(j, "verdict");
  if (verdict != "accepted" && verdict != "rejected")
    return codec::Error(
        "JSON \"verdict\" must be \"accepted\" or "
        "\"rejected\", got '" +
            verdict + "'",
        0, kRuleContract);
  rep.outcome.accepted = verdict == "accepted";
  rep.outcome.reject_rule = JsonString(j, "rule");
  rep.outcome.reject_reason = JsonString(j, "reason");
  if (auto p = j.find("dst_port"); p != j.end() && p->is_number_unsigned())
    rep.outcome.dst_port = p->get<std::uint16_t>();
  if (auto ev = j.find("events"); ev != j.end() && ev->is_array()) {
    rep.has_events = true;
    for (const auto& e : *ev)
      if (e.is_object())
        rep.outcome.events.push_back(
            {JsonString(e, "kind"), JsonString(e, "rule"),
             JsonString(e, "path"), JsonString(e, "detail")});
  }
  if (auto st = j.find("settings"); st != j.end() && st->is_array()) {
    rep.settings.emplace();
    for (const auto& s : *st) {
      if (!s.is_object()) continue;
      ObservedSetting o{JsonString(s, "kind"),
                        JsonString(s, "id"),
                        JsonString(s, "origin"),
                        {}};
      if (auto p = s.find("parms"); p != s.end() && p->is_object())
        for (const auto& [k, v] : p->items())
          o.parms[k] = v.is_string() ? v.get<std::string>() : v.dump();
      rep.settings->push_back(std::move(o));
    }
  }
  return rep;
}

class CommandSession : public Session {
 public:
  CommandSession(script::TestCase tc, AdapterConfig config,
                 std::shared_ptr<Recorder> rec)
      : tc_(std::move(tc)), config_(std::move(config)), rec_(std::move(rec)) {}

  codec::Status Setup();
  StepOutcome Execute(const script::Step& step) override;

 private:
  struct Pending {
    servers::ComposedPush push;
    script::PushStep step;
  };
  // Runs the command for every pending push; a tool failure is returned.
  std::optional<StepOutcome> Flush();
  StepOutcome Run(const Pending& p);
  std::string UserPins() const;

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  const script::IutTrigger* trigger_ = nullptr;
  TempDir dir_;
  servers::CpPushServer server_;
  std::vector<Pending> pending_;
  std::vector<std::string> pins_;
  bool user_rejects_ = false;
  std::vector<ObservedOutcome> outcomes_;
  bool has_events_ = false;
  std::optional<std::vector<ObservedSetting>> settings_;
  std::size_t runs_ = 0;
};

codec::Status CommandSession::Setup() {
  trigger_ = config_.iut.FindTrigger(kTrigger);
  if (!trigger_ || trigger_->kind != script::IutTrigger::Kind::kCommand)
    return codec::Error(
        "the IUT file needs <trigger name=\"deliver\" kind=\"command\"> "
        "(adapter command)",
        0, "IUT file");
  if (dir_.path().empty())
    return codec::Error("cannot create a temporary directory", 0, "command");
  if (!tc_.preconditions.handset.empty())
    return codec::Error("handset option " + tc_.preconditions.handset[0].name +
                            " cannot be set on an IUT behind a command",
                        0, kRuleNotSupported);
  if (tc_.preconditions.card && !tc_.preconditions.card->edits.empty())
    return codec::Error("card edits not supported by adapter command", 0,
                        kRuleNotSupported);
  if (tc_.preconditions.card)
    rec_->Add(MakeEntry(src::kHarness, "", knd::kDecision, Direction::kNone,
                        "card precondition " + tc_.preconditions.card->profile +
                            ": the IUT uses its own card (PIXIT)"));
  return codec::OkStatus();
}

std::string CommandSession::UserPins() const {
  if (user_rejects_) return "cancel";
  std::string s;
  for (const auto& p : pins_) s += (s.empty() ? "" : ",") + p;
  return s;
}

StepOutcome CommandSession::Run(const Pending& p) {
  const std::string n = std::to_string(++runs_);
  const std::string pdu_file = dir_.path() + "/push" + n + ".wsp";
  const std::string seg_file = dir_.path() + "/push" + n + ".segments";
  {
    std::ofstream f(pdu_file, std::ios::binary);
    f.write(reinterpret_cast<const char*>(p.push.wsp_pdu.data()),
            static_cast<std::streamsize>(p.push.wsp_pdu.size()));
    std::ofstream s(seg_file);
    for (const auto& seg : p.push.segments) s << codec::ToHex(seg) << "\n";
  }
  std::string oob = p.push.user_pin.value_or(p.step.pin);
  std::string pins = UserPins();
  // <user-pin pin="@out-of-band"/> stands for the PIN the server handed out.
  for (std::size_t at; (at = pins.find(kOutOfBandPin)) != std::string::npos;)
    pins.replace(at, std::string_view(kOutOfBandPin).size(), oob);
  script::VariableMap vars = script::IutVariables(config_.iut);
  vars["PDU_FILE"] = pdu_file;
  vars["PDU_HEX"] = codec::ToHex(p.push.wsp_pdu);
  vars["SEGMENTS_FILE"] = seg_file;
  vars["SEC"] = p.step.sec;
  vars["PIN"] = p.step.pin;
  vars["IMSI"] = p.step.imsi;
  vars["USER_PINS"] = pins;
  vars["OUT_OF_BAND_PIN"] = oob;
  vars["FROM"] = "+15550199";
  vars["CASE_ID"] = tc_.id;
  vars["OMAIOP"] = OmaiopBinary();
  vars["DOCUMENT_FILE"] = script::ResolveCasePath(tc_, p.step.document);
  pins_.clear();
  user_rejects_ = false;
  auto argv = script::ExpandCommandTrigger(*trigger_, vars);
  if (!argv.ok()) return ErrorOutcome(argv.error().ToString());
  std::string input;
  auto in = config_.iut.params.find("stdin");
  if (in != config_.iut.params.end() && in->second == "pdu")
    input = codec::AsString(p.push.wsp_pdu);
  else if (in != config_.iut.params.end() && in->second == "segments") {
    for (const auto& seg : p.push.segments) input += codec::ToHex(seg) + "\n";
  }
  const auto timeout = trigger_->timeout.value_or(std::chrono::seconds(30));
  TraceEntry e = MakeEntry(src::kServer, src::kHandset, knd::kSmsSegment,
                           Direction::kOut, "");
  std::size_t i = 0;
  for (const auto& seg : p.push.segments) {
    e.summary = "SMS segment " + std::to_string(++i) + "/" +
                std::to_string(p.push.segments.size()) + " (TP-UD)";
    e.raw = seg;
    rec_->Add(e);
  }
  auto r = RunCommand(*argv, input, timeout);
  std::string line;
  for (const auto& a : *argv) line += (line.empty() ? "" : " ") + a;
  TraceEntry c = MakeEntry(
      src::kHarness, "iut", knd::kDecision, Direction::kOut,
      "command: " + line + " -> " + (r.ok() ? r->Describe() : r.error().what));
  if (r.ok()) {
    c.raw = TextBytes(r->out);
    c.response = TextBytes(r->err);
  }
  rec_->Add(std::move(c));
  if (!r.ok()) return ErrorOutcome("IUT command: " + r.error().what);
  auto rep = ParseReport(*r);
  if (!rep.ok()) return ErrorOutcome(rep.error().what);
  for (const auto& ev : rep->outcome.events)
    rec_->Add(MakeEntry(src::kHandset, "", knd::kDecision, Direction::kNone,
                        ev.kind + " [" + ev.path + "] " + ev.detail, ev.rule));
  rec_->Add(MakeEntry(src::kHandset, "", knd::kDecision, Direction::kNone,
                      std::string("IUT: push ") +
                          (rep->outcome.accepted ? "accepted" : "rejected") +
                          (rep->outcome.reject_reason.empty() ? "" : ": ") +
                          rep->outcome.reject_reason,
                      rep->outcome.reject_rule));
  has_events_ = has_events_ || rep->has_events;
  if (rep->settings) settings_ = rep->settings;
  outcomes_.push_back(std::move(rep->outcome));
  return Pass();
}

std::optional<StepOutcome> CommandSession::Flush() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (const auto& p : pending) {
    auto out = Run(p);
    if (out.verdict != reports::Verdict::kPass) return out;
  }
  return std::nullopt;
}

StepOutcome CommandSession::Execute(const script::Step& step) {
  const bool user_step =
      std::holds_alternative<script::UserPinStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body) ||
      std::holds_alternative<script::PushStep>(step.body);
  if (!user_step)
    if (auto failed = Flush()) return *failed;
  auto user = [&](std::string what) {
    rec_->Add(MakeEntry(src::kUser, src::kHandset, knd::kUserAction,
                        Direction::kNone, std::move(what)));
  };
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::PushStep>) {
          auto push = ComposeCasePush(tc_, b, config_.faults, server_);
          if (!push.ok())
            return ErrorOutcome("push could not be composed: " +
                                push.error().ToString());
          rec_->Add(WspPushEntry(*push));
          pending_.push_back({std::move(*push), b});
          return Pass(
              "push composed; handed to the IUT command before the next "
              "non-user step");
        } else if constexpr (std::is_same_v<T, script::UserPinStep>) {
          pins_.push_back(b.pin);
          user("user will enter PIN " + b.pin);
          return Pass("PIN queued for the IUT (${USER_PINS})");
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          user("user accepts");
          return Pass("accepted");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          user_rejects_ = true;
          user("user rejects (cancels the PIN prompt)");
          return Pass("the user will cancel the prompt (${USER_PINS}=cancel)");
        } else if constexpr (std::is_same_v<T, script::ExpectEventStep>) {
          if (!has_events_)
            return Inconc("the IUT reports no events (JSON \"events\")");
          return JudgeExpectEvent(b, outcomes_);
        } else if constexpr (std::is_same_v<T, script::ExpectStatusStep>) {
          return JudgeExpectStatus(b, outcomes_, "command");
        } else if constexpr (std::is_same_v<T, script::CheckSettingStep>) {
          if (!settings_)
            return Inconc("the IUT reports no settings (JSON \"settings\")");
          const auto& all = *settings_;
          return JudgeCheckSetting(
              b,
              [&all](std::string_view kind, std::string_view id) {
                std::vector<ObservedSetting> out;
                for (const auto& s : all)
                  if (s.kind == kind && s.id == id) out.push_back(s);
                return out;
              },
              outcomes_);
        } else if constexpr (std::is_same_v<T, script::WaitStep>) {
          return Pass("waited");
        } else {
          return Inconc("step type " + step.element +
                        " not supported by adapter command");
        }
      },
      step.body);
}

}  // namespace

codec::Result<std::shared_ptr<Session>> CommandAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  if (tc.header.role != script::Role::kPushServer)
    return codec::Error(
        "adapter command drives a handset IUT (role push_server) only", 0,
        kRuleNotSupported);
  auto s = std::make_shared<CommandSession>(tc, config, std::move(recorder));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
