#include "sim/network/url.h"

#include <arpa/inet.h>

#include <cstdio>

namespace omaiop::sim::network {
namespace {

using codec::Error;

bool IsAlpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHex(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsUnreserved(char c) {  // RFC 3986 §2.3
  return IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' ||
         c == '~';
}
bool IsSubDelim(char c) {  // RFC 3986 §2.2
  switch (c) {
    case '!':
    case '$':
    case '&':
    case '\'':
    case '(':
    case ')':
    case '*':
    case '+':
    case ',':
    case ';':
    case '=':
      return true;
    default:
      return false;
  }
}
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

std::string ByteName(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// Checks `s` (starting at absolute offset `base`) against `allowed` plus
// percent-encoding (RFC 3986 §2.1).
template <typename Allowed>
codec::Status CheckChars(std::string_view s, std::size_t base,
                         std::string_view component, Allowed allowed) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size() || !IsHex(s[i + 1]) || !IsHex(s[i + 2]))
        return Error("bad percent-encoding in " + std::string(component) +
                         " (need '%' and two hex digits)",
                     base + i, "RFC 3986 §2.1");
      i += 2;
      continue;
    }
    if (!allowed(c))
      return Error("character '" + std::string(1, c) + "' not allowed in " +
                       std::string(component),
                   base + i, kUrlRule);
  }
  return codec::OkStatus();
}

bool IsPchar(char c) {  // RFC 3986 §3.3, without pct-encoded
  return IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@';
}

// host, in brackets if an IPv6 literal (RFC 3986 §3.2.2). Built by appends:
// `":" + std::to_string(port)` and the like trip GCC 12's -Wrestrict
// false positive (PR 105329).
std::string HostForUri(const std::string& host, bool ipv6) {
  std::string s;
  if (ipv6) s += '[';
  s += host;
  if (ipv6) s += ']';
  return s;
}

}  // namespace

bool Url::host_is_ip() const {
  if (ipv6_literal) return true;
  in_addr a4;
  return inet_pton(AF_INET, host.c_str(), &a4) == 1;
}

std::string Url::HostHeader() const {
  std::string h = HostForUri(host, ipv6_literal);
  std::uint16_t def = tls() ? 443 : 80;
  if (port != def) {
    h += ':';
    h += std::to_string(port);
  }
  return h;
}

std::string Url::Origin() const {
  return scheme + "://" + HostForUri(host, ipv6_literal) + ":" +
         std::to_string(port);
}

std::string Url::ToString() const {
  std::string s = scheme + "://" + HostForUri(host, ipv6_literal);
  if (port_explicit) {
    s += ':';
    s += std::to_string(port);
  }
  return s + target;
}

codec::Result<Url> ParseUrl(std::string_view text) {
  if (text.size() > kMaxUrlLength)
    return Error("URL longer than " + std::to_string(kMaxUrlLength) + " bytes",
                 kMaxUrlLength, kUrlRule);
  if (text.empty()) return Error("empty URL", 0, kUrlRule);
  // Whitespace, control bytes and raw non-ASCII must be percent-encoded
  // (RFC 3986 §2); refusing them here keeps every later step ASCII-only.
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c <= 0x20 || c >= 0x7f)
      return Error("byte " + ByteName(c) +
                       " (space, control or non-ASCII) must be percent-encoded",
                   i, "RFC 3986 §2");
  }

  Url u;
  // scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )  (§3.1)
  std::size_t colon = text.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return Error("missing scheme (expected \"http://\" or \"https://\")", 0,
                 "RFC 3986 §3.1");
  for (std::size_t i = 0; i < colon; ++i) {
    char c = text[i];
    if (!(IsAlpha(c) ||
          (i > 0 && (IsDigit(c) || c == '+' || c == '-' || c == '.'))))
      return Error("bad scheme character '" + std::string(1, c) + "'", i,
                   "RFC 3986 §3.1");
    u.scheme += Lower(c);
  }
  if (u.scheme != "http" && u.scheme != "https")
    return Error(
        "unsupported scheme \"" + u.scheme + "\" (only http and https)", 0,
        "RFC 9110 §4.2");
  if (text.substr(colon + 1, 2) != "//")
    return Error("expected \"//\" after the scheme", colon + 1,
                 "RFC 3986 §3.2");

  std::size_t auth_begin = colon + 3;
  std::size_t auth_end = text.find_first_of("/?#", auth_begin);
  if (auth_end == std::string_view::npos) auth_end = text.size();
  std::string_view authority = text.substr(auth_begin, auth_end - auth_begin);

  // userinfo "@" (§3.2.1)
  std::size_t host_begin = auth_begin;
  std::size_t at = authority.find('@');
  if (at != std::string_view::npos) {
    if (authority.find('@', at + 1) != std::string_view::npos)
      return Error("more than one '@' in the authority",
                   auth_begin + authority.find('@', at + 1), "RFC 3986 §3.2.1");
    std::string_view ui = authority.substr(0, at);
    OMAIOP_RETURN_IF_ERROR(CheckChars(ui, auth_begin, "userinfo", [](char c) {
      return IsUnreserved(c) || IsSubDelim(c) || c == ':';
    }));
    u.userinfo = std::string(ui);
    host_begin = auth_begin + at + 1;
  }
  std::string_view hostport = text.substr(host_begin, auth_end - host_begin);

  std::string_view port_text;
  std::size_t port_offset = 0;
  bool has_port_colon = false;
  if (!hostport.empty() && hostport[0] == '[') {
    // IP-literal (§3.2.2): only IPv6address; no IPvFuture, no zone id.
    std::size_t close = hostport.find(']');
    if (close == std::string_view::npos)
      return Error("unterminated '[' IPv6 literal", host_begin,
                   "RFC 3986 §3.2.2");
    std::string_view lit = hostport.substr(1, close - 1);
    std::string lit_str(lit);
    in6_addr a6;
    if (lit.find('%') != std::string_view::npos)
      return Error("IPv6 zone identifiers are not supported",
                   host_begin + 1 + lit.find('%'), "RFC 6874");
    if (inet_pton(AF_INET6, lit_str.c_str(), &a6) != 1)
      return Error("invalid IPv6 literal \"" + lit_str + "\"", host_begin + 1,
                   "RFC 3986 §3.2.2");
    for (char c : lit) u.host += Lower(c);
    u.ipv6_literal = true;
    std::string_view rest = hostport.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':')
        return Error("unexpected character after ']'", host_begin + close + 1,
                     "RFC 3986 §3.2.2");
      has_port_colon = true;
      port_text = rest.substr(1);
      port_offset = host_begin + close + 2;
    }
  } else {
    std::size_t pc = hostport.find(':');
    std::string_view h = hostport.substr(0, pc);
    if (pc != std::string_view::npos) {
      has_port_colon = true;
      port_text = hostport.substr(pc + 1);
      port_offset = host_begin + pc + 1;
    }
    if (h.empty()) return Error("empty host", host_begin, "RFC 9110 §4.2.1");
    if (h.size() > 255)
      return Error("host name longer than 255 bytes", host_begin + 255,
                   "RFC 1035 §2.3.4");
    // reg-name allows sub-delims and percent-encoding (§3.2.2); a host to
    // resolve never needs them, so only unreserved characters are accepted.
    for (std::size_t i = 0; i < h.size(); ++i) {
      if (!IsUnreserved(h[i]))
        return Error("character '" + std::string(1, h[i]) +
                         "' not allowed in a host name",
                     host_begin + i, "RFC 3986 §3.2.2");
      u.host += Lower(h[i]);
    }
  }

  u.port = u.tls() ? 443 : 80;
  if (has_port_colon && !port_text.empty()) {  // empty port = default (§3.2.3)
    if (port_text.size() > 5)
      return Error("port number too long", port_offset, "RFC 3986 §3.2.3");
    unsigned value = 0;
    for (std::size_t i = 0; i < port_text.size(); ++i) {
      if (!IsDigit(port_text[i]))
        return Error("port must be decimal digits", port_offset + i,
                     "RFC 3986 §3.2.3");
      value = value * 10 + unsigned(port_text[i] - '0');
    }
    if (value == 0 || value > 65535)
      return Error("port " + std::to_string(value) + " out of range 1..65535",
                   port_offset, "RFC 3986 §3.2.3");
    u.port = static_cast<std::uint16_t>(value);
    u.port_explicit = true;
  }

  // path-abempty [ "?" query ] [ "#" fragment ]  (§3.3-§3.5)
  std::size_t hash = text.find('#', auth_end);
  std::string_view path_query = text.substr(
      auth_end,
      (hash == std::string_view::npos ? text.size() : hash) - auth_end);
  std::size_t q = path_query.find('?');
  std::string_view path = path_query.substr(0, q);
  OMAIOP_RETURN_IF_ERROR(CheckChars(
      path, auth_end, "path", [](char c) { return IsPchar(c) || c == '/'; }));
  if (q != std::string_view::npos) {
    OMAIOP_RETURN_IF_ERROR(
        CheckChars(path_query.substr(q + 1), auth_end + q + 1, "query",
                   [](char c) { return IsPchar(c) || c == '/' || c == '?'; }));
  }
  if (hash != std::string_view::npos) {
    OMAIOP_RETURN_IF_ERROR(
        CheckChars(text.substr(hash + 1), hash + 1, "fragment",
                   [](char c) { return IsPchar(c) || c == '/' || c == '?'; }));
  }
  u.target =
      path.empty() ? "/" + std::string(path_query) : std::string(path_query);
  return u;
}

}  // namespace omaiop::sim::network
