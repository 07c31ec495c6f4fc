// The simulated OMA CP push server: composes a provisioning push (document
// -> WBXML -> WSP push with SEC/MAC -> WDP over SMS segments) exactly as a
// conformant server would, or with any set of named faults (faults.h)
// injected at their layer. Facts: specs/cp.md §0, §2.1–§2.4.
//
// Order of work, so that each fault shows only at its own layer: document
// faults edit the XML before encoding; WBXML faults edit the encoded body;
// the MAC is then computed over the body as sent (cp.md §2.1), so a WBXML
// fault is not masked by a MAC mismatch; security and WSP faults shape the
// PDU; SMS faults act on the segments.
#pragma once

#include <libxml/tree.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/cp_security.h"
#include "codec/result.h"
#include "codec/sms_udh.h"
#include "codec/wbxml.h"
#include "codec/wbxml_language.h"
#include "sim/servers/faults.h"

namespace omaiop::sim::servers {

using codec::Bytes;

struct ComposeOptions {
  // SEC method; nullopt = no SEC/MAC (content type in its short form).
  std::optional<codec::SecMethod> sec;
  std::string imsi;  // NETWPIN, USERNETWPIN
  // USERPIN/USERNETWPIN: the PIN; USERPINMAC: the K half (cp.md §2.1).
  std::string pin;
  codec::ProvVersion cp_version = codec::ProvVersion::k11;
  codec::WbxmlEncodeOptions wbxml;  // version, string table ...
  // Trust headers (cp.md §2.4): X-Wap-Initiator-URI and Push-Flag.
  std::optional<std::string> initiator_uri;
  bool initiator_authenticated = false;  // Push-Flag bit 0x01
  std::uint8_t tid = 0x01;
  std::uint16_t dst_port = codec::kWdpPortWapPush;
  std::uint16_t src_port = codec::kWdpPortWspConnless;
  std::uint16_t concat_reference = 0;
  bool concat_16bit = false;
  std::size_t max_user_data = codec::kSmsMaxUserData;
  std::vector<FaultId> faults;
};

struct AppliedFault {
  FaultId id;
  std::string detail;  // what exactly was changed, e.g. which element
};

struct ComposedPush {
  std::string document_xml;  // as encoded (after document faults)
  Bytes wbxml;               // the body as sent (after WBXML faults)
  Bytes wsp_pdu;
  std::vector<Bytes> segments;  // TP-UD octets, in sending order
  std::string mac;              // MAC parameter as sent ("" when none)
  // The PIN to hand the user out of band: USERPIN/USERNETWPIN the PIN,
  // USERPINMAC K || m (cp.md §2.1). Unset for NETWPIN / no security.
  std::optional<std::string> user_pin;
  std::vector<AppliedFault> applied;
};

class CpPushServer {
 public:
  // Fails on a document that cannot be parsed/encoded, missing key material,
  // or a fault that does not apply (e.g. ascii-imsi-key with USERPIN, or
  // dangling-to-napid on a document without TO-NAPID holders).
  codec::Result<ComposedPush> Compose(std::string_view document_xml,
                                      const ComposeOptions& options) const;
  codec::Result<ComposedPush> Compose(const xmlDoc* document,
                                      const ComposeOptions& options) const;
};

// Where composed segments go. The in-process sink collects them;
// smsc::SmppPushSink submits them to an SMSC. An error says why the push was
// not accepted (e.g. the SMSC refused a submit_sm, naming its status).
class PushSink {
 public:
  virtual ~PushSink() = default;
  virtual codec::Status Deliver(const std::vector<Bytes>& segments,
                                const std::string& to_msisdn) = 0;
};

class CollectingPushSink : public PushSink {
 public:
  struct Delivery {
    std::string to_msisdn;
    std::vector<Bytes> segments;
  };
  codec::Status Deliver(const std::vector<Bytes>& segments,
                        const std::string& to_msisdn) override {
    deliveries_.push_back({to_msisdn, segments});
    return codec::OkStatus();
  }
  const std::vector<Delivery>& deliveries() const { return deliveries_; }

 private:
  std::vector<Delivery> deliveries_;
};

// Compose and hand the segments to the sink; a sink error is returned.
codec::Result<ComposedPush> ComposeAndDeliver(const CpPushServer& server,
                                              std::string_view document_xml,
                                              const ComposeOptions& options,
                                              PushSink& sink,
                                              const std::string& to_msisdn);

}  // namespace omaiop::sim::servers
