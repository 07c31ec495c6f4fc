// PINs of the card (ETSI TS 102 221 §9.5, §11.1.9-11.1.13): PIN1/PIN2 of the
// application, the universal PIN and ADM keys, each with a retry counter, an
// optional PUK (UNBLOCK PIN) and an enabled/disabled state. The verified
// flags live for one card session (cleared by ResetSession on power/reset).
// The command handlers return the TS 102 221 status word directly, since the
// status word *is* the outcome the terminal sees.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"

namespace omaiop::sim::uicc {

using codec::Bytes;
using codec::ByteView;

// Key references, TS 102 221 §9.5.1 Table 9.3.
inline constexpr std::uint8_t kKeyPin1 = 0x01;  // PIN appl 1
inline constexpr std::uint8_t kKeyPin2 = 0x81;  // second PIN appl 1
inline constexpr std::uint8_t kKeyUniversalPin = 0x11;
inline constexpr std::uint8_t kKeyAdm1 = 0x0A;

inline constexpr int kDefaultPinTries = 3;
inline constexpr int kDefaultPukTries = 10;

struct PinConfig {
  std::uint8_t key_ref = kKeyPin1;
  std::string pin;  // 4..8 ASCII digits
  std::string puk;  // 8 digits; empty = no PUK (not unblockable)
  bool enabled = true;
  bool can_disable = true;  // DISABLE PIN allowed (PIN2/ADM usually not)
  int max_tries = kDefaultPinTries;
  int max_puk_tries = kDefaultPukTries;
};

struct PinState {
  PinConfig config;
  int tries_left = kDefaultPinTries;
  int puk_tries_left = kDefaultPukTries;
  bool verified = false;  // this session

  bool blocked() const { return tries_left == 0; }
};

// PIN block as sent in VERIFY etc.: ASCII digits padded with FF to 8 bytes
// (TS 102 221 §9.5.2).
Bytes EncodePinBlock(std::string_view digits);

class PinStore {
 public:
  PinStore() = default;
  // PIN1 1234 / PUK 12345678, PIN2 5678 / PUK 87654321, ADM1 88888888
  // (no PUK, cannot be disabled). Test-fest default credentials.
  static PinStore Default();

  // Rejects duplicate references and malformed PIN/PUK digits.
  codec::Status Add(const PinConfig& config);

  const PinState* Find(std::uint8_t key_ref) const;
  std::vector<std::uint8_t> KeyRefs() const;

  // True if operations guarded by `key_ref` may proceed: verified in this
  // session, or the PIN is disabled (and not blocked).
  bool IsSatisfied(std::uint8_t key_ref) const;

  // Each takes the command data field (empty = status query where allowed)
  // and returns the status word: 9000, 63Cx, 6983, 6984, 6985, 6700, 6A80,
  // 6A88.
  std::uint16_t Verify(std::uint8_t key_ref, ByteView data);
  std::uint16_t Change(std::uint8_t key_ref, ByteView data);
  std::uint16_t Disable(std::uint8_t key_ref, ByteView data);
  std::uint16_t Enable(std::uint8_t key_ref, ByteView data);
  std::uint16_t Unblock(std::uint8_t key_ref, ByteView data);

  // Overwrites what a card keeps across sessions (sim/uicc/state_store.h):
  // the PIN value, enabled flag and both retry counters. Rejects an unknown
  // reference, malformed digits and counters outside 0..max.
  codec::Status Restore(std::uint8_t key_ref, std::string_view pin,
                        bool enabled, int tries_left, int puk_tries_left);

  // Power-on/reset: forget verifications (counters persist).
  void ResetSession();

 private:
  PinState* FindMutable(std::uint8_t key_ref);
  std::uint16_t CheckPin(PinState& s, ByteView block);

  std::vector<PinState> pins_;
};

}  // namespace omaiop::sim::uicc
