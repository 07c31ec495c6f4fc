// Role dm_client in the simulated adapter: omaiop's handset against the
// in-process simulated DM server, step by step, pass and failure paths.
#include "harness/adapters/simulated/dm_client_role.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/adapters/dm_handset/dm_handset_session.h"
#include "harness/adapters/simulated/simulated_adapter.h"

namespace omaiop::harness::adapters {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;

std::string CaseXml(const std::string& pre, const std::string& steps) {
  return R"(<?xml version="1.0"?>
<testcase id="T-DMC-001">
  <header><title>t</title><purpose>p</purpose><requirement id="R"/>
    <role>dm_client</role></header>
  <preconditions>)" +
         pre + R"(</preconditions>
  <steps>)" +
         steps + R"(</steps>
  <pass-criteria><criterion>c</criterion></pass-criteria>
</testcase>)";
}

script::TestCase Load(const std::string& pre, const std::string& steps) {
  auto tc = script::LoadTestCaseFromString(
      CaseXml(pre, steps), "t.xml",
      std::string(OMAIOP_SOURCE_DIR) + "/testcases");
  if (!tc.ok()) {
    ADD_FAILURE() << tc.error().ToString();
    return {};
  }
  return *tc;
}

struct Run {
  std::vector<StepOutcome> steps;
  std::shared_ptr<Recorder> rec = std::make_shared<Recorder>();
  std::optional<codec::Diagnostic> open_error;
};

Run RunCase(const script::TestCase& tc, std::vector<std::string> faults = {}) {
  Run r;
  SimulatedAdapter a;
  AdapterConfig cfg{script::SimulatedIut(), std::move(faults)};
  auto s = a.Open(tc, cfg, r.rec);
  if (!s.ok()) {
    r.open_error = s.error();
    return r;
  }
  for (const auto& step : tc.steps) r.steps.push_back((*s)->Execute(step));
  return r;
}

constexpr char kCard[] = R"(<card profile="uicc-3g"/>)";

TEST(DmClientRole, CardAccountSessionStatusesTreeAndEvents) {
  auto tc = Load(kCard, R"(
    <dm-session trigger="client"/>
    <server-commands>
      <Get><Item target="./DevInfo/Mod"/></Get>
      <Replace><Item target="./DMAcc/OperatorDM/Name" format="chr">N2</Item></Replace>
      <Get><Item target="./No/Such"/></Get>
    </server-commands>
    <expect-status code="200" cmd="Get" target="./DevInfo/Mod"/>
    <expect-status code="200" cmd="Replace"/>
    <expect-status code="404" cmd="Get" target="./No/Such"/>
    <expect-status code="200" cmd="Get" target="./No/Such"/>
    <expect-status code="200" cmd="Delete"/>
    <check-tree path="./DMAcc/OperatorDM/Name" value="N2"/>
    <check-tree path="./DMAcc/OperatorDM/Name" value="other"/>
    <check-tree path="./No/Such" present="false"/>
    <check-tree path="./DevInfo" present="false"/>
    <check-tree path="./DevInfo/Mod" format="int"/>
    <expect-event kind="server_auth_verified" rule="dm.md §3.7"/>
    <expect-event kind="server_auth_verified" count="5"/>
    <expect-event kind="session_ended" absent="true"/>
    <expect-event kind="no_such_kind"/>
    <push document="fixtures/cp/bootstrap.xml"/>
  )");
  auto r = RunCase(tc);
  ASSERT_FALSE(r.open_error) << r.open_error->ToString();
  ASSERT_EQ(r.steps.size(), 17u);
  auto v = [&](int i) { return r.steps[i].verdict; };
  EXPECT_EQ(v(0), Verdict::kPass);                       // scheduled
  EXPECT_EQ(v(1), Verdict::kPass) << r.steps[1].reason;  // 3 commands
  EXPECT_THAT(r.steps[1].reason, HasSubstr("3 command(s)"));
  EXPECT_EQ(v(2), Verdict::kPass) << r.steps[2].reason;
  EXPECT_EQ(v(3), Verdict::kPass) << r.steps[3].reason;
  EXPECT_EQ(v(4), Verdict::kPass) << r.steps[4].reason;
  // Wrong code: the failure says what was answered, with the status rule.
  EXPECT_EQ(v(5), Verdict::kFail);
  EXPECT_THAT(r.steps[5].reason, HasSubstr("./No/Such 404"));
  EXPECT_EQ(r.steps[5].rule, "dm.md §3.5: status codes");
  EXPECT_EQ(v(6), Verdict::kFail);  // no Delete was sent
  EXPECT_THAT(r.steps[6].reason, HasSubstr("no such command"));
  EXPECT_EQ(v(7), Verdict::kPass) << r.steps[7].reason;
  EXPECT_EQ(v(8), Verdict::kFail);
  EXPECT_THAT(r.steps[8].reason, HasSubstr("= 'N2', expected 'other'"));
  EXPECT_EQ(r.steps[8].rule, "dm.md §3.6: management tree");
  EXPECT_EQ(v(9), Verdict::kPass);
  EXPECT_EQ(v(10), Verdict::kFail);  // ./DevInfo is there
  EXPECT_EQ(v(11), Verdict::kFail);  // chr, not int
  EXPECT_THAT(r.steps[11].reason, HasSubstr("format chr"));
  EXPECT_EQ(v(12), Verdict::kPass) << r.steps[12].reason;
  EXPECT_EQ(v(13), Verdict::kFail);    // count mismatch
  EXPECT_EQ(v(14), Verdict::kFail);    // the session did end
  EXPECT_EQ(v(15), Verdict::kError);   // unknown kind
  EXPECT_EQ(v(16), Verdict::kInconc);  // CP step, not this role
  // The trace holds the DM messages both ways and the decisions.
  int sent = 0, received = 0;
  for (const auto& e : r.rec->Snapshot())
    if (e.kind == reports::kind::kDmMessage)
      (e.direction == reports::Direction::kOut ? sent : received)++;
  EXPECT_GE(sent, 2);
  EXPECT_GE(received, 2);
}

TEST(DmClientRole, FaultOfTheSimulatedServerIsDetected) {
  auto tc = Load(kCard, R"(
    <dm-session trigger="client"/>
    <server-commands><Get><Item target="./DevInfo/Mod"/></Get></server-commands>
    <expect-status code="200" cmd="Get"/>
    <expect-event kind="fault_applied" detail="wrong-digest"/>
    <expect-event kind="server_auth_failed" rule="dm.md §3.7"/>
  )");
  auto clean = RunCase(tc);
  ASSERT_FALSE(clean.open_error);
  EXPECT_EQ(clean.steps[2].verdict, Verdict::kPass);
  EXPECT_EQ(clean.steps[3].verdict, Verdict::kFail);
  auto bad = RunCase(tc, {"wrong-digest", "no-such-cp-fault-is-ignored"});
  ASSERT_FALSE(bad.open_error);
  EXPECT_EQ(bad.steps[2].verdict, Verdict::kFail);
  EXPECT_THAT(bad.steps[2].rule, HasSubstr("dm.md"));
  EXPECT_EQ(bad.steps[3].verdict, Verdict::kPass) << bad.steps[3].reason;
  EXPECT_EQ(bad.steps[4].verdict, Verdict::kPass) << bad.steps[4].reason;
}

TEST(DmClientRole, ServerOptionsAndPackage0) {
  // The server expects another nonce: it challenges; package 0 first.
  auto tc = Load(
      std::string(kCard) +
          R"(<server><option name="client-nonce" value="AABBCCDD"/></server>)",
      R"(
    <dm-session trigger="pkg0" session-id="9"/>
    <expect-event kind="package0_accepted"/>
    <expect-event kind="client_auth_challenged"/>
    <expect-event kind="nonce_updated"/>
    <expect-event kind="session_ended"/>
  )");
  auto r = RunCase(tc);
  ASSERT_FALSE(r.open_error) << r.open_error->ToString();
  for (std::size_t i = 0; i < r.steps.size(); ++i)
    EXPECT_EQ(r.steps[i].verdict, Verdict::kPass) << i << r.steps[i].reason;
}

TEST(DmClientRole, CardLifeCycleMovesTheAccount) {
  auto tc = Load(kCard, R"(
    <check-tree path="./DMAcc/OperatorDM/ServerID" value="dm.operator.example"/>
    <card-remove/>
    <check-tree path="./DMAcc/OperatorDM" present="false"/>
    <card-insert profile="uicc-3g"/>
    <power-cycle/>
    <check-tree path="./DMAcc/OperatorDM/ServerID" value="dm.operator.example"/>
    <check-card-file path="3F00/5015/4504" xml-file="fixtures/dm/bootstrap_dmacc.xml"/>
    <check-card-file path="3F00/2FE2" hex="00"/>
  )");
  auto r = RunCase(tc);
  ASSERT_FALSE(r.open_error) << r.open_error->ToString();
  ASSERT_EQ(r.steps.size(), 8u);
  for (int i : {0, 1, 2, 3, 4, 5, 6})
    EXPECT_EQ(r.steps[i].verdict, Verdict::kPass) << i << r.steps[i].reason;
  EXPECT_EQ(r.steps[7].verdict, Verdict::kFail);
  EXPECT_THAT(r.steps[7].reason, HasSubstr("byte offset 0"));
}

TEST(DmClientRole, SetupErrorsNameTheOption) {
  auto r =
      RunCase(Load(R"(<handset><option name="bogus" value="1"/></handset>)",
                   "<wait timeout=\"1ms\"/>"));
  ASSERT_TRUE(r.open_error);
  EXPECT_THAT(r.open_error->what, HasSubstr("bogus"));
  r = RunCase(Load(R"(<server><option name="fault" value="nope"/></server>)",
                   "<wait timeout=\"1ms\"/>"));
  ASSERT_TRUE(r.open_error);
  EXPECT_THAT(r.open_error->what, HasSubstr("unknown DM fault 'nope'"));
  r = RunCase(Load(
      R"(<card profile="uicc-3g"><write-file path="3F00/2FE2" hex="00 11 22 33 44 55 66 77 88 99 AA"/></card>)",
      "<wait timeout=\"1ms\"/>"));
  ASSERT_TRUE(r.open_error);
  EXPECT_THAT(r.open_error->what, HasSubstr("do not fit"));
}

TEST(DmClientRole, ServerCommandsForms) {
  script::TestCase tc;
  tc.base_dir = std::string(OMAIOP_SOURCE_DIR) + "/testcases";
  tc.source_file = tc.base_dir + "/x.xml";
  script::ServerCommandsStep s;
  s.file = "fixtures/dm/scripts/get_replace_exec.xml";  // DmScript
  auto p = ParseServerCommands(tc, s);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ(p->size(), 2u);
  s.file = "fixtures/dm/pkg2_server_cmds.xml";  // a whole SyncML message
  p = ParseServerCommands(tc, s);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_EQ(p->size(), 1u);
  EXPECT_EQ((*p)[0].commands.size(), 4u);  // Status x2 dropped
  s.file.clear();
  s.inline_xml =
      "<Get xmlns=\"SYNCML:SYNCML1.2\"><CmdID>2</CmdID><Item><Target><LocURI>"
      "./A</LocURI></Target></Item></Get>";
  p = ParseServerCommands(tc, s);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  ASSERT_EQ((*p)[0].commands.size(), 1u);
  EXPECT_EQ((*p)[0].commands[0].command.items[0].target->loc_uri, "./A");
  s.inline_xml = "<Get expect=\"200\"><Item target=\"./B\"/></Get>";
  p = ParseServerCommands(tc, s);
  ASSERT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_EQ((*p)[0].commands[0].expect_status, std::vector<int>{200});
  s.inline_xml = "<Frobnicate/>";
  EXPECT_FALSE(ParseServerCommands(tc, s).ok());
  s.inline_xml = "<Get";
  EXPECT_FALSE(ParseServerCommands(tc, s).ok());
  s.inline_xml.clear();
  s.file = "fixtures/dm/none.xml";
  EXPECT_FALSE(ParseServerCommands(tc, s).ok());
}

}  // namespace
}  // namespace omaiop::harness::adapters
