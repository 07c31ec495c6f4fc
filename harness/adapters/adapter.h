// The adapter interface: how the runner reaches the peers of a test case.
// One Adapter per IUT kind (script::AdapterKind); it opens one Session per
// case run, which sets up omaiop's side and the IUT (preconditions), executes
// steps and records everything that crossed a wire, a decision, or a user
// action as reports::TraceEntry in the case's Recorder.
//
// A Session is used from one thread at a time but a step that timed out may
// still be running on its own thread while the runner moves on, so the
// runner holds sessions and recorders by shared_ptr.
#pragma once
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "codec/result.h"
#include "harness/script/iut.h"
#include "harness/script/testcase.h"
#include "reports/campaign.h"

namespace omaiop::harness::adapters {

inline std::uint64_t NowUs() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(
          std::chrono::system_clock::now().time_since_epoch())
          .count());
}

// Thread-safe trace collector of one case run.
class Recorder {
 public:
  // Stamps entries that carry no time; returns the entry's index.
  std::size_t Add(reports::TraceEntry e) {
    if (e.time_us == 0) e.time_us = NowUs();
    std::lock_guard<std::mutex> lock(mu_);
    entries_.push_back(std::move(e));
    return entries_.size() - 1;
  }
  void AddHighlight(std::size_t index, reports::Highlight h) {
    std::lock_guard<std::mutex> lock(mu_);
    if (index < entries_.size())
      entries_[index].highlights.push_back(std::move(h));
  }
  std::vector<reports::TraceEntry> Snapshot() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entries_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<reports::TraceEntry> entries_;
};

// The result of one step. `verdict` is the step's own verdict; the runner
// combines it into the case verdict with reports::Worse (never upgraded).
struct StepOutcome {
  reports::Verdict verdict = reports::Verdict::kPass;
  std::string reason;  // why; for fail names the rule
  std::string rule;    // the rule alone
};

inline StepOutcome Pass(std::string reason = {}) {
  return {reports::Verdict::kPass, std::move(reason), {}};
}
inline StepOutcome Fail(std::string reason, std::string rule) {
  return {reports::Verdict::kFail, std::move(reason), std::move(rule)};
}
inline StepOutcome Inconc(std::string reason) {
  return {reports::Verdict::kInconc, std::move(reason), {}};
}
inline StepOutcome ErrorOutcome(std::string reason) {
  return {reports::Verdict::kError, std::move(reason), {}};
}

// The rule of an Open() error meaning "this adapter cannot set the case up
// yet" (not a tool failure, not an IUT failure): verdict inconc.
inline constexpr char kRuleNotSupported[] = "not supported by adapter yet";
// The rule of an Open() error meaning "this case cannot be run against this
// IUT" (e.g. server commands a real server cannot be made to send): verdict
// none, with the diagnostic as reason.
inline constexpr char kRuleNotApplicable[] = "not applicable to this IUT";

struct AdapterConfig {
  script::Iut iut;
  // Fault names (`omaiop cp faults`) injected into omaiop's simulated peer
  // in every push of every case (to prove that cases can fail).
  std::vector<std::string> faults;
};

class Session {
 public:
  virtual ~Session() = default;
  // Runs one step to completion. May throw: the runner turns that into an
  // error verdict. `wait` steps are timed by the runner; Execute is still
  // called for them so the session can deliver what is pending.
  virtual StepOutcome Execute(const script::Step& step) = 0;
};

class Adapter {
 public:
  virtual ~Adapter() = default;
  virtual std::string_view name() const = 0;
  // Sets up the preconditions of `tc` (one instantiated run). An error here
  // is a tool/setup problem: verdict error with the diagnostic as reason.
  virtual codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) = 0;
};

// The adapter for `kind`: simulated is implemented; the others open
// sessions that fail with "adapter <name> not implemented yet".
std::unique_ptr<Adapter> MakeAdapter(script::AdapterKind kind);

}  // namespace omaiop::harness::adapters
