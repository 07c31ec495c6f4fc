// What a handset (simulated in-process, or an IUT behind a command) reported
// about the pushes it got, in a form independent of where it came from, and
// the step judgements over it that every adapter shares: <expect-event>,
// <expect-status code="accepted|rejected">, <check-setting>. The simulated
// handset fills it from sim/handset/cp PushOutcomes; the command adapter from
// the IUT's JSON line (see harness/adapters/command/command_adapter.h).
//
// Also the small trace-entry and name helpers the adapters share.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/cp_security.h"
#include "harness/adapters/adapter.h"
#include "harness/script/testcase.h"
#include "reports/campaign.h"

namespace omaiop::harness::adapters {

struct ObservedEvent {
  std::string kind;  // sim::handset::cp::EventKindName, e.g. "mac_mismatch"
  std::string rule, path, detail;
};

// One push as the handset judged it.
struct ObservedOutcome {
  bool accepted = false;
  std::string reject_rule, reject_reason;
  std::optional<std::uint16_t> dst_port;
  std::vector<ObservedEvent> events;
};

// One stored setting as the handset reports it.
struct ObservedSetting {
  std::string kind, id, origin;
  std::map<std::string, std::string> parms;  // top-level PARM name -> value
};
// The settings of `kind`/`id` the handset holds now.
using SettingQuery = std::function<std::vector<ObservedSetting>(
    std::string_view kind, std::string_view id)>;

// "accepted; rejected [rule] reason" over every outcome so far.
std::string OutcomesSummary(const std::vector<ObservedOutcome>& outcomes);

// The step judgements (the rules they cite come from the events; a missing
// expected event cites the last rejection's rule or, when the push was
// accepted, the rule of the handset's event that matched the expected rule
// text, so a defect that accepts what it must reject is named; failing
// both, "expect-event: <what was expected>").
StepOutcome JudgeExpectEvent(const script::ExpectEventStep& e,
                             const std::vector<ObservedOutcome>& outcomes);
StepOutcome JudgeExpectStatus(const script::ExpectStatusStep& e,
                              const std::vector<ObservedOutcome>& outcomes,
                              std::string_view adapter_name);
StepOutcome JudgeCheckSetting(const script::CheckSettingStep& c,
                              const SettingQuery& query,
                              const std::vector<ObservedOutcome>& outcomes);

// A trace entry with the common fields set.
reports::TraceEntry MakeEntry(std::string source, std::string peer,
                              std::string kind, reports::Direction direction,
                              std::string summary, std::string rule = {});

// codec::SecMethodName inverse ("NETWPIN" ...); nullopt for "none" or junk.
std::optional<codec::SecMethod> SecByName(std::string_view name);

// The <user-pin pin="@out-of-band"/> marker: the PIN the push server handed
// out of band for the push being delivered (USERPINMAC: K || m).
inline constexpr char kOutOfBandPin[] = "@out-of-band";

}  // namespace omaiop::harness::adapters
