// Role dm_client, omaiop's side: the simulated handset (sim/handset Handset
// over a virtual UICC, with the DM client sim/handset/dm DmClient on its
// management tree) opens DM sessions with the IUT, a DM server. How the IUT
// is reached and driven is a DmServerPeer: the simulated adapter's in-process
// DmServer (harness/adapters/simulated/dm_client_role.h) or a real server by
// URL (harness/adapters/http_dm_server/).
//
// The handset's account: the card's DM bootstrap (EF DM_Bootstrap, dm.md
// §1.3, applied into ./DMAcc at power-on with origin card:<ICCID>) when the
// card holds one, else one built from the handset options / PIXIT
// (credential "dm": user = CLCRED name, password = CLCRED secret, secret =
// SRVCRED secret). Either way the handset POSTs to the peer's URL (the
// account's AppAddr names the real server; the IUT stands in for it).
//
// Steps (lazy, like the CP pushes of the simulated adapter): <dm-session>
// schedules a session; the <server-commands> that follow are what the IUT
// server sends in it (one server package per step, in order); the session
// runs at the first other step. trigger="client" (or "bootstrap"): Alert
// 1201; trigger="server": the peer sends package 0 and the handset answers
// it (OnPackage0: digest checked with SRVCRED).
//   <expect-status code cmd target>  a status the handset answered to a
//       server command (DmSessionOutcome.commands): cmd exact, target a
//       substring of the item URI;
//   <expect-event kind rule detail path count absent>  kind = a DmEventKind
//       name of the handset's trace (session_started, server_auth_failed,
//       nonce_updated, ...), "violation" = a rule the IUT server reported
//       the handset breaking (rule id / spec ref), or a Handset card event
//       kind (card_opened, dm_bootstrap_kept, ...); rule / detail / path are
//       substrings (path is matched against the detail);
//   <check-tree path value format present>  the handset's tree;
//   <check-card-file>  the card (card_edits.h);
//   <card-insert>, <card-remove>, <power-cycle>  the card's life cycle
//       (bootstrap re-applied, accounts of a removed card removed);
//   <user-accept>/<user-reject>  how the scripted user answers UI alerts.
//
// Handset options (<preconditions><handset><option>):
//   account       card | pixit (default card when the card holds a DM
//                 bootstrap, else pixit)
//   server-id     ServerID of the PIXIT account (default IUT param
//                 dm.server_id, else "omaiop-dms")
//   client-auth   none | basic | md5 | hmac (default md5)
//   client-name, client-secret, client-nonce (hex)  CLCRED
//   server-secret SRVCRED secret: the handset checks the server's Cred
//   server-auth   basic | md5 (default md5), server-nonce (hex)
//   wbxml         true: application/vnd.syncml.dm+wbxml (default false, or
//                 IUT param dm.encoding = wbxml)
//   dev-id        ./DevInfo/DevId
//   pin1          PIN1 the handset presents (default 1234)
//   ui            accept | reject | cancel (UI alerts; user steps override)
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codec/result.h"
#include "harness/adapters/adapter.h"
#include "sim/handset/dm/session.h"
#include "sim/servers/dm_script.h"

namespace omaiop::harness::adapters {

// What the IUT side reports beyond the handset's own trace.
struct DmPeerEvent {
  std::string kind;  // "violation", "fault_applied", ...
  std::string rule, detail;
};

// The IUT (a DM server) as the handset's session sees it.
class DmServerPeer {
 public:
  virtual ~DmServerPeer() = default;
  // Before a session: `packages` are what the server must send (from
  // <server-commands>; `sources` holds each step's XML text as written),
  // `account` the handset's account (the simulated server mirrors its
  // credentials). Returns the URL the handset POSTs to, or a StepOutcome
  // that replaces the session (e.g. the IUT refused the commands).
  struct Prepared {
    std::string url;
    std::optional<StepOutcome> refused;  // set: the session is not run
    // How the trace names `url` ("" = as is): the simulated server's
    // ephemeral loopback address is shown as its PIXIT URL so that reports
    // of the same campaign are identical run to run.
    std::string trace_url;
    // The simulated IUT is reproducible: the handset's nonces are too.
    bool deterministic_nonces = false;
  };
  virtual codec::Result<Prepared> Prepare(
      const std::vector<sim::servers::ScriptPackage>& packages,
      const std::vector<std::string>& sources,
      const sim::handset::dm::DmAccount& account) = 0;
  // Package 0 for a server-initiated session, or an outcome saying why not.
  virtual codec::Result<codec::Bytes> Package0(
      const sim::handset::dm::DmAccount& account, std::uint16_t session_id) = 0;
  // After a session: what the server saw (rule violations ...).
  virtual std::vector<DmPeerEvent> Collect() = 0;
  // The peer's name in the trace ("simulated DM server", the URL ...).
  virtual std::string name() const = 0;
};

// Parses a <server-commands> step into server packages: a file or inline
// content holding a <DmScript> (every package), a whole SyncML message (its
// management commands: one package), or SyncML commands (inline; one
// package). Status/Results/Final of a message are dropped.
codec::Result<std::vector<sim::servers::ScriptPackage>> ParseServerCommands(
    const script::TestCase& tc, const script::ServerCommandsStep& step);

// Opens the handset side: card (profile + edits), Handset power-on,
// standard objects, account. Errors are set-up errors.
codec::Result<std::shared_ptr<Session>> OpenDmHandsetSession(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder, std::unique_ptr<DmServerPeer> peer);

}  // namespace omaiop::harness::adapters
