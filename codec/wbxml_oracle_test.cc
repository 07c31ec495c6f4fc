// Oracle tests of the WBXML codec against libwbxml2 (an independent
// implementation, linked through its C API) and against the fixture binaries
// libwbxml2's xml2wbxml produced (fixtures/wbxml/make_fixtures.sh).
//
// Documented normalisations before comparing XML:
//  - libwbxml rewrites the SyncML <Type> text
//  "application/vnd.syncml.dmtnds+xml"
//    to "...+wbxml" when it embeds a TNDS document as OPAQUE, and back when it
//    decodes; omaiop keeps the bytes as sent. We map "+wbxml" to "+xml" in
//    <Type> on both sides.
//  - libwbxml's output carries a DOCTYPE and xmlns attributes; XmlEquivalent
//    compares namespace URIs (not xmlns attributes) and ignores the DOCTYPE.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <wbxml/wbxml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "codec/wbxml.h"
#include "tests/test_util.h"

namespace omaiop::codec {
namespace {

namespace fs = std::filesystem;

fs::path Fixtures() { return fs::path(OMAIOP_SOURCE_DIR) / "fixtures"; }

std::vector<fs::path> Files(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ext) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// libwbxml2: WBXML → XML text.
Result<std::string> LibWbxmlToXml(ByteView wbxml) {
  WBXMLConvWBXML2XML* conv = nullptr;
  if (wbxml_conv_wbxml2xml_create(&conv) != WBXML_OK)
    return Error("libwbxml: create failed", 0, "libwbxml");
  wbxml_conv_wbxml2xml_set_gen_type(conv, WBXML_GEN_XML_INDENT);
  WB_UTINY* xml = nullptr;
  WB_ULONG len = 0;
  Bytes copy(wbxml.begin(), wbxml.end());
  WBXMLError err = wbxml_conv_wbxml2xml_run(
      conv, copy.data(), static_cast<WB_ULONG>(copy.size()), &xml, &len);
  wbxml_conv_wbxml2xml_destroy(conv);
  if (err != WBXML_OK) {
    return Error(std::string("libwbxml wbxml2xml: ") +
                     reinterpret_cast<const char*>(wbxml_errors_string(err)),
                 0, "libwbxml");
  }
  std::string out(reinterpret_cast<char*>(xml), len);
  std::free(xml);
  return out;
}

// libwbxml2: XML text → WBXML.
Result<Bytes> LibXmlToWbxml(const std::string& xml, bool string_table) {
  WBXMLConvXML2WBXML* conv = nullptr;
  if (wbxml_conv_xml2wbxml_create(&conv) != WBXML_OK)
    return Error("libwbxml: create failed", 0, "libwbxml");
  wbxml_conv_xml2wbxml_set_version(conv, WBXML_VERSION_13);
  if (!string_table) wbxml_conv_xml2wbxml_disable_string_table(conv);
  WB_UTINY* out = nullptr;
  WB_ULONG len = 0;
  std::string copy = xml;
  WBXMLError err =
      wbxml_conv_xml2wbxml_run(conv, reinterpret_cast<WB_UTINY*>(copy.data()),
                               static_cast<WB_ULONG>(copy.size()), &out, &len);
  wbxml_conv_xml2wbxml_destroy(conv);
  if (err != WBXML_OK) {
    return Error(std::string("libwbxml xml2wbxml: ") +
                     reinterpret_cast<const char*>(wbxml_errors_string(err)),
                 0, "libwbxml");
  }
  Bytes b(out, out + len);
  std::free(out);
  return b;
}

// The documented normalisation (see the file comment).
void Normalise(xmlNode* n) {
  for (; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && NodeName(n) == "Type" &&
        NodeText(n) == "application/vnd.syncml.dmtnds+wbxml") {
      xmlNodeSetContent(n, reinterpret_cast<const xmlChar*>(
                               "application/vnd.syncml.dmtnds+xml"));
    }
    Normalise(n->children);
  }
}

// The inverse, for XML that is about to be sent with an embedded WBXML TNDS
// document: the Meta Type must then say "+wbxml" (libwbxml decodes OPAQUE
// <Data> as a nested document only for that type).
void MarkTndsAsWbxml(xmlNode* n) {
  for (; n; n = n->next) {
    if (n->type == XML_ELEMENT_NODE && NodeName(n) == "Type" &&
        NodeText(n) == "application/vnd.syncml.dmtnds+xml") {
      xmlNodeSetContent(n, reinterpret_cast<const xmlChar*>(
                               "application/vnd.syncml.dmtnds+wbxml"));
    }
    MarkTndsAsWbxml(n->children);
  }
}

XmlDoc ParseOrDie(const std::string& text) {
  auto d = ParseXml(text);
  EXPECT_TRUE(d.ok()) << d.error().ToString() << "\n" << text;
  if (!d.ok())
    return XmlDoc(xmlNewDoc(reinterpret_cast<const xmlChar*>("1.0")));
  Normalise(xmlDocGetRootElement(d->get()));
  return std::move(*d);
}

XmlDoc ParseFile(const fs::path& p) {
  Bytes b = omaiop::testing::ReadFileBytes(p);
  return ParseOrDie(AsString(b));
}

// fixtures/wbxml/cp_napdef.nostr.wbxml → fixtures/cp/napdef.xml
fs::path SourceOf(const fs::path& wbxml) {
  std::string stem = wbxml.filename().string();
  stem = stem.substr(0, stem.find('.'));
  std::string dir = stem.substr(0, 2);
  return Fixtures() / dir / (stem.substr(3) + ".xml");
}

const WbxmlLanguage& LanguageOfSource(const xmlDoc* d) {
  const xmlNode* root = xmlDocGetRootElement(const_cast<xmlDoc*>(d));
  const WbxmlLanguage* l = LanguageForRootElement(NodeName(root));
  return l ? *l : ProvLanguage();
}

std::vector<fs::path> SourceXmls() {
  auto out = Files(Fixtures() / "cp", ".xml");
  auto dm = Files(Fixtures() / "dm", ".xml");
  out.insert(out.end(), dm.begin(), dm.end());
  return out;
}

TEST(WbxmlOracle, FixtureBinariesExistForEverySource) {
  auto bins = Files(Fixtures() / "wbxml", ".wbxml");
  ASSERT_GE(bins.size(), 10u) << "run fixtures/wbxml/make_fixtures.sh";
  for (const auto& src : SourceXmls()) {
    std::string prefix = src.parent_path().filename().string() + "_" +
                         src.stem().string() + ".wbxml";
    EXPECT_TRUE(fs::exists(Fixtures() / "wbxml" / prefix)) << prefix;
  }
  EXPECT_GE(Files(Fixtures() / "cp", ".xml").size(), 6u);
  EXPECT_GE(Files(Fixtures() / "dm", ".xml").size(), 4u);
}

// Every xml2wbxml binary decodes, with omaiop and with libwbxml2, to XML
// equivalent to each other and to the fixture it was made from.
TEST(WbxmlOracle, FixtureBinariesDecodeLikeLibwbxmlAndSource) {
  for (const auto& bin : Files(Fixtures() / "wbxml", ".wbxml")) {
    SCOPED_TRACE(bin.filename().string());
    Bytes b = omaiop::testing::ReadFileBytes(bin);
    auto ours = DecodeWbxml(b);
    ASSERT_TRUE(ours.ok()) << ours.error().ToString();
    EXPECT_TRUE(ours->warnings.empty());
    Normalise(xmlDocGetRootElement(ours->doc.get()));
    auto theirs_text = LibWbxmlToXml(b);
    ASSERT_TRUE(theirs_text.ok()) << theirs_text.error().ToString();
    XmlDoc theirs = ParseOrDie(*theirs_text);
    XmlDoc source = ParseFile(SourceOf(bin));
    std::string diff;
    EXPECT_TRUE(XmlEquivalent(ours->doc.get(), theirs.get(), &diff))
        << diff << "\nours:\n"
        << SerializeXml(ours->doc.get()) << "\nlibwbxml:\n"
        << *theirs_text;
    EXPECT_TRUE(XmlEquivalent(ours->doc.get(), source.get(), &diff)) << diff;
  }
}

struct EncodeCase {
  const char* name;
  WbxmlEncodeOptions options;
};

std::vector<EncodeCase> EncodeCases() {
  std::vector<EncodeCase> v;
  v.push_back({"default", {}});
  WbxmlEncodeOptions no_table;
  no_table.use_string_table = false;
  v.push_back({"no string table", no_table});
  WbxmlEncodeOptions pid_string;
  pid_string.public_id_as_string = true;
  v.push_back({"public id as string", pid_string});
  WbxmlEncodeOptions v11;
  v11.version = 0x01;
  v11.tokenize_attribute_values = false;
  v.push_back({"WBXML 1.1, no value tokens", v11});
  return v;
}

// What omaiop encodes, libwbxml2 decodes to XML equivalent to the source.
TEST(WbxmlOracle, OurEncodingDecodesWithLibwbxml) {
  for (const auto& src : SourceXmls()) {
    XmlDoc doc = ParseFile(src);
    XmlDoc to_send(xmlCopyDoc(doc.get(), 1));
    MarkTndsAsWbxml(xmlDocGetRootElement(to_send.get()));
    for (const auto& c : EncodeCases()) {
      SCOPED_TRACE(src.filename().string() + " / " + c.name);
      auto enc =
          EncodeWbxml(to_send.get(), LanguageOfSource(doc.get()), c.options);
      ASSERT_TRUE(enc.ok()) << enc.error().ToString();
      auto text = LibWbxmlToXml(*enc);
      ASSERT_TRUE(text.ok()) << text.error().ToString() << "\n"
                             << ToHex(*enc, HexCase::kUpper, " ");
      XmlDoc theirs = ParseOrDie(*text);
      std::string diff;
      EXPECT_TRUE(XmlEquivalent(theirs.get(), doc.get(), &diff)) << diff << "\n"
                                                                 << *text;
    }
  }
}

// decode(encode(x)) ≡ x, and re-encoding the decoded DOM gives the same bytes.
TEST(WbxmlOracle, OurRoundTripIsEquivalentAndByteStable) {
  for (const auto& src : SourceXmls()) {
    XmlDoc doc = ParseFile(src);
    std::vector<const WbxmlLanguage*> langs{&LanguageOfSource(doc.get())};
    if (src.stem() == "wlan")
      langs.push_back(&ProvLanguage(ProvVersion::k11Wlan));
    if (src.stem() == "cp10_only")
      langs.push_back(&ProvLanguage(ProvVersion::k10));
    for (const WbxmlLanguage* lang : langs) {
      for (auto c : EncodeCases()) {
        for (bool embed : {true, false}) {
          c.options.embed_foreign_roots = embed;
          SCOPED_TRACE(src.filename().string() + " / " + lang->name() + " / " +
                       c.name + (embed ? " / embed" : " / inline"));
          auto enc = EncodeWbxml(doc.get(), *lang, c.options);
          ASSERT_TRUE(enc.ok()) << enc.error().ToString();
          WbxmlDecodeOptions dopt;
          dopt.language = lang;
          auto dec = DecodeWbxml(*enc, dopt);
          ASSERT_TRUE(dec.ok()) << dec.error().ToString();
          EXPECT_EQ(dec->header.version, c.options.version);
          std::string diff;
          EXPECT_TRUE(XmlEquivalent(dec->doc.get(), doc.get(), &diff)) << diff;
          auto again = EncodeWbxml(dec->doc.get(), *lang, c.options);
          ASSERT_TRUE(again.ok()) << again.error().ToString();
          EXPECT_EQ(ToHex(*again), ToHex(*enc));
        }
      }
    }
  }
}

// libwbxml2 encodes in-process (string table on and off); omaiop decodes the
// result to XML equivalent to the source.
TEST(WbxmlOracle, LibwbxmlEncodingDecodesWithOurs) {
  for (const auto& src : SourceXmls()) {
    Bytes text = omaiop::testing::ReadFileBytes(src);
    XmlDoc source = ParseOrDie(AsString(text));
    for (bool table : {true, false}) {
      SCOPED_TRACE(src.filename().string() +
                   (table ? " strtbl" : " no strtbl"));
      auto enc = LibXmlToWbxml(AsString(text), table);
      ASSERT_TRUE(enc.ok()) << enc.error().ToString();
      auto ours = DecodeWbxml(*enc);
      ASSERT_TRUE(ours.ok()) << ours.error().ToString();
      Normalise(xmlDocGetRootElement(ours->doc.get()));
      std::string diff;
      EXPECT_TRUE(XmlEquivalent(ours->doc.get(), source.get(), &diff)) << diff;
    }
  }
}

// ----- byte-level checks against cp.md §1.3 / Kannel examples -----

XmlDoc Xml(const char* text) {
  auto d = ParseXml(text);
  EXPECT_TRUE(d.ok());
  return std::move(*d);
}

TEST(WbxmlOracle, ProvApplicationSwitchesAttributePageWith0001) {
  XmlDoc d =
      Xml("<wap-provisioningdoc version=\"1.0\"><characteristic "
          "type=\"APPLICATION\">"
          "<parm name=\"APPID\" value=\"w2\"/></characteristic>"
          "<characteristic type=\"NAPDEF\"/></wap-provisioningdoc>");
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  auto enc = EncodeWbxml(d.get(), ProvLanguage(), o);
  ASSERT_TRUE(enc.ok()) << enc.error().ToString();
  // 03 0B 6A 00 | C5 46 01 | C6 00 01 55 01 | 87 36 06 03 "w2" 00 01 | 01 |
  // 86 00 00 55 01 | 01
  EXPECT_EQ(ToHex(*enc, HexCase::kUpper, " "),
            "03 0B 6A 00 C5 46 01 C6 00 01 55 01 87 36 06 03 77 32 00 01 01 "
            "86 00 00 55 01 01");
}

TEST(WbxmlOracle, ProvVersionAttributeUses45Or46) {
  XmlDoc v10 = Xml("<wap-provisioningdoc version=\"1.0\"/>");
  XmlDoc v11 = Xml("<wap-provisioningdoc version=\"1.1\"/>");
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  EXPECT_EQ(ToHex(*EncodeWbxml(v10.get(), ProvLanguage(), o)),
            "030B6A00854601");
  EXPECT_EQ(ToHex(*EncodeWbxml(v11.get(), ProvLanguage(), o)),
            "030B6A00854503312E310001");
  // libwbxml decodes both the same way.
  for (auto* d : {&v10, &v11}) {
    auto enc = EncodeWbxml(d->get(), ProvLanguage(), o);
    auto text = LibWbxmlToXml(*enc);
    ASSERT_TRUE(text.ok());
    XmlDoc back = ParseOrDie(*text);
    EXPECT_TRUE(XmlEquivalent(back.get(), d->get()));
  }
}

TEST(WbxmlOracle, SyncMlCdataBecomesOpaqueC3) {
  XmlDoc d =
      Xml("<SyncML xmlns=\"SYNCML:SYNCML1.2\"><SyncBody><Final/></SyncBody>"
          "<Data><![CDATA[BEGIN:VCARD]]></Data></SyncML>");
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  o.version = 0x02;
  auto enc = EncodeWbxml(d.get(), SyncMlDmLanguage(), o);
  ASSERT_TRUE(enc.ok());
  // 02 A4 01 6A 00 | 6D | 6B 12 01 | 4F C3 0B "BEGIN:VCARD" 01 | 01
  EXPECT_EQ(ToHex(*enc, HexCase::kUpper, " "),
            "02 A4 01 6A 00 6D 6B 12 01 4F C3 0B 42 45 47 49 4E 3A 56 43 41 52 "
            "44 01 01");
}

TEST(WbxmlOracle, ProvCp10FixtureWithoutStringTableMatchesLibwbxmlBytes) {
  // libwbxml and omaiop choose the same tokens for a CP 1.0 document, so the
  // no-string-table encodings agree byte for byte.
  XmlDoc doc = ParseFile(Fixtures() / "cp" / "cp10_only.xml");
  WbxmlEncodeOptions o;
  o.use_string_table = false;
  auto enc = EncodeWbxml(doc.get(), ProvLanguage(ProvVersion::k10), o);
  ASSERT_TRUE(enc.ok());
  Bytes theirs = omaiop::testing::ReadFileBytes(Fixtures() / "wbxml" /
                                                "cp_cp10_only.nostr.wbxml");
  EXPECT_EQ(ToHex(*enc, HexCase::kUpper, " "),
            ToHex(theirs, HexCase::kUpper, " "));
}

// DescribeWbxml shows libwbxml's embedded TNDS document as a subtree with
// absolute offsets.
TEST(WbxmlOracle, DescribeShowsEmbeddedTndsDocument) {
  Bytes b = omaiop::testing::ReadFileBytes(Fixtures() / "wbxml" /
                                           "dm_pkg2_add_tnds.wbxml");
  ProtoNode n = DescribeWbxml(b);
  const ProtoNode* found = nullptr;
  std::vector<const ProtoNode*> todo{&n};
  while (!todo.empty() && !found) {
    const ProtoNode* p = todo.back();
    todo.pop_back();
    if (p != &n && p->name == "WBXML") found = p;
    for (const auto& c : p->children) todo.push_back(&c);
  }
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->value, "DM DDF 1.2 (TNDS)");
  EXPECT_EQ(b[found->offset], 0x02);  // the embedded version byte
  // After the OPAQUE: END Data, END Item, END Add, Final, END SyncBody,
  // END SyncML.
  EXPECT_EQ(found->offset + found->length, b.size() - 6);
}

// xml2wbxml's CP 1.0 document is pure ProvCont 1.0 (strict CP 1.0 table);
// its CP 1.1 documents switch to attribute page 1, which CP 1.0 lacks.
TEST(WbxmlOracle, Cp10TableAcceptsOnlyTheCp10Fixture) {
  WbxmlDecodeOptions k10;
  k10.language = &ProvLanguage(ProvVersion::k10);
  auto ok = DecodeWbxml(omaiop::testing::ReadFileBytes(Fixtures() / "wbxml" /
                                                       "cp_cp10_only.wbxml"),
                        k10);
  EXPECT_TRUE(ok.ok()) << ok.error().ToString();
  Bytes w2 = omaiop::testing::ReadFileBytes(Fixtures() / "wbxml" /
                                            "cp_browser_w2.wbxml");
  auto bad = DecodeWbxml(w2, k10);
  ASSERT_FALSE(bad.ok());
  ASSERT_LT(bad.error().offset, w2.size());
  EXPECT_EQ(w2[bad.error().offset], 0x00);  // the SWITCH_PAGE
  EXPECT_EQ(w2[bad.error().offset + 1], 0x01);
  EXPECT_THAT(bad.error().what, ::testing::HasSubstr("attribute code page 1"));
}

}  // namespace
}  // namespace omaiop::codec
