#include "harness/adapters/simulated/simulated_adapter.h"

#include <optional>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "harness/adapters/common/compose_push.h"
#include "harness/adapters/common/handset_judge.h"
#include "harness/adapters/common/simulated_handset.h"
#include "harness/adapters/simulated/dm_client_role.h"
#include "harness/adapters/simulated/dm_server_role.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::harness::adapters {

namespace {

namespace servers = sim::servers;
using reports::Direction;
using reports::TraceEntry;
namespace src = reports::source;
namespace knd = reports::kind;

constexpr char kDefaultDocument[] = "fixtures/cp/bootstrap.xml";

class SimulatedSession : public Session {
 public:
  SimulatedSession(script::TestCase tc, AdapterConfig config,
                   std::shared_ptr<Recorder> rec)
      : tc_(std::move(tc)),
        config_(std::move(config)),
        rec_(std::move(rec)),
        handset_(tc_, rec_, "simulated") {}

  codec::Status Setup() { return handset_.Setup(); }
  StepOutcome Execute(const script::Step& step) override;

 private:
  std::string ServerOption(std::string_view name, std::string def = {}) const {
    for (const auto& o : tc_.preconditions.server)
      if (o.name == name) return o.value;
    return def;
  }
  codec::Result<servers::ComposedPush> Compose(const script::PushStep& p);
  void Deliver(const servers::ComposedPush& push, const std::string& from);
  void Flush();

  StepOutcome DoPush(const script::PushStep& p);
  StepOutcome DoWaitSms(const script::WaitSmsStep& w);

  script::TestCase tc_;
  AdapterConfig config_;
  std::shared_ptr<Recorder> rec_;
  SimulatedHandset handset_;
  struct Pending {
    servers::ComposedPush push;
    std::string from;
  };
  std::vector<Pending> pending_;
  servers::CpPushServer server_;
};

codec::Result<servers::ComposedPush> SimulatedSession::Compose(
    const script::PushStep& p) {
  return ComposeCasePush(tc_, p, config_.faults, server_);
}

void SimulatedSession::Deliver(const servers::ComposedPush& push,
                               const std::string& from) {
  TraceEntry e = WspPushEntry(push);
  SimulatedHandset::Delivery d;
  d.wsp_entry = rec_->Add(std::move(e));
  d.segments = push.segments;
  d.from = from;
  d.to = ServerOption("to", "+15550100");
  d.wsp_pdu = push.wsp_pdu;
  d.mac = push.mac;
  d.out_of_band_pin = push.user_pin;
  handset_.Deliver(d);
}

void SimulatedSession::Flush() {
  auto pending = std::move(pending_);
  pending_.clear();
  for (const auto& p : pending) Deliver(p.push, p.from);
}

StepOutcome SimulatedSession::DoPush(const script::PushStep& p) {
  script::PushStep push_step = p;
  if (tc_.header.role == script::Role::kHandset) {
    // The simulated IUT push server keys NETWPIN / USERNETWPIN with the
    // IMSI of the handset it pushes to.
    if (push_step.imsi.empty() &&
        (p.sec == "NETWPIN" || p.sec == "USERNETWPIN")) {
      auto imsi = handset_.ReadImsi();
      if (!imsi.ok())
        return ErrorOutcome("simulated push server: no IMSI: " +
                            imsi.error().ToString());
      push_step.imsi = *imsi;
    }
  } else if (tc_.header.role != script::Role::kPushServer) {
    return Inconc("push: a CP push needs role push_server or handset");
  }
  auto push = Compose(push_step);
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
    auto imsi = handset_.ReadImsi();
    if (!imsi.ok())
      return ErrorOutcome("simulated push server: no IMSI: " +
                          imsi.error().ToString());
    p.imsi = *imsi;
  }
  if (auto f = ServerOption("fault"); !f.empty()) p.faults.push_back(f);
  auto push = Compose(p);
  if (!push.ok())
    return ErrorOutcome("simulated push server: " + push.error().ToString());
  const std::size_t before = handset_.outcomes().size();
  Deliver(*push, "+15550199");
  return handset_.JudgeWaitSms(w, before);
}

StepOutcome SimulatedSession::Execute(const script::Step& step) {
  const bool user_step =
      std::holds_alternative<script::UserPinStep>(step.body) ||
      std::holds_alternative<script::UserAcceptStep>(step.body) ||
      std::holds_alternative<script::UserRejectStep>(step.body) ||
      std::holds_alternative<script::PushStep>(step.body);
  if (!user_step) Flush();
  if (const auto* p = std::get_if<script::PushStep>(&step.body))
    return DoPush(*p);
  if (const auto* w = std::get_if<script::WaitSmsStep>(&step.body))
    return DoWaitSms(*w);
  if (auto out = handset_.Execute(step)) return *out;
  return Inconc("step type " + step.element +
                " not supported by adapter simulated yet");
}

}  // namespace

codec::Result<std::shared_ptr<Session>> SimulatedAdapter::Open(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder) {
  if (tc.header.role == script::Role::kDmClient)
    return OpenSimulatedDmClientRole(tc, config, std::move(recorder));
  if (tc.header.role == script::Role::kDmServer)
    return OpenSimulatedDmServerRole(tc, config, std::move(recorder));
  auto s = std::make_shared<SimulatedSession>(tc, config, std::move(recorder));
  OMAIOP_RETURN_IF_ERROR(s->Setup());
  return std::shared_ptr<Session>(std::move(s));
}

}  // namespace omaiop::harness::adapters
