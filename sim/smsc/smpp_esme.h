// An SMPP 3.4 ESME (the client side a push server uses to reach an SMSC):
// connect, bind_transmitter or bind_transceiver, submit_sm and wait for each
// submit_sm_resp, answer the SMSC's enquire_link (and deliver_sm when bound
// as transceiver) while waiting, unbind. Synchronous: every call blocks for at
// most `timeout`. Every PDU in and out goes to a trace callback.
//
// A CP push (servers::ComposedPush::segments, TP-UD octets with a UDH) goes
// out in one of the three forms SMPP 3.4 offers for concatenation (§2.10 /
// §5.3.2, MEMORY for the section numbers), so each path of an SMSC can be
// exercised:
//   kUdh      one submit_sm per segment, esm_class UDHI (0x40), the segment's
//             UDH as is (faithful to the byte, SMS-layer faults included);
//   kSar      one submit_sm per segment with sar_msg_ref_num /
//             sar_total_segments / sar_segment_seqnum TLVs instead of the UDH
//             concatenation IE (other IEs, e.g. ports, stay in the UDH);
//             sar_msg_ref_num is 16 bits, so an SMSC renders it as IEI 0x08;
//   kPayload  one submit_sm carrying the whole datagram in message_payload
//             (UDH without concatenation IE + reassembled payload), which the
//             SMSC segments itself. Needs segments 1..n each exactly once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "codec/smpp.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::sim::smsc {

enum class SubmitMode { kUdh, kSar, kPayload };
std::string_view SubmitModeName(SubmitMode m);  // "udh", "sar", "payload"
std::optional<SubmitMode> SubmitModeFromName(std::string_view name);

struct EsmeConfig {
  std::string host = "127.0.0.1";
  std::uint16_t port = 2775;
  std::string system_id;
  std::string password;
  std::string system_type;
  bool transceiver = false;  // bind_transceiver instead of bind_transmitter
  std::chrono::milliseconds timeout{10000};  // per call
  // submit_sm fields. 0xF5 (GSM 03.38 class 1, 8-bit) or 0x04 (8-bit): both
  // say "8-bit data", which WAP push needs.
  std::uint8_t data_coding = 0xF5;
  std::string source_addr;  // empty: the SMSC's default
  std::uint8_t source_addr_ton = 0;
  std::uint8_t source_addr_npi = 0;
  std::uint8_t dest_addr_ton = 1;  // international
  std::uint8_t dest_addr_npi = 1;  // ISDN (E.164)
};

struct EsmeTraceEvent {
  enum class Direction { kIn, kOut, kEvent };
  Direction direction = Direction::kIn;
  std::string summary;  // SummarizeSmppPdu, or the event text
  codec::Bytes raw;     // the PDU octets as on the wire
};
using EsmeTraceSink = std::function<void(const EsmeTraceEvent&)>;

class SmppEsme {
 public:
  explicit SmppEsme(EsmeConfig config);
  ~SmppEsme();  // closes the socket (no unbind; call Unbind() for that)
  SmppEsme(const SmppEsme&) = delete;
  SmppEsme& operator=(const SmppEsme&) = delete;

  void SetTrace(EsmeTraceSink trace);

  // TCP connect and bind. A refused bind is an error naming the
  // command_status ("bind_transmitter refused: ESME_RINVPASWD (0x0000000e)").
  codec::Status Connect();
  bool bound() const;

  // One submit_sm as given (sequence_number is assigned); returns the
  // message_id of its submit_sm_resp, or an error naming a non-zero status.
  codec::Result<std::string> Submit(const codec::SmppSm& sm);

  // The submit_sm PDUs (bodies) `segments` become in `mode` for `to`; pure,
  // exposed for tests. Fails (naming the segment) when a segment cannot be
  // restructured for kSar / kPayload (malformed UDH, missing or duplicate
  // segments): use kUdh to send faulty segments.
  codec::Result<std::vector<codec::SmppSm>> SubmitsFor(
      const std::vector<codec::Bytes>& segments, const std::string& to,
      SubmitMode mode) const;

  // SubmitsFor + Submit each; returns the message_ids. Stops at the first
  // refusal.
  codec::Result<std::vector<std::string>> SubmitSegments(
      const std::vector<codec::Bytes>& segments, const std::string& to,
      SubmitMode mode);

  codec::Status EnquireLink();
  // unbind, wait for unbind_resp, close. Idempotent.
  codec::Status Unbind();

  struct Impl;

 private:
  EsmeConfig config_;
  std::unique_ptr<Impl> impl_;
};

// servers::PushSink that submits each push through an ESME (connected and
// bound by the caller). message_ids() accumulates over deliveries.
class SmppPushSink : public servers::PushSink {
 public:
  SmppPushSink(SmppEsme& esme, SubmitMode mode) : esme_(esme), mode_(mode) {}
  codec::Status Deliver(const std::vector<codec::Bytes>& segments,
                        const std::string& to_msisdn) override;
  const std::vector<std::string>& message_ids() const { return message_ids_; }

 private:
  SmppEsme& esme_;
  SubmitMode mode_;
  std::vector<std::string> message_ids_;
};

}  // namespace omaiop::sim::smsc
