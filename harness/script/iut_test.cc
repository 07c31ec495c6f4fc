#include "harness/script/iut.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/test_util.h"

namespace omaiop::harness::script {
namespace {

using ::testing::HasSubstr;

std::string Src(const std::string& rel) {
  return std::string(OMAIOP_SOURCE_DIR) + "/" + rel;
}

TEST(IutLoad, KannelDescription) {
  auto iut = LoadIut(Src("fixtures/iut/kannel.xml"));
  ASSERT_TRUE(iut.ok()) << iut.error().ToString();
  EXPECT_EQ(iut->adapter, AdapterKind::kSmppPushServer);
  EXPECT_EQ(iut->pics.at("CP-SEC-USERPINMAC"), "false");
  const IutAddress* smsc = iut->FindAddress("smsc");
  ASSERT_NE(smsc, nullptr);
  EXPECT_EQ(smsc->port, 2775);
  const IutTrigger* push = iut->FindTrigger("push");
  ASSERT_NE(push, nullptr);
  EXPECT_EQ(push->kind, IutTrigger::Kind::kUrl);
  EXPECT_EQ(push->method, "GET");  // sendota's GET form (text=)
  EXPECT_EQ(push->timeout, Millis(10000));
  const VariableMap v = IutVariables(*iut);
  EXPECT_EQ(v.at("IUT.smsc.port"), "2775");
  EXPECT_EQ(v.at("IUT.sendota.user"), "tester");
  EXPECT_EQ(v.at("IUT.from"), "omaiop");
}

TEST(IutLoad, SimulatedFixtureMatchesBuiltIn) {
  auto iut = LoadIut(Src("fixtures/iut/simulated.xml"));
  ASSERT_TRUE(iut.ok()) << iut.error().ToString();
  const Iut built_in = SimulatedIut();
  EXPECT_EQ(iut->adapter, built_in.adapter);
  EXPECT_EQ(iut->name, built_in.name);
  EXPECT_EQ(iut->pics, built_in.pics);
  ASSERT_EQ(iut->addresses.size(), built_in.addresses.size());
  for (std::size_t i = 0; i < built_in.addresses.size(); ++i) {
    EXPECT_EQ(iut->addresses[i].name, built_in.addresses[i].name);
    EXPECT_EQ(iut->addresses[i].url, built_in.addresses[i].url);
  }
}

TEST(IutLoad, SchemaErrorNamesFileAndLine) {
  auto r = LoadIutFromString(
      "<iut name=\"x\" adapter=\"telnet\">\n<pics/>\n</iut>", "my.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().path, HasSubstr("my.xml:1"));
  EXPECT_THAT(r.error().what, HasSubstr("telnet"));
  EXPECT_THAT(r.error().rule, HasSubstr("iut.xsd"));
  r = LoadIutFromString("<iut name=\"x\" adapter=\"command\">\n</iut>",
                        "my.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("pics"));
}

TEST(IutLoad, DuplicatesAndBadTemplatesRejected) {
  auto r = LoadIutFromString(
      "<iut name=\"x\" adapter=\"command\"><pics>\n"
      "<item name=\"A\" value=\"true\"/>\n<item name=\"A\" value=\"false\"/>"
      "</pics></iut>",
      "d.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().path, HasSubstr("d.xml:3"));
  EXPECT_THAT(r.error().what, HasSubstr("declared twice"));
  r = LoadIutFromString(
      "<iut name=\"x\" adapter=\"command\"><pics/><pixit>\n"
      "<trigger name=\"t\" kind=\"command\">send ${OOPS</trigger>"
      "</pixit></iut>",
      "d.xml");
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().path, HasSubstr("d.xml:2"));
  EXPECT_THAT(r.error().what, HasSubstr("unterminated"));
}

TEST(IutTrigger, CommandSplitsThenExpandsPerArgument) {
  IutTrigger t{"push", IutTrigger::Kind::kCommand, "GET",
               "iut-push --to ${MSISDN} --doc ${DOC}", std::nullopt};
  auto argv = ExpandCommandTrigger(t, {{"MSISDN", "+1 555"}, {"DOC", "a b"}});
  ASSERT_TRUE(argv.ok()) << argv.error().ToString();
  EXPECT_EQ(*argv, (std::vector<std::string>{"iut-push", "--to", "+1 555",
                                             "--doc", "a b"}));
  auto bad = ExpandCommandTrigger(t, {{"MSISDN", "1"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().what, HasSubstr("${DOC}"));
  EXPECT_EQ(bad.error().path, "trigger push");
}

TEST(IutTrigger, UrlValuesArePercentEncoded) {
  IutTrigger t{"push", IutTrigger::Kind::kUrl, "GET",
               "http://h/cgi-bin/sendota?to=${TO}&pin=${PIN}", std::nullopt};
  auto url = ExpandUrlTrigger(t, {{"TO", "+1 555/x"}, {"PIN", "12&3~"}});
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(*url, "http://h/cgi-bin/sendota?to=%2B1%20555%2Fx&pin=12%263~");
}

TestCase CaseWith(Role role, const std::string& pics) {
  TestCase tc;
  tc.id = "X-Y-001";
  tc.header.role = role;
  tc.header.applicability_text = pics;
  tc.header.applicability = *ParsePics(pics);
  return tc;
}

TEST(IutApplicability, PicsDecidesWithReason) {
  auto kannel = LoadIut(Src("fixtures/iut/kannel.xml"));
  ASSERT_TRUE(kannel.ok());
  auto a = Applicability(CaseWith(Role::kHandset, "CP-BOOT and CP-SEC-NETWPIN"),
                         *kannel);
  EXPECT_TRUE(a.applies) << a.reason;
  a = Applicability(CaseWith(Role::kHandset, "CP-SEC-USERPINMAC"), *kannel);
  EXPECT_FALSE(a.applies);
  EXPECT_THAT(a.reason, HasSubstr("CP-SEC-USERPINMAC is false"));
  a = Applicability(CaseWith(Role::kHandset, "DM-CLIENT"), *kannel);
  EXPECT_FALSE(a.applies);
  EXPECT_THAT(a.reason, HasSubstr("DM-CLIENT is not declared by the IUT"));
}

TEST(IutApplicability, RoleMustMatchAdapter) {
  auto kannel = LoadIut(Src("fixtures/iut/kannel.xml"));
  ASSERT_TRUE(kannel.ok());
  // Kannel is a push server: a case where omaiop pushes needs a handset IUT.
  auto a = Applicability(CaseWith(Role::kPushServer, "CP-BOOT"), *kannel);
  EXPECT_FALSE(a.applies);
  EXPECT_THAT(a.reason, HasSubstr("smpp_push_server"));
  EXPECT_THAT(a.reason, HasSubstr("push_server"));
  Iut dm;
  dm.adapter = AdapterKind::kHttpDmServer;
  EXPECT_TRUE(Applicability(CaseWith(Role::kDmClient, ""), dm).applies);
  EXPECT_FALSE(Applicability(CaseWith(Role::kDmServer, ""), dm).applies);
  // The simulated peers and a command adapter play any side.
  for (Role r :
       {Role::kHandset, Role::kPushServer, Role::kDmServer, Role::kDmClient}) {
    EXPECT_TRUE(Applicability(CaseWith(r, ""), SimulatedIut()).applies);
    Iut cmd;
    cmd.adapter = AdapterKind::kCommand;
    EXPECT_TRUE(Applicability(CaseWith(r, ""), cmd).applies);
  }
}

TEST(IutApplicability, OmaiopRolesParamRestrictsACommandIut) {
  auto iut = LoadIut(Src("fixtures/iut/command_handset.xml"));
  ASSERT_TRUE(iut.ok()) << iut.error().ToString();
  EXPECT_EQ(iut->adapter, AdapterKind::kCommand);
  EXPECT_TRUE(
      Applicability(CaseWith(Role::kPushServer, "CP-BOOT"), *iut).applies);
  auto a = Applicability(CaseWith(Role::kHandset, "CP-BOOT"), *iut);
  EXPECT_FALSE(a.applies);
  EXPECT_THAT(a.reason, HasSubstr("omaiop-roles"));
  EXPECT_THAT(a.reason, HasSubstr("only push_server"));
}

TEST(IutSchema, EmbeddedSchemaIsTheShippedFile) {
  EXPECT_EQ(EmbeddedIutSchema(),
            omaiop::testing::ReadFileText(Src("testcases/schema/iut.xsd")));
}

}  // namespace
}  // namespace omaiop::harness::script
