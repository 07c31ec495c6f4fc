// Campaign selection: discover test-case files, select by ID glob, tag or
// requirement, and split the selection into shards (the GoogleTest sharding
// protocol, so Bazel- and Kubernetes-indexed-job runners can split a
// campaign across machines).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec/result.h"
#include "harness/script/testcase.h"

namespace omaiop::harness::script {

// Every *.xml under `dir` (recursively; the schema/ folder and hidden
// directories skipped), sorted by path. A missing directory is an error.
codec::Result<std::vector<std::string>> DiscoverTestCaseFiles(
    const std::string& dir);

struct Suite {
  std::vector<TestCase> cases;            // sorted by ID
  std::vector<codec::Diagnostic> errors;  // files that failed to load
};
// Loads every discovered file. A file that fails to load, or whose ID
// another file already uses (the second is refused), is recorded in errors
// and left out; the rest still load.
codec::Result<Suite> LoadSuite(const std::string& dir,
                               const LoadOptions& options = {});

struct Filter {
  // GoogleTest-style ID filter: "POS1:POS2-NEG1:NEG2", fnmatch globs
  // (e.g. "CP-BOOT-*-CP-BOOT-SEC-*"); "" or "*" selects all.
  std::string id_filter;
  std::vector<std::string> tags;          // any of them (empty: no filter)
  std::vector<std::string> requirements;  // any of them; glob allowed
};
bool IdMatches(const std::string& id, const std::string& filter);
// The cases that pass every given criterion, in ID order (pointers into
// `cases`).
std::vector<const TestCase*> Select(const std::vector<TestCase>& cases,
                                    const Filter& filter);

struct ShardSpec {
  std::size_t index = 0;
  std::size_t total = 1;
};
// GTEST_SHARD_INDEX / GTEST_TOTAL_SHARDS: nullopt when neither is set;
// an error when only one is set, either is not a number, or index >= total.
// If GTEST_SHARD_STATUS_FILE is set it is created (touched), as GoogleTest
// does to tell the runner that sharding is supported.
codec::Result<std::optional<ShardSpec>> ShardFromEnvironment();
// Validates an explicit --shard-index/--total-shards pair.
codec::Result<ShardSpec> MakeShard(long long index, long long total);

// Round-robin over the ID-sorted selection (case i goes to shard i % total),
// as GoogleTest assigns tests: deterministic, disjoint, and the union of all
// shards is the selection.
std::vector<const TestCase*> ApplyShard(std::vector<const TestCase*> selected,
                                        const ShardSpec& shard);

}  // namespace omaiop::harness::script
