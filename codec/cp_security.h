// OMA CP ProvBoot security: the four SEC methods, IMSI -> key packing,
// HMAC-SHA1 MAC computation/verification and the USERPINMAC PIN scheme.
// Facts: specs/cp.md §2.1 (VERIFIED-CODE: Nokia S60, Intel CPClient, Kannel).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::codec {

// WSP content-type parameter SEC values (cp.md §0; OMA-WAP-ProvBoot §5).
enum class SecMethod : std::uint8_t {
  kNetwPin = 0,
  kUserPin = 1,
  kUserNetwPin = 2,
  kUserPinMac = 3,
};

std::string_view SecMethodName(SecMethod m);  // "NETWPIN", ...
// nullopt for a wire value outside 0..3.
std::optional<SecMethod> SecMethodFromWire(std::uint32_t value);

// IMSI -> key: EF_IMSI content without its length byte (GSM 11.11 §10.3.2):
// header nibble 9 (odd digit count) or 1 (even, then an F filler nibble at
// the end), semi-octets packed low nibble first. 1..15 decimal digits.
Result<Bytes> ImsiToKey(std::string_view imsi);

// The HMAC key K for a method (cp.md §2.1 table): NETWPIN = IMSI key,
// USERPIN = PIN ASCII, USERNETWPIN = IMSI key || PIN ASCII, USERPINMAC = the
// K half of the PIN as ASCII (the caller passes K, not K||m). The IMSI is
// ignored by USERPIN/USERPINMAC and the PIN by NETWPIN.
Result<Bytes> DeriveKey(SecMethod method, std::string_view imsi,
                        std::string_view pin);

// HMAC-SHA1 (RFC 2104) via OpenSSL; 20 octets.
Bytes HmacSha1(ByteView key, ByteView data);

// The MAC parameter text: 40 upper-case hex characters of
// HMAC-SHA1(DeriveKey(method, imsi, pin), body); body = the provisioning
// document octets after the WSP headers (cp.md §2.1).
Result<std::string> ComputeMac(SecMethod method, std::string_view imsi,
                               std::string_view pin, ByteView body);

enum class MacVerdict {
  kMatches,
  kDoesNotMatch,
  kMalformedLength,    // not 40 characters
  kMalformedNonHex,    // a character outside [0-9A-Fa-f]
  kLowerCaseRejected,  // lower-case hex while accept_lower_case is false
};
std::string_view MacVerdictName(MacVerdict v);

struct MacVerifyOptions {
  // cp.md §2.1 "MAC on the wire": Kannel and Intel emit upper-case and Intel
  // compares text (rejects lower-case); Nokia compares bytes (accepts both).
  // true = Nokia behaviour (default, the robust device), false = Intel.
  bool accept_lower_case = true;
};

struct MacVerification {
  MacVerdict verdict = MacVerdict::kDoesNotMatch;
  std::string expected_mac;  // upper-case, what a correct sender would send
  std::string detail;        // human explanation; character index when bad
  bool ok() const { return verdict == MacVerdict::kMatches; }
};

// Fails only when the key cannot be derived (bad IMSI); a bad MAC is a
// verdict, not an error.
Result<MacVerification> VerifyMac(SecMethod method, std::string_view imsi,
                                  std::string_view pin, ByteView body,
                                  std::string_view mac_text,
                                  MacVerifyOptions options = {});

// USERPINMAC (cp.md §2.1): m_i = HMAC-SHA1(K, body)[i] mod 10 for i < n;
// the PIN handed to the user is K || m (2n digits). K: 1..20 decimal digits.
Result<std::string> MakeUserPinMacPin(std::string_view k, ByteView body);

enum class UserPinMacVerdict {
  kMatches,
  kDoesNotMatch,
  kEmpty,
  kOddLength,
  kNonDigit,
  kTooShort,  // n < 5 while require_half_length_5 is set
  kTooLong,   // n > 20: the HMAC has only 20 octets to draw digits from
};
std::string_view UserPinMacVerdictName(UserPinMacVerdict v);

struct UserPinMacOptions {
  // Intel CPClient rejects a total length < 10 (n >= 5); Nokia does not. The
  // digest calls it an implementation choice (UNCERTAIN in the spec text), so
  // it is off by default.
  bool require_half_length_5 = false;
};

struct UserPinMacVerification {
  UserPinMacVerdict verdict = UserPinMacVerdict::kDoesNotMatch;
  std::string detail;
  bool ok() const { return verdict == UserPinMacVerdict::kMatches; }
};

UserPinMacVerification VerifyUserPinMac(std::string_view pin, ByteView body,
                                        UserPinMacOptions options = {});

}  // namespace omaiop::codec
