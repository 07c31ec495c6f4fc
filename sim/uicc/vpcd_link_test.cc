// VpcdLink against a fake vpcd on a loopback ephemeral port: framing,
// control bytes, reconnect and hot-plug, without pcscd.
#include "sim/uicc/vpcd_link.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "sim/uicc/apdu_engine.h"
#include "sim/uicc/sample_profile.h"

namespace omaiop::sim::uicc {
namespace {

using codec::Bytes;

class FakeVpcd {
 public:
  FakeVpcd() {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    EXPECT_EQ(bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
    EXPECT_EQ(listen(listen_fd_, 1), 0);
    socklen_t len = sizeof a;
    getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~FakeVpcd() {
    CloseClient();
    close(listen_fd_);
  }
  std::uint16_t port() const { return port_; }

  // Accepts the card's connection (waits up to 5 s).
  bool Accept() {
    pollfd p{listen_fd_, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) return false;
    client_ = accept(listen_fd_, nullptr, nullptr);
    return client_ >= 0;
  }
  void CloseClient() {
    if (client_ >= 0) close(client_);
    client_ = -1;
  }
  // Sends raw bytes (a frame, or parts of one).
  void SendRaw(const Bytes& b) {
    ASSERT_EQ(send(client_, b.data(), b.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(b.size()));
  }
  void SendFrame(const Bytes& payload) { SendRaw(*FrameVpcd(payload)); }
  // Reads one frame; nullopt on EOF or after 2 s of silence.
  std::optional<Bytes> ReadFrame(int timeout_ms = 2000) {
    Bytes hdr(2);
    if (!ReadExact(hdr.data(), 2, timeout_ms)) return std::nullopt;
    Bytes body((std::size_t{hdr[0]} << 8) | hdr[1]);
    if (!ReadExact(body.data(), body.size(), timeout_ms)) return std::nullopt;
    return body;
  }
  // True once the card closed its side.
  bool SeesEof(int timeout_ms = 2000) {
    pollfd p{client_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return false;
    std::uint8_t b;
    return recv(client_, &b, 1, 0) == 0;
  }

 private:
  bool ReadExact(std::uint8_t* out, std::size_t n, int timeout_ms) {
    std::size_t got = 0;
    while (got < n) {
      pollfd p{client_, POLLIN, 0};
      if (poll(&p, 1, timeout_ms) != 1) return false;
      ssize_t r = recv(client_, out + got, n - got, 0);
      if (r <= 0) return false;
      got += static_cast<std::size_t>(r);
    }
    return true;
  }
  int listen_fd_ = -1;
  int client_ = -1;
  std::uint16_t port_ = 0;
};

Bytes AtrBytes() {
  auto a = Card::Atr();
  return Bytes(a.begin(), a.end());
}

struct LinkUnderTest {
  explicit LinkUnderTest(std::uint16_t port)
      : card(SampleFileSystem()),
        link(VpcdCard::ForCard(card),
             VpcdLinkOptions{"127.0.0.1", port, std::chrono::milliseconds(5),
                             std::chrono::milliseconds(20)}) {
    thread = std::thread([this] { link.Run(); });
  }
  ~LinkUnderTest() {
    link.Stop();
    thread.join();
  }
  Card card;
  VpcdLink link;
  std::thread thread;
};

TEST(VpcdFrameTest, TwoByteBigEndianLength) {
  EXPECT_EQ(*FrameVpcd(Bytes{0x04}), (Bytes{0x00, 0x01, 0x04}));
  Bytes big(0x1234, 0xAB);
  auto f = *FrameVpcd(big);
  ASSERT_EQ(f.size(), 0x1236u);
  EXPECT_EQ(f[0], 0x12);
  EXPECT_EQ(f[1], 0x34);
  EXPECT_FALSE(FrameVpcd(Bytes(0x10000, 0)).ok());
  EXPECT_TRUE(FrameVpcd(Bytes(0xFFFF, 0)).ok());
}

TEST(VpcdLinkTest, AnswersGetAtrAndApdus) {
  FakeVpcd vpcd;
  LinkUnderTest t(vpcd.port());
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame({kVpcdGetAtr});
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  // SELECT EF.ICCID from the MF, READ BINARY 10 bytes.
  vpcd.SendFrame(*codec::ParseHex("00A4000C022FE2"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  vpcd.SendFrame(*codec::ParseHex("00B000000A"));
  EXPECT_EQ(vpcd.ReadFrame(), *codec::ParseHex("989444000000214365879000"));
  EXPECT_EQ(t.link.stats().apdus, 2u);
  EXPECT_EQ(t.link.stats().atr_requests, 1u);
}

TEST(VpcdLinkTest, PowerAndResetGetNoReplyAndResetVolatileState) {
  FakeVpcd vpcd;
  LinkUnderTest t(vpcd.port());
  ASSERT_TRUE(vpcd.Accept());
  // VERIFY PIN1 then read EF.IMSI (PIN1-protected) under DF.GSM.
  vpcd.SendFrame(*codec::ParseHex("002000010831323334FFFFFFFF"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  vpcd.SendFrame(*codec::ParseHex("00A4080C047F206F07"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  vpcd.SendFrame(*codec::ParseHex("00B0000009"));
  EXPECT_EQ(vpcd.ReadFrame(), *codec::ParseHex("0809101010325476989000"));
  for (std::uint8_t ctrl : {kVpcdPowerOff, kVpcdPowerOn, kVpcdReset}) {
    vpcd.SendFrame({ctrl});
    // No reply: the next frame on the wire answers the GET ATR below.
    vpcd.SendFrame({kVpcdGetAtr});
    EXPECT_EQ(vpcd.ReadFrame(), AtrBytes()) << int{ctrl};
  }
  // After reset the MF is current and PIN1 is no longer verified.
  vpcd.SendFrame(*codec::ParseHex("00A4080C047F206F07"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  vpcd.SendFrame(*codec::ParseHex("00B0000009"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x69, 0x82}));
  VpcdStats s = t.link.stats();
  EXPECT_EQ(s.power_offs, 1u);
  EXPECT_EQ(s.power_ons, 1u);
  EXPECT_EQ(s.resets, 1u);
}

TEST(VpcdLinkTest, ReassemblesFramesSplitAcrossReads) {
  FakeVpcd vpcd;
  LinkUnderTest t(vpcd.port());
  ASSERT_TRUE(vpcd.Accept());
  // vpcd 0.8 writes the header and the payload separately.
  vpcd.SendRaw({0x00});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  vpcd.SendRaw({0x07, 0x00, 0xA4, 0x00});
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  vpcd.SendRaw({0x0C, 0x02, 0x2F, 0xE2});
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  // Two frames in one segment.
  Bytes two = *FrameVpcd(Bytes{kVpcdGetAtr});
  Bytes apdu = *FrameVpcd(*codec::ParseHex("00B0000001"));
  two.insert(two.end(), apdu.begin(), apdu.end());
  vpcd.SendRaw(two);
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x98, 0x90, 0x00}));
}

TEST(VpcdLinkTest, ReconnectsWhenVpcdClosesAndResetsState) {
  FakeVpcd vpcd;
  LinkUnderTest t(vpcd.port());
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame(*codec::ParseHex("00A4000C027F20"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  vpcd.CloseClient();  // pcscd restarted
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame({kVpcdGetAtr});
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  // DF.GSM is no longer current: 6F07 is not found from the MF.
  vpcd.SendFrame(*codec::ParseHex("00A4000C026F07"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x6A, 0x82}));
  EXPECT_EQ(t.link.stats().connects, 2u);
}

TEST(VpcdLinkTest, RetriesUntilVpcdListens) {
  // Reserve a port, close it, start the link, then listen on it.
  std::uint16_t port;
  {
    FakeVpcd probe;
    port = probe.port();
  }
  Card card(SampleFileSystem());
  VpcdLink link(VpcdCard::ForCard(card),
                {"127.0.0.1", port, std::chrono::milliseconds(5),
                 std::chrono::milliseconds(20)});
  std::thread th([&] { link.Run(); });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(link.connected());
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = htons(port);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  ASSERT_EQ(listen(fd, 1), 0);
  pollfd p{fd, POLLIN, 0};
  EXPECT_EQ(poll(&p, 1, 5000), 1);
  int c = accept(fd, nullptr, nullptr);
  EXPECT_GE(c, 0);
  close(c);
  close(fd);
  link.Stop();
  th.join();
  EXPECT_GE(link.stats().connects, 1u);
}

TEST(VpcdLinkTest, RemoveDropsTheLinkAndInsertReconnects) {
  FakeVpcd vpcd;
  LinkUnderTest t(vpcd.port());
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame({kVpcdGetAtr});
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  std::thread([&] { t.link.Remove(); }).join();  // from another thread
  EXPECT_TRUE(vpcd.SeesEof());
  vpcd.CloseClient();
  EXPECT_FALSE(t.link.inserted());
  t.link.Insert();
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame({kVpcdGetAtr});
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  EXPECT_EQ(t.link.stats().connects, 2u);
}

TEST(VpcdLinkTest, StopReturnsWhileConnectedOrRetrying) {
  FakeVpcd vpcd;
  {
    LinkUnderTest t(vpcd.port());
    ASSERT_TRUE(vpcd.Accept());
  }  // destructor: Stop() + join must not hang
  EXPECT_TRUE(vpcd.SeesEof());
}

TEST(VpcdLinkTest, EmitsEvents) {
  FakeVpcd vpcd;
  Card card(SampleFileSystem());
  VpcdLink link(VpcdCard::ForCard(card), {"127.0.0.1", vpcd.port()});
  std::mutex mu;
  std::vector<std::string> names;
  link.set_event_handler([&](const VpcdEvent& e) {
    std::lock_guard<std::mutex> lock(mu);
    names.emplace_back(VpcdEventName(e.kind));
  });
  std::thread th([&] { link.Run(); });
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame({kVpcdPowerOn});
  vpcd.SendFrame({kVpcdGetAtr});
  EXPECT_EQ(vpcd.ReadFrame(), AtrBytes());
  link.Stop();
  th.join();
  EXPECT_EQ(names, (std::vector<std::string>{"connected", "power-on",
                                              "disconnected"}));
}

TEST(VpcdLinkTest, NullCardAnswers9000) {
  FakeVpcd vpcd;
  VpcdLink link(VpcdCard::NullCard(), {"127.0.0.1", vpcd.port()});
  std::thread th([&] { link.Run(); });
  ASSERT_TRUE(vpcd.Accept());
  vpcd.SendFrame(*codec::ParseHex("00A4040007A0000000790101"));
  EXPECT_EQ(vpcd.ReadFrame(), (Bytes{0x90, 0x00}));
  link.Stop();
  th.join();
}

}  // namespace
}  // namespace omaiop::sim::uicc
