// `omaiop uicc ...` usage errors and help, without pcscd (the served card
// itself is tested through pcscd in tests/e2e/uicc_pcsc_test.cc).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "harness/cli/cli_test_util.h"

namespace {

using UiccRun = omaiop::cli::testing::CliRun;

UiccRun Uicc(const std::string& args) {
  return omaiop::cli::testing::Omaiop("uicc " + args);
}

TEST(UiccCli, ServeHelpDocumentsHotPlugSignal) {
  UiccRun r = Uicc("serve --help");
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("kill -USR1"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--vpcd"), std::string::npos) << r.out;
}

TEST(UiccCli, CorruptStateFileIsAToolFailureNamingTheProblem) {
  std::string path = ::testing::TempDir() + "/omaiop-corrupt.state";
  {
    std::ofstream out(path);
    out << "not an omaiop card state\n";
  }
  UiccRun r = Uicc("serve --profile uicc-3g --state " + path);
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find(path), std::string::npos) << r.out;
  std::remove(path.c_str());
}

TEST(UiccCli, UnknownProfileIsAToolFailure) {
  UiccRun r = Uicc("serve --profile nope.xml");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("no profile file or shipped profile named 'nope.xml'"),
            std::string::npos)
      << r.out;
}

TEST(UiccCli, BadVpcdAddressIsAToolFailure) {
  for (const char* bad : {"localhost", "localhost:0", "h:70000", "h:x"}) {
    UiccRun r = Uicc(std::string("serve --vpcd ") + bad);
    EXPECT_EQ(r.exit_code, 3) << bad << "\n" << r.out;
    EXPECT_NE(r.out.find("--vpcd wants HOST:PORT"), std::string::npos) << r.out;
  }
}

TEST(UiccCli, ApduRejectsNonHexAndShortApdus) {
  UiccRun r = Uicc("apdu 00A4 zz");
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("argument 1 '00A4' is not a command APDU"),
            std::string::npos)
      << r.out;
  r = Uicc("apdu");
  EXPECT_EQ(r.exit_code, 3) << r.out;
}

}  // namespace
