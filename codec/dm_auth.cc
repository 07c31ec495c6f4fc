#include "codec/dm_auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>
#include <string>

namespace omaiop::codec {

namespace {

constexpr const char* kRuleMd5 = "OMA-TS-DM_Security-V1_2 §5.1.3.2";
constexpr const char* kRuleHmac = "OMA-TS-DM_Security-V1_2 §5.1.4 (HMAC)";
constexpr const char* kRuleB64 = "RFC 4648 §4";

bool IsB64Alpha(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
         (c >= '0' && c <= '9') || c == '+' || c == '/';
}
bool IsFoldSpace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

Bytes Concat(std::string_view a, ByteView b) {
  Bytes out(a.begin(), a.end());
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

// H(B64(H(user ":" pwd)) ":" nonce ...) prefix shared by md5 and HMAC.
Bytes UserPassNoncePrefix(std::string_view user, std::string_view pwd,
                          ByteView nonce) {
  std::string up = std::string(user) + ":" + std::string(pwd);
  return Concat(B64Md5(AsBytes(up)) + ":", nonce);
}

}  // namespace

Bytes Md5(ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  // EVP_Digest rather than the deprecated MD5() one-shot.
  EVP_Digest(data.data(), data.size(), out.data(), &len, EVP_md5(), nullptr);
  out.resize(len);
  return out;
}

std::string Base64Encode(ByteView data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          data.data(), static_cast<int>(data.size()));
  out.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  return out;
}

Result<Bytes> Base64Decode(std::string_view text, std::size_t base_offset) {
  // We validate ourselves (EVP_DecodeBlock only says "-1") so the
  // diagnostic can name the offending character's offset.
  std::string clean;
  std::vector<std::size_t> where;  // index in text of each clean char
  clean.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (IsFoldSpace(c)) continue;
    if (!IsB64Alpha(c) && c != '=') {
      return Error(
          "invalid base64 character 0x" + ToHex(AsBytes(text.substr(i, 1))),
          base_offset + i, kRuleB64);
    }
    clean.push_back(c);
    where.push_back(i);
  }
  if (clean.empty()) return Bytes{};
  if (clean.size() % 4 != 0) {
    return Error("base64 length " + std::to_string(clean.size()) +
                     " is not a multiple of 4",
                 base_offset + text.size(), kRuleB64);
  }
  std::size_t pad = 0;
  if (clean.back() == '=') ++pad;
  if (clean.size() >= 2 && clean[clean.size() - 2] == '=') {
    if (pad == 0)
      return Error("'=' padding followed by data",
                   base_offset + where[clean.size() - 2], kRuleB64);
    ++pad;
  }
  for (std::size_t i = 0; i + pad < clean.size(); ++i) {
    if (clean[i] == '=')
      return Error("'=' padding before the end of the data",
                   base_offset + where[i], kRuleB64);
  }
  Bytes out(clean.size() / 4 * 3);
  int n = EVP_DecodeBlock(out.data(),
                          reinterpret_cast<const unsigned char*>(clean.data()),
                          static_cast<int>(clean.size()));
  if (n < 0) return Error("invalid base64", base_offset, kRuleB64);
  // EVP_DecodeBlock counts the zero octets standing for '=' padding.
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::string B64Md5(ByteView data) { return Base64Encode(Md5(data)); }

std::string_view DmAuthTypeName(DmAuthType t) {
  switch (t) {
    case DmAuthType::kBasic:
      return "syncml:auth-basic";
    case DmAuthType::kMd5:
      return "syncml:auth-md5";
    case DmAuthType::kHmac:
      return "syncml:auth-MAC";
  }
  return "";
}

Result<DmAuthType> ParseDmAuthType(std::string_view meta_type) {
  for (auto t : {DmAuthType::kBasic, DmAuthType::kMd5, DmAuthType::kHmac})
    if (meta_type == DmAuthTypeName(t)) return t;
  return PathError(
      "unsupported authentication type '" + std::string(meta_type) + "'",
      "Meta/Type", "OMA-TS-DM_Security-V1_2 §5.1.3");
}

std::string BasicCredential(std::string_view username,
                            std::string_view password) {
  std::string up = std::string(username) + ":" + std::string(password);
  return Base64Encode(AsBytes(up));
}

Result<Bytes> NonceForDigest(std::string_view next_nonce_b64, NonceForm form) {
  if (form == NonceForm::kBase64Text) {
    auto b = AsBytes(next_nonce_b64);
    return Bytes(b.begin(), b.end());
  }
  return DecodeNextNonce(next_nonce_b64);
}

std::string Md5Credential(std::string_view username, std::string_view password,
                          ByteView nonce) {
  return B64Md5(UserPassNoncePrefix(username, password, nonce));
}

bool VerifyMd5Credential(std::string_view cred_data, std::string_view username,
                         std::string_view password, ByteView nonce) {
  return ConstantTimeEqual(cred_data, Md5Credential(username, password, nonce));
}

bool VerifyBasicCredential(std::string_view cred_data,
                           std::string_view username,
                           std::string_view password) {
  return ConstantTimeEqual(cred_data, BasicCredential(username, password));
}

std::string ComputeHmacMac(std::string_view username, std::string_view password,
                           ByteView nonce, ByteView body,
                           MacEncoding encoding) {
  Bytes data = UserPassNoncePrefix(username, password, nonce);
  std::string tail = ":";  // (not ":" + s: GCC 12 -Wrestrict false positive)
  tail += B64Md5(body);
  data.insert(data.end(), tail.begin(), tail.end());
  if (encoding == MacEncoding::kBase64OfHexDigest)
    return Base64Encode(AsBytes(ToHex(Md5(data), HexCase::kLower)));
  return B64Md5(data);
}

std::string BuildHmacHeaderValue(const HmacHeader& h) {
  std::string user;
  for (char c : h.username) {
    if (c == '"' || c == '\\') user.push_back('\\');
    user.push_back(c);
  }
  return "algorithm=" + h.algorithm + ", username=\"" + user +
         "\", mac=" + h.mac;
}

std::string BuildHmacHeaderLine(const HmacHeader& h) {
  return std::string(kHmacHeaderName) + ": " + BuildHmacHeaderValue(h);
}

Result<HmacHeader> ParseHmacHeader(std::string_view text,
                                   std::size_t base_offset) {
  const std::size_t n = text.size();
  std::size_t i = 0;
  auto err = [&](std::string what, std::size_t at) {
    return Error(std::move(what), base_offset + at, kRuleHmac);
  };
  auto is_ctl = [](unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7F;
  };
  auto skip_ws = [&] {
    while (i < n && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  auto lower = [](std::string_view s) {
    std::string o(s);
    for (auto& c : o)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return o;
  };

  skip_ws();
  if (n - i >= kHmacHeaderName.size() &&
      lower(text.substr(i, kHmacHeaderName.size())) == kHmacHeaderName) {
    i += kHmacHeaderName.size();
    skip_ws();
    if (i >= n || text[i] != ':')
      return err("expected ':' after header name x-syncml-hmac", i);
    ++i;
  }

  HmacHeader h;
  h.algorithm.clear();
  bool seen_alg = false, seen_user = false, seen_mac = false;
  std::size_t mac_at = 0, alg_at = 0;
  while (true) {
    skip_ws();
    if (i >= n) break;
    if (text[i] == ',') {  // tolerate empty list elements
      ++i;
      continue;
    }
    const std::size_t name_at = i;
    while (i < n && (std::isalnum(static_cast<unsigned char>(text[i])) ||
                     text[i] == '-' || text[i] == '_'))
      ++i;
    if (i == name_at)
      return err("expected a parameter name, found 0x" +
                     ToHex(AsBytes(text.substr(i, 1))),
                 i);
    std::string name = lower(text.substr(name_at, i - name_at));
    skip_ws();
    if (i >= n || text[i] != '=')
      return err("expected '=' after parameter '" + name + "'", i);
    ++i;
    skip_ws();
    std::string value;
    const std::size_t value_at = i;
    std::size_t value_text_at = i;
    if (i < n && text[i] == '"') {
      ++i;
      value_text_at = i;
      bool closed = false;
      while (i < n) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        if (c == '"') {
          closed = true;
          ++i;
          break;
        }
        if (c == '\\') {
          if (i + 1 >= n) break;
          ++i;
          c = static_cast<unsigned char>(text[i]);
        }
        if (is_ctl(c))
          return err("control character in quoted value of '" + name + "'", i);
        value.push_back(static_cast<char>(c));
        ++i;
      }
      if (!closed)
        return err("unterminated quoted value of '" + name + "'", value_at);
    } else {
      while (i < n && text[i] != ',' && text[i] != ' ' && text[i] != '\t') {
        if (is_ctl(static_cast<unsigned char>(text[i])) || text[i] == '"')
          return err("invalid character 0x" +
                         ToHex(AsBytes(text.substr(i, 1))) + " in value of '" +
                         name + "'",
                     i);
        value.push_back(text[i]);
        ++i;
      }
      if (value.empty()) return err("empty value of '" + name + "'", value_at);
    }
    skip_ws();
    if (i < n && text[i] != ',')
      return err("expected ',' after value of '" + name + "'", i);

    auto dup = [&](bool& seen) -> bool {
      if (seen) return true;
      seen = true;
      return false;
    };
    if (name == "algorithm") {
      if (dup(seen_alg)) return err("duplicate parameter 'algorithm'", name_at);
      h.algorithm = value;
      alg_at = value_at;
    } else if (name == "username") {
      if (dup(seen_user)) return err("duplicate parameter 'username'", name_at);
      h.username = value;
    } else if (name == "mac") {
      if (dup(seen_mac)) return err("duplicate parameter 'mac'", name_at);
      h.mac = value;
      mac_at = value_text_at;
    }
    // Other parameters are ignored (extension point).
  }
  if (!seen_user) return err("missing parameter 'username'", n);
  if (!seen_mac) return err("missing parameter 'mac'", n);
  if (h.mac.empty()) return err("empty value of 'mac'", mac_at);
  // algorithm is optional and defaults to MD5; any other is unsupported.
  if (!seen_alg) {
    h.algorithm = "MD5";
  } else if (lower(h.algorithm) != "md5") {
    return err("unsupported algorithm '" + h.algorithm + "' (only MD5)",
               alg_at);
  }
  auto mac = Base64Decode(h.mac, base_offset + mac_at);
  if (!mac.ok()) {
    Diagnostic d = mac.error();
    d.what = "mac is not base64: " + d.what;
    d.rule = kRuleHmac;
    return d;
  }
  const bool hex_form =
      mac->size() == 32 &&
      std::all_of(mac->begin(), mac->end(),
                  [](std::uint8_t c) { return std::isxdigit(c) != 0; });
  if (mac->size() != 16 && !hex_form)
    return err("mac decodes to " + std::to_string(mac->size()) +
                   " octets; expected an MD5 digest (16 octets, or 32 hex "
                   "digits)",
               mac_at);
  return h;
}

Status VerifyHmac(const HmacHeader& h, std::string_view password,
                  ByteView nonce, ByteView body, MacEncoding encoding) {
  std::string expect =
      ComputeHmacMac(h.username, password, nonce, body, encoding);
  if (!ConstantTimeEqual(h.mac, expect)) {
    return Diagnostic{
        "x-syncml-hmac mac does not match the body for username '" +
            h.username + "'",
        Diagnostic::kNoOffset, kRuleHmac, kHmacHeaderName.data()};
  }
  return OkStatus();
}

Result<Bytes> DecodeNextNonce(std::string_view next_nonce_b64,
                              std::size_t base_offset) {
  auto r = Base64Decode(next_nonce_b64, base_offset);
  if (!r.ok()) {
    Diagnostic d = r.error();
    d.what = "NextNonce: " + d.what;
    d.rule = std::string(kRuleMd5) + ", " + d.rule;
    return d;
  }
  return r;
}

Result<Bytes> FreshNonce(std::size_t octets) {
  Bytes out(octets);
  if (octets > 0 && RAND_bytes(out.data(), static_cast<int>(octets)) != 1)
    return Error("RAND_bytes failed", Diagnostic::kNoOffset,
                 "OMA-TS-DM_Security-V1_2 §5.1.3.3");
  return out;
}

}  // namespace omaiop::codec
