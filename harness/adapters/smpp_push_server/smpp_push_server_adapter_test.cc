// The smpp_push_server adapter against an in-process fake push server: an
// HTTP front (sim/network HttpServer, the IUT's url trigger) that composes
// the requested push with sim/servers CpPushServer and submits it as an
// SMPP ESME (sim/smsc SmppEsme) to the adapter's SMSC, the way Kannel's
// sendota does. The shipped role-handset cases run through the Runner; a
// fault the fake server is told to commit (the IUT's defect) must turn the
// verdict to fail naming the MAC rule.
#include "harness/adapters/smpp_push_server/smpp_push_server_adapter.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "harness/adapters/common/handset_judge.h"
#include "harness/runner/runner.h"
#include "harness/script/selection.h"
#include "sim/network/http_server.h"
#include "sim/servers/cp_push_server.h"
#include "sim/servers/faults.h"
#include "sim/smsc/smpp_esme.h"
#include "tests/test_util.h"

namespace omaiop::harness::adapters {
namespace {

using reports::Verdict;
using ::testing::HasSubstr;
namespace net = sim::network;

std::map<std::string, std::string> Query(const std::string& target) {
  std::map<std::string, std::string> q;
  auto at = target.find('?');
  if (at == std::string::npos) return q;
  std::string s = target.substr(at + 1);
  std::size_t pos = 0;
  while (pos <= s.size()) {
    std::size_t amp = s.find('&', pos);
    if (amp == std::string::npos) amp = s.size();
    std::string kv = s.substr(pos, amp - pos);
    auto eq = kv.find('=');
    auto decode = [](std::string v) {
      std::string out;
      for (std::size_t i = 0; i < v.size(); ++i) {
        if (v[i] == '%' && i + 2 < v.size()) {
          out += static_cast<char>(std::stoi(v.substr(i + 1, 2), nullptr, 16));
          i += 2;
        } else {
          out += v[i];
        }
      }
      return out;
    };
    if (eq != std::string::npos)
      q[kv.substr(0, eq)] = decode(kv.substr(eq + 1));
    pos = amp + 1;
  }
  return q;
}

// The fake CP push server (the IUT).
class FakePushServer {
 public:
  FakePushServer()
      : http_({}, [this](const net::HttpRequest& r, const net::PeerInfo&) {
          return Handle(r);
        }) {
    EXPECT_TRUE(http_.Start().ok());
  }
  std::uint16_t port() const { return http_.port(); }
  std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  net::HttpResponse Handle(const net::HttpRequest& r) {
    {
      std::lock_guard lock(mu_);
      requests_.push_back(r.url);
    }
    auto q = Query(r.url);
    net::HttpResponse resp;
    sim::servers::ComposeOptions o;
    o.sec = SecByName(q["sec"]);
    o.imsi = q["imsi"];
    o.pin = q["pin"];
    if (!q["fault"].empty())
      o.faults.push_back(*sim::servers::FaultByName(q["fault"]));
    auto push = sim::servers::CpPushServer().Compose(
        omaiop::testing::ReadFileText(q["doc"]), o);
    if (!push.ok()) {
      resp.status = 500;
      resp.body = push.error().ToString();
      return resp;
    }
    sim::smsc::EsmeConfig c;
    c.port = static_cast<std::uint16_t>(std::stoi(q["smsc"]));
    c.system_id = "fakeppg";
    c.password = "pw";
    c.timeout = std::chrono::seconds(5);
    sim::smsc::SmppEsme esme(c);
    if (auto st = esme.Connect(); !st.ok()) {
      resp.status = 503;
      resp.body = st.error().ToString();
      return resp;
    }
    auto ids = esme.SubmitSegments(push->segments, q["to"],
                                   sim::smsc::SubmitMode::kUdh);
    (void)esme.Unbind();
    resp.status = ids.ok() ? 202 : 503;
    nlohmann::json j;
    j["user_pin"] = push->user_pin ? nlohmann::json(*push->user_pin)
                                   : nlohmann::json(nullptr);
    resp.body = j.dump() + "\n";
    return resp;
  }

  std::mutex mu_;
  std::vector<std::string> requests_;
  net::HttpServer http_;
};

script::Iut FakeIut(std::uint16_t http_port, std::string fault = {}) {
  script::Iut iut;
  iut.name = "fake push server";
  iut.adapter = script::AdapterKind::kSmppPushServer;
  for (const char* item :
       {"CP-BOOT", "CP-SEC-NETWPIN", "CP-SEC-USERPIN", "CP-SEC-USERPINMAC"})
    iut.pics[item] = "true";
  iut.pics["SMS-MAX-SEGMENTS"] = "8";
  iut.addresses.push_back({"smsc", "127.0.0.1", 0, "", ""});
  iut.credentials.push_back({"smpp", "fakeppg", "pw", ""});
  script::IutTrigger t;
  t.name = "push";
  t.kind = script::IutTrigger::Kind::kUrl;
  t.text = "http://127.0.0.1:" + std::to_string(http_port) +
           "/push?to=${MSISDN}&sec=${SEC}&pin=${PIN}&imsi=${IMSI}"
           "&smsc=${SMSC_PORT}&doc=${DOCUMENT_FILE}&fault=${IUT.fault}";
  iut.triggers.push_back(t);
  iut.params["fault"] = std::move(fault);
  return iut;
}

class SmppPushServerAdapterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    script::LoadOptions lo;
    for (const auto& [k, v] : script::IutVariables(FakeIut(1, "")))
      lo.extra_variables.push_back(k);
    auto suite =
        script::LoadSuite(omaiop::testing::SourcePath("testcases"), lo);
    ASSERT_TRUE(suite.ok()) << suite.error().ToString();
    suite_ = std::move(*suite);
  }
  reports::Campaign Run(const std::vector<std::string>& ids,
                        const script::Iut& iut,
                        std::vector<std::string> faults = {}) {
    std::vector<const script::TestCase*> cases;
    for (const auto& tc : suite_.cases)
      for (const auto& id : ids)
        if (tc.id == id) cases.push_back(&tc);
    EXPECT_EQ(cases.size(), ids.size());
    RunOptions o;
    o.iut = iut;
    o.faults = std::move(faults);
    return RunCampaign(cases, o);
  }
  static const reports::CaseResult& Case(const reports::Campaign& c,
                                         const std::string& id) {
    for (const auto& r : c.cases)
      if (r.id == id) return r;
    static reports::CaseResult none;
    ADD_FAILURE() << "no result for " << id;
    return none;
  }
  script::Suite suite_;
};

TEST_F(SmppPushServerAdapterTest, ConformantServerPassesEveryHandsetCase) {
  FakePushServer server;
  auto c = Run(
      {"CP-SRV-SEC-001", "CP-SRV-SEC-002", "CP-SRV-SEC-003", "CP-BOOT-SMS-001"},
      FakeIut(server.port()));
  for (const auto& r : c.cases)
    EXPECT_EQ(r.verdict, Verdict::kPass) << r.id << ": " << r.reason;
  // Each case triggered the server once, for its own handset.
  EXPECT_EQ(server.requests().size(), 4u);
  // The trace holds the SMPP PDUs, segments, the WSP push and decisions.
  const auto& r = Case(c, "CP-SRV-SEC-002");
  std::map<std::string, int> kinds;
  bool submit = false, mac_verified = false;
  for (const auto& e : r.trace) {
    ++kinds[e.kind];
    if (e.kind == reports::kind::kSmppPdu &&
        e.summary.find("submit_sm") != std::string::npos && !e.raw.empty())
      submit = true;
    if (e.kind == reports::kind::kDecision &&
        e.summary.find("mac_verified") != std::string::npos)
      mac_verified = true;
  }
  EXPECT_TRUE(submit);
  EXPECT_TRUE(mac_verified);
  EXPECT_GE(kinds[reports::kind::kSmsSegment], 1);
  EXPECT_EQ(kinds[reports::kind::kWspPush], 1);
  EXPECT_EQ(kinds[reports::kind::kHttp], 1);
  EXPECT_GE(kinds[reports::kind::kUserAction], 1);  // the PIN prompt
}

TEST_F(SmppPushServerAdapterTest, ServerKeyingNetwpinWithAsciiImsiFails) {
  FakePushServer server;
  auto c = Run({"CP-SRV-SEC-001"}, FakeIut(server.port(), "ascii-imsi-key"));
  const auto& r = Case(c, "CP-SRV-SEC-001");
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_THAT(r.rule, HasSubstr("B-C-006"));
  EXPECT_THAT(r.reason, HasSubstr("mac_verified"));
  // The MAC in the received WSP push is highlighted.
  bool highlighted = false;
  for (const auto& e : r.trace)
    if (e.kind == reports::kind::kWspPush)
      for (const auto& h : e.highlights)
        highlighted |= h.why.find("MAC does not verify") != std::string::npos;
  EXPECT_TRUE(highlighted);
}

TEST_F(SmppPushServerAdapterTest, FaultsCannotBeInjectedIntoARealServer) {
  FakePushServer server;
  auto c = Run({"CP-SRV-SEC-002"}, FakeIut(server.port()), {"wrong-mac"});
  const auto& r = Case(c, "CP-SRV-SEC-002");
  EXPECT_EQ(r.verdict, Verdict::kInconc) << r.reason;
  EXPECT_THAT(r.reason, HasSubstr("cannot be injected"));
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(SmppPushServerAdapterTest, SilentServerFailsNamingDelivery) {
  // A trigger that answers but sends nothing: the push step fails once its
  // timeout is spent, saying no ESME ever bound.
  net::HttpServer mute({}, [](const net::HttpRequest&, const net::PeerInfo&) {
    net::HttpResponse r;
    r.status = 202;
    return r;
  });
  ASSERT_TRUE(mute.Start().ok());
  script::TestCase tc;
  for (const auto& t : suite_.cases)
    if (t.id == "CP-SRV-SEC-002") tc = t;
  for (auto& s : tc.steps) s.effective_timeout = std::chrono::milliseconds(800);
  SmppPushServerAdapter adapter;
  RunOptions o;
  o.iut = FakeIut(mute.port());
  auto inst = script::Expand(tc, {script::IutVariables(o.iut), 0});
  ASSERT_TRUE(inst.ok()) << inst.error().ToString();
  auto r = RunCaseInstance(inst->front(), adapter, o);
  EXPECT_EQ(r.verdict, Verdict::kFail) << r.reason;
  EXPECT_THAT(r.reason, HasSubstr("no push reached the handset"));
  EXPECT_THAT(r.reason, HasSubstr("no ESME ever bound"));
  EXPECT_NE(adapter.smsc_port(), 0);
}

TEST_F(SmppPushServerAdapterTest, PushServerRoleCasesAreNotSupported) {
  script::TestCase tc;
  for (const auto& t : suite_.cases)
    if (t.id == "CP-BOOT-SEC-003") tc = t;
  SmppPushServerAdapter adapter;
  auto s = adapter.Open(tc, {FakeIut(1), {}}, std::make_shared<Recorder>());
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rule, kRuleNotSupported);
}

}  // namespace
}  // namespace omaiop::harness::adapters
