#include "harness/script/selection.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>

namespace omaiop::harness::script {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::vector<TestCase> Synthetic(int n) {
  std::vector<TestCase> out;
  for (int i = n; i >= 1; --i) {  // reverse order: selection must sort
    TestCase tc;
    char id[32];
    std::snprintf(id, sizeof id, "%s-CASE-%03d", i % 2 ? "CP" : "DM", i);
    tc.id = id;
    tc.header.tags = {i % 3 == 0 ? "smoke" : "full"};
    tc.header.requirements = {"REQ-" + std::to_string(i % 4)};
    out.push_back(tc);
  }
  return out;
}

std::vector<std::string> Ids(const std::vector<const TestCase*>& v) {
  std::vector<std::string> out;
  for (const auto* t : v) out.push_back(t->id);
  return out;
}

TEST(Select, IdGlobPositiveAndNegative) {
  EXPECT_TRUE(IdMatches("CP-BOOT-SEC-001", ""));
  EXPECT_TRUE(IdMatches("CP-BOOT-SEC-001", "*"));
  EXPECT_TRUE(IdMatches("CP-BOOT-SEC-001", "CP-BOOT-*"));
  EXPECT_FALSE(IdMatches("CP-BOOT-SEC-001", "DM-*"));
  EXPECT_TRUE(IdMatches("CP-BOOT-SEC-001", "DM-*:CP-*"));
  EXPECT_FALSE(IdMatches("CP-BOOT-SEC-001", "CP-*:-CP-BOOT-SEC-*"));
  EXPECT_TRUE(IdMatches("CP-BOOT-SMS-001", "CP-*:-CP-BOOT-SEC-*"));
  EXPECT_FALSE(IdMatches("CP-BOOT-SEC-001", "-*-SEC-*"));
  EXPECT_TRUE(IdMatches("CP-UAB-USR-001", "-*-SEC-*"));
  EXPECT_TRUE(IdMatches("CP-BOOT-SEC-001", "CP-BOOT-SEC-00?"));
}

TEST(Select, ByIdTagAndRequirementSortedById) {
  const auto cases = Synthetic(12);
  auto all = Select(cases, {});
  ASSERT_EQ(all.size(), 12u);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](auto* a, auto* b) { return a->id < b->id; }));
  EXPECT_EQ(Ids(Select(cases, {"DM-*", {"smoke"}, {}})),
            (std::vector<std::string>{"DM-CASE-006", "DM-CASE-012"}));
  EXPECT_EQ(
      Ids(Select(cases, {"", {}, {"REQ-1"}})),
      (std::vector<std::string>{"CP-CASE-001", "CP-CASE-005", "CP-CASE-009"}));
  EXPECT_EQ(Select(cases, {"", {}, {"REQ-[13]"}}).size(), 6u);
  EXPECT_TRUE(Select(cases, {"", {"nope"}, {}}).empty());
}

TEST(Shard, UnionOfShardsIsTheCampaignAndDisjoint) {
  const auto cases = Synthetic(23);
  const auto selected = Select(cases, {});
  for (std::size_t total : {1u, 2u, 3u, 5u, 23u, 40u}) {
    std::multiset<std::string> seen;
    for (std::size_t i = 0; i < total; ++i) {
      auto shard = ApplyShard(selected, {i, total});
      // Balanced: sizes differ by at most one.
      EXPECT_LE(shard.size(), (selected.size() + total - 1) / total);
      EXPECT_GE(shard.size(), selected.size() / total);
      for (const auto* t : shard) seen.insert(t->id);
    }
    EXPECT_EQ(seen.size(), selected.size()) << total;
    for (const auto* t : selected) EXPECT_EQ(seen.count(t->id), 1u) << total;
  }
}

TEST(Shard, DeterministicRegardlessOfInputOrder) {
  auto cases = Synthetic(10);
  auto a = ApplyShard(Select(cases, {}), {1, 3});
  std::vector<const TestCase*> shuffled;
  for (const auto& t : cases) shuffled.push_back(&t);  // reverse ID order
  auto b = ApplyShard(shuffled, {1, 3});
  EXPECT_EQ(Ids(a), Ids(b));
  // Sorted: CP-001 003 005 007 009 DM-002 004 006 008 010; shard 1 of 3
  // takes indexes 1, 4, 7 (GoogleTest's round robin).
  EXPECT_EQ(Ids(a), (std::vector<std::string>{"CP-CASE-003", "CP-CASE-009",
                                              "DM-CASE-006"}));
}

TEST(Shard, ExplicitSpecValidated) {
  EXPECT_TRUE(MakeShard(0, 1).ok());
  EXPECT_TRUE(MakeShard(2, 3).ok());
  auto r = MakeShard(3, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("not in [0, 3)"));
  EXPECT_FALSE(MakeShard(-1, 3).ok());
  EXPECT_FALSE(MakeShard(0, 0).ok());
}

class EnvShard : public ::testing::Test {
 protected:
  void SetUp() override { Clear(); }
  void TearDown() override { Clear(); }
  static void Clear() {
    unsetenv("GTEST_SHARD_INDEX");
    unsetenv("GTEST_TOTAL_SHARDS");
    unsetenv("GTEST_SHARD_STATUS_FILE");
  }
};

TEST_F(EnvShard, UnsetMeansNoSharding) {
  auto r = ShardFromEnvironment();
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->has_value());
}

TEST_F(EnvShard, ReadsIndexAndTotalAndTouchesStatusFile) {
  const fs::path status = fs::temp_directory_path() /
                          ("omaiop_shard_status_" + std::to_string(getpid()));
  fs::remove(status);
  setenv("GTEST_SHARD_INDEX", "2", 1);
  setenv("GTEST_TOTAL_SHARDS", "3", 1);
  setenv("GTEST_SHARD_STATUS_FILE", status.c_str(), 1);
  auto r = ShardFromEnvironment();
  ASSERT_TRUE(r.ok()) << r.error().ToString();
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ((*r)->index, 2u);
  EXPECT_EQ((*r)->total, 3u);
  EXPECT_TRUE(fs::exists(status));
  fs::remove(status);
}

TEST_F(EnvShard, InvalidValuesAreErrors) {
  setenv("GTEST_SHARD_INDEX", "3", 1);
  setenv("GTEST_TOTAL_SHARDS", "3", 1);
  auto r = ShardFromEnvironment();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().path, HasSubstr("GTEST_SHARD_INDEX=3"));
  setenv("GTEST_SHARD_INDEX", "x", 1);
  EXPECT_FALSE(ShardFromEnvironment().ok());
  unsetenv("GTEST_TOTAL_SHARDS");
  setenv("GTEST_SHARD_INDEX", "0", 1);
  r = ShardFromEnvironment();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.error().what, HasSubstr("set together"));
}

class SuiteDir : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_suite_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::create_directories(dir_ / "testcases/a/b");
    fs::create_directories(dir_ / "testcases/schema");
    fs::create_directories(dir_ / "testcases/.hidden");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Write(const std::string& rel, const std::string& id) {
    std::ofstream(dir_ / rel)
        << "<testcase id=\"" << id
        << "\"><header><title>t</title><purpose>p</purpose>"
           "<requirement id=\"R\"/><role>handset</role></header>"
           "<steps><wait timeout=\"1s\"/></steps><pass-criteria>"
           "<criterion>c</criterion></pass-criteria></testcase>";
  }
  fs::path dir_;
};

TEST_F(SuiteDir, DiscoversRecursivelySkippingSchemaAndHidden) {
  Write("testcases/z.xml", "Z-CASE-001");
  Write("testcases/a/b/y.xml", "A-CASE-002");
  Write("testcases/a/x.xml", "A-CASE-001");
  Write("testcases/schema/s.xml", "S-CASE-001");
  Write("testcases/.hidden/h.xml", "H-CASE-001");
  std::ofstream(dir_ / "testcases/a/data.csv") << "A\n1\n";
  auto files = DiscoverTestCaseFiles((dir_ / "testcases").string());
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 3u);
  auto suite = LoadSuite((dir_ / "testcases").string());
  ASSERT_TRUE(suite.ok());
  EXPECT_TRUE(suite->errors.empty());
  std::vector<std::string> ids;
  for (const auto& t : suite->cases) ids.push_back(t.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"A-CASE-001", "A-CASE-002",
                                           "Z-CASE-001"}));
}

TEST_F(SuiteDir, DuplicateIdAndBrokenFilesAreReportedNotFatal) {
  Write("testcases/a/x.xml", "A-CASE-001");
  Write("testcases/a/y.xml", "A-CASE-001");
  std::ofstream(dir_ / "testcases/broken.xml") << "<testcase";
  auto suite = LoadSuite((dir_ / "testcases").string());
  ASSERT_TRUE(suite.ok());
  ASSERT_EQ(suite->cases.size(), 1u);
  ASSERT_EQ(suite->errors.size(), 2u);
  std::string all = suite->errors[0].ToString() + suite->errors[1].ToString();
  EXPECT_THAT(all, HasSubstr("already used by"));
  EXPECT_THAT(all, HasSubstr("broken.xml"));
}

TEST(SuiteMissing, MissingDirectoryIsAnError) {
  EXPECT_FALSE(LoadSuite("/nonexistent/testcases").ok());
}

}  // namespace
}  // namespace omaiop::harness::script
