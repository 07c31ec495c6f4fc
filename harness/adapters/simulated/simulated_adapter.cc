#include "harness/adapters/simulated/simulated_adapter.h"

#include <algorithm>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "harness/adapters/simulated/dm_server_role.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/card/provsc.h"
#include "sim/handset/cp/cp_client.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/cp_push_server.h"
#include "sim/servers/faults.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::harness::adapters {

namespace {

namespace fs = std::filesystem;
namespace cp = sim::handset::cp;
namespace card = sim::handset::card;
namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kDefaultProfile[] = "uicc-3g";
constexpr char kDefaultDocument[] = "fixtures/cp/bootstrap.xml";
// <user-pin pin="@out-of-band"/>: the PIN the push server handed out of band
// for the push being delivered (USERPINMAC: K || m, computed by the server).
constexpr char kOutOfBandPin[] = "@out-of-band";

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::optional<cp::EventKind> EventKindByName(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(cp::EventKind::kOriginRemoved); ++i) {
    auto k = static_cast<cp::EventKind>(i);
    if (cp::EventKindName(k) == name) return k;
  }
  return std::nullopt;
}

std::optional<codec::SecMethod> SecByName(std::string_view name) {
  for (auto m : {codec::SecMethod::kNetwPin, codec::SecMethod::kUserPin,
                 codec::SecMethod::kUserNetwPin, codec::SecMethod::kUserPinMac})
    if (codec::SecMethodName(m) == name) return m;
  return std::nullopt;
}

// Parses "3F00/7F10/6F3A" (or "3F007F106F3A") into bytes.
std::optional<codec::Bytes> ParseFidPath(std::string_view text) {
  std::string hex;
  for (char c : text)
    if (c != '/' && c != ' ') hex += c;
  auto b = codec::ParseHex(hex);
  if (!b.ok() || b->size() < 2 || b->size() % 2) return std::nullopt;
  return *b;
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

bool Contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

class SimulatedSession : public Session {
 public:
  SimulatedSession(script::TestCase tc, AdapterConfig config,
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
  codec::Result<std::shared_ptr<sim::uicc::Card>> MakeCard(
      const std::string& profile);
  void OnApdu(const card::ApduExchange& x);
  card::CardSessionOptions SessionOptions();
  codec::Result<std::string> ReadImsi();
  void PowerOnCard();
  void RemoveCard();
  codec::Result<servers::ComposedPush> Compose(const script::PushStep& p);
  void Deliver(const servers::ComposedPush& push, const std::string& from);
  void Flush();
  std::vector<cp::CpEvent> AllEvents() const;
  std::string EventsSummary() const;

  StepOutcome DoPush(const script::PushStep& p);
  StepOutcome DoWaitSms(const script::WaitSmsStep& w);
  StepOutcome DoExpectEvent(const script::ExpectEventStep& e);
  StepOutcome DoExpectStatus(const script::ExpectStatusStep& e);
  StepOutcome DoCheckSetting(const script::CheckSettingStep& c);
  StepOutcome DoCheckCardFile(const script::CheckCardFileStep& c);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  sim::reader::InProcessReader reader_{"simulated handset"};
  std::unique_ptr<cp::CpClient> client_;
  std::string card_profile_;  // last inserted
  std::string iccid_;
  struct Pending {
    servers::ComposedPush push;
    std::string from;
  };
  std::vector<Pending> pending_;
  std::deque<std::optional<std::string>> pins_;
  bool user_rejects_ = false;
  std::vector<cp::PushOutcome> outcomes_;
  servers::CpPushServer server_;
};

codec::Result<std::shared_ptr<sim::uicc::Card>> SimulatedSession::MakeCard(
    const std::string& profile) {
  std::string path;
  if (profile.find('/') != std::string::npos ||
      (profile.size() > 4 && profile.ends_with(".xml"))) {
    path = script::ResolveCasePath(tc_, profile);
  } else {
    path = script::ResolveCasePath(tc_, "fixtures/uicc/" + profile + ".xml");
    std::error_code ec;
    if (!fs::exists(path, ec))
      path =
          std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/" + profile + ".xml";
  }
  auto p = sim::uicc::LoadProfile(path);
  if (!p.ok()) return p.error();
  return std::make_shared<sim::uicc::Card>(p->MakeCard());
}

void SimulatedSession::OnApdu(const card::ApduExchange& x) {
  TraceEntry e;
  e.source = src::kHandset;
  e.peer = src::kUicc;
  e.kind = knd::kApdu;
  e.direction = Direction::kOut;
  e.summary = x.purpose + " -> " + [&] {
    char b[8];
    std::snprintf(b, sizeof b, "%04X", x.sw);
    return std::string(b);
  }();
  e.raw = x.command;
  e.response = x.response;
  rec_->Add(std::move(e));
}

card::CardSessionOptions SimulatedSession::SessionOptions() {
  card::CardSessionOptions o;
  o.pin1 = Option("pin1", "1234");
  o.trace = [this](const card::ApduExchange& x) { OnApdu(x); };
  return o;
}

codec::Result<std::string> SimulatedSession::ReadImsi() {
  card::CardSession s(reader_, SessionOptions());
  OMAIOP_RETURN_IF_ERROR(s.Open());
  auto imsi = s.ReadImsi();
  s.Close();
  return imsi;
}

void SimulatedSession::PowerOnCard() {
  if (!reader_.CardPresent()) return;
  card::CardSession s(reader_, SessionOptions());
  auto st = s.Open();
  if (!st.ok()) {
    rec_->Add(Entry(src::kHandset, src::kUicc, knd::kDecision, Direction::kNone,
                    "card power-on failed: " + st.error().ToString()));
    return;
  }
  iccid_ = s.iccid();
  if (Option("provsc") == "true") {
    card::ProvScReader r(s);
    auto docs = r.ReadAll();
    if (!docs.ok()) {
      rec_->Add(Entry(src::kHandset, src::kUicc, knd::kDecision,
                      Direction::kNone,
                      "ProvSC read failed: " + docs.error().ToString()));
    } else {
      auto apply = [&](const std::optional<card::CardDocument>& d,
                       const char* file) {
        if (!d) return;
        auto o = client_->ApplyDocument(
            d->bytes, cp::DocumentSource::SmartCard(iccid_, file));
        for (const auto& ev : o.events)
          rec_->Add(Entry(src::kHandset, "", knd::kDecision, Direction::kNone,
                          ev.ToString(), ev.rule));
        outcomes_.push_back(std::move(o));
      };
      apply(docs->bootstrap, "Bootstrap");
      apply(docs->config1, "Config1");
      apply(docs->config2, "Config2");
    }
  }
  s.Close();
}

void SimulatedSession::RemoveCard() {
  reader_.Remove();
  rec_->Add(Entry(src::kUser, src::kHandset, knd::kUserAction, Direction::kNone,
                  "card removed"));
  // The card's settings go with it (cp.md §3).
  if (!iccid_.empty()) {
    std::size_t n = client_->RemoveOrigin(cp::CardOrigin(iccid_));
    rec_->Add(Entry(src::kHandset, "", knd::kDecision, Direction::kNone,
                    "origin card:" + iccid_ + " removed (" + std::to_string(n) +
                        " items)"));
  }
}

codec::Status SimulatedSession::Setup() {
  cp::CpClientOptions o;
  std::string un = Option("unauthenticated", "reject");
  if (un == "accept-untrusted")
    o.unauthenticated = cp::UnauthenticatedPolicy::kAcceptUntrusted;
  else if (un != "reject")
    return codec::Error("handset option unauthenticated=" + un +
                            " (expected reject or accept-untrusted)",
                        0, "simulated adapter options");
  if (auto m = Option("max_pin_attempts"); !m.empty())
    o.max_pin_attempts = std::atoi(m.c_str());
  if (Option("card_bootstrap_precedence") == "false")
    o.card_bootstrap_precedence = false;
  for (const auto& opt : tc_.preconditions.handset) {
    static const char* kKnown[] = {"pin1", "provsc", "unauthenticated",
                                   "max_pin_attempts",
                                   "card_bootstrap_precedence"};
    if (std::none_of(std::begin(kKnown), std::end(kKnown),
                     [&](const char* k) { return opt.name == k; }))
      return codec::Error(
          "handset option " + opt.name + " not supported by adapter simulated",
          0, "simulated adapter options");
  }
  client_ = std::make_unique<cp::CpClient>(o);
  client_->SetImsiProvider([this] { return ReadImsi(); });
  std::string profile = kDefaultProfile;
  bool inserted = true;
  if (tc_.preconditions.card) {
    profile = tc_.preconditions.card->profile;
    inserted = tc_.preconditions.card->inserted;
    if (!tc_.preconditions.card->edits.empty())
      return codec::Error(
          "card edits (write-file, set-pin) not supported by adapter "
          "simulated yet",
          0, kRuleNotSupported);
  }
  card_profile_ = profile;
  if (inserted) {
    OMAIOP_ASSIGN_OR_RETURN(auto c, MakeCard(profile));
    reader_.Insert(std::move(c));
    PowerOnCard();
  }
  return codec::OkStatus();
}

codec::Result<servers::ComposedPush> SimulatedSession::Compose(
    const script::PushStep& p) {
  auto text = ReadText(script::ResolveCasePath(tc_, p.document));
  if (!text)
    return codec::Error("cannot read push document " + p.document, 0,
                        "test case");
  servers::ComposeOptions o;
  if (p.sec != "none") {
    o.sec = SecByName(p.sec);
    if (!o.sec) return codec::Error("unknown sec " + p.sec, 0, "test case");
  }
  o.imsi = p.imsi;
  o.pin = p.pin;
  if (!p.initiator.empty()) o.initiator_uri = p.initiator;
  o.initiator_authenticated = p.authenticated;
  std::vector<std::string> names = p.faults;
  names.insert(names.end(), config_.faults.begin(), config_.faults.end());
  for (const auto& n : names) {
    auto f = servers::FaultByName(n);
    if (!f) return codec::Error("unknown fault " + n, 0, "omaiop cp faults");
    if (std::find(o.faults.begin(), o.faults.end(), *f) == o.faults.end())
      o.faults.push_back(*f);
  }
  return server_.Compose(*text, o);
}

void SimulatedSession::Deliver(const servers::ComposedPush& push,
                               const std::string& from) {
  std::vector<std::optional<std::string>> answers;
  if (user_rejects_)
    answers.push_back(std::nullopt);
  else
    for (const auto& pin : pins_)
      answers.push_back(pin == kOutOfBandPin && push.user_pin ? push.user_pin
                                                              : pin);
  pins_.clear();
  user_rejects_ = false;
  cp::ScriptedUser user(answers);
  client_->SetUserAgent(&user);
  std::size_t wsp_entry = 0;
  {
    TraceEntry e;
    e.source = src::kServer;
    e.peer = src::kHandset;
    e.kind = knd::kWspPush;
    e.direction = Direction::kOut;
    e.summary = "WSP push, " + std::to_string(push.wsp_pdu.size()) + " bytes" +
                (push.mac.empty() ? "" : ", MAC " + push.mac);
    for (const auto& f : push.applied)
      e.summary += std::string(", fault ") +
                   std::string(servers::InfoOf(f.id).name) + " (" + f.detail +
                   ")";
    e.raw = push.wsp_pdu;
    wsp_entry = rec_->Add(std::move(e));
  }
  cp::SmsMeta meta{from, ServerOption("to", "+15550100"),
                   std::chrono::system_clock::now()};
  std::size_t i = 0;
  for (const auto& seg : push.segments) {
    TraceEntry e;
    e.source = src::kServer;
    e.peer = src::kHandset;
    e.kind = knd::kSmsSegment;
    e.direction = Direction::kOut;
    e.summary = "SMS segment " + std::to_string(++i) + "/" +
                std::to_string(push.segments.size()) + " (TP-UD)";
    e.raw = seg;
    rec_->Add(std::move(e));
    auto o = client_->OnSmsSegment(seg, meta);
    if (!o) continue;
    for (const auto& r : user.requests())
      rec_->Add(Entry(
          src::kUser, src::kHandset, knd::kUserAction, Direction::kNone,
          "PIN prompt (" + std::string(codec::SecMethodName(r.method)) + ")" +
              (r.previous_error.empty() ? "" : ": " + r.previous_error)));
    for (const auto& ev : o->events)
      rec_->Add(Entry(src::kHandset, "", knd::kDecision, Direction::kNone,
                      ev.ToString(), ev.rule));
    if (o->mac_check == cp::MacCheck::kMismatch ||
        o->mac_check == cp::MacCheck::kMalformed) {
      // The offending bytes: the MAC parameter value in the WSP header.
      if (!push.mac.empty()) {
        auto it = std::search(push.wsp_pdu.begin(), push.wsp_pdu.end(),
                              push.mac.begin(), push.mac.end());
        if (it != push.wsp_pdu.end())
          rec_->AddHighlight(
              wsp_entry, {static_cast<std::size_t>(it - push.wsp_pdu.begin()),
                          push.mac.size(),
                          "MAC does not verify: " + o->reject_rule, false});
      }
    }
    // The offending byte a WSP/WBXML decoder reported: the event path says
    // "WBXML (offset N)", N counted from the start of the WSP PDU.
    for (const auto& ev : o->events) {
      if (ev.kind == cp::EventKind::kIntakeRejected) continue;
      static const std::regex kOffset(
          R"(^(WSP|WBXML)[^(]*\(offset ([0-9]+)\))");
      std::smatch m;
      if (!std::regex_search(ev.path, m, kOffset)) continue;
      const std::size_t at = std::stoul(m[2].str());
      if (at >= push.wsp_pdu.size()) continue;
      rec_->AddHighlight(wsp_entry,
                         {at, 1,
                          std::string(cp::EventKindName(ev.kind)) + ": " +
                              ev.detail + " [" + ev.rule + "]",
                          false});
      break;
    }
    outcomes_.push_back(std::move(*o));
  }
  client_->SetUserAgent(nullptr);
}

void SimulatedSession::Flush() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (const auto& p : pending) Deliver(p.push, p.from);
}

std::vector<cp::CpEvent> SimulatedSession::AllEvents() const {
  std::vector<cp::CpEvent> all;
  for (const auto& o : outcomes_)
    all.insert(all.end(), o.events.begin(), o.events.end());
  return all;
}

std::string SimulatedSession::EventsSummary() const {
  std::string s;
  for (const auto& o : outcomes_) {
    s += s.empty() ? "" : "; ";
    s += o.accepted ? "accepted" : "rejected";
    if (!o.accepted && !o.reject_rule.empty())
      s += " [" + o.reject_rule + "] " + o.reject_reason;
  }
  return s.empty() ? "no push outcome" : s;
}

StepOutcome SimulatedSession::DoPush(const script::PushStep& p) {
  if (tc_.header.role != script::Role::kPushServer)
    return Inconc(
        "push: omaiop plays the push server only in role "
        "push_server");
  auto push = Compose(p);
  if (!push.ok())
    return ErrorOutcome("push could not be composed: " +
                        push.error().ToString());
  pending_.push_back({std::move(*push), "+15550199"});
  return Pass("push composed (" +
              std::to_string(pending_.back().push.segments.size()) +
              " segment(s)); delivered before the next non-user step");
}

StepOutcome SimulatedSession::DoWaitSms(const script::WaitSmsStep& w) {
  if (tc_.header.role != script::Role::kHandset)
    return Inconc("wait-sms: omaiop plays the handset only in role handset");
  // The simulated IUT push server sends its push now (trigger).
  script::PushStep p;
  p.document = ServerOption("document", kDefaultDocument);
  p.sec = ServerOption("sec", "NETWPIN");
  p.pin = ServerOption("pin");
  if (p.sec == "NETWPIN" || p.sec == "USERNETWPIN") {
    auto imsi = ReadImsi();
    if (!imsi.ok())
      return ErrorOutcome("simulated push server: no IMSI: " +
                          imsi.error().ToString());
    p.imsi = *imsi;
  }
  if (auto f = ServerOption("fault"); !f.empty()) p.faults.push_back(f);
  auto push = Compose(p);
  if (!push.ok())
    return ErrorOutcome("simulated push server: " + push.error().ToString());
  const std::size_t before = outcomes_.size();
  Deliver(*push, "+15550199");
  std::size_t got = 0;
  std::string ports;
  for (std::size_t i = before; i < outcomes_.size(); ++i) {
    const auto& o = outcomes_[i];
    ports += (ports.empty() ? "" : ", ") +
             (o.dst_port ? std::to_string(*o.dst_port) : std::string("none"));
    if (!w.port || o.dst_port == w.port) ++got;
  }
  if (got >= w.count)
    return Pass(std::to_string(got) + " datagram(s) received");
  const std::string rule = "ProvBoot GSM SMS adaptation: WDP port 2948";
  return Fail("expected " + std::to_string(w.count) + " datagram(s)" +
                  (w.port ? " to port " + std::to_string(*w.port) : "") +
                  ", got " + std::to_string(got) + " (ports: " +
                  (ports.empty() ? "none" : ports) + ") [" + rule + "]",
              rule);
}

StepOutcome SimulatedSession::DoExpectEvent(const script::ExpectEventStep& e) {
  auto kind = EventKindByName(e.kind);
  if (!kind) return ErrorOutcome("unknown event kind " + e.kind);
  std::size_t n = 0;
  for (const auto& ev : AllEvents()) {
    if (ev.kind != *kind || !Contains(ev.rule, e.rule) ||
        !Contains(ev.path, e.path) || !Contains(ev.detail, e.detail))
      continue;
    ++n;
  }
  std::string what = e.kind;
  if (!e.rule.empty()) what += " with rule ~'" + e.rule + "'";
  if (!e.path.empty()) what += " at ~'" + e.path + "'";
  if (!e.detail.empty()) what += " detail ~'" + e.detail + "'";
  if (e.absent) {
    if (n == 0) return Pass("no " + what + " event");
    std::string rule;
    for (const auto& ev : AllEvents())
      if (ev.kind == *kind) {
        rule = ev.rule;
        break;
      }
    return Fail("unexpected " + what + " event (" + std::to_string(n) + "x) [" +
                    rule + "]; outcome: " + EventsSummary(),
                rule);
  }
  if (e.count ? n == *e.count : n > 0)
    return Pass(std::to_string(n) + "x " + what);
  std::string rule;
  for (auto it = outcomes_.rbegin(); it != outcomes_.rend(); ++it)
    if (!it->reject_rule.empty()) {
      rule = it->reject_rule;
      break;
    }
  return Fail("expected " +
                  (e.count ? std::to_string(*e.count) + "x " : std::string()) +
                  what + " event, got " + std::to_string(n) +
                  (rule.empty() ? "" : " [" + rule + "]") +
                  "; outcome: " + EventsSummary(),
              rule);
}

StepOutcome SimulatedSession::DoExpectStatus(
    const script::ExpectStatusStep& e) {
  if (e.code != "accepted" && e.code != "rejected")
    return Inconc("expect-status code " + e.code +
                  " (DM status) not supported by adapter simulated yet");
  if (outcomes_.empty())
    return Fail("expected push " + e.code + ", but no push was completed",
                "ProvBoot: push delivery");
  const auto& o = outcomes_.back();
  const bool accepted = o.accepted;
  if ((e.code == "accepted") == accepted) return Pass("push " + e.code);
  return Fail(
      "expected push " + e.code + ", got " +
          (accepted ? std::string("accepted")
                    : "rejected [" + o.reject_rule + "] " + o.reject_reason),
      o.reject_rule);
}

StepOutcome SimulatedSession::DoCheckSetting(
    const script::CheckSettingStep& c) {
  auto items = client_->store().Find(c.kind, c.id);
  const std::string name = c.kind + "/" + c.id;
  const std::string rule = "ProvCont: settings store (" + name + ")";
  if (!c.present) {
    if (items.empty()) return Pass(name + " not stored");
    return Fail(name + " stored (origin " + items.front()->origin +
                    ") but must not be; outcome: " + EventsSummary(),
                rule);
  }
  if (items.empty())
    return Fail(name + " not stored; outcome: " + EventsSummary(), rule);
  if (c.parm.empty()) return Pass(name + " stored");
  const auto* parm = items.front()->data.FindParm(c.parm);
  if (!parm) return Fail(name + " has no " + c.parm, rule);
  std::string got = items.front()->data.Value(c.parm);
  if (c.has_value && got != c.value)
    return Fail(
        name + " " + c.parm + " = '" + got + "', expected '" + c.value + "'",
        rule);
  return Pass(name + " " + c.parm + " = '" + got + "'");
}

StepOutcome SimulatedSession::DoCheckCardFile(
    const script::CheckCardFileStep& c) {
  if (c.hex.empty())
    return Inconc(
        "check-card-file with xml / xml-file not supported by adapter "
        "simulated yet");
  auto path = ParseFidPath(c.path);
  if (!path) return ErrorOutcome("bad card file path " + c.path);
  auto want = codec::ParseHex(c.hex);
  if (!want.ok()) return ErrorOutcome("bad hex in check-card-file");
  if (!reader_.CardPresent())
    return Fail("no card in the handset to read " + c.path, "check-card-file");
  card::CardSession s(reader_, SessionOptions());
  auto st = s.Open();
  if (!st.ok()) return ErrorOutcome("card: " + st.error().ToString());
  auto ef = s.SelectPath(*path, c.path);
  if (!ef.ok())
    return Fail("card file " + c.path + ": " + ef.error().ToString(),
                "check-card-file");
  codec::Bytes got;
  if (c.record) {
    auto recs = s.ReadRecords(*ef);
    if (!recs.ok() || recs->size() < c.record)
      return Fail("record " + std::to_string(c.record) + " of " + c.path +
                      " unreadable",
                  "check-card-file");
    got = (*recs)[c.record - 1];
  } else {
    auto b = s.ReadBinary(*ef, 0, ef->size);
    if (!b.ok())
      return Fail("read " + c.path + ": " + b.error().ToString(),
                  "check-card-file");
    got = *b;
  }
  s.Close();
  if (got == *want) return Pass(c.path + " = " + codec::ToHex(got));
  return Fail(
      c.path + " = " + codec::ToHex(got) + ", expected " + codec::ToHex(*want),
      "check-card-file");
}

StepOutcome SimulatedSession::Execute(const script::Step& step) {
  const bool user_step =
      std::holds_alternative<script::UserPinStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body) ||
      std::holds_alternative<script::PushStep>(step.body);
  if (!user_step) Flush();
  auto user = [&](std::string what) {
    rec_->Add(Entry(src::kUser, src::kHandset, knd::kUserAction,
                    Direction::kNone, what));
  };
  return std::visit(
      [&](const auto& b) -> StepOutcome {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::PushStep>) {
          return DoPush(b);
        } else if constexpr (std::is_same_v<T, script::WaitSmsStep>) {
          return DoWaitSms(b);
        } else if constexpr (std::is_same_v<T, script::CardInsertStep>) {
          std::string profile = b.profile.empty() ? card_profile_ : b.profile;
          auto c = MakeCard(profile);
          if (!c.ok()) return ErrorOutcome(c.error().ToString());
          reader_.Insert(std::move(*c));
          card_profile_ = profile;
          user("card inserted (" + profile + ")");
          PowerOnCard();
          return Pass("card " + profile + " inserted");
        } else if constexpr (std::is_same_v<T, script::CardRemoveStep>) {
          RemoveCard();
          return Pass("card removed");
        } else if constexpr (std::is_same_v<T, script::PowerCycleStep>) {
          user("power cycle (" + b.target + ")");
          reader_.Disconnect();
          PowerOnCard();
          return Pass(b.target + " power-cycled");
        } else if constexpr (std::is_same_v<T, script::UserPinStep>) {
          pins_.push_back(b.pin);
          user("user will enter PIN " + b.pin);
          return Pass("PIN queued for the prompt");
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          user("user accepts");
          return Pass(
              "accepted (the simulated handset applies settings once the "
              "PIN verifies)");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          user_rejects_ = true;
          user("user rejects (cancels the PIN prompt)");
          return Pass("the user will cancel the prompt");
        } else if constexpr (std::is_same_v<T, script::ExpectEventStep>) {
          return DoExpectEvent(b);
        } else if constexpr (std::is_same_v<T, script::ExpectStatusStep>) {
          return DoExpectStatus(b);
        } else if constexpr (std::is_same_v<T, script::CheckSettingStep>) {
          return DoCheckSetting(b);
        } else if constexpr (std::is_same_v<T, script::CheckCardFileStep>) {
          return DoCheckCardFile(b);
        } else if constexpr (std::is_same_v<T, script::WaitStep>) {
          return Pass("waited");
        } else {
          return Inconc("step type " + step.element +
                        " not supported by adapter simulated yet");
        }
      },
      step.body);
}

}  // namespace

codec::Result<std::shared_ptr<Session>> SimulatedAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  if (tc.header.role == script::Role::kDmServer)
    return OpenSimulatedDmServerRole(tc, config, std::move(recorder));
  auto s = std::make_shared<SimulatedSession>(tc, config, std::move(recorder));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
