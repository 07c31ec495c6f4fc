#include "harness/script/selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace omaiop::harness::script {
namespace {

namespace fs = std::filesystem;
constexpr char kRuleShard[] =
    "GoogleTest sharding (GTEST_SHARD_INDEX/GTEST_TOTAL_SHARDS)";

bool Glob(const std::string& pattern, const std::string& s) {
  return fnmatch(pattern.c_str(), s.c_str(), 0) == 0;
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    if (end > start) out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

bool AnyGlob(const std::vector<std::string>& patterns, const std::string& s) {
  for (const auto& p : patterns)
    if (Glob(p, s)) return true;
  return false;
}

codec::Result<long long> ParseCount(const char* name, const char* v) {
  std::string s = v;
  if (s.empty() || s.size() > 9 ||
      s.find_first_not_of("0123456789") != std::string::npos)
    return codec::PathError(
        std::string(name) + "='" + s + "' is not a non-negative integer", name,
        kRuleShard);
  return std::stoll(s);
}

}  // namespace

codec::Result<std::vector<std::string>> DiscoverTestCaseFiles(
    const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec))
    return codec::PathError("test-case directory not found", dir,
                            "omaiop test cases");
  std::vector<std::string> out;
  fs::recursive_directory_iterator it(
      dir, fs::directory_options::skip_permission_denied, ec),
      end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    const std::string name = p.filename().string();
    if (it->is_directory(ec)) {
      if (name == "schema" || (!name.empty() && name[0] == '.'))
        it.disable_recursion_pending();
      continue;
    }
    if (p.extension() == ".xml" && it->is_regular_file(ec))
      out.push_back(p.string());
  }
  if (ec)
    return codec::PathError("cannot list: " + ec.message(), dir,
                            "omaiop test cases");
  std::sort(out.begin(), out.end());
  return out;
}

codec::Result<Suite> LoadSuite(const std::string& dir,
                               const LoadOptions& options) {
  OMAIOP_ASSIGN_OR_RETURN(auto files, DiscoverTestCaseFiles(dir));
  Suite suite;
  std::map<std::string, std::string> owner;  // ID -> file
  for (const auto& f : files) {
    auto tc = LoadTestCase(f, options);
    if (!tc.ok()) {
      suite.errors.push_back(tc.error());
      continue;
    }
    auto [it, fresh] = owner.emplace(tc->id, f);
    if (!fresh) {
      suite.errors.push_back(codec::PathError(
          "test-case ID " + tc->id + " is already used by " + it->second, f,
          "omaiop test cases: IDs are unique"));
      continue;
    }
    suite.cases.push_back(std::move(*tc));
  }
  std::sort(suite.cases.begin(), suite.cases.end(),
            [](const TestCase& a, const TestCase& b) { return a.id < b.id; });
  return suite;
}

bool IdMatches(const std::string& id, const std::string& filter) {
  // A '-' inside a glob (IDs contain '-') is part of the pattern; only a
  // '-' that begins a negative list separates. GoogleTest uses the first
  // '-', but our IDs are dashed, so the negative part starts at ":-" or a
  // leading '-'.
  std::string pos = filter, neg;
  if (!filter.empty() && filter[0] == '-') {
    pos.clear();
    neg = filter.substr(1);
  } else if (std::size_t k = filter.find(":-"); k != std::string::npos) {
    pos = filter.substr(0, k);
    neg = filter.substr(k + 2);
  }
  const auto positives = Split(pos, ':');
  const auto negatives = Split(neg, ':');
  if (!positives.empty() && !AnyGlob(positives, id)) return false;
  return !AnyGlob(negatives, id);
}

std::vector<const TestCase*> Select(const std::vector<TestCase>& cases,
                                    const Filter& filter) {
  std::vector<const TestCase*> out;
  for (const auto& tc : cases) {
    if (!IdMatches(tc.id, filter.id_filter)) continue;
    if (!filter.tags.empty()) {
      bool hit = false;
      for (const auto& t : tc.header.tags)
        hit = hit || std::find(filter.tags.begin(), filter.tags.end(), t) !=
                         filter.tags.end();
      if (!hit) continue;
    }
    if (!filter.requirements.empty()) {
      bool hit = false;
      for (const auto& r : tc.header.requirements)
        hit = hit || AnyGlob(filter.requirements, r);
      if (!hit) continue;
    }
    out.push_back(&tc);
  }
  std::stable_sort(
      out.begin(), out.end(),
      [](const TestCase* a, const TestCase* b) { return a->id < b->id; });
  return out;
}

codec::Result<ShardSpec> MakeShard(long long index, long long total) {
  if (total < 1)
    return codec::PathError(
        "total shards must be at least 1 (got " + std::to_string(total) + ")",
        "--total-shards", kRuleShard);
  if (index < 0 || index >= total)
    return codec::PathError("shard index " + std::to_string(index) +
                                " is not in [0, " + std::to_string(total) + ")",
                            "--shard-index", kRuleShard);
  return ShardSpec{static_cast<std::size_t>(index),
                   static_cast<std::size_t>(total)};
}

codec::Result<std::optional<ShardSpec>> ShardFromEnvironment() {
  const char* index = std::getenv("GTEST_SHARD_INDEX");
  const char* total = std::getenv("GTEST_TOTAL_SHARDS");
  if (const char* status = std::getenv("GTEST_SHARD_STATUS_FILE");
      status && *status) {
    std::ofstream touch(status, std::ios::app);
    if (!touch)
      return codec::PathError("cannot create GTEST_SHARD_STATUS_FILE", status,
                              kRuleShard);
  }
  if (!index && !total) return std::optional<ShardSpec>();
  if (!index || !total)
    return codec::PathError(
        "GTEST_SHARD_INDEX and GTEST_TOTAL_SHARDS must be set together",
        index ? "GTEST_TOTAL_SHARDS" : "GTEST_SHARD_INDEX", kRuleShard);
  OMAIOP_ASSIGN_OR_RETURN(long long i, ParseCount("GTEST_SHARD_INDEX", index));
  OMAIOP_ASSIGN_OR_RETURN(long long t, ParseCount("GTEST_TOTAL_SHARDS", total));
  auto s = MakeShard(i, t);
  if (!s.ok()) {
    codec::Diagnostic d = s.error();
    d.path = "GTEST_SHARD_INDEX=" + std::string(index) +
             " GTEST_TOTAL_SHARDS=" + std::string(total);
    return d;
  }
  return std::optional<ShardSpec>(*s);
}

std::vector<const TestCase*> ApplyShard(std::vector<const TestCase*> selected,
                                        const ShardSpec& shard) {
  std::stable_sort(
      selected.begin(), selected.end(),
      [](const TestCase* a, const TestCase* b) { return a->id < b->id; });
  std::vector<const TestCase*> out;
  for (std::size_t i = 0; i < selected.size(); ++i)
    if (shard.total > 0 && i % shard.total == shard.index)
      out.push_back(selected[i]);
  return out;
}

}  // namespace omaiop::harness::script
