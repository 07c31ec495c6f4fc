#include "codec/cp_security.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace omaiop::codec {
namespace {

constexpr char kRuleSec[] = "OMA-WAP-ProvBoot §5 (cp.md §2.1 SEC methods)";
constexpr char kRuleImsi[] =
    "GSM 11.11 §10.3.2 EF_IMSI / cp.md §2.1 IMSI -> key";
constexpr char kRulePinMac[] = "OMA-WAP-ProvBoot §5 USERPINMAC (cp.md §2.1)";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpperHex(char c) { return IsDigit(c) || (c >= 'A' && c <= 'F'); }
bool IsLowerHex(char c) { return c >= 'a' && c <= 'f'; }

// The n check digits of USERPINMAC.
std::string PinMacDigits(std::string_view k, ByteView body, std::size_t n) {
  Bytes m = HmacSha1(AsBytes(k), body);
  std::string out;
  for (std::size_t i = 0; i < n && i < m.size(); ++i)
    out.push_back(static_cast<char>('0' + m[i] % 10));
  return out;
}

}  // namespace

std::string_view SecMethodName(SecMethod m) {
  switch (m) {
    case SecMethod::kNetwPin:
      return "NETWPIN";
    case SecMethod::kUserPin:
      return "USERPIN";
    case SecMethod::kUserNetwPin:
      return "USERNETWPIN";
    case SecMethod::kUserPinMac:
      return "USERPINMAC";
  }
  return "?";
}

std::optional<SecMethod> SecMethodFromWire(std::uint32_t value) {
  if (value > 3) return std::nullopt;
  return static_cast<SecMethod>(value);
}

Result<Bytes> ImsiToKey(std::string_view imsi) {
  if (imsi.empty()) return Error("empty IMSI", 0, kRuleImsi);
  // TS 23.003 §2.2: an IMSI has at most 15 digits; EF_IMSI holds 8 octets.
  if (imsi.size() > 15) {
    return Error("IMSI has " + std::to_string(imsi.size()) +
                     " digits, at most 15 allowed",
                 15, "3GPP TS 23.003 §2.2");
  }
  for (std::size_t i = 0; i < imsi.size(); ++i) {
    if (!IsDigit(imsi[i])) {
      return Error(std::string("non-digit character '") + imsi[i] + "' in IMSI",
                   i, kRuleImsi);
    }
  }
  const bool odd = imsi.size() % 2 == 1;
  std::vector<std::uint8_t> nibbles;
  nibbles.push_back(odd ? 0x9 : 0x1);  // type "001" + odd-parity bit 3
  for (char c : imsi) nibbles.push_back(static_cast<std::uint8_t>(c - '0'));
  if (nibbles.size() % 2) nibbles.push_back(0xF);  // filler
  Bytes key;
  for (std::size_t i = 0; i < nibbles.size(); i += 2)
    key.push_back(static_cast<std::uint8_t>(nibbles[i + 1] << 4 | nibbles[i]));
  return key;
}

Result<Bytes> DeriveKey(SecMethod method, std::string_view imsi,
                        std::string_view pin) {
  switch (method) {
    case SecMethod::kNetwPin:
      return ImsiToKey(imsi);
    case SecMethod::kUserPin:
    case SecMethod::kUserPinMac: {
      ByteView p = AsBytes(pin);
      return Bytes(p.begin(), p.end());
    }
    case SecMethod::kUserNetwPin: {
      OMAIOP_ASSIGN_OR_RETURN(Bytes key, ImsiToKey(imsi));
      ByteView p = AsBytes(pin);
      key.insert(key.end(), p.begin(), p.end());  // IMSI first, then PIN
      return key;
    }
  }
  return Error("unknown SEC method", Diagnostic::kNoOffset, kRuleSec);
}

Bytes HmacSha1(ByteView key, ByteView data) {
  Bytes out(EVP_MAX_MD_SIZE);
  unsigned int len = 0;
  static const std::uint8_t kEmpty = 0;
  HMAC(EVP_sha1(), key.empty() ? &kEmpty : key.data(),
       static_cast<int>(key.size()), data.empty() ? &kEmpty : data.data(),
       data.size(), out.data(), &len);
  out.resize(len);
  return out;
}

Result<std::string> ComputeMac(SecMethod method, std::string_view imsi,
                               std::string_view pin, ByteView body) {
  OMAIOP_ASSIGN_OR_RETURN(Bytes key, DeriveKey(method, imsi, pin));
  return ToHex(HmacSha1(key, body), HexCase::kUpper);
}

std::string_view MacVerdictName(MacVerdict v) {
  switch (v) {
    case MacVerdict::kMatches:
      return "matches";
    case MacVerdict::kDoesNotMatch:
      return "does not match";
    case MacVerdict::kMalformedLength:
      return "malformed: wrong length";
    case MacVerdict::kMalformedNonHex:
      return "malformed: non-hex character";
    case MacVerdict::kLowerCaseRejected:
      return "malformed: lower-case hex rejected";
  }
  return "?";
}

Result<MacVerification> VerifyMac(SecMethod method, std::string_view imsi,
                                  std::string_view pin, ByteView body,
                                  std::string_view mac_text,
                                  MacVerifyOptions options) {
  MacVerification v;
  OMAIOP_ASSIGN_OR_RETURN(v.expected_mac, ComputeMac(method, imsi, pin, body));
  if (mac_text.size() != 40) {
    v.verdict = MacVerdict::kMalformedLength;
    v.detail = "MAC has " + std::to_string(mac_text.size()) +
               " characters, expected 40 hex characters (20-octet HMAC-SHA1)";
    return v;
  }
  std::string upper(mac_text);
  for (std::size_t i = 0; i < mac_text.size(); ++i) {
    char c = mac_text[i];
    if (IsUpperHex(c)) continue;
    if (IsLowerHex(c)) {
      if (!options.accept_lower_case) {
        v.verdict = MacVerdict::kLowerCaseRejected;
        v.detail = "lower-case hex '" + std::string(1, c) + "' at index " +
                   std::to_string(i) +
                   " (text comparison against upper-case, as Intel "
                   "CPClient does)";
        return v;
      }
      upper[i] = static_cast<char>(c - 'a' + 'A');
      continue;
    }
    v.verdict = MacVerdict::kMalformedNonHex;
    v.detail = "non-hex character 0x" + ToHex(AsBytes(mac_text.substr(i, 1))) +
               " at index " + std::to_string(i);
    return v;
  }
  if (upper == v.expected_mac) {
    v.verdict = MacVerdict::kMatches;
    v.detail = "MAC verifies with " + std::string(SecMethodName(method));
  } else {
    v.verdict = MacVerdict::kDoesNotMatch;
    v.detail = "MAC " + upper + " differs from HMAC-SHA1 " + v.expected_mac +
               " computed with " + std::string(SecMethodName(method));
  }
  return v;
}

Result<std::string> MakeUserPinMacPin(std::string_view k, ByteView body) {
  if (k.empty()) return Error("empty USERPINMAC key K", 0, kRulePinMac);
  if (k.size() > 20) {
    return Error("USERPINMAC key K has " + std::to_string(k.size()) +
                     " digits; at most 20 (one per HMAC octet)",
                 20, kRulePinMac);
  }
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (!IsDigit(k[i]))
      return Error("non-digit in USERPINMAC key K", i, kRulePinMac);
  }
  return std::string(k) + PinMacDigits(k, body, k.size());
}

std::string_view UserPinMacVerdictName(UserPinMacVerdict v) {
  switch (v) {
    case UserPinMacVerdict::kMatches:
      return "matches";
    case UserPinMacVerdict::kDoesNotMatch:
      return "does not match";
    case UserPinMacVerdict::kEmpty:
      return "empty PIN";
    case UserPinMacVerdict::kOddLength:
      return "odd PIN length";
    case UserPinMacVerdict::kNonDigit:
      return "non-digit in PIN";
    case UserPinMacVerdict::kTooShort:
      return "PIN too short";
    case UserPinMacVerdict::kTooLong:
      return "PIN too long";
  }
  return "?";
}

UserPinMacVerification VerifyUserPinMac(std::string_view pin, ByteView body,
                                        UserPinMacOptions options) {
  UserPinMacVerification v;
  if (pin.empty()) {
    v.verdict = UserPinMacVerdict::kEmpty;
    v.detail = "empty PIN";
    return v;
  }
  for (std::size_t i = 0; i < pin.size(); ++i) {
    if (!IsDigit(pin[i])) {
      v.verdict = UserPinMacVerdict::kNonDigit;
      v.detail = "non-digit at index " + std::to_string(i);
      return v;
    }
  }
  if (pin.size() % 2) {
    v.verdict = UserPinMacVerdict::kOddLength;
    v.detail = "PIN has " + std::to_string(pin.size()) +
               " digits; USERPINMAC needs 2n (K || m)";
    return v;
  }
  const std::size_t n = pin.size() / 2;
  if (n > 20) {
    v.verdict = UserPinMacVerdict::kTooLong;
    v.detail = "n = " + std::to_string(n) + " > 20";
    return v;
  }
  if (options.require_half_length_5 && n < 5) {
    v.verdict = UserPinMacVerdict::kTooShort;
    v.detail = "PIN has " + std::to_string(pin.size()) +
               " digits; require_half_length_5 needs at least 10 (Intel)";
    return v;
  }
  std::string_view k = pin.substr(0, n), m = pin.substr(n);
  std::string expected = PinMacDigits(k, body, n);
  if (m == expected) {
    v.verdict = UserPinMacVerdict::kMatches;
    v.detail = "check digits match";
  } else {
    v.verdict = UserPinMacVerdict::kDoesNotMatch;
    v.detail = "check digits " + std::string(m) + " differ from " + expected +
               " computed from K = " + std::string(k);
  }
  return v;
}

}  // namespace omaiop::codec
