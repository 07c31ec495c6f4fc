// HttpServer against raw sockets (junk, limits, 100-continue) and against a
// real independent client (curl).
#include "sim/network/http_server.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <thread>
#include <vector>

#include "sim/network/http_client.h"
#include "sim/network/network_test_util.h"

namespace omaiop::sim::network {
namespace {

using testing::RawExchange;
using testing::TlsFixture;
using namespace std::chrono_literals;

HttpResponse Hello(const HttpRequest& req, const PeerInfo&) {
  HttpResponse r;
  r.headers.emplace_back("Content-Type", "text/plain");
  r.body = "hello " + req.method + " " + req.url + " " + req.body;
  return r;
}

HttpServerConfig Https(
    TlsServerConfig::ClientCert mode = TlsServerConfig::ClientCert::kNone) {
  HttpServerConfig c;
  c.tls = TlsServerConfig{};
  c.tls->cert_file = TlsFixture("server.pem");
  c.tls->key_file = TlsFixture("server.key");
  c.tls->client_cert = mode;
  c.tls->client_ca_file = TlsFixture("ca.pem");
  return c;
}

bool StillServes(const HttpServer& s) {
  HttpClientOptions o;
  o.tls.ca_file = TlsFixture("ca.pem");
  auto r = HttpFetch({"GET", s.BaseUrl() + "/ok", {}, ""}, o);
  return r.ok() && r->status == 200;
}

TEST(HttpServerTest, GarbageBytesGet400AndTheServerLives) {
  std::atomic<int> calls{0};
  HttpServer server({}, [&](const HttpRequest& r, const PeerInfo& p) {
    ++calls;
    return Hello(r, p);
  });
  ASSERT_TRUE(server.Start().ok());
  const std::string junk[] = {
      std::string("\x00\xff\x16\x03\x01 garbage\r\n\r\n", 16),
      "GET\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n"
      "\r\n",
      "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
      "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "GET / HTTP/1.1\nHost: x\n\n",
  };
  for (const auto& j : junk) {
    std::string reply = RawExchange(server.port(), j);
    EXPECT_EQ(reply.rfind("HTTP/1.1 400 ", 0), 0u) << reply;
    EXPECT_NE(reply.find("Connection: close"), std::string::npos);
  }
  // Junk then silence, and a connection dropped mid-header: no answer
  // needed, no crash.
  RawExchange(server.port(), "GET /partial HTTP/1.1\r\nHo", 100ms);
  EXPECT_EQ(calls.load(), 0);
  EXPECT_TRUE(StillServes(server));
}

TEST(HttpServerTest, PlainBytesToTlsServerAreDropped) {
  HttpServer server(Https(), Hello);
  ASSERT_TRUE(server.Start().ok());
  std::string reply =
      RawExchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(reply.find("HTTP/1.1 200"), std::string::npos);
  EXPECT_TRUE(StillServes(server));
}

TEST(HttpServerTest, HeaderTooLargeGets431AndBodyTooLarge413) {
  HttpServerConfig c;
  c.max_header_size = 1024;
  c.max_body_size = 100;
  std::atomic<int> calls{0};
  HttpServer server(c, [&](const HttpRequest& r, const PeerInfo& p) {
    ++calls;
    return Hello(r, p);
  });
  ASSERT_TRUE(server.Start().ok());
  std::string big_header =
      "GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') +
      "\r\n\r\n";
  EXPECT_EQ(RawExchange(server.port(), big_header).rfind("HTTP/1.1 431 ", 0),
            0u);
  // Refused on the Content-Length alone: the body is never sent.
  std::string big_body =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 101\r\n\r\n";
  EXPECT_EQ(RawExchange(server.port(), big_body).rfind("HTTP/1.1 413 ", 0), 0u);
  // Chunked bodies are counted as they arrive.
  std::string chunked =
      "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "64\r\n" +
      std::string(100, 'b') + "\r\n1\r\nc\r\n0\r\n\r\n";
  EXPECT_EQ(RawExchange(server.port(), chunked).rfind("HTTP/1.1 413 ", 0), 0u);
  std::string fits =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n"
      "Connection: close\r\n\r\n" +
      std::string(100, 'd');
  EXPECT_EQ(RawExchange(server.port(), fits).rfind("HTTP/1.1 200 ", 0), 0u);
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, ExpectContinueIsAnsweredBeforeTheBody) {
  HttpServer server({}, Hello);
  ASSERT_TRUE(server.Start().ok());
  int fd = testing::ConnectLoopback(server.port());
  ASSERT_GE(fd, 0);
  std::string head =
      "POST /c HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
      "Expect: 100-continue\r\nConnection: close\r\n\r\n";
  send(fd, head.data(), head.size(), MSG_NOSIGNAL);
  std::string interim = testing::ReadUntilClose(fd, 200ms);
  EXPECT_EQ(interim, "HTTP/1.1 100 Continue\r\n\r\n");
  send(fd, "body", 4, MSG_NOSIGNAL);
  std::string final_reply = testing::ReadUntilClose(fd, 2000ms);
  close(fd);
  EXPECT_EQ(final_reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << final_reply;
  EXPECT_NE(final_reply.find("hello POST /c body"), std::string::npos);
}

TEST(HttpServerTest, HandlerExceptionGives500) {
  HttpServer server({},
                    [](const HttpRequest&, const PeerInfo&) -> HttpResponse {
                      throw std::runtime_error("boom");
                    });
  ASSERT_TRUE(server.Start().ok());
  auto r = HttpFetch({"GET", server.BaseUrl() + "/", {}, ""});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 500);
  EXPECT_NE(r->body.find("boom"), std::string::npos);
}

TEST(HttpServerTest, HandlerStatusReasonAndHeadersAreSentButFramingIsOurs) {
  HttpServer server({}, [](const HttpRequest&, const PeerInfo&) {
    HttpResponse r;
    r.status = 401;
    r.reason = "Unauthorized Here";
    r.headers = {{"WWW-Authenticate", "Basic realm=\"dm\""},
                 {"Content-Length", "999"},
                 {"X-Evil", "a\r\nInjected: 1"}};
    r.body = "no";
    return r;
  });
  ASSERT_TRUE(server.Start().ok());
  std::string reply = RawExchange(
      server.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 401 Unauthorized Here\r\n", 0), 0u);
  EXPECT_NE(reply.find("WWW-Authenticate: Basic realm=\"dm\"\r\n"),
            std::string::npos);
  EXPECT_NE(reply.find("Content-Length: 2\r\n"), std::string::npos);
  EXPECT_EQ(reply.find("999"), std::string::npos);
  EXPECT_EQ(reply.find("Injected"), std::string::npos);
}

TEST(HttpServerTest, StartStopAreIdempotentAndRestartable) {
  HttpServer server({}, Hello);
  ASSERT_TRUE(server.Start().ok());
  std::uint16_t first = server.port();
  ASSERT_TRUE(server.Start().ok());
  EXPECT_EQ(server.port(), first);
  EXPECT_TRUE(server.running());
  server.Stop();
  server.Stop();
  EXPECT_FALSE(server.running());
  ASSERT_TRUE(server.Start().ok());
  EXPECT_TRUE(StillServes(server));
}

TEST(HttpServerTest, StartReportsBadTlsFilesAndBindErrors) {
  HttpServerConfig c = Https();
  c.tls->key_file = "/nonexistent.key";
  HttpServer bad_key(c, Hello);
  auto s = bad_key.Start();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().rule, rules::kTlsConfig);
  EXPECT_NE(s.error().what.find("/nonexistent.key"), std::string::npos);

  HttpServer first({}, Hello);
  ASSERT_TRUE(first.Start().ok());
  HttpServerConfig same;
  same.port = first.port();
  HttpServer second(same, Hello);
  auto b = second.Start();
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.error().what.find("cannot listen"), std::string::npos);

  HttpServerConfig addr;
  addr.bind_address = "not-an-ip";
  EXPECT_FALSE(HttpServer(addr, Hello).Start().ok());
}

TEST(HttpServerTest, ConnectionsBeyondTheLimitAreClosed) {
  HttpServerConfig c;
  c.max_connections = 1;
  HttpServer server(c, Hello);
  ASSERT_TRUE(server.Start().ok());
  HttpSession hold;  // keeps one connection open
  ASSERT_TRUE(hold.Fetch({"GET", server.BaseUrl() + "/", {}, ""}).ok());
  auto refused = HttpFetch({"GET", server.BaseUrl() + "/", {}, ""});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().rule, rules::kClosed);
  hold.Close();
  std::this_thread::sleep_for(100ms);  // the server notices the close
  EXPECT_TRUE(StillServes(server));
}

TEST(HttpServerTest, SeveralIoThreadsServeConcurrentClients) {
  HttpServerConfig c = Https();
  c.threads = 2;
  std::atomic<int> calls{0};
  HttpServer server(c, [&](const HttpRequest& r, const PeerInfo& p) {
    ++calls;
    return Hello(r, p);
  });
  ASSERT_TRUE(server.Start().ok());
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t)
    clients.emplace_back([&, t] {
      HttpClientOptions o;
      o.tls.ca_file = TlsFixture("ca.pem");
      HttpSession session(o);
      for (int i = 0; i < 5; ++i) {
        std::string path = "/" + std::to_string(t) + "/" + std::to_string(i);
        auto r = session.Fetch({"GET", server.BaseUrl() + path, {}, ""});
        if (r.ok() && r->body == "hello GET " + path + " ") ++ok;
      }
    });
  for (auto& th : clients) th.join();
  EXPECT_EQ(ok.load(), 20);
  EXPECT_EQ(calls.load(), 20);
  EXPECT_EQ(server.accepted_connections(), 4u);
}

// --- A real independent client: curl --------------------------------------

std::string Curl(const std::string& args, int* exit_code) {
  if (omaiop::testing::FindOnPath("curl").empty()) {
    ADD_FAILURE() << "curl not found: run scripts/setup (package curl)";
    *exit_code = -1;
    return "";
  }
  return omaiop::testing::RunCommand("curl -sS --max-time 10 " + args,
                                     exit_code, /*merge_stderr=*/true);
}

TEST(HttpServerCurlTest, CurlFetchesOverHttpsTrustingTheFixtureCa) {
  HttpRequest seen;
  std::mutex mu;
  HttpServer server(Https(), [&](const HttpRequest& r, const PeerInfo& p) {
    std::lock_guard<std::mutex> lock(mu);
    seen = r;
    return Hello(r, p);
  });
  ASSERT_TRUE(server.Start().ok());
  int rc = 0;
  std::string out = Curl("--cacert " + TlsFixture("ca.pem") +
                             " -H 'Content-Type: application/vnd.syncml.dm+xml'"
                             " --data-binary '<SyncML/>' https://localhost:" +
                             std::to_string(server.port()) + "/dm?s=1",
                         &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "hello POST /dm?s=1 <SyncML/>");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(FindHeader(seen.headers, "content-type"),
            "application/vnd.syncml.dm+xml");
}

TEST(HttpServerCurlTest, CurlRefusesOurServerWithoutTheCa) {
  HttpServer server(Https(), Hello);
  ASSERT_TRUE(server.Start().ok());
  int rc = 0;
  // An empty CA bundle: curl must not trust the test certificate.
  std::string out = Curl("--cacert /dev/null https://localhost:" +
                             std::to_string(server.port()) + "/",
                         &rc);
  EXPECT_NE(rc, 0) << out;
}

TEST(HttpServerCurlTest, CurlReusesOneConnectionForTwoRequests) {
  HttpServer server({}, Hello);
  ASSERT_TRUE(server.Start().ok());
  int rc = 0;
  std::string base = server.BaseUrl();
  std::string out = Curl(base + "/a " + base + "/b", &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "hello GET /a hello GET /b ");
  EXPECT_EQ(server.accepted_connections(), 1u);
}

TEST(HttpServerCurlTest, ClientCertificateRequired) {
  PeerInfo seen;
  std::mutex mu;
  HttpServer server(Https(TlsServerConfig::ClientCert::kRequired),
                    [&](const HttpRequest& r, const PeerInfo& p) {
                      std::lock_guard<std::mutex> lock(mu);
                      seen = p;
                      return Hello(r, p);
                    });
  ASSERT_TRUE(server.Start().ok());
  std::string url = "https://localhost:" + std::to_string(server.port()) + "/";
  int rc = 0;
  std::string out = Curl("--cacert " + TlsFixture("ca.pem") + " " + url, &rc);
  EXPECT_NE(rc, 0) << "served without a client certificate: " << out;

  out = Curl("--cacert " + TlsFixture("ca.pem") + " --cert " +
                 TlsFixture("client.pem") + " --key " +
                 TlsFixture("client.key") + " " + url,
             &rc);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_EQ(out, "hello GET / ");
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_TRUE(seen.client_cert_verified);
  EXPECT_EQ(seen.client_cert_subject, "CN=omaiop-test-client,O=omaiop test");
  EXPECT_EQ(seen.client_cert_issuer, "CN=omaiop test CA,O=omaiop test");

  // A certificate from no trusted CA (the self-signed one) is refused too.
  out = Curl("--cacert " + TlsFixture("ca.pem") + " --cert " +
                 TlsFixture("selfsigned.pem") + " --key " +
                 TlsFixture("selfsigned.key") + " " + url,
             &rc);
  EXPECT_NE(rc, 0) << out;
}

}  // namespace
}  // namespace omaiop::sim::network
