#include "codec/xml.h"

#include <gtest/gtest.h>

namespace omaiop::codec {
namespace {

TEST(Xml, MalformedInputNamesLine) {
  auto r = ParseXml("<a>\n<b></a>", "CP document");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().path, "line 2");
  EXPECT_NE(r.error().what.find("CP document"), std::string::npos);
}

TEST(Xml, ExternalEntitiesAreNotExpanded) {
  auto r = ParseXml(
      "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>");
  if (r.ok()) {
    EXPECT_EQ(NodeText(xmlDocGetRootElement(r->get())).find("root:"),
              std::string::npos);
  }
}

TEST(Xml, EquivalenceIgnoresWhitespaceAndAttributeOrder) {
  auto a = ParseXml("<r><c x='1' y='2'>  t </c>\n</r>");
  auto b = ParseXml("<r><c y='2' x='1'>t</c></r>");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE(XmlEquivalent(a->get(), b->get()));
}

TEST(Xml, EquivalenceReportsPathOfDifference) {
  auto a = ParseXml("<r><c/><c><d v='1'/></c></r>");
  auto b = ParseXml("<r><c/><c><d v='2'/></c></r>");
  ASSERT_TRUE(a.ok() && b.ok());
  std::string diff;
  EXPECT_FALSE(XmlEquivalent(a->get(), b->get(), &diff));
  EXPECT_NE(diff.find("/r/c[2]/d"), std::string::npos) << diff;
}

TEST(Xml, SerializeRoundTrips) {
  auto a = ParseXml("<r><c x='1'>t</c></r>");
  ASSERT_TRUE(a.ok());
  auto b = ParseXml(SerializeXml(a->get()));
  ASSERT_TRUE(b.ok());
  EXPECT_TRUE(XmlEquivalent(a->get(), b->get()));
}

}  // namespace
}  // namespace omaiop::codec
