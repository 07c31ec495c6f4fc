// `omaiop dm client` run as a user would, against a scripted DM server in
// this process (HttpServer replying canned SyncML built with codec/syncml).
#include <gtest/gtest.h>

#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "codec/dm_auth.h"
#include "codec/syncml.h"
#include "harness/cli/cli_test_util.h"
#include "sim/network/http_server.h"

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

}  // namespace
}  // namespace omaiop::cli
