// The command adapter with shell-script IUTs: what each trigger variable
// carries (the composed PDU byte for byte, the user's PINs), the outcome
// contract (exit status alone, a JSON line, garbage, a crash, a hang).
// `omaiop cp judge` as the IUT is covered by harness/cli/cp_judge_cli_test.cc.
#include "harness/adapters/command/command_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "codec/wsp_push.h"
#include "harness/runner/runner.h"
#include "harness/script/selection.h"
#include "tests/test_util.h"

namespace omaiop::harness::adapters {
namespace {

namespace fs = std::filesystem;
using reports::Verdict;
using ::testing::HasSubstr;

class CommandAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char t[] = "/tmp/omaiop_cmd_test_XXXXXX";
    ASSERT_NE(mkdtemp(t), nullptr);
    dir_ = t;
    script::LoadOptions lo;
    for (const auto& [k, v] : script::IutVariables(Iut("x")))
      lo.extra_variables.push_back(k);
    auto suite =
        script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
    ASSERT_TRUE(suite.ok()) << suite.error().ToString();
    suite_ = std::move(*suite);
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  // A shell script IUT; its body sees the trigger's arguments as $1...
  std::string Script(const std::string& name, const std::string& body) {
    const std::string p = (dir_ / name).string();
    std::ofstream(p) << "#!/bin/sh\n" << body << "\n";
    chmod(p.c_str(), 0755);
    return p;
  }
  script::Iut Iut(const std::string& command,
                  std::optional<std::chrono::milliseconds> timeout = {}) {
    script::Iut iut;
    iut.name = "script handset";
    iut.adapter = script::AdapterKind::kCommand;
    for (const char* item :
         {"CP-BOOT", "CP-SEC-NETWPIN", "CP-SEC-USERPIN", "CP-UAB"})
      iut.pics[item] = "true";
    script::IutTrigger t;
    t.name = "deliver";
    t.kind = script::IutTrigger::Kind::kCommand;
    t.text = command;
    t.timeout = timeout;
    iut.triggers.push_back(t);
    return iut;
  }
  reports::CaseResult RunCase(const std::string& id, const script::Iut& iut,
                              std::vector<std::string> faults = {}) {
    for (const auto& tc : suite_.cases)
      if (tc.id == id) {
        RunOptions o;
        o.iut = iut;
        o.faults = std::move(faults);
        auto c = RunCampaign({&tc}, o);
        if (!c.cases.empty()) return c.cases.front();
      }
    ADD_FAILURE() << "no case " << id;
    return {};
  }
  fs::path dir_;
  script::Suite suite_;
};

TEST_F(CommandAdapterTest, ExitStatusAloneJudgesTheStatusOnly) {
  auto iut = Iut(Script("accept.sh", "exit 0") + " ${PDU_FILE}");
  auto r = RunCase("CP-BOOT-SEC-003", iut);
  // expect-event / check-setting need the JSON report: inconc, not fail.
  EXPECT_EQ(r.verdict, Verdict::kInconc) << r.reason;
  bool status_passed = false;
  for (const auto& s : r.steps) {
    if (s.kind == "expect-status") status_passed = s.verdict == Verdict::kPass;
    if (s.kind == "expect-event" || s.kind == "check-setting") {
      EXPECT_EQ(s.verdict, Verdict::kInconc) << s.reason;
    }
  }
  EXPECT_TRUE(status_passed);
  // A handset that rejects what it must accept: fail.
  auto reject = Iut(Script("reject.sh", "exit 1"));
  r = RunCase("CP-BOOT-SEC-003", reject);
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
}

TEST_F(CommandAdapterTest, VariablesCarryThePduAndTheUsersPins) {
  const std::string out = (dir_ / "seen").string();
  auto iut =
      Iut(Script("record.sh", "cp \"$1\" " + out +
                                  ".wsp; printf '%s|%s|%s' \"$2\" "
                                  "\"$3\" \"$4\" > " +
                                  out + "; echo '{\"verdict\":\"accepted\"}'") +
          " ${PDU_FILE} ${USER_PINS} ${SEC} ${PIN}");
  auto r = RunCase("CP-BOOT-SEC-006", iut);  // PINs 0000, 1111, then 9753
  EXPECT_EQ(omaiop::testing::ReadFileText(out), "0000,1111,9753|USERPIN|9753");
  const std::string pdu = omaiop::testing::ReadFileText(out + ".wsp");
  auto push = codec::ParseWspPush(codec::ByteView(
      reinterpret_cast<const std::uint8_t*>(pdu.data()), pdu.size()));
  ASSERT_TRUE(push.ok()) << push.error().ToString();
  EXPECT_EQ(push->content_type.MediaName(),
            "application/vnd.wap.connectivity-wbxml");
  // The same PDU is the wsp_push of the trace.
  bool same = false;
  for (const auto& e : r.trace)
    if (e.kind == reports::kind::kWspPush)
      same = std::string(e.raw.begin(), e.raw.end()) == pdu;
  EXPECT_TRUE(same);
}

TEST_F(CommandAdapterTest, PduOnStdinWhenTheIutFileAsksForIt) {
  const std::string out = (dir_ / "stdin.wsp").string();
  auto iut = Iut(Script("stdin.sh", "cat > " + out + "; exit 0"));
  iut.params["stdin"] = "pdu";
  auto r = RunCase("CP-BOOT-SEC-003", iut);
  std::string pdu;
  for (const auto& e : r.trace)
    if (e.kind == reports::kind::kWspPush)
      pdu.assign(e.raw.begin(), e.raw.end());
  ASSERT_FALSE(pdu.empty());
  EXPECT_EQ(omaiop::testing::ReadFileText(out), pdu);
}

TEST_F(CommandAdapterTest, JsonReportIsJudgedLikeTheSimulatedHandset) {
  // The IUT rejects with a MAC mismatch and stores nothing: CP-BOOT-SEC-001
  // (wrong-IMSI MAC must be rejected) passes.
  auto iut =
      Iut(Script("json.sh",
                 "echo 'some log line'\n"
                 "echo '{\"verdict\":\"rejected\",\"rule\":\"ProvBoot "
                 "B-C-006 MAC\",\"events\":[{\"kind\":\"mac_mismatch\","
                 "\"rule\":\"ProvBoot B-C-006 MAC\"},{\"kind\":"
                 "\"intake_rejected\",\"rule\":\"x\"}],\"settings\":[]}'\n"
                 "exit 1"));
  auto r = RunCase("CP-BOOT-SEC-001", iut);
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  // The same report for a case that wants acceptance: fail with the rule.
  r = RunCase("CP-BOOT-SEC-003", iut);
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_THAT(r.rule, HasSubstr("B-C-006"));
}

TEST_F(CommandAdapterTest, ToolFailuresAreErrors) {
  auto r = RunCase("CP-BOOT-SEC-003",
                   Iut(Script("crash.sh", "echo 'no card' >&2; exit 7")));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("exit 7"));
  EXPECT_THAT(r.reason, HasSubstr("no card"));
  r = RunCase("CP-BOOT-SEC-003", Iut(Script("hang.sh", "sleep 5"),
                                     std::chrono::milliseconds(300)));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("timeout"));
  r = RunCase("CP-BOOT-SEC-003",
              Iut(Script("junk.sh", "echo '{not json'; exit 0")));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("not a JSON object"));
  r = RunCase("CP-BOOT-SEC-003", Iut((dir_ / "missing-program").string()));
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("cannot run"));
}

TEST_F(CommandAdapterTest, FaultsAreAppliedByOmaiopThePushServer) {
  // The IUT (a perfect NETWPIN handset stand-in cannot be a script, so:
  // accept everything) gets the faulty push: the wsp_push names the fault.
  auto r =
      RunCase("CP-BOOT-SEC-003", Iut(Script("ok.sh", "exit 0")), {"wrong-mac"});
  bool named = false;
  for (const auto& e : r.trace)
    if (e.kind == reports::kind::kWspPush)
      named = e.summary.find("fault wrong-mac") != std::string::npos;
  EXPECT_TRUE(named);
}

TEST_F(CommandAdapterTest, RoleHandsetIsNotSupported) {
  script::TestCase tc;
  tc.header.role = script::Role::kHandset;
  CommandAdapter a;
  auto s = a.Open(tc, {Iut("true"), {}}, std::make_shared<Recorder>());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rule, kRuleNotSupported);
}

}  // namespace
}  // namespace omaiop::harness::adapters
