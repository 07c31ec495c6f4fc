#include "sim/smsc/smpp_esme.h"

#include <algorithm>
#include <array>
#include <boost/asio.hpp>
#include <cctype>
#include <map>

#include "codec/sms_udh.h"

namespace omaiop::sim::smsc {

namespace asio = boost::asio;
using asio::ip::tcp;
using codec::Bytes;
using codec::SmppPdu;
namespace cmd = codec::smpp_cmd;
namespace st = codec::smpp_status;
namespace tag = codec::smpp_tag;

namespace {

constexpr char kRuleBind[] = "SMPP 3.4 §4.1 bind";
constexpr char kRuleSubmit[] = "SMPP 3.4 §4.4 submit_sm";
constexpr char kRuleUnbind[] = "SMPP 3.4 §4.2 unbind";
constexpr char kRuleEnquire[] = "SMPP 3.4 §4.11 enquire_link";
constexpr char kRuleSession[] = "SMPP 3.4 §2.2 session";
constexpr char kRuleSar[] = "SMPP 3.4 §5.3.2.22-24 sar_*";
constexpr char kRulePayload[] = "SMPP 3.4 §5.3.2.32 message_payload";

codec::Diagnostic Fail(std::string what, const char* rule) {
  return codec::Error(std::move(what), codec::Diagnostic::kNoOffset, rule);
}

std::string StatusText(std::uint32_t status) {
  char hex[16];
  std::snprintf(hex, sizeof hex, "0x%08x", status);
  return codec::SmppStatusName(status) + " (" + hex + ")";
}

codec::SmppTlv IntTlv(std::uint16_t t, std::uint32_t v, std::size_t octets) {
  codec::SmppTlv tlv;
  tlv.tag = t;
  for (std::size_t i = octets; i-- > 0;)
    tlv.value.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  return tlv;
}

bool IsConcatIe(const codec::UdhIe& ie) {
  return ie.iei == codec::kIeiConcat8 || ie.iei == codec::kIeiConcat16;
}

}  // namespace

std::string_view SubmitModeName(SubmitMode m) {
  switch (m) {
    case SubmitMode::kUdh:
      return "udh";
    case SubmitMode::kSar:
      return "sar";
    case SubmitMode::kPayload:
      return "payload";
  }
  return "?";
}

std::optional<SubmitMode> SubmitModeFromName(std::string_view name) {
  for (SubmitMode m :
       {SubmitMode::kUdh, SubmitMode::kSar, SubmitMode::kPayload})
    if (SubmitModeName(m) == name) return m;
  return std::nullopt;
}

struct SmppEsme::Impl {
  asio::io_context io;
  tcp::socket socket{io};
  EsmeTraceSink trace;
  std::uint32_t next_seq = 1;
  bool connected = false;
  bool bound = false;
  std::chrono::milliseconds timeout{10000};

  void Trace(EsmeTraceEvent::Direction d, std::string summary, Bytes raw) {
    if (!trace) return;
    trace(EsmeTraceEvent{d, std::move(summary), std::move(raw)});
  }

  using Deadline = std::chrono::steady_clock::time_point;
  Deadline NewDeadline() const {
    return std::chrono::steady_clock::now() + timeout;
  }

  // Runs the io_context until `done` or the deadline; on timeout cancels the
  // pending operation and lets its handler run (it refers to our stack).
  bool RunUntil(const bool& done, Deadline deadline) {
    io.restart();
    while (!done) {
      if (io.run_one_until(deadline) == 0 && !done) {
        boost::system::error_code ignored;
        socket.cancel(ignored);
        io.restart();
        while (!done && io.run_one() > 0) {
        }
        return false;
      }
    }
    return true;
  }

  codec::Status Write(const SmppPdu& p, Deadline deadline) {
    Bytes raw = codec::EncodeSmppPdu(p);
    Trace(EsmeTraceEvent::Direction::kOut, codec::SummarizeSmppPdu(p), raw);
    bool done = false;
    boost::system::error_code ec;
    asio::async_write(socket, asio::buffer(raw),
                      [&](boost::system::error_code e, std::size_t) {
                        ec = e;
                        done = true;
                      });
    if (!RunUntil(done, deadline))
      return Fail("timed out sending " + codec::SmppCommandName(p.command_id),
                  kRuleSession);
    if (ec)
      return Fail("cannot send " + codec::SmppCommandName(p.command_id) + ": " +
                      ec.message(),
                  kRuleSession);
    return codec::OkStatus();
  }

  codec::Result<SmppPdu> Read(Deadline deadline) {
    std::array<std::uint8_t, codec::kSmppHeaderSize> header{};
    bool done = false;
    boost::system::error_code ec;
    asio::async_read(socket, asio::buffer(header),
                     [&](boost::system::error_code e, std::size_t) {
                       ec = e;
                       done = true;
                     });
    if (!RunUntil(done, deadline))
      return Fail("timed out waiting for the SMSC", kRuleSession);
    if (ec)
      return Fail("connection to the SMSC lost: " + ec.message(), kRuleSession);
    OMAIOP_ASSIGN_OR_RETURN(auto h, codec::ParseSmppHeader(header));
    Bytes pdu(header.begin(), header.end());
    pdu.resize(h.command_length);
    done = false;
    asio::async_read(socket,
                     asio::buffer(pdu.data() + codec::kSmppHeaderSize,
                                  pdu.size() - codec::kSmppHeaderSize),
                     [&](boost::system::error_code e, std::size_t) {
                       ec = e;
                       done = true;
                     });
    if (!RunUntil(done, deadline))
      return Fail("timed out reading a PDU body", kRuleSession);
    if (ec)
      return Fail("connection to the SMSC lost: " + ec.message(), kRuleSession);
    auto parsed = codec::ParseSmppPdu(pdu);
    if (!parsed.ok()) {
      Trace(EsmeTraceEvent::Direction::kIn,
            "malformed PDU: " + parsed.error().ToString(), pdu);
      return parsed.error();
    }
    Trace(EsmeTraceEvent::Direction::kIn, codec::SummarizeSmppPdu(*parsed),
          pdu);
    return parsed;
  }

  static SmppPdu Resp(const SmppPdu& req, std::uint32_t status) {
    SmppPdu p;
    p.command_id = req.command_id | 0x80000000u;
    p.command_status = status;
    p.sequence_number = req.sequence_number;
    if (req.command_id == cmd::kDeliverSm) p.body = codec::SmppSmResp{};
    return p;
  }

  // Sends `req` and waits for its response, answering what the SMSC asks
  // meanwhile (enquire_link, deliver_sm, unbind).
  codec::Result<SmppPdu> Transact(SmppPdu req) {
    if (!connected) return Fail("not connected to an SMSC", kRuleSession);
    const Deadline deadline = NewDeadline();
    req.sequence_number = next_seq++;
    if (next_seq > 0x7FFFFFFF) next_seq = 1;  // §5.1.4 range 1..0x7FFFFFFF
    OMAIOP_RETURN_IF_ERROR(Write(req, deadline));
    const std::uint32_t want = req.command_id | 0x80000000u;
    for (;;) {
      OMAIOP_ASSIGN_OR_RETURN(SmppPdu in, Read(deadline));
      if (in.command_id == want && in.sequence_number == req.sequence_number)
        return in;
      switch (in.command_id) {
        case cmd::kGenericNack:
          if (in.sequence_number == req.sequence_number ||
              in.sequence_number == 0)
            return Fail(
                "SMSC answered " + codec::SmppCommandName(req.command_id) +
                    " with generic_nack " + StatusText(in.command_status),
                kRuleSession);
          break;
        case cmd::kEnquireLink:  // §4.11: answer at any time
          OMAIOP_RETURN_IF_ERROR(Write(Resp(in, st::kOk), deadline));
          break;
        case cmd::kDeliverSm:  // transceiver: accept and drop (traced)
          OMAIOP_RETURN_IF_ERROR(Write(Resp(in, st::kOk), deadline));
          break;
        case cmd::kUnbind:
          (void)Write(Resp(in, st::kOk), deadline);
          bound = false;
          Close();
          return Fail("the SMSC unbound while waiting for " +
                          codec::SmppCommandName(want),
                      kRuleUnbind);
        default:
          Trace(EsmeTraceEvent::Direction::kEvent,
                "ignored unsolicited " + codec::SmppCommandName(in.command_id),
                {});
      }
    }
  }

  void Close() {
    boost::system::error_code ignored;
    if (socket.is_open()) {
      socket.shutdown(tcp::socket::shutdown_both, ignored);
      socket.close(ignored);
    }
    connected = false;
  }
};

SmppEsme::SmppEsme(EsmeConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  impl_->timeout = config_.timeout;
}

SmppEsme::~SmppEsme() { impl_->Close(); }

void SmppEsme::SetTrace(EsmeTraceSink trace) {
  impl_->trace = std::move(trace);
}

bool SmppEsme::bound() const { return impl_->bound; }

codec::Status SmppEsme::Connect() {
  if (impl_->connected) return Fail("already connected", kRuleSession);
  const std::string where = config_.host + ":" + std::to_string(config_.port);
  tcp::resolver resolver(impl_->io);
  boost::system::error_code ec;
  auto endpoints = resolver.resolve(config_.host, std::to_string(config_.port),
                                    tcp::resolver::numeric_service, ec);
  if (ec)
    return Fail("cannot resolve SMSC " + where + ": " + ec.message(),
                kRuleSession);
  bool done = false;
  asio::async_connect(impl_->socket, endpoints,
                      [&](boost::system::error_code e, const tcp::endpoint&) {
                        ec = e;
                        done = true;
                      });
  if (!impl_->RunUntil(done, impl_->NewDeadline())) {
    impl_->Close();
    return Fail("timed out connecting to SMSC " + where, kRuleSession);
  }
  if (ec) {
    impl_->Close();
    return Fail("cannot connect to SMSC " + where + ": " + ec.message(),
                kRuleSession);
  }
  impl_->connected = true;
  impl_->Trace(EsmeTraceEvent::Direction::kEvent, "connected to " + where, {});

  SmppPdu bind;
  bind.command_id =
      config_.transceiver ? cmd::kBindTransceiver : cmd::kBindTransmitter;
  codec::SmppBind b;
  b.system_id = config_.system_id;
  b.password = config_.password;
  b.system_type = config_.system_type;
  bind.body = b;
  auto resp = impl_->Transact(bind);
  if (!resp.ok()) {
    impl_->Close();
    return resp.error();
  }
  if (resp->command_status != st::kOk) {
    impl_->Close();
    return Fail(codec::SmppCommandName(bind.command_id) + " as '" +
                    config_.system_id + "' refused by SMSC " + where + ": " +
                    StatusText(resp->command_status),
                kRuleBind);
  }
  impl_->bound = true;
  return codec::OkStatus();
}

codec::Result<std::string> SmppEsme::Submit(const codec::SmppSm& sm) {
  if (!impl_->bound) return Fail("not bound to an SMSC", kRuleSubmit);
  SmppPdu req;
  req.command_id = cmd::kSubmitSm;
  req.body = sm;
  OMAIOP_ASSIGN_OR_RETURN(SmppPdu resp, impl_->Transact(req));
  if (resp.command_status != st::kOk)
    return Fail("submit_sm to " + sm.destination_addr +
                    " refused: " + StatusText(resp.command_status),
                kRuleSubmit);
  const auto* r = std::get_if<codec::SmppSmResp>(&resp.body);
  return r ? r->message_id : std::string();
}

codec::Result<std::vector<codec::SmppSm>> SmppEsme::SubmitsFor(
    const std::vector<Bytes>& segments, const std::string& to,
    SubmitMode mode) const {
  const std::string dest = !to.empty() && to[0] == '+' ? to.substr(1) : to;
  // destination_addr is a C-Octet String of at most 21 octets (§4.4.1).
  if (dest.empty() || dest.size() > 20 ||
      !std::all_of(dest.begin(), dest.end(),
                   [](unsigned char c) { return std::isdigit(c); }))
    return Fail("destination '" + to + "' is not an MSISDN of 1..20 digits",
                kRuleSubmit);
  if (segments.empty()) return Fail("no segments to submit", kRuleSubmit);
  codec::SmppSm base;
  base.source_addr_ton = config_.source_addr_ton;
  base.source_addr_npi = config_.source_addr_npi;
  base.source_addr = config_.source_addr;
  base.dest_addr_ton = config_.dest_addr_ton;
  base.dest_addr_npi = config_.dest_addr_npi;
  base.destination_addr = dest;
  base.data_coding = config_.data_coding;

  std::vector<codec::SmppSm> out;
  if (mode == SubmitMode::kUdh) {
    for (const auto& seg : segments) {
      if (seg.size() > 254)  // sm_length is one octet, max 254 (§4.4.1)
        return Fail("segment of " + std::to_string(seg.size()) +
                        " octets exceeds short_message's 254",
                    kRuleSubmit);
      codec::SmppSm sm = base;
      sm.esm_class = codec::kEsmClassUdhi;
      sm.short_message = seg;
      out.push_back(std::move(sm));
    }
    return out;
  }

  std::vector<codec::SmsUserData> parsed;
  for (std::size_t i = 0; i < segments.size(); ++i) {
    auto ud = codec::ParseSmsUserData(segments[i], 0, true);
    if (!ud.ok())
      return Fail("segment " + std::to_string(i + 1) +
                      " cannot be restructured for --mode " +
                      std::string(SubmitModeName(mode)) + " (" +
                      ud.error().ToString() + "); use --mode udh",
                  mode == SubmitMode::kSar ? kRuleSar : kRulePayload);
    parsed.push_back(std::move(*ud));
  }
  auto without_concat = [](codec::SmsUserData ud) {
    std::erase_if(ud.ies, IsConcatIe);
    ud.concat.reset();
    ud.udhl_override.reset();
    ud.has_udh = !ud.ies.empty();
    return ud;
  };

  if (mode == SubmitMode::kSar) {
    for (std::size_t i = 0; i < parsed.size(); ++i) {
      const auto& ud = parsed[i];
      // sar_msg_ref_num is 16 bits: the SMSC renders it as the 6-octet IEI
      // 0x08, one more than an 8-bit IEI 0x00 took in the segment.
      if (ud.concat && !ud.concat->ref16 &&
          segments[i].size() + 1 > codec::kSmsMaxUserData)
        return Fail("segment " + std::to_string(i + 1) +
                        " would exceed 140 octets once the SMSC adds the "
                        "16-bit concatenation IE sar_msg_ref_num implies; "
                        "compose with a 16-bit reference",
                    kRuleSar);
      codec::SmppSm sm = base;
      codec::SmsUserData rest = without_concat(ud);
      sm.esm_class = rest.has_udh ? codec::kEsmClassUdhi : 0;
      sm.short_message = codec::EncodeSmsUserData(rest);
      if (ud.concat) {
        sm.tlvs.push_back(IntTlv(tag::kSarMsgRefNum, ud.concat->reference, 2));
        sm.tlvs.push_back(IntTlv(tag::kSarTotalSegments, ud.concat->total, 1));
        sm.tlvs.push_back(IntTlv(tag::kSarSegmentSeqnum, ud.concat->seq, 1));
      }
      out.push_back(std::move(sm));
    }
    return out;
  }

  // kPayload: segments 1..n, each exactly once, into one datagram.
  std::map<std::uint8_t, const codec::SmsUserData*> by_seq;
  const auto& first = parsed.front();
  for (const auto& ud : parsed) {
    const bool same_message =
        (!ud.concat && parsed.size() == 1) ||
        (ud.concat && first.concat &&
         ud.concat->reference == first.concat->reference &&
         ud.concat->total == first.concat->total);
    if (!same_message ||
        !by_seq.emplace(ud.concat ? ud.concat->seq : 1, &ud).second)
      return Fail(
          "segments are not one complete concatenated message (mixed "
          "references or a duplicate); use --mode udh",
          kRulePayload);
  }
  const std::size_t total = first.concat ? first.concat->total : 1;
  if (by_seq.size() != total || by_seq.begin()->first != 1 ||
      by_seq.rbegin()->first != total)
    return Fail("segments 1.." + std::to_string(total) +
                    " are not all present; use --mode udh",
                kRulePayload);
  codec::SmsUserData whole = without_concat(*by_seq.begin()->second);
  whole.payload.clear();
  for (const auto& [seq, ud] : by_seq)
    whole.payload.insert(whole.payload.end(), ud->payload.begin(),
                         ud->payload.end());
  codec::SmppSm sm = base;
  sm.esm_class = whole.has_udh ? codec::kEsmClassUdhi : 0;
  codec::SmppTlv payload;
  payload.tag = tag::kMessagePayload;
  payload.value = codec::EncodeSmsUserData(whole);
  if (payload.value.size() > 0xFFFF)
    return Fail("message_payload over 65535 octets", kRulePayload);
  sm.tlvs.push_back(std::move(payload));
  out.push_back(std::move(sm));
  return out;
}

codec::Result<std::vector<std::string>> SmppEsme::SubmitSegments(
    const std::vector<Bytes>& segments, const std::string& to,
    SubmitMode mode) {
  OMAIOP_ASSIGN_OR_RETURN(auto submits, SubmitsFor(segments, to, mode));
  std::vector<std::string> ids;
  for (const auto& sm : submits) {
    OMAIOP_ASSIGN_OR_RETURN(std::string id, Submit(sm));
    ids.push_back(std::move(id));
  }
  return ids;
}

codec::Status SmppEsme::EnquireLink() {
  SmppPdu req;
  req.command_id = cmd::kEnquireLink;
  OMAIOP_ASSIGN_OR_RETURN(SmppPdu resp, impl_->Transact(req));
  if (resp.command_status != st::kOk)
    return Fail("enquire_link answered " + StatusText(resp.command_status),
                kRuleEnquire);
  return codec::OkStatus();
}

codec::Status SmppEsme::Unbind() {
  if (!impl_->connected) return codec::OkStatus();
  codec::Status result = codec::OkStatus();
  if (impl_->bound) {
    SmppPdu req;
    req.command_id = cmd::kUnbind;
    auto resp = impl_->Transact(req);
    impl_->bound = false;
    if (!resp.ok())
      result = resp.error();
    else if (resp->command_status != st::kOk)
      result = Fail("unbind answered " + StatusText(resp->command_status),
                    kRuleUnbind);
  }
  impl_->Close();
  impl_->Trace(EsmeTraceEvent::Direction::kEvent, "disconnected", {});
  return result;
}

codec::Status SmppPushSink::Deliver(const std::vector<Bytes>& segments,
                                    const std::string& to_msisdn) {
  OMAIOP_ASSIGN_OR_RETURN(auto ids,
                          esme_.SubmitSegments(segments, to_msisdn, mode_));
  message_ids_.insert(message_ids_.end(), ids.begin(), ids.end());
  return codec::OkStatus();
}

}  // namespace omaiop::sim::smsc
