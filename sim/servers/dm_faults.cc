#include "sim/servers/dm_faults.h"

#include <array>

namespace omaiop::sim::servers {
namespace {

using L = DmFaultLayer;
using M = DmClientMust;

constexpr std::array kFaults = {
    DmFaultInfo{DmFaultId::kWrongContentType, "wrong-content-type", L::kHttp,
                "the HTTP response says Content-Type text/plain",
                "dm.md §3.1: application/vnd.syncml.dm+xml or +wbxml",
                M::kRejectMessage,
                "not process the body as SyncML DM; end or abort the session"},
    DmFaultInfo{DmFaultId::kMalformedXml, "malformed-xml", L::kEncoding,
                "the message is cut in the middle (not well-formed XML / "
                "truncated WBXML)",
                "XML 1.0 §2.1 well-formedness / WBXML 1.3 §5.3",
                M::kRejectMessage,
                "execute no command of the message; end the session"},
    DmFaultInfo{DmFaultId::kOversizeMessage, "oversize-message", L::kEncoding,
                "pads the message (a Replace with a large item) beyond the "
                "client's MaxMsgSize",
                "DM_RepPro: MaxMsgSize in SyncHdr Meta limits the peer's "
                "messages (dm.md §3.3 [R])",
                M::kRejectMessage,
                "refuse the message (it exceeds the advertised MaxMsgSize); "
                "[R] the exact status (e.g. 413/416) is not pinned down"},
    DmFaultInfo{DmFaultId::kWrongSessionId, "wrong-session-id", L::kHeader,
                "SyncHdr SessionID differs from the client's session",
                "dm.md §3.1: SessionID is the same for the whole session",
                M::kRejectMessage,
                "not execute the commands; answer SyncHdr with an error or "
                "drop the session"},
    DmFaultInfo{DmFaultId::kWrongMsgId, "wrong-msgid", L::kHeader,
                "SyncHdr MsgID repeats the previous server MsgID (1 on the "
                "first message: \"0\")",
                "dm.md §3.1: MsgID unique per message in the session",
                M::kRejectMessage,
                "treat the message as a protocol error (duplicate MsgID)"},
    DmFaultInfo{DmFaultId::kWrongVerDtd, "wrong-verdtd", L::kHeader,
                "SyncHdr VerDTD is 1.1", "dm.md §3.1: VerDTD = 1.2",
                M::kReportStatus,
                "answer SyncHdr with status 505 (DTD version not supported) "
                "[R: code from SyncML RepPro]"},
    DmFaultInfo{DmFaultId::kWrongVerProto, "wrong-verproto", L::kHeader,
                "SyncHdr VerProto is DM/1.1", "dm.md §3.1: VerProto = DM/1.2",
                M::kReportStatus,
                "answer SyncHdr with status 513 (protocol version not "
                "supported) [R: code from SyncML RepPro]"},
    DmFaultInfo{DmFaultId::kWrongTargetUri, "wrong-target-uri", L::kHeader,
                "SyncHdr Target LocURI is not the client's device id",
                "dm.md §3.1: Target/LocURI = device id in server messages",
                M::kRejectMessage,
                "refuse the message (it is addressed to another device)"},
    DmFaultInfo{DmFaultId::kUnknownCommand, "unknown-command", L::kBody,
                "adds a <Sync> command (SyncML DS only) to the SyncBody",
                "dm.md §3.1: server commands are Add, Replace, Get, Delete, "
                "Exec, Copy, Atomic, Sequence, Alert",
                M::kReportStatus,
                "answer the unknown command with status 406 or 501 and "
                "process the rest"},
    DmFaultInfo{DmFaultId::kMissingFinal, "missing-final", L::kBody,
                "omits <Final/> from every server message",
                "dm.md §3.2: the last message of a package carries Final",
                M::kRequestMore,
                "treat the package as unfinished: answer with Status and "
                "Alert 1222 (next message), no Final"},
    DmFaultInfo{DmFaultId::kBadStatusCode, "bad-status-code", L::kBody,
                "the Status for the client's SyncHdr carries code \"999\"",
                "dm.md §3.5: status codes are the SyncML/DM defined ones",
                M::kRejectMessage,
                "treat the session as failed (the header status is not a "
                "success code)"},
    DmFaultInfo{DmFaultId::kMissingHdrStatus, "missing-hdr-status", L::kBody,
                "no Status for the client's SyncHdr",
                "dm.md §3.2: server package carries Status for SyncHdr",
                M::kRejectMessage,
                "treat the reply as a protocol error (it cannot know whether "
                "it was authenticated)"},
    DmFaultInfo{DmFaultId::kWrongMsgRef, "wrong-msgref", L::kBody,
                "every Status the server sends has MsgRef 99",
                "dm.md §3.1: Status references MsgRef/CmdRef/Cmd",
                M::kRejectMessage,
                "not match the statuses to its commands; treat as protocol "
                "error"},
    DmFaultInfo{DmFaultId::kDuplicateCmdId, "duplicate-cmdid", L::kBody,
                "the second server command reuses the first one's CmdID",
                "DM_RepPro: CmdID unique within a message", M::kReportStatus,
                "answer the duplicate with an error status (e.g. 400) [R]"},
    DmFaultInfo{DmFaultId::kBadNonce, "bad-nonce", L::kSecurity,
                "the NextNonce in the server's Chal is not base64 (\"!!\")",
                "dm.md §3.7: NextNonce Format b64", M::kAuthenticate,
                "not crash; it cannot compute a digest: give up the session "
                "or retry with the old nonce"},
    DmFaultInfo{DmFaultId::kWrongDigest, "wrong-digest", L::kSecurity,
                "the server's Cred is a digest over a wrong password",
                "dm.md §3.7 / DM_Security §5.1.3: server authenticates to "
                "client with SRVCRED",
                M::kAuthenticate,
                "answer SyncHdr with status 401 and a Chal with a new "
                "NextNonce; execute no command"},
    DmFaultInfo{DmFaultId::kMissingCred, "missing-cred", L::kSecurity,
                "the server sends no Cred in SyncHdr although credentials "
                "are configured",
                "dm.md §3.7: client requiring server auth challenges it",
                M::kAuthenticate,
                "answer SyncHdr with status 407 and a Chal when it requires "
                "server authentication; execute no command"},
};

}  // namespace

std::span<const DmFaultInfo> AllDmFaults() { return kFaults; }

const DmFaultInfo& InfoOf(DmFaultId id) {
  for (const auto& f : kFaults)
    if (f.id == id) return f;
  return kFaults[0];  // unreachable: every id is in the table
}

std::optional<DmFaultId> DmFaultByName(std::string_view name) {
  for (const auto& f : kFaults)
    if (f.name == name) return f.id;
  return std::nullopt;
}

std::string_view DmFaultLayerName(DmFaultLayer layer) {
  switch (layer) {
    case L::kHttp:
      return "HTTP";
    case L::kEncoding:
      return "encoding";
    case L::kHeader:
      return "SyncHdr";
    case L::kBody:
      return "SyncBody";
    case L::kSecurity:
      return "security";
  }
  return "?";
}

std::string_view DmClientMustName(DmClientMust m) {
  switch (m) {
    case M::kRejectMessage:
      return "reject the message";
    case M::kReportStatus:
      return "report an error status";
    case M::kAuthenticate:
      return "challenge / re-authenticate";
    case M::kRequestMore:
      return "ask for the next message";
  }
  return "?";
}

}  // namespace omaiop::sim::servers
