#include "sim/smsc/smpp_smsc.h"

#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <deque>
#include <list>

#include "codec/sms_udh.h"

namespace omaiop::sim::smsc {

namespace asio = boost::asio;
using asio::ip::tcp;
using codec::Bytes;
using codec::SmppPdu;
namespace cmd = codec::smpp_cmd;
namespace st = codec::smpp_status;

namespace {

std::string Normalize(const std::string& msisdn) {
  return !msisdn.empty() && msisdn[0] == '+' ? msisdn.substr(1) : msisdn;
}

std::optional<std::uint32_t> TlvInt(const codec::SmppSm& sm,
                                    std::uint16_t tag) {
  const codec::SmppTlv* t = sm.FindTlv(tag);
  if (!t) return std::nullopt;
  std::uint32_t v = 0;
  for (auto b : t->value) v = v << 8 | b;
  return v;
}

}  // namespace

struct SmppSmsc::Impl {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  SmscConfig config;
  std::mutex mu;  // guards sinks, trace
  std::map<std::string, SegmentSink> handsets;
  SegmentSink default_sink;
  TraceSink trace;
  std::uint64_t next_connection = 1;
  std::uint64_t next_message_id = 1;
  std::uint8_t next_reference = 1;
  std::atomic<std::size_t> open_connections{0};
  std::list<std::weak_ptr<struct Session>> sessions;

  void Trace(SmscTraceEvent::Direction dir, std::uint64_t conn,
             std::string summary, Bytes raw,
             std::optional<codec::Diagnostic> error = std::nullopt) {
    TraceSink t;
    {
      std::lock_guard lock(mu);
      t = trace;
    }
    if (!t) return;
    SmscTraceEvent e;
    e.direction = dir;
    e.connection = conn;
    e.time = std::chrono::system_clock::now();
    e.summary = std::move(summary);
    e.raw = std::move(raw);
    e.error = std::move(error);
    t(e);
  }

  SegmentSink SinkFor(const std::string& msisdn) {
    std::lock_guard lock(mu);
    auto it = handsets.find(Normalize(msisdn));
    if (it != handsets.end()) return it->second;
    return default_sink;
  }

  void Accept();
};

struct Session : std::enable_shared_from_this<Session> {
  enum class Bound { kNone, kTx, kRx, kTrx };

  Session(SmppSmsc::Impl* impl, tcp::socket s, std::uint64_t id)
      : impl(impl), socket(std::move(s)), id(id) {}
  ~Session() { --impl->open_connections; }

  SmppSmsc::Impl* impl;
  tcp::socket socket;
  std::uint64_t id;
  Bound bound = Bound::kNone;
  std::string esme;
  std::array<std::uint8_t, codec::kSmppHeaderSize> header{};
  Bytes pdu;
  std::deque<Bytes> out;
  bool closing = false;

  void ReadHeader() {
    auto self = shared_from_this();
    asio::async_read(socket, asio::buffer(header),
                     [self](boost::system::error_code ec, std::size_t) {
                       if (ec) {
                         self->Closed(ec);
                         return;
                       }
                       self->OnHeader();
                     });
  }

  void Closed(boost::system::error_code ec) {
    if (closing) return;
    closing = true;
    impl->Trace(SmscTraceEvent::Direction::kEvent, id,
                "connection closed: " + ec.message(), {});
  }

  void OnHeader() {
    auto h = codec::ParseSmppHeader(header, 0, impl->config.max_pdu_size);
    if (!h.ok()) {
      // Framing is lost: answer generic_nack and close (§4.3.1).
      impl->Trace(SmscTraceEvent::Direction::kIn, id,
                  "unparsable header: " + h.error().ToString(),
                  Bytes(header.begin(), header.end()), h.error());
      std::uint32_t seq = std::uint32_t(header[12]) << 24 |
                          std::uint32_t(header[13]) << 16 |
                          std::uint32_t(header[14]) << 8 | header[15];
      Send(Nack(st::kInvCmdLen, seq));
      CloseAfterWrite();
      return;
    }
    pdu.assign(header.begin(), header.end());
    pdu.resize(h->command_length);
    auto self = shared_from_this();
    asio::async_read(socket,
                     asio::buffer(pdu.data() + codec::kSmppHeaderSize,
                                  pdu.size() - codec::kSmppHeaderSize),
                     [self](boost::system::error_code ec, std::size_t) {
                       if (ec) {
                         self->Closed(ec);
                         return;
                       }
                       self->OnPdu();
                       if (!self->closing) self->ReadHeader();
                     });
  }

  static SmppPdu Nack(std::uint32_t status, std::uint32_t seq) {
    SmppPdu p;
    p.command_id = cmd::kGenericNack;
    p.command_status = status;
    p.sequence_number = seq;
    return p;
  }

  static SmppPdu Resp(const SmppPdu& req, std::uint32_t status) {
    SmppPdu p;
    p.command_id = req.command_id | 0x80000000u;
    p.command_status = status;
    p.sequence_number = req.sequence_number;
    switch (req.command_id) {
      case cmd::kBindReceiver:
      case cmd::kBindTransmitter:
      case cmd::kBindTransceiver:
        p.body = codec::SmppBindResp{};
        break;
      case cmd::kSubmitSm:
      case cmd::kDeliverSm:
        p.body = codec::SmppSmResp{};
        break;
    }
    return p;
  }

  void OnPdu() {
    std::uint32_t err_status = 0;
    auto parsed = codec::ParseSmppPdu(pdu, 0, &err_status);
    if (!parsed.ok()) {
      impl->Trace(SmscTraceEvent::Direction::kIn, id,
                  "malformed PDU: " + parsed.error().ToString(), pdu,
                  parsed.error());
      SmppPdu hdr_only;
      hdr_only.command_id = std::uint32_t(pdu[4]) << 24 |
                            std::uint32_t(pdu[5]) << 16 |
                            std::uint32_t(pdu[6]) << 8 | pdu[7];
      hdr_only.sequence_number = std::uint32_t(pdu[12]) << 24 |
                                 std::uint32_t(pdu[13]) << 16 |
                                 std::uint32_t(pdu[14]) << 8 | pdu[15];
      const bool known_request =
          err_status != st::kInvCmdId &&
          codec::SmppCommandName(hdr_only.command_id) != "unknown" &&
          (hdr_only.command_id & 0x80000000u) == 0;
      // A known request with a bad body gets its own _resp with the error
      // (§4.3: generic_nack is for an invalid command_length or command_id).
      Send(known_request ? Resp(hdr_only, err_status)
                         : Nack(err_status, hdr_only.sequence_number));
      return;
    }
    impl->Trace(SmscTraceEvent::Direction::kIn, id,
                codec::SummarizeSmppPdu(*parsed), pdu);
    Handle(*parsed);
  }

  void Handle(const SmppPdu& req) {
    switch (req.command_id) {
      case cmd::kBindReceiver:
      case cmd::kBindTransmitter:
      case cmd::kBindTransceiver:
        return HandleBind(req);
      case cmd::kSubmitSm:
        return HandleSubmit(req);
      case cmd::kEnquireLink:
        return Send(Resp(req, st::kOk));
      case cmd::kUnbind:
        Send(Resp(req, st::kOk));
        bound = Bound::kNone;
        CloseAfterWrite();
        return;
      case cmd::kDeliverSm:
        // An ESME never sends deliver_sm to an SMSC.
        return Send(Resp(req, st::kInvCmdId));
      case cmd::kGenericNack:
      case cmd::kEnquireLinkResp:
      case cmd::kDeliverSmResp:
      case cmd::kUnbindResp:
        return;  // traced; nothing to answer
      default:
        // Responses the SMSC never solicited.
        return Send(Nack(st::kInvCmdId, req.sequence_number));
    }
  }

  void HandleBind(const SmppPdu& req) {
    const auto& b = std::get<codec::SmppBind>(req.body);
    SmppPdu resp = Resp(req, st::kOk);
    if (bound != Bound::kNone) {
      resp.command_status = st::kAlyBnd;
    } else if (b.system_id != impl->config.system_id) {
      resp.command_status = st::kInvSysId;
    } else if (b.password != impl->config.password) {
      resp.command_status = st::kInvPaswd;
    } else {
      bound = req.command_id == cmd::kBindTransmitter ? Bound::kTx
              : req.command_id == cmd::kBindReceiver  ? Bound::kRx
                                                      : Bound::kTrx;
      esme = b.system_id;
      codec::SmppBindResp br;
      br.system_id = "omaiop-smsc";
      // sc_interface_version (§5.3.2.25): we speak 3.4.
      br.tlvs.push_back({codec::smpp_tag::kScInterfaceVersion, {0x34}, 0});
      resp.body = br;
    }
    Send(resp);
  }

  void HandleSubmit(const SmppPdu& req) {
    const auto& sm = std::get<codec::SmppSm>(req.body);
    SmppPdu resp = Resp(req, st::kOk);
    if (bound != Bound::kTx && bound != Bound::kTrx) {
      resp.command_status = st::kInvBndSts;
      return Send(resp);
    }
    auto segs = SmppSmsc::SegmentsForSubmit(sm, impl->next_reference);
    if (auto* r = std::get_if<SmppSmsc::Refusal>(&segs)) {
      impl->Trace(SmscTraceEvent::Direction::kEvent, id,
                  "submit_sm refused: " + r->why, {});
      resp.command_status = r->status;
      return Send(resp);
    }
    SegmentSink sink = impl->SinkFor(sm.destination_addr);
    if (!sink) {
      impl->Trace(SmscTraceEvent::Direction::kEvent, id,
                  "no handset registered for " + sm.destination_addr, {});
      resp.command_status = st::kInvDstAdr;
      return Send(resp);
    }
    auto& list = std::get<std::vector<Bytes>>(segs);
    if (list.size() > 1 && !sm.FindTlv(codec::smpp_tag::kSarMsgRefNum) &&
        sm.FindTlv(codec::smpp_tag::kMessagePayload))
      ++impl->next_reference;
    char mid[24];
    std::snprintf(mid, sizeof mid, "%llx",
                  static_cast<unsigned long long>(impl->next_message_id++));
    for (std::size_t i = 0; i < list.size(); ++i) {
      SmscSegment s;
      s.connection = id;
      s.esme_system_id = esme;
      s.source_addr = sm.source_addr;
      s.destination_addr = sm.destination_addr;
      s.data_coding = sm.data_coding;
      s.protocol_id = sm.protocol_id;
      s.udhi = (sm.esm_class & codec::kEsmClassUdhi) != 0 ||
               sm.FindTlv(codec::smpp_tag::kSarMsgRefNum) ||
               sm.FindTlv(codec::smpp_tag::kDestinationPort) || list.size() > 1;
      s.user_data = list[i];
      s.message_id = mid;
      s.index = i;
      s.count = list.size();
      impl->Trace(SmscTraceEvent::Direction::kEvent, id,
                  "deliver segment " + std::to_string(i + 1) + "/" +
                      std::to_string(list.size()) + " to " +
                      sm.destination_addr,
                  list[i]);
      sink(s);
    }
    std::get<codec::SmppSmResp>(resp.body).message_id = mid;
    Send(resp);
  }

  void Send(const SmppPdu& p) {
    Bytes raw = codec::EncodeSmppPdu(p);
    impl->Trace(SmscTraceEvent::Direction::kOut, id, codec::SummarizeSmppPdu(p),
                raw);
    out.push_back(std::move(raw));
    if (out.size() == 1) WriteNext();
  }

  bool close_after_write = false;
  void CloseAfterWrite() {
    close_after_write = true;
    closing = true;
    if (out.empty()) Shutdown();
  }
  void Shutdown() {
    boost::system::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  void WriteNext() {
    auto self = shared_from_this();
    asio::async_write(socket, asio::buffer(out.front()),
                      [self](boost::system::error_code ec, std::size_t) {
                        if (ec) {
                          self->Closed(ec);
                          self->Shutdown();
                          return;
                        }
                        self->out.pop_front();
                        if (!self->out.empty()) {
                          self->WriteNext();
                        } else if (self->close_after_write) {
                          self->Shutdown();
                        }
                      });
  }
};

void SmppSmsc::Impl::Accept() {
  acceptor.async_accept([this](boost::system::error_code ec, tcp::socket s) {
    if (ec) return;  // acceptor closed by Stop()
    const std::uint64_t conn = next_connection++;
    if (open_connections >= config.max_connections) {
      Trace(SmscTraceEvent::Direction::kEvent, conn,
            "connection refused: limit of " +
                std::to_string(config.max_connections) + " reached",
            {});
      boost::system::error_code ignored;
      s.close(ignored);
    } else {
      ++open_connections;
      boost::system::error_code ignored;
      auto peer = s.remote_endpoint(ignored);
      Trace(SmscTraceEvent::Direction::kEvent, conn,
            "connection from " + peer.address().to_string() + ":" +
                std::to_string(peer.port()),
            {});
      auto session = std::make_shared<Session>(this, std::move(s), conn);
      sessions.push_back(session);
      sessions.remove_if([](auto& w) { return w.expired(); });
      session->ReadHeader();
    }
    Accept();
  });
}

SmppSmsc::SmppSmsc(SmscConfig config)
    : config_(std::move(config)), impl_(std::make_unique<Impl>()) {
  impl_->config = config_;
}

SmppSmsc::~SmppSmsc() { Stop(); }

codec::Status SmppSmsc::Start() {
  if (thread_.joinable()) return codec::OkStatus();
  boost::system::error_code ec;
  auto addr = asio::ip::make_address(config_.bind_address, ec);
  if (ec) {
    return codec::Diagnostic{"bad bind address " + config_.bind_address,
                             codec::Diagnostic::kNoOffset, "", ""};
  }
  tcp::endpoint ep(addr, config_.port);
  impl_->acceptor.open(ep.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(ep, ec);
  if (!ec)
    impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return codec::Diagnostic{"cannot listen on " + config_.bind_address + ":" +
                                 std::to_string(config_.port) + ": " +
                                 ec.message(),
                             codec::Diagnostic::kNoOffset, "", ""};
  }
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  thread_ = std::thread([this] { impl_->io.run(); });
  return codec::OkStatus();
}

void SmppSmsc::Stop() {
  if (!thread_.joinable()) return;
  asio::post(impl_->io, [this] {
    boost::system::error_code ec;
    impl_->acceptor.close(ec);
    for (auto& w : impl_->sessions)
      if (auto s = w.lock()) {
        s->closing = true;
        s->Shutdown();
      }
  });
  // No work guard: once the acceptor and sockets are closed, their handlers
  // complete with operation_aborted and run() returns by itself, releasing
  // every Session before the io_context is destroyed.
  thread_.join();
}

std::size_t SmppSmsc::open_connections() const {
  return impl_->open_connections.load();
}

void SmppSmsc::RegisterHandset(const std::string& msisdn, SegmentSink sink) {
  std::lock_guard lock(impl_->mu);
  impl_->handsets[Normalize(msisdn)] = std::move(sink);
}
void SmppSmsc::UnregisterHandset(const std::string& msisdn) {
  std::lock_guard lock(impl_->mu);
  impl_->handsets.erase(Normalize(msisdn));
}
void SmppSmsc::SetDefaultSink(SegmentSink sink) {
  std::lock_guard lock(impl_->mu);
  impl_->default_sink = std::move(sink);
}
void SmppSmsc::SetTrace(TraceSink trace) {
  std::lock_guard lock(impl_->mu);
  impl_->trace = std::move(trace);
}

std::variant<std::vector<Bytes>, SmppSmsc::Refusal> SmppSmsc::SegmentsForSubmit(
    const codec::SmppSm& sm, std::uint8_t reference) {
  namespace tag = codec::smpp_tag;
  const codec::SmppTlv* payload_tlv = sm.FindTlv(tag::kMessagePayload);
  if (payload_tlv && !sm.short_message.empty()) {
    // §5.3.2.32: message_payload and short_message are mutually exclusive.
    return Refusal{st::kInvParLen,
                   "both short_message and message_payload present "
                   "(SMPP 3.4 §5.3.2.32)"};
  }
  const Bytes& data = payload_tlv ? payload_tlv->value : sm.short_message;
  const bool udhi = (sm.esm_class & codec::kEsmClassUdhi) != 0;

  codec::SmsUserData ud;
  if (udhi) {
    auto parsed = codec::ParseSmsUserData(data, 0, true);
    if (!parsed.ok()) {
      return Refusal{st::kInvEsmClass,
                     "esm_class has UDHI but the UDH is malformed: " +
                         parsed.error().ToString()};
    }
    ud = *parsed;
  } else {
    ud.has_udh = false;
    ud.payload = data;
  }
  // Port TLVs (§5.3.2.x source_port / destination_port) -> UDH IE 0x05
  // unless the UDH already has ports.
  auto dst_port = TlvInt(sm, tag::kDestinationPort);
  if (dst_port && !ud.ports) {
    codec::SmsPorts p;
    p.dst = static_cast<std::uint16_t>(*dst_port);
    p.src = static_cast<std::uint16_t>(
        TlvInt(sm, tag::kSourcePort).value_or(*dst_port));
    ud.ies.insert(ud.ies.begin(), codec::MakePortsIe(p));
    ud.has_udh = true;
  }

  auto sar_ref = TlvInt(sm, tag::kSarMsgRefNum);
  auto sar_total = TlvInt(sm, tag::kSarTotalSegments);
  auto sar_seq = TlvInt(sm, tag::kSarSegmentSeqnum);
  if (sar_ref || sar_total || sar_seq) {
    if (!sar_ref || !sar_total || !sar_seq) {
      return Refusal{st::kMissingOptParam,
                     "sar_msg_ref_num, sar_total_segments and "
                     "sar_segment_seqnum must come together (SMPP 3.4 "
                     "§5.3.2.22-24)"};
    }
    if (*sar_total == 0 || *sar_seq == 0 || *sar_seq > *sar_total) {
      return Refusal{st::kInvOptParamVal,
                     "sar_segment_seqnum " + std::to_string(*sar_seq) +
                         " of sar_total_segments " +
                         std::to_string(*sar_total) +
                         " (both 1-based, seqnum <= total)"};
    }
    if (ud.concat) {
      return Refusal{st::kInvOptParamVal,
                     "sar_* TLVs and a UDH concatenation IE together"};
    }
    codec::SmsConcat c;
    c.reference = static_cast<std::uint16_t>(*sar_ref);
    c.total = static_cast<std::uint8_t>(*sar_total);
    c.seq = static_cast<std::uint8_t>(*sar_seq);
    c.ref16 = true;
    ud.ies.insert(ud.ies.begin(), codec::MakeConcatIe(c));
    ud.has_udh = true;
  }

  Bytes whole = codec::EncodeSmsUserData(ud);
  if (whole.size() <= codec::kSmsMaxUserData) return std::vector<Bytes>{whole};
  if (!payload_tlv || ud.concat || sar_ref) {
    return Refusal{st::kInvMsgLen,
                   "user data of " + std::to_string(whole.size()) +
                       " octets exceeds 140 and is already a segment"};
  }
  // message_payload longer than one SMS: segment it, each segment keeps the
  // other IEs and gains an 8-bit concatenation IE (TS 23.040 §9.2.3.24.1).
  std::size_t ie_octets = 1;  // UDHL
  for (const auto& ie : ud.ies) ie_octets += 2 + ie.data.size();
  ie_octets += 5;  // concat IE 00 03 ref total seq
  const std::size_t room = codec::kSmsMaxUserData - ie_octets;
  if (room == 0 || room > codec::kSmsMaxUserData) {
    return Refusal{st::kInvMsgLen, "UDH leaves no room for payload"};
  }
  const std::size_t n = (ud.payload.size() + room - 1) / room;
  if (n > 255) {
    return Refusal{st::kInvMsgLen,
                   "message_payload needs more than 255 "
                   "segments"};
  }
  std::vector<Bytes> out;
  for (std::size_t i = 0; i < n; ++i) {
    codec::SmsUserData seg;
    seg.has_udh = true;
    codec::SmsConcat c;
    c.reference = reference;
    c.total = static_cast<std::uint8_t>(n);
    c.seq = static_cast<std::uint8_t>(i + 1);
    seg.ies.push_back(codec::MakeConcatIe(c));
    for (const auto& ie : ud.ies) seg.ies.push_back(ie);
    auto first = ud.payload.begin() + i * room;
    auto last =
        ud.payload.begin() + std::min(ud.payload.size(), (i + 1) * room);
    seg.payload.assign(first, last);
    out.push_back(codec::EncodeSmsUserData(seg));
  }
  return out;
}

}  // namespace omaiop::sim::smsc
