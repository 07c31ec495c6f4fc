// Oracle test: WSP push PDUs encoded by omaiop are written as UDP to port
// 2948 into a pcap, dissected by tshark (Wireshark's WSP and WBXML
// dissectors, an independent implementation) and the decoded values are
// compared with ours. tshark must be installed (scripts/setup does it).
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "codec/cp_security.h"
#include "codec/sms_udh.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "codec/wsp_push.h"
#include "codec/xml.h"
#include "reports/pcap.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;
using codec::Bytes;

// Expert-info severities as tshark prints them in PDML (epan/proto.h).
constexpr long kPiWarn = 0x00600000;

// One dissected packet: every field's "show" values by field name, the
// protocols present, and expert infos at warning level or above.
struct Packet {
  std::map<std::string, std::vector<std::string>> fields;
  std::vector<std::string> protos;
  std::vector<std::string> problems;

  std::string Show(const std::string& name, std::size_t i = 0) const {
    auto it = fields.find(name);
    if (it == fields.end() || it->second.size() <= i) return "<absent>";
    return it->second[i];
  }
  bool HasProto(const std::string& name) const {
    for (const auto& p : protos)
      if (p == name) return true;
    return false;
  }
};

void Collect(const xmlNode* n, Packet& pkt) {
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c)) {
    const std::string name = codec::GetAttr(c, "name");
    if (codec::NodeName(c) == "proto") {
      pkt.protos.push_back(name);
      if (name == "_ws.malformed")
        pkt.problems.push_back(codec::GetAttr(c, "showname"));
    } else if (name == "_ws.expert") {
      // children carry the severity; collect warnings and errors
      for (const xmlNode* e = codec::FirstChildElement(c); e;
           e = codec::NextSiblingElement(e)) {
        if (codec::GetAttr(e, "name") == "_ws.expert.severity" &&
            std::strtol(codec::GetAttr(e, "show").c_str(), nullptr, 10) >=
                kPiWarn) {
          pkt.problems.push_back(codec::GetAttr(c, "showname"));
        }
      }
    } else if (!name.empty()) {
      pkt.fields[name].push_back(codec::GetAttr(c, "show"));
    }
    Collect(c, pkt);
  }
}

class TsharkPushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    tshark_ = omaiop::testing::FindOnPath("tshark");
    ASSERT_FALSE(tshark_.empty())
        << "tshark not found: run scripts/setup (apt-get install tshark)";
    body_ = omaiop::testing::ReadFileBytes(fs::path(OMAIOP_SOURCE_DIR) /
                                           "fixtures/cp/napdef_min.wbxml");
    ASSERT_FALSE(body_.empty()) << "fixtures/cp/napdef_min.wbxml missing";
    pcap_ = (fs::temp_directory_path() /
             ("omaiop_tshark_" + std::to_string(getpid()) + ".pcap"))
                .string();
  }
  void TearDown() override {
    if (!pcap_.empty() && !std::getenv("OMAIOP_KEEP_PCAP")) fs::remove(pcap_);
  }

  // Runs tshark on pcap_ with extra options and returns the packets.
  std::vector<Packet> RunTshark(const std::string& options) {
    int status = 0;
    std::string xml =
        omaiop::testing::RunCommand("'" + tshark_ + "' -n -r '" + pcap_ + "' " +
                                        options + " -T pdml 2>/dev/null",
                                    &status);
    EXPECT_EQ(status, 0) << "tshark failed";
    std::vector<Packet> out;
    auto doc = codec::ParseXml(xml, "tshark PDML");
    EXPECT_TRUE(doc.ok()) << (doc.ok() ? "" : doc.error().ToString());
    if (!doc.ok()) return out;
    const xmlNode* root = xmlDocGetRootElement(doc->get());
    for (const xmlNode* p = codec::FirstChildElement(root, "packet"); p;
         p = codec::NextSiblingElement(p, "packet")) {
      Packet pkt;
      Collect(p, pkt);
      out.push_back(std::move(pkt));
    }
    return out;
  }

  // Writes the PDUs as UDP 9200 -> 2948 and returns tshark's dissection.
  std::vector<Packet> Dissect(const std::vector<Bytes>& pdus) {
    std::vector<reports::UdpDatagram> dgrams;
    std::uint64_t t = 1700000000000000ull;
    for (const Bytes& p : pdus) {
      reports::UdpDatagram d;
      d.timestamp_us = t;
      t += 1000;
      d.payload = p;
      dgrams.push_back(d);
    }
    auto s = reports::WritePcap(pcap_, dgrams);
    EXPECT_TRUE(s.ok()) << s.error().ToString();
    // Port 2948 is WSP (connectionless push) by default; -d makes it explicit.
    std::vector<Packet> out = RunTshark("-d udp.port==2948,wsp");
    EXPECT_EQ(out.size(), pdus.size());
    return out;
  }

  std::string tshark_;
  std::string pcap_;
  Bytes body_;
};

std::string Hex2(unsigned v) {
  char b[8];
  std::snprintf(b, sizeof b, "0x%02x", v);
  return b;
}

void ExpectClean(const Packet& p, const std::string& label) {
  EXPECT_TRUE(p.problems.empty())
      << label << ": tshark reports " << p.problems.size()
      << " problem(s), first: " << (p.problems.empty() ? "" : p.problems[0]);
  EXPECT_TRUE(p.HasProto("wsp")) << label;
}

// The WSP layer values tshark decoded must equal what our parser reads.
void ExpectSameWsp(const Packet& p, const codec::WspPush& ours,
                   const std::string& label) {
  EXPECT_EQ(p.Show("wsp.TID"), Hex2(ours.tid)) << label;
  EXPECT_EQ(p.Show("wsp.pdu_type"), Hex2(ours.pdu_type)) << label;
  EXPECT_EQ(p.Show("wsp.headers_length"), std::to_string(ours.headers_length))
      << label;
  EXPECT_EQ(p.Show("wsp.header.content_type"), ours.content_type.MediaName())
      << label;
  const auto sec = ours.content_type.Sec();
  EXPECT_EQ(p.Show("wsp.parameter.sec"), sec ? Hex2(*sec) : "<absent>")
      << label;
  EXPECT_EQ(p.Show("wsp.parameter.mac"),
            ours.content_type.Mac().value_or("<absent>"))
      << label;
  if (ours.application_id) {
    std::string want = ours.application_id->code
                           ? std::string(codec::WellKnownApplicationIdName(
                                 *ours.application_id->code))
                           : ours.application_id->uri;
    EXPECT_EQ(p.Show("wsp.header.x_wap_application_id"), want) << label;
  }
  if (ours.initiator_uri) {
    EXPECT_EQ(p.Show("wsp.header.initiator_uri"), *ours.initiator_uri) << label;
  }
  if (ours.push_flag) {
    EXPECT_EQ(p.Show("wsp.header.push_flag.authenticated"),
              std::to_string(*ours.push_flag & 1))
        << label;
    EXPECT_EQ(p.Show("wsp.header.push_flag.trusted"),
              std::to_string(*ours.push_flag >> 1 & 1))
        << label;
    EXPECT_EQ(p.Show("wsp.header.push_flag.last"),
              std::to_string(*ours.push_flag >> 2 & 1))
        << label;
  }
  if (ours.content_length) {
    EXPECT_EQ(p.Show("wsp.header.content_length"),
              std::to_string(*ours.content_length))
        << label;
  }
}

void ExpectProvWbxml(const Packet& p, const std::string& label) {
  EXPECT_TRUE(p.HasProto("wbxml")) << label << ": body not dissected as WBXML";
  EXPECT_EQ(p.Show("wbxml.version"), "0x03") << label;
  EXPECT_EQ(p.Show("wbxml.public_id.known"), "0x0000000b") << label;
  EXPECT_EQ(p.Show("wbxml.charset"), "106") << label;
}

TEST_F(TsharkPushTest, CpPushWithEachSecMethodMatchesTshark) {
  std::vector<Bytes> pdus;
  std::vector<codec::WspPush> ours;
  const char* imsi = "262011234567890";
  for (std::uint8_t sec = 0; sec < 4; ++sec) {
    auto method = codec::SecMethodFromWire(sec).value();
    std::string mac = codec::ComputeMac(method, imsi, "1234", body_).value();
    pdus.push_back(codec::EncodeWspPush(codec::MakeCpPush(sec, mac, body_)));
  }
  auto packets = Dissect(pdus);
  ASSERT_EQ(packets.size(), pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const std::string label = "SEC " + std::to_string(i);
    auto parsed = codec::ParseWspPush(pdus[i]);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    ExpectClean(packets[i], label);
    ExpectSameWsp(packets[i], *parsed, label);
    ExpectProvWbxml(packets[i], label);
    EXPECT_EQ(packets[i].Show("wsp.header.content_type"),
              "application/vnd.wap.connectivity-wbxml");
  }
}

TEST_F(TsharkPushTest, ShortFormAndPushHeadersMatchTshark) {
  codec::WspPush shortform;
  shortform.content_type.well_known = codec::kCtConnectivityWbxml;
  shortform.body = body_;

  codec::WspPush headers = codec::MakeCpPush(
      1,
      codec::ComputeMac(codec::SecMethod::kUserPin, "", "0000", body_).value(),
      body_);
  headers.application_id = codec::WspApplicationId{0x04, ""};
  headers.initiator_uri = "http://tps.example.com/prov";
  headers.push_flag =
      codec::kPushFlagInitiatorAuthenticated | codec::kPushFlagTrusted;
  headers.content_length = static_cast<std::uint32_t>(body_.size());

  codec::WspPush last = shortform;
  last.tid = 0x42;
  last.application_id =
      codec::WspApplicationId{std::nullopt, "x-wap-application:wml.ua"};
  last.push_flag = codec::kPushFlagLast;

  codec::WspPush charset;
  charset.content_type.form = codec::WspContentType::Form::kGeneral;
  charset.content_type.well_known = codec::kCtConnectivityXml;
  charset.content_type.params.push_back(
      codec::WspParameter::Charset(codec::kCharsetUtf8));
  const std::string xml =
      "<wap-provisioningdoc version=\"1.0\"><characteristic "
      "type=\"NAPDEF\"/></wap-provisioningdoc>";
  charset.body.assign(xml.begin(), xml.end());

  std::vector<codec::WspPush> pushes = {shortform, headers, last, charset};
  std::vector<Bytes> pdus;
  for (const auto& p : pushes) pdus.push_back(codec::EncodeWspPush(p));
  auto packets = Dissect(pdus);
  ASSERT_EQ(packets.size(), pdus.size());
  for (std::size_t i = 0; i < pdus.size(); ++i) {
    const std::string label = "push " + std::to_string(i);
    auto parsed = codec::ParseWspPush(pdus[i]);
    ASSERT_TRUE(parsed.ok()) << parsed.error().ToString();
    ExpectClean(packets[i], label);
    ExpectSameWsp(packets[i], *parsed, label);
  }
  ExpectProvWbxml(packets[0], "short form");
  ExpectProvWbxml(packets[1], "headers");
  EXPECT_EQ(packets[1].Show("wsp.header.x_wap_application_id"),
            "x-wap-application:mms.ua");
  EXPECT_EQ(packets[3].Show("wsp.parameter.charset"), "UTF-8");
}

TEST_F(TsharkPushTest, SyncmlNotificationPushMatchesTshark) {
  codec::WspPush p;
  p.content_type.well_known = codec::kCtSyncmlNotification;
  p.application_id = codec::WspApplicationId{0x07, ""};
  // A DM pkg0 notification: 16-octet digest, then version/ui-mode/... bits,
  // session id and server id (dm.md); content is opaque to WSP.
  p.body = codec::ParseHex(
               "00112233445566778899AABBCCDDEEFF"
               "02C000000000010A"
               "06736572766572")
               .value();
  Bytes pdu = codec::EncodeWspPush(p);
  auto packets = Dissect({pdu});
  ASSERT_EQ(packets.size(), 1u);
  auto parsed = codec::ParseWspPush(pdu);
  ASSERT_TRUE(parsed.ok());
  ExpectClean(packets[0], "syncml.notification");
  ExpectSameWsp(packets[0], *parsed, "syncml.notification");
  EXPECT_EQ(packets[0].Show("wsp.header.content_type"),
            "application/vnd.syncml.notification");
  EXPECT_EQ(packets[0].Show("wsp.header.x_wap_application_id"),
            "x-wap-application:syncml.dm");
}

// The oracle must be able to fail: a PDU whose HeadersLen runs past the end
// is malformed for tshark too.
TEST_F(TsharkPushTest, TsharkFlagsOurDeliberateFault) {
  codec::WspPush p = codec::MakeCpPush(0, std::string(40, 'A'), body_);
  p.headers_length_override = 200;
  Bytes pdu = codec::EncodeWspPush(p);
  ASSERT_FALSE(codec::ParseWspPush(pdu).ok());
  auto packets = Dissect({pdu});
  ASSERT_EQ(packets.size(), 1u);
  EXPECT_FALSE(packets[0].problems.empty())
      << "tshark accepted a PDU whose header length runs past its end";
}

// SMS-DELIVER TPDU (3GPP TS 23.040 §9.2.2.1) around 8-bit user data with a
// UDH: first octet 0x44 (MTI=DELIVER, MMS, UDHI), TP-OA "12345"
// international, PID 0, DCS 0x04 (8-bit data), SCTS 2024-11-21 12:00:00 +0,
// TP-UDL in octets.
Bytes SmsDeliverTpdu(const Bytes& user_data) {
  Bytes t =
      codec::ParseHex("44 05 91 21 43 F5 00 04 42 11 12 21 00 00 00").value();
  t.push_back(static_cast<std::uint8_t>(user_data.size()));
  t.insert(t.end(), user_data.begin(), user_data.end());
  return t;
}

// Our WDP segmentation, delivered out of order, is reassembled by tshark's
// GSM SMS dissector and handed (port 2948) to its WSP and WBXML dissectors.
TEST_F(TsharkPushTest, SegmentedPushOverSmsReassembledByTshark) {
  codec::WspPush push =
      codec::MakeCpPush(0,
                        codec::ComputeMac(codec::SecMethod::kNetwPin,
                                          "262011234567890", "", body_)
                            .value(),
                        body_);
  push.initiator_uri = "http://tps.example.com/" + std::string(150, 'p');
  const Bytes pdu = codec::EncodeWspPush(push);
  auto segs = codec::SegmentWdpDatagram({2948, 9200, pdu}, {.reference = 0x5A});
  ASSERT_TRUE(segs.ok());
  ASSERT_EQ(segs->size(), 3u) << pdu.size() << " octets";

  const std::vector<std::size_t> order = {2, 0, 1};
  std::vector<reports::PcapRecord> records;
  for (std::size_t k = 0; k < order.size(); ++k)
    records.push_back(
        {1700000000000000ull + k, SmsDeliverTpdu((*segs)[order[k]])});
  ASSERT_TRUE(
      reports::WritePcapRecords(pcap_, reports::kLinkTypeUser0, records).ok());
  auto packets = RunTshark(
      "-o 'uat:user_dlts:\"User 0 (DLT=147)\",\"gsm_sms\",\"0\",\"\",\"0\","
      "\"\"'");
  ASSERT_EQ(packets.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) {
    auto ud = codec::ParseSmsUserData((*segs)[order[k]]);
    ASSERT_TRUE(ud.ok());
    const Packet& p = packets[k];
    const std::string label = "frame " + std::to_string(k + 1);
    EXPECT_TRUE(p.problems.empty()) << label << ": " << p.problems[0];
    EXPECT_EQ(p.Show("gsm_sms.destination_port"),
              std::to_string(ud->ports->dst));
    EXPECT_EQ(p.Show("gsm_sms.originator_port"),
              std::to_string(ud->ports->src));
    EXPECT_EQ(p.Show("gsm_sms.udh.mm.msg_id"),
              std::to_string(ud->concat->reference));
    EXPECT_EQ(p.Show("gsm_sms.udh.mm.msg_parts"),
              std::to_string(ud->concat->total));
    EXPECT_EQ(p.Show("gsm_sms.udh.mm.msg_part"),
              std::to_string(ud->concat->seq));
  }
  const Packet& last = packets[2];
  EXPECT_EQ(last.Show("gsm_sms.reassembled.length"),
            std::to_string(pdu.size()));
  auto parsed = codec::ParseWspPush(pdu);
  ASSERT_TRUE(parsed.ok());
  ExpectClean(last, "reassembled");
  ExpectSameWsp(last, *parsed, "reassembled");
  ExpectProvWbxml(last, "reassembled");

  // And our own reassembler agrees with tshark on the same order.
  codec::SmsReassembler r;
  std::optional<codec::WdpDatagram> got;
  for (std::size_t i : order) {
    auto a = r.Add((*segs)[i]);
    ASSERT_TRUE(a.ok());
    if (a->has_value()) got = **a;
  }
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->payload, pdu);
}

// tshark's WBXML dissector prints a "Rendering" column that rebuilds the
// document from the tokens its own PROV tables know (epan's packet-wbxml.c,
// an implementation independent of ours and of libwbxml2). Joined, it must
// be the same document as our decode of the same bytes and as the source.
// Wireshark's PROV code page 1 lacks the value= attribute-start token 0x06
// that libwbxml2, Kannel and cp.md §1.3 define, so documents with page-1
// parms (APPLICATION, ACCESS RULE, WLAN) are checked against libwbxml2 only
// (codec/wbxml_oracle_test.cc); the page-0 documents are checked here.
std::string TsharkRenderedXml(const std::string& tshark_v_output) {
  std::istringstream lines(tshark_v_output);
  std::string line, xml;
  bool in_data = false;
  while (std::getline(lines, line)) {
    if (!in_data) {
      in_data = line.find("Data representation") != std::string::npos;
      continue;
    }
    if (std::count(line.begin(), line.end(), '|') < 4) {
      if (!xml.empty()) break;
      continue;
    }
    std::size_t at = 0;
    for (int i = 0; i < 4; ++i) at = line.find('|', at) + 1;
    std::string part = line.substr(at);
    if (part.find("Rendering") != std::string::npos) continue;  // header
    xml += " " + part;
  }
  // One attribute value split over several tokens renders as 'a' 'b'.
  return std::regex_replace(xml, std::regex("'\\s+'"), "");
}

TEST_F(TsharkPushTest, WbxmlRenderingOfPage0CpFixturesEqualsOurDecode) {
  for (const char* name :
       {"bootstrap.xml", "cp10_only.xml", "napdef_gprs_proxy.xml"}) {
    SCOPED_TRACE(name);
    Bytes src = omaiop::testing::ReadFileBytes(fs::path(OMAIOP_SOURCE_DIR) /
                                               "fixtures/cp" / name);
    auto doc = codec::ParseXml(codec::AsString(src), name);
    ASSERT_TRUE(doc.ok());
    auto wbxml = codec::EncodeWbxml(doc->get(), codec::ProvLanguage());
    ASSERT_TRUE(wbxml.ok()) << wbxml.error().ToString();
    auto ours = codec::DecodeWbxml(*wbxml);
    ASSERT_TRUE(ours.ok()) << ours.error().ToString();

    auto pdus = Dissect({codec::EncodeWspPush(
        codec::MakeCpPush(0, std::string(40, 'A'), *wbxml))});
    ASSERT_EQ(pdus.size(), 1u);
    ExpectClean(pdus[0], name);
    int status = 0;
    std::string text = omaiop::testing::RunCommand(
        "'" + tshark_ + "' -n -r '" + pcap_ +
            "' -d udp.port==2948,wsp -V 2>/dev/null",
        &status);
    ASSERT_EQ(status, 0);
    std::string rendered = TsharkRenderedXml(text);
    ASSERT_FALSE(rendered.empty()) << "no WBXML rendering in tshark -V";
    EXPECT_EQ(rendered.find("not defined"), std::string::npos)
        << "tshark met a token it does not know:\n"
        << rendered;
    auto theirs = codec::ParseXml(rendered, "tshark rendering");
    ASSERT_TRUE(theirs.ok()) << theirs.error().ToString() << "\n" << rendered;
    std::string diff;
    EXPECT_TRUE(codec::XmlEquivalent(theirs->get(), ours->doc.get(), &diff))
        << diff;
    EXPECT_TRUE(codec::XmlEquivalent(theirs->get(), doc->get(), &diff)) << diff;
  }
}

}  // namespace
}  // namespace omaiop
