// SmppEsme against our SmppSmsc in-process (all three submit modes: the
// segments the handset receives are the composed ones), against refusals,
// and against a scripted SMSC that sends enquire_link mid-transaction.
#include "sim/smsc/smpp_esme.h"

#include <gtest/gtest.h>

#include <boost/asio.hpp>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "codec/sms_udh.h"
#include "sim/servers/cp_push_server.h"
#include "sim/smsc/smpp_smsc.h"
#include "tests/test_util.h"

namespace omaiop::sim::smsc {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using codec::Bytes;
namespace cmd = codec::smpp_cmd;
namespace tag = codec::smpp_tag;

constexpr char kMsisdn[] = "491700000001";
constexpr char kImsi[] = "262011234567890";

// A push long enough for several segments (napdef with proxy, NETWPIN).
servers::ComposedPush Compose(bool concat16 = false) {
  servers::ComposeOptions o;
  o.sec = codec::SecMethod::kNetwPin;
  o.imsi = kImsi;
  o.concat_reference = concat16 ? 0x1234 : 0x5A;
  o.concat_16bit = concat16;
  auto doc = omaiop::testing::ReadFileText(
      omaiop::testing::SourcePath("fixtures/cp/napdef_gprs_proxy.xml"));
  auto p = servers::CpPushServer().Compose(doc, o);
  EXPECT_TRUE(p.ok()) << p.error().ToString();
  EXPECT_GT(p->segments.size(), 1u) << "fixture too small to concatenate";
  return *p;
}

// Our SMSC with one handset that collects what arrives.
struct Fixture {
  SmppSmsc smsc{SmscConfig{"127.0.0.1", 0, "pushsrv", "s3cret"}};
  std::mutex mu;
  std::vector<SmscSegment> got;

  Fixture() {
    smsc.RegisterHandset(kMsisdn, [this](const SmscSegment& s) {
      std::lock_guard lock(mu);
      got.push_back(s);
    });
    EXPECT_TRUE(smsc.Start().ok());
  }
  EsmeConfig Config(std::string password = "s3cret") {
    EsmeConfig c;
    c.port = smsc.port();
    c.system_id = "pushsrv";
    c.password = std::move(password);
    c.timeout = std::chrono::seconds(5);
    return c;
  }
  std::vector<Bytes> UserData() {
    std::lock_guard lock(mu);
    std::vector<Bytes> out;
    for (const auto& s : got) out.push_back(s.user_data);
    return out;
  }
};

codec::WdpDatagram Reassemble(const std::vector<Bytes>& segs) {
  codec::SmsReassembler r;
  std::optional<codec::WdpDatagram> d;
  for (const auto& s : segs) {
    auto got = r.Add(s);
    EXPECT_TRUE(got.ok()) << got.error().ToString();
    if (got.ok() && *got) d = **got;
  }
  EXPECT_TRUE(d.has_value()) << "incomplete";
  return d.value_or(codec::WdpDatagram{});
}

TEST(SmppEsme, UdhModeDeliversTheComposedSegmentsByteForByte) {
  Fixture f;
  SmppEsme esme(f.Config());
  std::vector<std::string> trace;
  esme.SetTrace([&](const EsmeTraceEvent& e) {
    if (e.direction != EsmeTraceEvent::Direction::kEvent)
      trace.push_back(e.summary.substr(0, e.summary.find(' ')));
  });
  ASSERT_TRUE(esme.Connect().ok());
  EXPECT_TRUE(esme.bound());
  auto push = Compose();
  auto submits =
      esme.SubmitsFor(push.segments, "+491700000001", SubmitMode::kUdh);
  ASSERT_TRUE(submits.ok());
  for (const auto& sm : *submits) {
    EXPECT_EQ(sm.esm_class, 0x40);
    EXPECT_EQ(sm.data_coding, 0xF5);
    EXPECT_EQ(sm.destination_addr, kMsisdn);
  }
  auto ids =
      esme.SubmitSegments(push.segments, "+491700000001", SubmitMode::kUdh);
  ASSERT_TRUE(ids.ok()) << ids.error().ToString();
  EXPECT_EQ(ids->size(), push.segments.size());
  EXPECT_NE((*ids)[0], (*ids)[1]);  // one message per submit_sm
  EXPECT_EQ(f.UserData(), push.segments);
  ASSERT_TRUE(esme.Unbind().ok());
  EXPECT_FALSE(esme.bound());
  // Every PDU each way was traced, in order.
  std::vector<std::string> want = {"bind_transmitter", "bind_transmitter_resp"};
  for (std::size_t i = 0; i < push.segments.size(); ++i) {
    want.push_back("submit_sm");
    want.push_back("submit_sm_resp");
  }
  want.push_back("unbind");
  want.push_back("unbind_resp");
  EXPECT_EQ(trace, want);
}

TEST(SmppEsme, SarModeMovesConcatenationIntoTlvs) {
  Fixture f;
  auto c = f.Config();
  c.transceiver = true;
  c.data_coding = 0x04;
  SmppEsme esme(c);
  ASSERT_TRUE(esme.Connect().ok());
  auto push = Compose(/*concat16=*/true);
  auto submits = esme.SubmitsFor(push.segments, kMsisdn, SubmitMode::kSar);
  ASSERT_TRUE(submits.ok());
  for (std::size_t i = 0; i < submits->size(); ++i) {
    const auto& sm = (*submits)[i];
    ASSERT_NE(sm.FindTlv(tag::kSarMsgRefNum), nullptr);
    EXPECT_EQ(sm.FindTlv(tag::kSarMsgRefNum)->value, (Bytes{0x12, 0x34}));
    EXPECT_EQ(sm.FindTlv(tag::kSarSegmentSeqnum)->value,
              Bytes{static_cast<std::uint8_t>(i + 1)});
    // The UDH left in short_message has no concatenation IE.
    auto ud = codec::ParseSmsUserData(sm.short_message, 0, true);
    ASSERT_TRUE(ud.ok());
    EXPECT_FALSE(ud->concat);
    EXPECT_TRUE(ud->ports);
  }
  auto ids = esme.SubmitSegments(push.segments, kMsisdn, SubmitMode::kSar);
  ASSERT_TRUE(ids.ok()) << ids.error().ToString();
  auto got = f.UserData();
  ASSERT_EQ(got.size(), push.segments.size());
  // Same IEs (the SMSC puts the concatenation IE first) and payload.
  for (std::size_t i = 0; i < got.size(); ++i) {
    auto a = codec::ParseSmsUserData(got[i], 0, true);
    auto b = codec::ParseSmsUserData(push.segments[i], 0, true);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->concat, b->concat);
    EXPECT_EQ(a->ports, b->ports);
    EXPECT_EQ(a->payload, b->payload);
  }
  EXPECT_EQ(Reassemble(got), Reassemble(push.segments));
  EXPECT_TRUE(esme.Unbind().ok());
  // Full 140-octet segments with an 8-bit reference leave no room for the
  // 16-bit IE the SMSC makes of sar_msg_ref_num.
  auto r = esme.SubmitsFor(Compose(/*concat16=*/false).segments, kMsisdn,
                           SubmitMode::kSar);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("16-bit"), std::string::npos);
}

TEST(SmppEsme, PayloadModeSendsOneSubmitTheSmscSegments) {
  Fixture f;
  SmppEsme esme(f.Config());
  ASSERT_TRUE(esme.Connect().ok());
  auto push = Compose();
  auto submits = esme.SubmitsFor(push.segments, kMsisdn, SubmitMode::kPayload);
  ASSERT_TRUE(submits.ok());
  ASSERT_EQ(submits->size(), 1u);
  EXPECT_TRUE((*submits)[0].short_message.empty());
  ASSERT_NE((*submits)[0].FindTlv(tag::kMessagePayload), nullptr);
  auto ids = esme.SubmitSegments(push.segments, kMsisdn, SubmitMode::kPayload);
  ASSERT_TRUE(ids.ok()) << ids.error().ToString();
  EXPECT_EQ(ids->size(), 1u);
  auto got = f.UserData();
  // Same segmentation (140 octets, ports + 8-bit concatenation IE); only the
  // reference is the SMSC's own.
  ASSERT_EQ(got.size(), push.segments.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    auto a = codec::ParseSmsUserData(got[i], 0, true);
    auto b = codec::ParseSmsUserData(push.segments[i], 0, true);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->payload, b->payload) << "segment " << i + 1;
    EXPECT_EQ(a->concat->seq, b->concat->seq);
    EXPECT_EQ(a->concat->total, b->concat->total);
    EXPECT_EQ(a->ports, b->ports);
  }
  EXPECT_EQ(Reassemble(got), Reassemble(push.segments));
}

TEST(SmppEsme, PayloadModeRefusesIncompleteSegmentSets) {
  Fixture f;
  SmppEsme esme(f.Config());
  auto push = Compose();
  auto missing = push.segments;
  missing.erase(missing.begin());
  auto r = esme.SubmitsFor(missing, kMsisdn, SubmitMode::kPayload);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().what.find("use --mode udh"), std::string::npos);
  auto dup = push.segments;
  dup.push_back(dup[0]);
  EXPECT_FALSE(esme.SubmitsFor(dup, kMsisdn, SubmitMode::kPayload).ok());
  // ... which UDH mode sends as they are.
  EXPECT_TRUE(esme.SubmitsFor(dup, kMsisdn, SubmitMode::kUdh).ok());
  EXPECT_FALSE(esme.SubmitsFor(push.segments, "12ab", SubmitMode::kUdh).ok());
}

TEST(SmppEsme, WrongPasswordIsABindRefusalNamingTheStatus) {
  Fixture f;
  SmppEsme esme(f.Config("wrong"));
  auto s = esme.Connect();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("ESME_RINVPASWD"), std::string::npos)
      << s.error().ToString();
  EXPECT_FALSE(esme.bound());
  EXPECT_FALSE(esme.Submit(codec::SmppSm{}).ok());
}

TEST(SmppEsme, UnknownMsisdnIsASubmitRefusalNamingTheStatus) {
  Fixture f;
  SmppEsme esme(f.Config());
  ASSERT_TRUE(esme.Connect().ok());
  SmppPushSink sink(esme, SubmitMode::kUdh);
  auto p = servers::ComposeAndDeliver(
      servers::CpPushServer(),
      omaiop::testing::ReadFileText(
          omaiop::testing::SourcePath("fixtures/cp/bootstrap.xml")),
      {}, sink, "+4917099999");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().what.find("ESME_RINVDSTADR"), std::string::npos)
      << p.error().ToString();
  EXPECT_TRUE(sink.message_ids().empty());
  // The session stays usable.
  auto ok = servers::ComposeAndDeliver(
      servers::CpPushServer(),
      omaiop::testing::ReadFileText(
          omaiop::testing::SourcePath("fixtures/cp/bootstrap.xml")),
      {}, sink, kMsisdn);
  ASSERT_TRUE(ok.ok()) << ok.error().ToString();
  EXPECT_EQ(sink.message_ids().size(), ok->segments.size());
  EXPECT_EQ(f.UserData(), ok->segments);
}

TEST(SmppEsme, ConnectionRefusedIsAnError) {
  std::uint16_t port;
  {
    SmppSmsc s(SmscConfig{});
    ASSERT_TRUE(s.Start().ok());
    port = s.port();
  }  // stopped: nothing listens there now
  EsmeConfig c;
  c.port = port;
  c.timeout = std::chrono::seconds(2);
  SmppEsme esme(c);
  auto s = esme.Connect();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().what.find("cannot connect to SMSC 127.0.0.1:"),
            std::string::npos)
      << s.error().ToString();
}

// A scripted SMSC: answers the bind, then meets a submit_sm with an
// enquire_link of its own and answers the submit only once the ESME has
// answered that. Then stays silent on the next request (timeout).
TEST(SmppEsme, AnswersEnquireLinkWhileWaitingAndTimesOut) {
  asio::io_context io;
  tcp::acceptor acceptor(io, {asio::ip::make_address("127.0.0.1"), 0});
  const std::uint16_t port = acceptor.local_endpoint().port();
  bool saw_enquire_resp = false;
  std::thread smsc([&] {
    tcp::socket s = acceptor.accept();
    auto recv = [&]() -> codec::SmppPdu {
      Bytes b(16);
      asio::read(s, asio::buffer(b));
      auto h = codec::ParseSmppHeader(b);
      b.resize(h->command_length);
      asio::read(s, asio::buffer(b.data() + 16, b.size() - 16));
      return *codec::ParseSmppPdu(b);
    };
    auto send = [&](const codec::SmppPdu& p) {
      asio::write(s, asio::buffer(codec::EncodeSmppPdu(p)));
    };
    auto bind = recv();
    codec::SmppPdu r;
    r.command_id = cmd::kBindTransmitterResp;
    r.sequence_number = bind.sequence_number;
    r.body = codec::SmppBindResp{"fake", {}};
    send(r);
    auto submit = recv();
    codec::SmppPdu el;
    el.command_id = cmd::kEnquireLink;
    el.sequence_number = 77;
    send(el);
    auto el_resp = recv();
    saw_enquire_resp = el_resp.command_id == cmd::kEnquireLinkResp &&
                       el_resp.sequence_number == 77;
    codec::SmppPdu sr;
    sr.command_id = cmd::kSubmitSmResp;
    sr.sequence_number = submit.sequence_number;
    sr.body = codec::SmppSmResp{"m-1"};
    send(sr);
    recv();  // enquire_link from the ESME: never answered
    boost::system::error_code ec;
    Bytes rest(1);
    s.read_some(asio::buffer(rest), ec);  // until the ESME closes
  });
  EsmeConfig c;
  c.port = port;
  c.system_id = "x";
  c.timeout = std::chrono::milliseconds(700);
  {
    SmppEsme esme(c);
    ASSERT_TRUE(esme.Connect().ok());
    codec::SmppSm sm;
    sm.destination_addr = kMsisdn;
    auto id = esme.Submit(sm);
    ASSERT_TRUE(id.ok()) << id.error().ToString();
    EXPECT_EQ(*id, "m-1");
    auto t0 = std::chrono::steady_clock::now();
    auto el = esme.EnquireLink();
    ASSERT_FALSE(el.ok());
    EXPECT_NE(el.error().what.find("timed out"), std::string::npos);
    EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  }
  smsc.join();
  EXPECT_TRUE(saw_enquire_resp);
}

}  // namespace
}  // namespace omaiop::sim::smsc
