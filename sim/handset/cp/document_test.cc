#include "sim/handset/cp/document.h"

#include <gtest/gtest.h>

#include "codec/wbxml.h"
#include "sim/handset/cp/test_util.h"

namespace omaiop::sim::handset::cp {
namespace {

using testing::Doc;
using testing::MustParse;
using testing::ReadFixture;

TEST(CpDocument, ParsesTreeWithPathsAndFlags) {
  Document d = MustParse(ReadFixture("fixtures/cp/napdef_gprs_proxy.xml"));
  EXPECT_EQ(d.version, "1.1");
  ASSERT_EQ(d.characteristics.size(), 2u);
  const Characteristic& nap = d.characteristics[0];
  EXPECT_EQ(nap.type, "NAPDEF");
  EXPECT_EQ(nap.path, "/wap-provisioningdoc/characteristic[1][@type='NAPDEF']");
  EXPECT_EQ(nap.Value("NAPID"), "GPRS_NAP1");
  const Parm* internet = nap.FindParm("INTERNET");
  ASSERT_NE(internet, nullptr);
  EXPECT_FALSE(internet->value.has_value());
  EXPECT_EQ(nap.parms[0].path,
            "/wap-provisioningdoc/characteristic[1][@type='NAPDEF']/"
            "parm[1][@name='NAPID']");
  const Characteristic& px = d.characteristics[1];
  ASSERT_EQ(px.Children("PXPHYSICAL").size(), 1u);
  EXPECT_EQ(px.Children("PXPHYSICAL")[0]->Children("PORT").size(), 2u);
  EXPECT_EQ(px.Children("PXPHYSICAL")[0]->path,
            "/wap-provisioningdoc/characteristic[2][@type='PXLOGICAL']/"
            "characteristic[2][@type='PXPHYSICAL']");
  EXPECT_TRUE(d.diagnostics.empty());
}

TEST(CpDocument, EmptyValueDiffersFromAbsentValue) {
  Document d = MustParse(Doc(
      R"(<characteristic type="X"><parm name="A" value=""/><parm name="B"/></characteristic>)"));
  ASSERT_EQ(d.characteristics[0].parms.size(), 2u);
  EXPECT_TRUE(d.characteristics[0].parms[0].value.has_value());
  EXPECT_FALSE(d.characteristics[0].parms[1].value.has_value());
}

TEST(CpDocument, RejectsWrongRoot) {
  auto r = ParseText("<SyncML><characteristic type='NAPDEF'/></SyncML>");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "/SyncML");
  EXPECT_NE(r.error().what.find("wap-provisioningdoc"), std::string::npos);
}

TEST(CpDocument, ReportsStructuralErrorsWithPath) {
  Document d = MustParse(Doc(
      R"(<parm name="NAPID" value="x"/>)"
      R"(<characteristic><parm name="A" value="1"/></characteristic>)"
      R"(<characteristic type="NAPDEF"><parm value="v"/><foo/></characteristic>)"));
  ASSERT_EQ(d.diagnostics.size(), 4u);
  EXPECT_EQ(d.diagnostics[0].path,
            "/wap-provisioningdoc/parm[1][@name='NAPID']");
  EXPECT_NE(d.diagnostics[0].what.find("outside"), std::string::npos);
  EXPECT_EQ(d.diagnostics[1].path, "/wap-provisioningdoc/characteristic[1]");
  EXPECT_NE(d.diagnostics[1].what.find("without type"), std::string::npos);
  EXPECT_EQ(d.diagnostics[2].path,
            "/wap-provisioningdoc/characteristic[2][@type='NAPDEF']/parm[1]");
  EXPECT_EQ(d.diagnostics[3].path,
            "/wap-provisioningdoc/characteristic[2][@type='NAPDEF']/foo[1]");
  // The valid characteristic survives, with no parm.
  ASSERT_EQ(d.characteristics.size(), 1u);
  EXPECT_TRUE(d.characteristics[0].parms.empty());
}

TEST(CpDocument, WbxmlFixtureDecodesToSameModelAsItsXml) {
  std::string hex = ReadFixture("fixtures/cp/napdef_min.hex");
  auto bytes = codec::ParseHex(hex);
  ASSERT_TRUE(bytes.ok());
  auto wb = codec::DecodeWbxml(*bytes);
  ASSERT_TRUE(wb.ok()) << wb.error().ToString();
  auto d = Parse(wb->doc.get());
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->version, "1.0");
  ASSERT_EQ(d->characteristics.size(), 1u);
  const Characteristic& nap = d->characteristics[0];
  EXPECT_EQ(nap.type, "NAPDEF");
  // Expected values from fixtures/cp/napdef_min.txt (hand-decoded).
  EXPECT_EQ(nap.Value("NAPID"), "NAP1");
  EXPECT_EQ(nap.Value("NAME"), "Example GPRS");
  EXPECT_EQ(nap.Value("BEARER"), "GSM-GPRS");
  EXPECT_EQ(nap.Value("NAP-ADDRESS"), "internet.example");
  EXPECT_EQ(nap.Value("NAP-ADDRTYPE"), "APN");
}

}  // namespace
}  // namespace omaiop::sim::handset::cp
