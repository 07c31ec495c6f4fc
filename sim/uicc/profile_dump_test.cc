#include "sim/uicc/profile_dump.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "codec/xml.h"

namespace omaiop::sim::uicc {
namespace {

namespace fs = std::filesystem;

const fs::path kUicc = fs::path(OMAIOP_SOURCE_DIR) / "fixtures" / "uicc";

Profile MustLoad(const std::string& name) {
  auto p = LoadProfile((kUicc / (name + ".xml")).string());
  EXPECT_TRUE(p.ok()) << name << ": " << p.error().ToString();
  return p.ok() ? std::move(*p) : Profile{};
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The "| "-prefixed XML the dump prints under the file named `ef_name`.
std::string DumpedXml(const std::string& dump, const std::string& ef_name) {
  std::istringstream in(dump.substr(dump.find(" " + ef_name + " ")));
  std::string line, xml;
  std::getline(in, line);  // the file's own line
  bool started = false;
  while (std::getline(in, line)) {
    const auto bar = line.find("| ");
    const bool is_xml =
        bar != std::string::npos && line.find_first_not_of(' ') == bar;
    if (is_xml) {
      started = true;
      xml += line.substr(bar + 2) + "\n";
    } else if (started) {
      break;
    }
  }
  return xml;
}

TEST(ProfileDump, ShowsIdentityTreeAccessAndDecodedStructures) {
  for (const char* name : {"sim-2g", "uicc-3g", "ruim", "csim"}) {
    SCOPED_TRACE(name);
    const Profile p = MustLoad(name);
    const std::string d = DumpProfile(p);
    EXPECT_NE(d.find("Profile " + std::string(name)), std::string::npos);
    EXPECT_NE(d.find("ICCID " + p.iccid), std::string::npos);
    EXPECT_NE(d.find("IMSI " + p.imsi), std::string::npos);
    // EF.ICCID decoded from the file bytes.
    EXPECT_NE(d.find("    ICCID " + p.iccid + "  ("), std::string::npos);
    // EF.DIR record 1 decoded by codec/pkcs15, the PKCS#15 AID first.
    const auto dir = d.find("2F00 EF.DIR  linear fixed EF");
    ASSERT_NE(dir, std::string::npos);
    EXPECT_NE(d.find("record 1:\n", dir), std::string::npos);
    EXPECT_NE(d.find("AID (4F): A000000063504B43532D3135", dir),
              std::string::npos);
    EXPECT_NE(d.find("dataObjects [7]: 4401"), std::string::npos);
    EXPECT_NE(d.find("oidDO [1]: 2.23.43.7.2"), std::string::npos);
    EXPECT_NE(d.find("TokenInfo version 0"), std::string::npos);
    // Config2 access conditions.
    const auto c2 = d.find("4503 EF.ProvSC-Config2");
    ASSERT_NE(c2, std::string::npos);
    EXPECT_EQ(d.find("[read=PIN1 update=PIN1 ", c2), d.find('\n', c2) + 9);
    EXPECT_NE(d.find("PIN1 (0x01) \"1234\""), std::string::npos);
    EXPECT_NE(d.find("6F10 EF.FUMO-Auth  linear fixed EF, 4 x 32 B"),
              std::string::npos);
  }
}

// The XML the dump prints for each WBXML file parses and is equivalent to
// the fixture the file was made from.
TEST(ProfileDump, DecodedWbxmlMatchesTheSourceFixtures) {
  const std::string d = DumpProfile(MustLoad("uicc-3g"));
  struct Case {
    const char* ef;
    const char* fixture;
  };
  for (const Case& c :
       {Case{"EF.ProvSC-Bootstrap", "../cp/bootstrap.xml"},
        Case{"EF.ProvSC-Config1", "../cp/napdef_gprs_proxy.xml"},
        Case{"EF.ProvSC-Config2", "../cp/dm_w7.xml"},
        Case{"EF.DM_Bootstrap", "../dm/bootstrap_dmacc.xml"},
        Case{"EF.DM-MO-DMAcc", "dm_sc/dmacc_mo.xml"}}) {
    SCOPED_TRACE(c.ef);
    const std::string xml = DumpedXml(d, c.ef);
    ASSERT_FALSE(xml.empty());
    auto dumped = codec::ParseXml(xml);
    ASSERT_TRUE(dumped.ok()) << dumped.error().ToString() << "\n" << xml;
    auto source = codec::ParseXml(ReadText(kUicc / c.fixture));
    ASSERT_TRUE(source.ok());
    std::string diff;
    EXPECT_TRUE(codec::XmlEquivalent(dumped->get(), source->get(), &diff))
        << diff;
  }
}

TEST(ProfileDump, ImsiDecodedFromTheEf) {
  const std::string d = DumpProfile(MustLoad("sim-2g"));
  EXPECT_NE(d.find("6F07 EF.IMSI"), std::string::npos);
  EXPECT_NE(d.find("IMSI 001010000000001  (080910100000000010)"),
            std::string::npos);
  EXPECT_NE(d.find("ATR 3B 17 96 80 6F 6D 61 69 6F 70  (profile)"),
            std::string::npos);
}

TEST(ProfileDump, HexInsteadOfXmlWhenAsked) {
  DumpOptions o;
  o.decode_wbxml = false;
  const std::string d = DumpProfile(MustLoad("uicc-3g"), o);
  EXPECT_EQ(d.find("<wap-provisioningdoc"), std::string::npos);
  EXPECT_NE(d.find("CP WBXML, "), std::string::npos);
  EXPECT_NE(d.find("more bytes)"), std::string::npos);  // cut at 256
}

TEST(ProfileDump, CorruptContentIsReportedNotFatal) {
  Profile p = MustLoad("uicc-3g");
  // Truncate the WBXML of the bootstrap file and garble EF.IMSI.
  for (auto& [ref, content] : p.contents) {
    File& f = p.fs.at(ref);
    if (content.kind == ContentKind::kCpWbxml) f.data.resize(20);
    if (content.kind == ContentKind::kImsi) f.data = {0x0F, 0x01};
    if (content.kind == ContentKind::kDodf) f.data = {0xA1, 0x7F, 0x30};
  }
  const std::string d = DumpProfile(p);
  EXPECT_NE(d.find("WBXML does not decode"), std::string::npos);
  EXPECT_NE(d.find("IMSI ? "), std::string::npos);
}

}  // namespace
}  // namespace omaiop::sim::uicc
