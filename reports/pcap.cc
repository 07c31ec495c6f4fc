#include "reports/pcap.h"

#include <pcap/pcap.h>

#include <algorithm>
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

codec::Bytes BuildGsmtapSim(codec::ByteView command, codec::ByteView response) {
  codec::Bytes p(16, 0);
  p[0] = kGsmtapVersion;
  p[1] = 4;  // header length in 32-bit words
  p[2] = kGsmtapTypeSim;
  // timeslot, ARFCN, signal, SNR, frame number, sub-type, antenna, sub-slot
  // and reserved stay 0: meaningless for a card interface.
  codec::Bytes apdu(command.begin(), command.end());
  if (apdu.size() == 4) {
    apdu.push_back(0x00);  // case 1: P3 = 0
  } else if (apdu.size() > 5 && apdu.size() == 5u + apdu[4] + 1) {
    apdu.pop_back();  // case 4: Le is implied by the response (ISO 7816-3 T=0)
  }
  p.insert(p.end(), apdu.begin(), apdu.end());
  p.insert(p.end(), response.begin(), response.end());
  return p;
}

codec::Result<codec::Bytes> BuildIpv4Tcp(const TcpSegment& s) {
  const std::size_t tcp_len = 20 + s.payload.size();
  const std::size_t total = 20 + tcp_len;
  if (total > 0xFFFF) {
    return codec::Error("TCP payload of " + std::to_string(s.payload.size()) +
                            " octets does not fit one IPv4 packet",
                        codec::Diagnostic::kNoOffset, kRuleIp);
  }
  codec::Bytes p(total, 0);
  p[0] = 0x45;
  Put16(p, 2, static_cast<std::uint16_t>(total));
  p[6] = 0x40;
  p[8] = 64;
  p[9] = 6;  // TCP
  Put32(p, 12, s.src_ip);
  Put32(p, 16, s.dst_ip);
  Put16(p, 10, Fold(SumWords(codec::ByteView(p).first(20))));
  Put16(p, 20, s.src_port);
  Put16(p, 22, s.dst_port);
  Put32(p, 24, s.seq);
  Put32(p, 28, s.ack);
  p[32] = 5 << 4;  // data offset: 5 words, no options
  p[33] = s.flags;
  Put16(p, 34, 65535);  // window
  std::copy(s.payload.begin(), s.payload.end(), p.begin() + 40);
  codec::Bytes pseudo(12, 0);  // RFC 793 §3.1 pseudo-header
  Put32(pseudo, 0, s.src_ip);
  Put32(pseudo, 4, s.dst_ip);
  pseudo[9] = 6;
  Put16(pseudo, 10, static_cast<std::uint16_t>(tcp_len));
  Put16(p, 36,
        Fold(SumWords(codec::ByteView(p).subspan(20), SumWords(pseudo))));
  return p;
}

codec::Result<std::vector<PcapRecord>> SynthesizeTcpConnection(
    TcpEndpoint client, TcpEndpoint server,
    const std::vector<TcpMessage>& messages, std::size_t mss) {
  if (mss == 0) mss = 1460;
  std::vector<PcapRecord> out;
  std::uint32_t client_next = 1000;   // client ISN, then next seq to send
  std::uint32_t server_next = 50000;  // server ISN
  std::uint64_t t = messages.empty() ? 0 : messages.front().timestamp_us;
  auto emit = [&](bool from_client, std::uint8_t flags,
                  codec::ByteView payload) -> codec::Status {
    TcpSegment s;
    const TcpEndpoint& a = from_client ? client : server;
    const TcpEndpoint& b = from_client ? server : client;
    s.src_ip = a.ip;
    s.src_port = a.port;
    s.dst_ip = b.ip;
    s.dst_port = b.port;
    std::uint32_t& mine = from_client ? client_next : server_next;
    s.seq = mine;
    s.ack = from_client ? server_next : client_next;
    s.flags = flags;
    s.payload.assign(payload.begin(), payload.end());
    OMAIOP_ASSIGN_OR_RETURN(codec::Bytes pkt, BuildIpv4Tcp(s));
    out.push_back({t++, std::move(pkt)});
    mine += static_cast<std::uint32_t>(payload.size());
    if (flags & (kTcpSyn | kTcpFin)) ++mine;  // SYN and FIN take one number
    return codec::OkStatus();
  };
  // Handshake: SYN carries no ACK; the ack field stays 0 for it.
  {
    TcpSegment syn;
    syn.src_ip = client.ip;
    syn.src_port = client.port;
    syn.dst_ip = server.ip;
    syn.dst_port = server.port;
    syn.seq = client_next++;
    syn.flags = kTcpSyn;
    OMAIOP_ASSIGN_OR_RETURN(codec::Bytes pkt, BuildIpv4Tcp(syn));
    out.push_back({t++, std::move(pkt)});
  }
  OMAIOP_RETURN_IF_ERROR(emit(false, kTcpSyn | kTcpAck, {}));
  OMAIOP_RETURN_IF_ERROR(emit(true, kTcpAck, {}));
  for (const TcpMessage& m : messages) {
    t = std::max(t, m.timestamp_us);
    codec::ByteView data(m.data);
    for (std::size_t at = 0; at < data.size(); at += mss) {
      const std::size_t n = std::min(mss, data.size() - at);
      const bool last = at + n == data.size();
      OMAIOP_RETURN_IF_ERROR(emit(m.from_client, kTcpAck | (last ? kTcpPsh : 0),
                                  data.subspan(at, n)));
    }
    if (!data.empty())
      OMAIOP_RETURN_IF_ERROR(emit(!m.from_client, kTcpAck, {}));
  }
  OMAIOP_RETURN_IF_ERROR(emit(true, kTcpFin | kTcpAck, {}));
  OMAIOP_RETURN_IF_ERROR(emit(false, kTcpFin | kTcpAck, {}));
  OMAIOP_RETURN_IF_ERROR(emit(true, kTcpAck, {}));
  return out;
}

}  // namespace omaiop::reports
