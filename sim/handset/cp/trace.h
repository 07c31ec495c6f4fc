// Decision trace of the simulated handset's CP client: every accept, drop,
// default and conflict decision is recorded as a CpEvent so that the harness
// can assert on *why* the handset did what it did (kind + spec rule + path).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace omaiop::sim::handset::cp {

// Stable names (EventKindName) are part of the harness contract: append new
// kinds, never rename.
enum class EventKind {
  kAccepted,               // document accepted (possibly after drops)
  kRejected,               // document rejected as a whole
  kStructureError,         // malformed wap-provisioningdoc element
  kParmIgnored,            // unknown / not-supported parm ignored
  kDuplicateIgnored,       // repeated 0..1 parm: first kept, this ignored
  kValueInvalid,           // value outside the vocabulary / range
  kCharacteristicDropped,  // characteristic (and its subtree) dropped
  kDuplicateRemoved,       // duplicate characteristic instance removed
  kDuplicateMerged,        // duplicate instance merged into the first
  kReferenceDropped,       // dangling TO-NAPID / TO-PROXY / TO-APPREF
  kDefaultApplied,         // missing parm set to its default value
  kContextCreated,         // BOOTSTRAP created a configuration context
  kContextRejected,        // BOOTSTRAP refused (PROVURL dup, CONTEXT-ALLOW)
  kSourceTrusted,          // continuous provisioning source matched a TPS
  kSourceUntrusted,        // ... did not match any TPS
  kItemAdded,              // settings store: item stored
  kItemReplaced,           // settings store: item replaced
  kItemRejected,           // settings store: item refused (conflict)
  kItemRemoved,            // settings store: item removed (origin removal)
  // --- CP client intake (cp_client.h) ---
  kSegmentMalformed,          // SMS user data / UDH unparsable: segment dropped
  kSegmentBuffered,           // segment stored, datagram waits for more
  kSegmentDuplicate,          // same reference+sequence again: ignored
  kDatagramReassembled,       // every segment present: datagram complete
  kDatagramIncomplete,        // reassembly timeout / eviction: discarded
  kPortIgnored,               // WDP destination port is not the push port
  kWspMalformed,              // WSP push PDU unparsable
  kPduTypeRejected,           // WSP PDU type is not Push (0x06)
  kContentTypeRejected,       // not application/vnd.wap.connectivity-wbxml
  kSecRejected,               // SEC/MAC parameters unusable (value, pairing)
  kSecAbsent,                 // no SEC/MAC: document unauthenticated
  kImsiUnavailable,           // NETWPIN key: no IMSI (card absent) / bad IMSI
  kMacVerified,               // MAC (or USERPINMAC PIN) verifies
  kMacMismatch,               // MAC does not verify: discarded
  kMacMalformed,              // MAC parameter not 40 hex characters
  kPinRequested,              // user asked for the PIN (attempt n of max)
  kPinRejected,               // entered PIN does not verify
  kPinLimitReached,           // retries exhausted: push discarded
  kPinCancelled,              // user cancelled / no user: push discarded
  kWbxmlRejected,             // WBXML undecodable or not a PROV document
  kWbxmlTokenIgnored,         // unknown WBXML token skipped (lenient decode)
  kBootstrapUnauthenticated,  // BOOTSTRAP without SEC/MAC: no context
  kCardPrecedence,            // OTA bootstrap refused: a card context exists
  kFetchRejected,             // HTTP fetch not TLS-verified / not a PROVURL
  kIntakeAccepted,            // push / document accepted (final decision)
  kIntakeRejected,            // push / document rejected (final decision)
  kOriginRemoved,             // RemoveOrigin: contexts and settings taken back
  kDmNotification,  // DM package 0 push handed to the DM client (or refused)
};

std::string_view EventKindName(EventKind kind);

struct CpEvent {
  EventKind kind;
  std::string rule;    // spec citation, e.g. "cp.md §1.2: NAPDEF needs NAPID"
  std::string path;    // XML path of the element concerned
  std::string detail;  // human-readable specifics (names, values)

  // "characteristic_dropped /wap-provisioningdoc/characteristic[1]...: detail
  // [rule]"
  std::string ToString() const;
};

// A plain vector sink; callers may pass nullptr where a sink is optional.
class EventSink {
 public:
  void Add(EventKind kind, std::string rule, std::string path,
           std::string detail = {});
  const std::vector<CpEvent>& events() const { return events_; }
  std::size_t Count(EventKind kind) const;
  // Events of `kind` whose path contains `path_part` (empty = any).
  std::vector<CpEvent> Find(EventKind kind,
                            std::string_view path_part = {}) const;
  void Clear() { events_.clear(); }
  std::string ToString() const;  // one event per line

 private:
  std::vector<CpEvent> events_;
};

}  // namespace omaiop::sim::handset::cp
