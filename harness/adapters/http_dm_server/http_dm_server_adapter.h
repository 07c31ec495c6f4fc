// The `http_dm_server` adapter: the IUT is a real OMA DM 1.2 server reached
// by URL (PIXIT address "dm": <address name="dm" url="https://..."/>);
// omaiop's simulated handset (harness/adapters/dm_handset) opens sessions
// with it over HTTP or HTTPS. Role dm_client only.
//
// PIXIT (IUT file, iut.xsd):
//   address dm url          where the handset POSTs (AppAddr of the account)
//   credential dm           user / password = CLCRED name / secret the
//                           server knows the handset by; secret = SRVCRED
//                           secret (the handset then checks the server's
//                           Cred)
//   param dm.server_id      the server's ServerID (default omaiop-dms)
//   param dm.encoding       xml (default) | wbxml
//   param dm.ca_file        PEM trust anchors for https (a relative path
//                           resolves like a case's files: the case's
//                           directory, then the suite root)
//   trigger load-commands   optional: a command or URL template run before
//                           a session with ${COMMANDS_FILE} = a DmScript
//                           file holding the case's <server-commands> (the
//                           IUT loads them as its next session's script).
// Without the trigger a case with <server-commands> cannot be run against a
// real server: its session step gets verdict none with the reason. Faults
// cannot be injected into a real server (the runner refuses --fault).
// trigger="server" (package 0) needs the IUT to send it: not supported, the
// step is inconc.
#pragma once

#include <memory>
#include <string_view>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

class HttpDmServerAdapter : public Adapter {
 public:
  std::string_view name() const override { return "http_dm_server"; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) override;
};

}  // namespace omaiop::harness::adapters
