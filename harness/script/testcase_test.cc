#include "harness/script/testcase.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include "tests/test_util.h"

namespace omaiop::harness::script {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string Src(const std::string& rel) {
  return std::string(OMAIOP_SOURCE_DIR) + "/" + rel;
}

// A valid case; `steps` goes in at line 13, `extra` (variables,
// preconditions) at line 12. Line numbers in tests count from here.
std::string Case(const std::string& steps, const std::string& extra = "",
                 const std::string& id = "id=\"CP-TEST-XYZ-001\"") {
  return "<?xml version=\"1.0\"?>\n"  // 1
         "<testcase " +
         id +
         ">\n"                          // 2
         "<header>\n"                   // 3
         "<title>t</title>\n"           // 4
         "<purpose>p</purpose>\n"       // 5
         "<requirement id=\"R-1\"/>\n"  // 6
         "<spec-ref document=\"OMA-WAP-TS-ProvBoot-V1_1\" section=\"5\"/>\n"  // 7
         "<role>push_server</role>\n"                // 8
         "<applicability>CP-BOOT</applicability>\n"  // 9
         "<tag>t1</tag>\n"                           // 10
         "</header>\n"                               // 11
         + extra +
         "\n"         // 12
         "<steps>\n"  // 13
         + steps +
         "\n"  // 14
         "</steps>\n"
         "<pass-criteria><criterion>c</criterion></pass-criteria>\n"
         "</testcase>\n";
}

codec::Result<TestCase> Load(const std::string& xml, LoadOptions o = {}) {
  return LoadTestCaseFromString(xml, "cases/t.xml", "/nonexistent", o);
}

// Every schema or loader error names the file and line of the offending
// element, and says what is wrong.
void ExpectError(const codec::Result<TestCase>& r, const std::string& where,
                 const std::string& what) {
  ASSERT_FALSE(r.ok()) << "expected an error at " << where;
  EXPECT_THAT(r.error().path, HasSubstr(where)) << r.error().ToString();
  EXPECT_THAT(r.error().what + " " + r.error().rule, HasSubstr(what))
      << r.error().ToString();
}

TEST(TestCaseLoad, MinimalCaseParses) {
  auto r = Load(Case("<wait timeout=\"250ms\"/>"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  EXPECT_EQ(r->id, "CP-TEST-XYZ-001");
  EXPECT_EQ(r->header.role, Role::kPushServer);
  EXPECT_EQ(r->header.requirements, std::vector<std::string>{"R-1"});
  ASSERT_EQ(r->header.spec_refs.size(), 1u);
  EXPECT_EQ(r->header.spec_refs[0].section, "5");
  EXPECT_EQ(r->header.applicability.kind, PicsExpr::Kind::kItem);
  ASSERT_EQ(r->steps.size(), 1u);
  EXPECT_EQ(r->steps[0].effective_timeout, Millis(250));
  EXPECT_EQ(r->steps[0].loc.line, 14);
  EXPECT_TRUE(std::holds_alternative<WaitStep>(r->steps[0].body));
}

TEST(TestCaseSchemaError, UnknownStepElementNamesFileLineAndRule) {
  auto r = Load(Case("<wait timeout=\"1s\"/>\n<teleport to=\"mars\"/>"));
  ExpectError(r, "cases/t.xml:15", "teleport");
  EXPECT_THAT(r.error().what, HasSubstr("This element is not expected"));
  EXPECT_THAT(r.error().rule, HasSubstr("testcase.xsd"));
  EXPECT_THAT(r.error().path, HasSubstr("/testcase/steps/teleport"));
}

TEST(TestCaseSchemaError, WrongElementInHeader) {
  auto xml = Case("<wait timeout=\"1s\"/>");
  xml.replace(xml.find("<tag>t1</tag>"), 13, "<label>t1</label>");
  ExpectError(Load(xml), "cases/t.xml:10", "label");
}

TEST(TestCaseSchemaError, MissingId) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>", "", "")), "cases/t.xml:2",
              "'id' is required");
}

TEST(TestCaseSchemaError, MalformedId) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>", "", "id=\"cp-boot-1\"")),
              "cases/t.xml:2", "id");
}

TEST(TestCaseSchemaError, StepMissingRequiredAttribute) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>\n\n<push sec=\"NETWPIN\"/>")),
              "cases/t.xml:16", "'document' is required");
}

TEST(TestCaseSchemaError, BadEnumerationValue) {
  ExpectError(Load(Case("<push document=\"d.xml\" sec=\"NETWPINX\"/>")),
              "cases/t.xml:14", "NETWPINX");
}

TEST(TestCaseSchemaError, BadDuration) {
  ExpectError(Load(Case("<wait timeout=\"5 seconds\"/>")), "cases/t.xml:14",
              "timeout");
}

TEST(TestCaseSchemaError, EmptyStepsRejected) {
  ExpectError(Load(Case("")), "cases/t.xml:", "Missing child element");
}

TEST(TestCaseSchemaError, NotWellFormedNamesLine) {
  auto r = Load(Case("<wait timeout=\"1s\">"));
  ExpectError(r, "cases/t.xml:", "not well-formed");
  EXPECT_THAT(r.error().rule, HasSubstr("XML 1.0"));
}

TEST(TestCaseLoaderError, UnknownFaultNamesKnownOnes) {
  auto r = Load(
      Case("<push document=\"d.xml\">\n<fault name=\"wrong-maac\"/>\n</push>"));
  ExpectError(r, "cases/t.xml:15", "unknown fault 'wrong-maac'");
  EXPECT_THAT(r.error().what, HasSubstr("wrong-mac"));
  EXPECT_EQ(r.error().rule, "omaiop cp faults");
}

TEST(TestCaseLoaderError, UnknownPreconditionFault) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>",
                        "<preconditions><fault name=\"nope\"/>"
                        "</preconditions>")),
              "cases/t.xml:12", "unknown fault 'nope'");
}

TEST(TestCaseLoaderError, PicsSyntaxErrorNamesOffset) {
  auto xml = Case("<wait timeout=\"1s\"/>");
  xml.replace(xml.find("CP-BOOT</app"), 7, "CP-BOOT and (X or");
  auto r = Load(xml);
  ExpectError(r, "cases/t.xml:9", "applicability");
  EXPECT_THAT(r.error().what, HasSubstr("offset"));
}

TEST(TestCaseLoaderError, SecMethodNeedsKeyMaterial) {
  ExpectError(Load(Case("<push document=\"d.xml\" sec=\"NETWPIN\"/>")),
              "cases/t.xml:14", "needs imsi");
  ExpectError(Load(Case("<push document=\"d.xml\" sec=\"USERPINMAC\"/>")),
              "cases/t.xml:14", "needs pin");
}

TEST(TestCaseLoaderError, CardFileCheckNeedsExactlyOneExpectation) {
  ExpectError(Load(Case("<check-card-file path=\"3F00/2FE2\"/>")),
              "cases/t.xml:14", "exactly one");
  ExpectError(Load(Case("<check-card-file path=\"3F00/2FE2\" hex=\"00\" "
                        "xml-file=\"x.xml\"/>")),
              "cases/t.xml:14", "exactly one");
  ExpectError(Load(Case("<check-card-file path=\"3F00/2FE2\" hex=\"0\"/>")),
              "cases/t.xml:14", "hex");
}

TEST(TestCaseLoaderError, WriteFileNeedsOneSource) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>",
                        "<preconditions><card profile=\"csim\">"
                        "<write-file path=\"3F00/2FE2\" hex=\"00\" text=\"a\"/>"
                        "</card></preconditions>")),
              "cases/t.xml:12", "exactly one of hex, text, file");
}

TEST(TestCaseLoaderError, DuplicateVariable) {
  ExpectError(Load(Case("<wait timeout=\"1s\"/>",
                        "<variables><var name=\"A\" value=\"1\"/>\n"
                        "<var name=\"A\" value=\"2\"/></variables>")),
              "cases/t.xml:13", "declared twice");
}

TEST(TestCaseLoad, EveryStepTypeParses) {
  auto r = Load(Case(
      "<push document=\"d.xml\" sec=\"USERNETWPIN\" pin=\"1234\" "
      "imsi=\"001010123456789\" to=\"+1555\" initiator=\"http://tps\" "
      "authenticated=\"true\" timeout=\"3s\"><fault name=\"wrong-mac\"/>"
      "<fault name=\"missing-segment\"/></push>\n"
      "<wait-sms from=\"+1\" port=\"2948\" count=\"2\"/>"
      "<card-insert profile=\"csim\"/><card-remove/>"
      "<power-cycle target=\"card\"/>"
      "<dm-session server-id=\"s\" trigger=\"pkg0\" session-id=\"1A\"/>"
      "<server-commands><Get><CmdID>1</CmdID></Get></server-commands>"
      "<user-pin pin=\"1\"/><user-accept/><user-reject/>"
      "<expect-event kind=\"rejected\" rule=\"MAC\" path=\"/x\" count=\"2\"/>"
      "<expect-status code=\"200\" cmd=\"Get\"/>"
      "<check-setting kind=\"NAPDEF\" id=\"N\" parm=\"NAME\" value=\"\"/>"
      "<check-tree path=\"./DevInfo/Lang\" value=\"en\"/>"
      "<check-card-file path=\"3F005015\" record=\"2\"><xml><a b=\"1\"/>"
      "</xml></check-card-file>"
      "<wait timeout=\"2min\"/>"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const auto& s = r->steps;
  ASSERT_EQ(s.size(), 16u);
  const auto& push = std::get<PushStep>(s[0].body);
  EXPECT_EQ(push.sec, "USERNETWPIN");
  EXPECT_TRUE(push.authenticated);
  EXPECT_EQ(push.faults,
            (std::vector<std::string>{"wrong-mac", "missing-segment"}));
  EXPECT_EQ(s[0].timeout, Millis(3000));
  EXPECT_EQ(s[1].effective_timeout, Millis(5000));  // schema default 5s
  EXPECT_EQ(std::get<WaitSmsStep>(s[1].body).port, 2948);
  EXPECT_EQ(std::get<WaitSmsStep>(s[1].body).count, 2u);
  EXPECT_EQ(std::get<CardInsertStep>(s[2].body).profile, "csim");
  EXPECT_EQ(std::get<PowerCycleStep>(s[4].body).target, "card");
  EXPECT_EQ(std::get<DmSessionStep>(s[5].body).trigger, "pkg0");
  EXPECT_EQ(std::get<ServerCommandsStep>(s[6].body).inline_xml,
            "<Get><CmdID>1</CmdID></Get>");
  EXPECT_EQ(std::get<UserPinStep>(s[7].body).pin, "1");
  EXPECT_EQ(std::get<ExpectEventStep>(s[10].body).count, 2u);
  EXPECT_EQ(std::get<ExpectStatusStep>(s[11].body).cmd, "Get");
  const auto& set = std::get<CheckSettingStep>(s[12].body);
  EXPECT_TRUE(set.has_value);
  EXPECT_EQ(set.value, "");
  EXPECT_EQ(std::get<CheckTreeStep>(s[13].body).value, "en");
  const auto& card = std::get<CheckCardFileStep>(s[14].body);
  EXPECT_EQ(card.record, 2u);
  EXPECT_EQ(card.xml, "<a b=\"1\"/>");
  EXPECT_EQ(s[15].effective_timeout, Millis(120000));
  std::set<std::string> elements;
  for (const auto& st : s) elements.insert(st.element);
  EXPECT_EQ(elements.size(), 16u);
}

TEST(TestCaseVariables, UndefinedVariableAtLoadNamesItFileAndLine) {
  auto r = Load(Case("<wait timeout=\"1s\"/>\n<user-pin pin=\"${PIN}\"/>"));
  ExpectError(r, "cases/t.xml:15", "undefined variable ${PIN}");
}

TEST(TestCaseVariables, MalformedReferenceIsAnError) {
  ExpectError(Load(Case("<user-pin pin=\"${PIN\"/>")), "cases/t.xml:14",
              "unterminated");
  ExpectError(Load(Case("<user-pin pin=\"${9X}\"/>")), "cases/t.xml:14",
              "not a variable name");
}

TEST(TestCaseVariables, InstantiateSubstitutesEverywhere) {
  auto r = Load(Case(
      "<push document=\"${DOC}\" sec=\"USERPIN\" pin=\"${PIN}\"/>\n"
      "<user-pin pin=\"${PIN}$$\"/>\n"
      "<check-tree path=\"./DMAcc/${IUT.acc}/Addr\" value=\"${IUT.dm.url}\"/>",
      "<variables><var name=\"PIN\" value=\"12${X}\"/>"
      "<var name=\"DOC\" value=\"doc.xml\"/><var name=\"X\" value=\"34\"/>"
      "</variables>"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  // Unresolved in the loaded model.
  EXPECT_EQ(std::get<PushStep>(r->steps[0].body).pin, "${PIN}");
  // <var> values see row and extra variables, not other <var>s.
  auto bad = Instantiate(*r, {}, {{"IUT.acc", "a"}, {"IUT.dm.url", "u"}});
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(bad.error().what, HasSubstr("${X}"));
  EXPECT_THAT(bad.error().path, HasSubstr("cases/t.xml:12"));

  auto inst = Instantiate(*r, {{"X", "34"}},
                          {{"IUT.acc", "srv1"}, {"IUT.dm.url", "https://dm"}});
  ASSERT_TRUE(inst.ok()) << inst.error().ToString();
  const auto& push = std::get<PushStep>(inst->steps[0].body);
  EXPECT_EQ(push.document, "doc.xml");
  EXPECT_EQ(push.pin, "1234");
  EXPECT_EQ(std::get<UserPinStep>(inst->steps[1].body).pin, "1234$");
  const auto& tree = std::get<CheckTreeStep>(inst->steps[2].body);
  EXPECT_EQ(tree.path, "./DMAcc/srv1/Addr");
  EXPECT_EQ(tree.value, "https://dm");
}

TEST(TestCaseVariables, MissingIutVariableAtInstantiateNamesLine) {
  auto r =
      Load(Case("<wait timeout=\"1s\"/>\n\n<user-pin pin=\"${IUT.pin}\"/>"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  auto inst = Instantiate(*r);
  ASSERT_FALSE(inst.ok());
  EXPECT_THAT(inst.error().what, HasSubstr("undefined variable ${IUT.pin}"));
  EXPECT_EQ(inst.error().path, "cases/t.xml:16");
}

class TestCaseCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_csv_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name, std::ios::binary) << text;
  }
  codec::Result<TestCase> LoadHere(const std::string& data_attrs,
                                   const std::string& steps) {
    Write("case.xml",
          Case(steps, "<variables><data " + data_attrs + "/></variables>"));
    return LoadTestCase((dir_ / "case.xml").string());
  }
  fs::path dir_;
};

TEST_F(TestCaseCsv, EachModeOneRunPerRowWithQuotedFields) {
  Write("d.csv",
        "# comment\nIMSI,PIN,NOTE\n001010123456789,1234,plain\n"
        "\"001019876543210\",\"0000\",\"a, \"\"quoted\"\"\nnote\"\n");
  auto r = LoadHere("file=\"d.csv\"",
                    "<push document=\"d.xml\" sec=\"USERNETWPIN\" "
                    "pin=\"${PIN}\" imsi=\"${IMSI}\"/>\n"
                    "<check-tree path=\"./x\" value=\"${NOTE}\"/>");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->data.has_value());
  EXPECT_EQ(r->data->table.columns,
            (std::vector<std::string>{"IMSI", "PIN", "NOTE"}));
  auto runs = Expand(*r);
  ASSERT_TRUE(runs.ok()) << runs.error().ToString();
  ASSERT_EQ(runs->size(), 2u);
  EXPECT_EQ(std::get<PushStep>((*runs)[0].steps[0].body).imsi,
            "001010123456789");
  EXPECT_EQ(std::get<PushStep>((*runs)[1].steps[0].body).pin, "0000");
  EXPECT_EQ(std::get<CheckTreeStep>((*runs)[1].steps[1].body).value,
            "a, \"quoted\"\nnote");
  EXPECT_EQ((*runs)[1].data_row, 1u);
  EXPECT_EQ((*runs)[1].run_index, 1u);
}

TEST_F(TestCaseCsv, SequentialCyclesRows) {
  Write("d.csv", "PIN\n1111\n2222\n");
  auto r = LoadHere("file=\"d.csv\" mode=\"sequential\" runs=\"5\"",
                    "<user-pin pin=\"${PIN}\"/>");
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  auto runs = Expand(*r);
  ASSERT_TRUE(runs.ok());
  std::vector<std::string> pins;
  for (const auto& t : *runs)
    pins.push_back(std::get<UserPinStep>(t.steps[0].body).pin);
  EXPECT_EQ(pins,
            (std::vector<std::string>{"1111", "2222", "1111", "2222", "1111"}));
}

TEST_F(TestCaseCsv, RandomIsSeededAndDeterministic) {
  Write("d.csv", "PIN\n0\n1\n2\n3\n4\n5\n6\n7\n8\n9\n");
  auto draw = [&](const std::string& seed) {
    auto r = LoadHere(
        "file=\"d.csv\" mode=\"random\" runs=\"20\" seed=\"" + seed + "\"",
        "<user-pin pin=\"${PIN}\"/>");
    EXPECT_TRUE(r.ok());
    std::vector<std::size_t> rows;
    auto runs = Expand(*r);
    EXPECT_TRUE(runs.ok());
    for (const auto& t : *runs) rows.push_back(*t.data_row);
    return rows;
  };
  const auto a = draw("7"), b = draw("7"), c = draw("8");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  ASSERT_EQ(a.size(), 20u);
  // The documented contract (reproducible on any platform): row =
  // std::mt19937(seed)() % rows, whose sequence the standard fixes.
  std::mt19937 gen(7);
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i], gen() % 10);
  std::set<std::size_t> distinct(a.begin(), a.end());
  EXPECT_GT(distinct.size(), 3u);
}

TEST_F(TestCaseCsv, UndefinedColumnIsReported) {
  Write("d.csv", "PIN\n1\n");
  auto r = LoadHere("file=\"d.csv\"", "<user-pin pin=\"${PUK}\"/>");
  ExpectError(r, "case.xml:14", "undefined variable ${PUK}");
}

TEST_F(TestCaseCsv, CsvErrorsNameTheDataFileLine) {
  Write("d.csv", "PIN,IMSI\n1,2\n3\n");
  auto r = LoadHere("file=\"d.csv\"", "<user-pin pin=\"${PIN}\"/>");
  ExpectError(r, "case.xml:12", "row has 1 fields, the header has 2");
  EXPECT_THAT(r.error().what, HasSubstr("d.csv:3"));
  Write("d.csv", "PIN\n\"1\n");
  r = LoadHere("file=\"d.csv\"", "<user-pin pin=\"${PIN}\"/>");
  ExpectError(r, "case.xml:12", "unterminated quoted field");
  r = LoadHere("file=\"missing.csv\"", "<user-pin pin=\"${PIN}\"/>");
  ExpectError(r, "case.xml:12", "missing.csv");
}

TEST(CsvParse, Rfc4180Cases) {
  auto t = ParseCsv("a;b\r\n\"x;y\";\"\"\r\n;z\n", "t.csv", ';');
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  ASSERT_EQ(t->rows.size(), 2u);
  EXPECT_EQ(t->rows[0], (std::vector<std::string>{"x;y", ""}));
  EXPECT_EQ(t->rows[1], (std::vector<std::string>{"", "z"}));
  EXPECT_EQ(t->row_lines, (std::vector<int>{2, 3}));
  EXPECT_FALSE(ParseCsv("a,a\n1,2\n", "t.csv").ok());
  EXPECT_FALSE(ParseCsv("a b\n1\n", "t.csv").ok());
  EXPECT_FALSE(ParseCsv("a\n\"1\"x\n", "t.csv").ok());
  EXPECT_FALSE(ParseCsv("a\n1\"2\n", "t.csv").ok());
  EXPECT_FALSE(ParseCsv("", "t.csv").ok());
}

TEST(TestCaseSchema, EmbeddedSchemaIsTheShippedFile) {
  EXPECT_EQ(
      EmbeddedTestCaseSchema(),
      omaiop::testing::ReadFileText(Src("testcases/schema/testcase.xsd")));
}

TEST(TestCaseSchema, SchemaPathOverrideIsUsed) {
  LoadOptions o;
  o.schema_path = "/nonexistent/testcase.xsd";
  auto r = Load(Case("<wait timeout=\"1s\"/>"), o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().path, HasSubstr("/nonexistent/testcase.xsd"));
}

TEST(TestCaseResolve, FixturePathsResolveAgainstSuiteRoot) {
  auto r =
      LoadTestCase(Src("testcases/cp/boot/netwpin_wrong_imsi_must_reject.xml"));
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  const std::string doc =
      ResolveCasePath(*r, std::get<PushStep>(r->steps[0].body).document);
  EXPECT_TRUE(fs::is_regular_file(doc)) << doc;
  EXPECT_EQ(fs::path(doc).lexically_normal(),
            fs::path(Src("fixtures/cp/bootstrap.xml")).lexically_normal());
  EXPECT_EQ(ResolveCasePath(*r, "/abs/x.xml"), "/abs/x.xml");
  TestCase copy = *r;
  std::get<PushStep>(copy.steps[0].body).document = "fixtures/cp/nope.xml";
  auto st = CheckFileReferences(copy);
  ASSERT_FALSE(st.ok());
  EXPECT_THAT(st.error().what, HasSubstr("fixtures/cp/nope.xml"));
  EXPECT_THAT(st.error().path,
              HasSubstr("netwpin_wrong_imsi_must_reject.xml:"));
}

}  // namespace
}  // namespace omaiop::harness::script
