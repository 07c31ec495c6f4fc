// A test case's trace as a capture Wireshark/tshark decode:
//   apdu     -> GSMTAP SIM over UDP to port 4729 (gsm_sim dissector)
//   wsp_push -> UDP from 9200 to 2948 (connectionless WSP, then WBXML)
//   http     -> a synthesised TCP connection to port 80 (request = raw from
//               its sender, reply = response from the other end)
//   smpp_pdu -> one synthesised TCP connection per ESME/SMSC pair to port
//               2775, client = the sender of the pair's first PDU
// Every endpoint name (source/peer) gets its own address 10.0.0.N in order of
// appearance. Other kinds (decisions, user actions, SMS segments, DM bodies
// without HTTP) have no packet form here and are counted as skipped.
#pragma once

#include <string>
#include <vector>

#include "codec/result.h"
#include "reports/campaign.h"
#include "reports/pcap.h"

namespace omaiop::reports {

struct CaseCapture {
  std::vector<PcapRecord> packets;  // LINKTYPE_RAW (IPv4), in trace order
  std::size_t skipped_entries = 0;
};
codec::Result<CaseCapture> BuildCaseCapture(const CaseResult& c);

// Writes BuildCaseCapture's packets to `path` (LINKTYPE_RAW).
codec::Status WriteCasePcap(const std::string& path, const CaseResult& c);

}  // namespace omaiop::reports
