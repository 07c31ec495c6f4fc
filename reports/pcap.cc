#include "reports/pcap.h"

#include <pcap/pcap.h>

#include <memory>

namespace omaiop::reports {
namespace {

constexpr char kRuleIp[] = "RFC 791";

void Put16(codec::Bytes& b, std::size_t at, std::uint16_t v) {
  b[at] = static_cast<std::uint8_t>(v >> 8);
  b[at + 1] = static_cast<std::uint8_t>(v & 0xFF);
}
void Put32(codec::Bytes& b, std::size_t at, std::uint32_t v) {
  Put16(b, at, static_cast<std::uint16_t>(v >> 16));
  Put16(b, at + 2, static_cast<std::uint16_t>(v & 0xFFFF));
}

// Internet checksum (RFC 1071) over `data`, starting from `sum`.
std::uint32_t SumWords(codec::ByteView data, std::uint32_t sum = 0) {
  for (std::size_t i = 0; i + 1 < data.size(); i += 2)
    sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (data.size() % 2) sum += static_cast<std::uint32_t>(data.back() << 8);
  return sum;
}
std::uint16_t Fold(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xFFFF);
}

struct PcapCloser {
  void operator()(pcap_t* p) const { pcap_close(p); }
};
struct DumperCloser {
  void operator()(pcap_dumper_t* d) const { pcap_dump_close(d); }
};

}  // namespace

codec::Result<codec::Bytes> BuildIpv4Udp(const UdpDatagram& d) {
  const std::size_t udp_len = 8 + d.payload.size();
  const std::size_t total = 20 + udp_len;
  if (total > 0xFFFF) {
    return codec::Error("UDP payload of " + std::to_string(d.payload.size()) +
                            " octets does not fit one IPv4 packet",
                        codec::Diagnostic::kNoOffset, kRuleIp);
  }
  codec::Bytes p(total, 0);
  p[0] = 0x45;  // version 4, IHL 5
  Put16(p, 2, static_cast<std::uint16_t>(total));
  p[6] = 0x40;  // DF
  p[8] = 64;    // TTL
  p[9] = 17;    // UDP
  Put32(p, 12, d.src_ip);
  Put32(p, 16, d.dst_ip);
  Put16(p, 10, Fold(SumWords(codec::ByteView(p).first(20))));
  Put16(p, 20, d.src_port);
  Put16(p, 22, d.dst_port);
  Put16(p, 24, static_cast<std::uint16_t>(udp_len));
  std::copy(d.payload.begin(), d.payload.end(), p.begin() + 28);
  // RFC 768 checksum over the pseudo-header and the UDP datagram.
  codec::Bytes pseudo(12, 0);
  Put32(pseudo, 0, d.src_ip);
  Put32(pseudo, 4, d.dst_ip);
  pseudo[9] = 17;
  Put16(pseudo, 10, static_cast<std::uint16_t>(udp_len));
  std::uint16_t sum =
      Fold(SumWords(codec::ByteView(p).subspan(20), SumWords(pseudo)));
  Put16(p, 26, sum == 0 ? 0xFFFF : sum);  // 0 means "no checksum"
  return p;
}

codec::Status WritePcapRecords(const std::string& path, int link_type,
                               const std::vector<PcapRecord>& records) {
  // pcap_open_dead takes a DLT_ value; for these link types the DLT_ and
  // LINKTYPE_ values are the same except raw IP (DLT_RAW is 12 or 14).
  const int dlt = link_type == kLinkTypeRaw ? DLT_RAW : link_type;
  std::unique_ptr<pcap_t, PcapCloser> dead(pcap_open_dead_with_tstamp_precision(
      dlt, 65535, PCAP_TSTAMP_PRECISION_MICRO));
  if (!dead) {
    return codec::Error("pcap_open_dead failed", codec::Diagnostic::kNoOffset,
                        "libpcap");
  }
  std::unique_ptr<pcap_dumper_t, DumperCloser> out(
      pcap_dump_open(dead.get(), path.c_str()));
  if (!out) {
    return codec::Error("cannot write " + path + ": " + pcap_geterr(dead.get()),
                        codec::Diagnostic::kNoOffset, "libpcap");
  }
  for (const PcapRecord& r : records) {
    pcap_pkthdr hdr{};
    hdr.ts.tv_sec = static_cast<time_t>(r.timestamp_us / 1000000);
    hdr.ts.tv_usec = static_cast<suseconds_t>(r.timestamp_us % 1000000);
    hdr.caplen = hdr.len = static_cast<bpf_u_int32>(r.data.size());
    pcap_dump(reinterpret_cast<u_char*>(out.get()), &hdr, r.data.data());
  }
  if (pcap_dump_flush(out.get()) != 0) {
    return codec::Error("flushing " + path + " failed",
                        codec::Diagnostic::kNoOffset, "libpcap");
  }
  return codec::OkStatus();
}

codec::Status WritePcap(const std::string& path,
                        const std::vector<UdpDatagram>& datagrams) {
  std::vector<PcapRecord> records;
  for (const UdpDatagram& d : datagrams) {
    OMAIOP_ASSIGN_OR_RETURN(codec::Bytes pkt, BuildIpv4Udp(d));
    records.push_back({d.timestamp_us, std::move(pkt)});
  }
  return WritePcapRecords(path, kLinkTypeRaw, records);
}

}  // namespace omaiop::reports
