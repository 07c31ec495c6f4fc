// Named DEFECT knobs of the simulated handset's DM client (session.h): each
// makes the client's messages break one rule of OMA-TS-DM_Protocol /
// DM_RepPro / DM_Security 1.2, so that a test case in which omaiop plays
// the DM server (role dm_server) can be proven to detect a non-conformant
// client: it passes against the conformant client and fails, naming the
// rule, with the defect (`<proven-by name="..."/>`, `omaiop run --fault`).
//
// The defects are applied to the client's messages on their way to the
// server (ApplyDmClientDefects* below), after the client built them: the
// client itself stays conformant and its own trace unchanged. Facts:
// specs/dm.md §3.1 (messages), §3.5 (status codes), §3.7 (credentials).
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "codec/syncml.h"

namespace omaiop::sim::handset::dm {

enum class DmClientDefectId {
  kStatusWrongCode,    // every command Status reports another code
  kStatusMissing,      // the last command Status of a message is dropped
  kResultsMissing,     // Results of a Get are dropped
  kSessionIdMismatch,  // SessionID changed after package 1
  kBadDigest,          // SyncHdr Cred data that does not verify
};

struct DmClientDefectInfo {
  DmClientDefectId id;
  std::string_view name;         // e.g. "client-status-wrong-code"
  std::string_view description;  // what the defective client does
  std::string_view rule;         // the rule it breaks (spec citation)
};

// Every knob, in a stable order.
std::span<const DmClientDefectInfo> AllDmClientDefects();
const DmClientDefectInfo& DefectInfoOf(DmClientDefectId id);
std::optional<DmClientDefectId> DmClientDefectByName(std::string_view name);

// Applies `defects` to one client message in place; returns one line per
// change made ("client-status-missing: Status CmdRef 3 (Get) dropped").
std::vector<std::string> ApplyDmClientDefects(
    std::span<const DmClientDefectId> defects, codec::SyncMlMessage& m);

struct DefectiveBody {
  std::string body;                  // re-encoded (unchanged if no change)
  std::vector<std::string> applied;  // as ApplyDmClientDefects
};
// The same on an HTTP body: decoded as WBXML when `content_type` says +wbxml
// (else XML), changed, re-encoded in the same form. A body that does not
// decode is returned unchanged (the server reports it).
DefectiveBody ApplyDmClientDefectsToBody(
    std::span<const DmClientDefectId> defects, std::string_view content_type,
    std::string_view body);

}  // namespace omaiop::sim::handset::dm
