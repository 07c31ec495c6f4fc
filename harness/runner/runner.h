// The campaign runner (issue 6): executes selected test cases against the
// IUT through an adapter (harness/adapters), one independent session per
// case run, and fills reports::Campaign.
//
// Per case: applicability (not applicable => verdict none with the reason),
// expansion per CSV row (script::Expand, one CaseResult per run, ID suffixed
// "[row]" when there is more than one), then the steps in order, each with
// its effective timeout. Verdicts follow the TTCN-3 lattice: the case
// verdict is the Worse() of its steps and never improves. A step that does
// not finish in time is a fail (the peer did not answer) and ends the case;
// an exception or setup problem is an error and ends the case.
#pragma once
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "harness/adapters/adapter.h"
#include "harness/script/iut.h"
#include "harness/script/testcase.h"
#include "reports/campaign.h"

namespace omaiop::harness {

using AdapterFactory =
    std::function<std::unique_ptr<adapters::Adapter>(script::AdapterKind)>;

struct RunOptions {
  script::Iut iut = script::SimulatedIut();
  std::size_t jobs = 1;  // cases run in parallel (each independent)
  // Faults injected into omaiop's simulated peer in every case.
  std::vector<std::string> faults;
  // Called (serialised) after each case run finishes.
  std::function<void(const reports::CaseResult&, std::size_t done,
                     std::size_t total)>
      on_case_done;
  AdapterFactory adapter_factory;  // empty = adapters::MakeAdapter
  // <wait> steps sleep their timeout (real peers need it); tests may cap it.
  std::chrono::milliseconds max_wait{std::chrono::hours(1)};
};

// One case run (already instantiated: no ${...} left) against the adapter.
reports::CaseResult RunCaseInstance(const script::TestCase& tc,
                                    adapters::Adapter& adapter,
                                    const RunOptions& options);

// The whole campaign: applicability, expansion, `jobs` workers. Results are
// in the order of `cases` (then data row), whatever `jobs` is.
reports::Campaign RunCampaign(const std::vector<const script::TestCase*>& cases,
                              const RunOptions& options);

// Exit code contract (omaiop run): 0 every verdict pass or none, 1 some
// fail, 2 inconc or error but no fail.
int ExitCodeFor(const reports::Campaign& c);

}  // namespace omaiop::harness
