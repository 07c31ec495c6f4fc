// `omaiop smsc serve` in the background and `omaiop cp push --smsc` against
// it, both the real binary, as a script would run them.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>

#include "harness/cli/cli_test_util.h"
#include "sim/process/child_process.h"

namespace {

using nlohmann::json;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;
using omaiop::cli::testing::Src;
using omaiop::sim::process::ChildProcess;
using namespace std::chrono_literals;

const std::string kBoot = Src("fixtures/cp/bootstrap.xml");
const std::string kProxy = Src("fixtures/cp/napdef_gprs_proxy.xml");
constexpr char kImsi[] = "262011234567890";

std::vector<std::string> Split(const std::string& args) {
  std::istringstream in(args);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

// A background `omaiop smsc serve --port 0 ARGS`: stdout and stderr in files,
// the bound port read from its "listening on HOST:PORT" line.
class Serve {
 public:
  explicit Serve(const std::string& args) {
    static int n = 0;
    const std::string base = ::testing::TempDir() + "smsc_serve_" +
                             std::to_string(getpid()) + "_" +
                             std::to_string(++n);
    out_ = base + ".out";
    err_ = base + ".err";
    std::filesystem::remove(out_);
    std::filesystem::remove(err_);
    std::vector<std::string> argv = {OMAIOP_BINARY, "smsc", "serve", "--port",
                                     "0"};
    for (auto& a : Split(args)) argv.push_back(a);
    auto c = ChildProcess::Start(argv, {out_, err_});
    EXPECT_TRUE(c.ok()) << c.error().ToString();
    if (!c.ok()) return;
    child_.emplace(std::move(*c));
    const std::regex listening("listening on 127\\.0\\.0\\.1:([0-9]+)");
    for (int i = 0; i < 500 && port_ == 0; ++i) {
      std::smatch m;
      const std::string text = Stdout() + Stderr();
      if (std::regex_search(text, m, listening)) {
        port_ = std::stoi(m[1]);
        EXPECT_NE(port_, 0);
      } else {
        std::this_thread::sleep_for(10ms);
      }
    }
    EXPECT_NE(port_, 0) << "no listening line; stderr: " << Stderr();
  }
  int port() const { return port_; }
  std::string smsc() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string Stdout() const { return omaiop::testing::ReadFileText(out_); }
  std::string Stderr() const { return omaiop::testing::ReadFileText(err_); }
  // Exit status once it exits by itself (-1 if it had to be killed).
  int Exit(std::chrono::milliseconds timeout = 10s) {
    if (!child_) return -1;
    auto st = child_->Wait(timeout);
    if (!st) {
      child_->Stop();
      return -1;
    }
    return WIFEXITED(*st) ? WEXITSTATUS(*st) : -1;
  }
  ChildProcess& child() { return *child_; }
  // The JSON lines of stdout.
  std::vector<json> Pushes() const {
    std::vector<json> out;
    std::istringstream in(Stdout());
    for (std::string line; std::getline(in, line);)
      if (!line.empty() && line[0] == '{') out.push_back(json::parse(line));
    return out;
  }

 private:
  std::string out_, err_;
  std::optional<ChildProcess> child_;
  int port_ = 0;
};

TEST(SmscCli, JsonLineForAPushFromCpPush) {
  Serve serve(std::string("--json --count 1 --imsi ") + kImsi);
  ASSERT_NE(serve.port(), 0);
  CliRun p = Omaiop("cp push " + kProxy + " --sec NETWPIN --imsi " + kImsi +
                    " --smsc " + serve.smsc() + " --to +491700000001" +
                    " --from 1234 --json");
  ASSERT_EQ(p.exit_code, 0) << p.out;
  auto pj = json::parse(p.out);
  ASSERT_EQ(serve.Exit(), 0) << serve.Stderr();
  auto pushes = serve.Pushes();
  ASSERT_EQ(pushes.size(), 1u) << serve.Stdout();
  const json& j = pushes[0];
  EXPECT_EQ(j["sender"], "1234");
  EXPECT_EQ(j["destination"], "491700000001");
  EXPECT_EQ(j["sec_method"], "NETWPIN");
  EXPECT_EQ(j["mac_check"], "match");
  EXPECT_EQ(j["accepted"], true);
  EXPECT_TRUE(j["rule"].is_null());
  // The simulated handset judged it and stored the NAPDEF and proxy.
  EXPECT_EQ(j["verdict_source"], "handset");
  ASSERT_TRUE(j["settings_applied"].is_array());
  EXPECT_FALSE(j["settings_applied"].empty());
  EXPECT_NE(j["settings_applied"].dump().find("NAPDEF"), std::string::npos)
      << j["settings_applied"];
  EXPECT_EQ(j["handset"]["stage"], "store");
  // What arrived is what cp push sent, under the message ids it printed.
  EXPECT_EQ(j["segments"], pj["segments"]);
  EXPECT_GT(j["segments"].size(), 1u);
  EXPECT_EQ(j["smpp"]["message_ids"], pj["message_ids"]);
  EXPECT_EQ(j["smpp"]["data_coding"], "0xf5");
  EXPECT_EQ(j["smpp"]["complete"], true);
  EXPECT_EQ(j["decode"]["security"]["mac"], pj["mac"]);
  EXPECT_NE(j["decode"]["xml"].get<std::string>().find("NAPDEF"),
            std::string::npos);
  // The listening line went to stderr, stdout is JSON only.
  EXPECT_NE(serve.Stderr().find("listening on"), std::string::npos);
  EXPECT_EQ(serve.Stdout().find("listening on"), std::string::npos);
}

TEST(SmscCli, WrongMacFaultShowsAMismatchInEveryMode) {
  for (const char* mode : {"udh", "sar", "payload"}) {
    SCOPED_TRACE(mode);
    Serve serve("--json --count 1 --pin 1234");
    ASSERT_NE(serve.port(), 0);
    CliRun p = Omaiop("cp push " + kProxy +
                      " --sec USERPIN --pin 1234 --fault wrong-mac --smsc " +
                      serve.smsc() + " --to 491700000001 --mode " + mode);
    ASSERT_EQ(p.exit_code, 0) << p.out;
    EXPECT_NE(p.out.find("PIN to hand the user: 1234"), std::string::npos)
        << p.out;
    EXPECT_NE(p.out.find("(mode " + std::string(mode) + ")"),
              std::string::npos);
    ASSERT_EQ(serve.Exit(), 0) << serve.Stderr();
    auto pushes = serve.Pushes();
    ASSERT_EQ(pushes.size(), 1u) << serve.Stdout();
    const json& j = pushes[0];
    EXPECT_EQ(j["sec_method"], "USERPIN");
    EXPECT_EQ(j["mac_check"], "mismatch");
    EXPECT_EQ(j["accepted"], false);
    // The user typed the one PIN they had (the MAC did not verify with it),
    // then gave up: the push is discarded at the security stage.
    EXPECT_FALSE(j["rule"].is_null());
    EXPECT_EQ(j["handset"]["stage"], "security");
    EXPECT_NE(j["handset"]["events"].dump().find("\"pin_rejected\""),
              std::string::npos)
        << j["handset"]["events"];
    EXPECT_TRUE(j["settings_applied"].empty());
    EXPECT_EQ(j["smpp"]["complete"], true);
    // udh / sar: one message id per segment; payload: one for them all.
    EXPECT_EQ(j["smpp"]["message_ids"].size(),
              std::string(mode) == "payload" ? 1u : j["segments"].size());
  }
}

TEST(SmscCli, UserPinMacPinHandedOutVerifiesAtServe) {
  // cp compose is deterministic: the PIN it hands out is the one cp push
  // will; serve learns it as the user would.
  CliRun c = Omaiop("cp compose " + kBoot + " --sec USERPINMAC --pin 1357");
  ASSERT_EQ(c.exit_code, 0) << c.out;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(c.out, m,
                                std::regex("PIN to hand the user: ([0-9]+)")));
  const std::string pin = m[1];
  Serve serve("--count 1 --pin 0000 --pin " + pin);
  ASSERT_NE(serve.port(), 0);
  CliRun p = Omaiop("cp push " + kBoot + " --sec USERPINMAC --pin 1357" +
                    " --smsc " + serve.smsc() + " --to 491700000001");
  ASSERT_EQ(p.exit_code, 0) << p.out;
  EXPECT_NE(p.out.find("PIN to hand the user: " + pin), std::string::npos);
  ASSERT_EQ(serve.Exit(), 0) << serve.Stderr();
  const std::string out = serve.Stdout();
  // Text mode: the listening line first, then the push decoded.
  EXPECT_EQ(out.rfind("listening on 127.0.0.1:", 0), 0u) << out;
  EXPECT_NE(out.find("=== push 1: from '' to '491700000001'"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("Format: sms"), std::string::npos);
  EXPECT_NE(out.find("WSP Push"), std::string::npos);
  EXPECT_NE(out.find("Verdict (handset): SEC USERPINMAC, MAC match, accepted"),
            std::string::npos)
      << out;
  // The bootstrap's settings and the decisions behind them, with rules.
  EXPECT_NE(out.find("Settings applied: "), std::string::npos) << out;
  EXPECT_EQ(out.find("Settings applied: none"), std::string::npos) << out;
  EXPECT_NE(out.find("context_created"), std::string::npos) << out;
}

TEST(SmscCli, MissingSegmentIsReportedIncompleteWhenServeStops) {
  Serve serve("--json --count 1 --timeout 2");
  ASSERT_NE(serve.port(), 0);
  CliRun p = Omaiop("cp push " + kProxy + " --fault missing-segment --smsc " +
                    serve.smsc() + " --to 491700000001");
  ASSERT_EQ(p.exit_code, 0) << p.out;
  EXPECT_EQ(serve.Exit(), 0) << serve.Stderr();
  auto pushes = serve.Pushes();
  ASSERT_EQ(pushes.size(), 1u) << serve.Stdout();
  EXPECT_EQ(pushes[0]["smpp"]["complete"], false);
  EXPECT_EQ(pushes[0]["accepted"], false);
  EXPECT_NE(pushes[0]["rule"].get<std::string>().find("TS 23.040"),
            std::string::npos);
}

TEST(SmscCli, RefusalsExitThreeNamingTheReason) {
  Serve serve("--password s3cret --count 1 --timeout 1");
  ASSERT_NE(serve.port(), 0);
  CliRun bind = Omaiop("cp push " + kBoot + " --smsc " + serve.smsc() +
                       " --to 491700000001 --password wrong");
  EXPECT_EQ(bind.exit_code, 3) << bind.out;
  EXPECT_NE(bind.out.find("refused"), std::string::npos) << bind.out;
  EXPECT_NE(bind.out.find("ESME_RINVPASWD"), std::string::npos) << bind.out;
  // No push arrived before --timeout: exit 2.
  EXPECT_EQ(serve.Exit(), 2) << serve.Stderr();
  EXPECT_NE(serve.Stderr().find("0 of 1 push"), std::string::npos);

  // Nothing listens there any more.
  CliRun conn = Omaiop("cp push " + kBoot + " --smsc " + serve.smsc() +
                       " --to 491700000001 --timeout 2");
  EXPECT_EQ(conn.exit_code, 3) << conn.out;
  EXPECT_NE(conn.out.find("cannot connect to SMSC"), std::string::npos)
      << conn.out;
  CliRun usage = Omaiop("cp push " + kBoot + " --smsc nowhere --to 4917");
  EXPECT_EQ(usage.exit_code, 3) << usage.out;
  EXPECT_NE(usage.out.find("HOST:PORT"), std::string::npos) << usage.out;
}

TEST(SmscCli, SigtermStopsServeCleanly) {
  Serve serve("");
  ASSERT_NE(serve.port(), 0);
  kill(serve.child().pid(), SIGTERM);
  EXPECT_EQ(serve.Exit(5s), 0) << serve.Stderr();
}

// `omaiop dm server --notify-smsc`: package 0 (dm.md §3.8) leaves as a WSP
// push over SMPP (dm.md §3.2 row 0) and reaches `smsc serve` intact: the
// decoded content type is application/vnd.syncml.notification and the
// segment carries exactly the package 0 the server reports.
TEST(SmscCli, DmServerSendsPackage0ThroughTheSmsc) {
  Serve serve("--json --count 1");
  ASSERT_NE(serve.port(), 0);
  const std::string out = ::testing::TempDir() + "dm_notify.out";
  const std::string err = ::testing::TempDir() + "dm_notify.err";
  auto dm = ChildProcess::Start(
      {OMAIOP_BINARY, "dm", "server", "--port", "0", "--json", "--server-id",
       "dm.example", "--server-password", "pw", "--notify-smsc", serve.smsc(),
       "--notify-to", "4917001", "--notify-session", "42", "--notify-ui",
       "background"},
      {out, err});
  ASSERT_TRUE(dm.ok()) << dm.error().ToString();
  ASSERT_EQ(serve.Exit(), 0) << serve.Stderr();
  json note;
  for (int i = 0; i < 200 && note.is_null(); ++i) {
    std::istringstream in(omaiop::testing::ReadFileText(out));
    for (std::string line; std::getline(in, line);)
      if (line.find("\"notification\"") != std::string::npos)
        note = json::parse(line);
    if (note.is_null()) std::this_thread::sleep_for(10ms);
  }
  dm->Stop();
  ASSERT_FALSE(note.is_null()) << omaiop::testing::ReadFileText(err);
  EXPECT_EQ(note["session_id"], "2A");
  EXPECT_EQ(note["ui_mode"], "background");
  ASSERT_EQ(note["message_ids"].size(), 1u);
  auto pushes = serve.Pushes();
  ASSERT_EQ(pushes.size(), 1u) << serve.Stdout();
  EXPECT_EQ(pushes[0]["decode"]["content_type"],
            "application/vnd.syncml.notification");
  std::string segments;
  for (const auto& seg : pushes[0]["segments"])
    segments += seg.is_string() ? seg.get<std::string>() : seg.dump();
  EXPECT_NE(segments.find(note["pkg0"].get<std::string>()), std::string::npos)
      << segments;
}

TEST(SmscCli, DmServerNotifyOptionsGoTogether) {
  CliRun r = Omaiop("dm server --port 0 --notify-to 4917001");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("--notify-smsc and --notify-to go together"),
            std::string::npos)
      << r.out;
}

}  // namespace
