// DmClient against a scripted DM server (sim/network HttpServer replying
// canned SyncML built with codec/syncml). The server side checks what the
// client sent with codec's own verifiers (credentials, notification digest)
// and the tree is inspected after each session.
#include "sim/handset/dm/session.h"

#include <gtest/gtest.h>

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec/dm_auth.h"
#include "codec/dm_notification.h"
#include "codec/syncml.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "sim/handset/dm/standard_objects.h"
#include "sim/network/http_server.h"
#include "sim/network/network_test_util.h"

namespace omaiop::sim::handset::dm {
namespace {

using codec::Command;
using codec::CommandType;
using codec::SyncMlMessage;

constexpr char kServerId[] = "omaiop-dms";
constexpr char kDevId[] = "IMEI:490154203237518";

// --- the scripted server
// ---------------------------------------------------------- script(client
// message, index of that message) -> reply (nullopt: empty HTTP 200 body, used
// after an abort).
using Script =
    std::function<std::optional<SyncMlMessage>(const SyncMlMessage&, int)>;

class ScriptedDmServer {
 public:
  explicit ScriptedDmServer(Script script, bool tls = false)
      : script_(std::move(script)),
        server_(Config(tls),
                [this](const network::HttpRequest& r,
                       const network::PeerInfo&) { return Handle(r); }) {
    auto s = server_.Start();
    EXPECT_TRUE(s.ok());
  }
  std::string url() const {
    return server_.BaseUrl().substr(0, 5) == "https"
               ? "https://localhost:" + std::to_string(server_.port()) + "/dm"
               : server_.BaseUrl() + "/dm";
  }
  std::vector<SyncMlMessage> received() {
    std::lock_guard<std::mutex> l(mu_);
    return received_;
  }
  std::vector<std::string> content_types() {
    std::lock_guard<std::mutex> l(mu_);
    return ctypes_;
  }
  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> l(mu_);
    return errors_;
  }
  std::vector<network::HttpRequest> requests() {
    std::lock_guard<std::mutex> l(mu_);
    return requests_;
  }
  // Called on each response after its body is set (e.g. to sign it).
  void set_decorate(std::function<void(network::HttpResponse&)> d) {
    std::lock_guard<std::mutex> l(mu_);
    decorate_ = std::move(d);
  }

 private:
  static network::HttpServerConfig Config(bool tls) {
    network::HttpServerConfig c;
    if (tls) {
      network::TlsServerConfig t;
      t.cert_file = network::testing::TlsFixture("server.pem");
      t.key_file = network::testing::TlsFixture("server.key");
      c.tls = t;
    }
    return c;
  }

  network::HttpResponse Handle(const network::HttpRequest& r) {
    std::string ctype =
        network::FindHeader(r.headers, "Content-Type").value_or("");
    bool wbxml = ctype == "application/vnd.syncml.dm+wbxml";
    codec::Result<SyncMlMessage> m = codec::Error("", 0, "");
    if (wbxml) {
      auto doc = codec::DecodeWbxml(codec::AsBytes(r.body));
      if (doc.ok())
        m = codec::SyncMlFromXmlDoc(doc->doc.get());
      else
        m = doc.error();
    } else {
      m = codec::SyncMlFromXml(r.body);
    }
    std::lock_guard<std::mutex> l(mu_);
    ctypes_.push_back(ctype);
    requests_.push_back(r);
    network::HttpResponse resp;
    if (!m.ok()) {
      errors_.push_back(m.error().ToString());
      resp.status = 400;
      return resp;
    }
    received_.push_back(*m);
    auto reply = script_(*m, static_cast<int>(received_.size()) - 1);
    if (!reply) return resp;
    if (wbxml) {
      auto doc = codec::SyncMlToXmlDoc(*reply);
      auto b = codec::EncodeWbxml(doc.get(), codec::SyncMlDmLanguage());
      EXPECT_TRUE(b.ok());
      if (b.ok()) resp.body = codec::AsString(*b);
    } else {
      resp.body = codec::SyncMlToXml(*reply);
    }
    resp.headers.push_back({"Content-Type", ctype});
    if (decorate_) decorate_(resp);
    return resp;
  }

  Script script_;
  std::mutex mu_;
  std::vector<SyncMlMessage> received_;
  std::vector<std::string> ctypes_;
  std::vector<std::string> errors_;
  std::vector<network::HttpRequest> requests_;
  std::function<void(network::HttpResponse&)> decorate_;
  network::HttpServer server_;
};

// --- message building helpers
// ------------------------------------------------------
SyncMlMessage Reply(const SyncMlMessage& from, int msg_id, bool final = true,
                    int hdr_code = 212) {
  SyncMlMessage m;
  m.hdr.session_id = from.hdr.session_id;
  m.hdr.msg_id = std::to_string(msg_id);
  m.hdr.target.loc_uri = from.hdr.source.loc_uri;
  m.hdr.source.loc_uri = from.hdr.target.loc_uri;
  m.body.commands.push_back(codec::BuildSyncHdrStatus(from.hdr, "1", hdr_code));
  m.body.final = final;
  return m;
}

Command Cmd(CommandType t, std::string id, std::string uri,
            std::optional<std::string> data = {},
            std::optional<std::string> format = {}) {
  Command c;
  c.type = t;
  c.cmd_id = std::move(id);
  codec::Item it;
  it.target = codec::LocInfo{std::move(uri), {}};
  if (data) it.data = codec::DataValue::Text(*data);
  if (format) {
    it.meta = codec::Meta{};
    it.meta->format = *format;
  }
  c.items.push_back(std::move(it));
  return c;
}

Command UiAlert(std::string id, int code, std::vector<std::string> data) {
  Command c;
  c.type = CommandType::kAlert;
  c.cmd_id = std::move(id);
  c.data = std::to_string(code);
  for (auto& d : data) {
    codec::Item it;
    it.data = codec::DataValue::Text(d);
    c.items.push_back(std::move(it));
  }
  return c;
}

Command Container(CommandType t, std::string id, std::vector<Command> kids) {
  Command c;
  c.type = t;
  c.cmd_id = std::move(id);
  c.children = std::move(kids);
  return c;
}

// Status the client sent for (msg_ref, cmd_ref), or nullptr.
const Command* FindStatus(const SyncMlMessage& m, const std::string& cmd_ref,
                          const std::string& msg_ref = "") {
  for (const auto& c : m.body.commands)
    if (c.type == CommandType::kStatus && c.cmd_ref == cmd_ref &&
        (msg_ref.empty() || c.msg_ref == msg_ref))
      return &c;
  return nullptr;
}
int StatusCode(const SyncMlMessage& m, const std::string& cmd_ref) {
  const Command* s = FindStatus(m, cmd_ref);
  return s ? s->Code().value_or(-1) : -1;
}
const Command* FindResults(const SyncMlMessage& m, const std::string& cmd_ref) {
  for (const auto& c : m.body.commands)
    if (c.type == CommandType::kResults && c.cmd_ref == cmd_ref) return &c;
  return nullptr;
}
int CountAlerts(const SyncMlMessage& m, int code) {
  int n = 0;
  for (const auto& c : m.body.commands)
    n += c.type == CommandType::kAlert && c.Code() == code;
  return n;
}

// --- the device
// ------------------------------------------------------------------
struct Device {
  Tree tree;
  Device() {
    DeviceConfig cfg;
    EXPECT_TRUE(BuildStandardObjects(tree, cfg).ok());
    NodeInit vendor;
    vendor.acl = "Add=*&Get=*&Replace=*&Delete=*&Exec=*";
    EXPECT_TRUE(tree.DeviceAdd("./Vendor", vendor).ok());
    NodeInit leaf;
    leaf.format = Format::kChr;
    leaf.value = "red";
    EXPECT_TRUE(tree.DeviceAdd("./Vendor/Color", leaf).ok());
    leaf.value = "old";
    EXPECT_TRUE(tree.DeviceAdd("./Vendor/Old", leaf).ok());
    leaf.value = "locked";
    leaf.acl = "Get=*&Replace=someone-else";
    EXPECT_TRUE(tree.DeviceAdd("./Vendor/Locked", leaf).ok());
    NodeInit exec;
    exec.format = Format::kNode;
    EXPECT_TRUE(tree.DeviceAdd("./Vendor/Reset", exec).ok());
    tree.RegisterExec("./Vendor/Reset", [this](const ExecRequest& r) {
      exec_calls.push_back(r.caller.server_id + ":" + r.data);
      return OpResult{};
    });
  }
  std::string Value(const std::string& uri) const {
    const Node* n = tree.Find(uri);
    return n ? n->value : "<absent>";
  }
  std::vector<std::string> exec_calls;
};

DmAccount Account(const std::string& url) {
  DmAccount a;
  a.server_id = kServerId;
  a.server_url = url;
  a.client_auth = DmAuthScheme::kMd5;
  a.client_name = "handset";
  a.client_secret = "clientpass";
  a.client_nonce = codec::Bytes{1, 2, 3, 4};
  a.server_name = kServerId;
  a.server_secret = "serverpass";
  a.server_nonce = codec::Bytes{9, 8, 7, 6};
  return a;
}

// Server side check of the client's Cred with the nonce it expects.
bool ClientCredOk(const SyncMlMessage& m, const codec::Bytes& nonce) {
  return m.hdr.cred && m.hdr.cred->meta && m.hdr.cred->meta->type &&
         *m.hdr.cred->meta->type == "syncml:auth-md5" &&
         codec::VerifyMd5Credential(m.hdr.cred->data, "handset", "clientpass",
                                    nonce);
}

// --- tests
// --------------------------------------------------------------------------

TEST(DmSession, FullSessionExecutesCommandsAndAnswersEach) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1);
      r.body.commands.push_back(Cmd(CommandType::kGet, "2", "./DevInfo/DevId"));
      r.body.commands.push_back(
          Cmd(CommandType::kReplace, "3", "./Vendor/Color", "blue", "chr"));
      r.body.commands.push_back(
          Cmd(CommandType::kAdd, "4", "./Vendor/New", "fresh", "chr"));
      r.body.commands.push_back(Cmd(CommandType::kDelete, "5", "./Vendor/Old"));
      r.body.commands.push_back(
          Cmd(CommandType::kExec, "6", "./Vendor/Reset", "now"));
      r.body.commands.push_back(
          Cmd(CommandType::kReplace, "7", "./Vendor/Locked", "x", "chr"));
      r.body.commands.push_back(Cmd(CommandType::kGet, "8", "./Nowhere"));
      return r;
    }
    return Reply(in, 2);  // Status + Final only: session over
  });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  ASSERT_TRUE(o.ok()) << (o.error ? o.error->ToString() : "") << "\n"
                      << client.trace().ToString();
  EXPECT_TRUE(o.client_authenticated);

  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  // Package 1: Alert 1201, DevInfo Replace, MD5 Cred with the stored nonce.
  const SyncMlMessage& p1 = got[0];
  EXPECT_EQ(CountAlerts(p1, 1201), 1);
  EXPECT_TRUE(ClientCredOk(p1, {1, 2, 3, 4}));
  EXPECT_EQ(p1.hdr.source.loc_uri, kDevId);
  EXPECT_EQ(p1.hdr.target.loc_uri, srv.url());
  EXPECT_TRUE(p1.body.final);
  bool devinfo = false;
  for (const auto& c : p1.body.commands)
    if (c.type == CommandType::kReplace)
      for (const auto& it : c.items)
        if (it.source && it.source->loc_uri == "./DevInfo/DevId" && it.data &&
            it.data->text == kDevId)
          devinfo = true;
  EXPECT_TRUE(devinfo);

  // Package 3: a Status for the header and every command, Results for Get.
  const SyncMlMessage& p3 = got[1];
  EXPECT_EQ(p3.hdr.session_id, p1.hdr.session_id);
  EXPECT_EQ(p3.hdr.msg_id, "2");
  EXPECT_FALSE(p3.hdr.cred) << "no Cred once the server said 212";
  EXPECT_EQ(StatusCode(p3, "0"), 200);
  EXPECT_EQ(StatusCode(p3, "2"), 200);
  EXPECT_EQ(StatusCode(p3, "3"), 200);
  EXPECT_EQ(StatusCode(p3, "4"), 200);
  EXPECT_EQ(StatusCode(p3, "5"), 200);
  EXPECT_EQ(StatusCode(p3, "6"), 200);
  EXPECT_EQ(StatusCode(p3, "7"), 425) << "ACL grants Replace to another server";
  EXPECT_EQ(StatusCode(p3, "8"), 404);
  const Command* res = FindResults(p3, "2");
  ASSERT_NE(res, nullptr);
  ASSERT_EQ(res->items.size(), 1u);
  EXPECT_EQ(res->items[0].source->loc_uri, "./DevInfo/DevId");
  EXPECT_EQ(res->items[0].data->text, kDevId);
  EXPECT_EQ(FindResults(p3, "8"), nullptr);
  EXPECT_TRUE(p3.body.final);

  EXPECT_EQ(dev.Value("./Vendor/Color"), "blue");
  EXPECT_EQ(dev.Value("./Vendor/New"), "fresh");
  EXPECT_EQ(dev.Value("./Vendor/Old"), "<absent>");
  EXPECT_EQ(dev.Value("./Vendor/Locked"), "locked");
  EXPECT_EQ(dev.exec_calls, std::vector<std::string>{"omaiop-dms:now"});
  EXPECT_EQ(client.trace().Count(DmEventKind::kSessionEnded), 1u);
  EXPECT_EQ(client.trace().Count(DmEventKind::kCommandFailed), 2u);
  // Every message recorded as XML: 2 sent, 2 received.
  ASSERT_EQ(client.messages().size(), 4u);
  EXPECT_NE(client.messages()[0].xml.find("<Alert>"), std::string::npos);
  EXPECT_FALSE(client.messages()[1].sent);
}

TEST(DmSession, AtomicFailureRollsBackEverything) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1);
      r.body.commands.push_back(Container(
          CommandType::kAtomic, "2",
          {Cmd(CommandType::kAdd, "3", "./Vendor/A", "a", "chr"),
           Cmd(CommandType::kReplace, "4", "./Vendor/Color", "green", "chr"),
           Cmd(CommandType::kReplace, "5", "./Vendor/Missing", "m", "chr"),
           Cmd(CommandType::kAdd, "6", "./Vendor/B", "b", "chr")}));
      return r;
    }
    return Reply(in, 2);
  });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StatusCode(got[1], "2"), 507);
  EXPECT_EQ(StatusCode(got[1], "3"), 216);
  EXPECT_EQ(StatusCode(got[1], "4"), 216);
  EXPECT_EQ(StatusCode(got[1], "5"), 404);
  EXPECT_EQ(StatusCode(got[1], "6"), 215);
  EXPECT_EQ(dev.Value("./Vendor/A"), "<absent>");
  EXPECT_EQ(dev.Value("./Vendor/Color"), "red");
  EXPECT_EQ(dev.Value("./Vendor/B"), "<absent>");
  EXPECT_EQ(client.trace().Count(DmEventKind::kAtomicRolledBack), 1u);
}

TEST(DmSession, AtomicSuccessCommitsAll) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1);
      r.body.commands.push_back(Container(
          CommandType::kAtomic, "2",
          {Cmd(CommandType::kAdd, "3", "./Vendor/A", "a", "chr"),
           Cmd(CommandType::kReplace, "4", "./Vendor/Color", "green", "chr")}));
      return r;
    }
    return Reply(in, 2);
  });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StatusCode(got[1], "2"), 200);
  EXPECT_EQ(StatusCode(got[1], "3"), 200);
  EXPECT_EQ(StatusCode(got[1], "4"), 200);
  EXPECT_EQ(dev.Value("./Vendor/A"), "a");
  EXPECT_EQ(dev.Value("./Vendor/Color"), "green");
}

TEST(DmSession, SequenceStopsAtFirstFailure) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1);
      r.body.commands.push_back(Container(
          CommandType::kSequence, "2",
          {Cmd(CommandType::kReplace, "3", "./Vendor/Color", "green", "chr"),
           Cmd(CommandType::kDelete, "4", "./Vendor/Nope"),
           Cmd(CommandType::kAdd, "5", "./Vendor/B", "b", "chr")}));
      return r;
    }
    return Reply(in, 2);
  });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StatusCode(got[1], "2"), 200);
  EXPECT_EQ(StatusCode(got[1], "3"), 200);
  EXPECT_EQ(StatusCode(got[1], "4"), 404);
  EXPECT_EQ(StatusCode(got[1], "5"), 215);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "green");  // no rollback
  EXPECT_EQ(dev.Value("./Vendor/B"), "<absent>");
  EXPECT_EQ(client.trace().Count(DmEventKind::kSequenceStopped), 1u);
}

std::optional<SyncMlMessage> ConfirmScript(const SyncMlMessage& in, int i) {
  if (i == 0) {
    auto r = Reply(in, 1);
    r.body.commands.push_back(
        UiAlert("2", 1101, {"MINDT=10", "Install update?"}));
    r.body.commands.push_back(
        UiAlert("3", 1102, {"MAXLEN=8&IT=N", "Enter code"}));
    return r;
  }
  return Reply(in, 2);
}

TEST(DmSession, ConfirmAlertAcceptedByUser) {
  Device dev;
  ScriptedDmServer srv(ConfirmScript);
  DmClientOptions opt;
  std::vector<UiRequest> shown;
  opt.ui = [&](const UiRequest& r) {
    shown.push_back(r);
    UiAnswer a;
    if (r.alert_code == 1102) a.data = {"1234"};
    return a;
  };
  DmClient client(dev.tree, Account(srv.url()), opt);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StatusCode(got[1], "2"), 200);
  EXPECT_EQ(StatusCode(got[1], "3"), 200);
  const Command* text = FindStatus(got[1], "3");
  ASSERT_EQ(text->items.size(), 1u);
  EXPECT_EQ(text->items[0].data->text, "1234");
  ASSERT_EQ(shown.size(), 2u);
  EXPECT_EQ(shown[0].options, "MINDT=10");
  EXPECT_EQ(shown[0].texts, std::vector<std::string>{"Install update?"});
}

TEST(DmSession, ConfirmAlertRejectedByUser) {
  Device dev;
  ScriptedDmServer srv(ConfirmScript);
  DmClientOptions opt;
  opt.ui = [](const UiRequest& r) {
    return UiAnswer{r.alert_code == 1101 ? UiAnswer::Kind::kReject
                                         : UiAnswer::Kind::kCancel,
                    {}};
  };
  DmClient client(dev.tree, Account(srv.url()), opt);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(StatusCode(got[1], "2"), 304);
  EXPECT_EQ(StatusCode(got[1], "3"), 214);
  EXPECT_EQ(client.trace().Count(DmEventKind::kUserAlert), 2u);
}

// 401 + Chal with a new nonce; then a stale-nonce second challenge; then 212.
TEST(DmSession, DigestChallengeThenStaleNonceThenSuccess) {
  Device dev;
  const codec::Bytes n1 = {0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8};
  const codec::Bytes n2 = {0xB1, 0xB2, 0xB3, 0xB4, 0xB5, 0xB6, 0xB7, 0xB8};
  const codec::Bytes n3 = {0xC1, 0xC2};
  auto chal = [](const codec::Bytes& n) {
    codec::Chal c;
    c.meta.type = "syncml:auth-md5";
    c.meta.format = "b64";
    c.meta.next_nonce = codec::Base64Encode(n);
    return c;
  };
  std::vector<bool> cred_ok;
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, i + 1);
        if (i == 0) {
          cred_ok.push_back(ClientCredOk(in, {1, 2, 3, 4}));
          r.body.commands[0] =
              codec::BuildSyncHdrStatus(in.hdr, "1", 401, chal(n1));
        } else if (i == 1) {
          cred_ok.push_back(ClientCredOk(in, n1));
          // Pretend the nonce went stale: challenge once more.
          r.body.commands[0] =
              codec::BuildSyncHdrStatus(in.hdr, "1", 401, chal(n2));
        } else if (i == 2) {
          cred_ok.push_back(ClientCredOk(in, n2));
          r.body.commands[0] =
              codec::BuildSyncHdrStatus(in.hdr, "1", 212, chal(n3));
        }
        return r;
      });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  ASSERT_TRUE(o.ok()) << client.trace().ToString();
  EXPECT_EQ(cred_ok, (std::vector<bool>{true, true, true}));
  auto got = srv.received();
  ASSERT_EQ(got.size(), 3u);
  // Each resend is package 1 again with a new MsgID and the same session.
  EXPECT_EQ(got[2].hdr.msg_id, "3");
  EXPECT_EQ(got[2].hdr.session_id, got[0].hdr.session_id);
  EXPECT_EQ(CountAlerts(got[2], 1201), 1);
  EXPECT_EQ(client.trace().Count(DmEventKind::kClientAuthChallenged), 2u);
  // The NextNonce sent with 212 is kept for the next session.
  EXPECT_EQ(client.account().client_nonce, n3);
}

// With account_uri the nonces learnt in a session land in the tree's
// AAuthData, so AccountFromTree gives them to the next session.
TEST(DmSession, NonceWrittenBackToDmAcc) {
  Device dev;
  const codec::Bytes n1 = {0xD1, 0xD2, 0xD3};
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        codec::Chal c;
        c.meta.type = "syncml:auth-md5";
        c.meta.format = "b64";
        c.meta.next_nonce = codec::Base64Encode(n1);
        auto r = Reply(in, i + 1);
        r.body.commands[0] = codec::BuildSyncHdrStatus(in.hdr, "1", 212, c);
        return r;
      });
  DmAccountConfig acc;
  acc.server_id = kServerId;
  acc.addr = srv.url();
  acc.auths.push_back({"", "CLCRED", "DIGEST", "handset", "clientpass", ""});
  std::string uri;
  ASSERT_TRUE(AddDmAccount(dev.tree, acc, &uri).ok());
  auto a = AccountFromTree(dev.tree, uri);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->client_nonce.empty());
  DmClientOptions opt;
  opt.account_uri = uri;
  DmClient client(dev.tree, *a, opt);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  auto again = AccountFromTree(dev.tree, uri);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->client_nonce, n1);
}

TEST(DmSession, ChallengesExhaustedFailsSession) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, i + 1);
        codec::Chal c;
        c.meta.type = "syncml:auth-md5";
        c.meta.format = "b64";
        c.meta.next_nonce = "AAAA";
        r.body.commands[0] = codec::BuildSyncHdrStatus(in.hdr, "1", 401, c);
        return r;
      });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  EXPECT_FALSE(o.ok());
  ASSERT_TRUE(o.error);
  EXPECT_EQ(srv.received().size(), 3u);  // first try + 2 retries
  EXPECT_EQ(client.trace().Count(DmEventKind::kClientAuthFailed), 1u);
}

TEST(DmSession, BasicCredentials) {
  Device dev;
  bool ok = false;
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        ok = in.hdr.cred && in.hdr.cred->meta->type == "syncml:auth-basic" &&
             codec::VerifyBasicCredential(in.hdr.cred->data, "handset",
                                          "clientpass");
        return Reply(in, 1, true, ok ? 212 : 401);
      });
  DmAccount a = Account(srv.url());
  a.client_auth = DmAuthScheme::kBasic;
  DmClient client(dev.tree, a);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  EXPECT_TRUE(ok);
  EXPECT_EQ(srv.received()[0].hdr.source.loc_name, "handset");
}

// Server message carrying its own Cred (SRVCRED, MD5 with the server nonce).
void AddServerCred(SyncMlMessage& r, const std::string& secret,
                   const codec::Bytes& nonce) {
  codec::Cred c;
  c.meta = codec::Meta{};
  c.meta->type = "syncml:auth-md5";
  c.meta->format = "b64";
  c.data = codec::Md5Credential(kServerId, secret, nonce);
  r.hdr.cred = c;
}

TEST(DmSession, WrongServerCredentialsRefused) {
  Device dev;
  std::vector<std::string> chal_nonces;
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        for (const auto& c : in.body.commands)
          if (c.type == CommandType::kStatus && c.cmd_ref == "0" && c.chal &&
              c.chal->meta.next_nonce)
            chal_nonces.push_back(*c.chal->meta.next_nonce);
        if (CountAlerts(in, 1223)) return std::nullopt;
        auto r = Reply(in, i + 1);
        AddServerCred(r, "wrong-secret", {9, 8, 7, 6});
        r.body.commands.push_back(
            Cmd(CommandType::kReplace, "2", "./Vendor/Color", "hacked", "chr"));
        return r;
      });
  DmAccount a = Account(srv.url());
  a.check_server_cred = true;
  DmClient client(dev.tree, a);
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  EXPECT_FALSE(o.ok());
  EXPECT_TRUE(o.aborted);
  EXPECT_FALSE(o.server_authenticated);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "red");
  auto got = srv.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(StatusCode(got[1], "0"), 401);
  EXPECT_EQ(StatusCode(got[1], "2"), -1) << "refused commands not executed";
  EXPECT_EQ(CountAlerts(got[2], 1223), 1);
  EXPECT_EQ(chal_nonces.size(), 2u);
  EXPECT_EQ(client.trace().Count(DmEventKind::kServerAuthFailed), 2u);
}

TEST(DmSession, GoodServerCredentialsAccepted) {
  Device dev;
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, i + 1);
        if (i == 0) {
          AddServerCred(r, "serverpass", {9, 8, 7, 6});
          r.body.commands.push_back(
              Cmd(CommandType::kReplace, "2", "./Vendor/Color", "teal", "chr"));
        }
        return r;
      });
  DmAccount a = Account(srv.url());
  a.check_server_cred = true;
  DmClient client(dev.tree, a);
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  ASSERT_TRUE(o.ok()) << client.trace().ToString();
  EXPECT_TRUE(o.server_authenticated);
  EXPECT_EQ(StatusCode(srv.received()[1], "0"), 212);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "teal");
}

TEST(DmSession, WbxmlTransport) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1);
      r.body.commands.push_back(Cmd(CommandType::kGet, "2", "./DevInfo/Man"));
      r.body.commands.push_back(
          Cmd(CommandType::kReplace, "3", "./Vendor/Color", "navy", "chr"));
      return r;
    }
    return Reply(in, 2);
  });
  DmClientOptions opt;
  opt.wbxml = true;
  DmClient client(dev.tree, Account(srv.url()), opt);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  EXPECT_EQ(srv.content_types(),
            (std::vector<std::string>{"application/vnd.syncml.dm+wbxml",
                                      "application/vnd.syncml.dm+wbxml"}));
  auto got = srv.received();
  ASSERT_EQ(got.size(), 2u);
  const Command* res = FindResults(got[1], "2");
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(res->items[0].data->text, "omaiop");
  EXPECT_EQ(dev.Value("./Vendor/Color"), "navy");
  // Recorded as XML text even though WBXML crossed the wire.
  EXPECT_NE(client.messages()[1].xml.find("SyncML"), std::string::npos);
}

// Server package 2 in two messages: the first without Final; the client
// answers it with Status + Alert 1222 and no Final.
TEST(DmSession, ServerMultiMessagePackageWith1222) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) {
      auto r = Reply(in, 1, /*final=*/false);
      r.body.commands.push_back(
          Cmd(CommandType::kReplace, "2", "./Vendor/Color", "one", "chr"));
      return r;
    }
    if (i == 1) {
      auto r = Reply(in, 2, /*final=*/true, 200);
      r.body.commands.push_back(Cmd(CommandType::kGet, "2", "./Vendor/Color"));
      return r;
    }
    return Reply(in, 3, true, 200);
  });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  auto got = srv.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(CountAlerts(got[1], 1222), 1);
  EXPECT_FALSE(got[1].body.final);
  EXPECT_EQ(StatusCode(got[1], "2"), 200);
  EXPECT_TRUE(got[2].body.final);
  const Command* res = FindResults(got[2], "2");
  ASSERT_NE(res, nullptr);
  EXPECT_EQ(res->items[0].data->text, "one");
  EXPECT_EQ(res->msg_ref, "2");
}

// The server's MaxMsgSize is small: the client's package 3 is split; the
// server asks for the rest with Alert 1222.
TEST(DmSession, ClientSplitsPackageOverMaxMsgSize) {
  Device dev;
  constexpr int kGets = 12;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, i + 1);
        r.hdr.meta = codec::Meta{};
        r.hdr.meta->max_msg_size = "2000";
        if (i == 0) {
          for (int k = 0; k < kGets; ++k)
            r.body.commands.push_back(Cmd(
                CommandType::kGet, std::to_string(k + 2), "./DevInfo/DevId"));
        } else if (!in.body.final) {
          r.body.final = false;
          r.body.commands.push_back(UiAlert("2", 1222, {}));
        }
        return r;
      });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  auto got = srv.received();
  ASSERT_GE(got.size(), 3u);
  int results = 0;
  for (std::size_t k = 1; k < got.size(); ++k) {
    EXPECT_LE(codec::SyncMlToXml(got[k]).size(), 2000u) << k;
    EXPECT_EQ(got[k].body.final, k + 1 == got.size());
    for (const auto& c : got[k].body.commands)
      results += c.type == CommandType::kResults;
  }
  EXPECT_EQ(results, kGets);
  EXPECT_GE(client.trace().Count(DmEventKind::kMessageSplit), 1u);
}

TEST(DmSession, ServerAbort1223EndsWithoutReply) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, 1);
        r.body.commands.push_back(UiAlert("2", 1223, {}));
        return r;
      });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
  EXPECT_TRUE(o.aborted);
  EXPECT_EQ(srv.received().size(), 1u);
}

codec::Bytes Package0(const std::string& secret, const codec::Bytes& nonce,
                      codec::DmUiMode ui = codec::DmUiMode::kBackground) {
  codec::DmNotification n;
  n.ui_mode = ui;
  n.session_id = 0x4A2;
  n.server_id = kServerId;
  codec::SignDmNotification(n, secret, nonce);
  return codec::EncodeDmNotification(n);
}

TEST(DmSession, Package0WithGoodDigestStartsServerInitiatedSession) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int) -> std::optional<SyncMlMessage> {
        return Reply(in, 1);
      });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o = client.OnPackage0(Package0("serverpass", {9, 8, 7, 6}));
  ASSERT_TRUE(o.ok()) << client.trace().ToString();
  auto got = srv.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].hdr.session_id, "4A2");
  EXPECT_EQ(CountAlerts(got[0], 1200), 1);
  EXPECT_EQ(client.trace().Count(DmEventKind::kPackage0Accepted), 1u);
}

TEST(DmSession, Package0WithBadDigestIsRefused) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int) -> std::optional<SyncMlMessage> {
        return Reply(in, 1);
      });
  DmClient client(dev.tree, Account(srv.url()));
  DmSessionOutcome o =
      client.OnPackage0(Package0("not-the-secret", {9, 8, 7, 6}));
  EXPECT_FALSE(o.ok());
  ASSERT_TRUE(o.error);
  EXPECT_EQ(srv.received().size(), 0u);
  EXPECT_EQ(client.trace().Count(DmEventKind::kPackage0Rejected), 1u);
}

TEST(DmSession, Package0UserInteractionDeclined) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int) -> std::optional<SyncMlMessage> {
        return Reply(in, 1);
      });
  DmClientOptions opt;
  opt.ui = [](const UiRequest&) {
    return UiAnswer{UiAnswer::Kind::kReject, {}};
  };
  DmClient client(dev.tree, Account(srv.url()), opt);
  DmSessionOutcome o = client.OnPackage0(
      Package0("serverpass", {9, 8, 7, 6}, codec::DmUiMode::kUserInteraction));
  EXPECT_FALSE(o.ok());
  EXPECT_EQ(srv.received().size(), 0u);
}

TEST(DmSession, HttpsWithFixtureCa) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        if (i == 0) {
          auto r = Reply(in, 1);
          r.body.commands.push_back(
              Cmd(CommandType::kReplace, "2", "./Vendor/Color", "tls", "chr"));
          return r;
        }
        return Reply(in, 2);
      },
      /*tls=*/true);
  ASSERT_EQ(srv.url().substr(0, 8), "https://");
  DmClientOptions opt;
  opt.http.tls.ca_file = network::testing::TlsFixture("ca.pem");
  DmClient client(dev.tree, Account(srv.url()), opt);
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  EXPECT_EQ(dev.Value("./Vendor/Color"), "tls");

  // Without the CA the handshake is refused and the session fails.
  DmClient untrusting(dev.tree, Account(srv.url()));
  DmSessionOutcome o = untrusting.RunSession(SessionTrigger::Client());
  EXPECT_FALSE(o.ok());
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->rule, network::rules::kTlsVerify);
}

// The server asks for HMAC (Chal syncml:auth-MAC): every later request
// carries x-syncml-hmac over its body with the latest NextNonce, no Cred.
TEST(DmSession, HmacRequestedByServer) {
  Device dev;
  const codec::Bytes n1 = {0x11, 0x22, 0x33, 0x44, 0x55};
  const codec::Bytes n2 = {0x66, 0x77};
  auto mac_chal = [](const codec::Bytes& n) {
    codec::Chal c;
    c.meta.type = "syncml:auth-MAC";
    c.meta.format = "b64";
    c.meta.next_nonce = codec::Base64Encode(n);
    return c;
  };
  ScriptedDmServer srv(
      [&](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        auto r = Reply(in, i + 1);
        if (i == 0) {
          r.body.commands[0] =
              codec::BuildSyncHdrStatus(in.hdr, "1", 401, mac_chal(n1));
        } else if (i == 1) {
          r.body.commands[0] =
              codec::BuildSyncHdrStatus(in.hdr, "1", 200, mac_chal(n2));
          r.body.commands.push_back(
              Cmd(CommandType::kReplace, "2", "./Vendor/Color", "mac", "chr"));
        } else {
          r.body.commands[0] = codec::BuildSyncHdrStatus(in.hdr, "1", 200);
        }
        return r;
      });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  auto reqs = srv.requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_FALSE(network::FindHeader(reqs[0].headers, "x-syncml-hmac"));
  const codec::Bytes nonces[] = {{}, n1, n2};
  for (int k = 1; k < 3; ++k) {
    auto hv = network::FindHeader(reqs[k].headers, "x-syncml-hmac");
    ASSERT_TRUE(hv) << k;
    auto h = codec::ParseHmacHeader(*hv);
    ASSERT_TRUE(h.ok()) << h.error().ToString();
    EXPECT_EQ(h->username, "handset");
    EXPECT_TRUE(codec::VerifyHmac(*h, "clientpass", nonces[k],
                                  codec::AsBytes(reqs[k].body))
                    .ok())
        << k;
    EXPECT_FALSE(srv.received()[k].hdr.cred);
    EXPECT_EQ(srv.received()[k].hdr.source.loc_name, "handset");
  }
  EXPECT_EQ(dev.Value("./Vendor/Color"), "mac");
}

// SRVCRED of type HMAC: a response without a valid x-syncml-hmac is refused.
TEST(DmSession, ServerHmacChecked) {
  for (bool good : {true, false}) {
    Device dev;
    ScriptedDmServer srv(
        [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
          if (CountAlerts(in, 1223)) return std::nullopt;
          auto r = Reply(in, i + 1, true, 200);
          if (i == 0)
            r.body.commands.push_back(Cmd(CommandType::kReplace, "2",
                                          "./Vendor/Color", "srvmac", "chr"));
          return r;
        });
    srv.set_decorate([good](network::HttpResponse& resp) {
      codec::HmacHeader h;
      h.username = kServerId;
      h.mac = codec::ComputeHmacMac(
          kServerId, good ? "serverpass" : "other-secret",
          codec::Bytes{9, 8, 7, 6}, codec::AsBytes(resp.body));
      resp.headers.push_back({"x-syncml-hmac", codec::BuildHmacHeaderValue(h)});
    });
    DmAccount a = Account(srv.url());
    a.check_server_cred = true;
    a.server_auth = DmAuthScheme::kHmac;
    DmClient client(dev.tree, a);
    DmSessionOutcome o = client.RunSession(SessionTrigger::Client());
    EXPECT_EQ(o.ok(), good) << client.trace().ToString();
    EXPECT_EQ(o.server_authenticated, good);
    EXPECT_EQ(dev.Value("./Vendor/Color"), good ? "srvmac" : "red");
    EXPECT_EQ(StatusCode(srv.received()[1], "0"), good ? 200 : 401);
  }
}

// A Replace in three chunks (MoreData, Meta Size on the first): 213, 213,
// then 200 with the assembled value; each chunk message has no Final.
SyncMlMessage ChunkMsg(const SyncMlMessage& in, int msg, const std::string& id,
                       const std::string& data, bool more,
                       std::optional<std::string> size) {
  auto r = Reply(in, msg, /*final=*/!more, 200);
  Command c = Cmd(CommandType::kReplace, id, "./Vendor/Color", data, "chr");
  c.items[0].more_data = more;
  if (size) c.items[0].meta->size = *size;
  r.body.commands.push_back(c);
  return r;
}

TEST(DmSession, LargeObjectChunksAssembled) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        if (i == 0) return ChunkMsg(in, 1, "2", "abcd", true, "10");
        if (i == 1) return ChunkMsg(in, 2, "2", "efgh", true, std::nullopt);
        if (i == 2) return ChunkMsg(in, 3, "2", "ij", false, std::nullopt);
        return Reply(in, i + 1, true, 200);
      });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok())
      << client.trace().ToString();
  auto got = srv.received();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(StatusCode(got[1], "2"), 213);
  EXPECT_EQ(CountAlerts(got[1], 1222), 1);
  EXPECT_EQ(StatusCode(got[2], "2"), 213);
  EXPECT_EQ(StatusCode(got[3], "2"), 200);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "abcdefghij");
  EXPECT_EQ(client.trace().Count(DmEventKind::kChunkAssembled), 1u);
}

TEST(DmSession, LargeObjectSizeMismatchIs424) {
  Device dev;
  ScriptedDmServer srv(
      [](const SyncMlMessage& in, int i) -> std::optional<SyncMlMessage> {
        if (i == 0) return ChunkMsg(in, 1, "2", "abcd", true, "99");
        if (i == 1) return ChunkMsg(in, 2, "2", "ef", false, std::nullopt);
        return Reply(in, i + 1, true, 200);
      });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(StatusCode(got[2], "2"), 424);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "red");
}

TEST(DmSession, LargeObjectInterruptedSends1225) {
  Device dev;
  ScriptedDmServer srv([](const SyncMlMessage& in,
                          int i) -> std::optional<SyncMlMessage> {
    if (i == 0) return ChunkMsg(in, 1, "2", "abcd", true, "10");
    if (i == 1) {
      auto r = Reply(in, 2, true, 200);
      r.body.commands.push_back(Cmd(CommandType::kGet, "2", "./Vendor/Color"));
      return r;
    }
    return Reply(in, i + 1, true, 200);
  });
  DmClient client(dev.tree, Account(srv.url()));
  ASSERT_TRUE(client.RunSession(SessionTrigger::Client()).ok());
  auto got = srv.received();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(CountAlerts(got[2], 1225), 1);
  EXPECT_EQ(dev.Value("./Vendor/Color"), "red");
  EXPECT_EQ(client.trace().Count(DmEventKind::kChunkAbandoned), 1u);
}

TEST(DmSession, AccountFromTreeReadsDmAcc) {
  Tree tree;
  DeviceConfig cfg;
  DmAccountConfig acc;
  acc.server_id = kServerId;
  acc.addr = "https://dm.example/dm";
  acc.auths.push_back({"", "CLCRED", "DIGEST", "handset", "clientpass", "N1"});
  acc.auths.push_back({"", "SRVCRED", "BASIC", kServerId, "serverpass", ""});
  cfg.accounts.push_back(acc);
  ASSERT_TRUE(BuildStandardObjects(tree, cfg).ok());
  std::string uri = "./DMAcc/" + AccountNodeName(kServerId);
  auto a = AccountFromTree(tree, uri);
  ASSERT_TRUE(a.ok()) << a.error().ToString();
  EXPECT_EQ(a->server_url, "https://dm.example/dm");
  EXPECT_EQ(a->client_auth, DmAuthScheme::kMd5);
  EXPECT_EQ(a->client_name, "handset");
  EXPECT_EQ(a->client_nonce, (codec::Bytes{'N', '1'}));
  EXPECT_TRUE(a->check_server_cred);
  EXPECT_EQ(a->server_auth, DmAuthScheme::kBasic);
  EXPECT_FALSE(AccountFromTree(tree, "./DMAcc/none").ok());
}

}  // namespace
}  // namespace omaiop::sim::handset::dm
