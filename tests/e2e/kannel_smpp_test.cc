// End-to-end: Kannel (Debian package `kannel`, an independent SMPP client and
// OTA push implementation) binds to our SMSC as an ESME; an OMA CP document
// POSTed to smsbox's /cgi-bin/sendota comes out of our SMSC as SMS segments
// that reassemble to a WSP push of application/vnd.wap.connectivity-wbxml on
// the WAP push port. bearerbox/smsbox must be installed (scripts/setup).
#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codec/sms_udh.h"
#include "codec/wsp_push.h"
#include "sim/process/child_process.h"
#include "sim/smsc/smpp_smsc.h"
#include "tests/e2e/kannel_util.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;
namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

TEST(KannelSmpp, SendotaArrivesAsSegmentsOfAWspPush) {
  const std::string bearerbox = "/usr/sbin/bearerbox";
  const std::string smsbox = "/usr/sbin/smsbox";
  ASSERT_EQ(access(bearerbox.c_str(), X_OK), 0)
      << "Kannel is missing: apt-get install kannel (scripts/setup does it)";
  ASSERT_EQ(access(smsbox.c_str(), X_OK), 0)
      << "Kannel is missing: apt-get install kannel (scripts/setup does it)";

  std::mutex mu;
  std::condition_variable cv;
  std::vector<sim::smsc::SmscSegment> segments;
  std::vector<std::string> trace;
  bool bound = false;

  sim::smsc::SmscConfig cfg;
  cfg.system_id = "kannel";
  cfg.password = "s3cret";
  sim::smsc::SmppSmsc smsc(cfg);
  smsc.SetTrace([&](const sim::smsc::SmscTraceEvent& e) {
    std::lock_guard lock(mu);
    trace.push_back(e.summary);
    if (e.direction == sim::smsc::SmscTraceEvent::Direction::kOut &&
        e.summary.rfind("bind_", 0) == 0 &&
        e.summary.find("status=ESME_ROK") != std::string::npos)
      bound = true;
    cv.notify_all();
  });
  smsc.RegisterHandset("4915550001", [&](const sim::smsc::SmscSegment& s) {
    std::lock_guard lock(mu);
    segments.push_back(s);
    cv.notify_all();
  });
  ASSERT_TRUE(smsc.Start().ok());

  char tmpl[] = "/tmp/omaiop_kannel_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const auto admin = omaiop::testing::FreeLoopbackPort(),
             box = omaiop::testing::FreeLoopbackPort(),
             sendsms = omaiop::testing::FreeLoopbackPort();
  {
    std::ofstream conf(dir / "kannel.conf");
    conf << "group = core\n"
         << "admin-port = " << admin << "\n"
         << "admin-password = adm1n\n"
         << "smsbox-port = " << box << "\n"
         << "box-allow-ip = \"127.0.0.1\"\n"
         << "log-file = \"" << (dir / "bearerbox.log").string() << "\"\n"
         << "log-level = 0\n\n"
         << "group = smsc\n"
         << "smsc = smpp\n"
         << "smsc-id = omaiop\n"
         << "host = 127.0.0.1\n"
         << "port = " << smsc.port() << "\n"
         << "transceiver-mode = true\n"
         << "smsc-username = kannel\n"
         << "smsc-password = s3cret\n"
         << "system-type = \"VMA\"\n\n"
         << "group = smsbox\n"
         << "bearerbox-host = 127.0.0.1\n"
         << "sendsms-port = " << sendsms << "\n"
         << "global-sender = 1234\n"
         << "log-file = \"" << (dir / "smsbox.log").string() << "\"\n"
         << "log-level = 0\n\n"
         << "group = sendsms-user\n"
         << "username = tester\n"
         << "password = foobar\n"
         << "concatenation = true\n"
         << "max-messages = 10\n";
  }
  const std::string conf = (dir / "kannel.conf").string();
  // Kannel logs to its own log files; its stdout/stderr go to /dev/null.
  auto bb = sim::process::ChildProcess::Start({bearerbox, conf});
  ASSERT_TRUE(bb.ok()) << bb.error().ToString();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 30s, [&] { return bound; }))
        << "Kannel did not bind; bearerbox.log:\n"
        << omaiop::testing::ReadFileText(dir / "bearerbox.log");
  }
  auto sb = sim::process::ChildProcess::Start({smsbox, conf});
  ASSERT_TRUE(sb.ok()) << sb.error().ToString();

  const std::string xml = omaiop::testing::ReadFileText(
      fs::path(OMAIOP_SOURCE_DIR) / "fixtures/cp/napdef_gprs_proxy.xml");
  ASSERT_FALSE(xml.empty());
  std::string resp;
  for (int i = 0; i < 100 && resp.empty(); ++i) {
    std::this_thread::sleep_for(200ms);
    resp = omaiop::testing::HttpRequest(
        sendsms, "POST", "/cgi-bin/sendota",
        {"Content-Type: text/vnd.wap.connectivity-xml",
         "X-Kannel-Username: tester", "X-Kannel-Password: foobar",
         "X-Kannel-To: 4915550001", "X-Kannel-From: 1234"},
        xml);
  }
  ASSERT_NE(resp.find(" 202 "), std::string::npos)
      << "sendota failed: " << resp << "\nsmsbox.log:\n"
      << omaiop::testing::ReadFileText(dir / "smsbox.log");

  // Collect segments until they reassemble.
  codec::SmsReassembler re;
  std::optional<codec::WdpDatagram> dgram;
  std::size_t used = 0;
  {
    std::unique_lock lock(mu);
    while (!dgram) {
      ASSERT_TRUE(
          cv.wait_for(lock, 30s, [&] { return segments.size() > used; }))
          << "no (further) segment; bearerbox.log:\n"
          << omaiop::testing::ReadFileText(dir / "bearerbox.log");
      for (; used < segments.size(); ++used) {
        EXPECT_LE(segments[used].user_data.size(), 140u);
        EXPECT_TRUE(segments[used].udhi);  // WDP ports need a UDH
        EXPECT_TRUE(segments[used].data_coding == 0x04 ||
                    segments[used].data_coding == 0xF5)
            << int(segments[used].data_coding);
        auto r = re.Add(segments[used].user_data);
        ASSERT_TRUE(r.ok()) << r.error().ToString();
        if (r->has_value()) dgram = **r;
      }
    }
  }
  EXPECT_EQ(dgram->dst_port, codec::kWdpPortWapPush);
  auto push = codec::ParseWspPush(dgram->payload);
  ASSERT_TRUE(push.ok()) << push.error().ToString();
  EXPECT_EQ(push->content_type.MediaName(),
            "application/vnd.wap.connectivity-wbxml");
  EXPECT_GT(push->body.size(), 20u);
  EXPECT_EQ(push->body[1], 0x0B);  // WBXML public id of the PROV 1.0 DTD
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace
}  // namespace omaiop
