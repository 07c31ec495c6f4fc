// Real third-party PC/SC software against omaiop's virtual UICC served
// through pcscd + vsmartcard-vpcd: OpenSC (opensc-tool, opensc-explorer,
// pkcs15-tool), pyscard and our own PcscReader. Each test starts `pcscd -f`
// (or reuses a running pcscd whose vpcd port listens, see
// sim/reader/pcscd_process.h) and `omaiop uicc serve` as children and stops
// them by PID. CTest runs these under RESOURCE_LOCK pcscd: one pcscd per
// machine. A missing tool fails the test and says how to install it.
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include "codec/bytes.h"
#include "codec/wbxml.h"
#include "codec/xml.h"
#include "sim/handset/card/card_session.h"
#include "sim/handset/card/provsc.h"
#include "sim/handset/handset.h"
#include "sim/reader/in_process_reader.h"
#include "sim/reader/pcsc_reader.h"
#include "sim/reader/pcscd_process.h"
#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/profile_loader.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;
using codec::Bytes;
using sim::reader::PcscReader;

constexpr const char* kReader = "Virtual PCD 00 00";

// Tools' messages go to stderr: capture both streams.
std::string RunShell(const std::string& cmd, int* status) {
  return omaiop::testing::RunCommand(cmd, status, /*merge_stderr=*/true);
}

#define REQUIRE_TOOL(tool)                                \
  ASSERT_FALSE(omaiop::testing::FindOnPath(tool).empty()) \
      << tool                                             \
      << " not found: install with scripts/setup "        \
         "(Debian packages pcscd vsmartcard-vpcd "        \
         "opensc python3-pyscard)"

// "3b:9e:96:..." as OpenSC prints ATRs.
std::string ColonHex(codec::ByteView b) {
  std::string s;
  char h[4];
  for (std::size_t i = 0; i < b.size(); ++i) {
    std::snprintf(h, sizeof h, i ? ":%02x" : "%02x", b[i]);
    s += h;
  }
  return s;
}

class UiccPcscTest : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_TOOL("pcscd");
    dir_ = fs::temp_directory_path() /
           ("omaiop-uicc-e2e-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    // Our own pcscd with vpcd on a private free port (pcscd_process.h), so
    // a card served by anything else to the usual port 35963 stays out.
    auto pcscd = sim::reader::PcscdProcess::StartOrReuse(
        {0, (dir_ / "pcscd.log").string(), std::chrono::seconds(10)});
    ASSERT_TRUE(pcscd.ok()) << pcscd.error().what;
    pcscd_ = std::move(*pcscd);
    // A reused (system) pcscd may still report the card of a previous test
    // (it polls vpcd every ~0.4 s) or hold a foreign one: wait for an empty
    // slot.
    int ss_status = 0;  // diagnostics only
    ASSERT_TRUE(WaitForCard(false))
        << "'" << kReader
        << "' still holds a card: another `omaiop uicc serve` (or vicc) is "
           "connected to vpcd port "
        << pcscd_->vpcd_port() << "; stop it (pcscd "
        << (pcscd_->started_here() ? "started here" : "reused")
        << "); connections:\n"
        << omaiop::testing::RunCommand("ss -tnp 2>&1 | grep -E 'pcscd|omaiop'",
                                       &ss_status, true)
        << "pcscd log:\n"
        << omaiop::testing::ReadFileText(dir_ / "pcscd.log");
    StartServe();
  }

  // Starts `omaiop uicc serve` and waits until its card is in the reader.
  void StartServe() {
    std::vector<std::string> argv = {
        OMAIOP_BINARY,
        "uicc",
        "serve",
        "--profile",
        Profile(),
        "--vpcd",
        "127.0.0.1:" + std::to_string(pcscd_->vpcd_port())};
    for (const auto& a : ExtraServeArgs()) argv.push_back(a);
    auto pid = sim::reader::SpawnProcess(argv, (dir_ / "serve.log").string());
    ASSERT_TRUE(pid.ok()) << pid.error().what;
    serve_pid_ = *pid;
    ASSERT_TRUE(WaitForCard(true) &&
                ServeLog().find("uicc serve: connected") != std::string::npos)
        << "card did not appear in '" << kReader << "'; serve log:\n"
        << omaiop::testing::ReadFileText(dir_ / "serve.log");
  }
  void StopServe() {
    if (serve_pid_ > 0) sim::reader::StopProcess(serve_pid_, SIGTERM);
    serve_pid_ = -1;
    ASSERT_TRUE(WaitForCard(false));
  }
  virtual std::vector<std::string> ExtraServeArgs() const { return {}; }

  void TearDown() override {
    if (serve_pid_ > 0) sim::reader::StopProcess(serve_pid_, SIGTERM);
    pcscd_.reset();  // stops pcscd by PID if we started it
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

  std::string ServeLog() {
    return omaiop::testing::ReadFileText(dir_ / "serve.log");
  }
  // The card profile `omaiop uicc serve` is started with.
  virtual std::string Profile() const { return "sample"; }

  fs::path dir_;
  std::unique_ptr<sim::reader::PcscdProcess> pcscd_;
  pid_t serve_pid_ = -1;
};

TEST_F(UiccPcscTest, OpenscToolPrintsOurAtr) {
  REQUIRE_TOOL("opensc-tool");
  int st;
  std::string out =
      RunShell(std::string("opensc-tool -r '") + kReader + "' -a", &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find(ColonHex(sim::uicc::Card::Atr())), std::string::npos)
      << out;
}

TEST_F(UiccPcscTest, OpenscToolSendsRawApdus) {
  REQUIRE_TOOL("opensc-tool");
  int st;
  std::string out = RunShell(std::string("opensc-tool -r '") + kReader +
                                 "' -s 00A4000C022FE2 -s 00B000000A",
                             &st);
  EXPECT_EQ(st, 0) << out;
  // EF.ICCID of the sample profile, then SW 9000.
  EXPECT_NE(out.find("98 94 44 00 00 00 21 43 65 87"), std::string::npos)
      << out;
  EXPECT_NE(out.find("SW1=0x90, SW2=0x00"), std::string::npos) << out;
}

TEST_F(UiccPcscTest, OpenscExplorerReadsIccidAndImsi) {
  REQUIRE_TOOL("opensc-explorer");
  fs::path script = dir_ / "explorer.txt";
  // EF.IMSI (DF.GSM/6F07) needs PIN1: VERIFY with the FF-padded block.
  std::ofstream(script) << "cat 2FE2\n"
                           "verify CHV1 31:32:33:34:ff:ff:ff:ff\n"
                           "cd 7F20\n"
                           "cat 6F07\n"
                           "quit\n";
  int st;
  std::string out = RunShell(
      std::string("opensc-explorer -r '") + kReader + "' < " + script.string(),
      &st);
  EXPECT_EQ(st, 0) << out;
  // opensc-explorer's hex dump: ICCID 98 94 44 00 00 00 21 43 65 87.
  EXPECT_NE(out.find("98 94 44 00 00 00 21 43 65 87"), std::string::npos)
      << out;
  EXPECT_NE(out.find("Code correct"), std::string::npos) << out;
  EXPECT_NE(out.find("08 09 10 10 10 32 54 76 98"), std::string::npos) << out;
}

TEST_F(UiccPcscTest, Pkcs15ToolListsAndReadsDataObjects) {
  REQUIRE_TOOL("pkcs15-tool");
  // pkcs15-tool finds the PKCS#15 application through EF.DIR (record 3,
  // moved to the front by OpenSC) and reads ODF -> DODF -> the object.
  std::string base = std::string("OPENSC_CONF=") + OMAIOP_SOURCE_DIR +
                     "/tests/e2e/opensc.conf pkcs15-tool -r '" + kReader + "' ";
  const Bytes payload = [] {
    auto v = codec::AsBytes("omaiop sample provisioning doc");
    return Bytes(v.begin(), v.end());
  }();
  int st;
  std::string out = RunShell(base + "--list-data-objects", &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("Data object 'provisioning-doc'"), std::string::npos)
      << out;
  EXPECT_NE(out.find("applicationOID:  1.3.6.1.4.1.99999.1"), std::string::npos)
      << out;
  EXPECT_NE(out.find("3f0050154501"), std::string::npos) << out;
  EXPECT_NE(out.find("Data (30 bytes): " + codec::ToHex(payload)),
            std::string::npos)
      << out;
  for (const char* id : {"provisioning-doc", "1.3.6.1.4.1.99999.1"}) {
    out = RunShell(base + "--read-data-object " + id, &st);
    EXPECT_EQ(st, 0) << out;
    std::string spaced;
    for (std::uint8_t b : payload) {
      spaced += (spaced.empty() ? "" : " ") + codec::ToHex(Bytes{b});
    }
    EXPECT_NE(out.find("Data Object (30 bytes): < " + spaced + " >"),
              std::string::npos)
        << id << "\n"
        << out;
  }
}

TEST_F(UiccPcscTest, PyscardPinBlockUnblockAndHotPlug) {
  ASSERT_EQ(access("/usr/bin/python3", X_OK), 0)
      << "/usr/bin/python3 missing: install with scripts/setup";
  int st;
  std::string probe = RunShell("/usr/bin/python3 -c 'import smartcard'", &st);
  ASSERT_EQ(st, 0) << "pyscard missing: install with scripts/setup "
                      "(python3-pyscard)\n"
                   << probe;
  std::string out =
      RunShell(std::string("/usr/bin/python3 ") + OMAIOP_SOURCE_DIR +
                   "/tests/e2e/pyscard_pin.py '" + kReader + "' " +
                   std::to_string(serve_pid_),
               &st);
  EXPECT_EQ(st, 0) << out << "\nserve log:\n" << ServeLog();
  EXPECT_NE(out.find("PASS"), std::string::npos) << out;
  // The serve CLI logged the hot-plug.
  std::string log = ServeLog();
  EXPECT_NE(log.find("SIGUSR1: removing the card"), std::string::npos) << log;
  EXPECT_NE(log.find("SIGUSR1: inserting the card"), std::string::npos) << log;
}

TEST_F(UiccPcscTest, PcscReaderTalksToServedCardAndSeesHotPlug) {
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  auto atr = (*reader)->Connect();
  ASSERT_TRUE(atr.ok()) << atr.error().what;
  auto want = sim::uicc::Card::Atr();
  EXPECT_EQ(*atr, Bytes(want.begin(), want.end()));
  EXPECT_NE((*reader)->active_protocol(), 0u);
  auto sel = (*reader)->Transmit(*codec::ParseHex("00A4000C022FE2"));
  ASSERT_TRUE(sel.ok()) << sel.error().what;
  EXPECT_EQ(*sel, (Bytes{0x90, 0x00}));
  auto rd = (*reader)->Transmit(*codec::ParseHex("00B000000A"));
  ASSERT_TRUE(rd.ok()) << rd.error().what;
  EXPECT_EQ(codec::ToHex(*rd),
            codec::ToHex(*codec::ParseHex("98944400000021436587 9000")));
  // Unknown AID: the card must say 6A82 (OpenSC probes rely on it).
  auto probe =
      (*reader)->Transmit(*codec::ParseHex("00A4040007A0000000790101"));
  ASSERT_TRUE(probe.ok());
  EXPECT_EQ(*probe, (Bytes{0x6A, 0x82}));
  (*reader)->Disconnect();

  EXPECT_TRUE((*reader)->CardPresent());
  ASSERT_EQ(kill(serve_pid_, SIGUSR1), 0);
  bool present = true;
  for (int i = 0; i < 20 && present; ++i) {
    auto r = (*reader)->WaitForChange(std::chrono::milliseconds(500));
    ASSERT_TRUE(r.ok()) << r.error().what;
    present = *r;
  }
  EXPECT_FALSE(present) << "removal not seen";
  auto gone = (*reader)->Connect();
  EXPECT_FALSE(gone.ok());
  if (!gone.ok()) {
    EXPECT_NE(gone.error().what.find("SCardConnect"), std::string::npos);
  }
  ASSERT_EQ(kill(serve_pid_, SIGUSR1), 0);
  for (int i = 0; i < 20 && !present; ++i) {
    auto r = (*reader)->WaitForChange(std::chrono::milliseconds(500));
    ASSERT_TRUE(r.ok()) << r.error().what;
    present = *r;
  }
  EXPECT_TRUE(present) << "insertion not seen";
  EXPECT_TRUE((*reader)->Connect().ok());
}

// A second user of pcscd on the machine (another ctest run, a benchmark)
// waits for the first one's lock instead of sharing its pcscd.
TEST_F(UiccPcscTest, ASecondPcscdUserWaitsForTheMachineLock) {
  sim::reader::PcscdOptions o;
  o.lock_timeout = std::chrono::milliseconds(300);
  auto t0 = std::chrono::steady_clock::now();
  auto second = sim::reader::PcscdProcess::StartOrReuse(o);
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().what.find("/tmp/omaiop-pcscd.lock"),
            std::string::npos)
      << second.error().what;
  EXPECT_GE(std::chrono::steady_clock::now() - t0, o.lock_timeout);
  // The first user's card is untouched.
  EXPECT_TRUE(WaitForCard(true));
}

TEST_F(UiccPcscTest, UiccApduCommandPrintsDecodedStatusWords) {
  int st;
  std::string out =
      RunShell(std::string(OMAIOP_BINARY) + " uicc apdu --reader '" + kReader +
                   "' 00A4000C022FE2 00B000000A 00B0000001 "
                   "00A4040007A0000000790101",
               &st);
  EXPECT_EQ(st, 0) << out;
  EXPECT_NE(out.find("ATR: " + codec::ToHex(sim::uicc::Card::Atr())),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("98944400000021436587 9000"), std::string::npos) << out;
  EXPECT_NE(out.find(sim::uicc::DescribeStatusWord(0x6A82)), std::string::npos)
      << out;
}

TEST_F(UiccPcscTest, ServePrintsEventsAndSummaryOnSigterm) {
  int st;
  RunShell(std::string("opensc-tool -r '") + kReader + "' -a", &st);
  ASSERT_EQ(kill(serve_pid_, SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 100 && sim::reader::ChildRunning(serve_pid_, &status);
       ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  serve_pid_ = -1;
  std::string log = ServeLog();
  EXPECT_NE(log.find("uicc serve: connected"), std::string::npos) << log;
  EXPECT_NE(log.find("uicc serve: power-on"), std::string::npos) << log;
  EXPECT_NE(log.find("stopping on SIGTERM"), std::string::npos) << log;
  EXPECT_NE(log.find("summary: 1 connects"), std::string::npos) << log;
}

// The shipped 3G profile (fixtures/uicc/uicc-3g.xml): pkcs15-tool finds the
// CP ProvSC documents and the DM bootstrap file as PKCS#15 data objects
// (ODF -> DODF OidDO -> Path; cp.md §3, dm.md §1.3) and reads their bytes,
// which are the WBXML of the source fixtures.
class UiccProfilePcscTest : public UiccPcscTest {
 protected:
  std::string Profile() const override {
    return std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/uicc-3g.xml";
  }
};

// "Data Object (N bytes): < 03 A4 01 ... >" -> the bytes, FF padding cut.
Bytes DataObjectBytes(const std::string& out) {
  auto open = out.find("bytes): <");
  auto close = out.find('>', open);
  if (open == std::string::npos || close == std::string::npos) return {};
  auto hex = codec::ParseHex(out.substr(open + 9, close - open - 9));
  if (!hex.ok()) return {};
  Bytes b = *hex;
  while (!b.empty() && b.back() == 0xFF) b.pop_back();
  return b;
}

TEST_F(UiccProfilePcscTest, Pkcs15ToolListsProvisioningAndDmBootstrapObjects) {
  REQUIRE_TOOL("pkcs15-tool");
  std::string base = std::string("OPENSC_CONF=") + OMAIOP_SOURCE_DIR +
                     "/tests/e2e/opensc.conf pkcs15-tool -r '" + kReader + "' ";
  int st;
  std::string out = RunShell(base + "--list-data-objects", &st);
  EXPECT_EQ(st, 0) << out;
  for (const char* label :
       {"ProvSC Bootstrap", "ProvSC Config1", "ProvSC Config2", "DM Bootstrap"})
    EXPECT_NE(out.find(std::string("Data object '") + label + "'"),
              std::string::npos)
        << label << "\n"
        << out;
  EXPECT_NE(out.find("applicationOID:  2.23.43.7.1"), std::string::npos) << out;

  struct Case {
    const char* label;
    const char* fixture;
  } cases[] = {{"DM Bootstrap", "fixtures/dm/bootstrap_dmacc.xml"},
               {"ProvSC Config1", "fixtures/cp/napdef_gprs_proxy.xml"}};
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    out = RunShell(base + "--read-data-object '" + c.label + "'", &st);
    ASSERT_EQ(st, 0) << out;
    Bytes data = DataObjectBytes(out);
    ASSERT_FALSE(data.empty()) << out;
    auto decoded = codec::DecodeWbxml(data);
    ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
    std::ifstream in(std::string(OMAIOP_SOURCE_DIR) + "/" + c.fixture);
    std::stringstream src;
    src << in.rdbuf();
    auto expected = codec::ParseXml(src.str(), c.fixture);
    ASSERT_TRUE(expected.ok());
    std::string diff;
    EXPECT_TRUE(
        codec::XmlEquivalent(decoded->doc.get(), expected->get(), &diff))
        << diff;
  }
}

// `uicc serve --state FILE`: what a PC/SC application writes to the card
// (an EF after VERIFY PIN1, and a wrong-PIN retry counter) is still there
// after the serving process is stopped and started again.
class UiccStatePcscTest : public UiccProfilePcscTest {
 protected:
  std::vector<std::string> ExtraServeArgs() const override {
    return {"--state", (dir_ / "card.state").string()};
  }
  Bytes Send(PcscReader& r, const char* hex) {
    auto resp = r.Transmit(*codec::ParseHex(hex));
    EXPECT_TRUE(resp.ok()) << hex;
    return resp.ok() ? *resp : Bytes{};
  }
};

TEST_F(UiccStatePcscTest, WritesAndPinCountersSurviveARestart) {
  {
    auto reader = PcscReader::Open(kReader);
    ASSERT_TRUE(reader.ok()) << reader.error().what;
    ASSERT_TRUE((*reader)->Connect().ok());
    // One wrong PIN1 (2 tries left), then the right one, then EF.PL := "fr".
    EXPECT_EQ(codec::ToHex(Send(**reader, "0020000108393939393939FFFF")),
              "63C2");
    EXPECT_EQ(codec::ToHex(Send(**reader, "002000010831323334FFFFFFFF")),
              "9000");
    EXPECT_EQ(codec::ToHex(Send(**reader, "00A4000C022F05")), "9000");
    EXPECT_EQ(codec::ToHex(Send(**reader, "00D60000026672")), "9000");
  }
  StopServe();
  ASSERT_TRUE(fs::exists(dir_ / "card.state"));
  StartServe();
  EXPECT_NE(ServeLog().find("restored"), std::string::npos) << ServeLog();
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*reader)->Connect().ok());
  EXPECT_EQ(codec::ToHex(Send(**reader, "00A4000C022F05")), "9000");
  EXPECT_EQ(codec::ToHex(Send(**reader, "00B0000002")), "66729000");
  // The successful VERIFY reset the counter to 3: an empty VERIFY says so.
  EXPECT_EQ(codec::ToHex(Send(**reader, "0020000100")), "63C3");
}

// The handset's card session (sim/handset/card) over PC/SC instead of the
// in-process reader: the same code reads the ProvSC / DM bootstrap documents
// through pcscd + vpcd, byte for byte what OpenSC's pkcs15-tool reads.
TEST_F(UiccProfilePcscTest, HandsetCardSessionReadsWhatPkcs15ToolReads) {
  REQUIRE_TOOL("pkcs15-tool");
  namespace card = sim::handset::card;
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  card::CardSessionOptions o;
  o.pin1 = "1234";
  card::CardSession session(**reader, o);
  auto st = session.Open();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(session.kind(), card::CardKind::kUicc);
  EXPECT_EQ(session.iccid(), "8949440000000000024");
  auto imsi = session.ReadImsi();
  ASSERT_TRUE(imsi.ok()) << imsi.error().ToString();
  EXPECT_EQ(*imsi, "001010123456789");
  card::ProvScReader provsc(session);
  auto docs = provsc.ReadAll();
  ASSERT_TRUE(docs.ok()) << docs.error().ToString();
  session.Close();  // release the reader for pkcs15-tool

  std::string base = std::string("OPENSC_CONF=") + OMAIOP_SOURCE_DIR +
                     "/tests/e2e/opensc.conf pkcs15-tool -r '" + kReader + "' ";
  const std::pair<const char*, const std::optional<card::CardDocument>*>
      cases[] = {{"ProvSC Bootstrap", &docs->bootstrap},
                 {"ProvSC Config1", &docs->config1},
                 {"DM Bootstrap", &docs->dm_bootstrap}};
  for (const auto& [label, doc] : cases) {
    SCOPED_TRACE(label);
    ASSERT_TRUE(doc->has_value());
    int status;
    std::string out =
        RunShell(base + "--read-data-object '" + label + "'", &status);
    ASSERT_EQ(status, 0) << out;
    EXPECT_EQ(codec::ToHex((*doc)->bytes), codec::ToHex(DataObjectBytes(out)));
  }
}

// Settings JSON without origins and context ids (they name the card).
nlohmann::json StripOrigins(nlohmann::json j) {
  if (j.is_object()) {
    j.erase("origin");
    if (j.contains("id") && j["id"].is_string() &&
        j["id"].get<std::string>().starts_with("ctx:"))
      j.erase("id");
    for (auto& [k, v] : j.items()) v = StripOrigins(v);
  } else if (j.is_array()) {
    for (auto& v : j) v = StripOrigins(v);
  }
  return j;
}

// The whole simulated handset (sim/handset/handset.h) over PC/SC: power-on
// from the served uicc-3g card ends in the same settings store as the same
// profile in the in-process reader; stopping `uicc serve` (the card leaves
// vpcd's slot) is seen by PollCard and takes the card's settings back.
TEST_F(UiccProfilePcscTest, HandsetPowersOnOverPcscToTheInProcessStore) {
  namespace hs = sim::handset;
  hs::HandsetOptions o;
  o.card.pin1 = "1234";
  nlohmann::json expected;
  {
    auto profile = sim::uicc::LoadProfile(Profile());
    ASSERT_TRUE(profile.ok()) << profile.error().ToString();
    sim::reader::InProcessReader local;
    local.Insert(std::make_shared<sim::uicc::Card>(profile->MakeCard()));
    hs::Handset h(local, o);
    ASSERT_TRUE(h.PowerOn().ok());
    expected = h.cp().StateJson();
  }
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  hs::Handset h(**reader, o);
  auto st = h.PowerOn();
  ASSERT_TRUE(st.ok()) << st.error().ToString() << "\n"
                       << h.StateJson()["events"].dump(1);
  EXPECT_EQ(h.loaded_iccid(), "8949440000000000024");
  EXPECT_EQ(h.card_documents().size(), 3u);
  EXPECT_FALSE(h.cp().store().items().empty());
  EXPECT_EQ(h.cp().StateJson(), expected);  // same ICCID: even the origins
  EXPECT_EQ(StripOrigins(h.cp().StateJson()), StripOrigins(expected));
  auto imsi = h.Imsi();
  ASSERT_TRUE(imsi.ok());
  EXPECT_EQ(*imsi, "001010123456789");

  StopServe();
  auto change = h.PollCard(std::chrono::milliseconds(2000));
  ASSERT_TRUE(change.ok()) << change.error().ToString();
  EXPECT_EQ(*change, hs::CardChange::kRemoved);
  EXPECT_TRUE(h.cp().store().items().empty());
  EXPECT_TRUE(h.cp().contexts().contexts().empty());
}

class SimPcscTest : public UiccPcscTest {
 protected:
  std::string Profile() const override {
    return std::string(OMAIOP_SOURCE_DIR) + "/fixtures/uicc/sim-2g.xml";
  }
};

// A 2G SIM driven with GSM 11.11 commands (CLA A0, 9Fxx + GET RESPONSE)
// through pcscd + vpcd.
TEST_F(SimPcscTest, HandsetCardSessionReadsA2gSimWithClassA0) {
  namespace card = sim::handset::card;
  auto reader = PcscReader::Open(kReader);
  ASSERT_TRUE(reader.ok()) << reader.error().what;
  card::CardSessionOptions o;
  o.pin1 = "1234";
  o.prefer_gsm_class = true;
  int a0 = 0, total = 0;
  o.trace = [&](const card::ApduExchange& x) {
    ++total;
    if (!x.command.empty() && x.command[0] == 0xA0) ++a0;
  };
  card::CardSession session(**reader, o);
  auto st = session.Open();
  ASSERT_TRUE(st.ok()) << st.error().ToString();
  EXPECT_EQ(session.kind(), card::CardKind::kSim2g);
  EXPECT_EQ(session.iccid(), "8949440000000000016");
  auto imsi = session.ReadImsi();
  ASSERT_TRUE(imsi.ok()) << imsi.error().ToString();
  EXPECT_EQ(*imsi, "001010000000001");
  card::ProvScReader provsc(session);
  auto config1 = provsc.Read(card::CardDocumentKind::kConfig1);
  ASSERT_TRUE(config1.ok()) << config1.error().ToString();
  ASSERT_TRUE(config1->has_value());
  auto decoded = codec::DecodeWbxml((*config1)->bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.error().ToString();
  auto expected = codec::ParseXml(omaiop::testing::ReadFileText(
      std::string(OMAIOP_SOURCE_DIR) + "/fixtures/cp/napdef_gprs_proxy.xml"));
  ASSERT_TRUE(expected.ok());
  std::string diff;
  EXPECT_TRUE(codec::XmlEquivalent(decoded->doc.get(), expected->get(), &diff))
      << diff;
  EXPECT_EQ(a0, total);
}

}  // namespace
}  // namespace omaiop
