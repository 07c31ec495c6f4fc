// The `simulated` adapter: every peer in-process. omaiop's simulated CP push
// server (sim/servers CpPushServer, with any named faults) talks to the
// simulated handset (sim/handset/cp CpClient) whose card is a virtual UICC
// (sim/uicc profile in a sim/reader InProcessReader).
//
// Role push_server (omaiop = push server, IUT = the simulated handset) and
// role handset (omaiop's handset, IUT = the simulated push server, sending
// per the <server> options) both run. Role dm_server (omaiop = DM server,
// IUT = the simulated handset's DM client) is dm_server_role.h.
//
// Handset options (<preconditions><handset><option>):
//   pin1            PIN1 the handset presents to read the IMSI (card's "1234")
//   provsc          "true": read ProvSC documents at power-on / card insert
//                   (default false: every shipped profile carries a ProvSC
//                   bootstrap, which would take precedence over OTA ones)
//   unauthenticated "reject" | "accept-untrusted" (CpClientOptions)
//   max_pin_attempts  integer
//   card_bootstrap_precedence  "true" | "false"
// Server options (role handset): document (default fixtures/cp/bootstrap.xml),
// sec (default NETWPIN with the card's IMSI), pin, to, fault (name).
//
// User steps: the simulated handset asks the user only for the PIN, during
// delivery; pushes are therefore delivered lazily, at the first step after
// the push that is not a user step, with the PINs queued by <user-pin>.
// <user-reject> = the user cancels the PIN prompt (push discarded).
// <user-pin pin="@out-of-band"/> enters the PIN the push server handed out
// (USERPINMAC: K || m, which only the server computes).
#pragma once
#include <memory>
#include <string_view>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

class SimulatedAdapter : public Adapter {
 public:
  std::string_view name() const override { return "simulated"; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) override;
};

}  // namespace omaiop::harness::adapters
