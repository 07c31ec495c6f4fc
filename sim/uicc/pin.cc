#include "sim/uicc/pin.h"

#include <algorithm>
#include <cstdio>

#include "sim/uicc/apdu.h"

namespace omaiop::sim::uicc {
namespace {

constexpr char kRulePin[] = "ETSI TS 102 221 §9.5.2";

bool AllDigits(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

// A PIN block is 4..8 ASCII digits followed by FF padding (TS 102 221
// §9.5.2). Returns false for anything else.
bool WellFormedBlock(ByteView block) {
  if (block.size() != 8) return false;
  std::size_t digits = 0;
  while (digits < 8 && block[digits] >= '0' && block[digits] <= '9') ++digits;
  if (digits < 4) return false;
  for (std::size_t i = digits; i < 8; ++i)
    if (block[i] != 0xFF) return false;
  return true;
}

bool Matches(ByteView block, const std::string& secret) {
  const Bytes want = EncodePinBlock(secret);
  return std::equal(block.begin(), block.end(), want.begin(), want.end());
}

std::string KeyName(std::uint8_t ref) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02X", ref);
  return buf;
}

}  // namespace

Bytes EncodePinBlock(std::string_view digits) {
  Bytes out(digits.begin(), digits.end());
  out.resize(8, 0xFF);
  return out;
}

PinStore PinStore::Default() {
  PinStore s;
  (void)s.Add({kKeyPin1, "1234", "12345678", true, true});
  (void)s.Add({kKeyPin2, "5678", "87654321", true, false});
  (void)s.Add({kKeyAdm1, "88888888", "", true, false});
  return s;
}

codec::Status PinStore::Add(const PinConfig& config) {
  const std::string where = "PIN " + KeyName(config.key_ref);
  if (Find(config.key_ref))
    return codec::PathError("duplicate key reference", where, kRulePin);
  if (config.pin.size() < 4 || config.pin.size() > 8 || !AllDigits(config.pin))
    return codec::PathError("PIN must be 4..8 decimal digits", where, kRulePin);
  if (!config.puk.empty() && (config.puk.size() != 8 || !AllDigits(config.puk)))
    return codec::PathError("PUK must be 8 decimal digits", where, kRulePin);
  if (config.max_tries < 1 || config.max_tries > 15 ||
      config.max_puk_tries < 1 || config.max_puk_tries > 15)
    return codec::PathError("retry counters must be 1..15 (63Cx nibble)", where,
                            "ETSI TS 102 221 §10.2.1.3");
  PinState s;
  s.config = config;
  s.tries_left = config.max_tries;
  s.puk_tries_left = config.max_puk_tries;
  pins_.push_back(std::move(s));
  return codec::OkStatus();
}

const PinState* PinStore::Find(std::uint8_t key_ref) const {
  for (const auto& p : pins_)
    if (p.config.key_ref == key_ref) return &p;
  return nullptr;
}

PinState* PinStore::FindMutable(std::uint8_t key_ref) {
  return const_cast<PinState*>(std::as_const(*this).Find(key_ref));
}

std::vector<std::uint8_t> PinStore::KeyRefs() const {
  std::vector<std::uint8_t> out;
  for (const auto& p : pins_) out.push_back(p.config.key_ref);
  return out;
}

bool PinStore::IsSatisfied(std::uint8_t key_ref) const {
  const PinState* s = Find(key_ref);
  if (!s || s->blocked()) return false;
  return s->verified || !s->config.enabled;
}

codec::Status PinStore::Restore(std::uint8_t key_ref, std::string_view pin,
                                bool enabled, int tries_left,
                                int puk_tries_left) {
  const std::string where = "PIN " + KeyName(key_ref);
  PinState* s = FindMutable(key_ref);
  if (!s)
    return codec::PathError("no such key reference in the profile", where,
                            kRulePin);
  if (pin.size() < 4 || pin.size() > 8 || !AllDigits(pin))
    return codec::PathError("PIN must be 4..8 decimal digits", where, kRulePin);
  if (tries_left < 0 || tries_left > s->config.max_tries ||
      puk_tries_left < 0 || puk_tries_left > s->config.max_puk_tries)
    return codec::PathError("retry counter outside 0..maximum", where,
                            "ETSI TS 102 221 §9.5.2");
  s->config.pin = std::string(pin);
  s->config.enabled = enabled;
  s->tries_left = tries_left;
  s->puk_tries_left = puk_tries_left;
  s->verified = false;
  return codec::OkStatus();
}

void PinStore::ResetSession() {
  for (auto& p : pins_) p.verified = false;
}

// Compares a PIN block and updates the counter. A failed comparison also
// clears the verified flag (ISO 7816-4 §7.5.6); the last failure answers
// 63C0 and blocks the PIN.
std::uint16_t PinStore::CheckPin(PinState& s, ByteView block) {
  if (s.blocked()) return sw::kAuthMethodBlocked;
  if (Matches(block, s.config.pin)) {
    s.tries_left = s.config.max_tries;
    s.verified = true;
    return sw::kOk;
  }
  s.verified = false;
  --s.tries_left;
  return sw::TriesLeft(s.tries_left);
}

std::uint16_t PinStore::Verify(std::uint8_t key_ref, ByteView data) {
  PinState* s = FindMutable(key_ref);
  if (!s) return sw::kReferencedDataNotFound;
  if (data.empty()) {  // status query, TS 102 221 §11.1.9
    if (s->blocked()) return sw::kAuthMethodBlocked;
    if (s->verified) return sw::kOk;
    return sw::TriesLeft(s->tries_left);
  }
  if (data.size() != 8) return sw::kWrongLength;
  // UNCERTAIN: TS 102 221 lets a disabled PIN answer 6984 to VERIFY; some
  // cards verify it anyway. We answer 6984.
  if (!s->config.enabled) return sw::kReferencedDataInvalidated;
  if (s->blocked()) return sw::kAuthMethodBlocked;
  if (!WellFormedBlock(data)) return sw::kIncorrectData;
  return CheckPin(*s, data);
}

std::uint16_t PinStore::Change(std::uint8_t key_ref, ByteView data) {
  PinState* s = FindMutable(key_ref);
  if (!s) return sw::kReferencedDataNotFound;
  if (data.size() != 16) return sw::kWrongLength;
  if (!s->config.enabled) return sw::kReferencedDataInvalidated;
  if (s->blocked()) return sw::kAuthMethodBlocked;
  const ByteView old_block = data.first(8), new_block = data.subspan(8);
  if (!WellFormedBlock(old_block) || !WellFormedBlock(new_block))
    return sw::kIncorrectData;
  const std::uint16_t r = CheckPin(*s, old_block);
  if (r != sw::kOk) return r;
  s->config.pin.assign(new_block.begin(),
                       std::find(new_block.begin(), new_block.end(), 0xFF));
  return sw::kOk;
}

std::uint16_t PinStore::Disable(std::uint8_t key_ref, ByteView data) {
  PinState* s = FindMutable(key_ref);
  if (!s) return sw::kReferencedDataNotFound;
  if (data.size() != 8) return sw::kWrongLength;
  if (!s->config.can_disable) return sw::kConditionsNotSatisfied;
  // Already disabled: conditions of use not satisfied (UNCERTAIN: some
  // cards answer 6984 here).
  if (!s->config.enabled) return sw::kConditionsNotSatisfied;
  if (s->blocked()) return sw::kAuthMethodBlocked;
  if (!WellFormedBlock(data)) return sw::kIncorrectData;
  const std::uint16_t r = CheckPin(*s, data);
  if (r == sw::kOk) s->config.enabled = false;
  return r;
}

std::uint16_t PinStore::Enable(std::uint8_t key_ref, ByteView data) {
  PinState* s = FindMutable(key_ref);
  if (!s) return sw::kReferencedDataNotFound;
  if (data.size() != 8) return sw::kWrongLength;
  if (s->config.enabled) return sw::kConditionsNotSatisfied;
  if (s->blocked()) return sw::kAuthMethodBlocked;
  if (!WellFormedBlock(data)) return sw::kIncorrectData;
  const std::uint16_t r = CheckPin(*s, data);
  if (r == sw::kOk) s->config.enabled = true;
  return r;
}

std::uint16_t PinStore::Unblock(std::uint8_t key_ref, ByteView data) {
  PinState* s = FindMutable(key_ref);
  if (!s) return sw::kReferencedDataNotFound;
  if (s->config.puk.empty()) return sw::kReferencedDataNotFound;
  if (data.empty()) {  // PUK retry counter query, TS 102 221 §11.1.13
    if (s->puk_tries_left == 0) return sw::kAuthMethodBlocked;
    return sw::TriesLeft(s->puk_tries_left);
  }
  if (data.size() != 16) return sw::kWrongLength;
  if (s->puk_tries_left == 0) return sw::kAuthMethodBlocked;
  const ByteView puk = data.first(8), new_pin = data.subspan(8);
  if (!WellFormedBlock(puk) || !WellFormedBlock(new_pin))
    return sw::kIncorrectData;
  if (!Matches(puk, s->config.puk)) {
    --s->puk_tries_left;
    return sw::TriesLeft(s->puk_tries_left);
  }
  s->puk_tries_left = s->config.max_puk_tries;
  s->config.pin.assign(new_pin.begin(),
                       std::find(new_pin.begin(), new_pin.end(), 0xFF));
  s->tries_left = s->config.max_tries;
  s->verified = true;  // a successful UNBLOCK verifies the PIN (§11.1.13)
  return sw::kOk;
}

}  // namespace omaiop::sim::uicc
