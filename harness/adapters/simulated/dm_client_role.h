// Role dm_client in the simulated adapter: the IUT is omaiop's simulated DM
// server (sim/servers DmServer) run in-process on a loopback HTTP port
// (ephemeral), one server per session; omaiop's simulated handset
// (harness/adapters/dm_handset) connects to it.
//
// The server mirrors the handset's account (a conformant server knows the
// device's credentials): ServerID, client authentication (CLCRED type, name,
// secret, nonce), server credentials (SRVCRED) when the handset checks them.
// Server options (<preconditions><server><option>) override:
//   server-id, auth (none|basic|digest|hmac), username, password,
//   client-nonce (hex: the nonce the server expects; another than the
//   handset's makes the server challenge), server-cred (none|basic|digest|
//   hmac), server-password, server-nonce (hex), max-msg-size, fault (a
//   dm_faults name; several options allowed).
// Faults: the campaign's faults (AdapterConfig, `<proven-by>` in the suite
// proof) and <preconditions><fault> that are DM fault names (`omaiop dm
// faults`) are injected into every server message; CP fault names are for
// other peers and ignored here.
#pragma once

#include <memory>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

codec::Result<std::shared_ptr<Session>> OpenSimulatedDmClientRole(
    const script::TestCase& tc, const AdapterConfig& config,
    std::shared_ptr<Recorder> recorder);

}  // namespace omaiop::harness::adapters
