// `omaiop dm faults` / `omaiop dm server` run as a user would; the server is
// driven by a canned SyncML client over a real socket.
#include <gtest/gtest.h>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "codec/dm_auth.h"
#include "codec/syncml.h"
#include "harness/cli/cli_test_util.h"
#include "sim/network/http_client.h"
#include "sim/servers/dm_faults.h"

namespace {

using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
namespace codec = omaiop::codec;
namespace network = omaiop::sim::network;

TEST(DmCli, FaultsListsEveryKnob) {
  auto r = Omaiop("dm faults");
  ASSERT_EQ(r.exit_code, 0) << r.out;
  for (const auto& f : omaiop::sim::servers::AllDmFaults()) {
    EXPECT_NE(r.out.find(std::string(f.name) + "  ["), std::string::npos)
        << f.name;
    EXPECT_NE(r.out.find(std::string(f.rule)), std::string::npos) << f.name;
  }
  EXPECT_NE(r.out.find("wrong-digest  [security; client must challenge / "
                       "re-authenticate]"),
            std::string::npos);
  auto j = Omaiop("dm faults --json");
  ASSERT_EQ(j.exit_code, 0);
  auto arr = nlohmann::json::parse(j.out);
  ASSERT_EQ(arr.size(), omaiop::sim::servers::AllDmFaults().size());
  for (const auto& f : arr)
    for (const char* key :
         {"name", "layer", "description", "rule", "client_must", "expected"})
      EXPECT_FALSE(f[key].get<std::string>().empty()) << key;
}

// Runs `omaiop dm server ARGS`, reads its first line, runs `drive(url)`,
// then collects the rest of its output and its exit status.
struct ServerRun {
  std::string first, rest;
  int exit_code = -1;
};
template <typename F>
ServerRun RunServer(const std::string& args, F drive) {
  ServerRun r;
  std::string cmd = std::string(OMAIOP_BINARY) + " dm server " + args;
  FILE* p = popen(cmd.c_str(), "r");
  EXPECT_NE(p, nullptr);
  char buf[65536];
  if (fgets(buf, sizeof buf, p)) r.first = buf;
  drive(r.first);
  while (fgets(buf, sizeof buf, p)) r.rest += buf;
  int st = pclose(p);
  r.exit_code = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
  return r;
}

std::string Post(network::HttpSession& http, const std::string& url,
                 const codec::SyncMlMessage& m) {
  network::HttpRequest req;
  req.method = "POST";
  req.url = url;
  req.headers.push_back({"Content-Type", "application/vnd.syncml.dm+xml"});
  req.body = codec::SyncMlToXml(m);
  auto resp = http.Fetch(req);
  EXPECT_TRUE(resp.ok());
  return resp.ok() ? resp->body : "";
}

codec::SyncMlMessage Pkg1() {
  codec::ClientPackage1 p;
  p.session_id = "77";
  p.server_uri = "http://x/dm";
  p.device_id = "IMEI:1";
  p.devinfo = {{"DevId", "IMEI:1"},
               {"Man", "m"},
               {"Mod", "d"},
               {"DmV", "1.2"},
               {"Lang", "en"}};
  return codec::BuildClientPackage1(p);
}

TEST(DmCli, ServerJsonOneSessionThenExits) {
  auto r = RunServer("--port 0 --count 1 --json --script " +
                         Src("fixtures/dm/scripts/get_replace_exec.xml"),
                     [](const std::string& first) {
                       auto j = nlohmann::json::parse(first);
                       std::string url = j["url"];
                       network::HttpSession http;
                       // Package 1, then a package 3 that answers nothing: the
                       // server must report every missing Status; then the
                       // client goes on.
                       auto p2 = codec::SyncMlFromXml(Post(http, url, Pkg1()));
                       ASSERT_TRUE(p2.ok());
                       codec::SyncMlMessage m;
                       m.hdr.session_id = "77";
                       m.hdr.msg_id = "2";
                       m.hdr.target = {"http://x/dm", {}};
                       m.hdr.source = {"IMEI:1", {}};
                       m.body.final = true;
                       auto p4 = codec::SyncMlFromXml(Post(http, url, m));
                       ASSERT_TRUE(p4.ok());
                       m.hdr.msg_id = "3";
                       Post(http, url, m);
                     });
  EXPECT_EQ(r.exit_code, 1) << r.rest;  // the client broke rules
  std::istringstream lines(r.rest);
  std::string line;
  int messages = 0, missing = 0, ends = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    if (j["type"] == "message") {
      ++messages;
      EXPECT_NE(j["xml"].get<std::string>().find("<SyncHdr>"),
                std::string::npos);
    } else if (j["type"] == "violation") {
      EXPECT_FALSE(j["spec"].get<std::string>().empty());
      if (j["rule"] == "dm.status.missing") ++missing;
    } else if (j["type"] == "session_end") {
      ++ends;
    }
  }
  EXPECT_EQ(messages, 6);
  // pkg2: SyncHdr, Get, Replace, Exec; pkg4: SyncHdr, Atomic, Add, Delete,
  // Alert.
  EXPECT_EQ(missing, 4 + 5);
  EXPECT_EQ(ends, 1);
}

TEST(DmCli, ServerTextModeCleanSessionExitsZero) {
  auto r = RunServer("--port 0 --count 1", [](const std::string& first) {
    auto pos = first.find("http://");
    ASSERT_NE(pos, std::string::npos) << first;
    std::string url = first.substr(pos, first.find(' ', pos) - pos);
    network::HttpSession http;
    Post(http, url, Pkg1());
  });
  EXPECT_EQ(r.exit_code, 0) << r.rest;
  EXPECT_NE(r.rest.find("client -> server"), std::string::npos) << r.rest;
  EXPECT_NE(r.rest.find("<Data>1201</Data>"), std::string::npos);
  EXPECT_NE(r.rest.find("ended (0 violation(s))"), std::string::npos);
}

TEST(DmCli, ServerHttpsWithDigestChallenge) {
  auto r = RunServer(
      "--port 0 --count 1 --json --auth digest --username dev --password pw "
      "--tls-cert " +
          Src("fixtures/tls/server.pem") + " --tls-key " +
          Src("fixtures/tls/server.key"),
      [](const std::string& first) {
        std::string url = nlohmann::json::parse(first)["url"];
        ASSERT_EQ(url.rfind("https://", 0), 0u) << url;
        network::HttpClientOptions o;
        o.tls.ca_file = Src("fixtures/tls/ca.pem");
        network::HttpSession http(o);
        auto p2 = codec::SyncMlFromXml(Post(http, url, Pkg1()));
        ASSERT_TRUE(p2.ok());
        const auto& st = p2->body.commands.at(0);
        ASSERT_EQ(st.Code(), 407);
        ASSERT_TRUE(st.chal && st.chal->meta.next_nonce);
        auto nonce = codec::DecodeNextNonce(*st.chal->meta.next_nonce);
        ASSERT_TRUE(nonce.ok());
        auto m = Pkg1();
        m.hdr.msg_id = "2";
        m.hdr.cred = codec::Cred{codec::Meta{},
                                 codec::Md5Credential("dev", "pw", *nonce)};
        m.hdr.cred->meta->type = "syncml:auth-md5";
        m.body.commands.insert(m.body.commands.begin(),
                               codec::BuildSyncHdrStatus(p2->hdr, "9", 200));
        auto p4 = codec::SyncMlFromXml(Post(http, url, m));
        ASSERT_TRUE(p4.ok());
        EXPECT_EQ(p4->body.commands.at(0).Code(), 212);
      });
  // The only rule broken: the first package 1 had no credentials.
  EXPECT_EQ(r.exit_code, 1) << r.rest;
  EXPECT_NE(r.rest.find("\"rule\":\"dm.auth.missing-cred\""), std::string::npos)
      << r.rest;
  EXPECT_EQ(r.rest.find("dm.auth.wrong-cred"), std::string::npos);
  EXPECT_NE(r.rest.find("\"type\":\"session_end\""), std::string::npos);
}

TEST(DmCli, ServerRejectsUnknownFault) {
  auto r = Omaiop("dm server --fault nope --count 1");
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_NE(r.out.find("unknown fault 'nope'"), std::string::npos);
}

// Two omaiop processes: `dm server` plays the FUMO script (Replace PkgData,
// Exec Update with a Correlator, <ExpectAlert> 1226 / 200) and `dm client
// --profile uicc-3g` answers it, the card authorising the package.
TEST(DmCli, ServerChecksTheFumoAlertOfTheCardClient) {
  std::string client_out;
  int client_exit = -1;
  auto r = RunServer(
      "--port 0 --count 1 --json --server-id dm.operator.example --auth "
      "digest --username device --password clientpwd --server-auth digest "
      "--server-password serverpwd --script " +
          Src("fixtures/dm/scripts/fumo_card_update.xml"),
      [&](const std::string& first) {
        auto j = nlohmann::json::parse(first);
        std::string url = j["url"];
        auto c = Omaiop("dm client --profile uicc-3g --pin1 1234 --server " +
                        url + "/dm");
        client_out = c.out;
        client_exit = c.exit_code;
      });
  EXPECT_EQ(client_exit, 0) << client_out;
  EXPECT_EQ(r.exit_code, 0) << r.rest;  // no violation
  std::istringstream lines(r.rest);
  std::string line;
  int ends = 0;
  while (std::getline(lines, line)) {
    auto j = nlohmann::json::parse(line);
    EXPECT_NE(j["type"], "violation") << line;
    if (j["type"] != "session_end") continue;
    ++ends;
    ASSERT_EQ(j["client_alerts"].size(), 1u) << line;
    const auto& a = j["client_alerts"][0];
    EXPECT_EQ(a["code"], "1226");
    EXPECT_EQ(a["source"], "./FUMO/Update");
    EXPECT_EQ(a["data"], "200");
    EXPECT_EQ(a["correlator"], "fumo-1");
    EXPECT_EQ(a["meta_type"],
              "org.openmobilealliance.dm.firmwareupdate.update");
  }
  EXPECT_EQ(ends, 1);
}

}  // namespace

namespace interop {

// omaiop's two DM implementations, written independently (sim/servers
// dm_server and sim/handset/dm session), run against each other through
// their CLIs over real HTTP(S): digest authentication with a nonce update,
// three server packages, Atomic, a UI alert and an ACL denial, in XML and
// WBXML. The server checks every client message strictly (exit 1 on any
// broken rule, including a status the script does not expect); the client
// exits 0 only when the session completed.
struct Interop {
  ServerRun server;
  omaiop::cli::testing::CliRun client;
};
Interop RunPair(const std::string& extra_server,
                const std::string& extra_client) {
  Interop out;
  out.server = RunServer(
      "--port 0 --json --count 1 --auth digest --username handset "
      "--password secret --server-id omaiop-dms --script " +
          Src("fixtures/dm/scripts/handset_interop.xml") + " " + extra_server,
      [&](const std::string& first) {
        auto j = nlohmann::json::parse(first, nullptr, false);
        ASSERT_FALSE(j.is_discarded()) << first;
        out.client =
            Omaiop("dm client --server " + j["url"].get<std::string>() +
                   " --server-id omaiop-dms --auth md5 --user "
                   "handset --secret secret " +
                   extra_client);
      });
  return out;
}

void ExpectCleanSession(const Interop& r) {
  EXPECT_EQ(r.client.exit_code, 0) << r.client.out;
  EXPECT_EQ(r.server.exit_code, 0) << r.server.rest;
  EXPECT_EQ(r.server.rest.find("\"type\":\"violation\""), std::string::npos)
      << r.server.rest;
  EXPECT_NE(r.server.rest.find("\"authenticated\":true"), std::string::npos)
      << r.server.rest;
  EXPECT_NE(r.client.out.find("client_auth_accepted"), std::string::npos)
      << r.client.out;
  EXPECT_NE(r.client.out.find("Atomic"), std::string::npos) << r.client.out;
  EXPECT_NE(r.client.out.find("user_alert"), std::string::npos) << r.client.out;
}

TEST(DmInterop, OurClientAgainstOurServerXml) {
  ExpectCleanSession(RunPair("", ""));
}

TEST(DmInterop, OurClientAgainstOurServerWbxml) {
  Interop r = RunPair("", "--wbxml");
  ExpectCleanSession(r);
  EXPECT_NE(r.server.rest.find("wbxml"), std::string::npos) << r.server.rest;
}

TEST(DmInterop, OurClientAgainstOurServerHttps) {
  ExpectCleanSession(RunPair("--tls-cert " + Src("fixtures/tls/server.pem") +
                                 " --tls-key " + Src("fixtures/tls/server.key"),
                             "--ca " + Src("fixtures/tls/ca.pem")));
}

}  // namespace interop
