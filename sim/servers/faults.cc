#include "sim/servers/faults.h"

namespace omaiop::sim::servers {

namespace {

using L = FaultLayer;
using M = HandsetMust;

// Citations: "cp.md §x" is the project's fact digest; the OMA clause it
// summarises is named beside it where known.
constexpr FaultInfo kFaults[] = {
    // ---- security ---------------------------------------------------------
    {FaultId::kWrongMac, "wrong-mac", L::kSecurity,
     "MAC parameter is the right HMAC with its first hex digit changed",
     "ProvBoot B-C-006 / cp.md §2.1, §2.4: the MAC is HMAC-SHA1(K, body); a "
     "document whose MAC does not verify is discarded",
     M::kReject, "discard the push (MAC does not verify)"},
    {FaultId::kAsciiImsiKey, "ascii-imsi-key", L::kSecurity,
     "NETWPIN/USERNETWPIN key = the IMSI's ASCII digits instead of the "
     "EF_IMSI semi-octets (the common server mistake)",
     "cp.md §2.1 IMSI -> key: header nibble 9/1, semi-octets low nibble "
     "first (GSM 11.11 §10.3.2)",
     M::kReject, "discard the push (MAC does not verify)"},
    {FaultId::kWrongImsi, "wrong-imsi", L::kSecurity,
     "NETWPIN/USERNETWPIN MAC keyed with another subscriber's IMSI (last "
     "digit changed)",
     "cp.md §2.1: NETWPIN key = the handset's own IMSI; ProvBoot B-C-006",
     M::kReject, "discard the push (MAC does not verify)"},
    {FaultId::kPinMismatch, "pin-mismatch", L::kSecurity,
     "USERPIN/USERNETWPIN: MAC keyed with a PIN other than the one handed to "
     "the user; USERPINMAC: the m half of the handed-out PIN is wrong",
     "cp.md §2.1: USERPIN key = PIN ASCII; USERPINMAC m_i = HMAC[i] mod 10",
     M::kReject,
     "reject the PIN the user enters (limited retries, then discard)"},
    {FaultId::kLowerCaseMac, "lower-case-mac", L::kSecurity,
     "MAC parameter in lower-case hex (value otherwise right)",
     "cp.md §2.1 \"MAC on the wire\": senders use upper-case; Nokia compares "
     "bytes, Intel CPClient compares text",
     M::kAccept,
     "accept (a robust device compares the MAC case-insensitively); Intel "
     "CPClient rejects: the case rule is UNCERTAIN in the spec text"},
    {FaultId::kMissingSec, "missing-sec", L::kSecurity,
     "MAC parameter sent without the SEC parameter",
     "cp.md §2.3 / ProvBoot: SEC names the key; without it the MAC cannot be "
     "verified",
     M::kReject, "discard the push (authentication method unknown)"},
    {FaultId::kMissingMac, "missing-mac", L::kSecurity,
     "SEC parameter sent without the MAC parameter (NETWPIN, USERPIN, "
     "USERNETWPIN only: USERPINMAC verifies through the PIN)",
     "cp.md §2.1/§2.3: SEC and MAC travel together in the content type",
     M::kReject, "discard the push (nothing to verify)"},
    {FaultId::kNoSecurity, "no-security", L::kSecurity,
     "neither SEC nor MAC: an unauthenticated document",
     "cp.md §2.4 (MEMORY): an OTA bootstrap without SEC/MAC must not be "
     "accepted as a bootstrap",
     M::kReject,
     "never create a TPS context from it (may at most offer it to the user "
     "as unauthenticated; MEMORY)"},
    {FaultId::kSecOutOfRange, "sec-out-of-range", L::kSecurity,
     "SEC parameter value 4 (defined values are 0..3)",
     "cp.md §0: SEC NETWPIN=0, USERPIN=1, USERNETWPIN=2, USERPINMAC=3",
     M::kReject, "discard the push (unknown security method)"},
    {FaultId::kMacWrongLength, "mac-wrong-length", L::kSecurity,
     "MAC parameter of 39 hex characters (last one dropped)",
     "cp.md §0/§2.1: MAC = 40 hex characters of the 20-octet HMAC", M::kReject,
     "discard the push (malformed MAC)"},
    {FaultId::kMacNonHex, "mac-non-hex", L::kSecurity,
     "MAC parameter with a non-hex character ('G') in place of the first",
     "cp.md §0/§2.1: MAC = 40 hex characters", M::kReject,
     "discard the push (malformed MAC)"},
    // ---- WSP --------------------------------------------------------------
    {FaultId::kWrongContentType, "wrong-content-type", L::kWsp,
     "content type text/vnd.wap.connectivity-xml (0x35) over the WBXML body",
     "ProvBoot B-C-001 / cp.md §0, §2.4: a WBXML CP document is "
     "application/vnd.wap.connectivity-wbxml (0x36)",
     M::kReject,
     "do not process the body as a WBXML provisioning document (it is not "
     "valid text XML either)"},
    {FaultId::kWrongPduType, "wrong-pdu-type", L::kWsp,
     "WSP PDU type 0x40 (Get) instead of 0x06 (Push)",
     "WAP-230-WSP §8.2.4.1 / cp.md §0: connectionless push PDU type 0x06",
     M::kReject, "discard the datagram (not a push PDU)"},
    {FaultId::kHeaderLengthLies, "header-length-lies", L::kWsp,
     "WSP HeadersLen claims more octets than the PDU holds",
     "WAP-230-WSP §8.2.4.1: HeadersLen = length of ContentType + Headers",
     M::kReject, "discard the push (malformed PDU)"},
    {FaultId::kUntrustedInitiator, "untrusted-initiator", L::kWsp,
     "Push-Flag without the \"initiator authenticated\" bit (X-Wap-"
     "Initiator-URI = the document's PROVURL)",
     "cp.md §2.4: continuous provisioning is accepted only from an "
     "authenticated initiator matching the context's PROVURL (WAP-230-WSP "
     "Push-Flag)",
     M::kReject,
     "do not apply it to the TPS context (treat as from an untrusted "
     "source)"},
    {FaultId::kInitiatorUriMismatch, "initiator-uri-mismatch", L::kWsp,
     "Push-Flag authenticated, but X-Wap-Initiator-URI is not the PROVURL",
     "cp.md §2.4: the initiator URI must match the context's PROVURL",
     M::kReject,
     "do not apply it to the TPS context (initiator is not the TPS)"},
    // ---- WBXML ------------------------------------------------------------
    {FaultId::kWbxmlTruncated, "wbxml-truncated", L::kWbxml,
     "WBXML body cut to half its length (MAC computed over the cut body)",
     "WBXML 1.3 §5.3: body = *pi element *pi; every element ends with END",
     M::kReject, "discard the document (malformed WBXML)"},
    {FaultId::kWbxmlStringTableOffsetPastEnd, "wbxml-strtbl-past-end",
     L::kWbxml,
     "the first inline attribute string becomes STR_T with an offset past "
     "the end of the string table",
     "WBXML 1.3 §5.8.4.1 / §5.7: a string-table reference is a byte offset "
     "into the string table",
     M::kReject, "discard the document (malformed WBXML)"},
    {FaultId::kWbxmlUnknownTag, "wbxml-unknown-tag", L::kWbxml,
     "an empty element with the undefined tag token 0x3F as first child of "
     "the first characteristic",
     "cp.md §1.3: PROV tag tokens are 0x05..0x07 only; WBXML 1.3 §5.8.2",
     M::kIgnoreElement,
     "ignore the unknown element and process the rest (forward "
     "compatibility, cp.md §4; a strict decoder rejects: UNCERTAIN)"},
    {FaultId::kWbxmlUnknownAttribute, "wbxml-unknown-attr", L::kWbxml,
     "an attribute with the unassigned attribute-start token 0x4D (page 0) "
     "on the first characteristic",
     "cp.md §1.3: 0x4D is unassigned on code page 0; WBXML 1.3 §5.8.3",
     M::kIgnoreElement,
     "ignore the unknown attribute and process the rest (cp.md §4; a strict "
     "decoder rejects: UNCERTAIN)"},
    {FaultId::kWbxmlWrongPublicId, "wbxml-wrong-public-id", L::kWbxml,
     "WBXML public id 0x04 (WML 1.1) instead of 0x0B",
     "cp.md §0 / WBXML 1.3 §5.6: wap-provisioningdoc public id 0x0B",
     M::kReject, "discard the document (not a provisioning document)"},
    // ---- document ---------------------------------------------------------
    {FaultId::kMissingMandatoryParm, "missing-mandatory-parm", L::kDocument,
     "the first NAPDEF loses NAPID (else PXLOGICAL PROXY-ID, APPLICATION "
     "APPID, CLIENTIDENTITY CLIENT-ID, PXPHYSICAL PXADDR, PORT PORTNBR)",
     "ProvCont characteristic tables / cp.md §1.2: NAPID 1, PROXY-ID 1, ...",
     M::kIgnoreElement,
     "discard that characteristic, process the rest (cp.md §4, CPClient)"},
    {FaultId::kDanglingToNapid, "dangling-to-napid", L::kDocument,
     "the first TO-NAPID (PXPHYSICAL or APPLICATION) names a NAPDEF absent "
     "from the document",
     "cp.md §1.2: TO-NAPID must name an existing NAPDEF or INTERNET",
     M::kIgnoreElement, "drop the invalid reference (cp.md §1.2, CPClient)"},
    {FaultId::kDuplicateProvurl, "duplicate-provurl", L::kDocument,
     "a second BOOTSTRAP carrying a different PROVURL",
     "cp.md §1.2: only one BOOTSTRAP carrying PROVURL per document; ProvBoot "
     "B-C-008",
     M::kReject,
     "reject the document (two TPS in one bootstrap; whether a device may "
     "instead keep the first is UNCERTAIN)"},
    {FaultId::kUnknownCharacteristic, "unknown-characteristic", L::kDocument,
     "an extra characteristic type=\"X-OMAIOP-UNKNOWN\" with one parm",
     "cp.md §1.2/§4: unknown characteristic: whole subtree ignored", M::kAccept,
     "ignore the unknown subtree and accept the rest"},
    // ---- SMS / WDP --------------------------------------------------------
    {FaultId::kMissingSegment, "missing-segment", L::kSms,
     "segment 2 of a concatenated push is never sent (the push is split in "
     "at least two segments)",
     "3GPP TS 23.040 §9.2.3.24.1: a concatenated message is complete only "
     "with every segment",
     M::kReject, "never deliver the incomplete datagram (discard on timeout)"},
    {FaultId::kDuplicateSegment, "duplicate-segment", L::kSms,
     "segment 1 is sent twice (as an SMSC retry would)",
     "3GPP TS 23.040 §9.2.3.24.1: segments are identified by reference and "
     "sequence number",
     M::kAccept, "discard the duplicate and accept the push once"},
    {FaultId::kSegmentsOutOfOrder, "segments-out-of-order", L::kSms,
     "segments sent last first (legal: the network may reorder)",
     "3GPP TS 23.040 §9.2.3.24.1: reassembly by sequence number, not "
     "arrival order",
     M::kAccept, "must still be accepted: reassemble by sequence number"},
    {FaultId::kWrongPort, "wrong-port", L::kSms,
     "WDP destination port 9201 (WSP session) instead of 2948",
     "cp.md §2.3 / WAP-259-WDP Appendix B: WAP push port 2948 (0x0B84)",
     M::kReject, "do not dispatch it to the push/CP agent"},
    {FaultId::kUdhlLies, "udhl-lies", L::kSms,
     "the first segment's UDHL claims more octets than the user data holds",
     "3GPP TS 23.040 §9.2.3.24: UDHL = length of the UDH", M::kReject,
     "discard the segment (malformed UDH), so the push"},
};

}  // namespace

std::span<const FaultInfo> AllFaults() { return kFaults; }

const FaultInfo& InfoOf(FaultId id) {
  for (const auto& f : kFaults)
    if (f.id == id) return f;
  return kFaults[0];  // unreachable: every FaultId has a row (tested)
}

std::optional<FaultId> FaultByName(std::string_view name) {
  for (const auto& f : kFaults)
    if (f.name == name) return f.id;
  return std::nullopt;
}

std::string_view FaultLayerName(FaultLayer layer) {
  switch (layer) {
    case FaultLayer::kDocument:
      return "document";
    case FaultLayer::kWbxml:
      return "WBXML";
    case FaultLayer::kWsp:
      return "WSP";
    case FaultLayer::kSecurity:
      return "security";
    case FaultLayer::kSms:
      return "SMS";
  }
  return "?";
}

std::string_view HandsetMustName(HandsetMust m) {
  switch (m) {
    case HandsetMust::kReject:
      return "reject";
    case HandsetMust::kIgnoreElement:
      return "ignore element";
    case HandsetMust::kAccept:
      return "accept";
  }
  return "?";
}

}  // namespace omaiop::sim::servers
