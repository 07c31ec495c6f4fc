#include "reports/case_pcap.h"

#include <algorithm>
#include <map>
#include <utility>

namespace omaiop::reports {
namespace {

// 10.0.0.N per endpoint name, in order of first appearance.
class Addresses {
 public:
  std::uint32_t Of(const std::string& name) {
    auto it = ips_.find(name);
    if (it != ips_.end()) return it->second;
    const std::uint32_t ip =
        0x0A000000u + 1 + static_cast<std::uint32_t>(ips_.size() % 250);
    ips_.emplace(name, ip);
    return ip;
  }

 private:
  std::map<std::string, std::uint32_t> ips_;
};

// Who sent raw: the source when it went out (or is local), else the peer.
std::string Sender(const TraceEntry& e) {
  if (e.direction == Direction::kIn && !e.peer.empty()) return e.peer;
  return e.source;
}
std::string Receiver(const TraceEntry& e) {
  const std::string other = e.peer.empty() ? "peer" : e.peer;
  return e.direction == Direction::kIn ? e.source : other;
}

}  // namespace

codec::Result<CaseCapture> BuildCaseCapture(const CaseResult& c) {
  CaseCapture out;
  Addresses addr;
  std::uint16_t next_client_port = 40000;
  // SMPP is one long-lived TCP session per ESME/SMSC pair (SMPP 3.4 §2.2):
  // its PDUs are collected here and written as one connection, the first
  // PDU's sender (the binding ESME) being the client.
  struct SmppConn {
    std::string client;
    std::vector<TcpMessage> msgs;
  };
  std::map<std::pair<std::string, std::string>, SmppConn> smpp;
  for (const TraceEntry& e : c.trace) {
    const std::uint32_t from = addr.Of(Sender(e));
    const std::uint32_t to = addr.Of(Receiver(e));
    if (e.kind == kind::kApdu && !e.raw.empty()) {
      UdpDatagram d;
      d.timestamp_us = e.time_us;
      d.src_ip = from;
      d.dst_ip = to;
      d.src_port = 40001;
      d.dst_port = kGsmtapPort;
      d.payload = BuildGsmtapSim(e.raw, e.response);
      OMAIOP_ASSIGN_OR_RETURN(codec::Bytes pkt, BuildIpv4Udp(d));
      out.packets.push_back({e.time_us, std::move(pkt)});
    } else if (e.kind == kind::kWspPush && !e.raw.empty()) {
      UdpDatagram d;
      d.timestamp_us = e.time_us;
      d.src_ip = from;
      d.dst_ip = to;
      d.src_port = 9200;  // WAP WSP connectionless ports (WAP-259 WDP)
      d.dst_port = 2948;
      d.payload = e.raw;
      OMAIOP_ASSIGN_OR_RETURN(codec::Bytes pkt, BuildIpv4Udp(d));
      out.packets.push_back({e.time_us, std::move(pkt)});
    } else if (e.kind == kind::kHttp && !e.raw.empty()) {
      std::vector<TcpMessage> msgs = {{e.time_us, true, e.raw}};
      if (!e.response.empty()) msgs.push_back({e.time_us, false, e.response});
      const std::uint16_t port = next_client_port;
      next_client_port = next_client_port == 60999 ? 40000 : port + 1;
      OMAIOP_ASSIGN_OR_RETURN(
          std::vector<PcapRecord> conn,
          SynthesizeTcpConnection({from, port}, {to, 80}, msgs));
      for (PcapRecord& r : conn) out.packets.push_back(std::move(r));
    } else if (e.kind == kind::kSmppPdu && !e.raw.empty()) {
      const std::string a = Sender(e), b = Receiver(e);
      SmppConn& conn = smpp[std::minmax(a, b)];
      if (conn.client.empty()) conn.client = a;
      conn.msgs.push_back({e.time_us, a == conn.client, e.raw});
    } else {
      ++out.skipped_entries;
    }
  }
  for (const auto& [ends, conn] : smpp) {
    const std::string& server =
        ends.first == conn.client ? ends.second : ends.first;
    const std::uint16_t port = next_client_port;
    next_client_port = next_client_port == 60999 ? 40000 : port + 1;
    // 2775: SMPP's registered port (Wireshark's smpp dissector finds it by
    // heuristics on any port).
    OMAIOP_ASSIGN_OR_RETURN(
        std::vector<PcapRecord> packets,
        SynthesizeTcpConnection({addr.Of(conn.client), port},
                                {addr.Of(server), 2775}, conn.msgs));
    for (PcapRecord& r : packets) out.packets.push_back(std::move(r));
  }
  // The SMPP session was appended last: put every packet in time order.
  std::stable_sort(out.packets.begin(), out.packets.end(),
                   [](const PcapRecord& x, const PcapRecord& y) {
                     return x.timestamp_us < y.timestamp_us;
                   });
  return out;
}

codec::Status WriteCasePcap(const std::string& path, const CaseResult& c) {
  OMAIOP_ASSIGN_OR_RETURN(CaseCapture cap, BuildCaseCapture(c));
  return WritePcapRecords(path, kLinkTypeRaw, cap.packets);
}

}  // namespace omaiop::reports
