// The `command` adapter: the IUT is a handset behind a command (role
// push_server: omaiop composes each push with its CP push server, faults
// included, and hands it to the command; the command reports what the
// handset did). A device test bench, an emulator wrapper or omaiop's own
// stand-in (`omaiop cp judge`, fixtures/iut/command_handset.xml) fit.
//
// IUT file (<pixit>):
//   <trigger name="deliver" kind="command" timeout=>  the command template
//       (no shell; each word expanded separately). Variables, besides
//       IutVariables() (e.g. ${IUT.imsi} from <param name="imsi">):
//         ${PDU_FILE}       the connectionless WSP push PDU (binary file)
//         ${PDU_HEX}        the same, hex
//         ${SEGMENTS_FILE}  the SMS TP-UD segments, one hex line each
//         ${SEC} ${PIN} ${IMSI}  as in the push step ("none" without SEC)
//         ${USER_PINS}      the PINs queued by <user-pin>, comma-separated,
//                           "cancel" after <user-reject>, "" if none
//         ${OUT_OF_BAND_PIN}  the PIN the push server handed out (USERPINMAC
//                           K || m; else the push's pin)
//         ${FROM} ${CASE_ID} ${DOCUMENT_FILE}
//         ${OMAIOP}         this omaiop executable (for omaiop stand-ins)
//   <param name="stdin" value="pdu|segments|none"/>  what the command reads
//       on stdin (default none).
//
// The outcome contract (what the command prints / returns):
//   exit status 0 = push accepted, 1 = push rejected, anything else (or a
//   timeout) = the IUT tool failed (verdict error);
//   optionally ONE JSON object on a line of stdout (the last line starting
//   with '{' counts), which takes precedence over the exit status:
//     {"verdict": "accepted" | "rejected",           (required)
//      "rule": "...", "reason": "...",               (why it rejected)
//      "events": [{"kind": "mac_mismatch", "rule": "...", "path": "...",
//                  "detail": "..."}],                (sim/handset/cp event
//                                                     kind names)
//      "settings": [{"kind": "NAPDEF", "id": "BOOT_NAP", "origin": "...",
//                    "parms": {"NAP-ADDRESS": "..."}}],  (the store after)
//      "dst_port": 2948}
//   Without "events", <expect-event> is inconc; without "settings",
//   <check-setting> is inconc (the IUT did not report what it knows).
//
// Delivery is lazy, as in the simulated adapter: a <push> is composed at
// once and handed to the command at the next non-user step, with the PINs
// the <user-pin> steps queued. Each push is one command run; the settings
// a case checks are those the last run reported. Card steps, <wait-sms>,
// handset options and DM steps are inconc (not supported).
//
// Trace: the composed WSP push (raw PDU, faults applied), each SMS segment,
// the command run (argv, exit status, stderr), each event the IUT reported
// (decision, with its rule) and its verdict.
#pragma once
#include <memory>
#include <string_view>

#include "harness/adapters/adapter.h"

namespace omaiop::harness::adapters {

class CommandAdapter : public Adapter {
 public:
  std::string_view name() const override { return "command"; }
  codec::Result<std::shared_ptr<Session>> Open(
      const script::TestCase& tc, const AdapterConfig& config,
      std::shared_ptr<Recorder> recorder) override;
};

}  // namespace omaiop::harness::adapters
