// Role dm_server in the `simulated` adapter: omaiop plays the DM server
// (dm_server_side.h: sim::servers::DmServer in-process on a loopback
// ephemeral port) and the IUT is the simulated handset's DM client
// (sim/handset/dm DmClient over a tree with the standard objects and one
// ./DMAcc account pointing at omaiop's server).
//
// Steps:
//   <dm-session trigger="client">  DmClient::RunSession (Alert 1201)
//   <dm-session trigger="pkg0">    package 0 built by omaiop's server,
//                                  handed to DmClient::OnPackage0 (Alert 1200)
//                                  session-id = the package 0 session id
//   <server-commands>              one server package (see dm_server_side.h)
//   <user-accept> / <user-reject>  the next UI alert (1101 confirm ...; a
//                                  package 0 in user-interaction mode) is
//                                  answered so; unanswered alerts time out
//   <expect-status code="200" cmd="Get" target="./DevInfo/DevId"/>
//                                  the client's Status (code may list
//                                  alternatives: "404|405")
//   <expect-event kind=...>        dm_server_side.h events, plus the client's
//                                  own trace (DmEventKindName: user_alert,
//                                  package0_accepted, ...)
//   <check-tree path value format present>  the simulated handset's tree
//   <wait>                         runs the pending session
// The session runs lazily (as CP pushes do): at the first step that is not
// dm-session, server-commands, user-accept or user-reject, so it sees every
// package and user answer the case queued before it.
//
// Handset options (<preconditions><handset><option>):
//   auth    md5 (default) | basic | none: the client credentials
//   wbxml   "true": the client sends WBXML (default XML)
//   dev-id  ./DevInfo/DevId (default IMEI:490154203237518)
// Server options: server-id (default omaiop-dms), ui-mode (package 0:
// not-specified | background | informative | user-interaction).
// Faults: DM client DEFECTS (sim/handset/dm/client_defects.h) applied to the
// client's messages; other names are ignored in this role.
#pragma once

#include <memory>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

codec::Result<std::shared_ptr<Session>> OpenSimulatedDmServerRole(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder);

}  // namespace omaiop::harness::adapters
