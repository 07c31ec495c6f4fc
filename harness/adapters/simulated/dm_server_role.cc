#include "harness/adapters/simulated/dm_server_role.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/simulated/dm_server_side.h"
#include "sim/handset/dm/client_defects.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/dm/tree.h"

namespace omaiop::harness::adapters {

namespace {

namespace dm = sim::handset::dm;
namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kRuleOptions[] = "simulated adapter options";
constexpr char kRuleTree[] = "dm.md §3.6: management tree content";

std::string UiKindName(dm::UiAnswer::Kind k) {
  switch (k) {
    case dm::UiAnswer::Kind::kAccept:
      return "accepts";
    case dm::UiAnswer::Kind::kReject:
      return "rejects";
    case dm::UiAnswer::Kind::kCancel:
      return "cancels";
    case dm::UiAnswer::Kind::kTimeout:
      return "does not answer (timeout)";
  }
  return "?";
}

class DmServerRoleSession : public Session {
 public:
  DmServerRoleSession(script::TestCase tc, AdapterConfig config,
                      std::shared_ptr<Recorder> rec)
      : tc_(std::move(tc)), config_(std::move(config)), rec_(std::move(rec)) {}

  codec::Status Setup();
  StepOutcome Execute(const script::Step& step) override;

 private:
  std::string Option(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.handset)
      if (o.name == name) return o.value;
    return def;
  }
  std::string ServerOption(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.server)
      if (o.name == name) return o.value;
    return def;
  }
  void User(std::string what) {
    TraceEntry e;
    e.source = src::kUser;
    e.peer = src::kHandset;
    e.kind = knd::kUserAction;
    e.summary = std::move(what);
    rec_->Add(std::move(e));
  }
  dm::UiAnswer OnUi(const dm::UiRequest& r);
  std::optional<StepOutcome> Flush();
  StepOutcome CheckTree(const script::CheckTreeStep& c);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  std::unique_ptr<DmServerSide> server_;
  dm::Tree tree_;
  std::unique_ptr<dm::DmClient> client_;
  std::optional<script::DmSessionStep> pending_;
  std::deque<dm::UiAnswer::Kind> answers_;
  codec::DmUiMode ui_mode_ = codec::DmUiMode::kNotSpecified;
};

codec::Status DmServerRoleSession::Setup() {
  static const char* kHandsetOptions[] = {"auth", "wbxml", "dev-id"};
  static const char* kServerOptions[] = {"server-id", "ui-mode"};
  for (const auto& o : tc_.preconditions.handset)
    if (std::none_of(std::begin(kHandsetOptions), std::end(kHandsetOptions),
                     [&](const char* k) { return o.name == k; }))
      return codec::Error("handset option " + o.name +
                              " not supported in role dm_server (known: auth, "
                              "wbxml, dev-id)",
                          0, kRuleOptions);
  for (const auto& o : tc_.preconditions.server)
    if (std::none_of(std::begin(kServerOptions), std::end(kServerOptions),
                     [&](const char* k) { return o.name == k; }))
      return codec::Error("server option " + o.name +
                              " not supported in role dm_server (known: "
                              "server-id, ui-mode)",
                          0, kRuleOptions);
  if (tc_.preconditions.card)
    return codec::Error(
        "a card precondition in role dm_server (the simulated DM client "
        "reads no card yet)",
        0, kRuleNotSupported);

  DmServerSideOptions so;
  so.server_id = ServerOption("server-id", so.server_id);
  const std::string auth = Option("auth", "md5");
  std::string auth_type;
  if (auth == "md5") {
    so.client_auth = servers::DmAuthMode::kDigest;
    auth_type = "DIGEST";
  } else if (auth == "basic") {
    so.client_auth = servers::DmAuthMode::kBasic;
    auth_type = "BASIC";
  } else if (auth == "none") {
    so.client_auth = servers::DmAuthMode::kNone;
  } else {
    return codec::Error(
        "handset option auth=" + auth + " (expected md5, basic or none)", 0,
        kRuleOptions);
  }
  const std::string ui = ServerOption("ui-mode", "not-specified");
  bool ui_ok = false;
  for (auto m :
       {codec::DmUiMode::kNotSpecified, codec::DmUiMode::kBackground,
        codec::DmUiMode::kInformative, codec::DmUiMode::kUserInteraction})
    if (codec::DmUiModeName(m) == ui) {
      ui_mode_ = m;
      ui_ok = true;
    }
  if (!ui_ok)
    return codec::Error("server option ui-mode=" + ui, 0, kRuleOptions);
  std::vector<std::string> names = config_.faults;
  names.insert(names.end(), tc_.preconditions.faults.begin(),
               tc_.preconditions.faults.end());
  for (const auto& n : names)
    if (auto d = dm::DmClientDefectByName(n)) so.defects.push_back(*d);

  server_ = std::make_unique<DmServerSide>(tc_, so, rec_);
  OMAIOP_RETURN_IF_ERROR(server_->Start());

  dm::DeviceConfig dc;
  dc.dev_id = Option("dev-id", dc.dev_id);
  dm::DmAccountConfig acc;
  acc.server_id = so.server_id;
  acc.addr = server_->url();
  acc.origin = "harness";
  if (so.client_auth != servers::DmAuthMode::kNone)
    acc.auths.push_back({"", "CLCRED", auth_type, so.client_user,
                         so.client_secret, codec::AsString(so.client_nonce)});
  acc.auths.push_back({"", "SRVCRED", "DIGEST", so.server_id, so.server_secret,
                       codec::AsString(so.server_nonce)});
  dc.accounts.push_back(acc);
  if (auto built = dm::BuildStandardObjects(tree_, dc); !built.ok())
    return codec::Error("cannot build the handset tree: " + built.reason, 0,
                        kRuleOptions);
  OMAIOP_ASSIGN_OR_RETURN(
      auto account, dm::AccountFromTree(
                        tree_, "./DMAcc/" + dm::AccountNodeName(so.server_id)));
  dm::DmClientOptions opt;
  opt.wbxml = Option("wbxml") == "true";
  opt.ui = [this](const dm::UiRequest& r) { return OnUi(r); };
  client_ = std::make_unique<dm::DmClient>(tree_, account, opt);
  return codec::OkStatus();
}

dm::UiAnswer DmServerRoleSession::OnUi(const dm::UiRequest& r) {
  dm::UiAnswer a;
  std::string what = r.alert_code ? "UI alert " + std::to_string(r.alert_code)
                                  : std::string("package 0 prompt");
  for (const auto& t : r.texts) what += " '" + t + "'";
  if (r.alert_code == 1100 && answers_.empty()) {
    // A display alert needs no answer.
    a.kind = dm::UiAnswer::Kind::kAccept;
  } else if (answers_.empty()) {
    a.kind = dm::UiAnswer::Kind::kTimeout;
  } else {
    a.kind = answers_.front();
    answers_.pop_front();
  }
  if (a.kind == dm::UiAnswer::Kind::kAccept &&
      (r.alert_code == 1103 || r.alert_code == 1104))
    a.data = {"1"};
  if (r.alert_code == 1102 && a.kind == dm::UiAnswer::Kind::kAccept)
    a.data = {"omaiop"};
  User(what + ": the user " + UiKindName(a.kind));
  return a;
}

std::optional<StepOutcome> DmServerRoleSession::Flush() {
  if (!pending_) return std::nullopt;
  const script::DmSessionStep s = *pending_;
  pending_.reset();
  const std::size_t trace_before = client_->trace().events().size();
  server_->BeginSession();
  dm::DmSessionOutcome o;
  if (s.trigger == "pkg0") {
    std::uint16_t sid = 1;
    if (!s.session_id.empty()) {
      const long v = std::strtol(s.session_id.c_str(), nullptr, 10);
      if (v < 0 || v > 0xFFFF)
        return ErrorOutcome("dm-session session-id " + s.session_id +
                            " is not a package 0 session id (0..65535)");
      sid = static_cast<std::uint16_t>(v);
    }
    auto pkg0 = server_->Package0(sid, ui_mode_);
    o = client_->OnPackage0(pkg0);
  } else {
    dm::SessionTrigger t;
    t.session_id = s.session_id;
    o = client_->RunSession(t);
  }
  server_->EndSession();
  std::vector<DmCaseEvent> events;
  const auto& all = client_->trace().events();
  for (std::size_t i = trace_before; i < all.size(); ++i) {
    const auto& ev = all[i];
    events.push_back(
        {std::string(dm::DmEventKindName(ev.kind)), ev.rule, "", ev.detail});
    if (ev.kind == dm::DmEventKind::kMessageSent ||
        ev.kind == dm::DmEventKind::kMessageReceived)
      continue;  // the server's log has the messages themselves
    TraceEntry e;
    e.source = src::kHandset;
    e.kind = knd::kDecision;
    e.summary = ev.ToString();
    e.rule = ev.rule;
    rec_->Add(std::move(e));
  }
  server_->AddEvents(std::move(events));
  if (!answers_.empty()) {
    User(std::to_string(answers_.size()) +
         " user answer(s) not asked for by the session");
    answers_.clear();
  }
  return std::nullopt;
}

StepOutcome DmServerRoleSession::CheckTree(const script::CheckTreeStep& c) {
  const dm::Node* n = tree_.Find(c.path);
  if (!c.present) {
    if (!n) return Pass(c.path + " absent");
    return Fail(c.path + " present (value '" + n->value + "') but must not be",
                kRuleTree);
  }
  if (!n)
    return Fail(
        c.path + " not in the handset's tree; " + server_->ViolationsSummary(),
        kRuleTree);
  const std::string fmt(dm::FormatName(n->format));
  if (!c.format.empty() && c.format != fmt)
    return Fail(c.path + " has format " + fmt + ", expected " + c.format,
                kRuleTree);
  if (c.has_value && n->value != c.value)
    return Fail(c.path + " = '" + n->value + "', expected '" + c.value + "'; " +
                    server_->ViolationsSummary(),
                kRuleTree);
  return Pass(c.path + " = '" + n->value + "' (" + fmt + ")");
}

StepOutcome DmServerRoleSession::Execute(const script::Step& step) {
  const bool queue_step =
      std::holds_alternative<script::DmSessionStep>(step.body) ||
      std::holds_alternative<script::ServerCommandsStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body);
  if (!queue_step)
    if (auto err = Flush()) return *err;
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::DmSessionStep>) {
          if (b.trigger != "client" && b.trigger != "pkg0")
            return Inconc("dm-session trigger " + b.trigger +
                          " not supported in role dm_server yet");
          if (auto err = Flush()) return *err;  // an earlier session
          pending_ = b;
          return Pass("DM session (" + b.trigger +
                      ") runs before the next observation step");
        } else if constexpr (std::is_same_v<T, script::ServerCommandsStep>) {
          return server_->QueueCommands(b);
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          answers_.push_back(dm::UiAnswer::Kind::kAccept);
          User("user will accept the next prompt");
          return Pass("the user will accept");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          answers_.push_back(dm::UiAnswer::Kind::kReject);
          User("user will reject the next prompt");
          return Pass("the user will reject");
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
                        " not supported in role dm_server by adapter "
                        "simulated");
        }
      },
      step.body);
}

}  // namespace

codec::Result<std::shared_ptr<Session>> OpenSimulatedDmServerRole(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  auto s =
      std::make_shared<DmServerRoleSession>(tc, config, std::move(recorder));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
