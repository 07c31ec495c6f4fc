// Dissect: detects which of omaiop's wire formats a byte string is, and
// peels it layer by layer (SMS segments -> WDP -> WSP push -> WBXML -> XML,
// or a DM package 0, or SyncML XML), producing one dissection tree per layer,
// the decoded document and, where the push carries SEC/MAC and key material
// is given, the MAC verdict. Pure: no I/O. Used by `omaiop decode` and, later,
// by the handset and the Python module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/proto_tree.h"
#include "codec/result.h"

namespace omaiop::codec {

enum class InputFormat {
  kAuto,
  kSms,             // SMS user data with UDH (one or more segments)
  kWsp,             // WSP connectionless push PDU
  kWbxml,           // WBXML document (PROV, SyncML DM, TNDS)
  kDmNotification,  // DM package 0
  kXml,             // textual XML (SyncML DM or a CP document)
};
std::string_view InputFormatName(InputFormat f);
std::optional<InputFormat> InputFormatFromName(std::string_view name);

struct DissectOptions {
  InputFormat format = InputFormat::kAuto;
  std::optional<std::string> imsi;    // key material for NETWPIN/USERNETWPIN
  std::optional<std::string> pin;     // USERPIN/USERNETWPIN PIN, USERPINMAC PIN
  bool strict_wbxml = true;           // unknown tokens are errors, not notes
  bool accept_lower_case_mac = true;  // cp.md §2.1 "MAC on the wire"
};

struct SecurityReport {
  std::string method;              // NETWPIN, USERPIN, ... or "none"
  std::optional<std::string> mac;  // MAC parameter as received
  std::optional<bool> mac_ok;      // empty: not checked (no key material)
  std::string detail;              // why, in words
};

struct Dissection {
  InputFormat format = InputFormat::kAuto;  // outermost format detected
  std::vector<ProtoNode> layers;            // outermost first
  std::string content_type;                 // of the push, if any
  std::optional<SecurityReport> security;
  std::string xml;                 // decoded document, if any
  std::vector<Diagnostic> errors;  // malformed input, per layer

  // No malformed layer and no MAC that failed to verify.
  bool ok() const {
    return errors.empty() &&
           !(security && security->mac_ok && !*security->mac_ok);
  }
};

// Several inputs are SMS segments to reassemble; one input is detected.
Dissection Dissect(const std::vector<Bytes>& inputs,
                   const DissectOptions& options = {});

}  // namespace omaiop::codec
