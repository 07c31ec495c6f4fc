#include "reports/report_dir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "reports/testing/sample_campaign.h"

namespace omaiop::reports {
namespace {

namespace fs = std::filesystem;

TEST(ReportDir, WritesEveryFile) {
  const fs::path dir = fs::temp_directory_path() /
                       ("omaiop_report_dir_" + std::to_string(getpid()));
  Campaign c = testing::SampleCampaign();
  c.cases.push_back(c.cases[0]);  // a duplicate ID gets its own pcap name
  auto files = WriteReportDirectory(c, dir.string());
  ASSERT_TRUE(files.ok()) << files.error().ToString();
  EXPECT_TRUE(fs::exists(dir / "index.html"));
  EXPECT_TRUE(fs::exists(dir / "junit.xml"));
  EXPECT_TRUE(fs::exists(dir / "results.json"));
  EXPECT_TRUE(ReadCampaignJson((dir / "results.json").string()).ok());
  // Cases 1, 2, 4 and the duplicate have packet-shaped entries.
  EXPECT_EQ(files->pcaps.size(), 4u);
  EXPECT_TRUE(fs::exists(dir / "traces" / "CP-BOOT-SEC-001.pcap"));
  EXPECT_TRUE(fs::exists(dir / "traces" / "CP-BOOT-SEC-001-2.pcap"));
  EXPECT_FALSE(fs::exists(dir / "traces" / "CP-CONT-001.pcap"));
  fs::remove_all(dir);
}

TEST(ReportDir, UnwritableDirectoryIsAnError) {
  EXPECT_FALSE(
      WriteReportDirectory(testing::SampleCampaign(), "/proc/nope/x").ok());
}

}  // namespace
}  // namespace omaiop::reports
