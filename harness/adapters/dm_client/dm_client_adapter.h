// The `dm_client` adapter: the IUT is a real DM client (a process or a
// device), omaiop plays the DM server (role dm_server cases only).
//
// omaiop's DmServer (harness/adapters/simulated/dm_server_side.h) listens on
// the PIXIT address "dm-server" (host, port; default 127.0.0.1 and an
// ephemeral port) and the IUT is made to open each <dm-session> through a
// trigger template of the IUT description:
//   trigger "dm-session"   client-initiated session (trigger="client")
//   trigger "dm-package0"  server-initiated: the template hands the IUT the
//                          package 0 omaiop built (${PKG0_HEX}); falls back
//                          to "dm-session" when absent
// kind="command": run (no shell), stdout/stderr recorded in the trace, the
// session is over when the command exits; kind="url": requested (method of
// the trigger), the session is over when omaiop's server ends it. Either is
// bounded by the trigger's timeout (default 30 s).
//
// Variables of the templates (besides IUT.* and the case's variables):
//   SERVER_URL SERVER_ID TRIGGER(client|pkg0) SESSION_ID PKG0_HEX
//   CLIENT_AUTH(md5|basic|none) CLIENT_USER CLIENT_SECRET CLIENT_NONCE_HEX
//   SERVER_SECRET SERVER_NONCE_HEX UI(accept|reject: the case's next
//   <user-accept>/<user-reject>, default accept) DEV_ID (the case's handset
//   option dev-id, default IMEI:490154203237518) OMAIOP (this omaiop binary
//   when it runs as `omaiop`, else PIXIT param omaiop-binary, else "omaiop")
//   VPCD_PORT READER (when the IUT reads cards)
//
// PIXIT of the IUT file:
//   <address name="dm-server" host=".." port=".."/>  where omaiop listens
//   <credential name="clcred" user=".." password=".."/>  the credentials
//       omaiop's server demands of the client (default handset /
//       handset-secret)
//   <credential name="srvcred" user="SERVER-ID" password="SECRET"/>  the
//       ServerID and the server secret (package 0 digest, server Cred)
//   <param name="client-auth" value="md5|basic|none"/>  (default md5; a
//       case's handset option auth overrides it)
//   <param name="client-nonce" / "server-nonce" value="HEX"/>
//   <param name="reads-card" value="true"/>  the IUT reads its card through
//       PC/SC: omaiop starts (or reuses) pcscd with vpcd and serves the
//       case's card (preconditions <card profile>, default uicc-3g) to it;
//       reader "Virtual PCD 00 00"
//   <param name="omaiop-binary" value="PATH"/>
//
// Steps: as the simulated role (dm_server_role.h), except that
// <check-tree> reads the node through DM: one more session (same trigger)
// whose package is a Get of the path (pass: Results with the value;
// present="false": 404); user answers reach the IUT only through ${UI}.
// Faults (client defects) cannot be injected into a real IUT: --fault is
// refused by `omaiop run` for non-simulated adapters.
#pragma once

#include <memory>
#include <string_view>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

class DmClientAdapter : public Adapter {
 public:
  std::string_view name() const override { return "dm_client"; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) override;
};

}  // namespace omaiop::harness::adapters
