// What does not need pcscd: error texts, reader-name selection helpers and
// the process/port helpers used by the e2e fixture. The PC/SC path itself is
// exercised end to end in tests/e2e/uicc_pcsc_test.cc.
#include "sim/reader/pcsc_reader.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "sim/reader/pcscd_process.h"

namespace omaiop::sim::reader {
namespace {

TEST(PcscErrorTextTest, NamesCallCodeLibraryTextAndRemedy) {
  std::string t = PcscErrorText("SCardEstablishContext", SCARD_E_NO_SERVICE);
  EXPECT_NE(t.find("SCardEstablishContext: "), std::string::npos) << t;
  EXPECT_NE(t.find(pcsc_stringify_error(SCARD_E_NO_SERVICE)), std::string::npos)
      << t;
  EXPECT_NE(t.find("0x8010001D"), std::string::npos) << t;
  EXPECT_NE(t.find("is pcscd running?"), std::string::npos) << t;
  EXPECT_NE(t.find("scripts/setup"), std::string::npos) << t;
  std::string removed = PcscErrorText("SCardTransmit", SCARD_W_REMOVED_CARD);
  EXPECT_NE(removed.find("omaiop uicc serve"), std::string::npos) << removed;
}

}  // namespace
}  // namespace omaiop::sim::reader
