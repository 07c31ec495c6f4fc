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
