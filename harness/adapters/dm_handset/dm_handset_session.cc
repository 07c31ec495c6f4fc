#include "harness/adapters/dm_handset/dm_handset_session.h"

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "codec/bytes.h"
#include "codec/syncml.h"
#include "codec/xml.h"
#include "harness/adapters/card/card_edits.h"
#include "sim/handset/dm/dm_bootstrap.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/dm_notification_push.h"

namespace omaiop::harness::adapters {

namespace {

namespace dm = sim::handset::dm;
namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kDefaultProfile[] = "uicc-3g";
constexpr char kRuleStatus[] = "dm.md §3.5: status codes";
constexpr char kRuleTree[] = "dm.md §3.6: management tree";
constexpr char kRuleFlow[] = "dm.md §3.2: session flow";
constexpr char kSyncMlNs[] = "SYNCML:SYNCML1.2";

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

servers::ScriptCommand ToScript(const codec::Command& c) {
  servers::ScriptCommand s;
  s.command = c;
  for (const auto& child : c.children) s.children.push_back(ToScript(child));
  return s;
}

// The management commands of a SyncML message as one server package.
servers::ScriptPackage PackageOf(const codec::SyncMlMessage& m) {
  servers::ScriptPackage p;
  for (const auto& c : m.body.commands) {
    if (c.type == codec::CommandType::kStatus ||
        c.type == codec::CommandType::kResults)
      continue;
    p.commands.push_back(ToScript(c));
  }
  return p;
}

codec::Result<std::vector<servers::ScriptPackage>> ParseCommandText(
    const std::string& text, bool fragment) {
  auto doc = codec::ParseXml(fragment ? "<f>" + text + "</f>" : text,
                             "server-commands");
  if (!doc.ok()) return doc.error();
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  const xmlNode* first = fragment ? codec::FirstChildElement(root) : root;
  if (!first)
    return codec::Error("server-commands: no command", 0, "test case");
  const std::string name(codec::NodeName(first));
  if (name == "DmScript") {
    OMAIOP_ASSIGN_OR_RETURN(
        servers::DmScript s,
        servers::ParseDmScript(fragment ? codec::SerializeNode(first, false)
                                        : text));
    return s.packages;
  }
  if (name == "SyncML") {
    OMAIOP_ASSIGN_OR_RETURN(
        codec::SyncMlMessage m,
        codec::SyncMlFromXml(fragment ? codec::SerializeNode(first, false)
                                      : text));
    return std::vector<servers::ScriptPackage>{PackageOf(m)};
  }
  if (name == "Package") {
    std::string xml = "<DmScript>" +
                      (fragment ? text : codec::SerializeNode(first, false)) +
                      "</DmScript>";
    OMAIOP_ASSIGN_OR_RETURN(servers::DmScript s, servers::ParseDmScript(xml));
    return s.packages;
  }
  // SyncML commands (with CmdID) or DmScript commands (no namespace).
  const xmlNs* ns = first->ns;
  const bool syncml =
      ns && ns->href &&
      std::string_view(reinterpret_cast<const char*>(ns->href)) == kSyncMlNs;
  if (!syncml) {
    OMAIOP_ASSIGN_OR_RETURN(
        servers::DmScript s,
        servers::ParseDmScript(
            "<DmScript><Package>" +
            (fragment ? text : codec::SerializeNode(first, false)) +
            "</Package></DmScript>"));
    return s.packages;
  }
  // Wrap the commands in a message; the header is only there to parse.
  std::string body;
  for (const xmlNode* c = first; c; c = codec::NextSiblingElement(c))
    body += codec::SerializeNode(c, false);
  std::string msg = std::string("<SyncML xmlns=\"") + kSyncMlNs +
                    "\"><SyncHdr><VerDTD>1.2</VerDTD><VerProto>DM/1.2"
                    "</VerProto><SessionID>1</SessionID><MsgID>1</MsgID>"
                    "<Target><LocURI>dev</LocURI></Target><Source><LocURI>"
                    "srv</LocURI></Source></SyncHdr><SyncBody>" +
                    body + "<Final/></SyncBody></SyncML>";
  OMAIOP_ASSIGN_OR_RETURN(codec::SyncMlMessage m, codec::SyncMlFromXml(msg));
  return std::vector<servers::ScriptPackage>{PackageOf(m)};
}

TraceEntry Entry(std::string source, std::string peer, std::string kind,
                 Direction direction, std::string summary,
                 std::string rule = {}) {
  TraceEntry e;
  e.source = std::move(source);
  e.peer = std::move(peer);
  e.kind = std::move(kind);
  e.direction = direction;
  e.summary = std::move(summary);
  e.rule = std::move(rule);
  return e;
}

std::optional<dm::DmEventKind> DmKindByName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(dm::DmEventKind::kChunkAbandoned);
       ++i) {
    auto k = static_cast<dm::DmEventKind>(i);
    if (dm::DmEventKindName(k) == name) return k;
  }
  return std::nullopt;
}

codec::Result<std::string> HexOctets(const std::string& hex) {
  if (hex.empty()) return std::string();
  OMAIOP_ASSIGN_OR_RETURN(codec::Bytes b, codec::ParseHex(hex));
  return codec::AsString(b);
}

std::string AuthTypeName(const std::string& a) {
  if (a == "basic") return "BASIC";
  if (a == "hmac") return "HMAC";
  return "DIGEST";
}

// One event of any source, for expect-event.
struct AnyEvent {
  std::string kind, rule, detail;
};

class DmHandsetSession : public Session {
 public:
  DmHandsetSession(script::TestCase tc, AdapterConfig config,
                   std::shared_ptr<Recorder> rec,
                   std::unique_ptr<DmServerPeer> peer)
      : tc_(std::move(tc)),
        config_(std::move(config)),
        rec_(std::move(rec)),
        peer_(std::move(peer)) {}

  codec::Status Setup();
  StepOutcome Execute(const script::Step& step) override;

 private:
  std::string Option(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.handset)
      if (o.name == name) return o.value;
    return def;
  }
  std::string Pixit(const std::string& name, std::string def = {}) const {
    auto vars = script::IutVariables(config_.iut);
    auto it = vars.find(name);
    return it == vars.end() || it->second.empty() ? def : it->second;
  }
  codec::Status InsertCard(const std::string& profile, bool with_edits);
  void PowerOn();
  void LoadCardAccount();
  codec::Status BuildAccount();
  std::optional<StepOutcome> Flush();
  void Record(const dm::DmClient& client, const std::string& url,
              const std::string& trace_url);
  std::vector<AnyEvent> AllEvents() const;
  std::string OutcomeSummary() const;
  std::string FailureRule() const;

  StepOutcome DoSession(const script::DmSessionStep& s);
  StepOutcome DoCommands(const script::ServerCommandsStep& s);
  StepOutcome DoExpectStatus(const script::ExpectStatusStep& e);
  StepOutcome DoExpectEvent(const script::ExpectEventStep& e);
  StepOutcome DoCheckTree(const script::CheckTreeStep& c);
  StepOutcome DoCheckCardFile(const script::CheckCardFileStep& c);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  std::unique_ptr<DmServerPeer> peer_;
  sim::reader::InProcessReader reader_{"simulated handset"};
  std::unique_ptr<sim::handset::Handset> handset_;
  std::size_t handset_events_seen_ = 0;
  std::string card_origin_;
  std::string account_uri_;
  std::optional<dm::DmAccount> account_;
  std::string card_profile_;
  bool first_insert_ = true;
  std::string ui_;  // accept | reject | cancel

  std::optional<script::DmSessionStep> pending_;
  std::vector<servers::ScriptPackage> packages_;
  std::vector<std::string> sources_;  // each server-commands step's XML
  std::vector<dm::DmSessionOutcome> outcomes_;
  std::vector<dm::DmEvent> dm_events_;
  std::vector<DmPeerEvent> peer_events_;
};

codec::Status DmHandsetSession::InsertCard(const std::string& profile,
                                           bool with_edits) {
  OMAIOP_ASSIGN_OR_RETURN(auto card, MakeCaseCard(tc_, profile, with_edits));
  reader_.Insert(std::move(card));
  card_profile_ = profile;
  return codec::OkStatus();
}

// The handset applies the card's DM bootstrap into its tree at power-on /
// insertion and removes a gone card's accounts itself (Handset::dm_tree());
// here the current card's origin is noted and the decisions traced.
void DmHandsetSession::LoadCardAccount() {
  card_origin_ = handset_->card_origin();
  for (std::size_t i = handset_events_seen_; i < handset_->events().size();
       ++i) {
    const auto& e = handset_->events()[i];
    if (e.kind.rfind("dm_", 0) == 0 || e.kind == "card_error" ||
        e.kind == "card_rejected")
      rec_->Add(Entry(src::kHandset, src::kUicc, knd::kDecision,
                      Direction::kNone, e.kind + ": " + e.detail, e.rule));
  }
  handset_events_seen_ = handset_->events().size();
}

void DmHandsetSession::PowerOn() {
  auto st = handset_->PowerOn();
  if (!st.ok())
    rec_->Add(Entry(src::kHandset, src::kUicc, knd::kDecision, Direction::kNone,
                    "card power-on failed: " + st.error().ToString(),
                    st.error().rule));
  LoadCardAccount();
}

codec::Status DmHandsetSession::BuildAccount() {
  const std::string mode = Option("account");
  std::string uri;
  if (mode != "pixit") {
    for (const auto& a : dm::FindDmAccounts(handset_->dm_tree())) {
      const dm::Node* n = handset_->dm_tree().Find(a);
      if (n && !card_origin_.empty() && n->origin == card_origin_) {
        uri = a;
        break;
      }
    }
    if (mode == "card" && uri.empty())
      return codec::Error(
          "handset option account=card but the card holds no DM bootstrap", 0,
          "test case <handset>");
  }
  if (uri.empty()) {
    dm::DmAccountConfig acc;
    acc.server_id =
        Option("server-id", Pixit("IUT.dm.server_id", "omaiop-dms"));
    acc.addr = Pixit("IUT.dm.url", "http://simulated.invalid/dm");
    acc.origin = "pixit";
    const std::string auth = Option("client-auth", "md5");
    OMAIOP_ASSIGN_OR_RETURN(std::string cn, HexOctets(Option("client-nonce")));
    OMAIOP_ASSIGN_OR_RETURN(std::string sn, HexOctets(Option("server-nonce")));
    if (auth != "none")
      acc.auths.push_back(
          {"", "CLCRED", AuthTypeName(auth),
           Option("client-name", Pixit("IUT.dm.user", "handset")),
           Option("client-secret", Pixit("IUT.dm.password", "handsetpwd")),
           cn});
    const std::string ss = Option("server-secret", Pixit("IUT.dm.secret"));
    if (!ss.empty())
      acc.auths.push_back({"", "SRVCRED",
                           AuthTypeName(Option("server-auth", "md5")),
                           acc.server_id, ss, sn});
    std::string created;
    dm::OpResult r = dm::AddDmAccount(handset_->dm_tree(), acc, &created);
    if (!r.ok())
      return codec::Error("cannot add the PIXIT account: " + r.reason, 0,
                          "test case <handset>");
    uri = created.empty() ? "./DMAcc/" + dm::AccountNodeName(acc.server_id)
                          : created;
  }
  auto a = dm::AccountFromTree(handset_->dm_tree(), uri);
  if (!a.ok()) return a.error();
  account_uri_ = uri;
  account_ = *a;
  return codec::OkStatus();
}

codec::Status DmHandsetSession::Setup() {
  static const char* kKnown[] = {"account",
                                 "server-id",
                                 "client-auth",
                                 "client-name",
                                 "client-secret",
                                 "client-nonce",
                                 "server-secret",
                                 "server-auth",
                                 "server-nonce",
                                 "wbxml",
                                 "dev-id",
                                 "pin1",
                                 "ui"};
  for (const auto& o : tc_.preconditions.handset)
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return o.name == k; }))
      return codec::Error(
          "handset option " + o.name + " not supported in role dm_client", 0,
          "test case <handset>");
  ui_ = Option("ui", "accept");
  sim::handset::HandsetOptions ho;
  ho.dm_device.dev_id = Option("dev-id", ho.dm_device.dev_id);
  ho.card.pin1 = Option("pin1", "1234");
  // Every APDU the handset exchanges with the card goes into the trace.
  ho.card.trace = [rec = rec_](const sim::handset::card::ApduExchange& x) {
    char sw[8];
    std::snprintf(sw, sizeof sw, "%04X", x.sw);
    TraceEntry e = Entry(src::kHandset, src::kUicc, knd::kApdu, Direction::kOut,
                         x.purpose + " -> " + sw);
    e.raw = x.command;
    e.response = x.response;
    rec->Add(std::move(e));
  };
  handset_ = std::make_unique<sim::handset::Handset>(reader_, ho);
  std::string profile = kDefaultProfile;
  bool inserted = true;
  if (tc_.preconditions.card) {
    profile = tc_.preconditions.card->profile;
    inserted = tc_.preconditions.card->inserted;
  }
  card_profile_ = profile;
  if (inserted) {
    OMAIOP_RETURN_IF_ERROR(InsertCard(profile, /*with_edits=*/true));
    first_insert_ = false;
  }
  PowerOn();
  return BuildAccount();
}

StepOutcome DmHandsetSession::DoSession(const script::DmSessionStep& s) {
  if (s.trigger != "client" && s.trigger != "server" &&
      s.trigger != "bootstrap" && s.trigger != "pkg0")
    return ErrorOutcome("dm-session trigger " + s.trigger);
  if (auto f = Flush()) return *f;
  pending_ = s;
  return Pass("session (" + s.trigger +
              ") scheduled: it runs with the server-commands that follow, "
              "before the next other step");
}

StepOutcome DmHandsetSession::DoCommands(const script::ServerCommandsStep& s) {
  auto p = ParseServerCommands(tc_, s);
  if (!p.ok()) return ErrorOutcome("server-commands: " + p.error().ToString());
  if (!s.inline_xml.empty())
    sources_.push_back(s.inline_xml);
  else if (auto t = ReadText(script::ResolveCasePath(tc_, s.file)))
    sources_.push_back(*t);
  std::size_t n = 0;
  for (auto& pkg : *p) {
    n += pkg.commands.size();
    packages_.push_back(std::move(pkg));
  }
  return Pass(std::to_string(n) + " command(s) in " +
              std::to_string(p->size()) + " package(s) queued for the " +
              peer_->name() + " to send");
}

void DmHandsetSession::Record(const dm::DmClient& client,
                              const std::string& url,
                              const std::string& trace_url) {
  auto shown = [&](std::string text) {
    if (trace_url.empty() || url.empty()) return text;
    for (std::size_t at = text.find(url); at != std::string::npos;
         at = text.find(url, at + trace_url.size()))
      text.replace(at, url.size(), trace_url);
    return text;
  };
  for (const auto& m : client.messages()) {
    TraceEntry e =
        Entry(src::kHandset, src::kServer, knd::kDmMessage,
              m.sent ? Direction::kOut : Direction::kIn,
              std::string(m.sent ? "sent " : "received ") + m.content_type +
                  ", " + std::to_string(m.wire_size) + " octets" +
                  (m.sent ? "" : ", HTTP " + std::to_string(m.http_status)));
    const std::string xml = shown(m.xml);
    e.raw.assign(xml.begin(), xml.end());
    rec_->Add(std::move(e));
  }
  for (dm::DmEvent ev : client.trace().events()) {
    ev.detail = shown(ev.detail);
    dm_events_.push_back(ev);
    if (ev.kind == dm::DmEventKind::kMessageSent ||
        ev.kind == dm::DmEventKind::kMessageReceived)
      continue;  // the dm_message entries say it
    rec_->Add(Entry(src::kHandset, "", knd::kDecision, Direction::kNone,
                    ev.ToString(), ev.rule));
  }
}

std::optional<StepOutcome> DmHandsetSession::Flush() {
  // Server commands given before any dm-session wait for the next one.
  if (!pending_) return std::nullopt;
  script::DmSessionStep s = *pending_;
  pending_.reset();
  auto packages = std::move(packages_);
  packages_.clear();
  auto sources = std::move(sources_);
  sources_.clear();
  if (!account_) return ErrorOutcome("no DM account on the handset");
  auto prepared = peer_->Prepare(packages, sources, *account_);
  if (!prepared.ok())
    return ErrorOutcome(peer_->name() + ": " + prepared.error().ToString());
  if (prepared->refused) return prepared->refused;
  dm::DmAccount account = *account_;
  account.server_url = prepared->url;
  dm::DmClientOptions o;
  o.wbxml =
      Option("wbxml", Pixit("IUT.dm.encoding") == "wbxml" ? "true" : "false") ==
      "true";
  o.http.connect_timeout = std::chrono::milliseconds(3000);
  o.http.request_timeout = std::chrono::milliseconds(10000);
  if (const std::string ca = Pixit("IUT.dm.ca_file"); !ca.empty())
    o.http.tls.ca_file = script::ResolveCasePath(tc_, ca);
  o.account_uri = account_uri_;
  if (prepared->deterministic_nonces)
    o.nonce_source = [n = std::uint8_t{0x80}]() mutable {
      return codec::Bytes(16, ++n);
    };
  const std::string ui = ui_;
  o.ui = [ui](const dm::UiRequest& r) {
    dm::UiAnswer a;
    if (ui == "reject") a.kind = dm::UiAnswer::Kind::kReject;
    if (ui == "cancel") a.kind = dm::UiAnswer::Kind::kCancel;
    if (a.kind == dm::UiAnswer::Kind::kAccept &&
        (r.alert_code == 1103 || r.alert_code == 1104))
      a.data = {"1"};
    return a;
  };
  dm::DmClient client(handset_->dm_tree(), account, o);
  rec_->Add(Entry(
      src::kHarness, "", knd::kDecision, Direction::kNone,
      "DM session (" + s.trigger + ") with " + peer_->name() + " at " +
          (prepared->trace_url.empty() ? prepared->url : prepared->trace_url) +
          " as " + account.server_id + ", " + std::to_string(packages.size()) +
          " scripted package(s)" + (o.wbxml ? ", WBXML" : "")));
  dm::DmSessionOutcome out;
  if (s.trigger == "server" || s.trigger == "pkg0") {
    const std::uint16_t sid =
        s.session_id.empty()
            ? static_cast<std::uint16_t>(outcomes_.size() + 1)
            : static_cast<std::uint16_t>(std::atoi(s.session_id.c_str()));
    auto p0 = peer_->Package0(account, sid);
    if (!p0.ok())
      return Inconc(peer_->name() +
                    " cannot send package 0: " + p0.error().ToString());
    TraceEntry e =
        Entry(src::kServer, src::kHandset, knd::kWspPush, Direction::kIn,
              "package 0 (" + std::to_string(p0->size()) + " octets, session " +
                  std::to_string(sid) +
                  ") in a WSP push, application/vnd.syncml.notification");
    // kind wsp_push carries the WSP PDU (reports/campaign.h): package 0 as
    // the push it travels in (dm.md §3.2 row 0), so Wireshark decodes it.
    e.raw = sim::servers::EncodePackage0WspPush(*p0);
    rec_->Add(std::move(e));
    out = client.OnPackage0(*p0);
  } else {
    dm::SessionTrigger t;
    t.session_id = s.session_id;
    out = client.RunSession(t);
  }
  Record(client, prepared->url, prepared->trace_url);
  for (auto& pe : peer_->Collect()) {
    rec_->Add(Entry(src::kServer, src::kHandset, knd::kDecision,
                    Direction::kNone, pe.kind + ": " + pe.detail, pe.rule));
    peer_events_.push_back(std::move(pe));
  }
  // The session may have changed the account (nonces): re-read it.
  if (auto a = dm::AccountFromTree(handset_->dm_tree(), account_uri_); a.ok())
    account_ = *a;
  outcomes_.push_back(std::move(out));
  return std::nullopt;
}

std::vector<AnyEvent> DmHandsetSession::AllEvents() const {
  std::vector<AnyEvent> all;
  for (const auto& e : handset_->events())
    all.push_back({e.kind, e.rule, e.detail});
  for (const auto& e : dm_events_)
    all.push_back({std::string(dm::DmEventKindName(e.kind)), e.rule, e.detail});
  for (const auto& e : peer_events_) all.push_back({e.kind, e.rule, e.detail});
  return all;
}

std::string DmHandsetSession::OutcomeSummary() const {
  if (outcomes_.empty()) return "no DM session ran";
  std::string s;
  for (const auto& o : outcomes_) {
    s += s.empty() ? "" : "; ";
    s += "session " + o.session_id + ": " +
         (o.ok()      ? "completed"
          : o.aborted ? "aborted"
                      : "failed");
    if (o.error) s += " (" + o.error->ToString() + ")";
  }
  return s;
}

// The rule behind a failed expectation: the session's own failure, else the
// first event that says something went wrong.
std::string DmHandsetSession::FailureRule() const {
  for (auto it = outcomes_.rbegin(); it != outcomes_.rend(); ++it)
    if (it->error && !it->error->rule.empty()) return it->error->rule;
  for (const auto& e : dm_events_) switch (e.kind) {
      case dm::DmEventKind::kTransportError:
      case dm::DmEventKind::kProtocolError:
      case dm::DmEventKind::kHeaderMismatch:
      case dm::DmEventKind::kServerAuthFailed:
      case dm::DmEventKind::kClientAuthFailed:
      case dm::DmEventKind::kSessionAborted:
      case dm::DmEventKind::kPackage0Rejected:
      case dm::DmEventKind::kUnsupported:
        return e.rule;
      default:
        break;
    }
  for (const auto& e : peer_events_)
    if (!e.rule.empty()) return e.rule;
  return kRuleFlow;
}

StepOutcome DmHandsetSession::DoExpectStatus(
    const script::ExpectStatusStep& e) {
  if (outcomes_.empty())
    return Fail("expected status " + e.code + ", but no DM session ran [" +
                    std::string(kRuleFlow) + "]",
                kRuleFlow);
  std::string seen;
  for (const auto& o : outcomes_)
    for (const auto& c : o.commands) {
      if (!e.cmd.empty() && c.cmd != e.cmd) continue;
      if (!Contains(c.uri, e.target)) continue;
      if (std::to_string(c.code) == e.code)
        return Pass(c.cmd + (c.uri.empty() ? "" : " " + c.uri) + " answered " +
                    e.code);
      seen += (seen.empty() ? "" : ", ") + c.cmd +
              (c.uri.empty() ? "" : " " + c.uri) + " " +
              std::to_string(c.code) +
              (c.reason.empty() ? "" : " (" + c.reason + ")");
    }
  std::string what = e.cmd.empty() ? "a command" : e.cmd;
  if (!e.target.empty()) what += " on ~'" + e.target + "'";
  const std::string rule = seen.empty() ? FailureRule() : kRuleStatus;
  return Fail("expected " + what + " answered " + e.code + ", got " +
                  (seen.empty() ? "no such command" : seen) + " [" + rule +
                  "]; " + OutcomeSummary(),
              rule);
}

StepOutcome DmHandsetSession::DoExpectEvent(const script::ExpectEventStep& e) {
  if (e.kind != "violation" && !DmKindByName(e.kind)) {
    bool known = false;
    for (const auto& ev : AllEvents()) known |= ev.kind == e.kind;
    // Handset card events (sim/handset/handset.h, a name contract).
    static const char* kHandsetKinds[] = {"power_on",
                                          "power_off",
                                          "card_absent",
                                          "card_opened",
                                          "card_error",
                                          "pin1_requested",
                                          "pin1_verified",
                                          "pin1_rejected",
                                          "imsi_read",
                                          "imsi_unavailable",
                                          "document_read",
                                          "document_absent",
                                          "document_applied",
                                          "document_rejected",
                                          "dm_bootstrap_kept",
                                          "card_removed",
                                          "card_inserted",
                                          "card_changed",
                                          "dm_bootstrap_applied",
                                          "dm_bootstrap_failed",
                                          "dm_bootstrap_disabled",
                                          "dm_accounts_removed",
                                          "card_rejected",
                                          "fault_applied"};
    for (const char* k : kHandsetKinds) known |= e.kind == k;
    if (!known) return ErrorOutcome("unknown event kind " + e.kind);
  }
  std::size_t n = 0;
  std::string first_rule;
  for (const auto& ev : AllEvents()) {
    if (ev.kind != e.kind || !Contains(ev.rule, e.rule) ||
        !Contains(ev.detail, e.detail) || !Contains(ev.detail, e.path))
      continue;
    if (n++ == 0) first_rule = ev.rule;
  }
  std::string what = e.kind;
  if (!e.rule.empty()) what += " with rule ~'" + e.rule + "'";
  if (!e.path.empty()) what += " at ~'" + e.path + "'";
  if (!e.detail.empty()) what += " detail ~'" + e.detail + "'";
  if (e.absent) {
    if (n == 0) return Pass("no " + what + " event");
    return Fail("unexpected " + what + " event (" + std::to_string(n) + "x) [" +
                    first_rule + "]; " + OutcomeSummary(),
                first_rule.empty() ? FailureRule() : first_rule);
  }
  if (e.count ? n == *e.count : n > 0)
    return Pass(std::to_string(n) + "x " + what);
  const std::string rule = FailureRule();
  return Fail("expected " +
                  (e.count ? std::to_string(*e.count) + "x " : std::string()) +
                  what + " event, got " + std::to_string(n) + " [" + rule +
                  "]; " + OutcomeSummary(),
              rule);
}

StepOutcome DmHandsetSession::DoCheckTree(const script::CheckTreeStep& c) {
  const dm::Node* n = handset_->dm_tree().Find(c.path);
  if (!c.present) {
    if (!n) return Pass(c.path + " absent");
    return Fail(c.path + " is in the tree but must not be [" +
                    std::string(kRuleTree) + "]; " + OutcomeSummary(),
                kRuleTree);
  }
  if (!n)
    return Fail(c.path + " not in the tree [" + std::string(kRuleTree) + "]; " +
                    OutcomeSummary(),
                kRuleTree);
  if (!c.format.empty() && dm::FormatName(n->format) != c.format)
    return Fail(c.path + " format " + std::string(dm::FormatName(n->format)) +
                    ", expected " + c.format + " [" + kRuleTree + "]",
                kRuleTree);
  if (c.has_value && n->value != c.value)
    return Fail(c.path + " = '" + n->value + "', expected '" + c.value + "' [" +
                    kRuleTree + "]; " + OutcomeSummary(),
                kRuleTree);
  return Pass(c.path +
              (n->interior() ? " (interior)" : " = '" + n->value + "'"));
}

StepOutcome DmHandsetSession::DoCheckCardFile(
    const script::CheckCardFileStep& c) {
  auto card = reader_.card();
  if (!card)
    return Fail("no card in the handset to read " + c.path + " [" +
                    kRuleCheckCardFile + "]",
                kRuleCheckCardFile);
  auto got = ReadCardFile(card->file_system(), c.path, c.record);
  if (!got.ok())
    return Fail(got.error().ToString() + " [" + kRuleCheckCardFile + "]",
                kRuleCheckCardFile);
  return CompareCardFile(tc_, c, *got);
}

StepOutcome DmHandsetSession::Execute(const script::Step& step) {
  const bool queues =
      std::holds_alternative<script::DmSessionStep>(step.body) ||
      std::holds_alternative<script::ServerCommandsStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body);
  if (!queues)
    if (auto f = Flush()) return *f;
  auto user = [&](std::string what) {
    rec_->Add(Entry(src::kUser, src::kHandset, knd::kUserAction,
                    Direction::kNone, std::move(what)));
  };
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::DmSessionStep>) {
          return DoSession(b);
        } else if constexpr (std::is_same_v<T, script::ServerCommandsStep>) {
          return DoCommands(b);
        } else if constexpr (std::is_same_v<T, script::ExpectStatusStep>) {
          return DoExpectStatus(b);
        } else if constexpr (std::is_same_v<T, script::ExpectEventStep>) {
          return DoExpectEvent(b);
        } else if constexpr (std::is_same_v<T, script::CheckTreeStep>) {
          return DoCheckTree(b);
        } else if constexpr (std::is_same_v<T, script::CheckCardFileStep>) {
          return DoCheckCardFile(b);
        } else if constexpr (std::is_same_v<T, script::CardInsertStep>) {
          const std::string profile =
              b.profile.empty() ? card_profile_ : b.profile;
          // The case's edits belong to the card of the preconditions.
          auto st = InsertCard(profile,
                               first_insert_ && tc_.preconditions.card &&
                                   profile == tc_.preconditions.card->profile);
          if (!st.ok()) return ErrorOutcome(st.error().ToString());
          first_insert_ = false;
          user("card inserted (" + profile + ")");
          auto ins = handset_->OnCardInserted();
          if (!ins.ok())
            rec_->Add(Entry(src::kHandset, src::kUicc, knd::kDecision,
                            Direction::kNone,
                            "card not loaded: " + ins.error().ToString()));
          LoadCardAccount();
          return Pass("card " + profile + " inserted");
        } else if constexpr (std::is_same_v<T, script::CardRemoveStep>) {
          reader_.Remove();
          user("card removed");
          handset_->OnCardRemoved();
          LoadCardAccount();
          return Pass("card removed");
        } else if constexpr (std::is_same_v<T, script::PowerCycleStep>) {
          user("power cycle (" + b.target + ")");
          handset_->PowerOff();
          reader_.Disconnect();
          PowerOn();
          return Pass(b.target + " power-cycled");
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          ui_ = "accept";
          user("user accepts UI alerts");
          return Pass("the user will accept UI alerts");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          ui_ = "reject";
          user("user rejects UI alerts");
          return Pass("the user will reject UI alerts");
        } else if constexpr (std::is_same_v<T, script::WaitStep>) {
          return Pass("waited");
        } else {
          return Inconc("step " + step.element +
                        " does not apply to role dm_client (omaiop plays "
                        "the handset's DM client)");
        }
      },
      step.body);
}

}  // namespace

codec::Result<std::vector<servers::ScriptPackage>> ParseServerCommands(
    const script::TestCase& tc, const script::ServerCommandsStep& step) {
  if (!step.inline_xml.empty()) return ParseCommandText(step.inline_xml, true);
  const std::string path = script::ResolveCasePath(tc, step.file);
  auto text = ReadText(path);
  if (!text)
    return codec::Error("cannot read server-commands file " + step.file, 0,
                        "test case");
  return ParseCommandText(*text, false);
}

codec::Result<std::shared_ptr<Session>> OpenDmHandsetSession(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder, std::unique_ptr<DmServerPeer> peer) {
  auto s = std::make_shared<DmHandsetSession>(tc, config, std::move(recorder),
                                              std::move(peer));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
