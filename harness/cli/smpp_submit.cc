#include "harness/cli/smpp_submit.h"

#include <iostream>

#include "sim/smsc/smpp_esme.h"

namespace omaiop::cli {

namespace {
constexpr char kRule[] = "SMPP 3.4 §4.1 (bind), §4.4 (submit_sm)";
}  // namespace

void AddSmppSubmitOptions(CLI::App* cmd, SmppSubmitArgs& a,
                          const std::string& prefix, bool required) {
  auto* smsc =
      cmd->add_option("--" + prefix + "smsc", a.smsc, "SMSC address HOST:PORT");
  auto* to = cmd->add_option("--" + prefix + "to", a.to,
                             "destination MSISDN (E.164 digits)");
  if (required) {
    smsc->required();
    to->required();
  }
  cmd->add_option("--" + prefix + "from", a.from,
                  "source_addr (default: empty, the SMSC's choice)");
  cmd->add_option("--" + prefix + "system-id", a.system_id,
                  "SMPP system_id to bind with (default omaiop)");
  cmd->add_option("--" + prefix + "password", a.password,
                  "SMPP password (default omaiop)");
  cmd->add_option("--" + prefix + "system-type", a.system_type,
                  "SMPP system_type (default empty)");
  cmd->add_flag("--" + prefix + "transceiver", a.transceiver,
                "bind_transceiver instead of bind_transmitter");
  cmd->add_option("--" + prefix + "mode", a.mode,
                  "udh: one submit_sm per segment, esm_class UDHI (default); "
                  "sar: sar_* TLVs instead of the concatenation IE (the "
                  "push is composed with a 16-bit reference); "
                  "payload: one submit_sm with message_payload")
      ->check(CLI::IsMember({"udh", "sar", "payload"}));
  cmd->add_option("--" + prefix + "data-coding", a.data_coding,
                  "data_coding: 245 (0xF5, default) or 4")
      ->check(CLI::IsMember({0xF5u, 0x04u}));
  cmd->add_option("--" + prefix + "timeout", a.timeout,
                  "seconds to wait for each SMSC answer (default 10)")
      ->check(CLI::PositiveNumber);
  cmd->add_flag("--" + prefix + "trace", a.trace,
                "print every SMPP PDU in and out to stderr");
}

codec::Result<std::vector<std::string>> SubmitOverSmpp(
    const SmppSubmitArgs& a, const std::vector<codec::Bytes>& segments,
    std::string* warning) {
  const auto colon = a.smsc.rfind(':');
  unsigned long port = 0;
  if (colon == std::string::npos || colon == 0 || colon + 1 == a.smsc.size() ||
      a.smsc.find_first_not_of("0123456789", colon + 1) != std::string::npos ||
      (port = std::stoul(a.smsc.substr(colon + 1, 6))) == 0 || port > 65535) {
    return codec::Error("--smsc '" + a.smsc + "' is not HOST:PORT", 0, kRule);
  }
  sim::smsc::EsmeConfig c;
  c.host = a.smsc.substr(0, colon);
  if (c.host.size() > 2 && c.host.front() == '[' && c.host.back() == ']')
    c.host = c.host.substr(1, c.host.size() - 2);  // [::1]:2775
  c.port = static_cast<std::uint16_t>(port);
  c.system_id = a.system_id;
  c.password = a.password;
  c.system_type = a.system_type;
  c.transceiver = a.transceiver;
  c.source_addr = a.from;
  c.data_coding = static_cast<std::uint8_t>(a.data_coding);
  c.timeout = std::chrono::milliseconds(static_cast<long>(a.timeout * 1000));
  sim::smsc::SmppEsme esme(c);
  if (a.trace) {
    esme.SetTrace([](const sim::smsc::EsmeTraceEvent& e) {
      using D = sim::smsc::EsmeTraceEvent::Direction;
      const char* arrow = e.direction == D::kIn    ? "< "
                          : e.direction == D::kOut ? "> "
                                                   : "* ";
      std::cerr << arrow << e.summary;
      if (!e.raw.empty()) std::cerr << "  " << codec::ToHex(e.raw);
      std::cerr << "\n";
    });
  }
  const auto mode = sim::smsc::SubmitModeFromName(a.mode);
  if (!mode) return codec::Error("unknown mode '" + a.mode + "'", 0, kRule);
  // Check the segments fit the mode before connecting.
  if (auto fits = esme.SubmitsFor(segments, a.to, *mode); !fits.ok())
    return fits.error();
  OMAIOP_RETURN_IF_ERROR(esme.Connect());
  sim::smsc::SmppPushSink sink(esme, *mode);
  auto delivered = sink.Deliver(segments, a.to);
  auto unbound = esme.Unbind();
  OMAIOP_RETURN_IF_ERROR(delivered);
  if (!unbound.ok() && warning) *warning = unbound.error().ToString();
  return sink.message_ids();
}

codec::Status SmppSubmitSink::Deliver(const std::vector<codec::Bytes>& segments,
                                      const std::string& to_msisdn) {
  SmppSubmitArgs a = args_;
  a.to = to_msisdn;
  std::string warning;
  OMAIOP_ASSIGN_OR_RETURN(std::vector<std::string> ids,
                          SubmitOverSmpp(a, segments, &warning));
  if (!warning.empty()) std::cerr << "omaiop: warning: " << warning << "\n";
  ids_.insert(ids_.end(), ids.begin(), ids.end());
  return codec::OkStatus();
}

}  // namespace omaiop::cli
