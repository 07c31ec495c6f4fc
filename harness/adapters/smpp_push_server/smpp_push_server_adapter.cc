#include "harness/adapters/smpp_push_server/smpp_push_server_adapter.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "codec/sms_udh.h"
#include "codec/wsp_push.h"
#include "harness/adapters/common/handset_judge.h"
#include "harness/adapters/common/run_command.h"
#include "harness/adapters/common/simulated_handset.h"
#include "sim/network/http_client.h"
#include "sim/smsc/push_collector.h"
#include "sim/smsc/smpp_smsc.h"

namespace omaiop::harness::adapters {

namespace {

codec::Bytes TextBytes(std::string_view s) {
  return codec::Bytes(s.begin(), s.end());
}

namespace smsc = sim::smsc;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;
using Clock = std::chrono::steady_clock;

constexpr char kDefaultDocument[] = "fixtures/cp/bootstrap.xml";
constexpr char kRuleDelivery[] =
    "ProvBoot GSM SMS adaptation: the push server delivers the push to the "
    "handset (WDP port 2948)";
constexpr char kRuleConcat[] =
    "3GPP TS 23.040 §9.2.3.24.1: every segment of a concatenated SM arrives";

std::optional<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Step budget: finish a little before the runner gives up on the step.
std::chrono::milliseconds Budget(const script::Step& step) {
  auto t = step.effective_timeout;
  if (t.count() <= 0) t = std::chrono::milliseconds(10000);
  return std::max(std::chrono::milliseconds(100),
                  t - std::chrono::milliseconds(250));
}

// Pushes addressed to one handset, collected from the SMSC thread.
struct Inbox {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<smsc::ArrivedPush> pushes;
  smsc::PushCollector collector{[this](const smsc::ArrivedPush& p) {
    std::lock_guard lock(mu);
    pushes.push_back(p);
    cv.notify_all();
  }};
};

}  // namespace

// One SMSC per address, shared by every adapter and session that uses it.
class SmscHost {
 public:
  using Listener = std::function<void(const smsc::SmscTraceEvent&)>;

  static codec::Result<std::shared_ptr<SmscHost>> Get(const script::Iut& iut) {
    smsc::SmscConfig cfg;
    cfg.port = 2775;
    if (const auto* a = iut.FindAddress("smsc")) {
      if (!a->host.empty()) cfg.bind_address = a->host;
      if (a->port) cfg.port = *a->port;
    }
    for (const auto& c : iut.credentials)
      if (c.name == "smpp") {
        cfg.system_id = c.user;
        cfg.password = c.password;
      }
    const std::string key =
        cfg.bind_address + ":" + std::to_string(cfg.port) + "/" + cfg.system_id;
    static std::mutex registry_mu;
    static std::map<std::string, std::weak_ptr<SmscHost>> registry;
    std::lock_guard lock(registry_mu);
    if (cfg.port != 0)
      if (auto h = registry[key].lock()) return h;
    auto h = std::shared_ptr<SmscHost>(new SmscHost(cfg));
    if (auto st = h->smsc_.Start(); !st.ok())
      return codec::Error("omaiop's SMSC cannot listen on " + cfg.bind_address +
                              ":" + std::to_string(cfg.port) + ": " +
                              st.error().ToString(),
                          0, "IUT address smsc");
    if (cfg.port != 0) registry[key] = h;
    return h;
  }

  smsc::SmppSmsc& smsc() { return smsc_; }
  const smsc::SmscConfig& config() const { return config_; }

  std::uint64_t AddListener(Listener l) {
    std::lock_guard lock(mu_);
    listeners_[++next_] = std::move(l);
    return next_;
  }
  void RemoveListener(std::uint64_t id) {
    std::lock_guard lock(mu_);
    listeners_.erase(id);
  }
  // Whether an ESME ever bound (bind response ESME_ROK).
  bool ever_bound() {
    std::lock_guard lock(mu_);
    return ever_bound_;
  }

 private:
  explicit SmscHost(smsc::SmscConfig cfg) : config_(cfg), smsc_(cfg) {
    smsc_.SetTrace([this](const smsc::SmscTraceEvent& e) {
      std::vector<Listener> ls;
      {
        std::lock_guard lock(mu_);
        using D = smsc::SmscTraceEvent::Direction;
        if (e.direction == D::kOut && e.summary.rfind("bind_", 0) == 0 &&
            e.summary.find("ESME_ROK") != std::string::npos) {
          ever_bound_ = true;
        }
        for (const auto& [id, l] : listeners_) ls.push_back(l);
      }
      for (const auto& l : ls) l(e);
    });
  }

  smsc::SmscConfig config_;
  std::mutex mu_;
  std::map<std::uint64_t, Listener> listeners_;
  std::uint64_t next_ = 0;
  bool ever_bound_ = false;
  smsc::SmppSmsc smsc_;  // last: stopped first, before what its thread uses
};

namespace {

std::string FreshMsisdn() {
  static std::atomic<unsigned> n{0};
  const unsigned v = 1000 + (n++ % 9000);
  return "4915550" + std::to_string(v);
}

class SmppSession : public Session {
 public:
  SmppSession(script::TestCase tc, AdapterConfig config,
              std::shared_ptr<Recorder> rec, std::shared_ptr<SmscHost> host)
      : tc_(std::move(tc)),
        config_(std::move(config)),
        rec_(std::move(rec)),
        host_(std::move(host)),
        handset_(tc_, rec_, "smpp_push_server"),
        inbox_(std::make_shared<Inbox>()) {}
  ~SmppSession() override {
    if (listener_) host_->RemoveListener(listener_);
    if (registered_) host_->smsc().UnregisterHandset(msisdn_);
  }

  codec::Status Setup();
  StepOutcome Execute(const script::Step& step) override;

 private:
  std::string ServerOption(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.server)
      if (o.name == name) return o.value;
    return def;
  }
  StepOutcome Trigger(const script::PushStep& p, const std::string& trigger,
                      std::chrono::milliseconds budget);
  // A trigger's JSON output (whole, or one line) with "user_pin" (`omaiop
  // cp push --json`) is the PIN the server handed out: what <user-pin
  // pin="@out-of-band"/> enters.
  void NoteHandedOutPin(const std::string& output) {
    auto whole = nlohmann::json::parse(output, nullptr, false);
    if (whole.is_object() && whole.contains("user_pin") &&
        whole["user_pin"].is_string()) {
      last_pin_ = whole["user_pin"].get<std::string>();
      return;
    }
    std::istringstream lines(output);
    for (std::string l; std::getline(lines, l);) {
      if (l.empty() || l[0] != '{') continue;
      auto j = nlohmann::json::parse(l, nullptr, false);
      if (j.is_object() && j.contains("user_pin") && j["user_pin"].is_string())
        last_pin_ = j["user_pin"].get<std::string>();
    }
  }
  // Waits for `count` complete pushes (or until `budget`); moves them to
  // pending_. Returns how many arrived and whether an incomplete one did.
  std::size_t Await(std::size_t count, Clock::time_point deadline,
                    bool* incomplete);
  void Flush();
  // ", no ESME has bound to omaiop's SMSC host:port" when none ever did.
  std::string BindNote() const {
    if (host_->ever_bound()) return "";
    return " (no ESME ever bound to omaiop's SMSC " +
           host_->config().bind_address + ":" +
           std::to_string(host_->smsc().port()) + ")";
  }
  StepOutcome DoPush(const script::PushStep& p, const script::Step& step);
  StepOutcome DoWaitSms(const script::WaitSmsStep& w, const script::Step& s);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  std::shared_ptr<SmscHost> host_;
  SimulatedHandset handset_;
  std::shared_ptr<Inbox> inbox_;
  std::string msisdn_;
  bool registered_ = false;
  std::uint64_t listener_ = 0;
  struct Pending {
    smsc::ArrivedPush push;
    std::optional<std::string> out_of_band_pin;
  };
  std::vector<Pending> pending_;
  std::optional<std::string> last_pin_;  // of the last triggered push
  std::string blocked_;                  // why a push could not be requested
};

codec::Status SmppSession::Setup() {
  // What a real server cannot be asked for makes the whole case inconc.
  std::vector<std::string> faults = config_.faults;
  for (const auto& st : tc_.steps)
    if (const auto* p = std::get_if<script::PushStep>(&st.body)) {
      faults.insert(faults.end(), p->faults.begin(), p->faults.end());
      if (!p->initiator.empty() || p->authenticated)
        return codec::Error(
            "a real push server cannot be asked for a given initiator URI or "
            "Push-Flag",
            0, kRuleNotSupported);
    }
  if (!faults.empty())
    return codec::Error(
        "push faults cannot be injected into a real push server (" +
            faults.front() + ")",
        0, kRuleNotSupported);
  OMAIOP_RETURN_IF_ERROR(handset_.Setup());
  msisdn_ = ServerOption("to");
  if (msisdn_.empty())
    if (const auto* a = config_.iut.FindAddress("handset")) msisdn_ = a->msisdn;
  if (msisdn_.empty()) msisdn_ = FreshMsisdn();
  std::weak_ptr<Inbox> weak = inbox_;
  host_->smsc().RegisterHandset(msisdn_, [weak](const smsc::SmscSegment& s) {
    if (auto in = weak.lock()) in->collector.Add(s);
  });
  registered_ = true;
  auto rec = rec_;
  listener_ = host_->AddListener([rec](const smsc::SmscTraceEvent& e) {
    using D = smsc::SmscTraceEvent::Direction;
    TraceEntry t =
        MakeEntry(src::kSmsc, "esme#" + std::to_string(e.connection),
                  e.direction == D::kEvent ? knd::kDecision : knd::kSmppPdu,
                  e.direction == D::kIn    ? Direction::kIn
                  : e.direction == D::kOut ? Direction::kOut
                                           : Direction::kNone,
                  e.summary, e.error ? e.error->rule : "");
    t.raw = e.raw;
    rec->Add(std::move(t));
  });
  rec_->Add(MakeEntry(src::kHarness, "", knd::kDecision, Direction::kNone,
                      "simulated handset " + msisdn_ +
                          " behind omaiop's SMSC " +
                          host_->config().bind_address + ":" +
                          std::to_string(host_->smsc().port())));
  return codec::OkStatus();
}

StepOutcome SmppSession::Trigger(const script::PushStep& p,
                                 const std::string& name,
                                 std::chrono::milliseconds budget) {
  const auto* t = config_.iut.FindTrigger(name);
  if (!t)
    return ErrorOutcome("the IUT file declares no trigger '" + name +
                        "' (<pixit><trigger name=\"" + name + "\">)");
  std::vector<std::string> faults = p.faults;
  faults.insert(faults.end(), config_.faults.begin(), config_.faults.end());
  if (!faults.empty())
    return Inconc("push faults cannot be injected into a real push server (" +
                  faults.front() + ")");
  if (!p.initiator.empty() || p.authenticated)
    return Inconc(
        "a real push server cannot be asked for a given initiator URI or "
        "Push-Flag");
  const std::string doc_path = script::ResolveCasePath(tc_, p.document);
  auto doc = ReadText(doc_path);
  if (!doc) return ErrorOutcome("cannot read push document " + p.document);
  std::string imsi = p.imsi;
  if (imsi.empty()) {
    auto r = handset_.ReadImsi();
    if (r.ok()) imsi = *r;
  }
  script::VariableMap vars = script::IutVariables(config_.iut);
  vars["MSISDN"] = msisdn_;
  vars["SEC"] = p.sec;
  vars["PIN"] = p.pin;
  vars["IMSI"] = imsi;
  vars["KEY"] = p.sec == "NETWPIN"       ? imsi
                : p.sec == "USERNETWPIN" ? imsi + p.pin
                                         : p.pin;
  vars["DOCUMENT"] = *doc;
  vars["DOCUMENT_FILE"] = doc_path;
  vars["SMSC_HOST"] = host_->config().bind_address;
  vars["SMSC_PORT"] = std::to_string(host_->smsc().port());
  vars["CASE_ID"] = tc_.id;
  vars["OMAIOP"] = OmaiopBinary();
  const auto timeout = t->timeout ? std::min(*t->timeout, budget) : budget;
  last_pin_ = p.pin;
  if (t->kind == script::IutTrigger::Kind::kUrl) {
    auto url = script::ExpandUrlTrigger(*t, vars);
    if (!url.ok()) return ErrorOutcome(url.error().ToString());
    sim::network::HttpRequest req;
    req.method = t->method;
    req.url = *url;
    if (t->method == "POST") {
      req.body = *doc;
      req.headers.push_back({"Content-Type", "text/vnd.wap.connectivity-xml"});
    }
    sim::network::HttpClientOptions o;
    o.connect_timeout = std::min(timeout, o.connect_timeout);
    o.request_timeout = timeout;
    auto resp = sim::network::HttpFetch(req, o);
    TraceEntry e =
        MakeEntry(src::kHarness, "iut", knd::kHttp, Direction::kOut,
                  "trigger " + name + ": " + req.method + " " + req.url);
    e.raw = TextBytes(req.method + " " + req.url + "\r\n\r\n" + req.body);
    if (resp.ok()) {
      e.summary += " -> " + std::to_string(resp->status) + " " + resp->reason;
      e.response = TextBytes(std::to_string(resp->status) + " " + resp->reason +
                             "\r\n\r\n" + resp->body);
    } else {
      e.summary += " -> " + resp.error().ToString();
    }
    rec_->Add(std::move(e));
    if (!resp.ok())
      return ErrorOutcome("trigger " + name + " (" + req.url +
                          "): " + resp.error().ToString());
    if (resp->status < 200 || resp->status > 299)
      return ErrorOutcome("trigger " + name + " refused: HTTP " +
                          std::to_string(resp->status) + " " + resp->reason +
                          ": " + resp->body.substr(0, 200));
    NoteHandedOutPin(resp->body);
    return Pass("triggered: HTTP " + std::to_string(resp->status));
  }
  auto argv = script::ExpandCommandTrigger(*t, vars);
  if (!argv.ok()) return ErrorOutcome(argv.error().ToString());
  auto r = RunCommand(*argv, *doc, timeout);
  std::string line;
  for (const auto& a : *argv) line += (line.empty() ? "" : " ") + a;
  rec_->Add(MakeEntry(src::kHarness, "iut", knd::kDecision, Direction::kOut,
                      "trigger " + name + ": " + line + " -> " +
                          (r.ok() ? r->Describe() : r.error().ToString())));
  if (!r.ok()) return ErrorOutcome("trigger " + name + ": " + r.error().what);
  if (r->exit_code != 0)
    return ErrorOutcome("trigger " + name + " failed (" + r->Describe() +
                        "): " + r->err.substr(0, 300));
  NoteHandedOutPin(r->out);
  return Pass("triggered: " + r->Describe());
}

std::size_t SmppSession::Await(std::size_t count, Clock::time_point deadline,
                               bool* incomplete) {
  std::size_t got = 0;
  for (;;) {
    {
      std::unique_lock lock(inbox_->mu);
      inbox_->cv.wait_until(lock, deadline,
                            [&] { return !inbox_->pushes.empty(); });
      while (!inbox_->pushes.empty()) {
        pending_.push_back({std::move(inbox_->pushes.front()), last_pin_});
        inbox_->pushes.pop_front();
        ++got;
      }
    }
    if (got >= count) return got;
    if (Clock::now() >= deadline) break;
  }
  // What is still incomplete is handed over as it is.
  inbox_->collector.Flush();
  std::lock_guard lock(inbox_->mu);
  while (!inbox_->pushes.empty()) {
    if (!inbox_->pushes.front().complete) *incomplete = true;
    pending_.push_back({std::move(inbox_->pushes.front()), last_pin_});
    inbox_->pushes.pop_front();
  }
  return got;
}

void SmppSession::Flush() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (const auto& p : pending) {
    SimulatedHandset::Delivery d;
    d.segments = p.push.user_data();
    d.from = p.push.source_addr;
    d.to = p.push.destination_addr;
    d.out_of_band_pin = p.out_of_band_pin;
    d.segment_source = src::kSmsc;
    // The datagram the segments make, reassembled independently of the
    // handset, shown as the WSP push (highlights point into it).
    codec::SmsReassembler re;
    std::optional<codec::WdpDatagram> dgram;
    for (const auto& s : d.segments) {
      auto r = re.Add(s);
      if (r.ok() && r->has_value()) dgram = **r;
    }
    if (dgram) {
      d.wsp_pdu = dgram->payload;
      if (auto w = codec::ParseWspPush(d.wsp_pdu); w.ok())
        d.mac = w->content_type.Mac().value_or("");
      TraceEntry e = MakeEntry(
          src::kHandset, src::kServer, knd::kWspPush, Direction::kIn,
          "WSP push from " + p.push.source_addr + " (ESME " +
              p.push.esme_system_id + "), " + std::to_string(d.wsp_pdu.size()) +
              " bytes in " + std::to_string(d.segments.size()) + " segment(s)" +
              (d.mac.empty() ? "" : ", MAC " + d.mac));
      e.raw = d.wsp_pdu;
      d.wsp_entry = rec_->Add(std::move(e));
    }
    handset_.Deliver(d);
  }
}

StepOutcome SmppSession::DoPush(const script::PushStep& p,
                                const script::Step& step) {
  const auto budget = Budget(step);
  const auto deadline = Clock::now() + budget;
  const auto left = [&] {
    return std::max(std::chrono::milliseconds(1),
                    std::chrono::duration_cast<std::chrono::milliseconds>(
                        deadline - Clock::now()));
  };
  auto trig = Trigger(p, ServerOption("trigger", "push"), left());
  if (trig.verdict != reports::Verdict::kPass) return trig;
  bool incomplete = false;
  const std::size_t got = Await(1, deadline, &incomplete);
  if (got >= 1)
    return Pass("push received (" +
                std::to_string(pending_.back().push.segments.size()) +
                " segment(s)); delivered to the handset before the next "
                "non-user step");
  if (incomplete)
    return Fail("the push's SMS segments arrived incomplete within " +
                    std::to_string(budget.count()) + " ms [" + kRuleConcat +
                    "]",
                kRuleConcat);
  return Fail("no push reached the handset " + msisdn_ + " within " +
                  std::to_string(budget.count()) + " ms" + BindNote() + " [" +
                  kRuleDelivery + "]",
              kRuleDelivery);
}

StepOutcome SmppSession::DoWaitSms(const script::WaitSmsStep& w,
                                   const script::Step& step) {
  const auto budget = Budget(step);
  const auto deadline = Clock::now() + budget;
  if (const auto name = ServerOption("trigger"); !name.empty()) {
    script::PushStep p;
    p.document = ServerOption("document", kDefaultDocument);
    p.sec = ServerOption("sec", "USERPIN");
    p.pin = ServerOption("pin", "1234");
    auto trig = Trigger(p, name,
                        std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - Clock::now()));
    if (trig.verdict != reports::Verdict::kPass) return trig;
    // The operator hands the user the PIN the server was given.
    if (p.sec != "NETWPIN" && p.sec != "none") handset_.QueuePin(p.pin);
  }
  bool incomplete = false;
  Await(w.count, deadline, &incomplete);
  const std::size_t before = handset_.outcomes().size();
  Flush();
  const bool none = handset_.CountDatagrams(w, before) == 0;
  return handset_.JudgeWaitSms(
      w, before,
      std::string(incomplete ? ", a push arrived incomplete" : "") +
          (none ? BindNote() : ""));
}

StepOutcome SmppSession::Execute(const script::Step& step) {
  const bool user_step =
      std::holds_alternative<script::UserPinStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body) ||
      std::holds_alternative<script::PushStep>(step.body);
  if (!user_step) Flush();
  // After a push that could not be asked for, nothing can be judged.
  if (!blocked_.empty() && !user_step) return Inconc("not judged: " + blocked_);
  if (const auto* p = std::get_if<script::PushStep>(&step.body)) {
    auto out = DoPush(*p, step);
    if (out.verdict == reports::Verdict::kInconc) blocked_ = out.reason;
    return out;
  }
  if (const auto* w = std::get_if<script::WaitSmsStep>(&step.body))
    return DoWaitSms(*w, step);
  if (auto out = handset_.Execute(step)) return *out;
  return Inconc("step type " + step.element +
                " not supported by adapter smpp_push_server");
}

}  // namespace

SmppPushServerAdapter::SmppPushServerAdapter() = default;
SmppPushServerAdapter::~SmppPushServerAdapter() = default;

std::uint16_t SmppPushServerAdapter::smsc_port() const {
  return host_ ? host_->smsc().port() : 0;
}

bool SmppPushServerAdapter::esme_bound() const {
  return host_ && host_->ever_bound();
}

codec::Result<std::shared_ptr<Session>> SmppPushServerAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  if (tc.header.role != script::Role::kHandset)
    return codec::Error(
        "adapter smpp_push_server plays the handset (role handset) only", 0,
        kRuleNotSupported);
  if (!host_) {
    OMAIOP_ASSIGN_OR_RETURN(host_, SmscHost::Get(config.iut));
  }
  auto s =
      std::make_shared<SmppSession>(tc, config, std::move(recorder), host_);
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
