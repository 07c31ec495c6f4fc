// Values shared by the HTTP client and server of sim/network: requests,
// responses, header lists, what is known about the connection (TLS
// verification, peer certificate), the exchange trace, and the stable rule
// strings errors carry. Generic HTTP/1.1 (RFC 9110 / RFC 9112): nothing here
// knows about CP or DM.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omaiop::sim::network {

// Header fields in wire order; names compare case-insensitively
// (RFC 9110 §5.1). Repeated fields stay separate entries.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

// First value of `name`, if present.
std::optional<std::string> FindHeader(const HttpHeaders& headers,
                                      std::string_view name);
// Replaces every `name` field by one with `value`.
void SetHeader(HttpHeaders& headers, std::string_view name,
               std::string_view value);

// A request. Client side: `url` is the absolute http(s) URL to fetch.
// Server side (handler input): `url` is the request-target as received
// (usually origin-form, "/path?query").
struct HttpRequest {
  std::string method = "GET";
  std::string url;
  HttpHeaders headers;  // client: extra fields (Host, Content-Length and
                        // User-Agent are added unless given)
  std::string body;     // octets (binary-safe, e.g. WBXML)
};

// What the client learned about the connection a response came over.
struct ConnectionInfo {
  std::string peer;              // "address:port" actually connected to
  std::uint64_t connection = 0;  // 1-based count of connections the session
                                 // opened; the one this response came over
  bool reused = false;           // sent over an already open (kept-alive) one
  bool tls = false;
  // Chain verified against the trust anchors and, when verify_hostname, the
  // name matched. Computed even when verify_peer is off (then the handshake
  // went ahead anyway and this says whether it would have passed).
  bool tls_verified = false;
  std::string tls_verify_error;  // X509_verify_cert_error_string, if not
  std::string tls_version;       // "TLSv1.3"
  std::string tls_cipher;
  std::string peer_cert_subject;  // RFC 2253, e.g. "CN=localhost,O=omaiop test"
  std::string peer_cert_issuer;
};

// A response. Server side (handler output) only status, reason (empty: the
// standard phrase), headers and body are used; Content-Length is set by the
// server.
struct HttpResponse {
  int status = 200;
  std::string reason;
  HttpHeaders headers;  // client: every field as received
  std::string body;
  ConnectionInfo connection;  // client only
};

// One HTTP message as it crossed the wire, for the harness's trace.
struct HttpTraceEvent {
  enum class Direction { kSent, kReceived };
  std::chrono::system_clock::time_point time;
  Direction direction = Direction::kSent;
  bool is_request = true;  // request (method, target) or response (status)
  std::string peer;        // remote "address:port"
  std::uint64_t connection = 0;
  bool tls = false;
  std::string method;   // requests
  std::string target;   // requests: request-target as on the wire
  int status = 0;       // responses
  std::string reason;   // responses
  HttpHeaders headers;  // as on the wire, including added ones
  std::string body;
};
using HttpTraceSink = std::function<void(const HttpTraceEvent&)>;

// Stable Diagnostic::rule strings of transport errors (callers match on
// these; the text in Diagnostic::what is for people).
namespace rules {
inline constexpr char kRequest[] = "net.http.request";  // bad request input
inline constexpr char kResolve[] = "net.resolve";
inline constexpr char kConnect[] = "net.connect";
inline constexpr char kTimeout[] = "net.timeout";
inline constexpr char kClosed[] = "net.closed";  // peer closed, no response
inline constexpr char kIo[] = "net.io";          // other socket errors
inline constexpr char kTlsConfig[] = "net.tls.config";  // cert/key/CA files
inline constexpr char kTlsHandshake[] = "net.tls.handshake";
inline constexpr char kTlsVerify[] = "net.tls.verify";      // chain, dates, ...
inline constexpr char kTlsHostname[] = "net.tls.hostname";  // name mismatch
inline constexpr char kTlsTruncated[] = "net.tls.truncated";
inline constexpr char kHttpProtocol[] = "net.http.protocol";  // RFC 9112
inline constexpr char kBodyLimit[] = "net.http.body_limit";
inline constexpr char kHeaderLimit[] = "net.http.header_limit";
}  // namespace rules

}  // namespace omaiop::sim::network
