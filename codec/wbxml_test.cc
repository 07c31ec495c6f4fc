// Unit tests of the WBXML codec: every diagnostic with its offset and rule,
// strict vs lenient, string table, ENTITY, LITERAL, OPAQUE, SWITCH_PAGE in
// both code spaces. Inputs are built byte by byte with WbxmlWriter.
#include "codec/wbxml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace omaiop::codec {
namespace {

using ::testing::HasSubstr;

WbxmlWriter ProvHeader(std::string_view table = {}) {
  WbxmlWriter w;
  w.Header(0x03, 0x0B, 106, table);
  return w;
}

WbxmlDecodeOptions Lenient() {
  WbxmlDecodeOptions o;
  o.strict = false;
  return o;
}

XmlDoc Xml(const char* text) {
  auto d = ParseXml(text);
  EXPECT_TRUE(d.ok()) << d.error().ToString();
  return std::move(*d);
}

std::string Root(const WbxmlDocument& d) {
  return SerializeXml(d.doc.get(), false, false);
}

TEST(Wbxml, DecodesMinimalProvDocument) {
  // <wap-provisioningdoc version="1.0"><characteristic type="NAPDEF">
  //   <parm name="NAME" value="x"/></characteristic></wap-provisioningdoc>
  Bytes b = ProvHeader()
                .Tag(0x05, true, true)
                .AttrStart(0x46)
                .End()
                .Tag(0x06, true, true)
                .AttrStart(0x55)
                .End()
                .Tag(0x07, true, false)
                .AttrStart(0x07)
                .AttrStart(0x06)
                .StrI("x")
                .End()
                .End()
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->language, &ProvLanguage());
  EXPECT_EQ(d->header.version, 0x03);
  EXPECT_EQ(d->header.public_id, 0x0Bu);
  EXPECT_EQ(d->header.charset, 106u);
  EXPECT_THAT(Root(*d),
              HasSubstr("<wap-provisioningdoc version=\"1.0\"><characteristic "
                        "type=\"NAPDEF\"><parm name=\"NAME\" value=\"x\"/>"));
}

TEST(Wbxml, UnknownTagIsErrorWithOffsetAndRuleInStrictMode) {
  Bytes b =
      ProvHeader().Tag(0x05, false, true).Tag(0x3F, false, false).End().Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 5u);
  EXPECT_THAT(d.error().rule, HasSubstr("WBXML 1.3 §5.8.2"));
  EXPECT_THAT(d.error().rule, HasSubstr("PROV 1.1"));
  EXPECT_THAT(d.error().what,
              HasSubstr("unknown tag token 0x3F on code page 0"));
}

TEST(Wbxml, UnknownTagIsPlaceholderAndWarningInLenientMode) {
  Bytes b = ProvHeader()
                .Tag(0x05, false, true)
                .SwitchPage(1)
                .Tag(0x3F, false, false)
                .End()
                .Take();
  auto d = DecodeWbxml(b, Lenient());
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_THAT(Root(*d), HasSubstr("<unknown_tag_p1_0x3f/>"));
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_EQ(d->warnings[0].offset, 7u);
  EXPECT_THAT(d->warnings[0].rule, HasSubstr("§5.8.2"));
}

TEST(Wbxml, UnknownCodePageIsErrorAtSwitchPage) {
  Bytes b = ProvHeader()
                .Tag(0x05, false, true)
                .SwitchPage(7)
                .Tag(0x06, false, false)
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 5u);
  EXPECT_THAT(d.error().rule, HasSubstr("WBXML 1.3 §5.8.4.7.1"));
  EXPECT_THAT(d.error().what, HasSubstr("tag code page 7"));
  auto l = DecodeWbxml(b, Lenient());
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->warnings.size(), 2u);  // the page, then the tag on it
}

TEST(Wbxml, Cp10LanguageRejectsCodePage1Attributes) {
  Bytes b = ProvHeader()
                .Tag(0x05, false, true)
                .Tag(0x06, true, false)
                .SwitchPage(1)
                .AttrStart(0x55)
                .End()
                .End()
                .Take();
  WbxmlDecodeOptions o;
  o.language = &ProvLanguage(ProvVersion::k10);
  auto d = DecodeWbxml(b, o);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 6u);
  EXPECT_THAT(d.error().what, HasSubstr("attribute code page 1"));
  auto ok = DecodeWbxml(b);  // CP 1.1 knows page 1
  ASSERT_TRUE(ok.ok());
  EXPECT_THAT(Root(*ok), HasSubstr("type=\"APPLICATION\""));
}

TEST(Wbxml, UnknownAttributeStartAndValueTokens) {
  // 0x4D is unassigned on PROV page 0; 0xFE is no value token.
  Bytes b = ProvHeader()
                .Tag(0x05, true, false)
                .AttrStart(0x4D)
                .AttrValue(0xFE)
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 5u);
  EXPECT_THAT(d.error().rule, HasSubstr("WBXML 1.3 §5.8.3"));
  auto l = DecodeWbxml(b, Lenient());
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->warnings.size(), 2u);
  EXPECT_EQ(l->warnings[1].offset, 6u);
  EXPECT_THAT(Root(*l),
              HasSubstr("unknown_attr_p0_0x4d=\"unknown_value_p0_0xfe\""));
}

TEST(Wbxml, AttributeValueIsPrefixPlusValueTokensPlusStrings) {
  // name=NAME, then value= "HTTP-" "BASIC" "," + "x" on page 1 attributes.
  Bytes b = ProvHeader(std::string_view("tbl\0", 4))
                .Tag(0x05, false, true)
                .Tag(0x07, true, false)
                .SwitchPage(1)
                .AttrStart(0x33)
                .AttrStart(0x06)
                .AttrValue(0x91)
                .AttrValue(0x92)
                .AttrValue(0x90)
                .StrT(0)
                .Entity(0x21)
                .End()
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_THAT(
      Root(*d),
      HasSubstr("<parm name=\"AAUTHTYPE\" value=\"HTTP-BASIC,tbl!\"/>"));
}

TEST(Wbxml, SwitchPageStateIsKeptPerCodeSpace) {
  // Attribute page 1 does not move the tag page: tag 0x06 after it is still
  // read on tag page 0, and a later tag-space switch does not move the
  // attribute page.
  Bytes b = ProvHeader()
                .Tag(0x05, false, true)
                .Tag(0x06, true, true)
                .SwitchPage(1)
                .AttrStart(0x55)
                .End()
                .Tag(0x07, true, false)
                .AttrStart(0x36)
                .End()  // page-1 APPID
                .SwitchPage(1)
                .Tag(0x07, false, false)
                .End()
                .End()
                .Take();
  auto t = TokenizeWbxml(b);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  std::vector<std::pair<std::string, int>> tags;
  for (const auto& tk : t->tokens) {
    if (tk.kind == WbxmlTokenKind::kTag) tags.push_back({tk.name, tk.page});
    if (tk.kind == WbxmlTokenKind::kAttrStart && tk.name == "name") {
      EXPECT_EQ(tk.page, 1);
    }
  }
  ASSERT_EQ(tags.size(), 4u);
  EXPECT_EQ(tags[1], (std::pair<std::string, int>{"characteristic", 0}));
  EXPECT_EQ(tags[2], (std::pair<std::string, int>{"parm", 0}));
  EXPECT_EQ(tags[3], (std::pair<std::string, int>{"parm", 1}));
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(Root(*d), HasSubstr("<parm name=\"APPID\"/>"));
}

TEST(Wbxml, StringTableOffsetPastEndIsError) {
  Bytes b = ProvHeader(std::string_view("abc\0", 4))
                .Tag(0x05, false, true)
                .StrT(9)
                .End()
                .Take();
  // header 03 0B 6A 04 'abc\0' = 8 octets; 45 at 8; 83 at 9; index at 10.
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 10u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.7");
  EXPECT_THAT(d.error().what, HasSubstr("offset 9 is past the end"));
  // Also fatal in lenient mode: there is no text to show.
  EXPECT_FALSE(DecodeWbxml(b, Lenient()).ok());
}

TEST(Wbxml, StringTableStringWithoutTerminatorIsError) {
  Bytes b = ProvHeader("abc").Tag(0x05, false, true).StrT(1).End().Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().what, HasSubstr("no 0x00 terminator"));
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.7");
}

TEST(Wbxml, StringTableLengthBeyondDocumentIsError) {
  Bytes b = WbxmlWriter()
                .Version(3)
                .PublicId(0x0B)
                .Charset(106)
                .MbUint32(200)
                .Raw(AsBytes("ab"))
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 3u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.7");
}

TEST(Wbxml, TruncatedMbUint32IsError) {
  Bytes b = WbxmlWriter().Version(3).Byte(0x8B).Take();  // continuation, EOF
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 1u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.1");
  EXPECT_THAT(d.error().what, HasSubstr("truncated publicid"));
  // mb_u_int32 longer than 5 octets.
  Bytes b2 = ProvHeader()
                 .Tag(0x05, false, true)
                 .Byte(0x83)
                 .Raw(Bytes{0x81, 0x81, 0x81, 0x81, 0x81, 0x01})
                 .End()
                 .Take();
  auto d2 = DecodeWbxml(b2);
  ASSERT_FALSE(d2.ok());
  EXPECT_EQ(d2.error().offset, 6u);
  EXPECT_EQ(d2.error().rule, "WBXML 1.3 §5.1");
}

TEST(Wbxml, MissingEndIsErrorNamingTheOpenElement) {
  Bytes b =
      ProvHeader().Tag(0x05, false, true).Tag(0x06, false, true).End().Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, b.size());
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.8.4.7.2");
  EXPECT_THAT(d.error().what,
              HasSubstr("<wap-provisioningdoc> opened at offset 4"));
  EXPECT_FALSE(DecodeWbxml(b, Lenient()).ok());
  // Missing END of an attribute list.
  Bytes a = ProvHeader().Tag(0x05, true, false).AttrStart(0x46).Take();
  auto da = DecodeWbxml(a);
  ASSERT_FALSE(da.ok());
  EXPECT_EQ(da.error().offset, 6u);
  EXPECT_THAT(da.error().what, HasSubstr("attribute list"));
}

TEST(Wbxml, ContentAfterRootElementIsError) {
  Bytes b = ProvHeader().Tag(0x05, false, false).Tag(0x06, false, false).Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 5u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.3");
  EXPECT_THAT(d.error().what, HasSubstr("content after the root element"));
  // A PI after the root is allowed.
  Bytes pi = ProvHeader()
                 .Tag(0x05, false, false)
                 .Pi()
                 .AttrStart(0x05)
                 .StrI("x")
                 .End()
                 .Take();
  auto dp = DecodeWbxml(pi);
  ASSERT_TRUE(dp.ok()) << dp.error().ToString();
  EXPECT_THAT(SerializeXml(dp->doc.get()), HasSubstr("<?name x?>"));
  // A PI without its END.
  auto open_pi = DecodeWbxml(
      ProvHeader().Tag(0x05, false, false).Pi().AttrStart(0x05).Take());
  ASSERT_FALSE(open_pi.ok());
  EXPECT_EQ(open_pi.error().offset, 7u);
  EXPECT_EQ(open_pi.error().rule, "WBXML 1.3 §5.8.4.4");
}

TEST(Wbxml, UnsupportedVersionIsError) {
  Bytes v10 = WbxmlWriter().Header(0x00, 0x0B).Tag(0x05, false, false).Take();
  auto d = DecodeWbxml(v10);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 0u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.4");
  EXPECT_FALSE(DecodeWbxml(v10, Lenient()).ok());
  Bytes v14 = WbxmlWriter().Header(0x04, 0x0B).Tag(0x05, false, false).Take();
  EXPECT_FALSE(DecodeWbxml(v14).ok());
  auto l = DecodeWbxml(v14, Lenient());
  ASSERT_TRUE(l.ok());
  ASSERT_EQ(l->warnings.size(), 1u);
  EXPECT_EQ(l->warnings[0].rule, "WBXML 1.3 §5.4");
  for (std::uint8_t v : {0x01, 0x02, 0x03}) {
    Bytes ok = WbxmlWriter().Header(v, 0x0B).Tag(0x05, false, false).Take();
    EXPECT_TRUE(DecodeWbxml(ok).ok()) << int(v);
  }
}

TEST(Wbxml, UnknownPublicIdNeedsForcedLanguage) {
  Bytes b = WbxmlWriter().Header(0x03, 0x7777).Tag(0x05, false, false).Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 1u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.5");
  WbxmlDecodeOptions forced;
  forced.language = &ProvLanguage();
  auto f = DecodeWbxml(b, forced);
  ASSERT_TRUE(f.ok());
  EXPECT_THAT(Root(*f), HasSubstr("<wap-provisioningdoc/>"));
}

TEST(Wbxml, PublicIdStringSelectsLanguage) {
  std::string tbl = std::string("xx\0", 3) + "-//SYNCML//DTD SyncML 1.2//EN" +
                    std::string(1, '\0');
  Bytes b = WbxmlWriter()
                .Version(3)
                .PublicIdIndex(3)
                .Charset(106)
                .StringTable(tbl)
                .Tag(0x2D, false, true)
                .Tag(0x12, false, false)
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(d->language, &SyncMlDmLanguage());
  EXPECT_EQ(d->header.public_id_string, "-//SYNCML//DTD SyncML 1.2//EN");
  EXPECT_THAT(Root(*d),
              HasSubstr("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><Final/>"));
}

TEST(Wbxml, SyncMlCodePagesMapToNamespaces) {
  Bytes b = WbxmlWriter()
                .Header(0x02, 0x1201)
                .Tag(0x2D, false, true)
                .Tag(0x1A, false, true)
                .SwitchPage(1)
                .Tag(0x13, false, true)
                .StrI("text/plain")
                .End()
                .End()
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok());
  EXPECT_THAT(Root(*d), HasSubstr("<Meta><Type xmlns=\"syncml:metinf\">"
                                  "text/plain</Type></Meta>"));
  // The encoder picks page 1 from the namespace and switches back.
  auto enc = EncodeWbxml(d->doc.get(), SyncMlDmLanguage(), [] {
    WbxmlEncodeOptions o;
    o.version = 0x02;
    return o;
  }());
  ASSERT_TRUE(enc.ok());
  EXPECT_EQ(ToHex(*enc), ToHex(b));
}

TEST(Wbxml, EntityBecomesText) {
  Bytes b = ProvHeader()
                .Tag(0x05, false, true)
                .StrI("caf")
                .Entity(0xE9)
                .Entity(0x1F600)
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(NodeText(xmlDocGetRootElement(d->doc.get())),
            "caf\xC3\xA9\xF0\x9F\x98\x80");
  Bytes bad = ProvHeader().Tag(0x05, false, true).Entity(0xD800).End().Take();
  auto e = DecodeWbxml(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().offset, 6u);
  EXPECT_EQ(e.error().rule, "WBXML 1.3 §5.8.4.3");
  EXPECT_TRUE(DecodeWbxml(bad, Lenient()).ok());
}

TEST(Wbxml, LiteralTagAndAttributeUseTheStringTable) {
  std::string tbl("vendor-tag\0x-attr\0", 18);
  Bytes b = ProvHeader(tbl)
                .Tag(0x05, false, true)
                .LiteralTag(0, true, false)
                .LiteralAttr(11)
                .StrI("v")
                .End()
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_THAT(Root(*d), HasSubstr("<vendor-tag x-attr=\"v\"/>"));
  // Not an XML name → error at the index.
  std::string badtbl("1bad\0", 5);
  Bytes bad = ProvHeader(badtbl)
                  .Tag(0x05, false, true)
                  .LiteralTag(0, false, false)
                  .End()
                  .Take();
  auto e = DecodeWbxml(bad);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().rule, "WBXML 1.3 §5.8.4.5");
  // The encoder writes unknown names as LITERAL only when asked to.
  XmlDoc x = Xml(
      "<wap-provisioningdoc><vendor-tag x-attr=\"v\"/></wap-provisioningdoc>");
  auto strict = EncodeWbxml(x.get(), ProvLanguage());
  ASSERT_FALSE(strict.ok());
  EXPECT_EQ(strict.error().path, "/wap-provisioningdoc/vendor-tag");
  WbxmlEncodeOptions lit;
  lit.literal_unknown_names = true;
  auto enc = EncodeWbxml(x.get(), ProvLanguage(), lit);
  ASSERT_TRUE(enc.ok()) << enc.error().ToString();
  auto back = DecodeWbxml(*enc);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(XmlEquivalent(back->doc.get(), x.get()));
}

TEST(Wbxml, EncoderErrorsNameTheXmlPath) {
  XmlDoc x =
      Xml("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncBody><Final foo=\"1\"/>"
          "</SyncBody></SyncML>");
  auto e = EncodeWbxml(x.get(), SyncMlDmLanguage());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().path, "/SyncML/SyncBody/Final/@foo");
  EXPECT_THAT(e.error().rule, HasSubstr("§5.8.3"));
}

TEST(Wbxml, StringTableOnAndOff) {
  XmlDoc x =
      Xml("<wap-provisioningdoc><characteristic type=\"NAPDEF\">"
          "<parm name=\"NAPID\" value=\"repeated-value\"/>"
          "<parm name=\"NAME\" value=\"repeated-value\"/>"
          "<parm name=\"NAME\" value=\"once\"/></characteristic>"
          "</wap-provisioningdoc>");
  WbxmlEncodeOptions on, off;
  off.use_string_table = false;
  auto a = EncodeWbxml(x.get(), ProvLanguage(), on);
  auto b = EncodeWbxml(x.get(), ProvLanguage(), off);
  ASSERT_TRUE(a.ok() && b.ok());
  auto ta = TokenizeWbxml(*a);
  auto tb = TokenizeWbxml(*b);
  ASSERT_TRUE(ta.ok() && tb.ok());
  EXPECT_EQ(AsString(ta->header.string_table),
            std::string("repeated-value\0", 15));
  EXPECT_TRUE(tb->header.string_table.empty());
  int strt = 0;
  for (const auto& t : ta->tokens) strt += t.kind == WbxmlTokenKind::kStrT;
  EXPECT_EQ(strt, 2);
  EXPECT_LT(a->size(), b->size());
  auto da = DecodeWbxml(*a), db = DecodeWbxml(*b);
  ASSERT_TRUE(da.ok() && db.ok());
  EXPECT_TRUE(XmlEquivalent(da->doc.get(), x.get()));
  EXPECT_TRUE(XmlEquivalent(db->doc.get(), x.get()));
}

TEST(Wbxml, PublicIdAsStringTableString) {
  XmlDoc x = Xml("<wap-provisioningdoc version=\"1.0\"/>");
  WbxmlEncodeOptions o;
  o.public_id_as_string = true;
  auto e = EncodeWbxml(x.get(), ProvLanguage(), o);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(ToHex(*e, HexCase::kUpper, " ").substr(0, 14), "03 00 00 6A 1E");
  auto d = DecodeWbxml(*e);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->header.public_id_string, "-//WAPFORUM//DTD PROV 1.0//EN");
  EXPECT_EQ(d->language, &ProvLanguage());
}

TEST(Wbxml, OpaqueRoundTripsByteExactly) {
  Bytes binary{0x00, 0xFF, 0x0D, 0x0A, ']', ']', '>'};
  Bytes b = WbxmlWriter()
                .Header(0x03, 0x1201)
                .Tag(0x2D, false, true)
                .Tag(0x0F, false, true)
                .Opaque(binary)
                .End()
                .Tag(0x0F, false, true)
                .Opaque(AsBytes("BEGIN:VCARD\nEND"))
                .End()
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  std::string xml = Root(*d);
  EXPECT_THAT(xml, HasSubstr("<wbxml:opaque xmlns:wbxml=\"urn:omaiop:wbxml\">"
                             "AP8NCl1dPg==</wbxml:opaque>"));
  EXPECT_THAT(xml, HasSubstr("<Data><![CDATA[BEGIN:VCARD\nEND]]></Data>"));
  // Through XML text and back: the same bytes.
  auto reparsed = ParseXml(SerializeXml(d->doc.get(), false));
  ASSERT_TRUE(reparsed.ok());
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  auto enc = EncodeWbxml(reparsed->get(), SyncMlDmLanguage(), o);
  ASSERT_TRUE(enc.ok()) << enc.error().ToString();
  EXPECT_EQ(ToHex(*enc), ToHex(b));
}

TEST(Wbxml, EmbeddedTndsIsDecodedInPlaceAndReEmbedded) {
  XmlDoc tnds =
      Xml("<MgmtTree xmlns=\"syncml:dmddf1.2\"><VerDTD>1.2</VerDTD><Node>"
          "<NodeName>X</NodeName><Value>1</Value></Node></MgmtTree>");
  auto inner = EncodeWbxml(tnds.get(), TndsLanguage());
  ASSERT_TRUE(inner.ok()) << inner.error().ToString();
  // Header: publicid 0 + index 0 → "-//OMA//DTD-DM-DDF 1.2//EN"; body starts
  // on page 2.
  EXPECT_EQ((*inner)[1], 0x00);
  Bytes outer = WbxmlWriter()
                    .Header(0x03, 0x1201)
                    .Tag(0x2D, false, true)
                    .Tag(0x0F, false, true)
                    .Opaque(*inner)
                    .End()
                    .End()
                    .Take();
  auto d = DecodeWbxml(outer);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_THAT(Root(*d), HasSubstr("<Data><MgmtTree xmlns=\"syncml:dmddf1.2\">"
                                  "<VerDTD>1.2</VerDTD>"));
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  auto again = EncodeWbxml(d->doc.get(), SyncMlDmLanguage(), o);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(ToHex(*again), ToHex(outer));
  // Inline alternative: the same tree on code page 2 of the outer document.
  o.embed_foreign_roots = false;
  auto inl = EncodeWbxml(d->doc.get(), SyncMlDmLanguage(), o);
  ASSERT_TRUE(inl.ok());
  EXPECT_THAT(ToHex(*inl), HasSubstr("4F000260"));  // Data, SWITCH 2, MgmtTree
  auto d2 = DecodeWbxml(*inl);
  ASSERT_TRUE(d2.ok());
  EXPECT_TRUE(XmlEquivalent(d2->doc.get(), d->doc.get()));
  // With decode_embedded off the OPAQUE stays opaque.
  WbxmlDecodeOptions keep;
  keep.decode_embedded = false;
  auto d3 = DecodeWbxml(outer, keep);
  ASSERT_TRUE(d3.ok());
  EXPECT_THAT(Root(*d3), HasSubstr("wbxml:opaque"));
}

TEST(Wbxml, WlanTokensAndUncertainEncaps) {
  XmlDoc x =
      Xml("<wap-provisioningdoc><characteristic type=\"WLAN\">"
          "<parm name=\"PRI-SSID\" value=\"net\"/><parm name=\"ENCAPS\" "
          "value=\"1\"/>"
          "</characteristic></wap-provisioningdoc>");
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  auto e = EncodeWbxml(x.get(), ProvLanguage(ProvVersion::k11Wlan), o);
  ASSERT_TRUE(e.ok());
  // type=WLAN 0x5A and PRI-SSID 0x3E on page 1; ENCAPS as name= + string.
  EXPECT_THAT(ToHex(*e), HasSubstr("C600015A01"));
  EXPECT_THAT(ToHex(*e), HasSubstr("873E06036E657400"));
  EXPECT_THAT(ToHex(*e), HasSubstr("870503454E4341505300"));
  WbxmlDecodeOptions d;
  d.language = &ProvLanguage(ProvVersion::k11Wlan);
  auto back = DecodeWbxml(*e, d);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(XmlEquivalent(back->doc.get(), x.get()));
}

TEST(Wbxml, NonUtf8StringIsErrorOrReplaced) {
  Bytes b = ProvHeader().Tag(0x05, false, true).StrI("a\xFF").End().Take();
  auto d = DecodeWbxml(b);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 6u);
  EXPECT_EQ(d.error().rule, "WBXML 1.3 §5.6");
  auto l = DecodeWbxml(b, Lenient());
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(NodeText(xmlDocGetRootElement(l->doc.get())), "a\xEF\xBF\xBD");
}

TEST(Wbxml, Latin1CharsetIsConverted) {
  Bytes b = WbxmlWriter()
                .Header(0x03, 0x0B, 4)
                .Tag(0x05, false, true)
                .StrI("caf\xE9")
                .End()
                .Take();
  auto d = DecodeWbxml(b);
  ASSERT_TRUE(d.ok()) << d.error().ToString();
  EXPECT_EQ(NodeText(xmlDocGetRootElement(d->doc.get())), "caf\xC3\xA9");
  Bytes ascii = WbxmlWriter()
                    .Header(0x03, 0x0B, 3)
                    .Tag(0x05, false, true)
                    .StrI("caf\xC3\xA9")
                    .End()
                    .Take();
  auto a = DecodeWbxml(ascii);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(a.error().offset, 6u);
  EXPECT_THAT(a.error().what, HasSubstr("US-ASCII"));
  Bytes sjis =
      WbxmlWriter().Header(0x03, 0x0B, 17).Tag(0x05, false, false).Take();
  auto e = DecodeWbxml(sjis);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().offset, 2u);
  EXPECT_EQ(e.error().rule, "WBXML 1.3 §5.6");
}

TEST(Wbxml, GrammarErrors) {
  // No root element.
  auto a = DecodeWbxml(ProvHeader().Take());
  ASSERT_FALSE(a.ok());
  EXPECT_THAT(a.error().what, HasSubstr("no root element"));
  // Text before the root.
  auto b = DecodeWbxml(ProvHeader().StrI("x").Take());
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error().offset, 4u);
  // Stray END.
  auto c = DecodeWbxml(ProvHeader().End().Take());
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error().rule, "WBXML 1.3 §5.8.4.7.2");
  // Attribute value before any attribute start.
  auto d = DecodeWbxml(
      ProvHeader().Tag(0x05, true, false).AttrValue(0x85).End().Take());
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 5u);
  // Extension tokens are undefined in our languages.
  auto e =
      DecodeWbxml(ProvHeader().Tag(0x05, false, true).Byte(0xC0).End().Take());
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.error().rule, "WBXML 1.3 §5.8.4.2");
  EXPECT_TRUE(
      DecodeWbxml(ProvHeader().Tag(0x05, false, true).Byte(0xC0).End().Take(),
                  Lenient())
          .ok());
  // OPAQUE length past the end.
  auto f = DecodeWbxml(
      ProvHeader().Tag(0x05, false, true).Byte(0xC3).Byte(50).Take());
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.error().offset, 6u);
  EXPECT_EQ(f.error().rule, "WBXML 1.3 §5.8.4.6");
}

TEST(Wbxml, DeepNestingIsBounded) {
  WbxmlWriter w = ProvHeader();
  for (int i = 0; i < 100000; ++i) w.Tag(0x06, false, true);
  auto d = DecodeWbxml(w.bytes());
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().what, HasSubstr("deeper than 256"));
  EXPECT_EQ(d.error().offset, 4u + 256u);
}

TEST(Wbxml, StringTableAmplificationIsBounded) {
  std::string tbl(1000, 'a');
  tbl += '\0';
  WbxmlWriter w = ProvHeader(tbl);
  w.Tag(0x05, false, true);
  for (int i = 0; i < 2000; ++i) w.StrT(0);
  w.End();
  WbxmlDecodeOptions o;
  o.max_table_text = 1000000;
  auto d = DecodeWbxml(w.bytes(), o);
  ASSERT_FALSE(d.ok());
  EXPECT_THAT(d.error().what, HasSubstr("more than 1000000"));
  // The 1001st reference (03 0B 6A, 2-octet length, table, root tag, then
  // 2 octets per STR_T) crosses the limit.
  EXPECT_EQ(d.error().offset, 3u + 2u + 1001u + 1u + 1000u * 2u);
}

TEST(Wbxml, BaseOffsetShiftsEveryOffset) {
  Bytes b =
      ProvHeader().Tag(0x05, false, true).Tag(0x3F, false, false).End().Take();
  auto d = DecodeWbxml(b, {}, 100);
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().offset, 105u);
  auto t = TokenizeWbxml(ProvHeader().Tag(0x05, false, false).Take(), {}, 100);
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->tokens[0].offset, 104u);
  EXPECT_EQ(t->header.body_offset, 104u);
}

TEST(Wbxml, DescribeShowsHeaderAndTokenTree) {
  Bytes b = ProvHeader(std::string_view("NAP1\0", 5))
                .Tag(0x05, true, true)
                .AttrStart(0x46)
                .End()
                .Tag(0x06, true, false)
                .AttrStart(0x55)
                .End()
                .End()
                .Take();
  ProtoNode n = DescribeWbxml(b);
  EXPECT_EQ(n.name, "WBXML");
  EXPECT_EQ(n.value, "PROV 1.1");
  ASSERT_NE(n.Find("Version"), nullptr);
  EXPECT_EQ(n.Find("Version")->value, "0x03 (WBXML 1.3)");
  EXPECT_EQ(n.Find("Public ID")->value, "0x0B");
  EXPECT_EQ(n.Find("Charset")->value, "106 (UTF-8)");
  ASSERT_EQ(n.Find("String table")->children.size(), 1u);
  EXPECT_EQ(n.Find("String table")->children[0].value, "NAP1");
  const ProtoNode* body = n.Find("Body");
  ASSERT_NE(body, nullptr);
  EXPECT_EQ(body->offset, 9u);
  ASSERT_EQ(body->children.size(), 1u);  // the root tag holds the rest
  const ProtoNode& root = body->children[0];
  EXPECT_EQ(root.value, "tag <wap-provisioningdoc> +attributes +content");
  EXPECT_EQ(root.offset, 9u);
  ASSERT_GE(root.children.size(), 4u);
  EXPECT_EQ(root.children[0].value, "attribute version=1.0");
  // <characteristic> has attributes only: they nest under it.
  ASSERT_EQ(root.children[2].children.size(), 2u);
  EXPECT_EQ(root.children[2].children[0].value, "attribute type=NAPDEF");
  EXPECT_EQ(root.children[3].value, "END </wap-provisioningdoc>");
  EXPECT_EQ(n.length, b.size());
  // Malformed input: a note, not a crash.
  ProtoNode bad = DescribeWbxml(Bytes{0x03, 0x8B});
  ASSERT_EQ(bad.notes.size(), 1u);
  EXPECT_EQ(bad.notes[0].offset, 1u);
}

TEST(Wbxml, TokensCarryOffsetLengthPageAndMeaning) {
  std::string tbl("ab\0", 3);
  Bytes b = ProvHeader(tbl)
                .Tag(0x05, false, true)
                .StrI("xyz")
                .StrT(0)
                .Opaque(Bytes{1, 2})
                .SwitchPage(1)
                .Tag(0x06, false, false)
                .End()
                .Take();
  auto t = TokenizeWbxml(b);
  ASSERT_TRUE(t.ok()) << t.error().ToString();
  const auto& k = t->tokens;
  ASSERT_EQ(k.size(), 7u);
  // 03 0B 6A 03 'ab\0' → body at 7.
  EXPECT_EQ(k[0].offset, 7u);
  EXPECT_EQ(k[0].meaning, "tag <wap-provisioningdoc> +content");
  EXPECT_EQ(k[1].kind, WbxmlTokenKind::kStrI);
  EXPECT_EQ(k[1].offset, 8u);
  EXPECT_EQ(k[1].length, 5u);
  EXPECT_EQ(k[1].meaning, "STR_I \"xyz\"");
  EXPECT_EQ(k[2].kind, WbxmlTokenKind::kStrT);
  EXPECT_EQ(k[2].length, 2u);
  EXPECT_EQ(k[2].text, "ab");
  EXPECT_EQ(k[3].kind, WbxmlTokenKind::kOpaque);
  EXPECT_EQ(k[3].length, 4u);
  EXPECT_EQ(ToHex(k[3].data), "0102");
  EXPECT_EQ(k[4].kind, WbxmlTokenKind::kSwitchPage);
  EXPECT_EQ(k[4].number, 1u);
  EXPECT_EQ(k[5].name, "characteristic");
  EXPECT_EQ(k[5].page, 1);
  EXPECT_EQ(k[5].depth, 1);
  EXPECT_EQ(k[6].kind, WbxmlTokenKind::kEnd);
  EXPECT_EQ(k[6].depth, 0);
  EXPECT_EQ(k[6].offset + k[6].length, b.size());
}

TEST(Wbxml, WriterProducesExactBytes) {
  Bytes b = WbxmlWriter()
                .Version(3)
                .PublicIdIndex(2)
                .Charset(106)
                .StringTable("ab")
                .SwitchPage(1)
                .Tag(0x06, true, true)
                .LiteralTag(300, false, false)
                .StrT(128)
                .Entity(0xE9)
                .Opaque(AsBytes("x"))
                .End()
                .Take();
  EXPECT_EQ(
      ToHex(b, HexCase::kUpper, " "),
      "03 00 02 6A 02 61 62 00 01 C6 04 82 2C 83 81 00 02 81 69 C3 01 78 01");
}

}  // namespace
}  // namespace omaiop::codec
