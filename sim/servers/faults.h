// Named fault knobs of the simulated CP push server: each breaks one rule of
// OMA Client Provisioning (ProvCont / ProvBoot), WSP, WBXML or the WDP/SMS
// adaptation, and says what a conformant handset must do with the result.
// Facts: specs/cp.md §0, §1.2, §2.1–§2.4. Knobs whose expected handset
// behaviour rests on an unconfirmed (MEMORY/UNCERTAIN) fact say so in
// `expected_detail`.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace omaiop::sim::servers {

enum class FaultLayer { kDocument, kWbxml, kWsp, kSecurity, kSms };

// What a conformant handset does with a push carrying the fault.
enum class HandsetMust {
  kReject,         // discard the whole push/document
  kIgnoreElement,  // drop the offending element, process the rest
  kAccept,         // the push is legal (or tolerable): process it fully
};

enum class FaultId {
  // security (ProvBoot SEC/MAC)
  kWrongMac,
  kAsciiImsiKey,
  kWrongImsi,
  kPinMismatch,
  kLowerCaseMac,
  kMissingSec,
  kMissingMac,
  kNoSecurity,
  kSecOutOfRange,
  kMacWrongLength,
  kMacNonHex,
  // WSP
  kWrongContentType,
  kWrongPduType,
  kHeaderLengthLies,
  kUntrustedInitiator,
  kInitiatorUriMismatch,
  // WBXML
  kWbxmlTruncated,
  kWbxmlStringTableOffsetPastEnd,
  kWbxmlUnknownTag,
  kWbxmlUnknownAttribute,
  kWbxmlWrongPublicId,
  // document (ProvCont)
  kMissingMandatoryParm,
  kDanglingToNapid,
  kDuplicateProvurl,
  kUnknownCharacteristic,
  // SMS / WDP
  kMissingSegment,
  kDuplicateSegment,
  kSegmentsOutOfOrder,
  kWrongPort,
  kUdhlLies,
};

struct FaultInfo {
  FaultId id;
  std::string_view name;  // CLI name, e.g. "wrong-mac"
  FaultLayer layer;
  std::string_view description;  // one line: what the server does
  std::string_view rule;         // the rule it breaks (spec citation)
  HandsetMust expected;
  std::string_view expected_detail;  // what exactly the handset must do
};

// Every knob, in a stable order (grouped by layer).
std::span<const FaultInfo> AllFaults();
const FaultInfo& InfoOf(FaultId id);
std::optional<FaultId> FaultByName(std::string_view name);

std::string_view FaultLayerName(FaultLayer layer);  // "document", "WBXML"...
std::string_view HandsetMustName(HandsetMust m);    // "reject", ...

}  // namespace omaiop::sim::servers
