#include "sim/smsc/smpp_smsc.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <mutex>
#include <set>

#include "codec/sms_udh.h"

namespace omaiop::sim::smsc {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using codec::Bytes;
using codec::SmppPdu;
namespace cmd = codec::smpp_cmd;
namespace st = codec::smpp_status;
namespace tag = codec::smpp_tag;

// A minimal blocking ESME over loopback, with a receive timeout so a broken
// SMSC fails the test instead of hanging it.
class Esme {
 public:
  explicit Esme(std::uint16_t port) : socket_(io_) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{5, 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv,
               sizeof tv);
  }
  void SendRaw(const Bytes& b) { asio::write(socket_, asio::buffer(b)); }
  void Send(const SmppPdu& p) { SendRaw(codec::EncodeSmppPdu(p)); }
  // The next PDU, or nullopt on EOF / timeout.
  std::optional<SmppPdu> Recv() {
    Bytes hdr(16);
    boost::system::error_code ec;
    asio::read(socket_, asio::buffer(hdr), ec);
    if (ec) return std::nullopt;
    auto h = codec::ParseSmppHeader(hdr);
    EXPECT_TRUE(h.ok());
    if (!h.ok()) return std::nullopt;
    hdr.resize(h->command_length);
    asio::read(socket_, asio::buffer(hdr.data() + 16, hdr.size() - 16), ec);
    if (ec) return std::nullopt;
    auto p = codec::ParseSmppPdu(hdr);
    EXPECT_TRUE(p.ok()) << p.error().ToString();
    if (!p.ok()) return std::nullopt;
    return *p;
  }
  bool AtEof() {
    Bytes b(1);
    boost::system::error_code ec;
    socket_.read_some(asio::buffer(b), ec);
    return ec == asio::error::eof;
  }
  SmppPdu Bind(std::uint32_t id, std::string sys, std::string pw) {
    SmppPdu p;
    p.command_id = id;
    p.sequence_number = ++seq_;
    p.body = codec::SmppBind{sys, pw, "", 0x34, 0, 0, ""};
    Send(p);
    auto r = Recv();
    EXPECT_TRUE(r.has_value());
    return r.value_or(SmppPdu{});
  }
  SmppPdu Submit(const codec::SmppSm& sm) {
    SmppPdu p;
    p.command_id = cmd::kSubmitSm;
    p.sequence_number = ++seq_;
    p.body = sm;
    Send(p);
    auto r = Recv();
    EXPECT_TRUE(r.has_value());
    if (r) {
      EXPECT_EQ(r->command_id, cmd::kSubmitSmResp);
      EXPECT_EQ(r->sequence_number, seq_);
    }
    return r.value_or(SmppPdu{});
  }

 private:
  asio::io_context io_;
  tcp::socket socket_;
  std::uint32_t seq_ = 0;
};

class SmscTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SmscConfig c;
    c.system_id = "kannel";
    c.password = "s3cret";
    c.max_connections = 2;
    smsc_ = std::make_unique<SmppSmsc>(c);
    smsc_->SetTrace([this](const SmscTraceEvent& e) {
      std::lock_guard lock(mu_);
      trace_.push_back(e);
    });
    smsc_->RegisterHandset("+4915550001", [this](const SmscSegment& s) {
      std::lock_guard lock(mu_);
      segments_.push_back(s);
      cv_.notify_all();
    });
    auto s = smsc_->Start();
    ASSERT_TRUE(s.ok()) << s.error().ToString();
    ASSERT_NE(smsc_->port(), 0);
  }

  std::vector<SmscSegment> Segments() {
    std::lock_guard lock(mu_);
    return segments_;
  }
  std::vector<SmscTraceEvent> Trace() {
    std::lock_guard lock(mu_);
    return trace_;
  }

  static codec::SmppSm Sm(std::string dst) {
    codec::SmppSm sm;
    sm.source_addr = "1234";
    sm.destination_addr = std::move(dst);
    sm.data_coding = 0xF5;
    return sm;
  }

  std::unique_ptr<SmppSmsc> smsc_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<SmscSegment> segments_;
  std::vector<SmscTraceEvent> trace_;
};

TEST_F(SmscTest, BindOkAndWrongCredentials) {
  Esme a(smsc_->port());
  auto r = a.Bind(cmd::kBindTransmitter, "kannel", "wrong");
  EXPECT_EQ(r.command_id, cmd::kBindTransmitterResp);
  EXPECT_EQ(r.command_status, st::kInvPaswd);
  r = a.Bind(cmd::kBindTransmitter, "nobody", "s3cret");
  EXPECT_EQ(r.command_status, st::kInvSysId);
  r = a.Bind(cmd::kBindTransceiver, "kannel", "s3cret");
  EXPECT_EQ(r.command_id, cmd::kBindTransceiverResp);
  EXPECT_EQ(r.command_status, st::kOk);
  EXPECT_FALSE(std::get<codec::SmppBindResp>(r.body).system_id.empty());
  r = a.Bind(cmd::kBindReceiver, "kannel", "s3cret");
  EXPECT_EQ(r.command_status, st::kAlyBnd);
}

TEST_F(SmscTest, SubmitBeforeBindIsRefused) {
  Esme a(smsc_->port());
  auto r = a.Submit(Sm("4915550001"));
  EXPECT_EQ(r.command_status, st::kInvBndSts);
  // bind_receiver may not submit either.
  a.Bind(cmd::kBindReceiver, "kannel", "s3cret");
  EXPECT_EQ(a.Submit(Sm("4915550001")).command_status, st::kInvBndSts);
  EXPECT_TRUE(Segments().empty());
}

TEST_F(SmscTest, UdhConcatenationDeliveredToTheRightMsisdn) {
  std::vector<SmscSegment> other;
  std::mutex m;
  smsc_->RegisterHandset("4915559999", [&](const SmscSegment& s) {
    std::lock_guard lock(m);
    other.push_back(s);
  });
  // A WDP datagram of 200 octets cut by our own (independent) segmenter.
  codec::WdpDatagram d{2948, 9200, Bytes(200)};
  for (std::size_t i = 0; i < d.payload.size(); ++i) d.payload[i] = i & 0xFF;
  codec::WdpSegmentOptions o;
  o.reference = 0x42;
  auto segs = codec::SegmentWdpDatagram(d, o);
  ASSERT_TRUE(segs.ok());
  ASSERT_EQ(segs->size(), 2u);

  Esme a(smsc_->port());
  ASSERT_EQ(a.Bind(cmd::kBindTransmitter, "kannel", "s3cret").command_status,
            st::kOk);
  std::set<std::string> ids;
  for (const auto& s : *segs) {
    auto sm = Sm("4915550001");
    sm.esm_class = 0x40;
    sm.short_message = s;
    auto r = a.Submit(sm);
    EXPECT_EQ(r.command_status, st::kOk);
    ids.insert(std::get<codec::SmppSmResp>(r.body).message_id);
  }
  EXPECT_EQ(ids.size(), 2u);  // distinct message_ids
  auto got = Segments();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(other.empty());
  codec::SmsReassembler re;
  std::optional<codec::WdpDatagram> out;
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(got[i].user_data, (*segs)[i]);  // byte-exact
    EXPECT_TRUE(got[i].udhi);
    EXPECT_EQ(got[i].destination_addr, "4915550001");
    EXPECT_EQ(got[i].data_coding, 0xF5);
    auto a2 = re.Add(got[i].user_data);
    ASSERT_TRUE(a2.ok()) << a2.error().ToString();
    if (a2->has_value()) out = **a2;
  }
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, d);
}

TEST_F(SmscTest, SarTlvsBecomeTheSameConcatenation) {
  Esme a(smsc_->port());
  a.Bind(cmd::kBindTransceiver, "kannel", "s3cret");
  codec::WdpDatagram d{2948, 9200, Bytes(180, 0x5A)};
  const std::size_t half = 90;
  for (int i = 0; i < 2; ++i) {
    auto sm = Sm("+4915550001");
    sm.data_coding = 0x04;
    sm.short_message.assign(d.payload.begin() + i * half,
                            d.payload.begin() + (i + 1) * half);
    sm.tlvs = {{tag::kSarMsgRefNum, {0x12, 0x34}, 0},
               {tag::kSarTotalSegments, {2}, 0},
               {tag::kSarSegmentSeqnum, {static_cast<std::uint8_t>(i + 1)}, 0},
               {tag::kSourcePort, {0x23, 0xF0}, 0},
               {tag::kDestinationPort, {0x0B, 0x84}, 0}};
    EXPECT_EQ(a.Submit(sm).command_status, st::kOk);
  }
  auto got = Segments();
  ASSERT_EQ(got.size(), 2u);
  codec::SmsReassembler re;
  std::optional<codec::WdpDatagram> out;
  for (int i = 1; i >= 0; --i) {  // out of order on purpose
    auto ud = codec::ParseSmsUserData(got[i].user_data);
    ASSERT_TRUE(ud.ok()) << ud.error().ToString();
    ASSERT_TRUE(ud->concat.has_value());
    EXPECT_EQ(ud->concat->reference, 0x1234);
    EXPECT_TRUE(ud->concat->ref16);
    EXPECT_EQ(ud->concat->total, 2);
    EXPECT_EQ(ud->concat->seq, i + 1);
    ASSERT_TRUE(ud->ports.has_value());
    EXPECT_EQ(ud->ports->dst, 2948);
    EXPECT_EQ(ud->ports->src, 9200);
    auto r = re.Add(got[i].user_data);
    ASSERT_TRUE(r.ok());
    if (r->has_value()) out = **r;
  }
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, d);
  // Incomplete SAR set: refused.
  auto sm = Sm("4915550001");
  sm.tlvs = {{tag::kSarMsgRefNum, {0, 1}, 0}};
  EXPECT_EQ(a.Submit(sm).command_status, st::kMissingOptParam);
}

TEST_F(SmscTest, MessagePayloadIsSegmented) {
  Esme a(smsc_->port());
  a.Bind(cmd::kBindTransmitter, "kannel", "s3cret");
  codec::WdpDatagram d{2948, 9200, Bytes(300)};
  for (std::size_t i = 0; i < d.payload.size(); ++i) d.payload[i] = i * 7;
  // One UDH (ports) + the whole datagram in message_payload.
  codec::SmsUserData whole;
  whole.ies.push_back(codec::MakePortsIe({2948, 9200, true}));
  whole.payload = d.payload;
  auto sm = Sm("4915550001");
  sm.esm_class = 0x40;
  sm.tlvs = {{tag::kMessagePayload, codec::EncodeSmsUserData(whole), 0}};
  EXPECT_EQ(a.Submit(sm).command_status, st::kOk);
  auto got = Segments();
  ASSERT_EQ(got.size(), 3u);  // 140 - 1 - 5 - 6 = 128 per segment
  codec::SmsReassembler re;
  std::optional<codec::WdpDatagram> out;
  for (const auto& s : got) {
    EXPECT_LE(s.user_data.size(), 140u);
    EXPECT_EQ(s.count, 3u);
    auto r = re.Add(s.user_data);
    ASSERT_TRUE(r.ok()) << r.error().ToString();
    if (r->has_value()) out = **r;
  }
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, d);
  // A short payload is one segment, delivered unchanged.
  sm.tlvs = {{tag::kMessagePayload,
              {0x06, 0x05, 0x04, 0x0B, 0x84, 0x23, 0xF0, 0x01},
              0}};
  EXPECT_EQ(a.Submit(sm).command_status, st::kOk);
  got = Segments();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(codec::ToHex(got[3].user_data), "0605040B8423F001");
  // Both short_message and message_payload: refused.
  sm.short_message = {1};
  EXPECT_EQ(a.Submit(sm).command_status, st::kInvParLen);
}

TEST_F(SmscTest, UnknownDestinationAndDefaultSink) {
  Esme a(smsc_->port());
  a.Bind(cmd::kBindTransmitter, "kannel", "s3cret");
  auto sm = Sm("4900000000");
  sm.short_message = {0x41};
  EXPECT_EQ(a.Submit(sm).command_status, st::kInvDstAdr);
  std::vector<std::string> seen;
  smsc_->SetDefaultSink(
      [&](const SmscSegment& s) { seen.push_back(s.destination_addr); });
  EXPECT_EQ(a.Submit(sm).command_status, st::kOk);
  EXPECT_EQ(seen, std::vector<std::string>{"4900000000"});
}

TEST_F(SmscTest, EnquireLinkGarbageAndUnbind) {
  Esme a(smsc_->port());
  SmppPdu el;
  el.command_id = cmd::kEnquireLink;
  el.sequence_number = 77;
  a.Send(el);
  auto r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kEnquireLinkResp);
  EXPECT_EQ(r->sequence_number, 77u);
  // Unknown command_id: generic_nack ESME_RINVCMDID, session survives.
  a.SendRaw(*codec::ParseHex("00000010000000FF0000000000000009"));
  r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kGenericNack);
  EXPECT_EQ(r->command_status, st::kInvCmdId);
  EXPECT_EQ(r->sequence_number, 9u);
  // A bind with an unterminated system_id: bind_transmitter_resp with an
  // error (the command is known), not a generic_nack.
  a.SendRaw(
      *codec::ParseHex("000000130000000200000000"
                       "0000000A414141"));
  r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kBindTransmitterResp);
  EXPECT_EQ(r->command_status, st::kInvMsgLen);
  // Still alive.
  a.Send(el);
  r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kEnquireLinkResp);
  SmppPdu ub;
  ub.command_id = cmd::kUnbind;
  ub.sequence_number = 78;
  a.Send(ub);
  r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kUnbindResp);
  EXPECT_EQ(r->command_status, st::kOk);
  EXPECT_TRUE(a.AtEof());

  // The trace holds every PDU both ways with raw octets.
  auto t = Trace();
  int in = 0, out = 0, errors = 0;
  for (const auto& e : t) {
    if (e.direction == SmscTraceEvent::Direction::kIn) ++in;
    if (e.direction == SmscTraceEvent::Direction::kOut) ++out;
    if (e.error) {
      ++errors;
      EXPECT_TRUE(e.error->has_offset());
      EXPECT_FALSE(e.error->rule.empty());
    }
    if (e.direction != SmscTraceEvent::Direction::kEvent) {
      EXPECT_GE(e.raw.size(), 16u);
    }
  }
  EXPECT_EQ(in, 5);
  EXPECT_EQ(out, 5);
  EXPECT_EQ(errors, 2);
  EXPECT_EQ(t[1].summary, "enquire_link seq=77");  // t[0]: connection event
}

TEST_F(SmscTest, OversizeLengthGetsNackAndClose) {
  Esme a(smsc_->port());
  a.SendRaw(*codec::ParseHex("0010000100000004000000000000000B"));
  auto r = a.Recv();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->command_id, cmd::kGenericNack);
  EXPECT_EQ(r->command_status, st::kInvCmdLen);
  EXPECT_EQ(r->sequence_number, 11u);
  EXPECT_TRUE(a.AtEof());
}

TEST_F(SmscTest, ConnectionLimitAndCleanStop) {
  Esme a(smsc_->port());
  Esme b(smsc_->port());
  a.Bind(cmd::kBindTransmitter, "kannel", "s3cret");
  b.Bind(cmd::kBindTransmitter, "kannel", "s3cret");
  Esme c(smsc_->port());  // third: over the limit of 2
  EXPECT_TRUE(c.AtEof());
  smsc_->Stop();
  EXPECT_TRUE(a.AtEof());
  EXPECT_TRUE(b.AtEof());
  smsc_->Stop();  // idempotent
}

}  // namespace
}  // namespace omaiop::sim::smsc
