#include "harness/adapters/common/simulated_handset.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <regex>
#include <utility>

#include "codec/cp_security.h"
#include "harness/adapters/card/card_edits.h"
#include "sim/handset/card/provsc.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::harness::adapters {

namespace {

namespace fs = std::filesystem;
namespace cp = sim::handset::cp;
namespace card = sim::handset::card;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kDefaultProfile[] = "uicc-3g";

}  // namespace

SimulatedHandset::SimulatedHandset(const script::TestCase& tc,
                                   std::shared_ptr<Recorder> rec,
                                   std::string adapter)
    : tc_(tc), rec_(std::move(rec)), adapter_(std::move(adapter)) {}

std::string SimulatedHandset::Option(std::string_view name,
                                     std::string def) const {
  for (const auto& o : tc_.preconditions.handset)
    if (o.name == name) return o.value;
  return def;
}

codec::Result<std::shared_ptr<sim::uicc::Card>> SimulatedHandset::MakeCard(
    const std::string& profile) {
  // The case's card edits apply to the card of the preconditions, once.
  const bool with_edits = !edits_applied_ && tc_.preconditions.card &&
                          tc_.preconditions.card->profile == profile &&
                          !tc_.preconditions.card->edits.empty();
  OMAIOP_ASSIGN_OR_RETURN(auto card, MakeCaseCard(tc_, profile, with_edits));
  edits_applied_ = edits_applied_ || with_edits;
  return card;
}

void SimulatedHandset::OnApdu(const card::ApduExchange& x) {
  char sw[8];
  std::snprintf(sw, sizeof sw, "%04X", x.sw);
  TraceEntry e = MakeEntry(src::kHandset, src::kUicc, knd::kApdu,
                           Direction::kOut, x.purpose + " -> " + sw);
  e.raw = x.command;
  e.response = x.response;
  rec_->Add(std::move(e));
}

card::CardSessionOptions SimulatedHandset::SessionOptions() {
  card::CardSessionOptions o;
  o.pin1 = Option("pin1", "1234");
  o.trace = [this](const card::ApduExchange& x) { OnApdu(x); };
  return o;
}

codec::Result<std::string> SimulatedHandset::ReadImsi() {
  card::CardSession s(reader_, SessionOptions());
  OMAIOP_RETURN_IF_ERROR(s.Open());
  auto imsi = s.ReadImsi();
  s.Close();
  return imsi;
}

void SimulatedHandset::User(std::string what) {
  rec_->Add(MakeEntry(src::kUser, src::kHandset, knd::kUserAction,
                      Direction::kNone, std::move(what)));
}

void SimulatedHandset::PowerOnCard() {
  if (!reader_.CardPresent()) return;
  card::CardSession s(reader_, SessionOptions());
  auto st = s.Open();
  if (!st.ok()) {
    rec_->Add(MakeEntry(src::kHandset, src::kUicc, knd::kDecision,
                        Direction::kNone,
                        "card power-on failed: " + st.error().ToString()));
    return;
  }
  iccid_ = s.iccid();
  if (Option("provsc") == "true") {
    card::ProvScReader r(s);
    auto docs = r.ReadAll();
    if (!docs.ok()) {
      rec_->Add(MakeEntry(src::kHandset, src::kUicc, knd::kDecision,
                          Direction::kNone,
                          "ProvSC read failed: " + docs.error().ToString()));
    } else {
      auto apply = [&](const std::optional<card::CardDocument>& d,
                       const char* file) {
        if (!d) return;
        auto o = client_->ApplyDocument(
            d->bytes, cp::DocumentSource::SmartCard(iccid_, file));
        for (const auto& ev : o.events)
          rec_->Add(MakeEntry(src::kHandset, "", knd::kDecision,
                              Direction::kNone, ev.ToString(), ev.rule));
        outcomes_.push_back(std::move(o));
      };
      apply(docs->bootstrap, "Bootstrap");
      apply(docs->config1, "Config1");
      apply(docs->config2, "Config2");
    }
  }
  s.Close();
}

void SimulatedHandset::RemoveCard() {
  reader_.Remove();
  User("card removed");
  // The card's settings go with it (cp.md §3).
  if (!iccid_.empty()) {
    std::size_t n = client_->RemoveOrigin(cp::CardOrigin(iccid_));
    rec_->Add(MakeEntry(src::kHandset, "", knd::kDecision, Direction::kNone,
                        "origin card:" + iccid_ + " removed (" +
                            std::to_string(n) + " items)"));
  }
}

codec::Status SimulatedHandset::Setup() {
  const std::string rule = adapter_ + " adapter options";
  cp::CpClientOptions o;
  std::string un = Option("unauthenticated", "reject");
  if (un == "accept-untrusted")
    o.unauthenticated = cp::UnauthenticatedPolicy::kAcceptUntrusted;
  else if (un != "reject")
    return codec::Error("handset option unauthenticated=" + un +
                            " (expected reject or accept-untrusted)",
                        0, rule);
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
      return codec::Error("handset option " + opt.name +
                              " not supported by adapter " + adapter_,
                          0, rule);
  }
  client_ = std::make_unique<cp::CpClient>(o);
  client_->SetImsiProvider([this] { return ReadImsi(); });
  std::string profile = kDefaultProfile;
  bool inserted = true;
  if (tc_.preconditions.card) {
    profile = tc_.preconditions.card->profile;
    inserted = tc_.preconditions.card->inserted;
  }
  card_profile_ = profile;
  if (inserted) {
    OMAIOP_ASSIGN_OR_RETURN(auto c, MakeCard(profile));
    reader_.Insert(std::move(c));
    PowerOnCard();
  }
  return codec::OkStatus();
}

std::size_t SimulatedHandset::Deliver(const Delivery& d) {
  std::vector<std::optional<std::string>> answers;
  if (user_rejects_)
    answers.push_back(std::nullopt);
  else
    for (const auto& pin : pins_)
      answers.push_back(
          pin == kOutOfBandPin && d.out_of_band_pin ? *d.out_of_band_pin : pin);
  pins_.clear();
  user_rejects_ = false;
  cp::ScriptedUser user(answers);
  client_->SetUserAgent(&user);
  cp::SmsMeta meta{d.from, d.to, std::chrono::system_clock::now()};
  const std::size_t before = outcomes_.size();
  std::size_t i = 0;
  for (const auto& seg : d.segments) {
    ++i;
    if (d.record_segments) {
      TraceEntry e = MakeEntry(
          d.segment_source, src::kHandset, knd::kSmsSegment, Direction::kOut,
          "SMS segment " + std::to_string(i) + "/" +
              std::to_string(d.segments.size()) + " (TP-UD)");
      e.raw = seg;
      rec_->Add(std::move(e));
    }
    auto o = client_->OnSmsSegment(seg, meta);
    if (!o) continue;
    for (const auto& r : user.requests())
      User("PIN prompt (" + std::string(codec::SecMethodName(r.method)) + ")" +
           (r.previous_error.empty() ? "" : ": " + r.previous_error));
    for (const auto& ev : o->events)
      rec_->Add(MakeEntry(src::kHandset, "", knd::kDecision, Direction::kNone,
                          ev.ToString(), ev.rule));
    if (d.wsp_entry != static_cast<std::size_t>(-1)) {
      if ((o->mac_check == cp::MacCheck::kMismatch ||
           o->mac_check == cp::MacCheck::kMalformed) &&
          !d.mac.empty()) {
        // The offending bytes: the MAC parameter value in the WSP header.
        auto it = std::search(d.wsp_pdu.begin(), d.wsp_pdu.end(), d.mac.begin(),
                              d.mac.end());
        if (it != d.wsp_pdu.end())
          rec_->AddHighlight(
              d.wsp_entry,
              {static_cast<std::size_t>(it - d.wsp_pdu.begin()), d.mac.size(),
               "MAC does not verify: " + o->reject_rule, false});
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
        if (at >= d.wsp_pdu.size()) continue;
        rec_->AddHighlight(d.wsp_entry,
                           {at, 1,
                            std::string(cp::EventKindName(ev.kind)) + ": " +
                                ev.detail + " [" + ev.rule + "]",
                            false});
        break;
      }
    }
    outcomes_.push_back(std::move(*o));
  }
  client_->SetUserAgent(nullptr);
  return outcomes_.size() - before;
}

std::vector<ObservedOutcome> SimulatedHandset::Observed() const {
  std::vector<ObservedOutcome> out;
  for (const auto& o : outcomes_) {
    ObservedOutcome x;
    x.accepted = o.accepted;
    x.reject_rule = o.reject_rule;
    x.reject_reason = o.reject_reason;
    x.dst_port = o.dst_port;
    for (const auto& ev : o.events)
      x.events.push_back({std::string(cp::EventKindName(ev.kind)), ev.rule,
                          ev.path, ev.detail});
    out.push_back(std::move(x));
  }
  return out;
}

std::size_t SimulatedHandset::CountDatagrams(const script::WaitSmsStep& w,
                                             std::size_t before) const {
  std::size_t got = 0;
  for (std::size_t i = before; i < outcomes().size(); ++i)
    if (!w.port || outcomes()[i].dst_port == w.port) ++got;
  return got;
}

StepOutcome SimulatedHandset::JudgeWaitSms(const script::WaitSmsStep& w,
                                           std::size_t before,
                                           const std::string& note) const {
  const std::size_t got = CountDatagrams(w, before);
  std::string ports;
  for (std::size_t i = before; i < outcomes().size(); ++i) {
    const auto& port = outcomes()[i].dst_port;
    ports += (ports.empty() ? "" : ", ") +
             (port ? std::to_string(*port) : std::string("none"));
  }
  if (got >= w.count)
    return Pass(std::to_string(got) + " datagram(s) received");
  const std::string rule = "ProvBoot GSM SMS adaptation: WDP port 2948";
  return Fail("expected " + std::to_string(w.count) + " datagram(s)" +
                  (w.port ? " to port " + std::to_string(*w.port) : "") +
                  ", got " + std::to_string(got) +
                  " (ports: " + (ports.empty() ? "none" : ports) + ")" + note +
                  " [" + rule + "]",
              rule);
}

StepOutcome SimulatedHandset::DoCheckCardFile(
    const script::CheckCardFileStep& c) {
  auto path = ParseFidPath(c.path);
  if (!path.ok()) return ErrorOutcome(path.error().ToString());
  if (!reader_.CardPresent())
    return Fail("no card in the handset to read " + c.path, kRuleCheckCardFile);
  card::CardSession s(reader_, SessionOptions());
  auto st = s.Open();
  if (!st.ok()) return ErrorOutcome("card: " + st.error().ToString());
  auto ef = s.SelectPath(*path, c.path);
  if (!ef.ok())
    return Fail("card file " + c.path + ": " + ef.error().ToString(),
                kRuleCheckCardFile);
  codec::Bytes got;
  if (c.record) {
    auto recs = s.ReadRecords(*ef);
    if (!recs.ok() || recs->size() < c.record)
      return Fail("record " + std::to_string(c.record) + " of " + c.path +
                      " unreadable",
                  kRuleCheckCardFile);
    got = (*recs)[c.record - 1];
  } else {
    auto b = s.ReadBinary(*ef, 0, ef->size);
    if (!b.ok())
      return Fail("read " + c.path + ": " + b.error().ToString(),
                  kRuleCheckCardFile);
    got = *b;
  }
  s.Close();
  return CompareCardFile(tc_, c, got);
}

std::optional<StepOutcome> SimulatedHandset::Execute(const script::Step& step) {
  return std::visit(
      [&](const auto& b) -> std::optional<StepOutcome> {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::CardInsertStep>) {
          std::string profile = b.profile.empty() ? card_profile_ : b.profile;
          auto c = MakeCard(profile);
          if (!c.ok()) return ErrorOutcome(c.error().ToString());
          reader_.Insert(std::move(*c));
          card_profile_ = profile;
          User("card inserted (" + profile + ")");
          PowerOnCard();
          return Pass("card " + profile + " inserted");
        } else if constexpr (std::is_same_v<T, script::CardRemoveStep>) {
          RemoveCard();
          return Pass("card removed");
        } else if constexpr (std::is_same_v<T, script::PowerCycleStep>) {
          User("power cycle (" + b.target + ")");
          reader_.Disconnect();
          PowerOnCard();
          return Pass(b.target + " power-cycled");
        } else if constexpr (std::is_same_v<T, script::UserPinStep>) {
          pins_.push_back(b.pin);
          User("user will enter PIN " + b.pin);
          return Pass("PIN queued for the prompt");
        } else if constexpr (std::is_same_v<T, script::UserAcceptStep>) {
          User("user accepts");
          return Pass(
              "accepted (the simulated handset applies settings once the "
              "PIN verifies)");
        } else if constexpr (std::is_same_v<T, script::UserRejectStep>) {
          user_rejects_ = true;
          User("user rejects (cancels the PIN prompt)");
          return Pass("the user will cancel the prompt");
        } else if constexpr (std::is_same_v<T, script::ExpectEventStep>) {
          return JudgeExpectEvent(b, Observed());
        } else if constexpr (std::is_same_v<T, script::ExpectStatusStep>) {
          return JudgeExpectStatus(b, Observed(), adapter_);
        } else if constexpr (std::is_same_v<T, script::CheckSettingStep>) {
          const auto& store = client_->store();
          return JudgeCheckSetting(
              b,
              [&store](std::string_view kind, std::string_view id) {
                std::vector<ObservedSetting> out;
                for (const auto* item : store.Find(kind, id)) {
                  ObservedSetting s{item->kind, item->id, item->origin, {}};
                  for (const auto& p : item->data.parms)
                    s.parms.emplace(p.name, item->data.Value(p.name));
                  out.push_back(std::move(s));
                }
                return out;
              },
              Observed());
        } else if constexpr (std::is_same_v<T, script::CheckCardFileStep>) {
          return DoCheckCardFile(b);
        } else if constexpr (std::is_same_v<T, script::WaitStep>) {
          return Pass("waited");
        } else {
          return std::nullopt;
        }
      },
      step.body);
}

}  // namespace omaiop::harness::adapters
