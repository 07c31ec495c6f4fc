#include "harness/adapters/simulated/dm_server_role.h"

#include <algorithm>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "harness/adapters/card/card_edits.h"
#include "harness/adapters/simulated/dm_server_side.h"
#include "sim/handset/dm/client_defects.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/dm/tree.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"

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
  // The client holds the handset's tree and card MO binding: it goes first.
  ~DmServerRoleSession() override { client_.reset(); }

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
  StepOutcome CheckCardFile(const script::CheckCardFileStep& c);
  // Card mode (a <card> precondition): the client is a sim::handset::Handset
  // whose DM tree holds the card's DM bootstrap (dm.md §1.3).
  codec::Status SetupCommon(DmServerSideOptions& so);
  codec::Status SetupHandset();
  void CardAccountCredentials(const dm::DmAccount& a, DmServerSideOptions& so);
  codec::Status InsertCard(const std::string& profile, bool with_edits);
  void HandsetPowerOn();
  void TraceHandsetEvents();
  StepOutcome CardStep(const script::Step& step);
  dm::Tree& tree() { return handset_ ? handset_->dm_tree() : tree_; }

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  std::unique_ptr<DmServerSide> server_;
  dm::Tree tree_;
  std::unique_ptr<dm::DmClient> client_;
  std::optional<script::DmSessionStep> pending_;
  std::deque<dm::UiAnswer::Kind> answers_;
  codec::DmUiMode ui_mode_ = codec::DmUiMode::kNotSpecified;
  dm::DmClientOptions client_options_;
  // Card mode only.
  sim::reader::InProcessReader reader_{"simulated handset"};
  std::unique_ptr<sim::handset::Handset> handset_;
  std::size_t handset_events_seen_ = 0;
  std::string card_profile_;
  bool first_insert_ = true;
};

codec::Status DmServerRoleSession::Setup() {
  static const char* kHandsetOptions[] = {"auth", "wbxml", "dev-id", "pin1"};
  static const char* kServerOptions[] = {"server-id", "ui-mode"};
  for (const auto& o : tc_.preconditions.handset)
    if (std::none_of(std::begin(kHandsetOptions), std::end(kHandsetOptions),
                     [&](const char* k) { return o.name == k; }))
      return codec::Error("handset option " + o.name +
                              " not supported in role dm_server (known: auth, "
                              "wbxml, dev-id, pin1)",
                          0, kRuleOptions);
  for (const auto& o : tc_.preconditions.server)
    if (std::none_of(std::begin(kServerOptions), std::end(kServerOptions),
                     [&](const char* k) { return o.name == k; }))
      return codec::Error("server option " + o.name +
                              " not supported in role dm_server (known: "
                              "server-id, ui-mode)",
                          0, kRuleOptions);
  if (tc_.preconditions.card) return SetupHandset();

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
  OMAIOP_RETURN_IF_ERROR(SetupCommon(so));

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
  client_ = std::make_unique<dm::DmClient>(tree_, account, client_options_);
  return codec::OkStatus();
}

// ui-mode, defects, client options; starts omaiop's server side.
codec::Status DmServerRoleSession::SetupCommon(DmServerSideOptions& so) {
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
  client_options_.wbxml = Option("wbxml") == "true";
  client_options_.ui = [this](const dm::UiRequest& r) { return OnUi(r); };
  return codec::OkStatus();
}

// Card mode: the simulated DM client is a Handset over an in-process reader
// holding the case's card (edits applied). At power-on it applies the
// card's EF DM_Bootstrap into its DM tree (dm.md §1.3); omaiop's server is
// configured as the server of that card account (ServerID, CLCRED, SRVCRED),
// so a bootstrap-triggered session reaches it at server_->url().
codec::Status DmServerRoleSession::SetupHandset() {
  sim::handset::HandsetOptions ho;
  ho.dm_device.dev_id = Option("dev-id", ho.dm_device.dev_id);
  std::string pin1 = Option("pin1", "1234");
  for (const auto& e : tc_.preconditions.card->edits)
    if (const auto* sp = std::get_if<script::SetPin>(&e))
      if (sp->ref == "PIN1" && !sp->value.empty()) pin1 = sp->value;
  ho.card.pin1 = pin1;
  handset_ = std::make_unique<sim::handset::Handset>(reader_, ho);
  card_profile_ = tc_.preconditions.card->profile;
  if (tc_.preconditions.card->inserted) {
    OMAIOP_RETURN_IF_ERROR(InsertCard(card_profile_, /*with_edits=*/true));
    first_insert_ = false;
  }
  HandsetPowerOn();

  DmServerSideOptions so;
  const auto accounts = handset_->card_dm_accounts();
  if (!accounts.empty()) {
    OMAIOP_ASSIGN_OR_RETURN(auto a,
                            dm::AccountFromTree(tree(), accounts.front()));
    CardAccountCredentials(a, so);
  }
  so.server_id = ServerOption("server-id", so.server_id);
  return SetupCommon(so);
}

// omaiop's server plays the server of the card's account: its ServerID, the
// client credentials it demands (CLCRED) and those it sends (SRVCRED), with
// the account's nonces (none in the shipped bootstraps: empty).
void DmServerRoleSession::CardAccountCredentials(const dm::DmAccount& a,
                                                 DmServerSideOptions& so) {
  so.server_id = ServerOption("server-id", a.server_id);
  so.client_auth = a.client_auth == dm::DmAuthScheme::kBasic
                       ? servers::DmAuthMode::kBasic
                       : servers::DmAuthMode::kDigest;
  if (a.client_name.empty()) so.client_auth = servers::DmAuthMode::kNone;
  so.client_user = a.client_name;
  so.client_secret = a.client_secret;
  so.client_nonce = a.client_nonce;
  so.server_secret = a.server_secret;
  so.server_nonce = a.server_nonce;
}

codec::Status DmServerRoleSession::InsertCard(const std::string& profile,
                                              bool with_edits) {
  OMAIOP_ASSIGN_OR_RETURN(auto card, MakeCaseCard(tc_, profile, with_edits));
  reader_.Insert(std::move(card));
  card_profile_ = profile;
  return codec::OkStatus();
}

void DmServerRoleSession::HandsetPowerOn() {
  auto st = handset_->PowerOn();
  if (!st.ok()) {
    TraceEntry e;
    e.source = src::kHandset;
    e.peer = src::kUicc;
    e.kind = knd::kDecision;
    e.summary = "card power-on failed: " + st.error().ToString();
    e.rule = st.error().rule;
    rec_->Add(std::move(e));
  }
  TraceHandsetEvents();
}

// The handset's card decisions (DM bootstrap applied, accounts removed...)
// go into the trace.
void DmServerRoleSession::TraceHandsetEvents() {
  const auto& all = handset_->events();
  for (std::size_t i = handset_events_seen_; i < all.size(); ++i) {
    const auto& ev = all[i];
    if (ev.kind.rfind("dm_", 0) != 0 && ev.kind.rfind("card_", 0) != 0 &&
        ev.kind.rfind("power_", 0) != 0)
      continue;
    TraceEntry e;
    e.source = src::kHandset;
    e.peer = src::kUicc;
    e.kind = knd::kDecision;
    e.summary = ev.kind + ": " + ev.detail;
    e.rule = ev.rule;
    rec_->Add(std::move(e));
  }
  handset_events_seen_ = all.size();
}

StepOutcome DmServerRoleSession::CardStep(const script::Step& step) {
  if (const auto* b = std::get_if<script::CardInsertStep>(&step.body)) {
    const std::string profile = b->profile.empty() ? card_profile_ : b->profile;
    // The case's edits belong to the card of the preconditions.
    auto st = InsertCard(
        profile, first_insert_ && profile == tc_.preconditions.card->profile);
    if (!st.ok()) return ErrorOutcome(st.error().ToString());
    first_insert_ = false;
    User("card inserted (" + profile + ")");
    auto polled = handset_->PollCard();
    TraceHandsetEvents();
    if (!polled.ok())
      return Fail("the handset did not load the inserted card: " +
                      polled.error().ToString(),
                  polled.error().rule);
    return Pass("card " + profile + " inserted (" +
                std::string(sim::handset::CardChangeName(*polled)) + ")");
  }
  if (std::holds_alternative<script::CardRemoveStep>(step.body)) {
    reader_.Remove();
    User("card removed");
    handset_->OnCardRemoved();
    TraceHandsetEvents();
    return Pass("card removed");
  }
  const auto& pc = std::get<script::PowerCycleStep>(step.body);
  User("power cycle (" + pc.target + ")");
  handset_->PowerOff();
  reader_.Disconnect();
  HandsetPowerOn();
  return Pass(pc.target + " power-cycled");
}

StepOutcome DmServerRoleSession::CheckCardFile(
    const script::CheckCardFileStep& c) {
  auto card = handset_ ? reader_.card() : nullptr;
  if (!card)
    return Fail("no card in the handset to read " + c.path, kRuleCheckCardFile);
  auto got = ReadCardFile(card->file_system(), c.path, c.record);
  if (!got.ok()) return Fail(got.error().ToString(), kRuleCheckCardFile);
  return CompareCardFile(tc_, c, *got);
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
  if (handset_) {
    // The account the card bootstrapped, as the handset holds it now.
    const auto accounts = handset_->card_dm_accounts();
    if (accounts.empty())
      return Fail(
          "the handset holds no DM account from its card (no card, or its "
          "DM bootstrap was not applied); no session ran",
          "dm.md §1.3: smart card DM bootstrap");
    auto account = dm::AccountFromTree(tree(), accounts.front());
    if (!account.ok())
      return Fail("the card's DM account " + accounts.front() +
                      " is unusable: " + account.error().ToString(),
                  account.error().rule);
    // The card (hence the account) may have changed since setup.
    DmServerSideOptions so = server_->options();
    CardAccountCredentials(*account, so);
    server_->SetCredentials(so);
    account->server_url = server_->url();
    dm::DmClientOptions opt = client_options_;
    opt.account_uri = accounts.front();
    client_ = std::make_unique<dm::DmClient>(tree(), *account, opt);
    client_->set_card_mo(handset_->card_mo());
  }
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
  // Card mode: the client is per session; it must not outlive the card MO
  // binding it is attached to (a card swap replaces it).
  if (handset_) client_.reset();
  if (!answers_.empty()) {
    User(std::to_string(answers_.size()) +
         " user answer(s) not asked for by the session");
    answers_.clear();
  }
  return std::nullopt;
}

StepOutcome DmServerRoleSession::CheckTree(const script::CheckTreeStep& c) {
  const dm::Node* n = tree().Find(c.path);
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
  const bool queue_step = IsDmQueueStep(step);
  if (!queue_step)
    if (auto err = Flush()) return *err;
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::DmSessionStep>) {
          const bool bootstrap = b.trigger == "bootstrap" && handset_;
          if (b.trigger != "client" && b.trigger != "pkg0" && !bootstrap)
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
        } else if constexpr (std::is_same_v<T, script::CheckCardFileStep>) {
          return CheckCardFile(b);
        } else if constexpr (std::is_same_v<T, script::CardInsertStep> ||
                             std::is_same_v<T, script::CardRemoveStep> ||
                             std::is_same_v<T, script::PowerCycleStep>) {
          if (!handset_)
            return Inconc("step " + step.element +
                          " in role dm_server needs a <card> precondition");
          return CardStep(step);
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
