#include "harness/runner/runner.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <thread>

#include "harness/script/selection.h"
#include "tests/test_util.h"

namespace omaiop::harness {
namespace {

using omaiop::testing::SourcePath;
using reports::Verdict;
using ::testing::HasSubstr;

// A scripted peer: each step's `name` says what it does.
class FakeSession : public adapters::Session {
 public:
  explicit FakeSession(std::shared_ptr<adapters::Recorder> rec)
      : rec_(std::move(rec)) {}
  adapters::StepOutcome Execute(const script::Step& step) override {
    reports::TraceEntry e;
    e.kind = reports::kind::kDecision;
    e.summary = "ran " + step.name;
    rec_->Add(e);
    if (step.name == "pass") return adapters::Pass("ok");
    if (step.name == "fail") return adapters::Fail("broke R1", "R1");
    if (step.name == "fail2") return adapters::Fail("broke R2", "R2");
    if (step.name == "inconc") return adapters::Inconc("cannot tell");
    if (step.name == "error") return adapters::ErrorOutcome("tool broke");
    if (step.name == "throw") throw std::runtime_error("boom");
    if (step.name == "hang") {
      std::this_thread::sleep_for(std::chrono::milliseconds(400));
      return adapters::Pass("too late");
    }
    return adapters::ErrorOutcome("unknown fake step " + step.name);
  }

 private:
  std::shared_ptr<adapters::Recorder> rec_;
};

class FakeAdapter : public adapters::Adapter {
 public:
  std::string_view name() const override { return "fake"; }
  codec::Result<std::shared_ptr<adapters::Session>> Open(
      const script::TestCase&, const adapters::AdapterConfig&,
      std::shared_ptr<adapters::Recorder> rec) override {
    return std::shared_ptr<adapters::Session>(
        std::make_shared<FakeSession>(std::move(rec)));
  }
};

script::TestCase FakeCase(
    std::vector<std::string> steps,
    std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  script::TestCase tc;
  tc.id = "FAKE-001";
  tc.header.role = script::Role::kPushServer;
  for (const auto& s : steps) {
    script::Step st;
    st.element = "expect-event";
    st.name = s;
    st.effective_timeout = timeout;
    st.body = script::ExpectEventStep{};
    tc.steps.push_back(st);
  }
  return tc;
}

reports::CaseResult RunFake(const script::TestCase& tc) {
  FakeAdapter a;
  return RunCaseInstance(tc, a, RunOptions{});
}

TEST(RunnerVerdict, AllPassIsPass) {
  auto r = RunFake(FakeCase({"pass", "pass"}));
  EXPECT_EQ(r.verdict, Verdict::kPass);
  ASSERT_EQ(r.steps.size(), 2u);
  EXPECT_EQ(r.trace.size(), 2u);  // what the session recorded
  EXPECT_GT(r.trace[0].time_us, 0u);
}

TEST(RunnerVerdict, NeverUpgradedAndReasonNamesTheFirstWorstStep) {
  // fail then inconc then pass: stays fail; the reason is step 2's.
  auto r = RunFake(FakeCase({"pass", "fail", "inconc", "fail2", "pass"}));
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.rule, "R1");
  EXPECT_THAT(r.reason, HasSubstr("step 2"));
  EXPECT_THAT(r.reason, HasSubstr("broke R1"));
  ASSERT_EQ(r.steps.size(), 5u);
  EXPECT_EQ(r.steps[2].verdict, Verdict::kInconc);
  EXPECT_EQ(r.steps[4].verdict, Verdict::kPass);  // later steps still run
  auto i = RunFake(FakeCase({"inconc", "pass"}));
  EXPECT_EQ(i.verdict, Verdict::kInconc);
}

// An adapter whose Open() refuses with a given rule.
class RefusingAdapter : public adapters::Adapter {
 public:
  explicit RefusingAdapter(std::string rule) : rule_(std::move(rule)) {}
  std::string_view name() const override { return "refusing"; }
  codec::Result<std::shared_ptr<adapters::Session>> Open(
      const script::TestCase&, const adapters::AdapterConfig&,
      std::shared_ptr<adapters::Recorder>) override {
    return codec::Error("cannot run this one", 0, rule_);
  }

 private:
  std::string rule_;
};

TEST(RunnerVerdict, SetupRefusalsMapToNoneInconcOrError) {
  auto tc = FakeCase({"pass"});
  RefusingAdapter na(adapters::kRuleNotApplicable);
  auto r = RunCaseInstance(tc, na, RunOptions{});
  EXPECT_EQ(r.verdict, Verdict::kNone);
  EXPECT_THAT(r.reason, HasSubstr("cannot run this one"));
  EXPECT_TRUE(r.rule.empty());
  RefusingAdapter ns(adapters::kRuleNotSupported);
  EXPECT_EQ(RunCaseInstance(tc, ns, RunOptions{}).verdict, Verdict::kInconc);
  RefusingAdapter err("some rule");
  auto e = RunCaseInstance(tc, err, RunOptions{});
  EXPECT_EQ(e.verdict, Verdict::kError);
  EXPECT_EQ(e.rule, "some rule");
}

TEST(RunnerVerdict, ErrorStopsTheCase) {
  auto r = RunFake(FakeCase({"pass", "error", "pass"}));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_EQ(r.steps[2].verdict, Verdict::kNone);
  EXPECT_THAT(r.steps[2].reason, HasSubstr("not run"));
  EXPECT_EQ(r.trace.size(), 2u);  // step 3 never executed
}

TEST(RunnerVerdict, ExceptionIsError) {
  auto r = RunFake(FakeCase({"pass", "throw"}));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("boom"));
}

TEST(RunnerTimeout, StepTimeoutFailsAndStops) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = RunFake(
      FakeCase({"pass", "hang", "pass"}, std::chrono::milliseconds(50)));
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_LT(took, std::chrono::milliseconds(350));  // did not wait the 400
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.steps[1].rule, "timeout");
  EXPECT_THAT(r.steps[1].reason, HasSubstr("within 50 ms"));
  EXPECT_EQ(r.steps[2].verdict, Verdict::kNone);
  // Let the abandoned step finish before the process tears down.
  std::this_thread::sleep_for(std::chrono::milliseconds(450));
}

const script::Suite& ShippedSuite() {
  static const script::Suite suite = [] {
    script::LoadOptions lo;
    for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
      lo.extra_variables.push_back(k);
    auto s = script::LoadSuite(SourcePath("testcases"), lo);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    return s.ok() ? *s : script::Suite{};
  }();
  return suite;
}

std::vector<const script::TestCase*> All() {
  return script::Select(ShippedSuite().cases, {});
}

TEST(RunnerApplicability, NotApplicableIsNoneWithReason) {
  RunOptions o;
  o.iut.pics["CP-SEC-NETWPIN"] = "false";
  auto c = RunCampaign(All(), o);
  auto it = std::find_if(c.cases.begin(), c.cases.end(), [](const auto& r) {
    return r.id == "CP-BOOT-SEC-003";
  });
  ASSERT_NE(it, c.cases.end());
  EXPECT_EQ(it->verdict, Verdict::kNone);
  EXPECT_THAT(it->applicability, HasSubstr("CP-SEC-NETWPIN"));
  EXPECT_THAT(it->reason, HasSubstr("not applicable"));
  EXPECT_TRUE(it->steps.empty());
}

// An adapter that cannot set the case up (here: the command adapter with an
// IUT file that has no deliver trigger) gives error, naming what is missing.
TEST(RunnerAdapters, AdapterSetupFailureIsAnErrorNamingWhatIsMissing) {
  auto a = adapters::MakeAdapter(script::AdapterKind::kCommand);
  auto r = RunCaseInstance(FakeCase({"pass"}), *a, RunOptions{});
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("<trigger name=\"deliver\""));
}

// Everything but timestamps and durations.
void ExpectSameResults(const reports::Campaign& a, const reports::Campaign& b) {
  ASSERT_EQ(a.cases.size(), b.cases.size());
  for (std::size_t i = 0; i < a.cases.size(); ++i) {
    const auto& x = a.cases[i];
    const auto& y = b.cases[i];
    SCOPED_TRACE(x.id);
    EXPECT_EQ(x.id, y.id);
    EXPECT_EQ(x.verdict, y.verdict);
    EXPECT_EQ(x.reason, y.reason);
    ASSERT_EQ(x.steps.size(), y.steps.size());
    for (std::size_t s = 0; s < x.steps.size(); ++s) {
      EXPECT_EQ(x.steps[s].verdict, y.steps[s].verdict);
      EXPECT_EQ(x.steps[s].reason, y.steps[s].reason);
    }
    ASSERT_EQ(x.trace.size(), y.trace.size());
    // DM sessions cross an ephemeral loopback port and carry fresh nonces:
    // their trace bytes differ from run to run, their verdicts do not.
    if (x.id.rfind("DMS-", 0) == 0 || x.id == "UICC-DM-BOOT-001") continue;
    for (std::size_t t = 0; t < x.trace.size(); ++t) {
      EXPECT_EQ(x.trace[t].summary, y.trace[t].summary);
      EXPECT_EQ(x.trace[t].raw, y.trace[t].raw);
      EXPECT_EQ(x.trace[t].response, y.trace[t].response);
    }
  }
}

TEST(RunnerParallel, JobsGiveIdenticalResults) {
  RunOptions one;
  one.max_wait = std::chrono::milliseconds(10);
  RunOptions four = one;
  four.jobs = 4;
  auto a = RunCampaign(All(), one);
  auto b = RunCampaign(All(), four);
  ASSERT_GE(a.cases.size(), 10u);
  ExpectSameResults(a, b);
}

TEST(RunnerSharding, ShardsPartitionTheCampaign) {
  RunOptions o;
  o.max_wait = std::chrono::milliseconds(10);
  auto whole = RunCampaign(All(), o);
  std::multiset<std::string> seen;
  for (std::size_t i = 0; i < 3; ++i) {
    auto part = RunCampaign(script::ApplyShard(All(), {i, 3}), o);
    for (const auto& r : part.cases) {
      seen.insert(r.id);
      auto it = std::find_if(
          whole.cases.begin(), whole.cases.end(),
          [&](const reports::CaseResult& w) { return w.id == r.id; });
      ASSERT_NE(it, whole.cases.end());
      EXPECT_EQ(it->verdict, r.verdict) << r.id;
    }
  }
  std::multiset<std::string> all;
  for (const auto& r : whole.cases) all.insert(r.id);
  EXPECT_EQ(seen, all);
}

TEST(RunnerExpansion, OneResultPerCsvRow) {
  RunOptions o;
  auto c = RunCampaign(All(), o);
  std::size_t rows = 0;
  for (const auto& r : c.cases)
    if (r.id.rfind("CP-BOOT-SEC-002[", 0) == 0) ++rows;
  EXPECT_EQ(rows, 2u);  // testcases/cp/boot/data/userpin_accounts.csv
}

TEST(RunnerSimulated, FaultFailsNamingTheRuleAndHighlightsTheMac) {
  RunOptions o;
  o.faults = {"wrong-mac"};
  script::Filter f;
  f.id_filter = "CP-BOOT-SEC-003";
  auto sel = script::Select(ShippedSuite().cases, f);
  ASSERT_EQ(sel.size(), 1u);
  auto c = RunCampaign(sel, o);
  ASSERT_EQ(c.cases.size(), 1u);
  const auto& r = c.cases[0];
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_THAT(r.rule, HasSubstr("B-C-006"));  // the MAC rule
  EXPECT_THAT(r.reason, HasSubstr("MAC"));
  bool highlighted = false;
  for (const auto& e : r.trace) {
    if (e.kind != reports::kind::kWspPush) continue;
    ASSERT_EQ(e.highlights.size(), 1u);
    const auto& h = e.highlights[0];
    ASSERT_LE(h.offset + h.length, e.raw.size());
    EXPECT_EQ(h.length, 40u);  // 40 hex characters
    const std::string mac(e.raw.begin() + h.offset,
                          e.raw.begin() + h.offset + h.length);
    EXPECT_THAT(e.summary, HasSubstr("MAC " + mac));
    highlighted = true;
  }
  EXPECT_TRUE(highlighted);
  // Every kind of trace was recorded: APDUs (IMSI read), SMS, push,
  // decisions.
  std::set<std::string> kinds;
  for (const auto& e : r.trace) kinds.insert(e.kind);
  for (const char* k : {reports::kind::kApdu, reports::kind::kSmsSegment,
                        reports::kind::kWspPush, reports::kind::kDecision})
    EXPECT_TRUE(kinds.count(k)) << k;
}

TEST(RunnerSimulated, WbxmlFaultHighlightsTheByteTheDecoderReported) {
  RunOptions o;
  o.faults = {"wbxml-strtbl-past-end"};
  script::Filter f;
  f.id_filter = "CP-BOOT-SEC-003";
  auto c = RunCampaign(script::Select(ShippedSuite().cases, f), o);
  ASSERT_EQ(c.cases.size(), 1u);
  EXPECT_EQ(c.cases[0].verdict, Verdict::kFail);
  bool found = false;
  for (const auto& e : c.cases[0].trace) {
    if (e.kind != reports::kind::kWspPush) continue;
    ASSERT_EQ(e.highlights.size(), 1u);
    const auto& h = e.highlights[0];
    ASSERT_LT(h.offset, e.raw.size());
    EXPECT_THAT(h.why, HasSubstr("WBXML 1.3"));
    // WBXML 1.3 §5.8.4.1: the decoder points at the string-table index
    // (16, past the end of the empty table) right after the STR_T token.
    ASSERT_GT(h.offset, 0u);
    EXPECT_EQ(e.raw[h.offset - 1], 0x83) << h.offset;
    EXPECT_EQ(e.raw[h.offset], 16) << h.offset;
    found = true;
  }
  EXPECT_TRUE(found);
}

TEST(RunnerSimulated, DmServerRoleRunsCardStepsOnlyWithACard) {
  // Role dm_server (omaiop = DM server, IUT = the simulated DM client): the
  // DM steps run; without a <card> precondition a card step is inconc
  // (never pass); with one, the simulated client's card is acted on.
  auto load = [](const std::string& pre) {
    return script::LoadTestCaseFromString(
        R"(<testcase id="X-DM-001"><header><title>t</title><purpose>p</purpose>
<requirement id="R"/><role>dm_server</role></header>)" +
            pre +
            R"(<steps><card-remove/><dm-session trigger="client"/><check-tree path="./DevInfo"/></steps>
<pass-criteria><criterion>c</criterion></pass-criteria></testcase>)",
        "x.xml", SourcePath("testcases"));
  };
  auto tc = load("");
  ASSERT_TRUE(tc.ok()) << tc.error().ToString();
  auto a = adapters::MakeAdapter(script::AdapterKind::kSimulated);
  auto r = RunCaseInstance(*tc, *a, RunOptions{});
  EXPECT_EQ(r.verdict, Verdict::kInconc);
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[0].verdict, Verdict::kInconc);
  EXPECT_THAT(r.steps[0].reason,
              HasSubstr("card-remove in role dm_server needs a <card>"));
  EXPECT_EQ(r.steps[1].verdict, Verdict::kPass);
  EXPECT_EQ(r.steps[2].verdict, Verdict::kPass) << r.steps[2].reason;
  // With a card: removed, the card's account is gone, so the session has
  // no account to run with and the case fails.
  tc = load(R"(<preconditions><card profile="csim"/></preconditions>)");
  ASSERT_TRUE(tc.ok()) << tc.error().ToString();
  r = RunCaseInstance(*tc, *a, RunOptions{});
  ASSERT_EQ(r.steps.size(), 3u);
  EXPECT_EQ(r.steps[0].verdict, Verdict::kPass) << r.steps[0].reason;
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
}

TEST(RunnerExitCode, Contract) {
  reports::Campaign c;
  EXPECT_EQ(ExitCodeFor(c), 0);
  c.cases.resize(3);
  c.cases[0].verdict = Verdict::kPass;
  c.cases[1].verdict = Verdict::kNone;
  c.cases[2].verdict = Verdict::kPass;
  EXPECT_EQ(ExitCodeFor(c), 0);
  c.cases[1].verdict = Verdict::kInconc;
  EXPECT_EQ(ExitCodeFor(c), 2);
  c.cases[2].verdict = Verdict::kError;
  EXPECT_EQ(ExitCodeFor(c), 2);
  c.cases[0].verdict = Verdict::kFail;
  EXPECT_EQ(ExitCodeFor(c), 1);
}

}  // namespace
}  // namespace omaiop::harness
