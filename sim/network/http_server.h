// HTTP/1.1 and HTTPS server (Boost.Beast over OpenSSL) on its own io
// thread(s), for simulated servers real clients connect to (omaiop's DM
// server, a CP document host). Generic: every request goes to one handler.
//
// Keep-alive per RFC 9112 §9.3; limits: a header larger than max_header_size
// gets 431 (RFC 6585 §5), a body larger than max_body_size 413 (RFC 9110
// §15.5.14), unparsable bytes 400; each then closes the connection.
// "Expect: 100-continue" (RFC 9110 §10.1.1) is answered before the body is
// read. A handler that throws yields 500. Connections beyond max_connections
// are closed on accept; idle ones after idle_timeout.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "codec/result.h"
#include "sim/network/http_message.h"

namespace omaiop::sim::network {

struct TlsServerConfig {
  std::string cert_file;  // PEM certificate chain
  std::string key_file;   // PEM private key
  enum class ClientCert { kNone, kOptional, kRequired };
  ClientCert client_cert = ClientCert::kNone;
  std::string client_ca_file;  // PEM anchors for client certificates
};

struct HttpServerConfig {
  std::string bind_address = "127.0.0.1";  // loopback by default
  std::uint16_t port = 0;                  // 0 = ephemeral; see port()
  std::optional<TlsServerConfig> tls;      // set: HTTPS only
  std::size_t max_header_size = 16 * 1024;
  std::size_t max_body_size = 1024 * 1024;
  std::chrono::milliseconds idle_timeout{30000};  // also bounds one request
  std::size_t max_connections = 64;
  int threads = 1;      // io threads; >1 means the handler runs concurrently
  HttpTraceSink trace;  // every request received and response sent
};

struct PeerInfo {
  std::string address;  // remote IP
  std::uint16_t port = 0;
  std::uint64_t connection = 0;   // 1-based accept order
  std::size_t request_index = 0;  // 0-based, on this connection
  bool tls = false;
  std::string tls_version;
  std::string server_name;  // SNI the client sent (RFC 6066 §3), or ""
  bool client_cert_present = false;
  bool client_cert_verified = false;
  std::string client_cert_subject;  // RFC 2253
  std::string client_cert_issuer;
};

using HttpHandler =
    std::function<HttpResponse(const HttpRequest&, const PeerInfo&)>;

class HttpServer {
 public:
  HttpServer(HttpServerConfig config, HttpHandler handler);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads TLS material, binds, listens and starts the io thread(s).
  // Idempotent while running.
  codec::Status Start();
  // Closes the listener and every connection, joins the threads. Idempotent;
  // Start() may be called again afterwards (a new ephemeral port if port 0).
  // Not from within the handler (it would join its own thread).
  void Stop();
  bool running() const { return impl_ != nullptr; }
  std::uint16_t port() const { return port_; }
  // "http(s)://host:port" to reach it (a wildcard bind maps to loopback).
  std::string BaseUrl() const;
  // Connections accepted since construction (including refused ones).
  std::uint64_t accepted_connections() const { return accepted_->load(); }

  struct Impl;

 private:
  HttpServerConfig config_;
  HttpHandler handler_;
  std::uint16_t port_ = 0;
  std::shared_ptr<std::atomic<std::uint64_t>> accepted_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace omaiop::sim::network
