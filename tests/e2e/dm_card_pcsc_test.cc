// DM Smart Card end to end (issue 5, item 4): the simulated handset reads
// its card through pcscd + vsmartcard-vpcd (the PC/SC path, not the
// in-process reader), applies the card's DM bootstrap (EF DM_Bootstrap via
// PKCS#15 DODF OID 2.23.43.7.1, dm.md §1.2/§1.3), and then runs DM sessions
// with the account the card gave it against omaiop's simulated DM server over
// real HTTP and HTTPS on loopback, in XML and in WBXML (dm.md §3.1/§3.2),
// with MD5 digest both ways (dm.md §3.7). Each test starts pcscd (private
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

#include "sim/handset/dm/session.h"
#include "sim/handset/handset.h"
#include "sim/reader/pcsc_reader.h"
#include "sim/reader/pcscd_process.h"
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
    ASSERT_TRUE(WaitForCard(false)) << "reader already holds a card";
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

INSTANTIATE_TEST_SUITE_P(Transports, DmCardPcscTest,
                         ::testing::Values(Variant{false, false},
                                           Variant{false, true},
                                           Variant{true, false},
                                           Variant{true, true}),
                         VariantName);

}  // namespace
}  // namespace omaiop
