// The per-push verdict `omaiop smsc serve` reports for every push that
// arrives. This is the ONE place the verdict comes from: the simulated
// handset's CP client (sim/handset/cp/cp_client.h) judges each complete push
// (verdict_source "handset", its PushOutcome JSON under "handset"); a push
// with missing segments or without UDH falls back to the decode and MAC
// check alone (verdict_source "decode").
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "codec/dissect.h"
#include "sim/smsc/push_collector.h"

namespace omaiop::cli {

struct PushVerdictOptions {
  std::optional<std::string> imsi;  // NETWPIN / USERNETWPIN key material
  std::vector<std::string> pins;    // PINs the "user" knows; each is tried
};

class PushVerdictSource {
 public:
  virtual ~PushVerdictSource() = default;
  // A JSON object with (at least) these fields:
  //   sender, destination   source_addr / destination_addr of the push
  //   sec_method            NETWPIN, USERPIN, ..., "none", "missing"
  //   mac_check             "match" | "mismatch" | "not-checked" (no key
  //                         material) | "absent" (no SEC/MAC)
  //   accepted              bool
  //   rule                  the rule a rejection rests on (null if accepted)
  //   settings_applied      ["KIND/id", ...] stored by the handset, or null
  //                         when the handset could not judge the push
  //   verdict_source        "decode" or "handset"
  //   handset               the CpClient's PushOutcome::ToJson() (handset
  //                         verdicts only): stage, events with rules, origin
  virtual nlohmann::json Verdict(const sim::smsc::ArrivedPush& push,
                                 const codec::Dissection& dissection) = 0;
};

std::unique_ptr<PushVerdictSource> MakePushVerdictSource(
    const PushVerdictOptions& options);

// Dissects the push's segments; with several PINs, the first that makes the
// MAC match wins (else the dissection with the first PIN).
codec::Dissection DissectPush(const sim::smsc::ArrivedPush& push,
                              const PushVerdictOptions& options);

}  // namespace omaiop::cli
