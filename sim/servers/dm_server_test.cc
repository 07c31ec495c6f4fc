// DmServer driven over real sockets by a scripted client written here: it
// posts canned SyncML (built with codec/syncml.h, checked by parsing the
// server's replies), so each test asserts what went over the wire.
#include "sim/servers/dm_server.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "sim/network/http_client.h"
#include "tests/test_util.h"

namespace omaiop::sim::servers {
namespace {

using codec::Command;
using codec::CommandType;
using codec::SyncMlMessage;
using network::HttpRequest;
using network::HttpResponse;

constexpr char kDevice[] = "IMEI:490154203237518";
constexpr char kServerUri[] = "https://dm.example/dm";

std::string Src(const std::string& rel) {
  return omaiop::testing::SourcePath(rel);
}

codec::ClientPackage1 Pkg1(std::string session = "1A2B") {
  codec::ClientPackage1 p;
  p.session_id = std::move(session);
  p.server_uri = kServerUri;
  p.device_id = kDevice;
  p.max_msg_size = "20000";
  p.devinfo = {{"DevId", kDevice},
               {"Man", "omaiop"},
               {"Mod", "sim"},
               {"DmV", "1.2"},
               {"Lang", "en"}};
  return p;
}

// The scripted client: posts SyncML and parses the replies.
struct Client {
  explicit Client(std::string url, bool wbxml = false,
                  network::HttpClientOptions opts = {})
      : http(std::move(opts)), url(std::move(url)), wbxml(wbxml) {}

  // Raw post of `body` with `ctype`.
  HttpResponse Post(const std::string& body, const std::string& ctype) {
    HttpRequest r;
    r.method = "POST";
    r.url = url;
    r.headers.push_back({"Content-Type", ctype});
    r.body = body;
    auto resp = http.Fetch(r);
    EXPECT_TRUE(resp.ok()) << (resp.ok() ? "" : resp.error().what);
    return resp.ok() ? *resp : HttpResponse{};
  }

  std::string Encode(const SyncMlMessage& m) {
    if (!wbxml) return codec::SyncMlToXml(m);
    auto enc = codec::EncodeWbxml(codec::SyncMlToXmlDoc(m).get(),
                                  codec::SyncMlDmLanguage());
    EXPECT_TRUE(enc.ok());
    return enc.ok() ? std::string(enc->begin(), enc->end()) : "";
  }

  std::optional<SyncMlMessage> Parse(const HttpResponse& r) {
    last = r;
    if (r.status != 200) return std::nullopt;
    if (wbxml) {
      auto d = codec::DecodeWbxml(codec::AsBytes(r.body));
      if (!d.ok()) return std::nullopt;
      auto m = codec::SyncMlFromXmlDoc(d->doc.get());
      if (!m.ok()) return std::nullopt;
      return *m;
    }
    auto m = codec::SyncMlFromXml(r.body);
    if (!m.ok()) return std::nullopt;
    return *m;
  }

  std::optional<SyncMlMessage> Send(const SyncMlMessage& m) {
    return Parse(
        Post(Encode(m), wbxml ? kDmWbxmlContentType : kDmXmlContentType));
  }

  std::optional<SyncMlMessage> SendPkg1(codec::ClientPackage1 p) {
    p.msg_id = std::to_string(++msg_id);
    SyncMlMessage m = codec::BuildClientPackage1(p);
    if (prev) {  // re-sent after a challenge: answer its SyncHdr
      m.body.commands.insert(m.body.commands.begin(),
                             codec::BuildSyncHdrStatus(prev->hdr, "99", 200));
    }
    auto r = Send(m);
    prev = r;
    return r;
  }

  // A correct answer to the server's message: Status for the SyncHdr and
  // every command (nested ones too), Results for every Get.
  SyncMlMessage Answer(const SyncMlMessage& srv, int code = 200) {
    SyncMlMessage m;
    m.hdr.session_id = srv.hdr.session_id;
    m.hdr.msg_id = std::to_string(++msg_id);
    m.hdr.target = {kServerUri, {}};
    m.hdr.source = {kDevice, {}};
    int id = 1;
    m.body.commands.push_back(
        codec::BuildSyncHdrStatus(srv.hdr, std::to_string(id++), 200));
    std::function<void(const Command&)> answer = [&](const Command& c) {
      if (c.type == CommandType::kStatus) return;
      m.body.commands.push_back(codec::BuildCommandStatus(
          srv.hdr.msg_id, c, std::to_string(id++), code));
      if (c.type == CommandType::kGet && code == 200) {
        std::vector<codec::ResultValue> vals;
        for (const auto& it : c.items)
          vals.push_back({it.target->loc_uri, codec::DataValue::Text("1.0")});
        m.body.commands.push_back(
            codec::BuildResults(srv.hdr.msg_id, c, std::to_string(id++), vals));
      }
      for (const auto& ch : c.children) answer(ch);
    };
    for (const auto& c : srv.body.commands) answer(c);
    m.body.final = true;
    return m;
  }

  network::HttpSession http;
  std::string url;
  bool wbxml;
  int msg_id = 0;
  std::optional<SyncMlMessage> prev;
  HttpResponse last;
};

DmServerConfig BaseConfig() {
  DmServerConfig c;
  c.server_uri = kServerUri;
  c.server_id = "omaiop-test";
  auto s = LoadDmScript(Src("fixtures/dm/scripts/get_replace_exec.xml"));
  EXPECT_TRUE(s.ok());
  if (s.ok()) c.script = *s;
  return c;
}

const Command* FindCmd(const SyncMlMessage& m, CommandType t) {
  for (const auto& c : m.body.commands)
    if (c.type == t) return &c;
  return nullptr;
}
const Command* HdrStatus(const SyncMlMessage& m) {
  for (const auto& c : m.body.commands)
    if (c.type == CommandType::kStatus && c.cmd == "SyncHdr") return &c;
  return nullptr;
}
std::vector<std::string> Rules(const DmSessionLog& s) {
  std::vector<std::string> r;
  for (const auto& v : s.violations) r.push_back(v.rule);
  return r;
}
bool HasRule(const DmServer& srv, const std::string& rule) {
  for (const auto& s : srv.Sessions())
    for (const auto& v : s.violations)
      if (v.rule == rule) return true;
  return false;
}
std::string AllRules(const DmServer& srv) {
  std::string out;
  for (const auto& s : srv.Sessions())
    for (const auto& v : s.violations) out += v.rule + ": " + v.evidence + "\n";
  return out;
}

// Plays a whole correct session; returns the server messages received.
std::vector<SyncMlMessage> PlaySession(Client& c) {
  std::vector<SyncMlMessage> got;
  auto m = c.SendPkg1(Pkg1());
  while (m) {
    got.push_back(*m);
    bool has_cmds = std::any_of(
        m->body.commands.begin(), m->body.commands.end(),
        [](const Command& x) { return x.type != CommandType::kStatus; });
    if (!has_cmds || got.size() > 10) break;
    m = c.Send(c.Answer(*m));
  }
  return got;
}

void RunFullSession(bool wbxml) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl() + "/dm", wbxml);
  auto got = PlaySession(c);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(network::FindHeader(c.last.headers, "Content-Type").value_or(""),
            wbxml ? kDmWbxmlContentType : kDmXmlContentType);
  // Package 2: Status(SyncHdr) 200, Status(Alert), Status(Replace), then
  // the scripted Get, Replace, Exec with fresh CmdIDs; Final.
  const auto& p2 = got[0];
  EXPECT_EQ(p2.hdr.session_id, "1A2B");
  EXPECT_EQ(p2.hdr.target.loc_uri, kDevice);
  EXPECT_EQ(p2.hdr.source.loc_uri, "omaiop-test");
  ASSERT_NE(HdrStatus(p2), nullptr);
  EXPECT_EQ(HdrStatus(p2)->Code(), 200);
  std::vector<CommandType> types;
  for (const auto& x : p2.body.commands) types.push_back(x.type);
  EXPECT_EQ(types, (std::vector<CommandType>{
                       CommandType::kStatus, CommandType::kStatus,
                       CommandType::kStatus, CommandType::kGet,
                       CommandType::kReplace, CommandType::kExec}));
  EXPECT_EQ(p2.body.commands[3].items[0].target->loc_uri, "./DevDetail/FwV");
  EXPECT_EQ(p2.body.commands[5].correlator, "fw-1");
  EXPECT_TRUE(p2.body.final);
  // Package 4: Atomic (Add, Delete) and Alert 1101.
  ASSERT_NE(FindCmd(got[1], CommandType::kAtomic), nullptr);
  EXPECT_EQ(FindCmd(got[1], CommandType::kAtomic)->children.size(), 2u);
  ASSERT_NE(FindCmd(got[1], CommandType::kAlert), nullptr);
  EXPECT_EQ(FindCmd(got[1], CommandType::kAlert)->Code(), 1101);
  EXPECT_EQ(got[1].hdr.msg_id, "2");
  // Package 6: statuses only + Final: the end.
  EXPECT_EQ(FindCmd(got[2], CommandType::kGet), nullptr);
  EXPECT_TRUE(got[2].body.final);
  EXPECT_EQ(srv.ended_sessions(), 1u);
  auto sessions = srv.Sessions();
  ASSERT_EQ(sessions.size(), 1u);
  EXPECT_TRUE(sessions[0].violations.empty()) << AllRules(srv);
  EXPECT_EQ(sessions[0].messages.size(), 6u);
  EXPECT_EQ(sessions[0].packages_sent, 2u);
  // Every logged message is decoded XML, also for WBXML.
  for (const auto& lm : sessions[0].messages) {
    EXPECT_NE(lm.xml.find("<SyncHdr>"), std::string::npos);
    EXPECT_EQ(lm.wbxml, wbxml);
    auto j = nlohmann::json::parse(lm.ToJson());
    EXPECT_EQ(j["type"], "message");
    EXPECT_EQ(j["encoding"], wbxml ? "wbxml" : "xml");
  }
}

TEST(DmServer, FullScriptedSessionXml) { RunFullSession(false); }
TEST(DmServer, FullScriptedSessionWbxml) { RunFullSession(true); }

TEST(DmServer, HttpsWithFixtureCertificate) {
  DmServerConfig cfg = BaseConfig();
  cfg.http.tls = network::TlsServerConfig{Src("fixtures/tls/server.pem"),
                                          Src("fixtures/tls/server.key")};
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  ASSERT_EQ(srv.BaseUrl().rfind("https://", 0), 0u);
  network::HttpClientOptions o;
  o.tls.ca_file = Src("fixtures/tls/ca.pem");
  Client c(srv.BaseUrl() + "/dm", false, o);
  auto got = PlaySession(c);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_TRUE(c.last.connection.tls);
  EXPECT_TRUE(c.last.connection.tls_verified)
      << c.last.connection.tls_verify_error;
  EXPECT_EQ(srv.ended_sessions(), 1u);
}

TEST(DmServer, DigestChallengeThenSuccessWithNonceRotation) {
  DmServerConfig cfg = BaseConfig();
  cfg.client_auth = DmAuthMode::kDigest;
  cfg.username = "dev";
  cfg.password = "secret";
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto r1 = c.SendPkg1(Pkg1());  // no Cred
  ASSERT_TRUE(r1);
  ASSERT_NE(HdrStatus(*r1), nullptr);
  EXPECT_EQ(HdrStatus(*r1)->Code(), 407);
  ASSERT_TRUE(HdrStatus(*r1)->chal);
  const auto& meta = HdrStatus(*r1)->chal->meta;
  EXPECT_EQ(meta.type, "syncml:auth-md5");
  EXPECT_EQ(meta.format, "b64");
  ASSERT_TRUE(meta.next_nonce);
  auto nonce = codec::DecodeNextNonce(*meta.next_nonce);
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(nonce->size(), 16u);
  EXPECT_EQ(FindCmd(*r1, CommandType::kGet), nullptr);  // nothing executed

  auto p = Pkg1();
  p.cred =
      codec::Cred{codec::Meta{}, codec::Md5Credential("dev", "secret", *nonce)};
  p.cred->meta->type = "syncml:auth-md5";
  p.cred->meta->format = "b64";
  auto r2 = c.SendPkg1(p);
  ASSERT_TRUE(r2);
  EXPECT_EQ(HdrStatus(*r2)->Code(), 212);
  ASSERT_TRUE(HdrStatus(*r2)->chal);  // the nonce for the next session
  EXPECT_NE(HdrStatus(*r2)->chal->meta.next_nonce, meta.next_nonce);
  EXPECT_NE(FindCmd(*r2, CommandType::kGet), nullptr);
  EXPECT_TRUE(srv.Sessions()[0].authenticated);
  EXPECT_TRUE(HasRule(srv, "dm.auth.missing-cred"));
  EXPECT_FALSE(HasRule(srv, "dm.auth.wrong-cred"));
}

TEST(DmServer, WrongCredentialsGet401WithFreshChalUntilGivingUp) {
  DmServerConfig cfg = BaseConfig();
  cfg.client_auth = DmAuthMode::kDigest;
  cfg.username = "dev";
  cfg.password = "secret";
  cfg.client_nonce = codec::Bytes{1, 2, 3, 4};
  cfg.max_auth_attempts = 3;
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1();
  p.cred = codec::Cred{
      codec::Meta{},
      codec::Md5Credential("dev", "WRONG", codec::Bytes{1, 2, 3, 4})};
  p.cred->meta->type = "syncml:auth-md5";
  std::optional<std::string> last_nonce;
  for (int i = 0; i < 2; ++i) {
    auto r = c.SendPkg1(p);
    ASSERT_TRUE(r);
    EXPECT_EQ(HdrStatus(*r)->Code(), 401);
    ASSERT_TRUE(HdrStatus(*r)->chal);
    EXPECT_NE(HdrStatus(*r)->chal->meta.next_nonce, last_nonce);
    last_nonce = HdrStatus(*r)->chal->meta.next_nonce;
  }
  auto r = c.SendPkg1(p);  // third failure: no more challenges
  ASSERT_TRUE(r);
  EXPECT_EQ(HdrStatus(*r)->Code(), 401);
  EXPECT_FALSE(HdrStatus(*r)->chal);
  EXPECT_EQ(srv.ended_sessions(), 1u);
  EXPECT_TRUE(HasRule(srv, "dm.auth.wrong-cred"));
}

TEST(DmServer, ClientNonceConfiguredAcceptsFirstDigest) {
  DmServerConfig cfg = BaseConfig();
  cfg.client_auth = DmAuthMode::kDigest;
  cfg.username = "dev";
  cfg.password = "secret";
  cfg.client_nonce = codec::Bytes{9, 8, 7};
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1();
  p.cred =
      codec::Cred{codec::Meta{},
                  codec::Md5Credential("dev", "secret", codec::Bytes{9, 8, 7})};
  p.cred->meta->type = "syncml:auth-md5";
  auto r = c.SendPkg1(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(HdrStatus(*r)->Code(), 212);
}

TEST(DmServer, BasicAuth) {
  DmServerConfig cfg = BaseConfig();
  cfg.client_auth = DmAuthMode::kBasic;
  cfg.username = "dev";
  cfg.password = "secret";
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1();
  p.cred = codec::Cred{codec::Meta{}, codec::BasicCredential("dev", "nope")};
  p.cred->meta->type = "syncml:auth-basic";
  auto r = c.SendPkg1(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(HdrStatus(*r)->Code(), 401);
  EXPECT_EQ(HdrStatus(*r)->chal->meta.type, "syncml:auth-basic");
  p.cred->data = codec::BasicCredential("dev", "secret");
  r = c.SendPkg1(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(HdrStatus(*r)->Code(), 212);
}

TEST(DmServer, ServerCredentialsAreAValidDigest) {
  DmServerConfig cfg = BaseConfig();
  cfg.server_cred = codec::DmAuthType::kMd5;
  cfg.server_password = "srvpwd";
  cfg.server_nonce = codec::Bytes{0xAA, 0xBB};
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto r = c.SendPkg1(Pkg1());
  ASSERT_TRUE(r && r->hdr.cred);
  EXPECT_EQ(r->hdr.cred->meta->type, "syncml:auth-md5");
  EXPECT_TRUE(codec::VerifyMd5Credential(r->hdr.cred->data, "omaiop-test",
                                         "srvpwd", codec::Bytes{0xAA, 0xBB}));
}

TEST(DmServer, HmacPerMessageWithNonceInEveryReply) {
  DmServerConfig cfg = BaseConfig();
  cfg.client_auth = DmAuthMode::kHmac;
  cfg.username = "dev";
  cfg.password = "secret";
  cfg.server_cred = codec::DmAuthType::kHmac;
  cfg.server_password = "srvpwd";
  cfg.server_nonce = {7, 7};
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1();
  p.source_name = "dev";
  auto r = c.SendPkg1(p);  // no header
  ASSERT_TRUE(r);
  EXPECT_EQ(HdrStatus(*r)->Code(), 407);
  ASSERT_TRUE(HdrStatus(*r)->chal);
  EXPECT_EQ(HdrStatus(*r)->chal->meta.type, "syncml:auth-MAC");
  // The reply is signed with the server's credentials.
  auto sh = network::FindHeader(c.last.headers, "x-syncml-hmac");
  ASSERT_TRUE(sh);
  auto parsed = codec::ParseHmacHeader(*sh);
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(codec::VerifyHmac(*parsed, "srvpwd", codec::Bytes{7, 7},
                                codec::AsBytes(c.last.body))
                  .ok());
  auto signed_post =
      [&](const SyncMlMessage& m,
          const std::string& pwd) -> std::optional<SyncMlMessage> {
    auto nonce =
        codec::DecodeNextNonce(*HdrStatus(*c.prev)->chal->meta.next_nonce);
    EXPECT_TRUE(nonce.ok());
    std::string body = codec::SyncMlToXml(m);
    codec::HmacHeader h;
    h.username = "dev";
    h.mac = codec::ComputeHmacMac("dev", pwd, *nonce, codec::AsBytes(body));
    HttpRequest req;
    req.method = "POST";
    req.url = c.url;
    req.headers = {{"Content-Type", kDmXmlContentType},
                   {"x-syncml-hmac", codec::BuildHmacHeaderValue(h)}};
    req.body = body;
    auto resp = c.http.Fetch(req);
    EXPECT_TRUE(resp.ok());
    auto out = c.Parse(*resp);
    c.prev = out;
    return out;
  };
  p.msg_id = "2";
  auto m = codec::BuildClientPackage1(p);
  m.body.commands.insert(m.body.commands.begin(),
                         codec::BuildSyncHdrStatus(r->hdr, "99", 200));
  auto r2 = signed_post(m, "secret");
  ASSERT_TRUE(r2);
  EXPECT_EQ(HdrStatus(*r2)->Code(), 200);  // not 212 with HMAC
  ASSERT_TRUE(HdrStatus(*r2)->chal);
  EXPECT_NE(HdrStatus(*r2)->chal->meta.next_nonce,
            HdrStatus(*r)->chal->meta.next_nonce);
  ASSERT_NE(FindCmd(*r2, CommandType::kGet), nullptr);
  c.msg_id = 2;
  auto a = c.Answer(*r2);
  a.hdr.source.loc_name = "dev";
  auto r3 = signed_post(a, "wrong");  // every message is checked
  ASSERT_TRUE(r3);
  EXPECT_EQ(HdrStatus(*r3)->Code(), 401);
  EXPECT_TRUE(HasRule(srv, "dm.auth.hmac-mac")) << AllRules(srv);
  EXPECT_FALSE(HasRule(srv, "dm.auth.hmac-locname")) << AllRules(srv);
}

// --- strict checks
// -------------------------------------------------------------

// Starts a session (pkg1 accepted, pkg2 received) and returns pkg2.
struct Started {
  std::unique_ptr<DmServer> srv;
  std::unique_ptr<Client> c;
  SyncMlMessage p2;
};
Started Start(DmServerConfig cfg = BaseConfig(), bool wbxml = false) {
  Started s;
  s.srv = std::make_unique<DmServer>(cfg);
  EXPECT_TRUE(s.srv->Start().ok());
  s.c = std::make_unique<Client>(s.srv->BaseUrl(), wbxml);
  auto r = s.c->SendPkg1(Pkg1());
  EXPECT_TRUE(r || !cfg.faults.empty());
  if (r) s.p2 = *r;
  return s;
}

TEST(DmServerChecks, MissingStatusForServerCommand) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  std::erase_if(a.body.commands, [](const Command& c) {
    return c.type == CommandType::kStatus && c.cmd == "Exec";
  });
  s.c->Send(a);
  EXPECT_TRUE(HasRule(*s.srv, "dm.status.missing")) << AllRules(*s.srv);
  auto v = s.srv->Sessions()[0].violations;
  auto j = nlohmann::json::parse(v[0].ToJson());
  EXPECT_EQ(j["type"], "violation");
  EXPECT_NE(j["evidence"].get<std::string>().find("Exec"), std::string::npos);
  EXPECT_FALSE(j["spec"].get<std::string>().empty());
}

TEST(DmServerChecks, MissingSyncHdrStatus) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  a.body.commands.erase(a.body.commands.begin());
  s.c->Send(a);
  ASSERT_TRUE(HasRule(*s.srv, "dm.status.missing"));
  EXPECT_NE(AllRules(*s.srv).find("SyncHdr"), std::string::npos);
}

TEST(DmServerChecks, MissingResultsForGet) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  std::erase_if(a.body.commands, [](const Command& c) {
    return c.type == CommandType::kResults;
  });
  s.c->Send(a);
  EXPECT_TRUE(HasRule(*s.srv, "dm.results.missing")) << AllRules(*s.srv);
}

TEST(DmServerChecks, WrongCmdAndCmdRefAndMsgRef) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  a.body.commands[1].cmd = "Add";     // answers the Alert? no: wrong name
  a.body.commands[2].cmd_ref = "77";  // no such command
  a.body.commands[3].msg_ref = "42";  // no such message
  s.c->Send(a);
  EXPECT_TRUE(HasRule(*s.srv, "dm.status.cmd")) << AllRules(*s.srv);
  EXPECT_TRUE(HasRule(*s.srv, "dm.status.cmdref"));
  EXPECT_TRUE(HasRule(*s.srv, "dm.status.msgref"));
}

TEST(DmServerChecks, UnexpectedStatusCodeAgainstScript) {
  auto s = Start();
  s.c->Send(s.c->Answer(s.p2, 500));
  EXPECT_TRUE(HasRule(*s.srv, "script.expect.status")) << AllRules(*s.srv);
}

TEST(DmServerChecks, WrongSessionIdMidSession) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  a.hdr.session_id = "9999";
  auto r = s.c->Send(a);
  EXPECT_TRUE(HasRule(*s.srv, "dm.hdr.session-id")) << AllRules(*s.srv);
  EXPECT_EQ(s.srv->Sessions().size(), 1u);  // tied to the running session
}

TEST(DmServerChecks, WrongMsgId) {
  auto s = Start();
  auto a = s.c->Answer(s.p2);
  a.hdr.msg_id = "5";
  s.c->Send(a);
  EXPECT_TRUE(HasRule(*s.srv, "dm.hdr.msgid")) << AllRules(*s.srv);
}

TEST(DmServerChecks, WrongVersionsAndTarget) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto m = codec::BuildClientPackage1(Pkg1());
  m.hdr.ver_dtd = "1.1";
  m.hdr.ver_proto = "DM/1.1";
  m.hdr.target.loc_uri = "http://elsewhere/";
  c.Send(m);
  EXPECT_TRUE(HasRule(srv, "dm.hdr.verdtd"));
  EXPECT_TRUE(HasRule(srv, "dm.hdr.verproto"));
  EXPECT_TRUE(HasRule(srv, "dm.hdr.target"));
}

// A message without Final is a multi-message package (dm.md §3.2), not a
// violation: the server asks for the next message with Alert 1222, and the
// statuses of its earlier package may still come in that next message.
TEST(DmServerChecks, MissingFinalGetsAlert1222) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto m = codec::BuildClientPackage1(Pkg1());
  m.body.final = false;
  auto r = c.Send(m);
  ASSERT_TRUE(r);
  EXPECT_TRUE(Rules(srv.Sessions()[0]).empty()) << AllRules(srv);
  ASSERT_NE(FindCmd(*r, CommandType::kAlert), nullptr);
  EXPECT_EQ(FindCmd(*r, CommandType::kAlert)->Code(), 1222);
  EXPECT_FALSE(r->body.final);
  EXPECT_EQ(FindCmd(*r, CommandType::kGet), nullptr);
}

TEST(DmServerChecks, StatusesMayFollowInTheNextMessageOfThePackage) {
  auto s = Start();
  SyncMlMessage a = s.c->Answer(s.p2);
  // First message: the SyncHdr status only, no Final.
  SyncMlMessage first = a;
  first.body.commands.resize(1);
  first.body.final = false;
  auto r = s.c->Send(first);
  ASSERT_TRUE(r);
  ASSERT_NE(FindCmd(*r, CommandType::kAlert), nullptr);
  EXPECT_EQ(FindCmd(*r, CommandType::kAlert)->Code(), 1222);
  // Second: the rest, answering the 1222 reply's SyncHdr too.
  SyncMlMessage second = a;
  second.hdr.msg_id = std::to_string(++s.c->msg_id);
  second.body.commands.erase(second.body.commands.begin());
  second.body.commands.insert(second.body.commands.begin(),
                              codec::BuildSyncHdrStatus(r->hdr, "90", 200));
  second.body.commands.push_back(codec::BuildCommandStatus(
      r->hdr.msg_id, *FindCmd(*r, CommandType::kAlert), "91", 200));
  r = s.c->Send(second);
  ASSERT_TRUE(r);
  EXPECT_TRUE(Rules(s.srv->Sessions()[0]).empty()) << AllRules(*s.srv);
}

// --- large objects from the client (dm.md §3.3) ---------------------------

// The answer to package 2 with the Get's Results replaced by `chunks` (one
// per message; Meta Size `size` on the first), sent message by message.
// Returns the server's reply to each message.
std::vector<SyncMlMessage> SendChunkedResults(
    Started& s, const std::vector<std::string>& chunks,
    std::optional<std::size_t> size, bool interrupt_after_first = false) {
  std::vector<SyncMlMessage> replies;
  SyncMlMessage a = s.c->Answer(s.p2);
  auto it = std::find_if(
      a.body.commands.begin(), a.body.commands.end(),
      [](const Command& c) { return c.type == CommandType::kResults; });
  EXPECT_NE(it, a.body.commands.end());
  if (it == a.body.commands.end()) return replies;
  Command results = *it;
  a.body.commands.erase(it);
  SyncMlMessage prev_reply = s.p2;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    SyncMlMessage m;
    if (i == 0) {
      m = a;  // the statuses, then the first chunk
    } else {
      m.hdr = a.hdr;
      m.hdr.msg_id = std::to_string(++s.c->msg_id);
      m.body.commands.push_back(
          codec::BuildSyncHdrStatus(prev_reply.hdr, "1", 200));
      if (const Command* alert = FindCmd(prev_reply, CommandType::kAlert))
        m.body.commands.push_back(
            codec::BuildCommandStatus(prev_reply.hdr.msg_id, *alert, "2", 200));
    }
    Command chunk = results;
    chunk.cmd_id = std::to_string(90 + i);
    codec::Item& item = chunk.items.at(0);
    item.data = codec::DataValue::Text(chunks[i]);
    item.more_data = i + 1 < chunks.size();
    if (i == 0 && size) {
      if (!item.meta) item.meta = codec::Meta{};
      item.meta->size = std::to_string(*size);
    } else if (item.meta) {
      item.meta->size.reset();
    }
    if (i == 1 && interrupt_after_first) {
      // A Replace of DevInfo instead of the next chunk.
      Command other;
      other.type = CommandType::kReplace;
      other.cmd_id = "80";
      codec::Item o;
      o.source = codec::LocInfo{"./DevInfo/Lang", {}};
      o.data = codec::DataValue::Text("fr");
      other.items.push_back(o);
      m.body.commands.push_back(other);
    } else {
      m.body.commands.push_back(chunk);
    }
    m.body.final = i + 1 == chunks.size() || (i == 1 && interrupt_after_first);
    auto r = s.c->Send(m);
    EXPECT_TRUE(r) << "message " << i;
    if (!r) break;
    prev_reply = *r;
    replies.push_back(*r);
    if (i == 1 && interrupt_after_first) break;
  }
  return replies;
}

// The Status the server gave to the client's command `cmd_id`.
std::optional<int> StatusOf(const SyncMlMessage& reply,
                            const std::string& cmd_id) {
  for (const auto& c : reply.body.commands)
    if (c.type == CommandType::kStatus && c.cmd_ref == cmd_id) return c.Code();
  return std::nullopt;
}

TEST(DmServerLargeObject, ChunksGet213ThenTheObjectIsReassembled) {
  auto s = Start();
  const std::vector<std::string> chunks = {std::string(700, 'a'),
                                           std::string(700, 'b'), "tail"};
  auto replies = SendChunkedResults(s, chunks, 1404);
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(StatusOf(replies[0], "90"), 213);
  EXPECT_EQ(StatusOf(replies[1], "91"), 213);
  EXPECT_EQ(StatusOf(replies[2], "92"), 200);
  for (int i : {0, 1}) {  // nothing else to send: Alert 1222, no Final
    ASSERT_NE(FindCmd(replies[i], CommandType::kAlert), nullptr);
    EXPECT_EQ(FindCmd(replies[i], CommandType::kAlert)->Code(), 1222);
  }
  auto log = s.srv->Sessions()[0];
  EXPECT_TRUE(log.violations.empty()) << AllRules(*s.srv);
  ASSERT_EQ(log.large_objects.size(), 1u);
  EXPECT_EQ(log.large_objects[0].data, chunks[0] + chunks[1] + chunks[2]);
  EXPECT_EQ(log.large_objects[0].chunks, 3u);
  EXPECT_EQ(log.large_objects[0].status, 200);
}

TEST(DmServerLargeObject, SizeMismatchIs424) {
  auto s = Start();
  auto replies = SendChunkedResults(s, {"abc", "def"}, 10);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(StatusOf(replies[1], "91"), 424);
  EXPECT_TRUE(HasRule(*s.srv, "dm.lo.size")) << AllRules(*s.srv);
  EXPECT_EQ(s.srv->Sessions()[0].large_objects.at(0).status, 424);
}

TEST(DmServerLargeObject, FirstChunkWithoutSizeIsAViolation) {
  auto s = Start();
  auto replies = SendChunkedResults(s, {"abc", "def"}, std::nullopt);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(HasRule(*s.srv, "dm.lo.size-missing")) << AllRules(*s.srv);
  EXPECT_EQ(s.srv->Sessions()[0].large_objects.at(0).data, "abcdef");
}

TEST(DmServerLargeObject, InterruptedObjectGetsAlert1225) {
  auto s = Start();
  auto replies = SendChunkedResults(s, {"abc", "def", "ghi"}, 9,
                                    /*interrupt_after_first=*/true);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_TRUE(HasRule(*s.srv, "dm.lo.interrupted")) << AllRules(*s.srv);
  bool alert1225 = false;
  for (const auto& c : replies[1].body.commands)
    alert1225 |= c.type == CommandType::kAlert && c.Code() == 1225;
  EXPECT_TRUE(alert1225);
}

TEST(DmServerChecks, Package1WithoutAlertOrDevInfo) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1();
  p.devinfo = {{"DevId", kDevice}};
  c.Send(codec::BuildClientPackage1(p));
  EXPECT_TRUE(HasRule(srv, "dm.pkg1.devinfo")) << AllRules(srv);
  EXPECT_NE(AllRules(srv).find("Man, Mod, DmV, Lang"), std::string::npos);
  auto p2 = Pkg1("77");
  p2.device_id = "IMEI:2";  // else it would join the first session
  auto m = codec::BuildClientPackage1(p2);
  m.body.commands.erase(m.body.commands.begin());  // drop Alert 1201
  c.Send(m);
  EXPECT_TRUE(HasRule(srv, "dm.pkg1.alert"));
}

TEST(DmServerChecks, WrongContentTypeAndMalformedBody) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto r = c.Post(codec::SyncMlToXml(codec::BuildClientPackage1(Pkg1())),
                  "text/xml");
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(HasRule(srv, "dm.http.content-type"));
  r = c.Post("<SyncML><SyncHdr>", kDmXmlContentType);
  EXPECT_EQ(r.status, 400);
  EXPECT_TRUE(HasRule(srv, "dm.parse"));
}

TEST(DmServerChecks, ClientCommandNotAllowed) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto m = codec::BuildClientPackage1(Pkg1());
  Command get;
  get.type = CommandType::kGet;
  get.cmd_id = "9";
  get.items.push_back(codec::Item{codec::LocInfo{"./X", {}}, {}, {}, {}});
  m.body.commands.push_back(get);
  c.Send(m);
  EXPECT_TRUE(HasRule(srv, "dm.body.client-command"));
}

TEST(DmServerChecks, ClientMessageOverServerMaxMsgSize) {
  DmServerConfig cfg = BaseConfig();
  cfg.max_msg_size = 600;
  auto s = Start(cfg);
  ASSERT_TRUE(s.p2.hdr.meta);
  EXPECT_EQ(s.p2.hdr.meta->max_msg_size, "600");
  EXPECT_FALSE(HasRule(*s.srv, "dm.msg.oversize"));  // pkg1 came before
  s.c->Send(s.c->Answer(s.p2));  // statuses + results: > 600 octets
  EXPECT_TRUE(HasRule(*s.srv, "dm.msg.oversize")) << AllRules(*s.srv);
}

TEST(DmServerChecks, ReplyAfterFinalPackage) {
  DmServerConfig cfg = BaseConfig();
  cfg.script.packages.resize(1);
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  Client c(srv.BaseUrl());
  auto got = PlaySession(c);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(srv.ended_sessions(), 1u);
  EXPECT_FALSE(HasRule(srv, "dm.flow.after-end"));
  c.Send(c.Answer(got[1]));
  EXPECT_TRUE(HasRule(srv, "dm.flow.after-end"));
}

TEST(DmServer, SessionIdReusedAfterEndStartsANewSession) {
  DmServerConfig cfg = BaseConfig();
  cfg.script.packages.clear();
  DmServer srv(cfg);
  ASSERT_TRUE(srv.Start().ok());
  for (int i = 0; i < 2; ++i) {
    Client c(srv.BaseUrl());
    auto r = c.SendPkg1(Pkg1());
    ASSERT_TRUE(r);
    EXPECT_EQ(r->hdr.msg_id, "1");
  }
  auto sessions = srv.Sessions();
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_EQ(srv.ended_sessions(), 2u);
  EXPECT_TRUE(sessions[0].violations.empty()) << AllRules(srv);
  EXPECT_TRUE(sessions[1].violations.empty()) << AllRules(srv);
}

// --- package 0
// -----------------------------------------------------------------

TEST(DmServer, NotificationPackage0VerifiesAndAnnouncesSession) {
  DmServer srv(BaseConfig());
  ASSERT_TRUE(srv.Start().ok());
  codec::Bytes delivered;
  Package0Options o;
  o.server_password = "srvpwd";
  o.nonce = {1, 2, 3, 4};
  o.session_id = 0x4A2;
  o.ui_mode = codec::DmUiMode::kInformative;
  srv.NotifySession(o, [&](const codec::Bytes& b) { delivered = b; });
  auto parsed = codec::ParseDmNotification(delivered);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->server_id, "omaiop-test");
  EXPECT_EQ(parsed->session_id, 0x4A2);
  EXPECT_EQ(parsed->ui_mode, codec::DmUiMode::kInformative);
  EXPECT_TRUE(codec::VerifyNotificationDigest(delivered, "omaiop-test",
                                              "srvpwd", o.nonce)
                  .ok());
  Client c(srv.BaseUrl());
  auto p = Pkg1("4A2");
  p.alert_code = codec::kAlertServerInitiated;
  c.SendPkg1(p);
  Client c2(srv.BaseUrl());
  auto q = Pkg1("4A3");
  q.alert_code = codec::kAlertServerInitiated;
  q.device_id = "IMEI:1";
  c2.SendPkg1(q);
  auto sessions = srv.Sessions();
  ASSERT_EQ(sessions.size(), 2u);
  EXPECT_TRUE(sessions[0].violations.empty()) << AllRules(srv);
  EXPECT_EQ(Rules(sessions[1]), std::vector<std::string>{"dm.pkg1.session-id"});
}

// --- script
// ----------------------------------------------------------------------

TEST(DmScript, ParsesFixtureAndRejectsBadScripts) {
  auto s = LoadDmScript(Src("fixtures/dm/scripts/get_replace_exec.xml"));
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->packages.size(), 2u);
  EXPECT_EQ(s->packages[0].commands[2].expect_status,
            (std::vector<int>{200, 202}));
  EXPECT_EQ(s->packages[1].commands[0].children.size(), 2u);
  EXPECT_FALSE(ParseDmScript("<Script/>").ok());
  EXPECT_FALSE(ParseDmScript("<DmScript><Package><Status/></Package>"
                             "</DmScript>")
                   .ok());
  EXPECT_FALSE(ParseDmScript("<DmScript><Package><Get expect=\"abc\">"
                             "<Item target=\"./a\"/></Get></Package>"
                             "</DmScript>")
                   .ok());
  EXPECT_FALSE(
      ParseDmScript("<DmScript><Package><Get/></Package></DmScript>").ok());
}

// --- faults
// ----------------------------------------------------------------------

TEST(DmFaults, NamesAreUniqueKebabCaseAndResolvable) {
  std::vector<std::string_view> names;
  for (const auto& f : AllDmFaults()) {
    EXPECT_EQ(DmFaultByName(f.name), f.id);
    EXPECT_EQ(InfoOf(f.id).name, f.name);
    EXPECT_EQ(std::find(names.begin(), names.end(), f.name), names.end());
    names.push_back(f.name);
    for (char ch : f.name)
      EXPECT_TRUE((ch >= 'a' && ch <= 'z') || ch == '-' ||
                  (ch >= '0' && ch <= '9'))
          << f.name;
    EXPECT_FALSE(f.rule.empty());
    EXPECT_FALSE(f.expected_detail.empty());
  }
  EXPECT_FALSE(DmFaultByName("no-such-fault"));
}

// Each fault changes the server's reply to package 1 as documented.
TEST(DmFaults, EachKnobChangesTheServerOutput) {
  for (const auto& f : AllDmFaults()) {
    SCOPED_TRACE(std::string(f.name));
    DmServerConfig cfg = BaseConfig();
    cfg.faults = {f.id};
    if (f.id == DmFaultId::kBadNonce) {
      cfg.client_auth = DmAuthMode::kDigest;
      cfg.username = "u";
      cfg.password = "p";
    }
    if (f.id == DmFaultId::kMissingCred) {
      cfg.server_cred = codec::DmAuthType::kMd5;
      cfg.server_password = "srvpwd";
    }
    if (f.id == DmFaultId::kWrongDigest) cfg.server_password = "srvpwd";
    DmServer srv(cfg);
    ASSERT_TRUE(srv.Start().ok());
    Client c(srv.BaseUrl());
    auto p = Pkg1();
    p.max_msg_size = "3000";
    auto m = codec::BuildClientPackage1(p);
    HttpResponse raw = c.Post(codec::SyncMlToXml(m), kDmXmlContentType);
    auto ct = network::FindHeader(raw.headers, "Content-Type").value_or("");
    auto parsed = codec::SyncMlFromXml(raw.body);
    auto log = srv.Sessions().back().messages.back();
    ASSERT_EQ(log.applied_faults,
              std::vector<std::string>{std::string(f.name)});
    if (f.id == DmFaultId::kWrongContentType) {
      EXPECT_EQ(ct, "text/plain");
      continue;
    }
    EXPECT_EQ(ct, kDmXmlContentType);
    if (f.id == DmFaultId::kMalformedXml) {
      EXPECT_FALSE(parsed.ok());
      continue;
    }
    if (f.id == DmFaultId::kUnknownCommand) {
      EXPECT_NE(raw.body.find("<Sync>"), std::string::npos);
      EXPECT_FALSE(parsed.ok());  // strict parser: unknown element
      continue;
    }
    ASSERT_TRUE(parsed.ok()) << parsed.error().what;
    const SyncMlMessage& r = *parsed;
    switch (f.id) {
      case DmFaultId::kOversizeMessage:
        EXPECT_GT(raw.body.size(), 3000u);
        break;
      case DmFaultId::kWrongSessionId:
        EXPECT_NE(r.hdr.session_id, "1A2B");
        break;
      case DmFaultId::kWrongMsgId:
        EXPECT_NE(r.hdr.msg_id, "1");
        break;
      case DmFaultId::kWrongVerDtd:
        EXPECT_EQ(r.hdr.ver_dtd, "1.1");
        break;
      case DmFaultId::kWrongVerProto:
        EXPECT_EQ(r.hdr.ver_proto, "DM/1.1");
        break;
      case DmFaultId::kWrongTargetUri:
        EXPECT_NE(r.hdr.target.loc_uri, kDevice);
        break;
      case DmFaultId::kMissingFinal:
        EXPECT_FALSE(r.body.final);
        break;
      case DmFaultId::kBadStatusCode:
        EXPECT_EQ(HdrStatus(r)->data, "999");
        break;
      case DmFaultId::kMissingHdrStatus:
        EXPECT_EQ(HdrStatus(r), nullptr);
        break;
      case DmFaultId::kWrongMsgRef:
        for (const auto& x : r.body.commands)
          if (x.type == CommandType::kStatus) EXPECT_EQ(x.msg_ref, "99");
        break;
      case DmFaultId::kDuplicateCmdId:
        EXPECT_EQ(r.body.commands[0].cmd_id, r.body.commands[1].cmd_id);
        break;
      case DmFaultId::kBadNonce:
        ASSERT_TRUE(HdrStatus(r)->chal);
        EXPECT_FALSE(
            codec::DecodeNextNonce(*HdrStatus(r)->chal->meta.next_nonce).ok());
        break;
      case DmFaultId::kWrongDigest:
        ASSERT_TRUE(r.hdr.cred);
        EXPECT_FALSE(codec::VerifyMd5Credential(r.hdr.cred->data, "omaiop-test",
                                                "srvpwd", {}));
        break;
      case DmFaultId::kMissingCred:
        EXPECT_FALSE(r.hdr.cred);
        break;
      default:
        ADD_FAILURE() << "fault without a check";
    }
  }
}

TEST(DmFaults, MalformedAndUnknownCommandInWbxml) {
  for (auto id : {DmFaultId::kMalformedXml, DmFaultId::kUnknownCommand}) {
    DmServerConfig cfg = BaseConfig();
    cfg.faults = {id};
    auto s = Start(cfg, /*wbxml=*/true);
    const auto& raw = s.c->last;
    EXPECT_EQ(network::FindHeader(raw.headers, "Content-Type"),
              kDmWbxmlContentType);
    auto d = codec::DecodeWbxml(codec::AsBytes(raw.body));
    if (id == DmFaultId::kMalformedXml) {
      EXPECT_FALSE(d.ok());
    } else {
      ASSERT_TRUE(d.ok());
      EXPECT_NE(codec::SerializeXml(d->doc.get()).find("<Sync>"),
                std::string::npos);
    }
  }
}

}  // namespace
}  // namespace omaiop::sim::servers
