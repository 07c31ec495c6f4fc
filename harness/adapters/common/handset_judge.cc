#include "harness/adapters/common/handset_judge.h"

#include <utility>

#include "sim/handset/cp/cp_client.h"

namespace omaiop::harness::adapters {

namespace {

bool Contains(std::string_view hay, std::string_view needle) {
  return needle.empty() || hay.find(needle) != std::string_view::npos;
}

bool KnownEventKind(std::string_view name) {
  namespace cp = sim::handset::cp;
  for (int i = 0; i <= static_cast<int>(cp::EventKind::kOriginRemoved); ++i)
    if (cp::EventKindName(static_cast<cp::EventKind>(i)) == name) return true;
  return false;
}

std::vector<const ObservedEvent*> AllEvents(
    const std::vector<ObservedOutcome>& outcomes) {
  std::vector<const ObservedEvent*> all;
  for (const auto& o : outcomes)
    for (const auto& ev : o.events) all.push_back(&ev);
  return all;
}

}  // namespace

std::string OutcomesSummary(const std::vector<ObservedOutcome>& outcomes) {
  std::string s;
  for (const auto& o : outcomes) {
    s += s.empty() ? "" : "; ";
    s += o.accepted ? "accepted" : "rejected";
    if (!o.accepted && !o.reject_rule.empty())
      s += " [" + o.reject_rule + "] " + o.reject_reason;
  }
  return s.empty() ? "no push outcome" : s;
}

StepOutcome JudgeExpectEvent(const script::ExpectEventStep& e,
                             const std::vector<ObservedOutcome>& outcomes) {
  if (!KnownEventKind(e.kind))
    return ErrorOutcome("unknown event kind " + e.kind);
  const auto all = AllEvents(outcomes);
  std::size_t n = 0;
  for (const auto* ev : all)
    if (ev->kind == e.kind && Contains(ev->rule, e.rule) &&
        Contains(ev->path, e.path) && Contains(ev->detail, e.detail))
      ++n;
  std::string what = e.kind;
  if (!e.rule.empty()) what += " with rule ~'" + e.rule + "'";
  if (!e.path.empty()) what += " at ~'" + e.path + "'";
  if (!e.detail.empty()) what += " detail ~'" + e.detail + "'";
  if (e.absent) {
    if (n == 0) return Pass("no " + what + " event");
    std::string rule;
    for (const auto* ev : all)
      if (ev->kind == e.kind) {
        rule = ev->rule;
        break;
      }
    return Fail("unexpected " + what + " event (" + std::to_string(n) + "x) [" +
                    rule + "]; outcome: " + OutcomesSummary(outcomes),
                rule);
  }
  if (e.count ? n == *e.count : n > 0)
    return Pass(std::to_string(n) + "x " + what);
  std::string rule;
  for (auto it = outcomes.rbegin(); it != outcomes.rend(); ++it)
    if (!it->reject_rule.empty()) {
      rule = it->reject_rule;
      break;
    }
  // Accepted where a rejection was expected: the handset's own decision
  // under the expected rule names what it got wrong.
  if (rule.empty() && !e.rule.empty())
    for (const auto* ev : all)
      if (Contains(ev->rule, e.rule)) {
        rule = ev->rule;
        break;
      }
  if (rule.empty()) rule = "expect-event: " + what;
  return Fail("expected " +
                  (e.count ? std::to_string(*e.count) + "x " : std::string()) +
                  what + " event, got " + std::to_string(n) +
                  (rule.empty() ? "" : " [" + rule + "]") +
                  "; outcome: " + OutcomesSummary(outcomes),
              rule);
}

StepOutcome JudgeExpectStatus(const script::ExpectStatusStep& e,
                              const std::vector<ObservedOutcome>& outcomes,
                              std::string_view adapter_name) {
  if (e.code != "accepted" && e.code != "rejected")
    return Inconc("expect-status code " + e.code +
                  " (DM status) not supported by adapter " +
                  std::string(adapter_name) + " yet");
  if (outcomes.empty())
    return Fail("expected push " + e.code + ", but no push was completed",
                "ProvBoot: push delivery");
  const auto& o = outcomes.back();
  if ((e.code == "accepted") == o.accepted) return Pass("push " + e.code);
  if (o.accepted)
    return Fail("expected push rejected, got accepted; outcome: " +
                    OutcomesSummary(outcomes),
                "expect-status: the push must be rejected");
  return Fail("expected push accepted, got rejected [" + o.reject_rule + "] " +
                  o.reject_reason,
              o.reject_rule);
}

StepOutcome JudgeCheckSetting(const script::CheckSettingStep& c,
                              const SettingQuery& query,
                              const std::vector<ObservedOutcome>& outcomes) {
  auto items = query(c.kind, c.id);
  const std::string name = c.kind + "/" + c.id;
  const std::string rule = "ProvCont: settings store (" + name + ")";
  if (!c.present) {
    if (items.empty()) return Pass(name + " not stored");
    return Fail(name + " stored (origin " + items.front().origin +
                    ") but must not be; outcome: " + OutcomesSummary(outcomes),
                rule);
  }
  if (items.empty())
    return Fail(name + " not stored; outcome: " + OutcomesSummary(outcomes),
                rule);
  if (c.parm.empty()) return Pass(name + " stored");
  auto it = items.front().parms.find(c.parm);
  if (it == items.front().parms.end())
    return Fail(name + " has no " + c.parm, rule);
  const std::string& got = it->second;
  if (c.has_value && got != c.value)
    return Fail(
        name + " " + c.parm + " = '" + got + "', expected '" + c.value + "'",
        rule);
  return Pass(name + " " + c.parm + " = '" + got + "'");
}

reports::TraceEntry MakeEntry(std::string source, std::string peer,
                              std::string kind, reports::Direction direction,
                              std::string summary, std::string rule) {
  reports::TraceEntry e;
  e.source = std::move(source);
  e.peer = std::move(peer);
  e.kind = std::move(kind);
  e.direction = direction;
  e.summary = std::move(summary);
  e.rule = std::move(rule);
  return e;
}

std::optional<codec::SecMethod> SecByName(std::string_view name) {
  for (auto m : {codec::SecMethod::kNetwPin, codec::SecMethod::kUserPin,
                 codec::SecMethod::kUserNetwPin, codec::SecMethod::kUserPinMac})
    if (codec::SecMethodName(m) == name) return m;
  return std::nullopt;
}

}  // namespace omaiop::harness::adapters
