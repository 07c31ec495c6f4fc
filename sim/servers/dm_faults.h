// Named fault knobs of the simulated OMA DM 1.2 server (dm_server.h): each
// breaks one rule of OMA-TS-DM_Protocol / DM_RepPro / DM_Security 1.2 in the
// server's messages and says what a conformant DM client must do with it.
// Facts: specs/dm.md §3.1–§3.7. Knobs whose expected client behaviour rests
// on an [R] fact say so in `expected_detail`. Same style as faults.h (CP).
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace omaiop::sim::servers {

enum class DmFaultLayer { kHttp, kEncoding, kHeader, kBody, kSecurity };

// What a conformant DM client does with a server message carrying the fault.
enum class DmClientMust {
  kRejectMessage,  // discard the message (no command executed)
  kReportStatus,   // process it and answer the offending part with an error
  kAuthenticate,   // answer with the challenge/credential protocol
  kRequestMore,    // treat the package as unfinished (Alert 1222)
};

enum class DmFaultId {
  // HTTP
  kWrongContentType,
  // encoding
  kMalformedXml,
  kOversizeMessage,
  // SyncHdr
  kWrongSessionId,
  kWrongMsgId,
  kWrongVerDtd,
  kWrongVerProto,
  kWrongTargetUri,
  // SyncBody
  kUnknownCommand,
  kMissingFinal,
  kBadStatusCode,
  kMissingHdrStatus,
  kWrongMsgRef,
  kDuplicateCmdId,
  // security
  kBadNonce,
  kWrongDigest,
  kMissingCred,
};

struct DmFaultInfo {
  DmFaultId id;
  std::string_view name;  // CLI name, e.g. "wrong-digest"
  DmFaultLayer layer;
  std::string_view description;  // one line: what the server does
  std::string_view rule;         // the rule it breaks (spec citation)
  DmClientMust expected;
  std::string_view expected_detail;  // what exactly the client must do
};

// Every knob, in a stable order (grouped by layer).
std::span<const DmFaultInfo> AllDmFaults();
const DmFaultInfo& InfoOf(DmFaultId id);
std::optional<DmFaultId> DmFaultByName(std::string_view name);

std::string_view DmFaultLayerName(DmFaultLayer layer);  // "HTTP", "SyncHdr"..
std::string_view DmClientMustName(DmClientMust m);  // "reject the message"..

}  // namespace omaiop::sim::servers
