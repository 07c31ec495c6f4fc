// FUMO with card authorisation, against the virtual UICC of
// fixtures/uicc/uicc-3g.xml in an InProcessReader. Oracles: the FIPS 180-2
// SHA-256 vector, the fixture's first record (SHA-256("test"), computed
// with coreutils' sha256sum when the fixture was written), a record written
// with ADM in the test, and the in-process DmServer's own checks of the
// Generic Alert (sim/servers, a separate implementation of dm.md §4).
#include "sim/handset/dm/fumo.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "codec/dm_auth.h"
#include "codec/syncml.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/network/http_server.h"
#include "sim/reader/in_process_reader.h"
#include "sim/servers/dm_script.h"
#include "sim/servers/dm_server.h"
#include "sim/uicc/profile_loader.h"

namespace omaiop::sim::handset::dm {
namespace {

namespace fs = std::filesystem;
using codec::Bytes;

const fs::path kProfile =
    fs::path(OMAIOP_SOURCE_DIR) / "fixtures" / "uicc" / "uicc-3g.xml";
constexpr char kTestDigest[] =
    "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08";

Bytes B(std::string_view s) {
  auto v = codec::AsBytes(s);
  return Bytes(v.begin(), v.end());
}

// A handset: standard objects, a card in an in-process reader, FUMO agent.
class FumoHandset {
 public:
  explicit FumoHandset(std::optional<std::string> pin1 = "1234",
                       FumoOptions fo = {}) {
    auto p = uicc::LoadProfile(kProfile.string());
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    if (p.ok()) reader.Insert(std::make_shared<uicc::Card>(p->MakeCard()));
    card::CardSessionOptions co;
    co.pin1 = pin1;
    session = std::make_unique<card::CardSession>(reader, co);
    EXPECT_TRUE(session->Open().ok());
    DeviceConfig cfg;
    cfg.fw_v = "1.0.0";
    cfg.pkg_version = "2.0.0";
    EXPECT_TRUE(BuildStandardObjects(tree, cfg).ok());
    agent = std::make_unique<FumoAgent>(tree, std::move(fo),
                                        CardSessionAuthSource(session.get()));
    EXPECT_TRUE(agent->Install().ok());
  }
  std::string Value(std::string_view uri) {
    const Node* n = tree.Find(uri);
    return n ? n->value : "<absent>";
  }
  // Server-side Replace of PkgData then Exec Update, as commands would.
  OpResult PushAndExec(std::string_view pkg, std::string correlator = "c1") {
    Content c;
    c.format = Format::kBin;
    c.format_text = "bin";
    c.data = std::string(pkg);
    auto r = tree.Replace(Caller::Server("srv"), "./FUMO/Update/PkgData", c);
    EXPECT_TRUE(r.ok()) << r.reason;
    return tree.Exec(Caller::Server("srv"), "./FUMO/Update", "", correlator);
  }

  reader::InProcessReader reader;
  std::unique_ptr<card::CardSession> session;
  Tree tree;
  std::unique_ptr<FumoAgent> agent;
};

std::vector<std::string> Kinds(const DmTrace& t) {
  std::vector<std::string> k;
  for (const auto& e : t.events())
    k.push_back(std::string(DmEventKindName(e.kind)));
  return k;
}

bool Has(const std::vector<std::string>& v, const std::string& x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// --- SHA-256 and the card file -------------------------------------------

TEST(FumoSha256, FipsVectorAbc) {
  // FIPS 180-2 Appendix B.1.
  EXPECT_EQ(codec::ToHex(Sha256(B("abc"))),
            "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
}

TEST(FumoCard, ReadsTheFixtureRecordsWithPin1) {
  FumoHandset h;
  CardAuthList l = ReadFumoAuthList(*h.session);
  ASSERT_EQ(l.status, CardAuthList::Status::kOk) << l.detail;
  ASSERT_EQ(l.digests.size(), 2u);
  EXPECT_EQ(l.free_records, 2u);
  EXPECT_EQ(l.bad_records, 0u);
  EXPECT_EQ(codec::ToHex(l.digests[0]), kTestDigest);
  EXPECT_EQ(codec::ToHex(l.digests[0]), codec::ToHex(Sha256(B("test"))));
}

TEST(FumoCard, WithoutPin1TheListIsUnavailable) {
  FumoHandset h(std::nullopt);
  CardAuthList l = ReadFumoAuthList(*h.session);
  EXPECT_EQ(l.status, CardAuthList::Status::kPinUnavailable) << l.detail;
  EXPECT_TRUE(l.digests.empty());
  EXPECT_NE(l.detail.find("PIN1"), std::string::npos) << l.detail;
}

TEST(FumoCard, ClosedOrAbsentSessionIsNoCard) {
  EXPECT_EQ(CardSessionAuthSource(nullptr)().status,
            CardAuthList::Status::kNoCard);
  FumoHandset h;
  h.session->Close();
  EXPECT_EQ(CardSessionAuthSource(h.session.get())().status,
            CardAuthList::Status::kNoCard);
}

TEST(FumoCard, WrongPathIsUnreadable) {
  FumoHandset h;
  FumoCardOptions o;
  o.ef_path = {0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x99};
  CardAuthList l = ReadFumoAuthList(*h.session, o);
  EXPECT_EQ(l.status, CardAuthList::Status::kUnreadable);
  EXPECT_NE(l.detail.find("6F99"), std::string::npos) << l.detail;
}

// --- the agent on its own
// ------------------------------------------------------

TEST(FumoAgent, AllowedPackageUpdatesAndReports200) {
  FumoHandset h;
  OpResult r = h.PushAndExec("test");
  EXPECT_EQ(r.code, 202) << r.reason;
  EXPECT_EQ(h.agent->state(), 50);  // Ready to Update until it runs
  EXPECT_EQ(h.Value("./DevDetail/FwV"), "1.0.0");
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 100);
  EXPECT_EQ(h.Value("./DevDetail/FwV"), "2.0.0");
  EXPECT_EQ(h.Value("./FUMO/Update/PkgData"), "");  // "No Data"
  EXPECT_EQ(h.agent->installed_digest(), kTestDigest);
  auto alerts = h.agent->TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].source_uri, "./FUMO/Update");
  EXPECT_EQ(alerts[0].type, kFumoTypeUpdate);
  EXPECT_EQ(alerts[0].format, "int");
  EXPECT_EQ(alerts[0].data, "200");
  EXPECT_EQ(alerts[0].correlator, std::optional<std::string>("c1"));
  EXPECT_FALSE(alerts[0].mark.has_value());
  EXPECT_TRUE(h.agent->TakeAlerts().empty());  // handed over once
  auto k = Kinds(h.agent->trace());
  EXPECT_TRUE(Has(k, "fumo_exec"));
  EXPECT_TRUE(Has(k, "fumo_card_read"));
  EXPECT_TRUE(Has(k, "fumo_authorised"));
  EXPECT_TRUE(Has(k, "fumo_result"));
  EXPECT_FALSE(Has(k, "fumo_refused"));
}

TEST(FumoAgent, UnlistedPackageIsRefusedWith404AndState80) {
  FumoHandset h;
  EXPECT_EQ(h.PushAndExec("not on the card", "").code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 80);
  EXPECT_EQ(h.Value("./DevDetail/FwV"), "1.0.0");   // unchanged
  EXPECT_EQ(h.Value("./FUMO/Update/PkgData"), "");  // discarded
  EXPECT_EQ(h.agent->installed_digest(), "");
  auto alerts = h.agent->TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].data, "404");
  EXPECT_EQ(alerts[0].mark, std::optional<std::string>("critical"));
  EXPECT_FALSE(alerts[0].correlator.has_value());  // none given, none echoed
  auto refused = h.agent->trace().Find(DmEventKind::kFumoRefused);
  ASSERT_EQ(refused.size(), 1u);
  EXPECT_NE(refused[0].detail.find(codec::ToHex(Sha256(B("not on the card")))),
            std::string::npos)
      << refused[0].detail;
  EXPECT_NE(refused[0].rule.find("EF.FUMO-Auth"), std::string::npos);
}

TEST(FumoAgent, NoPin1GivesTheCardUnavailableCodeAndKeepsThePackage) {
  FumoHandset h(std::nullopt);
  EXPECT_EQ(h.PushAndExec("test").code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 70);  // Update Failed / Have Data
  EXPECT_EQ(h.Value("./DevDetail/FwV"), "1.0.0");
  EXPECT_EQ(h.Value("./FUMO/Update/PkgData"), "test");
  auto alerts = h.agent->TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].data, "405");
  // The user enters PIN1; the server Execs Update again on the kept package.
  h.session->SetPin1("1234");
  EXPECT_EQ(h.tree.Exec(Caller::Server("srv"), "./FUMO/Update", "", "c2").code,
            202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 100);
  alerts = h.agent->TakeAlerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].data, "200");
  EXPECT_EQ(alerts[0].correlator, std::optional<std::string>("c2"));
}

TEST(FumoAgent, CardCodesAndPackageKeepingAreOptions) {
  FumoOptions o;
  o.code_card_unavailable = 410;
  o.keep_package_when_card_unavailable = false;
  o.code_no_match = 402;
  FumoHandset h(std::nullopt, o);
  EXPECT_EQ(h.PushAndExec("test").code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 80);
  EXPECT_EQ(h.Value("./FUMO/Update/PkgData"), "");
  EXPECT_EQ(h.agent->TakeAlerts().at(0).data, "410");
  h.session->SetPin1("1234");
  EXPECT_EQ(h.PushAndExec("other").code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->TakeAlerts().at(0).data, "402");
}

TEST(FumoAgent, PolicyOffAcceptsAnyPackageWithoutTheCard) {
  FumoOptions o;
  o.require_card_authorisation = false;
  FumoHandset h(std::nullopt, o);
  h.agent->set_card_source({});
  EXPECT_EQ(h.PushAndExec("anything at all").code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 100);
  EXPECT_EQ(h.agent->TakeAlerts().at(0).data, "200");
  auto ok = h.agent->trace().Find(DmEventKind::kFumoAuthorised);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_NE(ok[0].rule.find("require_card_authorisation"), std::string::npos);
  EXPECT_EQ(h.agent->trace().Count(DmEventKind::kFumoCardRead), 0u);
}

TEST(FumoAgent, UpdateWithoutPackageIsRefusedAtOnce) {
  FumoHandset h;
  OpResult r = h.tree.Exec(Caller::Server("srv"), "./FUMO/Update", "", "");
  EXPECT_EQ(r.code, 405);
  EXPECT_FALSE(h.agent->has_pending());
  h.agent->RunPending();
  EXPECT_TRUE(h.agent->TakeAlerts().empty());
  EXPECT_EQ(h.agent->state(), 10);
}

TEST(FumoAgent, RecordWrittenWithAdmAuthorisesANewPackage) {
  FumoHandset h;
  const std::string pkg = "firmware 3.1 image";
  Bytes digest = Sha256(B(pkg));
  auto ef = h.session->SelectPath(Bytes{0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x10},
                                  "EF.FUMO-Auth");
  ASSERT_TRUE(ef.ok()) << ef.error().ToString();
  // UPDATE RECORD 3 (absolute, P2=04), TS 102 221 §11.1.6.
  Bytes upd = {0x00, 0xDC, 0x03, 0x04, 0x20};
  upd.insert(upd.end(), digest.begin(), digest.end());
  auto denied = h.session->Exchange(upd, "UPDATE RECORD without ADM");
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->sw, 0x6982);  // update is ADM only
  Bytes verify = {0x00, 0x20, 0x00, 0x0A, 0x08};
  for (char c : std::string("88888888")) verify.push_back(c);
  auto v = h.session->Exchange(verify, "VERIFY ADM1");
  ASSERT_TRUE(v.ok());
  ASSERT_EQ(v->sw, 0x9000);
  auto w = h.session->Exchange(upd, "UPDATE RECORD 3");
  ASSERT_TRUE(w.ok());
  ASSERT_EQ(w->sw, 0x9000);
  CardAuthList l = ReadFumoAuthList(*h.session);
  ASSERT_EQ(l.digests.size(), 3u);
  EXPECT_EQ(l.free_records, 1u);

  EXPECT_EQ(h.PushAndExec(pkg).code, 202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 100);
  EXPECT_EQ(h.agent->TakeAlerts().at(0).data, "200");
  auto ok = h.agent->trace().Find(DmEventKind::kFumoAuthorised);
  ASSERT_EQ(ok.size(), 1u);
  EXPECT_NE(ok[0].detail.find("digest 3 of 3"), std::string::npos)
      << ok[0].detail;
}

TEST(FumoAgent, DownloadAndUpdateFetchesPkgUrl) {
  network::HttpServerConfig sc;
  network::HttpServer pkg_server(
      sc, [](const network::HttpRequest& r, const network::PeerInfo&) {
        network::HttpResponse resp;
        if (r.url.find("/fw.bin") != std::string::npos) {
          resp.status = 200;
          resp.body = "test";
        } else {
          resp.status = 404;
        }
        return resp;
      });
  ASSERT_TRUE(pkg_server.Start().ok());
  FumoHandset h;
  auto set_url = [&](std::string path) {
    Content c;
    c.data = pkg_server.BaseUrl() + path;
    ASSERT_TRUE(h.tree
                    .Replace(Caller::Server("srv"),
                             "./FUMO/DownloadAndUpdate/PkgURL", c)
                    .ok());
  };
  set_url("/missing");
  EXPECT_EQ(
      h.tree.Exec(Caller::Server("srv"), "./FUMO/DownloadAndUpdate", "", "d1")
          .code,
      202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 20);  // Download Failed
  auto a = h.agent->TakeAlerts();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, kFumoTypeDownloadAndUpdate);
  EXPECT_EQ(a[0].data, "500");

  set_url("/fw.bin");
  EXPECT_EQ(
      h.tree.Exec(Caller::Server("srv"), "./FUMO/DownloadAndUpdate", "", "d2")
          .code,
      202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 100);
  a = h.agent->TakeAlerts();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].source_uri, "./FUMO/DownloadAndUpdate");
  EXPECT_EQ(a[0].data, "200");
  EXPECT_EQ(h.agent->trace().Count(DmEventKind::kFumoDownload), 2u);
  pkg_server.Stop();
}

TEST(FumoAgent, BadPkgUrlIs411) {
  FumoHandset h;
  Content c;
  c.data = "not a url";
  ASSERT_TRUE(
      h.tree.Replace(Caller::Server("srv"), "./FUMO/Download/PkgURL", c).ok());
  EXPECT_EQ(h.tree.Exec(Caller::Server("srv"), "./FUMO/Download", "", "").code,
            202);
  h.agent->RunPending();
  EXPECT_EQ(h.agent->state(), 20);
  auto a = h.agent->TakeAlerts();
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].type, kFumoTypeDownload);
  EXPECT_EQ(a[0].data, "411");
}

// --- full sessions against the in-process DmServer over loopback HTTP -------

constexpr char kUpdateScript[] = R"(<DmScript>
  <Package>
    <Get expect="200"><Item target="./FUMO/State"/></Get>
  </Package>
  <Package>
    <Replace expect="200"><Item target="./FUMO/Update/PkgData" format="b64">%PKG%</Item></Replace>
    <Exec expect="202" correlator="fumo-42"><Item target="./FUMO/Update"/></Exec>
    <ExpectAlert code="1226" source="./FUMO/Update" format="int" data="%RC%"
       type="org.openmobilealliance.dm.firmwareupdate.update"
       correlator="fumo-42" %MARK%/>
  </Package>
</DmScript>)";

std::string Script(const std::string& pkg, const std::string& rc,
                   const std::string& mark) {
  std::string s = kUpdateScript;
  auto rep = [&](const std::string& k, const std::string& v) {
    s.replace(s.find(k), k.size(), v);
  };
  rep("%PKG%", codec::Base64Encode(B(pkg)));
  rep("%RC%", rc);
  rep("%MARK%", mark);
  return s;
}

struct SessionRun {
  DmSessionOutcome outcome;
  std::vector<servers::DmSessionLog> logs;
};

SessionRun RunAgainstServer(FumoHandset& h, const std::string& script_xml,
                            bool wbxml = false) {
  SessionRun run;
  auto script = servers::ParseDmScript(script_xml);
  EXPECT_TRUE(script.ok()) << script.error().ToString();
  servers::DmServerConfig sc;
  sc.server_id = "omaiop-dms";
  sc.script = *script;
  servers::DmServer server(sc);
  EXPECT_TRUE(server.Start().ok());
  DmAccount acc;
  acc.server_id = "omaiop-dms";
  acc.server_url = server.BaseUrl() + "/dm";
  acc.client_auth = DmAuthScheme::kNone;
  DmClientOptions o;
  o.wbxml = wbxml;
  o.generic_alerts = h.agent->AlertSource();
  DmClient client(h.tree, acc, o);
  run.outcome = client.RunSession(SessionTrigger::Client());
  run.logs = server.Sessions();
  server.Stop();
  return run;
}

std::vector<std::string> ViolationRules(
    const std::vector<servers::DmSessionLog>& logs) {
  std::vector<std::string> r;
  for (const auto& l : logs)
    for (const auto& v : l.violations) r.push_back(v.rule + ": " + v.evidence);
  return r;
}

TEST(FumoSession, AllowedPackageReports200InTheSameSession) {
  for (bool wbxml : {false, true}) {
    SCOPED_TRACE(wbxml ? "wbxml" : "xml");
    FumoHandset h;
    SessionRun run =
        RunAgainstServer(h, Script("test", "200", "mark=\"\""), wbxml);
    EXPECT_TRUE(run.outcome.ok())
        << (run.outcome.error ? run.outcome.error->ToString() : "");
    EXPECT_TRUE(ViolationRules(run.logs).empty())
        << ::testing::PrintToString(ViolationRules(run.logs));
    ASSERT_EQ(run.outcome.generic_alerts.size(), 1u);
    EXPECT_EQ(run.outcome.generic_alerts[0].status, 200);  // server's Status
    EXPECT_EQ(run.outcome.generic_alerts[0].alert.data, "200");
    EXPECT_EQ(h.agent->state(), 100);
    EXPECT_EQ(h.Value("./DevDetail/FwV"), "2.0.0");
    EXPECT_EQ(h.Value("./FUMO/Update/PkgData"), "");  // b64 node emptied
    ASSERT_EQ(run.logs.size(), 1u);
    ASSERT_EQ(run.logs[0].client_alerts.size(), 1u);
    EXPECT_EQ(run.logs[0].client_alerts[0].alert.correlator,
              std::optional<std::string>("fumo-42"));
  }
}

TEST(FumoSession, UnlistedPackageReports404AndTheServerChecksIt) {
  FumoHandset h;
  SessionRun run =
      RunAgainstServer(h, Script("rogue image", "404", "mark=\"critical\""));
  EXPECT_TRUE(run.outcome.ok());
  EXPECT_TRUE(ViolationRules(run.logs).empty())
      << ::testing::PrintToString(ViolationRules(run.logs));
  EXPECT_EQ(h.agent->state(), 80);
  EXPECT_EQ(h.Value("./DevDetail/FwV"), "1.0.0");
}

TEST(FumoSession, ServerFlagsAnAlertThatDoesNotMeetTheScript) {
  FumoHandset h;
  // The script expects success; the card refuses the package.
  SessionRun run = RunAgainstServer(h, Script("rogue image", "200", ""));
  auto v = ViolationRules(run.logs);
  ASSERT_EQ(v.size(), 1u) << ::testing::PrintToString(v);
  EXPECT_EQ(v[0].rfind("script.expect.alert", 0), 0u) << v[0];
  EXPECT_NE(v[0].find("Data '404'"), std::string::npos) << v[0];
}

TEST(FumoSession, NoPin1ReportsTheCardUnavailableCode) {
  FumoHandset h(std::nullopt);
  SessionRun run =
      RunAgainstServer(h, Script("test", "405", "mark=\"critical\""));
  EXPECT_TRUE(ViolationRules(run.logs).empty())
      << ::testing::PrintToString(ViolationRules(run.logs));
  EXPECT_EQ(h.agent->state(), 70);
}

TEST(FumoSession, NextSessionTimingReportsInPackage1) {
  FumoOptions o;
  o.report = FumoReportTiming::kNextSession;
  FumoHandset h("1234", o);
  // Session 1: the alert is not expected in it (a server with no
  // <ExpectAlert>), and none is sent.
  std::string s1 = Script("test", "200", "");
  s1.erase(s1.find("<ExpectAlert"), s1.find("/>", s1.find("<ExpectAlert")) + 2 -
                                        s1.find("<ExpectAlert"));
  SessionRun run1 = RunAgainstServer(h, s1);
  EXPECT_TRUE(run1.outcome.ok());
  EXPECT_TRUE(run1.outcome.generic_alerts.empty());
  EXPECT_EQ(h.agent->state(), 50);  // accepted, not yet run
  // Session 2: package 1 carries the result.
  SessionRun run2 = RunAgainstServer(h, R"(<DmScript>
    <Package1>
      <ExpectAlert source="./FUMO/Update" data="200" format="int"
        type="org.openmobilealliance.dm.firmwareupdate.update"/>
    </Package1>
  </DmScript>)");
  EXPECT_TRUE(run2.outcome.ok());
  auto v = ViolationRules(run2.logs);
  // The second server never sent that Exec, so its Correlator is foreign to
  // it: the only violation.
  ASSERT_EQ(v.size(), 1u) << ::testing::PrintToString(v);
  EXPECT_EQ(v[0].rfind("fumo.alert.correlator", 0), 0u) << v[0];
  ASSERT_EQ(run2.outcome.generic_alerts.size(), 1u);
  EXPECT_EQ(run2.outcome.generic_alerts[0].msg_id, "1");
  EXPECT_EQ(h.agent->state(), 100);
}

TEST(FumoSession, ShippedFixtureScriptPassesAgainstTheHandset) {
  FumoHandset h;
  auto script = servers::LoadDmScript(
      (fs::path(OMAIOP_SOURCE_DIR) / "fixtures/dm/scripts/fumo_card_update.xml")
          .string());
  ASSERT_TRUE(script.ok()) << script.error().ToString();
  servers::DmServerConfig sc;
  sc.script = *script;
  servers::DmServer server(sc);
  ASSERT_TRUE(server.Start().ok());
  DmAccount acc;
  acc.server_id = sc.server_id;
  acc.server_url = server.BaseUrl() + "/dm";
  acc.client_auth = DmAuthScheme::kNone;
  DmClientOptions o;
  o.generic_alerts = h.agent->AlertSource();
  DmClient client(h.tree, acc, o);
  DmSessionOutcome out = client.RunSession(SessionTrigger::Client());
  EXPECT_TRUE(out.ok());
  auto logs = server.Sessions();
  server.Stop();
  EXPECT_TRUE(ViolationRules(logs).empty())
      << ::testing::PrintToString(ViolationRules(logs));
  EXPECT_EQ(h.agent->state(), 100);
  // The alert went in the reply to package 2, before package 4's Get.
  ASSERT_EQ(out.generic_alerts.size(), 1u);
  EXPECT_EQ(out.generic_alerts[0].msg_id, "2");
  EXPECT_EQ(client.trace().Count(DmEventKind::kGenericAlertSent), 1u);
  EXPECT_EQ(client.trace().Count(DmEventKind::kGenericAlertStatus), 1u);
}

TEST(FumoSession, Package1ExpectationUnmetIsAViolation) {
  FumoHandset h;
  SessionRun run = RunAgainstServer(h, R"(<DmScript>
    <Package1><ExpectAlert data="200"/></Package1>
  </DmScript>)");
  auto v = ViolationRules(run.logs);
  ASSERT_EQ(v.size(), 1u) << ::testing::PrintToString(v);
  EXPECT_NE(v[0].find("it has no client Alert"), std::string::npos) << v[0];
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
