#include "sim/handset/dm/client_defects.h"

#include <gtest/gtest.h>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"

namespace omaiop::sim::handset::dm {
namespace {

using codec::Command;
using codec::CommandType;

// A package 3 as a client answers a Get and a Replace.
codec::SyncMlMessage Package3() {
  codec::SyncMlMessage m;
  m.hdr.session_id = "1";
  m.hdr.msg_id = "2";
  m.hdr.target.loc_uri = "http://dms.example/dm";
  m.hdr.source.loc_uri = "IMEI:1";
  m.hdr.cred = codec::Cred{codec::Meta{}, "QUFBQUFBQUFBQUFBQUFBQQ=="};
  auto status = [](std::string ref, std::string cmd, std::string code) {
    Command c;
    c.type = CommandType::kStatus;
    c.msg_ref = "1";
    c.cmd_ref = std::move(ref);
    c.cmd = std::move(cmd);
    c.data = std::move(code);
    return c;
  };
  m.body.commands.push_back(status("0", "SyncHdr", "212"));
  m.body.commands.push_back(status("2", "Get", "200"));
  Command results;
  results.type = CommandType::kResults;
  results.msg_ref = "1";
  results.cmd_ref = "2";
  codec::Item item;
  item.source = codec::LocInfo{"./DevInfo/DevId", {}};
  item.data = codec::DataValue::Text("IMEI:1");
  results.items.push_back(item);
  m.body.commands.push_back(results);
  m.body.commands.push_back(status("3", "Replace", "500"));
  m.body.final = true;
  int id = 0;
  for (auto& c : m.body.commands) c.cmd_id = std::to_string(++id);
  return m;
}

int CodeOf(const codec::SyncMlMessage& m, std::string_view cmd) {
  for (const auto& c : m.body.commands)
    if (c.type == CommandType::kStatus && c.cmd == cmd)
      return c.Code().value_or(-1);
  return 0;  // no such Status
}

TEST(DmClientDefects, NamesAreUniqueAndFound) {
  std::set<std::string_view> names;
  for (const auto& d : AllDmClientDefects()) {
    EXPECT_TRUE(names.insert(d.name).second) << d.name;
    EXPECT_EQ(DmClientDefectByName(d.name), d.id);
    EXPECT_EQ(DefectInfoOf(d.id).name, d.name);
    EXPECT_FALSE(d.rule.empty());
  }
  EXPECT_FALSE(DmClientDefectByName("wrong-digest"));  // a server fault
}

TEST(DmClientDefects, WrongCodeChangesEveryCommandStatusNotSyncHdr) {
  auto m = Package3();
  const DmClientDefectId d[] = {DmClientDefectId::kStatusWrongCode};
  auto applied = ApplyDmClientDefects(d, m);
  EXPECT_EQ(applied.size(), 2u);
  EXPECT_EQ(CodeOf(m, "SyncHdr"), 212);
  EXPECT_EQ(CodeOf(m, "Get"), 500);
  EXPECT_EQ(CodeOf(m, "Replace"), 200);
}

TEST(DmClientDefects, MissingDropsTheLastCommandStatus) {
  auto m = Package3();
  const DmClientDefectId d[] = {DmClientDefectId::kStatusMissing};
  ASSERT_EQ(ApplyDmClientDefects(d, m).size(), 1u);
  EXPECT_EQ(CodeOf(m, "Replace"), 0);
  EXPECT_EQ(CodeOf(m, "Get"), 200);
  EXPECT_EQ(m.body.commands.size(), 3u);
}

TEST(DmClientDefects, ResultsAndSessionIdAndDigest) {
  auto m = Package3();
  const DmClientDefectId d[] = {DmClientDefectId::kResultsMissing,
                                DmClientDefectId::kSessionIdMismatch,
                                DmClientDefectId::kBadDigest};
  EXPECT_EQ(ApplyDmClientDefects(d, m).size(), 3u);
  for (const auto& c : m.body.commands)
    EXPECT_NE(c.type, CommandType::kResults);
  EXPECT_EQ(m.hdr.session_id, "19");
  EXPECT_EQ(m.hdr.cred->data, "AUFBQUFBQUFBQUFBQUFBQQ==");
}

TEST(DmClientDefects, SessionIdOfPackage1IsKept) {
  codec::ClientPackage1 p;
  p.session_id = "7";
  p.server_uri = "http://x/";
  p.device_id = "IMEI:1";
  auto m = codec::BuildClientPackage1(p);
  const DmClientDefectId d[] = {DmClientDefectId::kSessionIdMismatch};
  EXPECT_TRUE(ApplyDmClientDefects(d, m).empty());
  EXPECT_EQ(m.hdr.session_id, "7");
}

TEST(DmClientDefects, BodyRoundTripsWbxmlAndXml) {
  const auto m = Package3();
  const DmClientDefectId d[] = {DmClientDefectId::kStatusWrongCode};
  auto xml = ApplyDmClientDefectsToBody(d, "application/vnd.syncml.dm+xml",
                                        codec::SyncMlToXml(m));
  ASSERT_EQ(xml.applied.size(), 2u);
  auto back = codec::SyncMlFromXml(xml.body);
  ASSERT_TRUE(back.ok()) << back.error().ToString();
  EXPECT_EQ(CodeOf(*back, "Get"), 500);

  auto doc = codec::SyncMlToXmlDoc(m);
  auto wb = codec::EncodeWbxml(doc.get(), codec::SyncMlDmLanguage());
  ASSERT_TRUE(wb.ok());
  auto w = ApplyDmClientDefectsToBody(d, "application/vnd.syncml.dm+wbxml",
                                      codec::AsString(*wb));
  ASSERT_EQ(w.applied.size(), 2u);
  auto dec = codec::DecodeWbxml(codec::AsBytes(w.body));
  ASSERT_TRUE(dec.ok());
  auto wm = codec::SyncMlFromXmlDoc(dec->doc.get());
  ASSERT_TRUE(wm.ok());
  EXPECT_EQ(CodeOf(*wm, "Get"), 500);

  // Undecodable bodies pass through untouched.
  auto junk = ApplyDmClientDefectsToBody(d, "application/vnd.syncml.dm+xml",
                                         "<not-syncml");
  EXPECT_EQ(junk.body, "<not-syncml");
  EXPECT_TRUE(junk.applied.empty());
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
