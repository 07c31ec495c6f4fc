// `omaiop dm client` run as a user would, against a scripted DM server in
// this process (HttpServer replying canned SyncML built with codec/syncml).
#include <gtest/gtest.h>

#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "codec/dm_auth.h"
#include "codec/syncml.h"
#include "harness/cli/cli_test_util.h"
#include "sim/network/http_server.h"
#include "sim/servers/dm_script.h"
#include "sim/servers/dm_server.h"

namespace omaiop::cli {
namespace {

using testing::Omaiop;

// Replies 212 + Get ./DevInfo/DevId to package 1 (when its MD5 Cred
// verifies with user "handset", secret "pw", nonce 0x01 0x02; else 401),
// then Status + Final.
class CannedServer {
 public:
  CannedServer()
      : server_({}, [this](const sim::network::HttpRequest& r,
                           const sim::network::PeerInfo&) {
          sim::network::HttpResponse resp;
          auto m = codec::SyncMlFromXml(r.body);
          if (!m.ok()) {
            resp.status = 400;
            return resp;
          }
          std::lock_guard<std::mutex> l(mu_);
          ++count_;
          bool cred_ok = m->hdr.cred && codec::VerifyMd5Credential(
                                            m->hdr.cred->data, "handset", "pw",
                                            codec::Bytes{1, 2});
          codec::SyncMlMessage out;
          out.hdr.session_id = m->hdr.session_id;
          out.hdr.msg_id = std::to_string(count_);
          out.hdr.target.loc_uri = m->hdr.source.loc_uri;
          out.hdr.source.loc_uri = m->hdr.target.loc_uri;
          out.body.final = true;
          if (count_ == 1) {
            out.body.commands.push_back(
                codec::BuildSyncHdrStatus(m->hdr, "1", cred_ok ? 212 : 401));
            codec::Command get;
            get.type = codec::CommandType::kGet;
            get.cmd_id = "2";
            codec::Item it;
            it.target = codec::LocInfo{"./DevInfo/DevId", {}};
            get.items.push_back(it);
            if (cred_ok) out.body.commands.push_back(get);
          } else {
            out.body.commands.push_back(
                codec::BuildSyncHdrStatus(m->hdr, "1", 200));
          }
          resp.body = codec::SyncMlToXml(out);
          resp.headers.push_back(
              {"Content-Type", "application/vnd.syncml.dm+xml"});
          return resp;
        }) {
    EXPECT_TRUE(server_.Start().ok());
  }
  std::string url() const { return server_.BaseUrl() + "/dm"; }

 private:
  std::mutex mu_;
  int count_ = 0;
  sim::network::HttpServer server_;
};

TEST(DmClientCli, ClientSessionJson) {
  CannedServer srv;
  auto r = Omaiop("dm client --server " + srv.url() +
                  " --secret pw --nonce 0102 --dev-id IMEI:1 --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_TRUE(j["completed"].get<bool>());
  EXPECT_EQ(j["messages"].size(), 4u);
  ASSERT_EQ(j["commands"].size(), 1u);
  EXPECT_EQ(j["commands"][0]["cmd"], "Get");
  EXPECT_EQ(j["commands"][0]["code"], 200);
  // The Results carried the DevId given on the command line.
  EXPECT_NE(j["messages"][2]["xml"].get<std::string>().find("IMEI:1"),
            std::string::npos);
}

TEST(DmClientCli, RefusedCredentialsExitOne) {
  CannedServer srv;
  auto r = Omaiop("dm client --server " + srv.url() + " --secret wrong");
  EXPECT_EQ(r.exit_code, 1) << r.out;
  EXPECT_NE(r.out.find("client_auth_failed"), std::string::npos) << r.out;
}

TEST(DmClientCli, UnreachableServerIsInconclusive) {
  auto r = Omaiop("dm client --server http://127.0.0.1:1/dm --secret pw");
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

// --- card mode: --profile ----------------------------------------------------
// The peer is the in-process DmServer configured with the credentials of the
// DM bootstrap on fixtures/uicc/uicc-3g.xml (fixtures/dm/bootstrap_dmacc.xml:
// ServerID dm.operator.example, CLCRED DIGEST device/clientpwd, SRVCRED
// DIGEST serverpwd). The server checks the Generic Alert against the
// script's <ExpectAlert>; the test reads the CLI's JSON lines.

constexpr char kFumoScript[] = R"(<DmScript>
  <Package>
    <Replace expect="200"><Item target="./FUMO/Update/PkgData" format="b64">%PKG%</Item></Replace>
    <Exec expect="202" correlator="cli-7"><Item target="./FUMO/Update"/></Exec>
    <ExpectAlert source="./FUMO/Update" data="%RC%" format="int" correlator="cli-7"
      type="org.openmobilealliance.dm.firmwareupdate.update"/>
  </Package>
</DmScript>)";

class CardPeer {
 public:
  CardPeer(const std::string& pkg, const std::string& rc) {
    std::string s = kFumoScript;
    s.replace(s.find("%PKG%"), 5, codec::Base64Encode(codec::AsBytes(pkg)));
    s.replace(s.find("%RC%"), 4, rc);
    auto script = sim::servers::ParseDmScript(s);
    EXPECT_TRUE(script.ok());
    sim::servers::DmServerConfig c;
    c.server_id = "dm.operator.example";
    c.client_auth = sim::servers::DmAuthMode::kDigest;
    c.username = "device";
    c.password = "clientpwd";
    c.server_cred = codec::DmAuthType::kMd5;
    c.server_password = "serverpwd";
    c.script = *script;
    server_ = std::make_unique<sim::servers::DmServer>(c);
    EXPECT_TRUE(server_->Start().ok());
  }
  std::string url() const { return server_->BaseUrl() + "/dm"; }
  std::vector<std::string> Violations() const {
    std::vector<std::string> v;
    for (const auto& s : server_->Sessions())
      for (const auto& x : s.violations)
        v.push_back(x.rule + ": " + x.evidence);
    return v;
  }
  std::size_t sessions() const { return server_->Sessions().size(); }

 private:
  std::unique_ptr<sim::servers::DmServer> server_;
};

std::vector<nlohmann::json> JsonLines(const std::string& out) {
  std::vector<nlohmann::json> v;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    if (!j.is_discarded()) v.push_back(j);
  }
  return v;
}

std::vector<nlohmann::json> OfType(const std::vector<nlohmann::json>& v,
                                   const std::string& type) {
  std::vector<nlohmann::json> out;
  for (const auto& j : v)
    if (j["type"] == type) out.push_back(j);
  return out;
}

TEST(DmClientCardCli, AllowedPackageIsUpdatedAndReported200) {
  CardPeer peer("test", "200");  // SHA-256("test") is record 1 of the card
  auto r = Omaiop("dm client --profile uicc-3g --pin1 1234 --server " +
                  peer.url() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto lines = JsonLines(r.out);
  auto account = OfType(lines, "account");
  ASSERT_EQ(account.size(), 1u);
  EXPECT_EQ(account[0]["uri"], "./DMAcc/OperatorDM");
  EXPECT_EQ(account[0]["server_id"], "dm.operator.example");
  EXPECT_EQ(account[0]["card_address"], "https://dm.operator.example/dm");
  EXPECT_EQ(account[0]["server_url"], peer.url());
  auto alerts = OfType(lines, "generic_alert");
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0]["data"], "200");
  EXPECT_EQ(alerts[0]["correlator"], "cli-7");
  EXPECT_EQ(alerts[0]["server_status"], 200);
  bool exec202 = false;
  for (const auto& c : OfType(lines, "command"))
    if (c["cmd"] == "Exec" && c["code"] == 202) exec202 = true;
  EXPECT_TRUE(exec202) << r.out;
  auto out = OfType(lines, "outcome");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["verdict"], "completed");
  EXPECT_EQ(out[0]["fumo_state"], 100);
  EXPECT_TRUE(out[0]["server_authenticated"].get<bool>());
  EXPECT_GE(OfType(lines, "message").size(), 4u);
  bool authorised = false;
  for (const auto& e : OfType(lines, "event"))
    if (e["source"] == "fumo" && e["kind"] == "fumo_authorised")
      authorised = true;
  EXPECT_TRUE(authorised);
  EXPECT_EQ(peer.sessions(), 1u);
  EXPECT_TRUE(peer.Violations().empty())
      << ::testing::PrintToString(peer.Violations());
}

TEST(DmClientCardCli, UnlistedPackageOverWbxmlIsRefused404) {
  CardPeer peer("rogue firmware", "404");
  auto r = Omaiop("dm client --profile uicc-3g --pin1 1234 --wbxml --server " +
                  peer.url());
  ASSERT_EQ(r.exit_code, 0) << r.out;  // the session itself completed
  EXPECT_NE(r.out.find("application/vnd.syncml.dm+wbxml"), std::string::npos);
  EXPECT_NE(r.out.find("data 404"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("fumo_refused"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("FUMO State 80"), std::string::npos) << r.out;
  EXPECT_TRUE(peer.Violations().empty())
      << ::testing::PrintToString(peer.Violations());
}

TEST(DmClientCardCli, WithoutPin1TheCardUnavailableCodeIsSent) {
  CardPeer peer("test", "405");
  auto r =
      Omaiop("dm client --profile uicc-3g --server " + peer.url() + " --json");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  auto lines = JsonLines(r.out);
  auto out = OfType(lines, "outcome");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0]["fumo_state"], 70);
  EXPECT_EQ(out[0]["firmware_version"], "1.0.0");
  EXPECT_TRUE(peer.Violations().empty())
      << ::testing::PrintToString(peer.Violations());
}

TEST(DmClientCardCli, OptionsChangeTheDecision) {
  {
    CardPeer peer("rogue firmware", "200");
    auto r = Omaiop("dm client --profile uicc-3g --no-card-auth --server " +
                    peer.url());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(peer.Violations().empty())
        << ::testing::PrintToString(peer.Violations());
  }
  {
    CardPeer peer("rogue firmware", "450");
    auto r = Omaiop(
        "dm client --profile uicc-3g --pin1 1234 --fumo-code-no-match 450 "
        "--server " +
        peer.url());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_TRUE(peer.Violations().empty())
        << ::testing::PrintToString(peer.Violations());
  }
  {
    // Reported at the next session: nothing in this one, so the server's
    // expectation is unmet.
    CardPeer peer("test", "200");
    auto r = Omaiop(
        "dm client --profile uicc-3g --pin1 1234 --fumo-report next "
        "--server " +
        peer.url());
    ASSERT_EQ(r.exit_code, 0) << r.out;
    EXPECT_NE(r.out.find("operation pending"), std::string::npos) << r.out;
    auto v = peer.Violations();
    ASSERT_EQ(v.size(), 1u) << ::testing::PrintToString(v);
    EXPECT_EQ(v[0].rfind("script.expect.alert", 0), 0u) << v[0];
  }
}

TEST(DmClientCardCli, SetupErrorsAndHelp) {
  auto r = Omaiop("dm client --profile no-such-card --server http://x/dm");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  r = Omaiop(
      "dm client --reader omaiop-no-such-reader-xyz --server http://x/dm");
  EXPECT_EQ(r.exit_code, 3) << r.out;  // no pcscd, or no such reader
  EXPECT_NE(r.out.find("--reader"), std::string::npos) << r.out;
  r = Omaiop("dm client --secret pw");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("--server is required"), std::string::npos) << r.out;
  r = Omaiop("dm client --profile uicc-3g --reader x --server http://x/dm");
  EXPECT_NE(r.exit_code, 0) << r.out;  // mutually exclusive
  r = Omaiop("dm client --help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt :
       {"--profile", "--reader", "--pin1", "--account", "--fumo-report",
        "--no-card-auth", "--fumo-code-no-match",
        "--fumo-code-card-unavailable", "--wbxml", "--json"})
    EXPECT_NE(r.out.find(opt), std::string::npos) << opt;
}

}  // namespace
}  // namespace omaiop::cli
