// End-to-end: the smpp_push_server adapter against a real CP push server,
// Kannel 1.4.5 (Debian package `kannel`: bearerbox + smsbox with sendota),
// described by the shipped fixtures/iut/kannel.xml. Every CP case of the
// shipped suite runs through the Runner; the verdicts must be what Kannel
// really does (cp.md §2.3 "Kannel caveat", tests/e2e/kannel_sendota_test.cc):
//   CP-SRV-SEC-002 USERPIN     pass (MAC keyed with the PIN, as it must be)
//   CP-SRV-SEC-001 NETWPIN     fail naming the MAC rule (Kannel keys the MAC
//                              with the IMSI as ASCII text, not EF_IMSI
//                              semi-octets)
//   CP-SRV-SEC-003 USERPINMAC  none (kannel.xml: CP-SEC-USERPINMAC false)
//   CP-BOOT-SMS-001            pass (USERPIN push on WDP port 2948)
//   every role push_server case none (Kannel is not a handset).
// Kannel runs by PID on loopback ports with a temporary config (the IUT's
// ports are set to match), stopped when the test ends.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>
#include <thread>

#include "harness/adapters/smpp_push_server/smpp_push_server_adapter.h"
#include "harness/runner/runner.h"
#include "harness/script/iut.h"
#include "harness/script/selection.h"
#include "sim/process/child_process.h"
#include "tests/e2e/kannel_util.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;
namespace hs = harness::script;
using reports::Verdict;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

TEST(KannelAdapter, CpSuiteVerdictsMatchWhatKannelDoes) {
  const std::string bearerbox = "/usr/sbin/bearerbox",
                    smsbox = "/usr/sbin/smsbox";
  for (const auto& b : {bearerbox, smsbox})
    ASSERT_EQ(access(b.c_str(), X_OK), 0)
        << b
        << " is missing: Kannel is not installed. apt-get install kannel "
           "(scripts/setup does it)";

  auto iut =
      hs::LoadIut(omaiop::testing::SourcePath("fixtures/iut/kannel.xml"));
  ASSERT_TRUE(iut.ok()) << iut.error().ToString();
  const auto smsc_port = omaiop::testing::FreeLoopbackPort();
  const auto sendsms = omaiop::testing::FreeLoopbackPort();
  const auto admin = omaiop::testing::FreeLoopbackPort();
  const auto box = omaiop::testing::FreeLoopbackPort();
  std::string smpp_user, smpp_password, ota_user, ota_password;
  for (auto& a : iut->addresses) {
    if (a.name == "smsc") a.port = smsc_port;
    if (a.name == "sendota") a.port = sendsms;
  }
  for (const auto& c : iut->credentials) {
    if (c.name == "smpp") smpp_user = c.user, smpp_password = c.password;
    if (c.name == "sendota") ota_user = c.user, ota_password = c.password;
  }

  // omaiop's SMSC first (the adapter starts it with its first session; the
  // runner's adapter shares it), so Kannel binds at once.
  hs::TestCase probe;
  probe.id = "probe";
  probe.header.role = hs::Role::kHandset;
  harness::adapters::SmppPushServerAdapter adapter;
  {
    auto s = adapter.Open(probe, {*iut, {}},
                          std::make_shared<harness::adapters::Recorder>());
    ASSERT_TRUE(s.ok()) << s.error().ToString();
  }
  ASSERT_EQ(adapter.smsc_port(), smsc_port);

  char tmpl[] = "/tmp/omaiop_kannel_adapter_XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const fs::path dir = tmpl;
  const fs::path conf = dir / "kannel.conf";
  {
    std::ofstream c(conf);
    c << "group = core\nadmin-port = " << admin
      << "\nadmin-password = adm1n\nsmsbox-port = " << box
      << "\nbox-allow-ip = \"127.0.0.1\"\nlog-file = \""
      << (dir / "bearerbox.log").string() << "\"\nlog-level = 0\n\n"
      << "group = smsc\nsmsc = smpp\nsmsc-id = omaiop\nhost = 127.0.0.1\n"
      << "port = " << smsc_port << "\ntransceiver-mode = true\n"
      << "smsc-username = " << smpp_user
      << "\nsmsc-password = " << smpp_password
      << "\nsystem-type = \"VMA\"\nreconnect-delay = 1\n\n"
      << "group = smsbox\nbearerbox-host = 127.0.0.1\nsendsms-port = "
      << sendsms << "\nlog-file = \"" << (dir / "smsbox.log").string()
      << "\"\nlog-level = 0\n\n"
      << "group = sendsms-user\nusername = " << ota_user
      << "\npassword = " << ota_password
      << "\nconcatenation = true\nmax-messages = 10\n";
  }
  auto bb = sim::process::ChildProcess::Start(
      {bearerbox, conf.string()}, {(dir / "bearerbox.out").string(), ""});
  ASSERT_TRUE(bb.ok()) << bb.error().ToString();
  for (int i = 0; i < 200 && !adapter.esme_bound(); ++i)
    std::this_thread::sleep_for(100ms);
  ASSERT_TRUE(adapter.esme_bound())
      << "Kannel did not bind to omaiop's SMSC; bearerbox.log:\n"
      << omaiop::testing::ReadFileText(dir / "bearerbox.log");
  auto sb = sim::process::ChildProcess::Start(
      {smsbox, conf.string()}, {(dir / "smsbox.out").string(), ""});
  ASSERT_TRUE(sb.ok()) << sb.error().ToString();
  bool http_up = false;
  for (int i = 0; i < 100 && !http_up; ++i) {
    http_up = !omaiop::testing::HttpRequest(sendsms, "GET", "/cgi-bin/sendota",
                                            {}, "")
                   .empty();
    if (!http_up) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(http_up) << "smsbox HTTP port did not open; smsbox.log:\n"
                       << omaiop::testing::ReadFileText(dir / "smsbox.log");

  // The shipped CP suite through the Runner, as `omaiop run --iut` does.
  hs::LoadOptions lo;
  for (const auto& [k, v] : hs::IutVariables(*iut))
    lo.extra_variables.push_back(k);
  auto suite = hs::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
  ASSERT_TRUE(suite.ok()) << suite.error().ToString();
  hs::Filter f;
  f.id_filter = "CP-*";
  auto cases = hs::Select(suite->cases, f);
  harness::RunOptions o;
  o.iut = *iut;
  auto campaign = harness::RunCampaign(cases, o);

  std::map<std::string, const reports::CaseResult*> by_id;
  for (const auto& r : campaign.cases) by_id[r.id] = &r;
  auto verdicts = [&] {
    std::string s;
    for (const auto& r : campaign.cases)
      s += r.id + ": " + std::string(reports::VerdictName(r.verdict)) + " — " +
           r.reason + "\n";
    return s;
  };
  auto dump = [&] {
    return verdicts() + "bearerbox.log:\n" +
           omaiop::testing::ReadFileText(dir / "bearerbox.log");
  };
  ASSERT_TRUE(by_id.count("CP-SRV-SEC-001") && by_id.count("CP-SRV-SEC-002") &&
              by_id.count("CP-SRV-SEC-003") && by_id.count("CP-BOOT-SMS-001"))
      << dump();
  const auto& userpin = *by_id["CP-SRV-SEC-002"];
  EXPECT_EQ(userpin.verdict, Verdict::kPass) << dump();
  const auto& netwpin = *by_id["CP-SRV-SEC-001"];
  EXPECT_EQ(netwpin.verdict, Verdict::kFail) << dump();
  EXPECT_THAT(netwpin.rule, HasSubstr("B-C-006")) << netwpin.reason;
  EXPECT_THAT(netwpin.rule, HasSubstr("MAC")) << netwpin.reason;
  EXPECT_THAT(netwpin.reason, HasSubstr("mac_verified"));
  const auto& userpinmac = *by_id["CP-SRV-SEC-003"];
  EXPECT_EQ(userpinmac.verdict, Verdict::kNone);
  EXPECT_THAT(userpinmac.reason, HasSubstr("CP-SEC-USERPINMAC is false"));
  EXPECT_EQ(by_id["CP-BOOT-SMS-001"]->verdict, Verdict::kPass) << dump();
  // What Kannel sent is in the trace: its submit_sm PDUs, as received.
  bool submit = false;
  for (const auto& e : netwpin.trace)
    submit |= e.kind == reports::kind::kSmppPdu &&
              e.summary.find("submit_sm") != std::string::npos;
  EXPECT_TRUE(submit);
  // Kannel is no handset: every role push_server case is not applicable.
  for (const auto& r : campaign.cases) {
    const bool handset_role =
        r.id.rfind("CP-SRV-", 0) == 0 || r.id == "CP-BOOT-SMS-001";
    if (!handset_role) {
      EXPECT_EQ(r.verdict, Verdict::kNone) << r.id << ": " << r.reason;
    }
  }
  std::cout << "[kannel-adapter]\n" << verdicts();
  sb->Stop();
  bb->Stop();
  if (!HasFailure()) {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
}

}  // namespace
}  // namespace omaiop
