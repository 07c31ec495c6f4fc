// http / https URLs as the transport needs them (RFC 3986 §3, RFC 9110 §4.2):
// scheme, host (a reg-name, an IPv4 address or a bracketed IPv6 literal),
// port (default 80 / 443) and the request target (path + query). The parser
// is strict because URLs come from hostile input (a CP document's PROVURL, a
// DM server's redirect): no whitespace or control bytes, no raw non-ASCII,
// no IPv6 zone identifiers, ports 1..65535, bounded length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "codec/result.h"

namespace omaiop::sim::network {

struct Url {
  std::string scheme;      // "http" or "https", lower case
  std::string userinfo;    // as written (before '@'), usually empty; not sent
  std::string host;        // lower case; an IPv6 literal without brackets
  std::uint16_t port = 0;  // explicit or the scheme's default
  bool port_explicit = false;
  bool ipv6_literal = false;
  std::string target;  // path + optional "?query", at least "/"; no fragment

  bool tls() const { return scheme == "https"; }
  // IPv4 dotted quad or IPv6 literal: no SNI, and the certificate is checked
  // against an iPAddress SAN (RFC 6125 §6.2, RFC 6066 §3).
  bool host_is_ip() const;
  // Host header value (RFC 9110 §7.2): host, bracketed if IPv6, and ":port"
  // when the port is not the scheme's default.
  std::string HostHeader() const;
  // "scheme://host[:port]", the connection identity used by HttpSession.
  std::string Origin() const;
  // Serialises back (without userinfo): ParseUrl(u.ToString()) == u.
  std::string ToString() const;

  bool operator==(const Url&) const = default;
};

inline constexpr std::size_t kMaxUrlLength = 8192;
inline constexpr char kUrlRule[] = "RFC 3986 §3";

// Parses an absolute http(s) URL. Errors carry the byte offset in `text`.
codec::Result<Url> ParseUrl(std::string_view text);

}  // namespace omaiop::sim::network
