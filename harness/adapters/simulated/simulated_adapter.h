// The `simulated` adapter: every peer in-process. omaiop's simulated CP push
// server (sim/servers CpPushServer, with any named faults) talks to the
// simulated handset (sim/handset/cp CpClient) whose card is a virtual UICC
// (sim/uicc profile in a sim/reader InProcessReader).
//
// Role push_server (omaiop = push server, IUT = the simulated handset) and
// role handset (omaiop's handset, IUT = the simulated push server, sending
// per the <server> options) both run. Role dm_client (omaiop's handset and
// DM client, IUT = the simulated DM server over loopback HTTP) is
// dm_client_role.h; role dm_server (omaiop = DM server, IUT = the simulated
// handset's DM client) is dm_server_role.h. Card edits (<write-file>,
// <set-pin>) and <check-card-file> are harness/adapters/card/card_edits.h,
// for every role.
//
// Handset options and user steps: harness/adapters/common/simulated_handset.h
// (shared with the smpp_push_server adapter).
// Server options (role handset, <wait-sms>): document (default
// fixtures/cp/bootstrap.xml), sec (default NETWPIN with the card's IMSI),
// pin, to, fault (name).
// Role handset <push>: the simulated IUT push server sends that push (sec
// NETWPIN / USERNETWPIN without imsi: keyed with the card's IMSI), so the
// cases written for a real push server (smpp_push_server) run here too.
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
