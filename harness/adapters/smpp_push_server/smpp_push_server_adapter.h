// The `smpp_push_server` adapter: the IUT is a real OMA CP push server (e.g.
// Kannel's sendota) that binds to omaiop's SMSC as an SMPP 3.4 ESME; omaiop
// plays the SMSC and, behind it, the handset (role handset).
//
// IUT file (<pixit>):
//   <address name="smsc" host= port=>  where omaiop's SMSC listens (port 0:
//       ephemeral, exposed to triggers as ${SMSC_PORT}). Default
//       127.0.0.1:2775. One SMSC per address serves every case of a run
//       (started at the first case, stopped when the last adapter goes), so
//       the push server stays bound between cases.
//   <credential name="smpp" user= password=>  the system_id / password the
//       ESME must bind with (default omaiop / omaiop).
//   <trigger name="push" kind="url"|"command" method= timeout=>  how to make
//       the IUT send a push (the case's <server><option name="trigger"> may
//       name another trigger). Variables, besides IutVariables():
//         ${MSISDN}   the simulated handset's number (the push's recipient)
//         ${SEC}      NETWPIN | USERPIN | USERNETWPIN | USERPINMAC | none
//         ${PIN}      the push step's pin
//         ${IMSI}     the push step's imsi, else the IMSI of the handset's card
//         ${KEY}      the key material as one string, for servers that take a
//                     single "pin" (Kannel): NETWPIN the IMSI digits,
//                     USERNETWPIN IMSI digits then PIN, else the PIN
//         ${DOCUMENT} the push step's document (XML text)
//         ${DOCUMENT_FILE}  its path; ${SMSC_HOST}, ${SMSC_PORT}; ${CASE_ID}
//         ${OMAIOP}   this omaiop executable (`omaiop cp push` as the IUT)
//       kind="url": values are percent-encoded; method POST also sends the
//       document as the body (Content-Type text/vnd.wap.connectivity-xml).
//       A refused request (not 2xx) or a command exiting non-zero is a setup
//       error. The trigger's timeout (else the step's) bounds it.
//   <address name="handset" msisdn=>  optional fixed recipient MSISDN
//       (default: the case's <server><option name="to">, else a fresh one).
//
// Steps: <push> triggers the IUT, waits (the step's timeout) for the SMS of
// one complete push addressed to the handset and keeps it; it is delivered
// to the simulated handset (harness/adapters/common/simulated_handset.h: the
// case's card and IMSI, user PINs) at the next non-user step, exactly as the
// simulated adapter does. <user-pin pin="@out-of-band"/> enters the push
// step's pin. <wait-sms> triggers with the case's <server> options
// (document, default fixtures/cp/bootstrap.xml; sec, default USERPIN; pin,
// default 1234, which the user then enters) and judges the ports. A push
// step asking for faults, an initiator URI or the Push-Flag is inconc: a
// real server cannot be told to misbehave or to claim trust.
//
// Trace: every SMPP PDU in and out (smsc, raw = PDU octets), the trigger
// (http request / command), each SMS segment (TP-UD), the reassembled WSP
// push, PIN prompts and each handset decision with its rule.
#pragma once
#include <cstdint>
#include <memory>
#include <string_view>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

class SmscHost;  // the SMSC shared by the sessions (in the .cc)

class SmppPushServerAdapter : public Adapter {
 public:
  SmppPushServerAdapter();
  ~SmppPushServerAdapter() override;
  std::string_view name() const override { return "smpp_push_server"; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) override;
  // The SMSC's port once a session was opened (0 before).
  std::uint16_t smsc_port() const;
  // Whether an ESME (the IUT) has bound to that SMSC yet.
  bool esme_bound() const;

 private:
  std::shared_ptr<SmscHost> host_;
};

}  // namespace omaiop::harness::adapters
