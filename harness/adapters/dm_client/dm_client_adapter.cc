#include "harness/adapters/dm_client/dm_client_adapter.h"

#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codec/bytes.h"
#include "harness/adapters/simulated/dm_server_side.h"
#include "sim/network/http_client.h"
#include "sim/process/child_process.h"
#include "sim/reader/pcscd_process.h"
#include "sim/uicc/profile_loader.h"
#include "sim/uicc/vpcd_link.h"

namespace omaiop::harness::adapters {

namespace {

namespace fs = std::filesystem;
namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kRuleSetup[] = "dm_client adapter PIXIT";
constexpr char kReaderName[] = "Virtual PCD 00 00";
constexpr char kDefaultDevId[] = "IMEI:490154203237518";
constexpr std::chrono::milliseconds kDefaultTriggerTimeout{30000};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string SelfOmaiop() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  if (!ec && self.filename() == "omaiop") return self.string();
  return {};
}

TraceEntry HarnessEntry(std::string summary, std::string rule = {}) {
  TraceEntry e;
  e.source = src::kHarness;
  e.peer = src::kHandset;
  e.kind = knd::kDecision;
  e.summary = std::move(summary);
  e.rule = std::move(rule);
  return e;
}

class DmClientSession : public Session {
 public:
  DmClientSession(script::TestCase tc, AdapterConfig config,
                  std::shared_ptr<Recorder> rec)
      : tc_(std::move(tc)), config_(std::move(config)), rec_(std::move(rec)) {}
  ~DmClientSession() override;

  codec::Status Setup();
  StepOutcome Execute(const script::Step& step) override;

 private:
  std::string Param(std::string_view name, std::string def = {}) const {
    auto it = config_.iut.params.find(std::string(name));
    return it == config_.iut.params.end() ? def : it->second;
  }
  std::string Option(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.handset)
      if (o.name == name) return o.value;
    return def;
  }
  codec::Status StartCard();
  // Runs one session (trigger "client" or "pkg0"); an outcome only when the
  // IUT could not be triggered at all.
  std::optional<StepOutcome> RunSession(const script::DmSessionStep& s);
  std::optional<StepOutcome> Flush();
  StepOutcome CheckTree(const script::CheckTreeStep& c);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  std::unique_ptr<DmServerSide> server_;
  std::string client_auth_ = "md5";
  std::optional<script::DmSessionStep> pending_;
  void QueueCheckTreeGets();
  std::optional<StepOutcome> JudgeTree(const script::CheckTreeStep& c) const;
  std::size_t step_index_ = 0;  // of the step being executed
  // Where the last session's statuses and events start.
  std::size_t statuses_begin_ = 0, events_begin_ = 0;
  std::deque<std::string> answers_;  // "accept" / "reject"
  std::string work_dir_;
  int runs_ = 0;
  // Card served to the IUT through pcscd + vpcd.
  std::unique_ptr<sim::reader::PcscdProcess> pcscd_;
  std::unique_ptr<sim::uicc::Card> card_;
  std::unique_ptr<sim::uicc::VpcdLink> link_;
  std::thread link_thread_;
};

DmClientSession::~DmClientSession() {
  if (link_) link_->Stop();
  if (link_thread_.joinable()) link_thread_.join();
  link_.reset();
  pcscd_.reset();
  std::error_code ec;
  if (!work_dir_.empty()) fs::remove_all(work_dir_, ec);
}

codec::Status DmClientSession::Setup() {
  if (tc_.header.role != script::Role::kDmServer)
    return codec::Error("adapter dm_client runs role dm_server cases only (" +
                            std::string(script::RoleName(tc_.header.role)) +
                            ")",
                        0, kRuleNotSupported);
  char tmpl[] = "/tmp/omaiop-dmc-XXXXXX";
  if (!mkdtemp(tmpl))
    return codec::Error("cannot create a work directory", 0, kRuleSetup);
  work_dir_ = tmpl;

  DmServerSideOptions so;
  if (const auto* a = config_.iut.FindAddress("dm-server")) {
    if (!a->host.empty()) so.bind_address = a->host;
    if (a->port) so.port = *a->port;
  }
  for (const auto& c : config_.iut.credentials) {
    if (c.name == "clcred") {
      if (!c.user.empty()) so.client_user = c.user;
      if (!c.password.empty()) so.client_secret = c.password;
    } else if (c.name == "srvcred") {
      if (!c.user.empty()) so.server_id = c.user;
      if (!c.password.empty()) so.server_secret = c.password;
    }
  }
  for (const char* k : {"client-nonce", "server-nonce"}) {
    const std::string hex = Param(k);
    if (hex.empty()) continue;
    auto b = codec::ParseHex(hex);
    if (!b.ok())
      return codec::Error(std::string("param ") + k + " must be hex", 0,
                          kRuleSetup);
    (std::string_view(k) == "client-nonce" ? so.client_nonce
                                           : so.server_nonce) = *b;
  }
  client_auth_ = Option("auth", Param("client-auth", "md5"));
  if (client_auth_ == "md5")
    so.client_auth = servers::DmAuthMode::kDigest;
  else if (client_auth_ == "basic")
    so.client_auth = servers::DmAuthMode::kBasic;
  else if (client_auth_ == "none")
    so.client_auth = servers::DmAuthMode::kNone;
  else
    return codec::Error(
        "client-auth " + client_auth_ + " (expected md5, basic or none)", 0,
        kRuleSetup);
  server_ = std::make_unique<DmServerSide>(tc_, so, rec_);
  OMAIOP_RETURN_IF_ERROR(server_->Start());
  rec_->Add(HarnessEntry("omaiop's DM server for the IUT at " + server_->url() +
                         " (ServerID " + so.server_id + ")"));
  if (Param("reads-card") == "true") OMAIOP_RETURN_IF_ERROR(StartCard());
  return codec::OkStatus();
}

codec::Status DmClientSession::StartCard() {
  std::string profile = "uicc-3g";
  if (tc_.preconditions.card) {
    if (!tc_.preconditions.card->edits.empty())
      return codec::Error(
          "card edits (write-file, set-pin) not supported by adapter "
          "dm_client yet",
          0, kRuleNotSupported);
    if (!tc_.preconditions.card->inserted) return codec::OkStatus();
    profile = tc_.preconditions.card->profile;
  }
  std::string path = profile;
  if (profile.find('/') == std::string::npos && !profile.ends_with(".xml")) {
    path = script::ResolveCasePath(tc_, "fixtures/uicc/" + profile + ".xml");
    std::error_code ec;
    if (!fs::exists(path, ec))
      path =
          std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/" + profile + ".xml";
  } else {
    path = script::ResolveCasePath(tc_, profile);
  }
  OMAIOP_ASSIGN_OR_RETURN(auto p, sim::uicc::LoadProfile(path));
  card_ = std::make_unique<sim::uicc::Card>(p.MakeCard());
  sim::reader::PcscdOptions po;
  po.vpcd_port = 0;
  po.log_path = work_dir_ + "/pcscd.log";
  po.start_timeout = std::chrono::milliseconds(10000);
  OMAIOP_ASSIGN_OR_RETURN(pcscd_, sim::reader::PcscdProcess::StartOrReuse(po));
  sim::uicc::VpcdLinkOptions lo;
  lo.port = pcscd_->vpcd_port();
  link_ = std::make_unique<sim::uicc::VpcdLink>(
      sim::uicc::VpcdCard::ForCard(*card_), lo);
  auto rec = rec_;
  link_->set_event_handler([rec](const sim::uicc::VpcdEvent& e) {
    TraceEntry t;
    t.source = src::kUicc;
    t.peer = src::kHandset;
    t.kind = knd::kDecision;
    t.summary = "vpcd " + std::string(sim::uicc::VpcdEventName(e.kind)) +
                (e.detail.empty() ? "" : ": " + e.detail);
    rec->Add(std::move(t));
  });
  link_thread_ = std::thread([l = link_.get()] { l->Run(); });
  // The IUT may read the card as soon as it starts: wait until pcscd has
  // taken the card (the link is up).
  const auto until =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(5000);
  while (!link_->connected() && std::chrono::steady_clock::now() < until)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  if (!link_->connected())
    return codec::Error(
        "pcscd did not connect to the virtual card (vpcd port " +
            std::to_string(lo.port) + ")",
        0, kRuleSetup);
  rec_->Add(HarnessEntry("card " + profile + " served to the IUT in reader '" +
                         kReaderName + "' (pcscd vpcd port " +
                         std::to_string(lo.port) + ")"));
  return codec::OkStatus();
}

std::optional<StepOutcome> DmClientSession::RunSession(
    const script::DmSessionStep& s) {
  const bool pkg0 = s.trigger == "pkg0";
  const script::IutTrigger* t =
      config_.iut.FindTrigger(pkg0 ? "dm-package0" : "dm-session");
  if (!t && pkg0) t = config_.iut.FindTrigger("dm-session");
  if (!t)
    return Inconc(std::string("the IUT description has no trigger '") +
                  (pkg0 ? "dm-package0" : "dm-session") + "'");
  const auto& so = server_->options();
  script::VariableMap vars = script::IutVariables(config_.iut);
  for (const auto& v : tc_.variables) vars.emplace(v.name, v.value);
  vars["SERVER_URL"] = server_->url();
  vars["SERVER_ID"] = so.server_id;
  vars["TRIGGER"] = s.trigger;
  vars["SESSION_ID"] = s.session_id;
  vars["CLIENT_AUTH"] = client_auth_;
  vars["CLIENT_USER"] = so.client_user;
  vars["CLIENT_SECRET"] = so.client_secret;
  vars["CLIENT_NONCE_HEX"] = codec::ToHex(so.client_nonce);
  vars["SERVER_SECRET"] = so.server_secret;
  vars["SERVER_NONCE_HEX"] = codec::ToHex(so.server_nonce);
  vars["UI"] = answers_.empty() ? "accept" : answers_.front();
  if (!answers_.empty()) answers_.pop_front();
  vars["DEV_ID"] = Option("dev-id", kDefaultDevId);
  std::string self = Param("omaiop-binary");
  if (self.empty()) self = SelfOmaiop();
  vars["OMAIOP"] = self.empty() ? "omaiop" : self;
  if (pcscd_) {
    vars["VPCD_PORT"] = std::to_string(pcscd_->vpcd_port());
    vars["READER"] = kReaderName;
  }
  vars["PKG0_HEX"] = "";

  statuses_begin_ = server_->statuses().size();
  events_begin_ = server_->events().size();
  server_->BeginSession();
  if (pkg0) {
    std::uint16_t sid = 1;
    if (!s.session_id.empty()) {
      const long v = std::strtol(s.session_id.c_str(), nullptr, 10);
      if (v < 0 || v > 0xFFFF)
        return ErrorOutcome("dm-session session-id " + s.session_id +
                            " is not a package 0 session id (0..65535)");
      sid = static_cast<std::uint16_t>(v);
    }
    vars["PKG0_HEX"] = codec::ToHex(server_->Package0(sid, {}));
  }
  const auto timeout = t->timeout.value_or(kDefaultTriggerTimeout);
  std::optional<StepOutcome> trouble;
  if (t->kind == script::IutTrigger::Kind::kCommand) {
    auto argv = script::ExpandCommandTrigger(*t, vars);
    if (!argv.ok()) {
      server_->EndSession();
      return ErrorOutcome("trigger " + t->name + ": " +
                          argv.error().ToString());
    }
    const std::string out = work_dir_ + "/trigger-" + std::to_string(++runs_);
    std::string line;
    for (const auto& a : *argv) line += (line.empty() ? "" : " ") + a;
    rec_->Add(HarnessEntry("trigger " + t->name + ": " + line));
    auto child = sim::process::ChildProcess::Start(*argv, {out, ""});
    if (!child.ok()) {
      server_->EndSession();
      return ErrorOutcome("trigger " + t->name + ": " +
                          child.error().ToString());
    }
    auto status = child->Wait(timeout);
    if (!status) {
      child->Stop();
      trouble = Fail("the IUT (trigger " + t->name + ") did not finish in " +
                         std::to_string(timeout.count()) + " ms",
                     "dm_client adapter: trigger timeout");
    }
    TraceEntry e = HarnessEntry(
        "trigger " + t->name + " " +
        (status ? "exited with wait status " + std::to_string(*status)
                : std::string("stopped (timeout)")));
    const std::string text = ReadFile(out);
    e.raw = codec::Bytes(text.begin(), text.end());
    e.decoded = text;
    rec_->Add(std::move(e));
  } else {
    auto url = script::ExpandUrlTrigger(*t, vars);
    if (!url.ok()) {
      server_->EndSession();
      return ErrorOutcome("trigger " + t->name + ": " + url.error().ToString());
    }
    sim::network::HttpRequest req;
    req.method = t->method;
    req.url = *url;
    rec_->Add(
        HarnessEntry("trigger " + t->name + ": " + t->method + " " + *url));
    auto r = sim::network::HttpFetch(req);
    if (!r.ok()) {
      server_->EndSession();
      return Inconc("trigger " + t->name + " failed: " + r.error().ToString());
    }
    const auto until = std::chrono::steady_clock::now() + timeout;
    while (server_->EndedSessions() == 0 &&
           std::chrono::steady_clock::now() < until)
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (server_->EndedSessions() == 0)
      trouble = Fail("the IUT did not complete a DM session in " +
                         std::to_string(timeout.count()) + " ms",
                     "dm_client adapter: trigger timeout");
  }
  server_->EndSession();
  return trouble;
}

std::optional<StepOutcome> DmClientSession::Flush() {
  if (!pending_) return std::nullopt;
  script::DmSessionStep s = *pending_;
  pending_.reset();
  QueueCheckTreeGets();
  return RunSession(s);
}

void DmClientSession::QueueCheckTreeGets() {
  // The <check-tree> steps up to the next <dm-session>: their nodes are read
  // by Gets in a last package of this session, so that a client whose tree
  // does not outlive the session (a stand-in process) is judged too.
  servers::ScriptPackage p;
  for (std::size_t i = step_index_; i < tc_.steps.size(); ++i) {
    const auto& body = tc_.steps[i].body;
    if (std::holds_alternative<script::DmSessionStep>(body)) break;
    if (const auto* c = std::get_if<script::CheckTreeStep>(&body))
      p.commands.push_back(servers::ScriptGet(c->path));
  }
  if (!p.commands.empty()) server_->QueuePackage(std::move(p));
}

std::optional<StepOutcome> DmClientSession::JudgeTree(
    const script::CheckTreeStep& c) const {
  const auto& st = server_->statuses();
  std::optional<int> code;
  for (std::size_t i = statuses_begin_; i < st.size(); ++i)
    if (st[i].cmd == "Get" &&
        std::find(st[i].targets.begin(), st[i].targets.end(), c.path) !=
            st[i].targets.end())
      code = st[i].code;
  if (!code) return std::nullopt;
  std::optional<std::string> value;
  const auto& ev = server_->events();
  for (std::size_t i = events_begin_; i < ev.size(); ++i)
    if (ev[i].kind == "results" && ev[i].path == c.path) value = ev[i].detail;
  const std::string rule = "dm.md §3.6: management tree content (read by Get)";
  if (!c.present) {
    if (*code == 404) return Pass(c.path + " absent (Get 404)");
    return Fail(c.path + " present (Get " + std::to_string(*code) + ")", rule);
  }
  if (*code != 200)
    return Fail("Get " + c.path + " answered " + std::to_string(*code), rule);
  if (c.has_value && value.value_or("") != c.value)
    return Fail(
        c.path + " = '" + value.value_or("") + "', expected '" + c.value + "'",
        rule);
  // The format is not checked through DM (Results Meta Format is optional).
  return Pass(c.path + " = '" + value.value_or("") + "' (read by Get)");
}

StepOutcome DmClientSession::CheckTree(const script::CheckTreeStep& c) {
  if (auto r = JudgeTree(c)) return *r;
  // Not read in the last session: a session of its own.
  script::DmSessionStep s;
  servers::ScriptPackage p;
  p.commands.push_back(servers::ScriptGet(c.path));
  server_->QueuePackage(std::move(p));
  if (auto err = RunSession(s)) return *err;
  if (auto r = JudgeTree(c)) return *r;
  return Fail("check-tree: the IUT answered no Get of " + c.path + "; " +
                  server_->ViolationsSummary(),
              "dm.md §3.6: management tree content (read by Get)");
}

StepOutcome DmClientSession::Execute(const script::Step& step) {
  // The runner executes the case's steps in order, each once.
  struct Advance {
    std::size_t& i;
    ~Advance() { ++i; }
  } advance{step_index_};
  const bool queue_step = IsDmQueueStep(step);
  if (!queue_step)
    if (auto trouble = Flush()) return *trouble;
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::DmSessionStep>) {
          if (b.trigger != "client" && b.trigger != "pkg0")
            return Inconc("dm-session trigger " + b.trigger +
                          " not supported by adapter dm_client yet");
          if (auto trouble = Flush()) return *trouble;
          pending_ = b;
          return Pass("the IUT is triggered (" + b.trigger +
                      ") before the next observation step");
        } else if constexpr (std::is_same_v<T, script::ServerCommandsStep>) {
          return server_->QueueCommands(b);
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          answers_.push_back("accept");
          return Pass("the IUT's user will accept (${UI}=accept)");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          answers_.push_back("reject");
          return Pass("the IUT's user will reject (${UI}=reject)");
        } else if constexpr (std::is_same_v<T, script::ExpectStatusStep>) {
          return server_->ExpectStatus(b);
        } else if constexpr (std::is_same_v<T, script::ExpectEventStep>) {
          return server_->ExpectEvent(b);
        } else if constexpr (std::is_same_v<T, script::CheckTreeStep>) {
          return CheckTree(b);
        } else if constexpr (std::is_same_v<T, script::WaitStep>) {
          return Pass("waited");
        } else {
          return Inconc("step " + step.element +
                        " not supported by adapter dm_client");
        }
      },
      step.body);
}

}  // namespace

codec::Result<std::shared_ptr<Session>> DmClientAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  auto s = std::make_shared<DmClientSession>(tc, config, std::move(recorder));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
