// The http_dm_server adapter against a DM server on a loopback port: omaiop's
// own scripted DmServer stands in for the real IUT (it is reached only over
// HTTP, as a real server would be).
#include "harness/adapters/http_dm_server/http_dm_server_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "sim/servers/dm_server.h"

namespace omaiop::harness::adapters {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;
namespace servers = sim::servers;

constexpr char kCase[] = R"(<?xml version="1.0"?>
<testcase id="T-HTTP-001">
  <header><title>t</title><purpose>p</purpose><requirement id="R"/>
    <role>dm_client</role></header>
  <preconditions>
    <handset><option name="account" value="pixit"/></handset>
  </preconditions>
  <steps>
    <dm-session trigger="client"/>
    STEPS
    <expect-status code="200" cmd="Get" target="./DevInfo/Mod"/>
    <expect-event kind="client_auth_accepted"/>
    <expect-event kind="session_ended"/>
    <expect-status code="404" cmd="Get"/>
    <check-tree path="./DevInfo/Mod" value="SimHandset"/>
    <check-tree path="./DevInfo/Nope"/>
  </steps>
  <pass-criteria><criterion>c</criterion></pass-criteria>
</testcase>)";

script::TestCase LoadCase(const std::string& steps) {
  std::string xml = kCase;
  xml.replace(xml.find("STEPS"), 5, steps);
  script::LoadOptions lo;
  auto tc = script::LoadTestCaseFromString(
      xml, "t.xml", std::string(OMAIOP_SOURCE_DIR) + "/testcases", lo);
  if (!tc.ok()) {
    ADD_FAILURE() << tc.error().ToString();
    return {};
  }
  return *tc;
}

struct StandIn {
  std::unique_ptr<servers::DmServer> server;
  script::Iut iut;
};

StandIn Start(bool with_script) {
  servers::DmServerConfig c;
  c.http.bind_address = "127.0.0.1";
  c.server_id = "standin";
  c.client_auth = servers::DmAuthMode::kDigest;
  c.username = "dev";
  c.password = "devpwd";
  if (with_script)
    c.script.packages.push_back({{servers::ScriptGet("./DevInfo/Mod")}});
  StandIn s;
  s.server = std::make_unique<servers::DmServer>(c);
  EXPECT_TRUE(s.server->Start().ok());
  s.iut.name = "stand-in";
  s.iut.adapter = script::AdapterKind::kHttpDmServer;
  s.iut.addresses.push_back({"dm", "", std::nullopt, s.server->BaseUrl(), ""});
  s.iut.credentials.push_back({"dm", "dev", "devpwd", ""});
  s.iut.params["dm.server_id"] = "standin";
  return s;
}

std::vector<StepOutcome> RunAll(const script::TestCase& tc,
                                const script::Iut& iut) {
  HttpDmServerAdapter a;
  AdapterConfig cfg{iut, {}};
  auto s = a.Open(tc, cfg, std::make_shared<Recorder>());
  EXPECT_TRUE(s.ok()) << s.error().ToString();
  std::vector<StepOutcome> out;
  if (!s.ok()) return out;
  for (const auto& step : tc.steps) out.push_back((*s)->Execute(step));
  return out;
}

TEST(HttpDmServerAdapter, SessionWithARealServerOverHttp) {
  auto si = Start(/*with_script=*/true);
  auto tc = LoadCase("");
  auto out = RunAll(tc, si.iut);
  ASSERT_EQ(out.size(), 7u);
  for (int i : {0, 1, 2, 3, 5})
    EXPECT_EQ(out[i].verdict, Verdict::kPass) << i << ": " << out[i].reason;
  // Failure paths: a status that was not answered, a node not in the tree.
  EXPECT_EQ(out[4].verdict, Verdict::kFail);
  EXPECT_EQ(out[4].rule, "dm.md §3.5: status codes");
  EXPECT_THAT(out[4].reason, HasSubstr("Get ./DevInfo/Mod 200"));
  EXPECT_EQ(out[6].verdict, Verdict::kFail);
  EXPECT_THAT(out[6].reason, HasSubstr("not in the tree"));
  EXPECT_EQ(si.server->ended_sessions(), 1u);
}

TEST(HttpDmServerAdapter, WrongCredentialsFailNamingTheAuthRule) {
  auto si = Start(true);
  si.iut.credentials[0].password = "wrong";
  auto out = RunAll(LoadCase(""), si.iut);
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[1].verdict, Verdict::kFail);
  EXPECT_THAT(out[1].rule, HasSubstr("dm.md §3.7"));
}

TEST(HttpDmServerAdapter, ServerCommandsNeedALoadTrigger) {
  auto si = Start(false);
  auto tc = LoadCase(
      "<server-commands><Get><Item target=\"./DevInfo/Mod\"/></Get>"
      "</server-commands>");
  HttpDmServerAdapter a;
  AdapterConfig cfg{si.iut, {}};
  auto s = a.Open(tc, cfg, std::make_shared<Recorder>());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rule, kRuleNotApplicable);
  EXPECT_THAT(s.error().what, HasSubstr("load-commands"));
  // Faults cannot be injected into a real server.
  AdapterConfig faulty{si.iut, {"wrong-digest"}};
  auto f = a.Open(LoadCase(""), faulty, std::make_shared<Recorder>());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().rule, kRuleNotApplicable);
}

TEST(HttpDmServerAdapter, LoadTriggerReceivesTheCommandsFile) {
  auto si = Start(true);
  const auto copy =
      std::filesystem::temp_directory_path() /
      ("omaiop-http-dm-trigger-" +
       std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
       ".xml");
  script::IutTrigger t;
  t.name = "load-commands";
  t.kind = script::IutTrigger::Kind::kCommand;
  t.text = "cp ${COMMANDS_FILE} " + copy.string();
  si.iut.triggers.push_back(t);
  auto tc = LoadCase(
      "<server-commands><Get><Item target=\"./DevInfo/Mod\"/></Get>"
      "</server-commands>");
  auto out = RunAll(tc, si.iut);
  ASSERT_EQ(out.size(), 8u);
  EXPECT_EQ(out[2].verdict, Verdict::kPass) << out[2].reason;
  std::ifstream in(copy);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_THAT(text, HasSubstr("./DevInfo/Mod"));
  std::filesystem::remove(copy);
}

TEST(HttpDmServerAdapter, UnreachableServerFailsTheExpectations) {
  auto si = Start(true);
  const std::string url = si.server->BaseUrl();
  si.server->Stop();
  auto out = RunAll(LoadCase(""), si.iut);
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[1].verdict, Verdict::kFail);
  EXPECT_FALSE(out[1].rule.empty());
  EXPECT_THAT(out[1].reason, HasSubstr("failed"));
}

}  // namespace
}  // namespace omaiop::harness::adapters
