// `omaiop report render` and `omaiop report merge` as a user runs them.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "harness/cli/cli_test_util.h"

namespace {

namespace fs = std::filesystem;
using omaiop::cli::testing::CliRun;
using omaiop::cli::testing::Omaiop;

class ReportCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_report_cli_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
    return (dir_ / name).string();
  }
  // A minimal valid results file with the given case verdicts.
  std::string Results(
      const std::string& name, const std::string& iut,
      const std::vector<std::pair<std::string, std::string>>& cases) {
    nlohmann::json j = {{"schema", "omaiop-results/1"},
                        {"tool", "omaiop"},
                        {"version", "0"},
                        {"started", "2026-01-01T00:00:00.000000Z"},
                        {"finished", "2026-01-01T00:00:01.000000Z"},
                        {"iut", {{"name", iut}, {"adapter", "simulated"}}}};
    nlohmann::json counts = {{"none", 0}, {"pass", 0},  {"inconc", 0},
                             {"fail", 0}, {"error", 0}, {"total", 0}};
    std::string overall = "none";
    const std::vector<std::string> order = {"none", "pass", "inconc", "fail",
                                            "error"};
    nlohmann::json arr = nlohmann::json::array();
    for (const auto& [id, v] : cases) {
      arr.push_back({{"id", id},
                     {"title", id},
                     {"purpose", ""},
                     {"requirements", {"R-1"}},
                     {"spec_refs", nlohmann::json::array()},
                     {"role", ""},
                     {"iut", iut},
                     {"verdict", v},
                     {"reason", "because"},
                     {"started", "2026-01-01T00:00:00.000000Z"},
                     {"duration_us", 5},
                     {"steps", nlohmann::json::array()},
                     {"trace", nlohmann::json::array()}});
      counts[v] = counts[v].get<int>() + 1;
      counts["total"] = counts["total"].get<int>() + 1;
      if (std::find(order.begin(), order.end(), v) >
          std::find(order.begin(), order.end(), overall))
        overall = v;
    }
    j["verdict"] = overall;
    j["counts"] = counts;
    j["cases"] = arr;
    return Write(name, j.dump());
  }
  fs::path dir_;
};

TEST_F(ReportCli, RenderWritesHtmlAndValidJunit) {
  const std::string in =
      Results("r.json", "X", {{"CP-A-1", "pass"}, {"CP-A-2", "fail"}});
  CliRun r = Omaiop("report render " + in + " -o " + (dir_ / "out").string());
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "index.html"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "junit.xml"));
  EXPECT_NE(r.out.find("2 cases: none 0 pass 1 inconc 0 fail 1 error 0"),
            std::string::npos)
      << r.out;
}

TEST_F(ReportCli, RenderRejectsResultsThatContradictThemselves) {
  std::string in = Results("r.json", "X", {{"CP-A-1", "fail"}});
  nlohmann::json j = nlohmann::json::parse(std::ifstream(in));
  j["counts"]["fail"] = 0;
  j["counts"]["pass"] = 1;
  in = Write("bad.json", j.dump());
  CliRun r = Omaiop("report render " + in + " -o " + (dir_ / "o").string());
  EXPECT_EQ(r.exit_code, 3) << r.out;
  EXPECT_NE(r.out.find("/counts/"), std::string::npos) << r.out;
  CliRun g = Omaiop("report render " + Write("g.json", "{oops"));
  EXPECT_EQ(g.exit_code, 3);
  EXPECT_NE(g.out.find("not well-formed"), std::string::npos) << g.out;
}

TEST_F(ReportCli, MergeWritesTheMatrix) {
  const std::string a =
      Results("a.json", "A", {{"CP-A-1", "pass"}, {"CP-A-2", "fail"}});
  const std::string b = Results("b.json", "B", {{"CP-A-1", "inconc"}});
  CliRun r =
      Omaiop("report merge " + a + " " + b + " -o " + (dir_ / "m").string());
  ASSERT_EQ(r.exit_code, 0) << r.out;
  EXPECT_NE(r.out.find("2 cases x 2 IUTs"), std::string::npos) << r.out;
  nlohmann::json m =
      nlohmann::json::parse(std::ifstream(dir_ / "m" / "matrix.json"));
  EXPECT_EQ(m["cases"][1]["results"]["B"]["verdict"], "not_run");
  EXPECT_EQ(m["cases"][0]["results"]["B"]["verdict"], "inconc");
  EXPECT_TRUE(fs::exists(dir_ / "m" / "matrix.html"));
  EXPECT_EQ(
      Omaiop("report merge " + (dir_ / "missing.json").string()).exit_code, 3);
}

}  // namespace
