// File control parameters returned by SELECT/STATUS: the UICC FCP template
// (ETSI TS 102 221 §11.1.1.3) and the GSM SIM response to SELECT/GET RESPONSE
// (GSM 11.11 §9.2.1).
#pragma once

#include <cstdint>

#include "codec/bytes.h"
#include "sim/uicc/file_system.h"
#include "sim/uicc/pin.h"

namespace omaiop::sim::uicc {

// Security attributes in compact format, tag 8C (TS 102 221 §11.1.1.4.7.1,
// ISO/IEC 7816-4 §5.4.3.1): an access-mode byte then one security-condition
// byte per bit set, from b7 down to b1.
//   AM bits for EFs: b1 READ, b2 UPDATE, b4 DEACTIVATE, b5 ACTIVATE,
//   b6 TERMINATE, b7 DELETE FILE; for DFs only b4..b7 are emitted.
//   SC byte: 00 = ALW, FF = NEV, else b4 (user authentication) | SE number,
//   where we use the SE number to name the key: 1 = PIN1 (key 01) -> 09,
//   2 = PIN2 (key 81) -> 0A, 3 = ADM1 (key 0A) -> 0B.
// UNCERTAIN: real UICCs mostly send 8B (a reference into EF.ARR 2F06) and
// the ISO SC byte names a security environment, not a key; this mapping is
// our documented convention so a reader can tell ALW/PIN/ADM/NEV apart.
Bytes CompactSecurityAttributes(const File& file);
std::uint8_t SecurityConditionByte(AccessCondition condition);

// 62 L { 82, 83, [84], 8A, 8C, [C6 for DFs], 80/81, 88 } in the order of
// TS 102 221 §11.1.1.3.1/2. Tag 88 is always present (`88 00` when the EF
// has no SFI) so a reader never derives an implicit SFI from the FID.
// Tag 81 of a DF is the sum of the EF sizes below it (capped at FFFF).
Bytes BuildFcp(const FileSystem& fs, FileRef ref, const PinStore& pins);

// The PIN status template DO (tag C6, TS 102 221 §9.5.2): 90 01 bitmap of
// enabled PINs (b8 = first listed), then 95 01 08 before the first key and
// 83 01 <key ref> for each PIN in `pins`.
Bytes PinStatusTemplate(const PinStore& pins);

// GSM 11.11 §9.2.1 response data: 23 bytes for MF/DF (CHV1/CHV2 status in
// bytes 19..22), 15 bytes for EFs (access nibbles 0 ALW, 1 CHV1, 2 CHV2,
// A ADM, F NEV).
Bytes BuildGsmResponse(const FileSystem& fs, FileRef ref, const PinStore& pins);

}  // namespace omaiop::sim::uicc
