#include "reports/pcap.h"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <unistd.h>

#include <filesystem>
#include <string>

namespace omaiop::reports {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          (name + "." + std::to_string(getpid()) + ".pcap"))
      .string();
}

TEST(Pcap, Ipv4UdpHeaderFields) {
  UdpDatagram d;
  d.payload = {0x01, 0x06, 0x01, 0xB6};
  codec::Bytes p = BuildIpv4Udp(d).value();
  ASSERT_EQ(p.size(), 32u);
  EXPECT_EQ(p[0], 0x45);
  EXPECT_EQ(p[9], 17);
  EXPECT_EQ((p[20] << 8 | p[21]), 9200);
  EXPECT_EQ((p[22] << 8 | p[23]), 2948);
  EXPECT_EQ((p[24] << 8 | p[25]), 12);
  // A correct IPv4 header sums (with its checksum) to 0xFFFF (RFC 1071).
  std::uint32_t sum = 0;
  for (int i = 0; i < 20; i += 2) sum += p[i] << 8 | p[i + 1];
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  EXPECT_EQ(sum, 0xFFFFu);
}

TEST(Pcap, OversizedPayloadIsAnError) {
  UdpDatagram d;
  d.payload.resize(70000);
  EXPECT_FALSE(BuildIpv4Udp(d).ok());
}

TEST(Pcap, WrittenFileReadsBackWithLibpcap) {
  const std::string path = TempPath("omaiop_pcap_test");
  std::vector<UdpDatagram> in(2);
  in[0].timestamp_us = 1700000000123456ull;
  in[0].payload = {1, 2, 3};
  in[1].timestamp_us = 1700000001000000ull;
  in[1].src_port = 2948;
  in[1].payload.assign(300, 0xAB);
  ASSERT_TRUE(WritePcap(path, in).ok());

  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  ASSERT_NE(p, nullptr) << err;
  EXPECT_EQ(pcap_datalink(p), DLT_RAW);
  for (const UdpDatagram& d : in) {
    pcap_pkthdr* h = nullptr;
    const u_char* data = nullptr;
    ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
    EXPECT_EQ(static_cast<std::uint64_t>(h->ts.tv_sec) * 1000000 +
                  static_cast<std::uint64_t>(h->ts.tv_usec),
              d.timestamp_us);
    ASSERT_EQ(h->caplen, 28 + d.payload.size());
    EXPECT_EQ((data[20] << 8 | data[21]), d.src_port);
    EXPECT_EQ(codec::Bytes(data + 28, data + h->caplen), d.payload);
  }
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  EXPECT_EQ(pcap_next_ex(p, &h, &data), PCAP_ERROR_BREAK);
  pcap_close(p);
  std::filesystem::remove(path);
}

TEST(Pcap, User0RecordsReadBack) {
  const std::string path = TempPath("omaiop_pcap_user0");
  ASSERT_TRUE(WritePcapRecords(path, kLinkTypeUser0, {{5, {0x44, 0x01}}}).ok());
  char err[PCAP_ERRBUF_SIZE];
  pcap_t* p = pcap_open_offline(path.c_str(), err);
  ASSERT_NE(p, nullptr) << err;
  EXPECT_EQ(pcap_datalink(p), 147);
  pcap_pkthdr* h = nullptr;
  const u_char* data = nullptr;
  ASSERT_EQ(pcap_next_ex(p, &h, &data), 1);
  EXPECT_EQ(h->ts.tv_usec, 5);
  EXPECT_EQ(codec::Bytes(data, data + h->caplen), (codec::Bytes{0x44, 0x01}));
  pcap_close(p);
  std::filesystem::remove(path);
}

TEST(Pcap, UnwritablePathIsAnError) {
  auto s = WritePcap("/nonexistent-dir/x.pcap", {UdpDatagram{}});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("cannot write"), std::string::npos);
}

}  // namespace
}  // namespace omaiop::reports

namespace omaiop::reports {
namespace {

// RFC 1071: a correct checksum makes the one's-complement sum 0xFFFF.
std::uint32_t Sum(const codec::Bytes& b, std::size_t from, std::size_t to,
                  std::uint32_t sum = 0) {
  for (std::size_t i = from; i < to; i += 2)
    sum += static_cast<std::uint32_t>(b[i] << 8 | (i + 1 < to ? b[i + 1] : 0));
  return sum;
}
std::uint16_t Folded(std::uint32_t sum) {
  while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
  return static_cast<std::uint16_t>(sum);
}

TEST(PcapTcp, SegmentChecksumsVerify) {
  TcpSegment s;
  s.src_ip = 0x0A000001;
  s.dst_ip = 0x0A000002;
  s.src_port = 40000;
  s.dst_port = 80;
  s.seq = 7;
  s.ack = 9;
  s.flags = kTcpPsh | kTcpAck;
  s.payload = {'G', 'E', 'T', ' ', '/'};  // odd length: padded for the sum
  codec::Bytes p = BuildIpv4Tcp(s).value();
  ASSERT_EQ(p.size(), 45u);
  EXPECT_EQ(p[9], 6);
  EXPECT_EQ(Folded(Sum(p, 0, 20)), 0xFFFF);
  // Pseudo-header: addresses, zero+protocol, TCP length.
  std::uint32_t pseudo = Sum(p, 12, 20) + 6 + 25;
  EXPECT_EQ(Folded(Sum(p, 20, p.size(), pseudo)), 0xFFFF);
  EXPECT_EQ(p[33], kTcpPsh | kTcpAck);
  EXPECT_EQ(p[32] >> 4, 5);
}

TEST(PcapTcp, ConnectionSequenceNumbersFollowTheBytes) {
  codec::Bytes req(3000, 'a'), rsp(10, 'b');
  auto recs = SynthesizeTcpConnection({0x0A000001, 40000}, {0x0A000002, 80},
                                      {{100, true, req}, {200, false, rsp}})
                  .value();
  // SYN, SYN/ACK, ACK, 3 request segments, ACK, 1 reply, ACK, FIN, FIN, ACK
  ASSERT_EQ(recs.size(), 12u);
  auto seq = [&](std::size_t i) {
    const codec::Bytes& b = recs[i].data;
    return static_cast<std::uint32_t>(b[24] << 24 | b[25] << 16 | b[26] << 8 |
                                      b[27]);
  };
  auto ack = [&](std::size_t i) {
    const codec::Bytes& b = recs[i].data;
    return static_cast<std::uint32_t>(b[28] << 24 | b[29] << 16 | b[30] << 8 |
                                      b[31]);
  };
  const std::uint32_t isn_c = seq(0), isn_s = seq(1);
  EXPECT_EQ(ack(1), isn_c + 1);
  EXPECT_EQ(seq(3), isn_c + 1);
  EXPECT_EQ(seq(4), isn_c + 1 + 1460);
  EXPECT_EQ(seq(5), isn_c + 1 + 2920);
  EXPECT_EQ(recs[5].data[33] & kTcpPsh, kTcpPsh);  // last segment pushes
  EXPECT_EQ(ack(6), isn_c + 1 + 3000);             // server ACKs it all
  EXPECT_EQ(seq(7), isn_s + 1);
  EXPECT_EQ(ack(8), isn_s + 1 + 10);
  EXPECT_EQ(ack(10), isn_c + 1 + 3000 + 1);  // FIN takes one
  EXPECT_EQ(ack(11), isn_s + 1 + 10 + 1);
  for (std::size_t i = 1; i < recs.size(); ++i)
    EXPECT_GT(recs[i].timestamp_us, recs[i - 1].timestamp_us);
}

TEST(PcapGsmtap, HeaderAndApduLayout) {
  codec::Bytes g = BuildGsmtapSim(codec::ParseHex("00A4000402 3F00 00").value(),
                                  codec::ParseHex("6F0F9000").value());
  ASSERT_GE(g.size(), 16u);
  EXPECT_EQ(g[0], 2);     // version
  EXPECT_EQ(g[1], 4);     // 16 octets
  EXPECT_EQ(g[2], 0x04);  // SIM
  // Case 4: the trailing Le is dropped; response follows the command data.
  EXPECT_EQ(codec::Bytes(g.begin() + 16, g.end()),
            codec::ParseHex("00A40004023F006F0F9000").value());
  codec::Bytes c1 = BuildGsmtapSim(codec::ParseHex("00700000").value(),
                                   codec::ParseHex("9000").value());
  EXPECT_EQ(codec::Bytes(c1.begin() + 16, c1.end()),
            codec::ParseHex("00700000009000").value());
}

}  // namespace
}  // namespace omaiop::reports
