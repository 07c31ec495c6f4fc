#include "harness/runner/runner.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

namespace omaiop::harness {

namespace {

using reports::Verdict;
using reports::Worse;

struct StepRun {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  adapters::StepOutcome outcome;
};

// Runs the step on its own thread so that a peer that never answers cannot
// hold the campaign: after the timeout the thread is left to finish alone
// (it owns the session through the shared_ptr).
std::optional<adapters::StepOutcome> ExecuteWithTimeout(
    std::shared_ptr<adapters::Session> session, const script::Step& step,
    std::chrono::milliseconds timeout) {
  auto run = std::make_shared<StepRun>();
  std::thread([run, session, step]() mutable {
    adapters::StepOutcome out;
    try {
      out = session->Execute(step);
    } catch (const std::exception& e) {
      out = adapters::ErrorOutcome(std::string("exception: ") + e.what());
    } catch (...) {
      out = adapters::ErrorOutcome("unknown exception");
    }
    // Drop this thread's reference before signalling, so that a step that
    // finished in time never leaves the session to be destroyed here.
    session.reset();
    std::lock_guard<std::mutex> lock(run->mu);
    run->outcome = std::move(out);
    run->done = true;
    run->cv.notify_all();
  }).detach();
  std::unique_lock<std::mutex> lock(run->mu);
  if (timeout.count() <= 0) {
    run->cv.wait(lock, [&] { return run->done; });
  } else if (!run->cv.wait_for(lock, timeout, [&] { return run->done; })) {
    return std::nullopt;
  }
  return run->outcome;
}

std::string Describe(const script::Step& s) {
  if (!s.name.empty()) return s.name;
  return std::visit(
      [&](const auto& b) -> std::string {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, script::PushStep>)
          return "push " + b.document + " sec=" + b.sec;
        else if constexpr (std::is_same_v<T, script::ExpectEventStep>)
          return std::string(b.absent ? "no " : "") + b.kind + " event" +
                 (b.rule.empty() ? "" : " (rule ~" + b.rule + ")");
        else if constexpr (std::is_same_v<T, script::CheckSettingStep>)
          return b.kind + "/" + b.id + (b.present ? "" : " absent");
        else if constexpr (std::is_same_v<T, script::ExpectStatusStep>)
          return "status " + b.code;
        else if constexpr (std::is_same_v<T, script::CheckCardFileStep>)
          return "card file " + b.path;
        else
          return s.element;
      },
      s.body);
}

reports::CaseResult Skeleton(const script::TestCase& tc, const RunOptions& o) {
  reports::CaseResult r;
  r.id = tc.id;
  r.title = tc.header.title;
  r.purpose = tc.header.purpose;
  r.requirements = tc.header.requirements;
  for (const auto& s : tc.header.spec_refs)
    r.spec_refs.push_back(s.document +
                          (s.section.empty() ? "" : " §" + s.section));
  r.role = std::string(script::RoleName(tc.header.role));
  r.iut = o.iut.name;
  r.started_us = adapters::NowUs();
  return r;
}

}  // namespace

reports::CaseResult RunCaseInstance(const script::TestCase& tc,
                                    adapters::Adapter& adapter,
                                    const RunOptions& options) {
  reports::CaseResult r = Skeleton(tc, options);
  auto recorder = std::make_shared<adapters::Recorder>();
  const auto t0 = std::chrono::steady_clock::now();
  auto finish = [&] {
    r.trace = recorder->Snapshot();
    r.duration_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - t0)
            .count());
    return r;
  };
  adapters::AdapterConfig config{options.iut, options.faults};
  auto session = adapter.Open(tc, config, recorder);
  if (!session.ok()) {
    const auto& d = session.error();
    const bool unsupported = d.rule == adapters::kRuleNotSupported;
    const bool not_applicable = d.rule == adapters::kRuleNotApplicable;
    r.verdict = not_applicable ? Verdict::kNone
                : unsupported  ? Verdict::kInconc
                               : Verdict::kError;
    r.reason = "setup (adapter " + std::string(adapter.name()) +
               "): " + d.what +
               (unsupported || not_applicable ? "" : " [" + d.rule + "]");
    if (!unsupported && !not_applicable) r.rule = d.rule;
    return finish();
  }
  std::optional<std::chrono::steady_clock::time_point> deadline;
  if (tc.pass.timeout) deadline = t0 + *tc.pass.timeout;
  bool stop = false;
  std::string stop_reason;
  int index = 0;
  for (const auto& step : tc.steps) {
    reports::StepResult sr;
    sr.index = ++index;
    sr.kind = step.element;
    sr.description = Describe(step);
    if (!stop && deadline && std::chrono::steady_clock::now() > *deadline) {
      stop = true;
      stop_reason = "case timeout (pass-criteria) expired";
      r.verdict = Worse(r.verdict, Verdict::kFail);
      if (r.reason.empty()) r.reason = stop_reason;
    }
    if (stop) {
      sr.verdict = Verdict::kNone;
      sr.reason = "not run: " + stop_reason;
      r.steps.push_back(std::move(sr));
      continue;
    }
    const auto s0 = std::chrono::steady_clock::now();
    std::optional<adapters::StepOutcome> out;
    if (std::holds_alternative<script::WaitStep>(step.body)) {
      out = ExecuteWithTimeout(*session, step, std::chrono::milliseconds(0));
      std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(
          step.effective_timeout, options.max_wait));
    } else {
      out = ExecuteWithTimeout(*session, step, step.effective_timeout);
    }
    sr.duration_us = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - s0)
            .count());
    if (!out) {
      out = adapters::Fail("step " + std::to_string(sr.index) + " (" +
                               step.element + ") did not complete within " +
                               std::to_string(step.effective_timeout.count()) +
                               " ms",
                           "timeout");
      stop = true;
      stop_reason = "step " + std::to_string(sr.index) + " timed out";
    } else if (out->verdict == Verdict::kError) {
      stop = true;
      stop_reason = "step " + std::to_string(sr.index) + " had an error";
    }
    sr.verdict = out->verdict;
    sr.reason = out->reason;
    sr.rule = out->rule;
    // The case's reason is that of its first worst step.
    if (sr.verdict > r.verdict) {
      r.reason = "step " + std::to_string(sr.index) + " (" + step.element +
                 "): " + sr.reason;
      r.rule = sr.rule;
    }
    r.verdict = Worse(r.verdict, sr.verdict);
    r.steps.push_back(std::move(sr));
  }
  if (r.reason.empty())
    r.reason = r.verdict == Verdict::kPass
                   ? "every step passed"
                   : "no step gave a verdict (no steps)";
  return finish();
}

reports::Campaign RunCampaign(const std::vector<const script::TestCase*>& cases,
                              const RunOptions& options) {
  reports::Campaign c;
  c.started_us = adapters::NowUs();
  c.iut.name = options.iut.name;
  c.iut.adapter = std::string(script::AdapterName(options.iut.adapter));
  // Work items: a finished result (not applicable, expansion error) or an
  // instance to run.
  struct Item {
    std::optional<script::TestCase> instance;
    reports::CaseResult result;
  };
  std::vector<Item> items;
  const auto vars = script::IutVariables(options.iut);
  for (const auto* tc : cases) {
    auto app = script::Applicability(*tc, options.iut);
    if (!app.applies) {
      Item it;
      it.result = Skeleton(*tc, options);
      it.result.verdict = Verdict::kNone;
      it.result.reason = "not applicable: " + app.reason;
      it.result.applicability = app.reason;
      items.push_back(std::move(it));
      continue;
    }
    auto runs = script::Expand(*tc, {vars, 0});
    if (!runs.ok()) {
      Item it;
      it.result = Skeleton(*tc, options);
      it.result.verdict = Verdict::kError;
      it.result.reason = "expansion: " + runs.error().ToString();
      it.result.rule = runs.error().rule;
      items.push_back(std::move(it));
      continue;
    }
    for (std::size_t i = 0; i < runs->size(); ++i) {
      Item it;
      it.instance = std::move((*runs)[i]);
      if (runs->size() > 1)
        it.instance->id = tc->id + "[" + std::to_string(i + 1) + "]";
      items.push_back(std::move(it));
    }
  }
  std::atomic<std::size_t> next{0};
  std::mutex done_mu;
  std::size_t done = 0;
  auto worker = [&] {
    auto factory = options.adapter_factory
                       ? options.adapter_factory
                       : AdapterFactory(adapters::MakeAdapter);
    auto adapter = factory(options.iut.adapter);
    for (;;) {
      std::size_t i = next.fetch_add(1);
      if (i >= items.size()) return;
      if (items[i].instance) {
        try {
          items[i].result =
              RunCaseInstance(*items[i].instance, *adapter, options);
        } catch (const std::exception& e) {
          items[i].result = Skeleton(*items[i].instance, options);
          items[i].result.verdict = Verdict::kError;
          items[i].result.reason = std::string("exception: ") + e.what();
        }
      }
      std::lock_guard<std::mutex> lock(done_mu);
      ++done;
      if (options.on_case_done)
        options.on_case_done(items[i].result, done, items.size());
    }
  };
  const std::size_t jobs =
      std::max<std::size_t>(1, std::min(options.jobs, items.size()));
  std::vector<std::thread> threads;
  for (std::size_t j = 1; j < jobs; ++j) threads.emplace_back(worker);
  worker();
  for (auto& t : threads) t.join();
  for (auto& it : items) c.cases.push_back(std::move(it.result));
  c.finished_us = adapters::NowUs();
  return c;
}

int ExitCodeFor(const reports::Campaign& c) {
  auto n = c.Counts();
  if (reports::Count(n, Verdict::kFail)) return 1;
  if (reports::Count(n, Verdict::kInconc) || reports::Count(n, Verdict::kError))
    return 2;
  return 0;
}

}  // namespace omaiop::harness
