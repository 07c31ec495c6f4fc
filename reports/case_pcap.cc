#include "reports/case_pcap.h"

#include <map>

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
    } else {
      ++out.skipped_entries;
    }
  }
  return out;
}

codec::Status WriteCasePcap(const std::string& path, const CaseResult& c) {
  OMAIOP_ASSIGN_OR_RETURN(CaseCapture cap, BuildCaseCapture(c));
  return WritePcapRecords(path, kLinkTypeRaw, cap.packets);
}

}  // namespace omaiop::reports
