// Submitting SMS segments to an SMSC over SMPP 3.4 from the CLI: the options
// (`--smsc HOST:PORT --to MSISDN --system-id ...`, optionally under a prefix
// such as `--notify-`) and the connect / bind / submit_sm / unbind sequence,
// shared by `omaiop cp push` and `omaiop dm server --notify-smsc`.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "codec/bytes.h"
#include "codec/result.h"
#include "sim/servers/cp_push_server.h"

namespace omaiop::cli {

struct SmppSubmitArgs {
  std::string smsc, to, from, system_id = "omaiop", password = "omaiop",
                              system_type, mode = "udh";
  bool transceiver = false, trace = false;
  unsigned data_coding = 0xF5;
  double timeout = 10;
};

// Adds --<prefix>smsc, --<prefix>to, --<prefix>from, --<prefix>system-id,
// --<prefix>password, --<prefix>system-type, --<prefix>transceiver,
// --<prefix>mode, --<prefix>data-coding, --<prefix>timeout,
// --<prefix>trace. `required`: --smsc and --to must be given.
void AddSmppSubmitOptions(CLI::App* cmd, SmppSubmitArgs& a,
                          const std::string& prefix, bool required);

// Connects to a.smsc, binds, submits `segments` to a.to per a.mode, and
// unbinds. Returns the SMSC's message ids; an error names what failed (a
// malformed --smsc, the SMPP command_status of a refused bind or submit).
// A failed unbind after the submits went through is reported in *warning.
codec::Result<std::vector<std::string>> SubmitOverSmpp(
    const SmppSubmitArgs& a, const std::vector<codec::Bytes>& segments,
    std::string* warning = nullptr);

// A PushSink that submits each delivery with SubmitOverSmpp (a.to is
// replaced by the delivery's MSISDN).
class SmppSubmitSink : public sim::servers::PushSink {
 public:
  explicit SmppSubmitSink(SmppSubmitArgs a) : args_(std::move(a)) {}
  codec::Status Deliver(const std::vector<codec::Bytes>& segments,
                        const std::string& to_msisdn) override;
  const std::vector<std::string>& message_ids() const { return ids_; }

 private:
  SmppSubmitArgs args_;
  std::vector<std::string> ids_;
};

}  // namespace omaiop::cli
