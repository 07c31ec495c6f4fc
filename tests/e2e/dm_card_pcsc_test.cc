// DM Smart Card end to end (issue 5, item 4): the simulated handset reads
// its card through pcscd + vsmartcard-vpcd (the PC/SC path, not the
// in-process reader), applies the card's DM bootstrap (EF DM_Bootstrap via
// PKCS#15 DODF OID 2.23.43.7.1, dm.md §1.2/§1.3), and then runs DM sessions
// with the account the card gave it against omaiop's simulated DM server over
// real HTTP and HTTPS on loopback, in XML and in WBXML (dm.md §3.1/§3.2),
// with MD5 digest both ways (dm.md §3.7), client-initiated and after a
// package 0 by SMS. Each test starts pcscd (private
// vpcd port, sim/reader/pcscd_process.h) and `omaiop uicc serve` as children
// and stops them by PID; CTest holds RESOURCE_LOCK pcscd.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/dm/card_mo.h"
#include "sim/handset/dm/fumo.h"
#include "sim/handset/dm/session.h"
#include "sim/handset/handset.h"
#include "sim/reader/pcsc_reader.h"
#include "sim/reader/pcscd_process.h"
#include "sim/servers/dm_notification_push.h"
#include "sim/servers/dm_server.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;
using sim::reader::PcscReader;

constexpr const char* kReader = "Virtual PCD 00 00";
constexpr const char* kAccount = "./DMAcc/OperatorDM";  // the card's
constexpr const char* kServerId = "dm.operator.example";

std::string Tls(const std::string& name) {
  return std::string(OMAIOP_SOURCE_DIR) + "/fixtures/tls/" + name;
}

struct Variant {
  bool https;
  bool wbxml;
};
void PrintTo(const Variant& v, std::ostream* os) {
  *os << (v.https ? "https" : "http") << "+" << (v.wbxml ? "wbxml" : "xml");
}
std::string VariantName(const ::testing::TestParamInfo<Variant>& i) {
  return std::string(i.param.https ? "Https" : "Http") +
         (i.param.wbxml ? "Wbxml" : "Xml");
}

class DmCardPcscTest : public ::testing::TestWithParam<Variant> {
 protected:
  void SetUp() override {
    ASSERT_FALSE(omaiop::testing::FindOnPath("pcscd").empty())
        << "pcscd not found: install with scripts/setup (Debian packages "
           "pcscd vsmartcard-vpcd)";
    dir_ = fs::temp_directory_path() /
           ("omaiop-dm-card-e2e-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    auto pcscd = sim::reader::PcscdProcess::StartOrReuse(
        {0, (dir_ / "pcscd.log").string(), std::chrono::seconds(10)});
    ASSERT_TRUE(pcscd.ok()) << pcscd.error().what;
    pcscd_ = std::move(*pcscd);
    int ss_status = 0;  // diagnostics only
    ASSERT_TRUE(WaitForCard(false))
        << "reader already holds a card (pcscd "
        << (pcscd_->started_here()
                ? "started here, pid " + std::to_string(pcscd_->pid())
                : std::string("reused"))
        << ", vpcd port " << pcscd_->vpcd_port() << "); connections:\n"
        << omaiop::testing::RunCommand("ss -tnp 2>&1 | grep -E 'pcscd|omaiop'",
                                       &ss_status, true)
        << "pcscd log:\n"
        << omaiop::testing::ReadFileText(dir_ / "pcscd.log");
    auto pid = sim::reader::SpawnProcess(
        {OMAIOP_BINARY, "uicc", "serve", "--profile", "uicc-3g", "--vpcd",
         "127.0.0.1:" + std::to_string(pcscd_->vpcd_port())},
        (dir_ / "serve.log").string());
    ASSERT_TRUE(pid.ok()) << pid.error().what;
    serve_pid_ = *pid;
    ASSERT_TRUE(WaitForCard(true))
        << "card did not appear; serve log:\n"
        << omaiop::testing::ReadFileText(dir_ / "serve.log");
  }
  void TearDown() override {
    if (serve_pid_ > 0) sim::reader::StopProcess(serve_pid_, SIGTERM);
    pcscd_.reset();
    std::error_code ec;
    if (!HasFailure()) fs::remove_all(dir_, ec);
  }
  bool WaitForCard(bool present) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (std::chrono::steady_clock::now() < deadline) {
      auto r = PcscReader::Open(kReader);
      if (r.ok() && (*r)->CardPresent() == present) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }

  // The DM server as the card's account expects it: ServerID, MD5 digest
  // for the client ("device"/"clientpwd") and server credentials
  // ("serverpwd"), from fixtures/dm/bootstrap_dmacc.xml.
  sim::servers::DmServerConfig ServerConfig(bool https) {
    sim::servers::DmServerConfig c;
    if (https) {
      sim::network::TlsServerConfig t;
      t.cert_file = Tls("server.pem");
      t.key_file = Tls("server.key");
      c.http.tls = t;
    }
    c.server_id = kServerId;
    c.client_auth = sim::servers::DmAuthMode::kDigest;
    c.username = "device";
    c.password = "clientpwd";
    c.server_cred = codec::DmAuthType::kMd5;
    c.server_password = "serverpwd";
    c.script.packages.push_back(
        {{sim::servers::ScriptGet("./DevInfo/DevId", {200}),
          sim::servers::ScriptReplace(std::string(kAccount) + "/Name",
                                      "Renamed by the server", {200})}});
    c.script.packages.push_back(
        {{sim::servers::ScriptGet(std::string(kAccount) + "/Name", {200})}});
    return c;
  }

  fs::path dir_;
  std::unique_ptr<sim::reader::PcscdProcess> pcscd_;
  pid_t serve_pid_ = -1;
};

TEST_P(DmCardPcscTest, CardBootstrapThenSessionWithTheCardsAccount) {
  const Variant v = GetParam();
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  sim::handset::HandsetOptions ho;
  ho.card.pin1 = "1234";
  sim::handset::Handset h(**reader, ho);
  ASSERT_TRUE(h.PowerOn().ok()) << h.StateJson()["events"].dump(1);
  // The bootstrap came over PC/SC from EF DM_Bootstrap, silently.
  ASSERT_EQ(h.CountEvents("dm_bootstrap_applied"), 1u)
      << h.StateJson()["events"].dump(1);
  ASSERT_EQ(h.card_dm_accounts(), std::vector<std::string>{kAccount});

  sim::servers::DmServer server(ServerConfig(v.https));
  ASSERT_TRUE(server.Start().ok());
  auto account = sim::handset::dm::AccountFromTree(h.dm_tree(), kAccount);
  ASSERT_TRUE(account.ok()) << account.error().ToString();
  // The card says https://dm.operator.example/dm: aim it at loopback.
  account->server_url = (v.https ? "https://localhost:" : "http://127.0.0.1:") +
                        std::to_string(server.port()) + "/dm";
  sim::handset::dm::DmClientOptions co;
  co.wbxml = v.wbxml;
  co.http.tls.ca_file = Tls("ca.pem");
  co.account_uri = kAccount;
  sim::handset::dm::DmClient client(h.dm_tree(), *account, co);
  auto out = client.RunSession(sim::handset::dm::SessionTrigger::Client());
  ASSERT_TRUE(out.ok()) << (out.error ? out.error->ToString() : "") << "\n"
                        << client.trace().ToString();
  EXPECT_TRUE(out.client_authenticated) << client.trace().ToString();
  EXPECT_TRUE(out.server_authenticated) << client.trace().ToString();

  // The server saw a clean session: no rule broken, the right encoding.
  auto sessions = server.Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].ended);
  EXPECT_TRUE(sessions[0].authenticated);
  for (const auto& viol : sessions[0].violations)
    ADD_FAILURE() << viol.rule << ": " << viol.evidence;
  for (const auto& m : sessions[0].messages) {
    EXPECT_EQ(m.wbxml, v.wbxml) << m.content_type;
    EXPECT_FALSE(m.xml.empty()) << "message " << m.index << " did not decode";
  }
  // The Replace landed in the card-bootstrapped account, and the second
  // package read it back through the same session.
  auto name = h.dm_tree().Get(sim::handset::dm::Caller::Device(),
                              std::string(kAccount) + "/Name");
  ASSERT_TRUE(name.ok() && !name.items.empty());
  EXPECT_EQ(name.items[0].data, "Renamed by the server");
  bool read_back = false;
  for (const auto& m : sessions[0].messages)
    read_back |= m.direction == sim::servers::DmLoggedMessage::Direction::kIn &&
                 m.xml.find("Renamed by the server") != std::string::npos;
  EXPECT_TRUE(read_back);
  // The nonces the server handed out were kept in the card's account
  // (dm.md §3.7), ready for the next session.
  auto again = sim::handset::dm::AccountFromTree(h.dm_tree(), kAccount);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again->client_nonce.empty());
}

// Server-initiated (dm.md §3.2 row 0, §3.8): the DM server's package 0
// reaches the handset by SMS (WSP push to port 2948), the handset checks its
// digest with the SRVCRED its card gave it and opens the session with
// Alert 1200 and the notified SessionID.
TEST_P(DmCardPcscTest, Package0BySmsThenServerInitiatedSession) {
  const Variant v = GetParam();
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  sim::handset::HandsetOptions ho;
  ho.card.pin1 = "1234";
  sim::handset::Handset h(**reader, ho);
  ASSERT_TRUE(h.PowerOn().ok());
  sim::servers::DmServer server(ServerConfig(v.https));
  ASSERT_TRUE(server.Start().ok());

  struct Radio : sim::servers::PushSink {
    explicit Radio(sim::handset::Handset& h) : h(h) {}
    codec::Status Deliver(const std::vector<codec::Bytes>& segments,
                          const std::string& to) override {
      for (const auto& seg : segments)
        h.OnSmsSegment(seg, {"+4917099", to, {}});
      return codec::OkStatus();
    }
    sim::handset::Handset& h;
  } radio(h);
  sim::servers::Package0Options p0;
  p0.server_password = "serverpwd";
  p0.session_id = 0x0101;
  p0.ui_mode = codec::DmUiMode::kBackground;
  server.NotifySession(p0,
                       sim::servers::SmsNotificationSink(radio, "+4917001"));
  auto pkg0s = h.TakeDmNotifications();
  ASSERT_EQ(pkg0s.size(), 1u) << h.StateJson()["events"].dump(1);

  sim::handset::dm::DmClientOptions co;
  co.wbxml = v.wbxml;
  co.http.tls.ca_file = Tls("ca.pem");
  auto out = h.RunDmSessionForPackage0(
      pkg0s[0], co,
      (v.https ? "https://localhost:" : "http://127.0.0.1:") +
          std::to_string(server.port()) + "/dm");
  ASSERT_TRUE(out.ok()) << out.error().ToString();
  ASSERT_TRUE(out->ok()) << (out->error ? out->error->ToString() : "");
  EXPECT_EQ(out->session_id, "101");
  auto sessions = server.Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_EQ(sessions[0].session_id, "101");
  for (const auto& viol : sessions[0].violations)
    ADD_FAILURE() << viol.rule << ": " << viol.evidence;
  EXPECT_TRUE(sessions[0].ended);
}

// DM Smart Card over PC/SC (issue 5): in one session the server Replaces a
// node of the card-resident MO (./SCMO, DF 7F66 EF 6F01: docs/
// dm-smartcard.md "Smart Card MO mapping") and the UPDATE BINARY reaches the
// served card; it also pushes a firmware package whose SHA-256 is not in
// EF.FUMO-Auth and Execs ./FUMO/Update: 202, then Generic Alert 1226 with
// ResultCode 404 (dm.md §4; "FUMO authorisation by the card"), which the
// server's script expects. Afterwards the card file is read back through
// PC/SC by a separate card session and decoded here.
TEST_P(DmCardPcscTest,
       CardMoReplaceReachesTheCardAndUnlistedFirmwareIsRefused) {
  const Variant v = GetParam();
  constexpr char kNewName[] = "Renamed on the card by the server";
  {
    auto reader = PcscReader::Open(kReader);
    ASSERT_TRUE(reader.ok()) << reader.error().what;
    sim::handset::HandsetOptions ho;
    ho.card.pin1 = "1234";
    sim::handset::Handset h(**reader, ho);
    ASSERT_TRUE(h.PowerOn().ok());
    ASSERT_NE(h.card_mo(), nullptr);
    ASSERT_TRUE(h.card_mo()->mounted()) << h.StateJson()["events"].dump(1);
    namespace dm = sim::handset::dm;
    dm::FumoAgent fumo(h.dm_tree(), {}, dm::CardSessionAuthSource(h.session()));
    ASSERT_TRUE(fumo.Install().ok());

    sim::servers::DmServerConfig sc = ServerConfig(v.https);
    // "evil" is not a package the card allows (EF.FUMO-Auth holds
    // SHA-256("test") and one other digest).
    auto script = sim::servers::ParseDmScript(R"(<DmScript><Package>
      <Replace expect="200"><Item target="./SCMO/DMAcc/CardDM/Name">)" +
                                              std::string(kNewName) +
                                              R"(</Item></Replace>
      <Replace expect="200">
        <Item target="./FUMO/Update/PkgData" format="b64">ZXZpbA==</Item>
      </Replace>
      <Exec correlator="fumo-e2e" expect="202">
        <Item target="./FUMO/Update"/>
      </Exec>
      <ExpectAlert code="1226" source="./FUMO/Update" format="int" data="404"
        type="org.openmobilealliance.dm.firmwareupdate.update"
        correlator="fumo-e2e"/>
    </Package><Package>
      <Get expect="200"><Item target="./DevDetail/FwV"/></Get>
    </Package></DmScript>)");
    ASSERT_TRUE(script.ok()) << script.error().ToString();
    sc.script = *script;
    sim::servers::DmServer server(sc);
    ASSERT_TRUE(server.Start().ok());
    dm::DmClientOptions co;
    co.wbxml = v.wbxml;
    co.http.tls.ca_file = Tls("ca.pem");
    co.generic_alerts = fumo.AlertSource();
    const std::string fw_before =
        h.dm_tree()
            .Get(dm::Caller::Device(), "./DevDetail/FwV")
            .items.at(0)
            .data;
    auto out =
        h.RunDmSession(kAccount, co,
                       (v.https ? "https://localhost:" : "http://127.0.0.1:") +
                           std::to_string(server.port()) + "/dm");
    ASSERT_TRUE(out.ok()) << out.error().ToString();
    EXPECT_TRUE(out->ok()) << (out->error ? out->error->ToString() : "");
    auto sessions = server.Sessions();
    ASSERT_EQ(sessions.size(), 1u);
    for (const auto& viol : sessions[0].violations)
      ADD_FAILURE() << viol.rule << ": " << viol.evidence;
    EXPECT_EQ(fumo.state(), 80);  // Update Failed / No Data
    EXPECT_EQ(h.dm_tree()
                  .Get(dm::Caller::Device(), "./DevDetail/FwV")
                  .items.at(0)
                  .data,
              fw_before);
    EXPECT_GE(h.card_mo()->CountEvents("scmo_written"), 1u)
        << h.StateJson()["events"].dump(1);
    h.PowerOff();
  }
  // The card itself, read by another card session over PC/SC.
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  sim::handset::card::CardSessionOptions o;
  o.pin1 = "1234";
  sim::handset::card::CardSession session(**reader, o);
  ASSERT_TRUE(session.Open().ok());
  ASSERT_TRUE(session.VerifyPin1("1234").ok());
  auto ef = session.SelectPath(codec::Bytes{0x3F, 0x00, 0x7F, 0x66, 0x6F, 0x01},
                               "EF.DM-MO-DMAcc");
  ASSERT_TRUE(ef.ok()) << ef.error().ToString();
  auto body = session.ReadBinary(*ef, 0, ef->size);
  ASSERT_TRUE(body.ok()) << body.error().ToString();
  while (!body->empty() && body->back() == 0xFF) body->pop_back();
  auto tnds = codec::DecodeWbxml(*body);
  ASSERT_TRUE(tnds.ok()) << tnds.error().ToString();
  const std::string xml = codec::SerializeXml(tnds->doc.get());
  EXPECT_NE(xml.find(kNewName), std::string::npos) << xml;
}

INSTANTIATE_TEST_SUITE_P(Transports, DmCardPcscTest,
                         ::testing::Values(Variant{false, false},
                                           Variant{false, true},
                                           Variant{true, false},
                                           Variant{true, true}),
                         VariantName);

}  // namespace
}  // namespace omaiop
