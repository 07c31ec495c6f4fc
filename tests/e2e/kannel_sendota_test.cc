// End-to-end: Kannel's /cgi-bin/sendota (Debian package `kannel`, an
// independent OMA CP push server) sends each SEC method through our SMPP SMSC
// to our simulated handset (sim/handset/cp CpClient, registered under the
// destination MSISDN; it reassembles the segments itself). Each test asserts
// the decision a conformant handset must take for the bytes that actually
// arrived, and records (RecordProperty + a "[kannel-sendota]" line on
// stdout) whether Kannel's push passed and, if not, what Kannel got wrong,
// with the evidence: the WSP header octets and the received MAC next to the
// MACs recomputed here with OpenSSL's HMAC() directly (not through our
// codec) over the WBXML body as received.
//
// What Kannel 1.4.5 does (gw/ota_prov.c ota_pack_push_headers, gw/smsbox.c
// smsbox_sendota_post / smsbox_req_sendota; cp.md §2.3 "Kannel caveat"):
//   * oma-settings always carries SEC and MAC: Content-Type 1F 2D B6 91 <SEC>
//     92 <40 upper-case hex> 00. Without X-Kannel-SEC / sec= it defaults to
//     USERPIN, and without a PIN to "1234" (POST) / "12345" (GET); an
//     unknown sec value also becomes USERPIN. There is no unauthenticated
//     oma-settings push.
//   * MAC = HMAC-SHA1(key = the pin octets verbatim, WBXML body) for every
//     SEC value. cp.md §2.1 wants the packed IMSI (NETWPIN), IMSI || PIN
//     (USERNETWPIN) and, for USERPINMAC, a PIN K||m whose second half is
//     derived from HMAC(K, body): Kannel derives none of these.
// The operator can still drive Kannel to a conformant NETWPIN/USERNETWPIN
// push by passing the already-packed IMSI octets as the pin (URL-encoded in
// the GET form; the POST header form strips a leading TAB = 0x09, a common
// first IMSI octet). Tests below do both the naive and the pre-packed form.
//
// One Kannel (bearerbox + smsbox) and one SMSC serve the whole binary, so
// ctest runs it as one test (tests/e2e/CMakeLists.txt).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "codec/sms_udh.h"
#include "codec/wsp_push.h"
#include "sim/handset/cp/cp_client.h"
#include "sim/handset/cp/test_util.h"
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
using sim::handset::cp::CpClient;
using sim::handset::cp::CpClientOptions;
using sim::handset::cp::EventKind;
using sim::handset::cp::MacCheck;
using sim::handset::cp::PushOutcome;
using sim::handset::cp::ScriptedUser;
using sim::handset::cp::SettingsStore;
using sim::handset::cp::SmsMeta;

// The handset's IMSI and its EF_IMSI key octets: the cp.md §2.1 test vector,
// written out here so the expected NETWPIN MAC does not depend on our
// codec::ImsiToKey.
constexpr char kImsi[] = "262011234567890";
const codec::Bytes kImsiKey = {0x29, 0x26, 0x10, 0x21, 0x43, 0x65, 0x87, 0x09};
constexpr char kWrongImsi[] = "262011234567891";
constexpr char kUserPin[] = "1234";
constexpr char kSender[] = "1234";  // smsbox global-sender

using omaiop::testing::HttpRequest;

// application/x-www-form-urlencoded octets (RFC 3986 unreserved kept).
std::string UrlEncode(std::string_view s) {
  std::string out;
  char hex[4];
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      std::snprintf(hex, sizeof hex, "%%%02X", c);
      out += hex;
    }
  }
  return out;
}

// ---- independent MAC oracle (OpenSSL directly) ---------------------------

std::string HmacSha1HexOpenSsl(codec::ByteView key, codec::ByteView data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), key.data(), static_cast<int>(key.size()), data.data(),
       data.size(), md, &len);
  std::string hex;
  char b[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(b, sizeof b, "%02X", md[i]);
    hex += b;
  }
  return hex;
}

codec::Bytes Ascii(std::string_view s) {
  return codec::Bytes(s.begin(), s.end());
}

codec::Bytes Concat(codec::Bytes a, const codec::Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

// USERPINMAC second half (cp.md §2.1): m_i = HMAC-SHA1(K, body)[i] mod 10.
std::string UserPinMacHalf(std::string_view k, codec::ByteView body) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), k.data(), static_cast<int>(k.size()), body.data(),
       body.size(), md, &len);
  std::string m;
  for (std::size_t i = 0; i < k.size() && i < len; ++i)
    m += static_cast<char>('0' + md[i] % 10);
  return m;
}

std::string Spaced(codec::ByteView b) {
  std::string s;
  char h[4];
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::snprintf(h, sizeof h, i ? " %02X" : "%02X", b[i]);
    s += h;
  }
  return s;
}

// ---- the simulated handset behind our SMSC --------------------------------

// A CpClient registered at the SMSC under `msisdn`: every segment goes
// straight into OnSmsSegment (the client reassembles), on the SMSC thread.
class Handset {
 public:
  Handset(sim::smsc::SmppSmsc* smsc, std::string msisdn, std::string imsi,
          std::vector<std::optional<std::string>> pins)
      : smsc_(smsc),
        msisdn_(std::move(msisdn)),
        imsi_(std::move(imsi)),
        user_(std::move(pins)) {
    client_.SetImsiProvider(
        [this]() -> codec::Result<std::string> { return imsi_; });
    client_.SetUserAgent(&user_);
    smsc_->RegisterHandset(msisdn_, [this](const sim::smsc::SmscSegment& s) {
      std::lock_guard lock(mu_);
      segments_.push_back(s.user_data);
      auto o = client_.OnSmsSegment(s.user_data,
                                    SmsMeta{s.source_addr, s.destination_addr,
                                            std::chrono::system_clock::now()});
      if (o) outcomes_.push_back(std::move(*o));
      cv_.notify_all();
    });
  }
  ~Handset() { smsc_->UnregisterHandset(msisdn_); }
  Handset(const Handset&) = delete;
  Handset& operator=(const Handset&) = delete;

  const std::string& msisdn() const { return msisdn_; }

  // Waits for the outcome of the next completed datagram.
  std::optional<PushOutcome> Await(std::chrono::seconds timeout) {
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, timeout, [&] { return !outcomes_.empty(); }))
      return std::nullopt;
    return outcomes_.front();
  }
  std::vector<codec::Bytes> segments() {
    std::lock_guard lock(mu_);
    return segments_;
  }
  // Read after Await(): the SMSC thread is done with the client by then.
  const CpClient& client() const { return client_; }
  const ScriptedUser& user() const { return user_; }

 private:
  sim::smsc::SmppSmsc* smsc_;
  std::string msisdn_;
  std::string imsi_;
  ScriptedUser user_;
  CpClient client_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<codec::Bytes> segments_;
  std::vector<PushOutcome> outcomes_;
};

// What arrived, decoded independently of the handset (our codec for the
// framing; the MAC oracle below is OpenSSL).
struct Arrival {
  PushOutcome outcome;
  std::size_t segments = 0;
  codec::Bytes wsp_pdu;     // the reassembled WDP payload
  codec::Bytes wsp_header;  // TID .. end of headers
  codec::Bytes body;        // WBXML as received
  std::optional<std::uint32_t> sec;
  std::string mac;  // MAC parameter text as received
  std::string content_type;
};

struct SendotaRequest {
  std::string xml;
  std::optional<std::string> sec;  // X-Kannel-SEC / sec=; nullopt = omit
  std::optional<std::string> pin;  // X-Kannel-PIN / pin=; nullopt = omit
  bool use_get = false;  // GET ?text=... (pin may then hold any octet)
};

// ---- the fixture: one SMSC, one Kannel -----------------------------------

struct KannelEnv {
  std::unique_ptr<sim::smsc::SmppSmsc> smsc;
  std::optional<sim::process::ChildProcess> bearerbox, smsbox;
  fs::path dir;
  std::uint16_t sendsms = 0;
  std::mutex mu;
  std::condition_variable cv;
  bool bound = false;
  std::string error;  // set when the environment could not be built
};

class KannelSendota : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new KannelEnv;
    env_->error = StartKannel(*env_);
  }
  static void TearDownTestSuite() {
    if (!env_) return;
    env_->smsbox.reset();
    env_->bearerbox.reset();
    if (env_->smsc) env_->smsc->Stop();
    std::error_code ec;
    if (!env_->dir.empty() && env_->error.empty())
      fs::remove_all(env_->dir, ec);
    delete env_;
    env_ = nullptr;
  }
  void SetUp() override {
    ASSERT_TRUE(env_ && env_->error.empty()) << (env_ ? env_->error : "");
  }

  static std::string StartKannel(KannelEnv& env) {
    const std::string bearerbox = "/usr/sbin/bearerbox";
    const std::string smsbox = "/usr/sbin/smsbox";
    for (const auto& b : {bearerbox, smsbox})
      if (access(b.c_str(), X_OK) != 0)
        return b +
               " is missing: Kannel is not installed. apt-get install kannel "
               "(scripts/setup does it)";
    sim::smsc::SmscConfig cfg;
    cfg.system_id = "kannel";
    cfg.password = "s3cret";
    env.smsc = std::make_unique<sim::smsc::SmppSmsc>(cfg);
    env.smsc->SetTrace([&env](const sim::smsc::SmscTraceEvent& e) {
      if (e.direction == sim::smsc::SmscTraceEvent::Direction::kOut &&
          e.summary.rfind("bind_", 0) == 0 &&
          e.summary.find("status=ESME_ROK") != std::string::npos) {
        std::lock_guard lock(env.mu);
        env.bound = true;
        env.cv.notify_all();
      }
    });
    if (auto st = env.smsc->Start(); !st.ok())
      return "SMSC did not start: " + st.error().ToString();

    char tmpl[] = "/tmp/omaiop_sendota_XXXXXX";
    if (!mkdtemp(tmpl)) return "mkdtemp failed";
    env.dir = tmpl;
    const auto admin = omaiop::testing::FreeLoopbackPort(),
               box = omaiop::testing::FreeLoopbackPort();
    env.sendsms = omaiop::testing::FreeLoopbackPort();
    const fs::path conf = env.dir / "kannel.conf";
    {
      std::ofstream c(conf);
      c << "group = core\n"
        << "admin-port = " << admin << "\n"
        << "admin-password = adm1n\n"
        << "smsbox-port = " << box << "\n"
        << "box-allow-ip = \"127.0.0.1\"\n"
        << "log-file = \"" << (env.dir / "bearerbox.log").string() << "\"\n"
        << "log-level = 0\n\n"
        << "group = smsc\n"
        << "smsc = smpp\n"
        << "smsc-id = omaiop\n"
        << "host = 127.0.0.1\n"
        << "port = " << env.smsc->port() << "\n"
        << "transceiver-mode = true\n"
        << "smsc-username = kannel\n"
        << "smsc-password = s3cret\n"
        << "system-type = \"VMA\"\n\n"
        << "group = smsbox\n"
        << "bearerbox-host = 127.0.0.1\n"
        << "sendsms-port = " << env.sendsms << "\n"
        << "global-sender = " << kSender << "\n"
        << "log-file = \"" << (env.dir / "smsbox.log").string() << "\"\n"
        << "log-level = 0\n\n"
        << "group = sendsms-user\n"
        << "username = tester\n"
        << "password = foobar\n"
        << "concatenation = true\n"
        << "max-messages = 10\n";
    }
    {
      auto bb = sim::process::ChildProcess::Start(
          {bearerbox, conf.string()},
          {(env.dir / "bearerbox.out").string(), ""});
      if (!bb.ok()) return bb.error().ToString();
      env.bearerbox.emplace(std::move(*bb));
    }
    {
      std::unique_lock lock(env.mu);
      if (!env.cv.wait_for(lock, 20s, [&] { return env.bound; }))
        return "Kannel did not bind to our SMSC; bearerbox.log:\n" +
               omaiop::testing::ReadFileText(env.dir / "bearerbox.log");
    }
    {
      auto sb = sim::process::ChildProcess::Start(
          {smsbox, conf.string()}, {(env.dir / "smsbox.out").string(), ""});
      if (!sb.ok()) return sb.error().ToString();
      env.smsbox.emplace(std::move(*sb));
    }
    // smsbox is ready once its HTTP port answers (a GET without
    // credentials is refused, which is enough).
    for (int i = 0; i < 100; ++i) {
      if (!HttpRequest(env.sendsms, "GET", "/cgi-bin/sendota", {}, "").empty())
        return "";
      std::this_thread::sleep_for(100ms);
    }
    return "smsbox HTTP port did not open; smsbox.log:\n" +
           omaiop::testing::ReadFileText(env.dir / "smsbox.log");
  }

  static std::string NextMsisdn() {
    static int n = 0;
    return "49155520" + std::to_string(100 + n++);
  }

  static std::string Fixture(const std::string& name) {
    return sim::handset::cp::testing::ReadFixture("fixtures/cp/" + name);
  }

  // Sends `req` to `handset` through Kannel and waits for the handset's
  // decision; fills `arrival` (fatal failures when nothing arrives).
  static void Send(Handset& handset, const SendotaRequest& req,
                   Arrival* arrival) {
    std::string resp;
    if (req.use_get) {
      std::string q = "/cgi-bin/sendota?username=tester&password=foobar&to=" +
                      handset.msisdn() + "&from=" + kSender +
                      "&type=oma-settings&text=" + UrlEncode(req.xml);
      if (req.sec) q += "&sec=" + UrlEncode(*req.sec);
      if (req.pin) q += "&pin=" + UrlEncode(*req.pin);
      resp = HttpRequest(env_->sendsms, "GET", q, {}, "");
    } else {
      std::vector<std::string> h = {
          "Content-Type: text/vnd.wap.connectivity-xml",
          "X-Kannel-Username: tester", "X-Kannel-Password: foobar",
          "X-Kannel-To: " + handset.msisdn(),
          std::string("X-Kannel-From: ") + kSender};
      if (req.sec) h.push_back("X-Kannel-SEC: " + *req.sec);
      if (req.pin) h.push_back("X-Kannel-PIN: " + *req.pin);
      resp = HttpRequest(env_->sendsms, "POST", "/cgi-bin/sendota", h, req.xml);
    }
    ASSERT_NE(resp.find(" 202 "), std::string::npos)
        << "sendota refused: " << resp << "\nsmsbox.log:\n"
        << omaiop::testing::ReadFileText(env_->dir / "smsbox.log");
    std::optional<PushOutcome> out = handset.Await(20s);
    ASSERT_TRUE(out) << "no complete push reached the handset; "
                        "bearerbox.log:\n"
                     << omaiop::testing::ReadFileText(env_->dir /
                                                      "bearerbox.log");
    arrival->outcome = *out;

    // The same segments, reassembled and parsed outside the handset.
    codec::SmsReassembler re;
    std::optional<codec::WdpDatagram> dgram;
    auto segs = handset.segments();
    arrival->segments = segs.size();
    for (const auto& s : segs) {
      auto r = re.Add(s);
      ASSERT_TRUE(r.ok()) << r.error().ToString();
      if (r->has_value()) dgram = **r;
    }
    ASSERT_TRUE(dgram);
    EXPECT_EQ(dgram->dst_port, codec::kWdpPortWapPush);
    arrival->wsp_pdu = dgram->payload;
    auto push = codec::ParseWspPush(dgram->payload);
    ASSERT_TRUE(push.ok()) << push.error().ToString();
    arrival->wsp_header.assign(
        dgram->payload.begin(),
        dgram->payload.begin() + static_cast<long>(push->body_offset));
    arrival->body = push->body;
    arrival->sec = push->content_type.Sec();
    arrival->mac = push->content_type.Mac().value_or("");
    arrival->content_type = push->content_type.MediaName();
  }

  // Independent check of the WSP framing Kannel emits (cp.md §2.3): TID,
  // Push, HeadersLen, then 1F 2D B6 91 <80+SEC> 92 <40 hex> 00, all of it
  // header, nothing else.
  static void ExpectKannelHeaderForm(const Arrival& a, std::uint8_t sec) {
    const auto& h = a.wsp_header;
    ASSERT_EQ(h.size(), 3u + 45u + 2u) << Spaced(h);
    EXPECT_EQ(h[1], 0x06) << "WSP Push PDU";
    EXPECT_EQ(h[2], 47) << "HeadersLen (uintvar)";
    EXPECT_EQ(h[3], 0x1F) << "Length-quote";
    EXPECT_EQ(h[4], 0x2D) << "content-type value length 45";
    EXPECT_EQ(h[5], 0xB6) << "application/vnd.wap.connectivity-wbxml";
    EXPECT_EQ(h[6], 0x91) << "SEC parameter";
    EXPECT_EQ(h[7], 0x80 | sec);
    EXPECT_EQ(h[8], 0x92) << "MAC parameter";
    EXPECT_EQ(h.back(), 0x00);
    EXPECT_EQ(a.content_type, "application/vnd.wap.connectivity-wbxml");
    EXPECT_EQ(a.sec, sec);
    EXPECT_EQ(a.mac.size(), 40u);
  }

  // The store a conformant handset holds after applying `xml` directly (no
  // transport), under the origin the push got.
  static SettingsStore DirectStore(const std::string& xml,
                                   const std::string& origin) {
    SettingsStore direct;
    auto v = sim::handset::cp::Validate(
        sim::handset::cp::testing::MustParse(xml),
        sim::handset::cp::ValidationPolicy{}, nullptr);
    direct.Apply(v, origin, nullptr);
    return direct;
  }

  static void ExpectAcceptedAsDirect(const Handset& h, const PushOutcome& out,
                                     const std::string& xml,
                                     bool is_bootstrap) {
    ASSERT_TRUE(out.accepted)
        << out.reject_rule << ": " << out.reject_reason << "\n"
        << Events(out);
    EXPECT_EQ(out.mac_check, MacCheck::kVerified);
    ASSERT_TRUE(out.origin);
    EXPECT_EQ(out.context_created.has_value(), is_bootstrap);
    EXPECT_EQ(h.client().store().ToJson(),
              DirectStore(xml, *out.origin).ToJson());
    EXPECT_FALSE(out.settings_applied.empty());
  }

  static void ExpectNothingStored(const Handset& h) {
    EXPECT_TRUE(h.client().store().items().empty());
    EXPECT_TRUE(h.client().contexts().contexts().empty());
  }

  static std::string Events(const PushOutcome& o) {
    std::string s;
    for (const auto& e : o.events) s += "  " + e.ToString() + "\n";
    return s;
  }

  // One verdict line per push: RecordProperty (XML/JSON test report) and
  // stdout, for the closing note.
  void Record(const std::string& method, const std::string& doc,
              const Arrival& a, const std::string& verdict) {
    std::ostringstream s;
    s << verdict << " | handset: "
      << (a.outcome.accepted ? "accepted"
                             : "rejected (" + a.outcome.reject_rule + ")")
      << ", sec=" << a.outcome.sec
      << ", mac_check=" << MacCheckName(a.outcome.mac_check)
      << ", segments=" << a.segments
      << " | WSP headers: " << Spaced(a.wsp_header) << " | body "
      << a.body.size() << " octets";
    RecordProperty("kannel_" + method + "_" + doc, s.str());
    std::cout << "[kannel-sendota] " << method << " " << doc << ": " << s.str()
              << std::endl;
  }

  static KannelEnv* env_;
};

KannelEnv* KannelSendota::env_ = nullptr;

bool IsBootstrap(const std::string& doc) { return doc == "bootstrap.xml"; }

// ---- one test per SEC method, for a bootstrap and a plain document -------

class KannelSendotaDoc : public KannelSendota,
                         public ::testing::WithParamInterface<std::string> {};

// USERPIN: key = the PIN's ASCII octets, which is exactly what Kannel uses.
TEST_P(KannelSendotaDoc, UserpinPassesWithThePin) {
  const std::string doc = GetParam(), xml = Fixture(doc);
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {kUserPin});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, "USERPIN", kUserPin}, &a));
  ExpectKannelHeaderForm(a, 1);
  const std::string spec_mac = HmacSha1HexOpenSsl(Ascii(kUserPin), a.body);
  const bool conformant = a.mac == spec_mac;
  EXPECT_TRUE(conformant) << "received " << a.mac << " expected " << spec_mac;
  EXPECT_EQ(a.outcome.sec, "USERPIN");
  if (conformant) {
    ExpectAcceptedAsDirect(h, a.outcome, xml, IsBootstrap(doc));
    EXPECT_EQ(a.outcome.pin_attempts, 1);
  } else {
    EXPECT_FALSE(a.outcome.accepted);
    ExpectNothingStored(h);
  }
  // Our codec agrees with the OpenSSL oracle.
  EXPECT_EQ(
      *codec::ComputeMac(codec::SecMethod::kUserPin, "", kUserPin, a.body),
      spec_mac);
  Record("USERPIN", doc, a,
         conformant ? "PASS: MAC = HMAC-SHA1(\"1234\", body) = " + a.mac
                    : "FAIL: MAC " + a.mac + " != HMAC(PIN) " + spec_mac);
}

// NETWPIN as the Kannel documentation suggests using it: the IMSI as `pin`.
// Kannel keys the HMAC with the 15 ASCII digits; cp.md §2.1 keys it with the
// EF_IMSI semi-octets. A conformant handset must discard the push.
TEST_P(KannelSendotaDoc, NetwpinWithImsiDigitsAsPinIsRejected) {
  const std::string doc = GetParam(), xml = Fixture(doc);
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, "NETWPIN", kImsi}, &a));
  ExpectKannelHeaderForm(a, 0);
  const std::string spec_mac = HmacSha1HexOpenSsl(kImsiKey, a.body);
  const std::string ascii_mac = HmacSha1HexOpenSsl(Ascii(kImsi), a.body);
  EXPECT_EQ(*codec::ComputeMac(codec::SecMethod::kNetwPin, kImsi, "", a.body),
            spec_mac);
  EXPECT_EQ(a.outcome.sec, "NETWPIN");
  EXPECT_EQ(a.outcome.pin_attempts, 0);
  if (a.mac == spec_mac) {  // Kannel fixed: the push must then be accepted
    ExpectAcceptedAsDirect(h, a.outcome, xml, IsBootstrap(doc));
    Record("NETWPIN", doc, a, "PASS: MAC keyed with the packed IMSI");
    return;
  }
  // KANNEL NON-CONFORMANT (NETWPIN): the MAC is HMAC over the ASCII IMSI.
  EXPECT_EQ(a.mac, ascii_mac) << "neither the spec key nor the ASCII IMSI";
  EXPECT_FALSE(a.outcome.accepted);
  EXPECT_EQ(a.outcome.stage, "security");
  EXPECT_EQ(a.outcome.mac_check, MacCheck::kMismatch);
  EXPECT_EQ(a.outcome.Count(EventKind::kMacMismatch), 1u) << Events(a.outcome);
  EXPECT_NE(a.outcome.reject_rule.find("B-C-006"), std::string::npos);
  ExpectNothingStored(h);
  Record("NETWPIN", doc, a,
         "FAIL (Kannel): MAC keyed with the IMSI as ASCII text (" +
             Spaced(Ascii(kImsi)) + ") instead of the EF_IMSI semi-octets " +
             Spaced(kImsiKey) + " (cp.md §2.1). received MAC=" + a.mac +
             " = HMAC(ASCII IMSI)=" + ascii_mac +
             "; conformant MAC=" + spec_mac);
}

// USERNETWPIN: cp.md §2.1 key = packed IMSI || PIN ASCII. Kannel has no
// separate IMSI input; the operator's best textual guess is IMSI digits
// followed by the PIN, which Kannel again uses verbatim. The user enters the
// right PIN three times; a conformant handset discards the push.
TEST_P(KannelSendotaDoc, UsernetwpinWithImsiDigitsAndPinAsPinIsRejected) {
  const std::string doc = GetParam(), xml = Fixture(doc);
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi,
            {kUserPin, kUserPin, kUserPin});
  const std::string pin_given = std::string(kImsi) + kUserPin;
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, "USERNETWPIN", pin_given}, &a));
  ExpectKannelHeaderForm(a, 2);
  const std::string spec_mac =
      HmacSha1HexOpenSsl(Concat(kImsiKey, Ascii(kUserPin)), a.body);
  const std::string verbatim_mac = HmacSha1HexOpenSsl(Ascii(pin_given), a.body);
  EXPECT_EQ(*codec::ComputeMac(codec::SecMethod::kUserNetwPin, kImsi, kUserPin,
                               a.body),
            spec_mac);
  EXPECT_EQ(a.outcome.sec, "USERNETWPIN");
  if (a.mac == spec_mac) {
    ExpectAcceptedAsDirect(h, a.outcome, xml, IsBootstrap(doc));
    Record("USERNETWPIN", doc, a, "PASS: MAC keyed with IMSI || PIN");
    return;
  }
  // KANNEL NON-CONFORMANT (USERNETWPIN): MAC keyed with the pin text.
  EXPECT_EQ(a.mac, verbatim_mac);
  EXPECT_FALSE(a.outcome.accepted);
  EXPECT_EQ(a.outcome.stage, "security");
  EXPECT_EQ(a.outcome.mac_check, MacCheck::kMismatch);
  EXPECT_EQ(a.outcome.Count(EventKind::kPinRejected), 3u) << Events(a.outcome);
  EXPECT_EQ(a.outcome.Count(EventKind::kPinLimitReached), 1u);
  for (const auto& e : a.outcome.events) {
    if (e.kind == EventKind::kPinRejected) {
      EXPECT_NE(e.rule.find("B-C-006"), std::string::npos) << e.ToString();
    }
  }
  EXPECT_NE(a.outcome.reject_rule.find("limited retries"), std::string::npos)
      << a.outcome.reject_rule;
  ExpectNothingStored(h);
  Record("USERNETWPIN", doc, a,
         "FAIL (Kannel): MAC keyed with the pin text \"" + pin_given +
             "\" verbatim instead of EF_IMSI semi-octets || PIN (" +
             Spaced(Concat(kImsiKey, Ascii(kUserPin))) +
             ", cp.md §2.1). received MAC=" + a.mac + " = HMAC(pin text)=" +
             verbatim_mac + "; conformant MAC=" + spec_mac);
}

// USERPINMAC: the PIN handed to the user must be K || m with m derived from
// HMAC(K, body) (cp.md §2.1). Kannel sets SEC=3 but derives no m: it puts
// HMAC(pin, body) into a MAC parameter the method does not use. The user
// types the PIN the operator gave Kannel ("12345678": K=1234, m=5678).
TEST_P(KannelSendotaDoc, UserpinmacWithOperatorPinIsRejected) {
  const std::string doc = GetParam(), xml = Fixture(doc);
  const std::string pin = "12345678";
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {pin, pin, pin});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, "USERPINMAC", pin}, &a));
  ExpectKannelHeaderForm(a, 3);
  const std::string k = pin.substr(0, 4);
  const std::string m_expected = UserPinMacHalf(k, a.body);
  EXPECT_EQ(*codec::MakeUserPinMacPin(k, a.body), k + m_expected);
  EXPECT_EQ(a.outcome.sec, "USERPINMAC");
  const std::string verbatim_mac = HmacSha1HexOpenSsl(Ascii(pin), a.body);
  EXPECT_EQ(a.mac, verbatim_mac) << "MAC parameter = HMAC(pin text, body)";
  if (m_expected == pin.substr(4)) {  // 1 in 10^4: the PIN happens to fit
    ExpectAcceptedAsDirect(h, a.outcome, xml, IsBootstrap(doc));
    Record("USERPINMAC", doc, a, "PASS by chance: m matches");
    return;
  }
  // KANNEL NON-CONFORMANT (USERPINMAC): no K||m PIN scheme.
  EXPECT_FALSE(a.outcome.accepted);
  EXPECT_EQ(a.outcome.stage, "security");
  EXPECT_EQ(a.outcome.Count(EventKind::kPinRejected), 3u) << Events(a.outcome);
  EXPECT_EQ(a.outcome.Count(EventKind::kPinLimitReached), 1u);
  for (const auto& e : a.outcome.events) {
    if (e.kind == EventKind::kPinRejected) {
      EXPECT_NE(e.rule.find("USERPINMAC"), std::string::npos) << e.ToString();
    }
  }
  ExpectNothingStored(h);
  Record("USERPINMAC", doc, a,
         "FAIL (Kannel): no USERPINMAC PIN derivation; the PIN given to Kannel "
         "(" +
             pin + ": K=" + k + ", m=" + pin.substr(4) +
             ") does not verify, the body needs m=" + m_expected + " (PIN " +
             k + m_expected +
             "); Kannel's MAC parameter (unused by USERPINMAC) = "
             "HMAC(pin text)=" +
             a.mac);
}

// No security: Kannel cannot send an oma-settings push without SEC/MAC.
// Without X-Kannel-SEC / X-Kannel-PIN it sends USERPIN with the default PIN
// "1234" (smsbox.c). A user who was given no PIN cancels: discarded.
TEST_P(KannelSendotaDoc, NoSecurityBecomesUserpinWithDefaultPin) {
  const std::string doc = GetParam(), xml = Fixture(doc);
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {std::nullopt});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, std::nullopt, std::nullopt}, &a));
  ExpectKannelHeaderForm(a, 1);
  const std::string default_mac = HmacSha1HexOpenSsl(Ascii("1234"), a.body);
  EXPECT_EQ(a.mac, default_mac) << "USERPIN keyed with Kannel's default 1234";
  EXPECT_EQ(a.outcome.sec, "USERPIN");
  EXPECT_EQ(a.outcome.Count(EventKind::kSecAbsent), 0u);
  EXPECT_FALSE(a.outcome.accepted);
  EXPECT_EQ(a.outcome.stage, "security");
  EXPECT_EQ(a.outcome.Count(EventKind::kPinCancelled), 1u) << Events(a.outcome);
  EXPECT_NE(a.outcome.reject_rule.find("PIN"), std::string::npos);
  ExpectNothingStored(h);
  Record("none", doc, a,
         "N/A (Kannel): no unauthenticated oma-settings push possible; sent "
         "SEC=USERPIN with MAC=HMAC(default PIN \"1234\")=" +
             a.mac + " — the user, given no PIN, cancels");
}

INSTANTIATE_TEST_SUITE_P(Docs, KannelSendotaDoc,
                         ::testing::Values("bootstrap.xml",
                                           "napdef_gprs_proxy.xml"),
                         [](const ::testing::TestParamInfo<std::string>& i) {
                           return i.param == "bootstrap.xml" ? "bootstrap"
                                                             : "napdef";
                         });

// ---- the operator works around Kannel: pre-packed IMSI, computed PIN -----

std::string PackedImsiText() {
  return std::string(kImsiKey.begin(), kImsiKey.end());
}

// The packed IMSI octets as `pin` (GET, URL-encoded): Kannel's verbatim key
// is then the spec key and the push verifies. A handset with another IMSI
// must discard the same push with a MAC mismatch.
TEST_F(KannelSendota, NetwpinWithPackedImsiPassesAndWrongImsiIsRejected) {
  const std::string xml = Fixture("bootstrap.xml");
  {
    Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {});
    Arrival a;
    ASSERT_NO_FATAL_FAILURE(
        Send(h, {xml, "NETWPIN", PackedImsiText(), true}, &a));
    ExpectKannelHeaderForm(a, 0);
    const std::string spec_mac = HmacSha1HexOpenSsl(kImsiKey, a.body);
    EXPECT_EQ(a.mac, spec_mac);
    ExpectAcceptedAsDirect(h, a.outcome, xml, true);
    Record("NETWPIN_packed", "bootstrap.xml", a,
           "PASS with pin = EF_IMSI octets " + Spaced(kImsiKey) +
               " URL-encoded: MAC=" + a.mac + " = conformant");
  }
  {
    Handset h(env_->smsc.get(), NextMsisdn(), kWrongImsi, {});
    Arrival a;
    ASSERT_NO_FATAL_FAILURE(
        Send(h, {xml, "NETWPIN", PackedImsiText(), true}, &a));
    EXPECT_EQ(a.mac, HmacSha1HexOpenSsl(kImsiKey, a.body));
    EXPECT_FALSE(a.outcome.accepted);
    EXPECT_EQ(a.outcome.mac_check, MacCheck::kMismatch);
    EXPECT_EQ(a.outcome.Count(EventKind::kMacMismatch), 1u)
        << Events(a.outcome);
    EXPECT_NE(a.outcome.reject_rule.find("B-C-006"), std::string::npos);
    ExpectNothingStored(h);
    Record("NETWPIN_wrong_imsi", "bootstrap.xml", a,
           std::string("handset IMSI ") + kWrongImsi +
               " != the push's; rejected as it must be");
  }
}

TEST_F(KannelSendota, UsernetwpinWithPackedImsiAndPinPasses) {
  const std::string xml = Fixture("napdef_gprs_proxy.xml");
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {kUserPin});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(
      Send(h, {xml, "USERNETWPIN", PackedImsiText() + kUserPin, true}, &a));
  ExpectKannelHeaderForm(a, 2);
  EXPECT_EQ(a.mac,
            HmacSha1HexOpenSsl(Concat(kImsiKey, Ascii(kUserPin)), a.body));
  ExpectAcceptedAsDirect(h, a.outcome, xml, false);
  EXPECT_EQ(a.outcome.pin_attempts, 1);
  Record("USERNETWPIN_packed", "napdef_gprs_proxy.xml", a,
         "PASS with pin = EF_IMSI octets || \"1234\" URL-encoded");
}

// USERPINMAC done by hand: first push learns the body Kannel compiles, the
// PIN K||m is computed from it (OpenSSL), a second push with that PIN (the
// body is the same: Kannel's compiler is deterministic) is accepted by a
// user typing K||m. Kannel's MAC parameter plays no part.
TEST_F(KannelSendota, UserpinmacWithPinComputedFromTheBodyPasses) {
  const std::string xml = Fixture("napdef_gprs_proxy.xml");
  codec::Bytes body;
  {
    Handset probe(env_->smsc.get(), NextMsisdn(), kImsi, {std::nullopt});
    Arrival a;
    ASSERT_NO_FATAL_FAILURE(Send(probe, {xml, "USERPINMAC", "1"}, &a));
    body = a.body;
  }
  const std::string k = "13579";
  const std::string pin = k + UserPinMacHalf(k, body);
  Handset h(env_->smsc.get(), NextMsisdn(), kImsi, {pin});
  Arrival a;
  ASSERT_NO_FATAL_FAILURE(Send(h, {xml, "USERPINMAC", pin}, &a));
  ExpectKannelHeaderForm(a, 3);
  ASSERT_EQ(a.body, body) << "Kannel compiled the document differently";
  ExpectAcceptedAsDirect(h, a.outcome, xml, false);
  EXPECT_EQ(a.outcome.pin_attempts, 1);
  Record("USERPINMAC_computed", "napdef_gprs_proxy.xml", a,
         "PASS with PIN " + pin +
             " = K||m computed from the body outside "
             "Kannel");
}

}  // namespace
}  // namespace omaiop
