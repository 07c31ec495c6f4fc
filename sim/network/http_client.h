// HTTP/1.1 and HTTPS client (Boost.Beast over OpenSSL), synchronous to the
// caller, with deadlines on every step. Used for CP's trusted fetch of a
// PROVURL document (CP 1.2: trusted only when the server certificate
// verifies) and for the DM session client (several POSTs on one connection).
//
// TLS: TLS 1.2 or later; SNI for host names (not IP literals, RFC 6066 §3);
// the name is checked against the certificate by OpenSSL (RFC 6125,
// X509_VERIFY_PARAM_set1_host / set1_ip_asc). A verification failure returns
// rule rules::kTlsVerify (or kTlsHostname for a name mismatch) and a text
// naming OpenSSL's reason (X509_verify_cert_error_string: "self-signed
// certificate", "certificate has expired", "hostname mismatch", ...).
//
// Not done: redirects are returned, not followed; no proxies; no HTTP/2;
// userinfo in the URL is not sent as credentials.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "codec/result.h"
#include "sim/network/http_message.h"

namespace omaiop::sim::network {

struct TlsClientConfig {
  std::string ca_file;  // PEM trust anchors; empty = OpenSSL's default paths
  bool verify_peer = true;       // off: handshake regardless; see
                                 // ConnectionInfo::tls_verified
  bool verify_hostname = true;   // check the URL host against the cert
  std::string client_cert_file;  // PEM certificate (chain); empty = none
  std::string client_key_file;   // PEM key; empty = in client_cert_file
  std::string server_name;       // SNI and name to verify; empty = the URL host
};

struct HttpClientOptions {
  // Resolve + TCP connect + TLS handshake.
  std::chrono::milliseconds connect_timeout{5000};
  // Writing the request and reading the whole response.
  std::chrono::milliseconds request_timeout{30000};
  std::size_t max_body_size = 16 * 1024 * 1024;  // larger: kBodyLimit
  std::size_t max_header_size = 64 * 1024;       // larger: kHeaderLimit
  TlsClientConfig tls;
  std::string user_agent = "omaiop";  // sent unless the request has one
  // A close-delimited body (no Content-Length, not chunked) over TLS ended by
  // a TCP close without close_notify may be truncated by an attacker
  // (RFC 8446 §6.1); refused (kTlsTruncated) unless this is set.
  bool accept_tls_truncation = false;
  HttpTraceSink trace;  // every request sent and response received
};

// Several requests over one kept-alive connection (RFC 9112 §9.3), as a DM
// session needs. The connection is opened on first use and reopened when the
// URL's origin changes, when the server said "Connection: close", or when a
// reused connection turns out to be closed by the server before it sent any
// response byte (then the request is sent once more on a new connection).
// Not thread-safe: one caller at a time.
class HttpSession {
 public:
  explicit HttpSession(HttpClientOptions options = {});
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  codec::Result<HttpResponse> Fetch(const HttpRequest& request);
  // Closes the connection (TLS close_notify first). Idempotent.
  void Close();
  bool connected() const;
  // Connections opened so far (1 after several kept-alive requests).
  std::uint64_t connections_opened() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// One request on a fresh connection ("Connection: close" is added unless the
// request has a Connection field).
codec::Result<HttpResponse> HttpFetch(const HttpRequest& request,
                                      const HttpClientOptions& options = {});

}  // namespace omaiop::sim::network
