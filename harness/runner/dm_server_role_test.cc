// Role dm_server in the simulated adapter: every shipped DMS-* case passes
// against the conformant simulated DM client and fails, naming a rule, with
// each client defect its <proven-by> declares (the DM counterpart of
// suite_proof_test.cc).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "harness/runner/runner.h"
#include "harness/script/selection.h"
#include "tests/test_util.h"

namespace omaiop::harness {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;

std::vector<script::TestCase> LoadDmsCases() {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  EXPECT_TRUE(suite.ok()) << suite.error().ToString();
  if (!suite.ok()) return {};
  for (const auto& e : suite->errors) ADD_FAILURE() << e.ToString();
  std::vector<script::TestCase> out;
  for (const auto& tc : suite->cases)
    if (tc.id.rfind("DMS-", 0) == 0) out.push_back(tc);
  return out;
}

reports::CaseResult RunOne(const script::TestCase& tc,
                           std::vector<std::string> faults = {}) {
  RunOptions o;
  o.max_wait = std::chrono::milliseconds(10);
  o.faults = std::move(faults);
  auto c = RunCampaign({&tc}, o);
  EXPECT_EQ(c.cases.size(), 1u);
  return c.cases.empty() ? reports::CaseResult{} : c.cases.front();
}

TEST(DmServerRole, EveryDmsCasePassesAndFailsWithItsDefect) {
  auto cases = LoadDmsCases();
  ASSERT_GE(cases.size(), 6u);
  std::set<std::string> steps, triggers;
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.id + " (" + tc.source_file + ")");
    EXPECT_EQ(tc.header.role, script::Role::kDmServer);
    EXPECT_FALSE(tc.header.requirements.empty());
    EXPECT_FALSE(tc.header.spec_refs.empty());
    EXPECT_FALSE(tc.header.proven_by.empty());
    for (const auto& s : tc.steps) {
      steps.insert(s.element);
      if (auto* d = std::get_if<script::DmSessionStep>(&s.body))
        triggers.insert(d->trigger);
    }
    auto ok = RunOne(tc);
    EXPECT_EQ(ok.verdict, Verdict::kPass) << ok.reason;
    for (const auto& fault : tc.header.proven_by) {
      SCOPED_TRACE("defect " + fault);
      auto bad = RunOne(tc, {fault});
      EXPECT_EQ(bad.verdict, Verdict::kFail) << bad.reason;
      EXPECT_FALSE(bad.rule.empty()) << bad.reason;
    }
  }
  for (const char* t :
       {"dm-session", "server-commands", "expect-status", "expect-event",
        "check-tree", "user-accept", "user-reject"})
    EXPECT_TRUE(steps.count(t)) << "no DMS case uses <" << t << ">";
  EXPECT_TRUE(triggers.count("client"));
  EXPECT_TRUE(triggers.count("pkg0"));
}

const script::TestCase* Find(const std::vector<script::TestCase>& cases,
                             std::string_view id) {
  for (const auto& tc : cases)
    if (tc.id == id) return &tc;
  return nullptr;
}

TEST(DmServerRole, DefectsAreNamedByTheServersRules) {
  auto cases = LoadDmsCases();
  const auto* get = Find(cases, "DMS-GET-001");
  const auto* pkg0 = Find(cases, "DMS-PKG0-001");
  const auto* rep = Find(cases, "DMS-REP-001");
  ASSERT_TRUE(get && pkg0 && rep);
  // Results dropped: the server finds the Get 200 without Results.
  auto r = RunOne(*get, {"client-results-missing"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_THAT(r.reason, HasSubstr("dm.results.missing"));
  // A wrong digest: the server refuses the credentials.
  r = RunOne(*get, {"client-bad-digest"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.rule, "dm.auth.wrong-cred");
  // SessionID changed after package 1.
  r = RunOne(*pkg0, {"client-session-id-mismatch"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.rule, "dm.hdr.session-id");
  // A Status dropped: no Status for the Replace.
  r = RunOne(*rep, {"client-status-missing"});
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_EQ(r.rule, "dm.status.missing");
  // CP fault names do not touch the DM client.
  r = RunOne(*get, {"wrong-mac"});
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
}

TEST(DmServerRole, TraceHoldsTheMessagesBothWaysAndTheUserAction) {
  auto cases = LoadDmsCases();
  const auto* ui = Find(cases, "DMS-UI-002");
  ASSERT_TRUE(ui);
  auto r = RunOne(*ui);
  ASSERT_EQ(r.verdict, Verdict::kPass) << r.reason;
  int in = 0, out = 0, user = 0;
  bool saw_304 = false;
  for (const auto& e : r.trace) {
    if (e.kind == reports::kind::kDmMessage) {
      (e.direction == reports::Direction::kIn ? in : out)++;
      if (e.decoded && e.decoded->find("<Data>304</Data>") != std::string::npos)
        saw_304 = true;
    }
    if (e.kind == reports::kind::kUserAction &&
        e.summary.find("UI alert 1101") != std::string::npos)
      ++user;
  }
  EXPECT_GE(in, 2);   // package 1, package 3
  EXPECT_GE(out, 2);  // package 2, final package 4
  EXPECT_TRUE(saw_304);
  EXPECT_EQ(user, 1);
}

TEST(DmServerRole, UnansweredConfirmTimesOutAndFailsTheAcceptCase) {
  // The accept case without its <user-accept>: the prompt times out (214)
  // and the expected 200 is not there.
  auto cases = LoadDmsCases();
  const auto* ui = Find(cases, "DMS-UI-001");
  ASSERT_TRUE(ui);
  script::TestCase tc = *ui;
  std::erase_if(tc.steps, [](const script::Step& s) {
    return s.element == "user-accept";
  });
  auto r = RunOne(tc);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_THAT(r.reason, HasSubstr("214"));
}

reports::CaseResult RunXml(const std::string& steps,
                           const std::string& preconditions = {},
                           std::vector<std::string> faults = {}) {
  auto tc = script::LoadTestCaseFromString(
      R"(<testcase id="X-DMS-001"><header><title>t</title><purpose>p</purpose>
<requirement id="R"/><role>dm_server</role></header>)" +
          preconditions + "<steps>" + steps + R"(</steps>
<pass-criteria><criterion>c</criterion></pass-criteria></testcase>)",
      "x.xml", omaiop::testing::SourcePath("testcases"));
  EXPECT_TRUE(tc.ok()) << tc.error().ToString();
  if (!tc.ok()) return {};
  return RunOne(*tc, std::move(faults));
}

TEST(DmServerRole, WbxmlClientIsJudgedAndDefectedInWbxml) {
  const std::string pre =
      R"(<preconditions><handset><option name="wbxml" value="true"/>
</handset></preconditions>)";
  const std::string steps = R"(<dm-session/>
<server-commands><Get xmlns="SYNCML:SYNCML1.2"><CmdID>2</CmdID><Item><Target>
<LocURI>./DevInfo/Mod</LocURI></Target></Item></Get></server-commands>
<expect-status code="200" cmd="Get" target="./DevInfo/Mod"/>
<expect-event kind="results" path="./DevInfo/Mod" detail="SimHandset"/>
<expect-event kind="violation" absent="true"/>)";
  auto ok = RunXml(steps, pre);
  EXPECT_EQ(ok.verdict, Verdict::kPass) << ok.reason;
  bool wbxml = false;
  for (const auto& e : ok.trace)
    if (e.kind == reports::kind::kDmMessage &&
        e.summary.find("WBXML") != std::string::npos)
      wbxml = true;
  EXPECT_TRUE(wbxml);
  auto bad = RunXml(steps, pre, {"client-status-wrong-code"});
  EXPECT_EQ(bad.verdict, Verdict::kFail);
  EXPECT_THAT(bad.reason, HasSubstr("answered 500"));
}

TEST(DmServerRole, ScriptFormAndScriptFilesAreServerPackages) {
  // Inline DM script commands (dm_script.h) with their own expectations,
  // then a script file's two packages (packages 4 and 6).
  const std::string file = ::testing::TempDir() + "/dms_script.xml";
  {
    std::ofstream out(file);
    out << R"(<DmScript>
  <Package>
    <Get expect="200"><Item target="./DevDetail/FwV"/></Get>
    <Replace expect="200">
      <Item target="./FUMO/PkgVersion" format="chr">2.0</Item>
    </Replace>
  </Package>
  <Package>
    <Alert code="1101" expect="200"><Item>MINDT=10</Item><Item>OK?</Item></Alert>
  </Package>
</DmScript>)";
  }
  auto r = RunXml(R"(<dm-session/>
<server-commands><Get expect="200"><Item target="./DevDetail/SwV"/></Get>
</server-commands>
<server-commands file=")" +
                  file + R"("/>
<user-accept/>
<expect-status code="200" cmd="Get" target="./DevDetail/SwV"/>
<expect-status code="200" cmd="Get" target="./DevDetail/FwV"/>
<expect-status code="200" cmd="Replace" target="./FUMO/PkgVersion"/>
<expect-status code="200" cmd="Alert"/>
<check-tree path="./FUMO/PkgVersion" value="2.0"/>
<expect-event kind="violation" absent="true"/>)");
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  for (const auto& s : r.steps)
    EXPECT_EQ(s.verdict, Verdict::kPass) << s.reason;
  // The script's own expectation is a server rule event: a defect that
  // changes the codes shows as script.expect.status violations too.
  auto bad = RunXml(R"(<dm-session/>
<server-commands file=")" +
                        file + R"("/><user-accept/>
<expect-event kind="violation" absent="true"/>)",
                    "", {"client-status-wrong-code"});
  EXPECT_EQ(bad.verdict, Verdict::kFail);
  EXPECT_EQ(bad.rule, "script.expect.status") << bad.reason;
}

TEST(DmServerRole, BadStepsAndOptionsAreErrorsOrInconc) {
  // A push in role dm_server: inconc, never pass.
  auto r = RunXml(R"(<push document="fixtures/cp/bootstrap.xml"/>)");
  EXPECT_EQ(r.verdict, Verdict::kInconc);
  // Unknown handset option: setup error naming it.
  r = RunXml("<dm-session/>",
             R"(<preconditions><handset><option name="colour" value="red"/>
</handset></preconditions>)");
  EXPECT_EQ(r.verdict, Verdict::kError);
  EXPECT_THAT(r.reason, HasSubstr("colour"));
  // A code that is no DM status code.
  r = RunXml(R"(<dm-session/><expect-status code="accepted"/>)");
  EXPECT_EQ(r.verdict, Verdict::kError);
  // Unparsable inline commands.
  r = RunXml(
      R"(<dm-session/><server-commands><Frobnicate/></server-commands>)");
  EXPECT_EQ(r.verdict, Verdict::kError);
  // An expected Status that never came (no command was sent).
  r = RunXml(R"(<dm-session/><expect-status code="200" cmd="Get"/>)");
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_THAT(r.reason, HasSubstr("no Status from the client for Get"));
}

// A case with a <card> precondition: the simulated DM client is a handset
// that reads the card's DM bootstrap (EF DM_Bootstrap -> ./DMAcc/OperatorDM,
// fixtures/dm/bootstrap_dmacc.xml) and opens its session with that account;
// omaiop's server plays the card's server (ServerID, CLCRED, SRVCRED).
TEST(DmServerRole, CardBootstrapCaseFollowsTheCardAndRunsTheSession) {
  script::LoadOptions lo;
  for (const auto& [k, v] : script::IutVariables(script::SimulatedIut()))
    lo.extra_variables.push_back(k);
  auto suite = script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  const auto* tc = Find(suite->cases, "UICC-DM-BOOT-001");
  ASSERT_TRUE(tc);
  EXPECT_EQ(tc->header.role, script::Role::kDmServer);
  ASSERT_TRUE(tc->preconditions.card);
  auto r = RunOne(*tc);
  ASSERT_EQ(r.verdict, Verdict::kPass) << r.reason;
  int applied = 0, removed = 0, in = 0;
  bool authenticated = false;
  for (const auto& e : r.trace) {
    if (e.summary.rfind("dm_bootstrap_applied:", 0) == 0) ++applied;
    if (e.summary.rfind("dm_accounts_removed:", 0) == 0 &&
        e.summary.find("./DMAcc/OperatorDM") != std::string::npos)
      ++removed;
    if (e.kind == reports::kind::kDmMessage &&
        e.direction == reports::Direction::kIn) {
      ++in;
      // The client's first message names the card's server and user.
      if (e.decoded &&
          e.decoded->find("dm.operator.example") != std::string::npos)
        authenticated = true;
    }
  }
  EXPECT_EQ(applied, 3);  // setup, reinsertion, power-on
  EXPECT_EQ(removed, 1);  // the card removal
  EXPECT_GE(in, 2);
  EXPECT_TRUE(authenticated);
  // Each declared client defect fails it, naming a rule.
  ASSERT_FALSE(tc->header.proven_by.empty());
  for (const auto& fault : tc->header.proven_by) {
    SCOPED_TRACE(fault);
    auto bad = RunOne(*tc, {fault});
    EXPECT_EQ(bad.verdict, Verdict::kFail) << bad.reason;
    EXPECT_FALSE(bad.rule.empty()) << bad.reason;
  }
  auto bad = RunOne(*tc, {"client-bad-digest"});
  EXPECT_THAT(bad.reason, HasSubstr("dm.auth.wrong-cred"));
}

TEST(DmServerRole, CardStepsActOnTheHandsetsCard) {
  const std::string card =
      R"(<preconditions><card profile="csim" inserted="true"/></preconditions>)";
  // Without its card the handset has no account: the session cannot run.
  auto r = RunXml(
      R"(<card-remove/><check-tree path="./DMAcc/OperatorDM" present="false"/>
<dm-session trigger="bootstrap"/><check-tree path="./DevInfo/Lang"/>)",
      card);
  EXPECT_EQ(r.verdict, Verdict::kFail);
  EXPECT_THAT(r.reason, HasSubstr("no DM account from its card"));
  // The card edits apply: the card's ICCID as written by <write-file>.
  r = RunXml(
      R"(<check-card-file path="3F00/2FE2" hex="98 01 02 03 04 05 06 07 08 F9"/>
<dm-session trigger="bootstrap"/><expect-event kind="session" detail="1201"/>)",
      R"(<preconditions><card profile="csim" inserted="true">
<write-file path="3F00/2FE2" hex="98 01 02 03 04 05 06 07 08 F9"/></card>
</preconditions>)");
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  // A card inserted after setup is read when inserted.
  r = RunXml(
      R"(<check-tree path="./DMAcc/OperatorDM" present="false"/>
<card-insert profile="csim"/>
<check-tree path="./DMAcc/OperatorDM/ServerID" value="dm.operator.example"/>
<dm-session trigger="bootstrap"/><expect-event kind="client_authenticated"/>)",
      R"(<preconditions><card profile="csim" inserted="false"/>
</preconditions>)");
  EXPECT_EQ(r.verdict, Verdict::kPass) << r.reason;
  // Card steps without a card precondition stay inconc.
  r = RunXml("<card-remove/>");
  EXPECT_EQ(r.verdict, Verdict::kInconc);
}

TEST(DmServerRole, LoaderChecksDefectNamesPerRole) {
  auto load = [](const std::string& role, const std::string& fault) {
    return script::LoadTestCaseFromString(
        R"(<testcase id="X-DEF-001"><header><title>t</title><purpose>p</purpose>
<requirement id="R"/><role>)" +
            role + R"(</role><proven-by name=")" + fault + R"("/></header>
<steps><wait timeout="1ms"/></steps>
<pass-criteria><criterion>c</criterion></pass-criteria></testcase>)",
        "x.xml", ".");
  };
  EXPECT_TRUE(load("dm_server", "client-bad-digest").ok());
  auto bad = load("dm_server", "wrong-mac");  // a CP server fault
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().what, HasSubstr("unknown DM client defect"));
  EXPECT_TRUE(load("push_server", "wrong-mac").ok());
  EXPECT_FALSE(load("push_server", "client-bad-digest").ok());
}

}  // namespace
}  // namespace omaiop::harness
