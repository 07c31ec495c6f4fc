// An SMPP 3.4 SMSC that push servers (Kannel's bearerbox, a PPG) bind to as
// ESMEs. It accepts bind_transmitter / bind_transceiver / bind_receiver with a
// configured system_id and password, turns every submit_sm into SMS user-data
// segments (UDH + payload, as codec::ParseSmsUserData reads them) and hands
// each segment to the handset registered under the destination MSISDN.
// Every PDU in and out goes to a trace callback.
//
// Concatenation arrives in three alternative forms (SMPP 3.4 §2.10.x / §5.3.2,
// MEMORY for the section numbers) and is normalised so the handset side sees
// the same segments whichever the ESME chose:
//   * esm_class UDHI (0x40) with a UDH concatenation IE in short_message:
//     delivered as is;
//   * sar_msg_ref_num / sar_total_segments / sar_segment_seqnum TLVs: a
//     16-bit-reference concatenation IE (3GPP TS 23.040 §9.2.3.24.8, IEI 0x08,
//     because sar_msg_ref_num is 16 bits) is prepended to the UDH;
//   * message_payload TLV (up to 64 KiB): the SMSC segments it into <= 140
//     octet user data with an 8-bit-reference concatenation IE (IEI 0x00),
//     copying the other UDH IEs (ports) into every segment.
// source_port / destination_port TLVs become an application-port IE (0x05).
// data_coding: 0x04 / 0xF5 (8-bit, what WAP push uses) and any other value
// are delivered as the octets the ESME sent, with data_coding passed along;
// no GSM 7-bit septet packing is done (not needed for WAP push).
//
// Threading: one Boost.Asio io_context on its own thread; callbacks run on
// it. Bounded: PDU size and simultaneous connections are capped.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "codec/smpp.h"

namespace omaiop::sim::smsc {

struct SmscConfig {
  std::string bind_address = "127.0.0.1";  // loopback by default
  std::uint16_t port = 0;                  // 0 = ephemeral; see port()
  std::string system_id = "omaiop";
  std::string password = "omaiop";
  std::uint32_t max_pdu_size = 65536;  // larger command_length: generic_nack
  std::size_t max_connections = 8;     // further connections are closed
};

// One delivered SMS segment.
struct SmscSegment {
  std::uint64_t connection = 0;
  std::string esme_system_id;
  std::string source_addr;
  std::string destination_addr;
  std::uint8_t data_coding = 0;
  std::uint8_t protocol_id = 0;
  bool udhi = false;       // TP-UDHI of the delivered user data
  codec::Bytes user_data;  // TP-UD: UDH (if udhi) + payload
  std::string message_id;  // of the submit_sm it came from
  std::size_t index = 0;   // 0-based segment number within that submit_sm
  std::size_t count = 1;
};
using SegmentSink = std::function<void(const SmscSegment&)>;

struct SmscTraceEvent {
  enum class Direction { kIn, kOut, kEvent };
  Direction direction = Direction::kIn;
  std::uint64_t connection = 0;
  std::chrono::system_clock::time_point time;
  std::string summary;  // SummarizeSmppPdu, or the event / diagnostic text
  codec::Bytes raw;     // the PDU octets as on the wire
  std::optional<codec::Diagnostic> error;  // parse failure of an incoming PDU
};
using TraceSink = std::function<void(const SmscTraceEvent&)>;

class SmppSmsc {
 public:
  explicit SmppSmsc(SmscConfig config);
  ~SmppSmsc();  // Stop()
  SmppSmsc(const SmppSmsc&) = delete;
  SmppSmsc& operator=(const SmppSmsc&) = delete;

  // Binds and listens, then serves on a background thread.
  codec::Status Start();
  // Closes every connection and joins the thread. Idempotent.
  void Stop();
  std::uint16_t port() const { return port_; }
  // ESME connections currently open (any thread). Lets a caller that is about
  // to Stop() give bound ESMEs the time to read their last responses and
  // unbind.
  std::size_t open_connections() const;

  // Sinks may be changed while running. A leading '+' is ignored on both
  // sides. Unknown destination and no default sink: ESME_RINVDSTADR.
  void RegisterHandset(const std::string& msisdn, SegmentSink sink);
  void UnregisterHandset(const std::string& msisdn);
  void SetDefaultSink(SegmentSink sink);
  void SetTrace(TraceSink trace);

  // Turns one submit_sm into the user-data segments the handset receives,
  // or the command_status to refuse it with (and why). Exposed for tests and
  // for the harness to predict deliveries. `reference` numbers the
  // concatenation the SMSC itself creates for message_payload.
  struct Refusal {
    std::uint32_t status;
    std::string why;
  };
  static std::variant<std::vector<codec::Bytes>, Refusal> SegmentsForSubmit(
      const codec::SmppSm& sm, std::uint8_t reference);

  // Internal; public for the session class in the .cc file.
  struct Impl;

 private:
  SmscConfig config_;
  std::uint16_t port_ = 0;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
};

}  // namespace omaiop::sim::smsc
