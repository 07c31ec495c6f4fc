// Oracle test: the per-case capture (reports/case_pcap) read by tshark.
// Every packet must dissect with no malformed packet and no expert info at
// warning level or above (TCP analysis flags wrong seq/ack that way), and
// carry the protocol its trace entry promises: APDUs as gsm_sim (via
// GSMTAP), pushes as wsp, HTTP as http over the synthesised TCP stream, SMPP
// PDUs as smpp over one TCP session (the submit_sm's short message on to wsp).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "codec/xml.h"
#include "reports/case_pcap.h"
#include "reports/testing/sample_campaign.h"
#include "tests/test_util.h"

namespace omaiop {
namespace {

namespace fs = std::filesystem;

constexpr long kPiWarn = 0x00600000;  // expert severity (epan/proto.h)

struct Dissected {
  std::vector<std::string> protos;
  std::vector<std::string> problems;
  std::map<std::string, std::vector<std::string>> fields;
  bool Has(const std::string& p) const {
    for (const auto& x : protos)
      if (x == p) return true;
    return false;
  }
};

void Walk(const xmlNode* n, Dissected& d) {
  for (const xmlNode* c = codec::FirstChildElement(n); c;
       c = codec::NextSiblingElement(c)) {
    const std::string name = codec::GetAttr(c, "name");
    if (codec::NodeName(c) == "proto") {
      d.protos.push_back(name);
      if (name == "_ws.malformed")
        d.problems.push_back(codec::GetAttr(c, "showname"));
    }
    if (name == "_ws.expert.severity" &&
        std::strtol(codec::GetAttr(c, "show").c_str(), nullptr, 10) >= kPiWarn)
      d.problems.push_back(codec::GetAttr(n, "showname"));
    if (!name.empty()) d.fields[name].push_back(codec::GetAttr(c, "show"));
    Walk(c, d);
  }
}

std::vector<Dissected> Tshark(const std::string& pcap) {
  const std::string tshark = omaiop::testing::FindOnPath("tshark");
  EXPECT_FALSE(tshark.empty())
      << "tshark not found: run scripts/setup (apt-get install tshark)";
  std::vector<Dissected> out;
  if (tshark.empty()) return out;
  int status = -1;
  // -o: Wireshark's TCP analysis needs no preferences; WSP push is on 2948.
  const std::string xml = omaiop::testing::RunCommand(
      "'" + tshark + "' -n -r '" + pcap + "' -T pdml 2>/dev/null", &status);
  EXPECT_EQ(status, 0) << "tshark failed on " << pcap;
  auto doc = codec::ParseXml(xml, "tshark PDML");
  EXPECT_TRUE(doc.ok());
  if (!doc.ok()) return out;
  const xmlNode* root = xmlDocGetRootElement(doc->get());
  for (const xmlNode* p = codec::FirstChildElement(root, "packet"); p;
       p = codec::NextSiblingElement(p, "packet")) {
    Dissected d;
    Walk(p, d);
    out.push_back(std::move(d));
  }
  return out;
}

class CasePcapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("omaiop_case_pcap_" + std::to_string(getpid()));
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!std::getenv("OMAIOP_KEEP_PCAP")) fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(CasePcapTest, EveryPacketDecodesWithItsProtocol) {
  const reports::Campaign c = reports::testing::SampleCampaign();
  std::size_t apdus = 0, pushes = 0, https = 0, smpps = 0, seen_sim = 0,
              seen_wsp = 0, seen_http = 0, seen_smpp = 0, smpp_wsp = 0;
  for (const reports::CaseResult& cr : c.cases) {
    for (const auto& e : cr.trace) {
      apdus += e.kind == reports::kind::kApdu;
      pushes += e.kind == reports::kind::kWspPush;
      https += e.kind == reports::kind::kHttp;
      smpps += e.kind == reports::kind::kSmppPdu;
    }
    const std::string path = (dir_ / (cr.id + ".pcap")).string();
    ASSERT_TRUE(reports::WriteCasePcap(path, cr).ok());
    auto cap = reports::BuildCaseCapture(cr).value();
    std::vector<Dissected> packets = Tshark(path);
    ASSERT_EQ(packets.size(), cap.packets.size()) << cr.id;
    for (std::size_t i = 0; i < packets.size(); ++i) {
      Dissected& d = packets[i];
      EXPECT_TRUE(d.problems.empty())
          << cr.id << " packet " << i + 1 << ": " << d.problems.front();
      seen_sim += d.Has("gsm_sim");
      seen_wsp += d.Has("wsp");
      seen_http += d.Has("http");
      seen_smpp += d.Has("smpp");
      // The submit_sm's short message: UDH ports 9200 -> 2948, then the
      // WSP push, dissected through SMPP's GSM SMS user data.
      smpp_wsp += d.Has("smpp") && d.Has("wsp");
      // GSMTAP adds no tree of its own for SIM; the layer list shows it.
      if (d.Has("gsm_sim"))
        EXPECT_NE(d.fields["frame.protocols"].at(0).find("udp:gsmtap:gsm_sim"),
                  std::string::npos)
            << cr.id;
      if (d.Has("http")) {
        // The reply of the sample exchange is a 500.
        if (!d.fields["http.response.code"].empty())
          EXPECT_EQ(d.fields["http.response.code"][0], "500");
        else
          EXPECT_EQ(d.fields["http.request.method"].at(0), "POST");
      }
    }
  }
  EXPECT_EQ(seen_sim, apdus);
  EXPECT_GT(smpps, 0u);
  EXPECT_EQ(seen_smpp, smpps);  // one PDU per TCP segment
  EXPECT_EQ(smpp_wsp, 1u);
  EXPECT_EQ(seen_wsp, pushes + smpp_wsp);
  EXPECT_EQ(seen_http, 2 * https);  // request and reply each
}

TEST_F(CasePcapTest, ApduFieldsAsWiresharkSeesThem) {
  reports::CaseResult cr;
  reports::TraceEntry e;
  e.source = "handset";
  e.peer = "uicc";
  e.kind = reports::kind::kApdu;
  e.direction = reports::Direction::kOut;
  e.raw = codec::ParseHex("00B0000008").value();
  e.response = codec::ParseHex("08499999000000109000").value();
  cr.trace = {e};
  const std::string path = (dir_ / "apdu.pcap").string();
  ASSERT_TRUE(reports::WriteCasePcap(path, cr).ok());
  std::vector<Dissected> p = Tshark(path);
  ASSERT_EQ(p.size(), 1u);
  EXPECT_TRUE(p[0].problems.empty()) << p[0].problems.front();
  EXPECT_EQ(p[0].fields["frame.protocols"].at(0), "raw:ip:udp:gsmtap:gsm_sim");
  EXPECT_EQ(p[0].fields["gsm_sim.apdu.ins"].at(0), "0xb0");  // READ BINARY
  EXPECT_EQ(p[0].fields["gsm_sim.le"].at(0), "8");
  EXPECT_EQ(p[0].fields["gsm_sim.apdu.data"].at(0), "08:49:99:99:00:00:00:10");
  EXPECT_EQ(p[0].fields["gsm_sim.apdu.sw"].at(0), "0x9000");
}

TEST_F(CasePcapTest, LongHttpBodySpansSegmentsAndReassembles) {
  reports::CaseResult cr;
  reports::TraceEntry e;
  e.source = "handset";
  e.peer = "server";
  e.kind = reports::kind::kHttp;
  e.direction = reports::Direction::kOut;
  const std::string body(5000, 'x');
  const std::string req = "POST /dm HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body;
  e.raw.assign(req.begin(), req.end());
  const std::string rsp = "HTTP/1.1 204 No Content\r\n\r\n";
  e.response.assign(rsp.begin(), rsp.end());
  cr.trace = {e};
  const std::string path = (dir_ / "long.pcap").string();
  ASSERT_TRUE(reports::WriteCasePcap(path, cr).ok());
  std::vector<Dissected> p = Tshark(path);
  int http = 0;
  for (const Dissected& d : p) {
    EXPECT_TRUE(d.problems.empty()) << d.problems.front();
    http += d.Has("http");
  }
  EXPECT_EQ(http, 2);  // one reassembled request, one reply
}

}  // namespace
}  // namespace omaiop
