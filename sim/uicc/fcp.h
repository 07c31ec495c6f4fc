// File control parameters returned by SELECT/STATUS: the UICC FCP template
// (ETSI TS 102 221 §11.1.1.3) and the GSM SIM response to SELECT/GET RESPONSE
// (GSM 11.11 §9.2.1).
#pragma once

#include <cstdint>

#include "codec/bytes.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/pin.h"

namespace omaiop::sim::uicc {

// How the FCP carries the access rules (TS 102 221 §11.1.1.4.7).
enum class SecurityAttributeFormat : std::uint8_t {
  // Tag AB, expanded format (§11.1.1.4.7.2, §9.2.4): pairs of access-mode DO
  // `80 01 AM` and security-condition DO, one pair per distinct condition:
  // `90 00` ALW, `97 00` NEV, or a control reference template naming the
  // key: `A4 06 83 01 <key ref> 95 01 08` (PIN1 01, PIN2 81, ADM1 0A). This
  // is the same coding EF.ARR records use, and names the key exactly.
  kExpanded,
  // Tag 8C, compact format (§11.1.1.4.7.1, ISO/IEC 7816-4 §5.4.3.1): an AM
  // byte, then one SC byte per AM bit set, from b7 down to b1. SC byte 00 =
  // ALW, FF = NEV, else b5 (user authentication) | SE number, where we use
  // the SE number to name the key: 1 = PIN1 -> 11, 2 = PIN2 -> 12,
  // 3 = ADM1 -> 13. UNCERTAIN: in ISO 7816-4 the SE number selects a
  // security environment, not a key; this mapping is our convention.
  kCompact,
};

// Access-mode bits (ISO/IEC 7816-4 Tables 17/18): for EFs b1 READ, b2
// UPDATE, b4 DEACTIVATE, b5 ACTIVATE, b6 TERMINATE, b7 DELETE FILE; for DFs
// only b4..b7 are emitted (CREATE/DELETE child are not modelled).
Bytes CompactSecurityAttributes(const File& file);
Bytes ExpandedSecurityAttributes(const File& file);
std::uint8_t SecurityConditionByte(AccessCondition condition);

// 62 L { 82, 83, [84], 8A, AB|8C, [C6 for DFs], 80/81, 88 } in the order of
// TS 102 221 §11.1.1.3.1/2. Tag 88 is always present (`88 00` when the EF
// has no SFI) so a reader never derives an implicit SFI from the FID.
// Tag 81 of a DF is the sum of the EF sizes below it (capped at FFFF).
Bytes BuildFcp(
    const FileSystem& fs, FileRef ref, const PinStore& pins,
    SecurityAttributeFormat format = SecurityAttributeFormat::kExpanded);

// The PIN status template DO (tag C6, TS 102 221 §9.5.2): 90 01 bitmap of
// enabled PINs (b8 = first listed), then 95 01 08 before the first key and
// 83 01 <key ref> for each PIN in `pins`.
Bytes PinStatusTemplate(const PinStore& pins);

// GSM 11.11 §9.2.1 response data: 23 bytes for MF/DF (CHV1/CHV2 status in
// bytes 19..22), 15 bytes for EFs (access nibbles 0 ALW, 1 CHV1, 2 CHV2,
// A ADM, F NEV).
Bytes BuildGsmResponse(const FileSystem& fs, FileRef ref, const PinStore& pins);

}  // namespace omaiop::sim::uicc
